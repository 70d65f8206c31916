/**
 * Fused Elman RNN layer kernels of the js backend (one direction of one layer over a sequence),
 * plus the helpers that lstm.ts and gru.ts share: step layout, gemm views, bias sums.
 *
 * Legend of shape letters, used in every name below:
 *   T  steps;  B  batch rows (the largest batch when packed);  I  input size;  H  hidden size;
 *   G  gate rows of the weights (H here, 3H in gru.ts, 4H in lstm.ts);
 *   N  rows of x / y / workspace: T*B time-major, or sum(batchSizes) when packed.
 *   Step t owns rows off[t] .. off[t] + bs[t] - 1, and its row off[t] + b is batch element b.
 * Layouts (contiguous, offset 0): x [N,I], h0 [B,H], wIh [H,I], wHh [H,H], bIh/bHh [H],
 *   y [N,H], hN [B,H].
 *
 * Forward, PyTorch's `h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`, act = tanh or relu:
 *   1. y = (b_ih + b_hh) broadcast over rows, then y += x W_ihᵀ for all T at once (one GEMM);
 *      y is used as the pre-activation buffer, so the forward needs no scratch.
 *   2. per step: y[t] += h W_hhᵀ (one GEMM over the bs[t] live rows), y[t] = act(y[t]),
 *      then the live rows of the state hN take y[t]. hN starts as a copy of h0, so rows that are
 *      not live keep their state: finished sequences keep their last h (forward direction), not
 *      yet started ones keep h0 (reverse direction) — PyTorch's packed semantics.
 *   Cached for backward (ws, [N,2H]): h_{t-1} per row (so dW_hh is one GEMM) and h_t (for act').
 *
 * Backward (BPTT): one reverse loop over the steps writes dpre [N,H] (gradient of the
 * pre-activation), carrying dh [B,H] from step to step through one GEMM dh = dpre[t] W_hh; then
 * one GEMM each for dW_ih += dpreᵀ x, dW_hh += dpreᵀ h_{t-1}, dx += dpre W_ih, and column sums for
 * the biases. All gradient outputs accumulate (+=), like llm.c's matmul_backward.
 */
import type { RnnBackwardArgs, RnnForwardArgs } from '../../backend.js';
import type { FloatArray } from '../../../tensor/dtype.js';
import { gemm } from './gemm.js';

// ---------------------------------------------------------------------------------------------
// Helpers shared by rnn.ts, gru.ts and lstm.ts.
// ---------------------------------------------------------------------------------------------

/** A mutable rank-3 view for gemm: built once per call, its shape[1] and offset move per step. */
export interface MView {
  data: FloatArray;
  shape: number[];
  strides: number[];
  offset: number;
}

/** Row-major matrix [rows, cols] at `offset` as a [1, rows, cols] gemm view. */
export function mat(data: FloatArray, rows: number, cols: number, offset = 0): MView {
  return { data, shape: [1, rows, cols], strides: [0, cols, 1], offset };
}

/** The transpose of a row-major [rows, cols] matrix, as a [1, cols, rows] gemm view (no copy). */
export function matT(data: FloatArray, rows: number, cols: number, offset = 0): MView {
  return { data, shape: [1, cols, rows], strides: [0, 1, cols], offset };
}

/** gemm coefficients: overwrite (beta 0) and accumulate (beta 1). */
export const SET = { alpha: 1, beta: 0 } as const;
export const ACC = { alpha: 1, beta: 1 } as const;

/** Per-step batch sizes `bs` and first rows `off` (both length T), and the row count N. */
export interface StepLayout {
  bs: Int32Array;
  off: Int32Array;
  N: number;
}

/** The step layout of a padded [T,B,*] (batchSizes null) or packed sequence. */
export function stepLayout(T: number, B: number, batchSizes: Int32Array | null | undefined): StepLayout {
  const bs = new Int32Array(T);
  const off = new Int32Array(T);
  let n = 0;
  for (let t = 0; t < T; t++) {
    bs[t] = batchSizes ? batchSizes[t] : B;
    off[t] = n;
    n += bs[t];
  }
  return { bs, off, N: n };
}

/** dst[dOff + k] = src[sOff + k] for k < len: a plain loop, so the time loops create no subarray views. */
export function copyRange(src: FloatArray, sOff: number, dst: FloatArray, dOff: number, len: number): void {
  for (let k = 0; k < len; k++) dst[dOff + k] = src[sOff + k];
}

/** A zero-filled array of `x`'s element type. */
export function zerosLike(x: FloatArray, n: number): FloatArray {
  return x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Fills the N rows of `out` ([N,G] from element `o`) with bIh + bHh (either may be null; columns
 * from `skip` on get bIh only, which GRU uses to keep b_hn out of the input side). Returns false,
 * writing nothing, when both biases are null.
 */
export function fillBias(
  out: FloatArray, N: number, G: number, bIh: FloatArray | null | undefined, bHh: FloatArray | null | undefined,
  skip = G,
): boolean {
  if (!bIh && !bHh) return false;
  const row = zerosLike(out, G);
  for (let j = 0; j < G; j++) row[j] = (bIh ? bIh[j] : 0) + (bHh && j < skip ? bHh[j] : 0);
  for (let n = 0; n < N; n++) out.set(row, n * G);
  return true;
}

/** dst[j] += sum over the N rows of src [N,G] of column j (bias gradients), summed in doubles. */
export function addColumnSums(src: FloatArray, N: number, G: number, dst: FloatArray): void {
  const acc = new Float64Array(G);
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let j = 0; j < G; j++) acc[j] += src[r + j];
  }
  for (let j = 0; j < G; j++) dst[j] += acc[j];
}

/**
 * The GEMMs after a reverse loop, shared by all three kernels (each skipped when its output is
 * null): dwIh [G,I] += dgᵀ x, dwHh [G,R] += dghᵀ hPrev, dx [N,I] += dg wIh. `dg` [N,G] is the
 * gradient of the input-side pre-activations and `dgh` that of the hidden side (the same array
 * except in GRU); hPrev [N,R] starts at element `hPrevOff` of `hPrevData` (a workspace section).
 */
export function weightGrads(
  N: number, G: number, I: number, R: number,
  dg: FloatArray, dgh: FloatArray, x: FloatArray, wIh: FloatArray, hPrevData: FloatArray, hPrevOff: number,
  dx: FloatArray | null | undefined, dwIh: FloatArray | null | undefined, dwHh: FloatArray | null | undefined,
): void {
  if (N === 0) return;
  if (dwIh) gemm(matT(dg, N, G), mat(x, N, I), mat(dwIh, G, I), ACC);
  if (dwHh) gemm(matT(dgh, N, G), mat(hPrevData, N, R, hPrevOff), mat(dwHh, G, R), ACC);
  if (dx) gemm(mat(dg, N, G), mat(wIh, G, I), mat(dx, N, I), ACC);
}

// ---------------------------------------------------------------------------------------------
// Elman RNN.
// ---------------------------------------------------------------------------------------------

/** Forward of one Elman RNN layer direction; see the file comment. */
export function rnnForward(a: RnnForwardArgs): void {
  const { T, B, I, H, reverse, x, h0, wIh, wHh, bIh, bHh, y, hN, ws } = a;
  const relu = a.nonlinearity === 'relu';
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  // workspace sections: hPrev [N,H] at 0, h [N,H] at N*H
  const wsH = N * H;

  // 1. y = b_ih + b_hh, then y += x W_ihᵀ over all N rows at once.
  const hasBias = fillBias(y, N, H, bIh, bHh);
  gemm(mat(x, N, I), matT(wIh, H, I), mat(y, N, H), hasBias ? ACC : SET);

  // The state: hN holds h_{t-1} of every batch row, updated in place step by step.
  hN.set(h0.subarray(0, B * H));
  const hv = mat(hN, B, H); // live rows of the state, [bt,H]
  const wT = matT(wHh, H, H); // W_hhᵀ [H,H]
  const yv = mat(y, B, H); // y rows of step t, [bt,H]

  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const o = off[t];
    if (ws) copyRange(hN, 0, ws, o * H, bt * H); // cache h_{t-1}
    // 2. pre-activation += h_{t-1} W_hhᵀ
    hv.shape[1] = bt;
    yv.shape[1] = bt;
    yv.offset = o * H;
    gemm(hv, wT, yv, ACC);
    // 3. activation in place; the live state rows take the new h
    const base = o * H;
    const len = bt * H;
    if (relu) {
      for (let k = 0; k < len; k++) {
        const v = y[base + k];
        const h = v <= 0 ? 0 : v; // relu; NaN stays NaN, as PyTorch's
        y[base + k] = h;
        hN[k] = h;
      }
    } else {
      for (let k = 0; k < len; k++) {
        const h = Math.tanh(y[base + k]);
        y[base + k] = h;
        hN[k] = h;
      }
    }
    if (ws) copyRange(y, base, ws, wsH + base, len); // cache h_t for act'
  }
}

/** Backward of one Elman RNN layer direction (gradients accumulate); see the file comment. */
export function rnnBackward(a: RnnBackwardArgs): void {
  const { T, B, I, H, reverse, x, wIh, wHh, ws, dy, dhN } = a;
  const relu = a.nonlinearity === 'relu';
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  const wsH = N * H;

  // dh [B,H]: gradient of the state entering the step being undone (starts as dL/dhN).
  const dh = zerosLike(x, B * H);
  if (dhN) dh.set(dhN.subarray(0, B * H));
  const dpre = zerosLike(x, N * H); // gradient of the pre-activations, [N,H]
  const dpv = mat(dpre, B, H);
  const dhv = mat(dh, B, H);
  const wv = mat(wHh, H, H);

  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const base = off[t] * H;
    const len = bt * H;
    for (let k = 0; k < len; k++) {
      // total gradient of h_t: carried from later steps + from this step's output
      const g = dy ? dh[k] + dy[base + k] : dh[k];
      const h = ws[wsH + base + k];
      // tanh' = 1 - h², relu' = [h > 0] (PyTorch's threshold_backward on the result: h <= 0 ? 0 : g,
      // so a NaN h passes g on)
      dpre[base + k] = relu ? (h <= 0 ? 0 : g) : g * (1 - h * h);
    }
    // dh_{t-1} = dpre[t] W_hh for the live rows; the other rows keep their gradient.
    dpv.shape[1] = bt;
    dpv.offset = base;
    dhv.shape[1] = bt;
    gemm(dpv, wv, dhv, SET);
  }

  if (a.dh0) for (let k = 0; k < B * H; k++) a.dh0[k] += dh[k];
  weightGrads(N, H, I, H, dpre, dpre, x, wIh, ws, 0, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dpre, N, H, a.dbIh);
  if (a.dbHh) addColumnSums(dpre, N, H, a.dbHh);
}
