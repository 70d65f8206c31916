/**
 * Argument checks shared by the compiled backends (native, wasm): what their C++ kernels trust and
 * the TypeScript wrappers therefore verify before a call (element types, views inside their
 * arrays, recurrent geometries, array lengths). Anything that fails goes to the js kernel, which
 * also raises the errors for bad arguments.
 * @internal
 * @module
 */
import type { GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnGeometry, View } from './backend.js';
import { gruWorkspaceSize, lstmWorkspaceSize, rnnWorkspaceSize } from './backend.js';
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

/** Whether an LSTM forward's arrays (N rows) suit a compiled kernel: float x, all arrays of its type and long enough. @internal */
export function lstmForwardFits(a: LstmForwardArgs, N: number): boolean {
  const { B, I, H, P } = a;
  const G = 4 * H;
  const R = P > 0 ? P : H;
  return isFloat(a.x) && !(P > 0 && !a.wHr) &&
    fit(a.x, a.x, N * I) &&
    fit(a.x, a.h0, B * R) &&
    fit(a.x, a.c0, B * H) &&
    fit(a.x, a.wIh, G * I) &&
    fit(a.x, a.wHh, G * R) &&
    fit(a.x, a.bIh, G) &&
    fit(a.x, a.bHh, G) &&
    fit(a.x, a.wHr, P * H) &&
    fit(a.x, a.y, N * R) &&
    fit(a.x, a.hN, B * R) &&
    fit(a.x, a.cN, B * H) &&
    fit(a.x, a.ws, lstmWorkspaceSize(N, H, P));
}

/** {@link lstmForwardFits} for the backward's arrays. @internal */
export function lstmBackwardFits(a: LstmBackwardArgs, N: number): boolean {
  const { B, I, H, P } = a;
  const G = 4 * H;
  const R = P > 0 ? P : H;
  return isFloat(a.x) && !(P > 0 && !a.wHr) &&
    fit(a.x, a.x, N * I) &&
    fit(a.x, a.c0, B * H) &&
    fit(a.x, a.wIh, G * I) &&
    fit(a.x, a.wHh, G * R) &&
    fit(a.x, a.wHr, P * H) &&
    fit(a.x, a.ws, lstmWorkspaceSize(N, H, P)) &&
    fit(a.x, a.dy, N * R) &&
    fit(a.x, a.dhN, B * R) &&
    fit(a.x, a.dcN, B * H) &&
    fit(a.x, a.dx, N * I) &&
    fit(a.x, a.dh0, B * R) &&
    fit(a.x, a.dc0, B * H) &&
    fit(a.x, a.dwIh, G * I) &&
    fit(a.x, a.dwHh, G * R) &&
    fit(a.x, a.dbIh, G) &&
    fit(a.x, a.dbHh, G) &&
    fit(a.x, a.dwHr, P * H);
}

/** {@link lstmForwardFits} for a GRU ('gru', 3 gates) or Elman RNN ('rnn') forward. @internal */
export function gruLikeForwardFits(kind: 'gru' | 'rnn', a: GruForwardArgs, N: number): boolean {
  const { B, I, H } = a;
  const G = (kind === 'gru' ? 3 : 1) * H;
  return isFloat(a.x) &&
    fit(a.x, a.x, N * I) &&
    fit(a.x, a.h0, B * H) &&
    fit(a.x, a.wIh, G * I) &&
    fit(a.x, a.wHh, G * H) &&
    fit(a.x, a.bIh, G) &&
    fit(a.x, a.bHh, G) &&
    fit(a.x, a.y, N * H) &&
    fit(a.x, a.hN, B * H) &&
    fit(a.x, a.ws, kind === 'gru' ? gruWorkspaceSize(N, H) : rnnWorkspaceSize(N, H));
}

/** {@link gruLikeForwardFits} for the backward's arrays. @internal */
export function gruLikeBackwardFits(kind: 'gru' | 'rnn', a: GruBackwardArgs, N: number): boolean {
  const { B, I, H } = a;
  const G = (kind === 'gru' ? 3 : 1) * H;
  return isFloat(a.x) &&
    fit(a.x, a.x, N * I) &&
    fit(a.x, a.wIh, G * I) &&
    fit(a.x, a.wHh, G * H) &&
    fit(a.x, a.ws, kind === 'gru' ? gruWorkspaceSize(N, H) : rnnWorkspaceSize(N, H)) &&
    fit(a.x, a.dy, N * H) &&
    fit(a.x, a.dhN, B * H) &&
    fit(a.x, a.dx, N * I) &&
    fit(a.x, a.dh0, B * H) &&
    fit(a.x, a.dwIh, G * I) &&
    fit(a.x, a.dwHh, G * H) &&
    fit(a.x, a.dbIh, G) &&
    fit(a.x, a.dbHh, G);
}
