/**
 * float16 and bfloat16 in the js kernels: their storage holds bit patterns, so a kernel that does
 * arithmetic on them runs on float32 copies and rounds each result back once, as PyTorch's CPU
 * kernels do (they load float16/bfloat16, compute in float32 and round the result per op).
 *
 * Legend: a view is "reduced" when its array is a `Float16Bits` or `BFloat16Bits`. `widen` gives
 * a float32 view of the same elements (the view's data span decoded); `viaFloat32` runs a kernel
 * on widened inputs and a float32 image of the output, then stores the output back.
 */
import type { View } from '../../backend.js';
import { RuntimeError } from '../../../errors.js';
import { span } from '../../kernel-args.js';
import {
  type BFloat16Bits,
  type Float16Bits,
  type TypedArray,
  BFloat16Bits as BFloat16BitsClass,
  decodeReducedFloatInto,
  float32BitsToBFloat16,
  float32BitsToFloat16,
  isReducedFloatArray,
  toBFloat16Bits,
  toFloat16Bits,
} from '../../../tensor/dtype.js';

export { isReducedFloatArray };

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** True when any of the views holds float16/bfloat16 bit patterns. */
export function anyReduced(views: readonly View[]): boolean {
  for (const v of views) if (isReducedFloatArray(v.data)) return true;
  return false;
}

/**
 * The view over float32 values: `v` itself unless it is reduced, else a view with `v`'s shape and
 * strides over a new `Float32Array` holding the decoded span of `v`'s elements.
 */
export function widen(v: View): View {
  const d = v.data;
  if (!isReducedFloatArray(d)) return v;
  if (numelOf(v.shape) === 0) return { data: new Float32Array(0), shape: v.shape, strides: v.strides, offset: 0 };
  const s = span(v);
  if (s === null) throw new RangeError('internal: a float16/bfloat16 view reaches outside its storage');
  const [lo, hi] = s;
  const out = new Float32Array(hi - lo + 1);
  decodeReducedFloatInto(d, lo, out, 0, hi - lo + 1);
  return { data: out, shape: v.shape, strides: v.strides, offset: v.offset - lo };
}

/** The bits a reduced array stores for the float32 pattern `bits`. */
function encoderOf(d: Float16Bits | BFloat16Bits): (bits: number) => number {
  return d instanceof BFloat16BitsClass ? float32BitsToBFloat16 : float32BitsToFloat16;
}

/**
 * Stores the contiguous float32 values `src` (out's shape, row-major) at the positions of the
 * reduced view `out` (any strides), rounding each to nearest even. `nanBits` replaces the pattern
 * of every NaN when given.
 */
export function storeReduced(src: Float32Array, out: View, nanBits?: number): void {
  const od = out.data as Float16Bits | BFloat16Bits;
  const enc = encoderOf(od);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  forEachPosition(out, (o, i) => {
    const b = bits[i]!;
    od[o] = nanBits !== undefined && (b & 0x7fffffff) > 0x7f800000 ? nanBits : enc(b);
  });
}

/** Calls `fn(position, i)` for the view's elements in row-major order (i counts from 0). */
function forEachPosition(v: View, fn: (o: number, i: number) => void): void {
  const n = numelOf(v.shape);
  const nd = v.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let o = v.offset;
  for (let i = 0; i < n; i++) {
    fn(o, i);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      o += v.strides[d]!;
      if (idx[d]! < v.shape[d]!) break;
      o -= v.strides[d]! * v.shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Contiguous row-major strides of a shape. */
export function rowMajor(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = s;
    s *= Math.max(shape[d]!, 1);
  }
  return st;
}

/**
 * A contiguous float32 image of `out` (its current values, for kernels that read or partly write
 * their output) and the function that stores it back into `out`.
 */
export function floatImage(out: View): { view: View; storeBack: () => void } {
  const n = numelOf(out.shape);
  const img = new Float32Array(n);
  const view: View = { data: img, shape: out.shape, strides: rowMajor(out.shape), offset: 0 };
  // the current values, decoded exactly (NaN payloads too), gathered row-major
  const w = widen(out);
  const shift = out.offset - w.offset;
  forEachPosition(out, (o, i) => {
    img[i] = w.data[o - shift]!;
  });
  return { view, storeBack: () => storeReduced(img, out) };
}

/**
 * Runs `kernel` with every reduced input widened to float32 and, when `out` is reduced, on a
 * float32 image of `out` that is rounded back into it afterwards (one rounding per element).
 */
export function viaFloat32(ins: readonly View[], out: View | null, kernel: (ins: View[], out: View | null) => void): void {
  const wide = ins.map(widen);
  if (out === null || !isReducedFloatArray(out.data)) {
    kernel(wide, out);
    return;
  }
  const { view, storeBack } = floatImage(out);
  kernel(wide, view);
  storeBack();
}

/** The stored pattern of the number `v` in the array `a` (float16/bfloat16 bits; `v` for others). */
export function storedValueFor(a: TypedArray, v: number): number {
  if (!isReducedFloatArray(a)) return v;
  return a instanceof BFloat16BitsClass ? toBFloat16Bits(v) : toFloat16Bits(v);
}

/**
 * Fused routines that take float16/bfloat16 arrays: they select, move or add once per output
 * element, so running them on float32 copies and rounding back what they wrote gives PyTorch's
 * result. Every other routine refuses those arrays (see `guardReducedFloat`).
 */
const WIDENED_ROUTINES = new Set<string>([
  'tileRows', 'sortAlong', 'topkAlong', 'kthvalueAlong', 'medianAlong', 'modeAlong', 'embeddingForward', 'axpy', 'dot', 'vectorNorm',
]);

/** The first float16/bfloat16 array among an argument object's fields, or null. */
function reducedField(args: unknown): Float16Bits | BFloat16Bits | null {
  if (args === null || typeof args !== 'object') return null;
  for (const k in args) {
    const v = (args as Record<string, unknown>)[k];
    if (v instanceof Uint16Array && isReducedFloatArray(v)) return v;
  }
  return null;
}

/** Runs `f(args)` with every float16/bfloat16 field as float32, then rounds back the elements it changed. */
function runWidened(f: (a: unknown) => void, args: Record<string, unknown>): void {
  const wide: Record<string, unknown> = { ...args };
  const changed: [Float16Bits | BFloat16Bits, Float32Array, Uint32Array][] = [];
  for (const [k, v] of Object.entries(args)) {
    if (!ArrayBuffer.isView(v) || !isReducedFloatArray(v as TypedArray)) continue;
    const r = v as Float16Bits | BFloat16Bits;
    const img = new Float32Array(r.length);
    decodeReducedFloatInto(r, 0, img, 0, r.length);
    changed.push([r, img, new Uint32Array(img.buffer.slice(0))]);
    wide[k] = img;
  }
  f(wide);
  for (const [r, img, before] of changed) {
    const enc = encoderOf(r);
    const now = new Uint32Array(img.buffer);
    for (let i = 0; i < r.length; i++) if (now[i] !== before[i]) r[i] = enc(now[i]!);
  }
}

/**
 * The fused routines of `kernels`, each refusing float16/bfloat16 arrays with PyTorch's
 * "not implemented" wording (these storage dtypes are computed on by the element-wise, reduction,
 * matmul, softmax and scan kernels only), except the few of `WIDENED_ROUTINES`, which run on
 * float32 copies.
 */
export function guardReducedFloat<T extends object>(kernels: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(kernels)) {
    const fn = f as (a: unknown) => void;
    out[name] = WIDENED_ROUTINES.has(name)
      ? (a: Record<string, unknown>): void => (reducedField(a) === null ? fn(a) : runWidened(fn, a))
      : (a: unknown): void => {
          const r = reducedField(a);
          if (r !== null) {
            const title = r instanceof BFloat16BitsClass ? 'BFloat16' : 'Half';
            throw new RuntimeError(`"${name}" not implemented for '${title}': float16 and bfloat16 tensors are storage types in torchlet; convert them with .float() first`);
          }
          fn(a);
        };
  }
  return out as T;
}
