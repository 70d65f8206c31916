/**
 * Argument validation for untyped JavaScript callers, shared by factories, tensor methods, nn
 * modules, functional, losses and optimizers. Each check throws at the call that made the mistake
 * and says what was expected and what was given: `Linear(): unexpected option 'biass' (did you mean
 * 'bias'?); valid options are: bias, dtype` (Python's "got an unexpected keyword argument").
 *
 * This file imports nothing from tensor/, ops/ or nn/ so every layer can use it; tensors are
 * recognised by shape (`dtype` + `shape`) for descriptions only.
 */
import { IndexError, RuntimeError, ValueError } from './errors.js';

/**
 * A short, safe description of any JS value for error messages: `undefined`, `null`, `NaN`,
 * `1.5`, `"abc" (string)`, `3n (bigint)`, `a Tensor of dtype float32 and shape [2, 3]`, `an array`,
 * `an object`, `a function`, `Symbol(x)`. Never throws (symbols, bigints and null-prototype
 * objects are handled).
 * @example describeValue(undefined) // 'undefined'
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Number.isNaN(v) ? 'NaN' : String(v);
    case 'string':
      return `${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)} (string)`;
    case 'boolean':
      return `${v} (boolean)`;
    case 'bigint':
      return `${v.toString()}n (bigint)`;
    case 'symbol':
      return v.toString();
    case 'function': {
      const ctor = callableClassName(v);
      return ctor === null ? 'a function' : `a ${ctor}`;
    }
    default:
      break;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of length ${v.length}`;
  try {
    const o = v as { dtype?: unknown; shape?: unknown };
    if (typeof o.dtype === 'string' && Array.isArray(o.shape)) {
      return `a Tensor of dtype ${o.dtype} and shape [${o.shape.map((d) => (typeof d === 'number' ? d : '?')).join(', ')}]`;
    }
    if (ArrayBuffer.isView(v)) return `a ${Object.getPrototypeOf(v)?.constructor?.name ?? 'typed array'}`;
    const ctor = Object.getPrototypeOf(v)?.constructor?.name as unknown;
    return typeof ctor === 'string' && ctor !== 'Object' ? `a ${ctor}` : 'an object';
  } catch {
    return 'an object'; // a Proxy or a throwing getter: still a message, never a second error
  }
}

/**
 * Python's name for the type of a JS value, for PyTorch's argument errors: `NoneType`, `int`,
 * `float`, `str`, `bool`, `list`, else the constructor's name (`Tensor`, `Object`, ...).
 */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return callableClassName(v) ?? 'function';
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

const FUNCTION_CLASSES = new Set(['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction']);

/** The class of a callable instance (an `nn.Module` is one), or null for a plain function. */
function callableClassName(f: unknown): string | null {
  try {
    const name = Object.getPrototypeOf(f)?.constructor?.name as unknown;
    return typeof name === 'string' && name !== '' && !FUNCTION_CLASSES.has(name) ? name : null;
  } catch {
    return null;
  }
}

/** True for a plain options object (not null, an array, a tensor or a typed array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** snake_case to camelCase, for the hint when a Python keyword is used as an option. */
function camel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Checks an options object: `undefined`/`null` mean `{}`; anything but a plain object is a
 * TypeError; a key not in `allowed` (and not set to `undefined`) is a TypeError naming it, suggesting the closest valid name
 * (or the camelCase spelling of a snake_case key) and listing the valid ones.
 * @example checkOptions('Linear()', { biass: false }, ['bias', 'dtype'])
 * // TypeError: Linear(): unexpected option 'biass' (did you mean 'bias'?); valid options are: bias, dtype
 */
export function checkOptions<T extends object = Record<string, unknown>>(fn: string, opts: unknown, allowed: readonly string[]): T {
  if (opts === undefined || opts === null) return {} as T;
  if (!isPlainObject(opts)) throw new TypeError(`${fn}: expected an options object, got ${describeValue(opts)}`);
  for (const k of Object.keys(opts)) {
    // An option set to `undefined` is an option not given (JS spreads often produce them).
    if (allowed.includes(k) || (opts as Record<string, unknown>)[k] === undefined) continue;
    let hint = '';
    const c = camel(k);
    if (c !== k && allowed.includes(c)) hint = ` (options are camelCase: did you mean '${c}'?)`;
    else {
      let best = '';
      let bestD = Infinity;
      for (const a of allowed) {
        const d = editDistance(k, a);
        if (d < bestD) [best, bestD] = [a, d];
      }
      if (best && bestD <= Math.max(1, Math.floor(best.length / 3))) hint = ` (did you mean '${best}'?)`;
    }
    const valid = allowed.length ? `valid options are: ${allowed.join(', ')}` : 'it takes no options';
    throw new TypeError(`${fn}: unexpected option '${k}'${hint}; ${valid}`);
  }
  return opts as T;
}

/** Bounds for `checkInt` / `checkNumber`; `min`/`max` are inclusive. */
export interface RangeSpec {
  min?: number;
  max?: number;
}

function rangeText(r: RangeSpec): string {
  if (r.min !== undefined && r.max !== undefined) return `in [${r.min}, ${r.max}]`;
  if (r.min !== undefined) return r.min === 0 ? 'non-negative' : r.min === 1 ? 'positive' : `>= ${r.min}`;
  return `<= ${r.max}`;
}

/**
 * Checks an integer argument (booleans, floats, NaN, strings, bigints are rejected) and an optional
 * inclusive range; out of range is a ValueError.
 * @example checkInt('chunk()', 'chunks', 1.5) // TypeError: chunk(): argument 'chunks' must be an integer, got 1.5
 */
export function checkInt(fn: string, name: string, v: unknown, range: RangeSpec = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${fn}: argument '${name}' must be an integer, got ${describeValue(v)}`);
  }
  if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
    throw new ValueError(`${fn}: argument '${name}' must be ${rangeText(range)}, got ${v}`);
  }
  return v;
}

/**
 * Checks a number argument; `finite` rejects NaN and ±Infinity, and the optional range is
 * inclusive (NaN is never in range).
 * @example checkNumber('Dropout()', 'p', 'x', { min: 0, max: 1 })
 */
export function checkNumber(fn: string, name: string, v: unknown, opts: RangeSpec & { finite?: boolean } = {}): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: argument '${name}' must be a number, got ${describeValue(v)}`);
  if (opts.finite && !Number.isFinite(v)) throw new ValueError(`${fn}: argument '${name}' must be a finite number, got ${describeValue(v)}`);
  if ((opts.min !== undefined && !(v >= opts.min)) || (opts.max !== undefined && !(v <= opts.max))) {
    throw new ValueError(`${fn}: argument '${name}' must be ${rangeText(opts)}, got ${describeValue(v)}`);
  }
  return v;
}

/** Checks a boolean argument (no truthy/falsy coercion). */
export function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: argument '${name}' must be a boolean, got ${describeValue(v)}`);
  return v;
}

/** Checks that `v` is one of `values` (strings such as a reduction or a mode). */
export function checkOneOf<T extends string>(fn: string, name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new ValueError(`${fn}: argument '${name}' must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as T;
}

/**
 * Checks a dim against a tensor rank and returns it normalised (negative dims count from the end),
 * with PyTorch's IndexError wording. `ndim` 0 accepts dims 0 and -1 like PyTorch.
 * @example checkDim('softmax()', -1, 2) // 1
 */
export function checkDim(fn: string, dim: unknown, ndim: number, name = 'dim'): number {
  checkInt(fn, name, dim);
  const d = dim as number;
  const n = Math.max(ndim, 1);
  if (d < -n || d >= n) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${d})`);
  }
  return d < 0 ? d + n : d;
}

/**
 * Checks a shape: an array of non-negative integers (sizes of a new tensor). Negative sizes get
 * PyTorch's message.
 * @example checkShape('zeros()', [2, -1]) // RuntimeError: Trying to create tensor with negative dimension -1: [2, -1]
 */
export function checkShape(fn: string, sizes: unknown, name = 'size'): number[] {
  if (!Array.isArray(sizes)) throw new TypeError(`${fn}: argument '${name}' must be an array of integers, got ${describeValue(sizes)}`);
  sizes.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`${fn}: argument '${name}' must be an array of integers, but found ${describeValue(s)} at position ${i}`);
    }
  });
  for (const s of sizes as number[]) {
    if (s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: [${sizes.join(', ')}]`);
  }
  return sizes as number[];
}

const DTYPE_NAMES = ['float32', 'float64', 'int64', 'int32', 'bool'] as const;

/**
 * Checks a dtype name; `floating` restricts it to 'float32' / 'float64' (parameters of modules).
 * @example checkDTypeName('Linear()', 'float16', true) // TypeError
 */
export function checkDTypeName(fn: string, v: unknown, floating = false): (typeof DTYPE_NAMES)[number] {
  const allowed: readonly string[] = floating ? DTYPE_NAMES.slice(0, 2) : DTYPE_NAMES;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new TypeError(`${fn}: argument 'dtype' must be one of ${allowed.map((d) => `'${d}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as (typeof DTYPE_NAMES)[number];
}

/** Checks an optional argument: `undefined` (and `null` when `nullable`) give `def`, anything else goes through `check`. */
export function optional<T>(v: unknown, def: T, check: (v: unknown) => T, nullable = false): T {
  if (v === undefined || (nullable && v === null)) return def;
  return check(v);
}
