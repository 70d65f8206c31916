/**
 * Internal constructors shared by ops and factories (the public factories are in factories.ts).
 */
import { backend } from '../backends/registry.js';
import { type DType, type TypedArray } from './dtype.js';
import { Storage, Tensor, contiguousStrides, shapeNumel } from './tensor.js';

/** A new contiguous tensor of zeros. */
export function emptyTensor(shape: readonly number[], dtype: DType): Tensor {
  const data = backend().alloc(dtype, shapeNumel(shape));
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}

/** Wraps a contiguous typed array (no copy). */
export function wrapArray(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}

/** A view sharing `src`'s storage with new geometry; `base` links it to the owner for autograd checks. */
export function makeView(src: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const v = new Tensor(src.storage, shape, strides, offset, src.dtype);
  v.base = src.base ?? src;
  return v;
}

/** A 0-d tensor holding one value. */
export function scalarTensor(value: number, dtype: DType): Tensor {
  const t = emptyTensor([], dtype);
  t.storage.data[0] = value;
  return t;
}
