/**
 * Data types, their storage arrays, PyTorch's type promotion, and the conversions of the reduced
 * floating types.
 *
 * Storage: float32 `Float32Array`, float64 `Float64Array`, int32 `Int32Array`, int16
 * `Int16Array`, int8 `Int8Array`, uint8 `ByteArray` (a `Uint8Array` of its own class, so that
 * kernels tell it from bool's plain `Uint8Array`), bool `Uint8Array` (0/1). float16 and bfloat16
 * are storage dtypes: their elements are bit patterns in a `Float16Bits` / `BFloat16Bits` (both
 * `Uint16Array`s), converted to and from float32 with round-to-nearest-even; the js kernels compute
 * on them in float32 and round each result back, as PyTorch's CPU kernels do.
 *
 * Integer stores wrap around as PyTorch's CPU does (int8 127 + 1 is -128, uint8 0 - 1 is 255):
 * a typed array's store reduces modulo 2^bits.
 *
 * Deviation: `int64` is stored in a `Float64Array`, so integers are exact up to 2^53. This keeps
 * indices and lengths plain JavaScript numbers, which is what the public API promises.
 */

import { RuntimeError } from '../errors.js';

/** The dtypes torchlet supports. `'float32'` is the default floating type. */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * The storage array of a float16 tensor: IEEE half-precision bit patterns. Read the values with
 * `Tensor.dataSync()` / `tolist()`, which convert them.
 * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.dtype
 * @example torch.tensor([1.5], { dtype: 'float16' }).storage.data // Float16Bits [15872]
 */
export class Float16Bits extends Uint16Array {}

/**
 * The storage array of a bfloat16 tensor: the upper 16 bits of the float32 patterns.
 * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.dtype
 * @example torch.tensor([1.5], { dtype: 'bfloat16' }).storage.data // BFloat16Bits [16320]
 */
export class BFloat16Bits extends Uint16Array {}

/**
 * The storage array of a uint8 tensor (PyTorch's `ByteTensor`): a `Uint8Array` of its own class,
 * since bool tensors are held in plain `Uint8Array`s.
 * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.dtype
 * @example torch.tensor([255], { dtype: 'uint8' }).storage.data instanceof torch.ByteArray // true
 */
export class ByteArray extends Uint8Array {}

/** A typed array that backs a tensor's storage. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** The floating typed arrays, used by float-only kernels. */
export type FloatArray = Float32Array | Float64Array;

/** Allocates a zero-filled typed array for `dtype`. */
export function allocArray(dtype: DType, numel: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(numel);
    case 'float64':
    case 'int64':
      return new Float64Array(numel);
    case 'float16':
      return new Float16Bits(numel);
    case 'bfloat16':
      return new BFloat16Bits(numel);
    case 'int32':
      return new Int32Array(numel);
    case 'int16':
      return new Int16Array(numel);
    case 'int8':
      return new Int8Array(numel);
    case 'uint8':
      return new ByteArray(numel);
    case 'bool':
      return new Uint8Array(numel);
    default:
      return dtype satisfies never;
  }
}

const ITEMSIZE: Record<DType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

/** Bytes per element in PyTorch (`Tensor.element_size()`): int64 counts 8 though it is float64-backed. */
export function elementSize(dtype: DType): number {
  return ITEMSIZE[dtype];
}

/** True for the floating dtypes: float32, float64, float16 and bfloat16 (PyTorch's `is_floating_point`). */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** True for float16 and bfloat16, whose elements are 16-bit patterns computed on in float32. */
export function isReducedFloat(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/** True for the integer dtypes (int64, int32, int16, int8, uint8; not bool). */
export function isIntegral(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8';
}

/** True for a float16 or bfloat16 storage array (bit patterns, not values). */
export function isReducedFloatArray(a: TypedArray): a is Float16Bits | BFloat16Bits {
  return a instanceof Float16Bits || a instanceof BFloat16Bits;
}

/** True for a bool storage array (a plain `Uint8Array`, not uint8's `ByteArray`). */
export function isBoolArray(a: TypedArray): a is Uint8Array {
  return a instanceof Uint8Array && !(a instanceof ByteArray);
}

/** PyTorch's name for the dtype, as printed: `torch.float32`. */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

const SCALAR_TYPE: Record<DType, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16',
  int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool',
};

/** PyTorch's ScalarType name, as its dtype errors print it: `Float`, `Half`, `Long`, `Char`, `Byte`, `Bool`, ... */
export function scalarTypeName(dtype: DType): string {
  return SCALAR_TYPE[dtype];
}

/** PyTorch's legacy tensor type name, used in autograd error messages: `torch.FloatTensor`. */
export function legacyTypeName(dtype: DType): string {
  return `torch.${SCALAR_TYPE[dtype]}Tensor`;
}

/** The category of a dtype: 0 bool, 1 integer, 2 floating. */
export function dtypeCategory(dtype: DType): number {
  return dtype === 'bool' ? 0 : isFloating(dtype) ? 2 : 1;
}

const INT_BITS: Record<string, number> = { uint8: 8, int8: 8, int16: 16, int32: 32, int64: 64 };
const FLOAT_RANK: Record<string, number> = { float16: 0, bfloat16: 0, float32: 1, float64: 2 };

/**
 * PyTorch's `torch.promote_types`: the smallest dtype both convert to. Floating beats integer
 * beats bool; uint8 with int8 is int16 (a signed type wide enough for both); float16 with bfloat16
 * is float32.
 * See https://pytorch.org/docs/1.13/generated/torch.promote_types.html
 * @example promoteTypes('uint8', 'int8') // 'int16'
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b || b === 'bool') return a;
  if (a === 'bool') return b;
  const fa = isFloating(a);
  const fb = isFloating(b);
  if (fa !== fb) return fa ? a : b;
  if (fa) {
    if (FLOAT_RANK[a] === FLOAT_RANK[b]) return 'float32'; // float16 with bfloat16
    return FLOAT_RANK[a]! > FLOAT_RANK[b]! ? a : b;
  }
  if (a === 'uint8' || b === 'uint8') {
    const other = a === 'uint8' ? b : a;
    return other === 'int8' ? 'int16' : other;
  }
  return INT_BITS[a]! >= INT_BITS[b]! ? a : b;
}

// ---------------------------------------------------------------------------------------------
// float16 / bfloat16 conversions (round to nearest, ties to even; NaN stays NaN, quieted)
// ---------------------------------------------------------------------------------------------

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** A float32 bit pattern as float16 bits, rounded to nearest even (NaN keeps its top payload bits). */
export function float32BitsToFloat16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | (mant !== 0 ? 0x7e00 | (mant >>> 13) : 0x7c00);
  if (exp > 112) {
    // normal in float16 unless the exponent overflows (which rounds to inf below)
    if (exp > 142) return sign | 0x7c00;
    let h = ((exp - 112) << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++; // a carry into the exponent is right, up to inf
    return sign | h;
  }
  // subnormal or zero: the value in units of 2^-24 is (mant | 2^23) / 2^shift
  const shift = 126 - exp;
  if (shift > 24) return sign;
  const m = mant | 0x800000;
  let q = m >>> shift;
  const rem = m - q * 2 ** shift;
  const half = 2 ** (shift - 1);
  if (rem > half || (rem === half && (q & 1) !== 0)) q++;
  return sign | q;
}

/** A float32 bit pattern as bfloat16 bits, rounded to nearest even; NaN is `0x7fc0`, as PyTorch's `c10::BFloat16`. */
export function float32BitsToBFloat16(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** A number as float16 bits: rounded to float32 first, then to float16, as PyTorch converts a double. */
export function toFloat16Bits(v: number): number {
  F32[0] = v;
  return float32BitsToFloat16(U32[0]!);
}

/** A number as bfloat16 bits: rounded to float32 first, then to bfloat16, as PyTorch converts a double. */
export function toBFloat16Bits(v: number): number {
  F32[0] = v;
  return float32BitsToBFloat16(U32[0]!);
}

/** The float32 bit pattern of float16 bits (exact; NaN payloads kept). */
export function float16ToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // subnormal: normalise
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** The value of float16 bits. */
export function float16BitsToNumber(h: number): number {
  U32[0] = float16ToFloat32Bits(h);
  return F32[0]!;
}

/** The value of bfloat16 bits. */
export function bfloat16BitsToNumber(h: number): number {
  U32[0] = (h << 16) >>> 0;
  return F32[0]!;
}

/** `v` rounded to float16 (the value the dtype holds). */
export function roundToFloat16(v: number): number {
  return float16BitsToNumber(toFloat16Bits(v));
}

/** `v` rounded to bfloat16 (the value the dtype holds). */
export function roundToBFloat16(v: number): number {
  return bfloat16BitsToNumber(toBFloat16Bits(v));
}

/**
 * Converts a number to the value the dtype holds: truncation toward zero and wrap-around for the
 * integer types (int64 and int32 truncate only), 0/1 for bool, rounding for float32, float16 and
 * bfloat16.
 */
export function castValue(dtype: DType, v: number): number {
  switch (dtype) {
    case 'bool':
      return v !== 0 ? 1 : 0; // NaN !== 0: true, as C++'s bool(NaN)
    case 'int32':
    case 'int64':
      return Math.trunc(v);
    case 'int16':
      return (Math.trunc(v) << 16) >> 16;
    case 'int8':
      return (Math.trunc(v) << 24) >> 24;
    case 'uint8':
      return Math.trunc(v) & 0xff;
    case 'float16':
      return roundToFloat16(v);
    case 'bfloat16':
      return roundToBFloat16(v);
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    default:
      return dtype satisfies never;
  }
}

/**
 * What a storage array of `dtype` stores for the number `v`: float16/bfloat16 bits, 0/1 for bool,
 * `v` truncated for the integer types (the typed array wraps it), `v` itself for float32/float64.
 */
export function toStored(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float16':
      return toFloat16Bits(v);
    case 'bfloat16':
      return toBFloat16Bits(v);
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'float32':
    case 'float64':
      return v;
    default:
      return Math.trunc(v);
  }
}

/** The number a stored element of `dtype` holds (float16/bfloat16 bits decoded; others as stored). */
export function fromStored(dtype: DType, raw: number): number {
  if (dtype === 'float16') return float16BitsToNumber(raw);
  if (dtype === 'bfloat16') return bfloat16BitsToNumber(raw);
  return raw;
}

/** All dtype names, for validation. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

// ---------------------------------------------------------------------------------------------
// Bulk conversions of float16/bfloat16 storage (kept exact: NaN payloads survive a round trip)
// ---------------------------------------------------------------------------------------------

let HALF_BITS: Uint32Array | null = null;
/** The float32 bit pattern of each of the 65536 float16 patterns (built once, 256 KB). */
function halfBitsTable(): Uint32Array {
  if (HALF_BITS) return HALF_BITS;
  const t = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16ToFloat32Bits(h);
  HALF_BITS = t;
  return t;
}

/**
 * Decodes `n` float16/bfloat16 patterns of `src` from `srcOff` into `dst` (float32) from `dstOff`.
 * Every pattern converts exactly.
 */
export function decodeReducedFloatInto(src: Float16Bits | BFloat16Bits, srcOff: number, dst: Float32Array, dstOff: number, n: number): void {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  if (src instanceof Float16Bits) {
    const t = halfBitsTable();
    for (let i = 0; i < n; i++) bits[dstOff + i] = t[src[srcOff + i]!]!;
  } else {
    for (let i = 0; i < n; i++) bits[dstOff + i] = src[srcOff + i]! << 16;
  }
}

/**
 * Encodes `n` float32 values of `src` from `srcOff` into the float16/bfloat16 array `dst` from
 * `dstOff`, rounding to nearest even.
 */
export function encodeReducedFloatInto(src: Float32Array, srcOff: number, dst: Float16Bits | BFloat16Bits, dstOff: number, n: number): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  if (dst instanceof Float16Bits) for (let i = 0; i < n; i++) dst[dstOff + i] = float32BitsToFloat16(bits[srcOff + i]!);
  else for (let i = 0; i < n; i++) dst[dstOff + i] = float32BitsToBFloat16(bits[srcOff + i]!);
}

/** The values of a whole float16/bfloat16 array, as a new `Float32Array`. */
export function decodeReducedFloat(src: Float16Bits | BFloat16Bits): Float32Array {
  const out = new Float32Array(src.length);
  decodeReducedFloatInto(src, 0, out, 0, src.length);
  return out;
}

/** The dtypes that random fills draw into with PyTorch's draws. */
const DRAWN_DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool'];

/**
 * Refuses a random fill (`rand`, `uniform_`, `normal_`, dropout masks, ...) of a dtype that
 * PyTorch draws with transformations of its own (float16, bfloat16, int16, int8, uint8), rather
 * than give other numbers than PyTorch for the same seed.
 */
export function refuseRandomFill(dtype: DType): void {
  if (!DRAWN_DTYPES.includes(dtype)) {
    throw new RuntimeError(`random fills of ${dtype} tensors are not supported: draw into a float32 (or int64) tensor and convert it with .to('${dtype}')`);
  }
}

// ---------------------------------------------------------------------------------------------
// Numeric limits
// ---------------------------------------------------------------------------------------------

/** The limits of an integer dtype, as `torch.iinfo` gives them. */
export interface IInfo {
  readonly bits: number;
  readonly min: number;
  readonly max: number;
  readonly dtype: DType;
}

/**
 * The limits of an integer dtype (uint8, int8, int16, int32, int64), like `torch.iinfo`.
 * Deviation: int64's `min`/`max` are the nearest doubles, -2^63 and 2^63 (PyTorch: 2^63 - 1).
 * See https://pytorch.org/docs/1.13/type_info.html#torch.torch.iinfo
 * @example torch.iinfo('int8') // { bits: 8, min: -128, max: 127, dtype: 'int8' }
 */
export function iinfo(dtype: DType): IInfo {
  if (dtype === 'bool') throw new TypeError('torch.bool is not supported by torch.iinfo');
  if (!isIntegral(dtype)) throw new TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'");
  const bits = ITEMSIZE[dtype] * 8;
  const min = dtype === 'uint8' ? 0 : -(2 ** (bits - 1));
  const max = dtype === 'uint8' ? 255 : dtype === 'int64' ? 2 ** 63 : 2 ** (bits - 1) - 1;
  return Object.freeze({ bits, min, max, dtype });
}

/** The limits of a floating dtype, as `torch.finfo` gives them. */
export interface FInfo {
  readonly bits: number;
  /** The difference between 1 and the next representable number. */
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  /** The smallest positive normal number (same as `smallestNormal`). */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** 10 ** -(the decimal digits the type resolves). */
  readonly resolution: number;
  readonly dtype: DType;
}

const FLOAT_FORMAT: Record<string, [bits: number, mantissa: number, maxExp: number, resolution: number]> = {
  float16: [16, 10, 15, 1e-3],
  bfloat16: [16, 7, 127, 1e-2],
  float32: [32, 23, 127, 1e-6],
  float64: [64, 52, 1023, 1e-15],
};

/**
 * The limits of a floating dtype (float16, bfloat16, float32, float64; default float32), like
 * `torch.finfo`.
 * See https://pytorch.org/docs/1.13/type_info.html#torch.torch.finfo
 * @example torch.finfo('float16').max // 65504
 */
export function finfo(dtype: DType = 'float32'): FInfo {
  const f = FLOAT_FORMAT[dtype];
  if (f === undefined) throw new TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'");
  const [bits, mant, maxExp, resolution] = f;
  const eps = 2 ** -mant;
  const max = (2 - eps) * 2 ** maxExp;
  const tiny = 2 ** (1 - maxExp);
  return Object.freeze({ bits, eps, max, min: -max, tiny, smallestNormal: tiny, resolution, dtype });
}
