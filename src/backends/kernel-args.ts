/**
 * Argument descriptors of the fused routines, and the checks the compiled backends (native, wasm)
 * share.
 *
 * A routine's descriptor (in backends/routines/<family>.ts, beside its arguments interface) lists
 * its fields in the order of the routine's C++ struct (native/recurrent.h, native/optim.h), each
 * with its kind and, for an array, the number of elements the kernel touches as a function of the
 * call's sizes. Everything positional comes from it: the checks before a compiled call (element
 * types, lengths), the native addon's arguments and the wasm module's argument block (one generic
 * loop each), and the signature (one letter per field) that the compiled module must report for
 * the routine, or it is not used. So adding an argument to a fused routine (to its arguments
 * interface) takes one edit in TypeScript, its field in the descriptor (a type error until it is
 * listed), and one in C++, its member in the struct (the module is refused until they agree).
 *
 * Anything a compiled kernel cannot take runs on the js kernel, which also raises the errors for
 * bad arguments.
 * @internal
 * @module
 */
import type { View } from './backend.js';
import type { FloatArray, TypedArray } from '../tensor/dtype.js';

/** A Float32Array or Float64Array. @internal */
export function isFloat(x: TypedArray): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/**
 * The smallest and largest element positions of a non-empty view (its data span), or null when
 * some element lies outside its array (or offset/strides are not integers). @internal
 */
export function span(v: View): [lo: number, hi: number] | null {
  let lo = v.offset;
  let hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const ext = (v.shape[d]! - 1) * v.strides[d]!;
    if (ext < 0) lo += ext;
    else hi += ext;
  }
  return Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi < v.data.length ? [lo, hi] : null;
}

/** True when the view's every element lies inside its array (an empty view always does). @internal */
export function inBounds(v: View): boolean {
  return v.shape.includes(0) || span(v) !== null;
}

/**
 * Whether a compiled gemm takes `out = a @ b` (rank-3 views, batch [B,M,K] x [B,K,N]): float
 * arrays of one element type, matching non-empty sizes, every element in bounds, 32-bit counts.
 * @internal
 */
export function gemmFits(a: View, b: View, out: View): boolean {
  const A = a.data;
  const B = b.data;
  const C = out.data;
  return isFloat(C) && A.constructor === C.constructor && B.constructor === C.constructor &&
    a.shape.length === 3 && b.shape.length === 3 && out.shape.length === 3 &&
    b.shape[0] === a.shape[0] && b.shape[1] === a.shape[2] && out.shape[0] === a.shape[0] &&
    out.shape[1] === a.shape[1] && out.shape[2] === b.shape[2] &&
    a.shape[0]! * a.shape[1]! * b.shape[2]! > 0 && inBounds(a) && inBounds(b) && inBounds(out) &&
    Math.max(a.shape[1]!, a.shape[2]!, b.shape[2]!) < 2 ** 31;
}

// ------------------------------------------------------------------------------------------------
// Descriptors
// ------------------------------------------------------------------------------------------------

/** A float array field: read (`in`), overwritten (`out`), or read and updated (`inout`). @internal */
export type ArrayKind = 'in' | 'out' | 'inout';

/** An array's length in elements: one of the call's sizes, or the product of two (`'N*I'`). @internal */
export type Length<Z extends string> = Z | `${Z}*${Z}`;

/**
 * One field as a descriptor lists it, `[name, kind, ...]`; the C++ member type and signature letter
 * in brackets:
 * - `[name, 'int']` a 32-bit count (int, i); `[name, 'flag']` a boolean (bool, b);
 *   `[name, 'float']` a Python float (double, d);
 * - `[name, 'enum', values]` a string union, as the index of its value (int, i);
 * - `[name, 'size']` a count that is not an argument but one of the call's sizes (int, i); an
 *   `'int'` argument that is also one of the sizes is read from them;
 * - `[name, 'ints', length]` an Int32Array (const int32_t*, I);
 * - `[name, 'in' | 'out' | 'inout', length]` a float array (const T*, r; T*, w; T*, w) of at least
 *   `length` elements, all of the routine's element type T.
 * A trailing `?` on an array kind makes it optional (null or absent: a null pointer).
 * @internal
 */
export type FieldSpec<A, Z extends string> =
  | readonly [name: keyof A & string, kind: 'int' | 'flag' | 'float']
  | readonly [name: keyof A & string, kind: 'enum', values: readonly string[]]
  | readonly [name: Z, kind: 'size']
  | readonly [name: keyof A & string, kind: 'ints' | 'ints?' | ArrayKind | `${ArrayKind}?`, length: Length<Z>];

/** The argument names a field list covers. */
type Listed<F> = F extends readonly (infer E)[] ? (E extends readonly [infer N, ...unknown[]] ? N : never) : never;

/** Field kinds as numbers (the per-call loops compare them; numbers before `Ints`, arrays from it on). @internal */
export const Kind = { Int: 0, Flag: 1, Float: 2, Enum: 3, Size: 4, Ints: 5, In: 6, Out: 7, InOut: 8 } as const;
/** @internal */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** A field as the backends read it. @internal */
export interface Field {
  readonly name: string;
  readonly kind: Kind;
  readonly optional: boolean;
  /** Arrays: the length is sizes[lenA] (* sizes[lenB] when lenB >= 0); -1 for numbers. Sizes: its index. */
  readonly lenA: number;
  readonly lenB: number;
  readonly values: readonly string[] | null;
}

/** A routine's descriptor, as built by {@link describeRoutine}. @internal */
export interface RoutineDescriptor<A> {
  /** The routine's name (the Backend member). */
  readonly name: string;
  readonly fields: readonly Field[];
  /** One letter per field (see FieldSpec), as the compiled module reports the routine's struct. */
  readonly signature: string;
  /** The names of the call's sizes, in the order `measure` writes them. */
  readonly sizes: readonly string[];
  /** Writes the call's sizes; false when a compiled kernel cannot take them (not 32-bit counts...). */
  readonly measure: (a: A, s: Float64Array) => boolean;
  /** Whether the compiled kernels take float64 arrays (else only float32). */
  readonly float64: boolean;
  /** A further condition on the arguments for a compiled call. */
  readonly check: ((a: A, s: Float64Array) => boolean) | null;
  /** Elements of the largest array the kernel allocates for itself (wasm keeps it below its memory bound). */
  readonly scratch: ((s: Float64Array) => number) | null;
  /**
   * Element-wise routines: the index of the size that every array has, and that any split into
   * chunks may take (the result is the same); -1 otherwise.
   */
  readonly chunk: number;
}

const KINDS: Record<string, Kind> = {
  int: Kind.Int, flag: Kind.Flag, float: Kind.Float, enum: Kind.Enum, size: Kind.Size,
  ints: Kind.Ints, in: Kind.In, out: Kind.Out, inout: Kind.InOut,
};
const LETTERS: Record<Kind, string> = {
  [Kind.Int]: 'i', [Kind.Flag]: 'b', [Kind.Float]: 'd', [Kind.Enum]: 'i', [Kind.Size]: 'i',
  [Kind.Ints]: 'I', [Kind.In]: 'r', [Kind.Out]: 'w', [Kind.InOut]: 'w',
};

/**
 * `{ name: index }` of a list of size names, for `measure` functions to write the sizes by name.
 * @internal
 */
export function sizeIndex<const Z extends string>(names: readonly Z[]): { readonly [K in Z]: number } {
  return Object.fromEntries(names.map((n, i) => [n, i])) as { [K in Z]: number };
}

/**
 * A routine's descriptor, for arguments A: `describeRoutine<A>()({...})`. `fields` must list every
 * argument of A (a missing one is a type error naming it), in the order of the routine's C++
 * struct; lengths and size fields name entries of `sizes`.
 * @example export const d = describeRoutine<AdamStepArgs>()({ name: 'adamStep', sizes: ['n'], fields: [['n', 'size'], ['param', 'inout', 'n'], ...], ... });
 * @internal
 */
export function describeRoutine<A>() {
  return <const Z extends string, const F extends readonly FieldSpec<A, Z>[]>(spec: {
    name: string;
    sizes: readonly Z[];
    fields: F & ([Exclude<keyof A, Listed<F>>] extends [never] ? unknown : { missing: Exclude<keyof A, Listed<F>> });
    measure: (a: A, s: Float64Array) => boolean;
    float64: boolean;
    check?: (a: A, s: Float64Array) => boolean;
    scratch?: (s: Float64Array) => number;
    chunk?: Z;
  }): RoutineDescriptor<A> => {
    const at = (z: string): number => {
      const i = spec.sizes.indexOf(z as Z);
      if (i < 0) throw new Error(`${spec.name}: no size '${z}'`);
      return i;
    };
    const fields = (spec.fields as readonly FieldSpec<A, Z>[]).map((f): Field => {
      let kind = KINDS[f[1].replace('?', '')]!;
      // An int argument that is also a size (RnnGeometry's T, B, ...) is read from the sizes.
      if (kind === Kind.Int && spec.sizes.includes(f[0] as Z)) kind = Kind.Size;
      const extra = f[2];
      const [lenA, lenB] = typeof extra === 'string' ? extra.split('*').map(at) : kind === Kind.Size ? [at(f[0])] : [];
      return {
        name: f[0],
        kind,
        optional: f[1].endsWith('?'),
        lenA: lenA ?? -1,
        lenB: lenB ?? -1,
        values: Array.isArray(extra) ? extra : null,
      };
    });
    return {
      name: spec.name,
      fields,
      signature: fields.map((f) => LETTERS[f.kind]).join(''),
      sizes: spec.sizes,
      measure: spec.measure,
      float64: spec.float64,
      check: spec.check ?? null,
      scratch: spec.scratch ?? null,
      chunk: spec.chunk === undefined ? -1 : at(spec.chunk),
    };
  };
}

/**
 * The routines a compiled module reports (`"name:letters;..."`, native/routines.h) as name -> id,
 * after checking that each descriptor's signature is the module's; throws naming the first routine
 * whose struct differs from its descriptor (the module was built from other sources).
 * @internal
 */
export function routineIds(
  table: string,
  descriptors: readonly { readonly name: string; readonly signature: string }[],
  rebuild: string,
): Map<string, number> {
  const ids = new Map<string, number>();
  const sigs = new Map<string, string>();
  table.split(';').filter(Boolean).forEach((entry, id) => {
    const [name, sig] = entry.split(':') as [string, string];
    ids.set(name, id);
    sigs.set(name, sig);
  });
  for (const d of descriptors) {
    const sig = sigs.get(d.name);
    if (sig !== d.signature) {
      throw new Error(
        `its routine ${d.name} has fields '${sig ?? '(none)'}', the descriptor '${d.signature}' (rebuild with ${rebuild})`,
      );
    }
  }
  return ids;
}

/**
 * One compiled backend's calls of one routine: reads the arguments into reusable buffers (no
 * allocation per call) after checking what the C++ kernel trusts.
 * - `sizes`: the call's sizes (`measure`), `lens[i]`: field i's length when an array;
 * - `nums[i]`: field i's value when it is a number (counts, flags as 0/1, enums as indices);
 * - `args[3 + i]`: field i's array (null when absent); `args` is the native addon's argument list
 *   `run(id, f64, nums, ...arrays)` (the caller sets args[0] and args[1]).
 * @internal
 */
export class RoutineCall<A> {
  readonly sizes: Float64Array;
  readonly lens: Float64Array;
  readonly nums: Float64Array;
  readonly args: unknown[];

  constructor(readonly d: RoutineDescriptor<A>) {
    this.sizes = new Float64Array(d.sizes.length);
    this.lens = new Float64Array(d.fields.length);
    this.nums = new Float64Array(d.fields.length);
    this.args = new Array<unknown>(3 + d.fields.length).fill(null);
    this.args[2] = this.nums;
  }

  /**
   * Reads `a` for a compiled call: 0 (float32) or 1 (float64), or -1 when the kernel cannot take
   * it (sizes that are not 32-bit counts, arrays of another type or too short, a missing required
   * array, a value outside its enum). The element type is that of the first float array.
   */
  prepare(a: A): number {
    const { d, sizes: s, lens, nums, args } = this;
    if (!d.measure(a, s)) return -1;
    const v = a as unknown as Record<string, unknown>;
    const fields = d.fields;
    let ctor: unknown = null;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const k = f.kind;
      if (k === SIZE) {
        nums[i] = s[f.lenA]!;
        continue;
      }
      const x = v[f.name];
      if (k < INTS) {
        if (k === ENUM) {
          const j = f.values!.indexOf(x as string);
          if (j < 0) return -1;
          nums[i] = j;
        } else {
          nums[i] = k === FLAG ? (x ? 1 : 0) : (x as number);
        }
        continue;
      }
      const len = f.lenB < 0 ? s[f.lenA]! : s[f.lenA]! * s[f.lenB]!;
      lens[i] = len;
      if (x === null || x === undefined) {
        if (!f.optional) return -1;
        args[3 + i] = null;
        continue;
      }
      const arr = x as TypedArray;
      if (k === INTS) {
        if (!(arr instanceof Int32Array)) return -1;
      } else if (ctor === null) {
        if (!(arr instanceof Float32Array || (d.float64 && arr instanceof Float64Array))) return -1;
        ctor = arr.constructor;
      } else if (arr.constructor !== ctor) {
        return -1;
      }
      if (arr.length < len) return -1;
      args[3 + i] = arr;
    }
    if (d.check !== null && !d.check(a, s)) return -1;
    return ctor === Float64Array ? 1 : 0;
  }

  /** Drops the references to the last call's arrays. */
  release(): void {
    const args = this.args;
    for (let i = 3; i < args.length; i++) args[i] = null;
  }
}

// (Kind's values as plain constants for the per-call loop.)
const FLAG = Kind.Flag;
const ENUM = Kind.Enum;
const SIZE = Kind.Size;
const INTS = Kind.Ints;

