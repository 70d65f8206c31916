/**
 * Data types and their storage arrays.
 *
 * Deviation: `int64` is stored in a `Float64Array`, so integers are exact up to 2^53. This keeps
 * indices and lengths plain JavaScript numbers, which is what the public API promises.
 */

/** The dtypes torchlet supports. `'float32'` is the default floating type. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** A typed array that backs a tensor's storage. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

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
    case 'int32':
      return new Int32Array(numel);
    case 'bool':
      return new Uint8Array(numel);
    default:
      return dtype satisfies never;
  }
}

/** True for float32 and float64. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** True for int64 and int32. */
export function isIntegral(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'int32';
}

/** PyTorch's name for the dtype, as printed: `torch.float32`. */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

const SCALAR_TYPE: Record<DType, string> = { float32: 'Float', float64: 'Double', int64: 'Long', int32: 'Int', bool: 'Bool' };

/** PyTorch's ScalarType name, as its dtype errors print it: `Float`, `Double`, `Long`, `Int`, `Bool`. */
export function scalarTypeName(dtype: DType): string {
  return SCALAR_TYPE[dtype];
}

/** PyTorch's legacy tensor type name, used in autograd error messages: `torch.FloatTensor`. */
export function legacyTypeName(dtype: DType): string {
  return `torch.${SCALAR_TYPE[dtype]}Tensor`;
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, int64: 1, float32: 2, float64: 2 };
const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/** The category of a dtype: 0 bool, 1 integer, 2 floating. */
export function dtypeCategory(dtype: DType): number {
  return CATEGORY[dtype];
}

/** The larger of two dtypes in PyTorch's promotion lattice. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Converts a stored value to what the dtype holds (truncation toward zero for integers, 0/1 for bool). */
export function castValue(dtype: DType, v: number): number {
  switch (dtype) {
    case 'bool':
      return v !== 0 && !Number.isNaN(v) ? 1 : v !== v ? 1 : 0;
    case 'int32':
    case 'int64':
      return Math.trunc(v);
    default:
      return v;
  }
}

/** All dtype names, for validation. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool'];
