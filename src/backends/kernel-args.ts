/**
 * Argument checks shared by the compiled backends (native, wasm): what their C++ kernels trust and
 * the TypeScript wrappers therefore verify before a call (element types, views inside their
 * arrays, recurrent geometries, array lengths). Anything that fails goes to the js kernel, which
 * also raises the errors for bad arguments.
 * @internal
 * @module
 */
import type { RnnGeometry, View } from './backend.js';
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

const dim = (v: number): boolean => Number.isInteger(v) && v >= 0 && v < 2 ** 31;

/**
 * Rows N of a recurrent geometry (T*B, or the sum of the packed batch sizes), or -1 when a size
 * is not a 32-bit count or the batch sizes are not an Int32Array of T values in [0, B]. @internal
 */
export function rnnRows(g: RnnGeometry, P: number): number {
  const { T, B, I, H } = g;
  if (!dim(T) || !dim(B) || !dim(I) || !dim(H) || !dim(P)) return -1;
  let N = T * B;
  const bs = g.batchSizes;
  if (bs) {
    if (!(bs instanceof Int32Array) || bs.length < T) return -1;
    N = 0;
    for (let t = 0; t < T; t++) {
      if (bs[t]! < 0 || bs[t]! > B) return -1;
      N += bs[t]!;
    }
  }
  return N < 2 ** 31 ? N : -1;
}

/** An absent array, or one of x's type with at least `len` elements (allocation-free). @internal */
export function fit(x: FloatArray, arr: FloatArray | null | undefined, len: number): boolean {
  return arr === null || arr === undefined || (arr.constructor === x.constructor && arr.length >= len);
}
