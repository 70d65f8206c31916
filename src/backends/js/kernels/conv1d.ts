/**
 * 1-D convolution and pooling kernels of the js backend.
 *
 * Legend of shape letters, used in every name below:
 *   N  batch;  C  input channels;  L  input length;  O  output channels;  K  kernel taps;
 *   G  groups, Cg = C/G input and Og = O/G output channels per group;  Lo  output length;
 *   S  stride;  P  left zero padding;  D  dilation.  R = N*C rows of a pooling problem.
 * Layouts (contiguous, offset 0): x [N,C,L], w [O,Cg,K], b [O], y [N,O,Lo].
 * Output position l, tap k reads input position l*S + k*D - P; positions outside [0, L) are zero
 * (conv) or skipped (pools). The right padding is implied by Lo, which is how the op expresses
 * PyTorch's asymmetric padding='same' (one more zero on the right for even effective kernels).
 *
 * Two conv strategies, checked against each other in test/nn/conv.test.ts:
 *   - direct loops (`conv1dForwardDirect`, `conv1dBackwardDirect`): the readable reference. Each
 *     (output row, input channel, tap) is one axpy over the valid output positions, accumulated in
 *     a float64 row, so the inner loop has no bounds checks and walks memory with stride S.
 *   - im2col + gemm (`conv1dForwardGemm`, `conv1dBackwardGemm`): per (n, g) the input window
 *     matrix col [Cg*K, Lo] is built once, then y[n,g] = w[g] @ col, dw[g] += dy[n,g] @ colᵀ and
 *     dcol = w[g]ᵀ @ dy[n,g] (scattered back by col2im) run in the blocked gemm kernel.
 *   `conv1dForward` / `conv1dBackward` pick gemm when the per-group product is big enough to
 *   amortise the packing (measured: see `useGemm`), direct loops otherwise.
 *
 * Accumulation: all sums run in JS doubles and are stored once (dw over the batch is summed in a
 * float64 scratch in the direct path; the gemm path accumulates dw across n in the output array).
 */
import type { Conv1dBackwardArgs, Conv1dForwardArgs, Conv1dGeometry, Pool1dBackwardArgs, Pool1dForwardArgs, View } from '../../backend.js';
import type { FloatArray } from '../../../tensor/dtype.js';
import { gemm } from './gemm.js';

/**
 * When im2col + gemm beats the direct loops: at least GEMM_MIN_OG output channels per group (the
 * gemm's M; with fewer, as in depthwise convs, its skinny path loses to the axpy loops) and at
 * least GEMM_MIN_WORK multiply-adds per (n, g) product (Og * Cg*K * Lo). Measured on Node 20, one
 * thread, float32: 8x[64->64, K=3, L=256] is 3.6x faster forward and 4.7x backward with gemm;
 * depthwise 8x[64->64, groups=64, L=256] is 3.7x slower with gemm; [8->8, L=16] is even.
 */
const GEMM_MIN_OG = 8;
const GEMM_MIN_WORK = 4096;

function useGemm(a: Conv1dGeometry): boolean {
  const Og = a.O / a.groups;
  return Og >= GEMM_MIN_OG && Og * (a.C / a.groups) * a.K * a.Lo >= GEMM_MIN_WORK;
}

/** Scratch buffers, grown on demand and shared by all calls (one per element type). */
let col32 = new Float32Array(0);
let col64 = new Float64Array(0);
let dcol32 = new Float32Array(0);
let dcol64 = new Float64Array(0);
let acc = new Float64Array(0);

function scratchLike(x: FloatArray, n: number, which: 'col' | 'dcol'): FloatArray {
  if (x instanceof Float32Array) {
    if (which === 'col') return col32.length >= n ? col32 : (col32 = new Float32Array(n));
    return dcol32.length >= n ? dcol32 : (dcol32 = new Float32Array(n));
  }
  if (which === 'col') return col64.length >= n ? col64 : (col64 = new Float64Array(n));
  return dcol64.length >= n ? dcol64 : (dcol64 = new Float64Array(n));
}

function accScratch(n: number): Float64Array {
  if (acc.length < n) acc = new Float64Array(n);
  return acc;
}

/** First output position whose tap at input offset `off` (= k*D - P) lands at or after 0. */
function firstValid(off: number, S: number): number {
  return off >= 0 ? 0 : Math.ceil(-off / S);
}

/** One past the last output position (capped at Lo) whose tap at offset `off` lands before L. */
function endValid(off: number, S: number, L: number, Lo: number): number {
  const e = L - off <= 0 ? 0 : Math.ceil((L - off) / S);
  return e < Lo ? e : Lo;
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------

/** y = conv1d(x, w) + b. */
export function conv1dForward(a: Conv1dForwardArgs): void {
  if (useGemm(a)) conv1dForwardGemm(a);
  else conv1dForwardDirect(a);
}

/** gx, gw, gb (each optional) from gy; gx/gw/gb are overwritten. */
export function conv1dBackward(a: Conv1dBackwardArgs): void {
  if (useGemm(a)) conv1dBackwardGemm(a);
  else conv1dBackwardDirect(a);
}

// ---------------------------------------------------------------------------------------------
// Direct loops (reference)
// ---------------------------------------------------------------------------------------------

/** Reference forward: per output row, one axpy per (input channel, tap) into a float64 row. */
export function conv1dForwardDirect(a: Conv1dForwardArgs): void {
  const { x, w, b, y, N, C, L, O, K, Lo, stride: S, padding: P, dilation: D, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  const row = accScratch(Lo);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = (o / Og) | 0;
      row.fill(b ? b[o] : 0, 0, Lo);
      for (let c = 0; c < Cg; c++) {
        const xc = (n * C + g * Cg + c) * L;
        const wc = (o * Cg + c) * K;
        for (let k = 0; k < K; k++) {
          const wv = w[wc + k];
          const off = k * D - P;
          const lo = firstValid(off, S);
          const hi = endValid(off, S, L, Lo);
          let xi = xc + off + lo * S;
          for (let l = lo; l < hi; l++, xi += S) row[l] += wv * x[xi];
        }
      }
      const yo = (n * O + o) * Lo;
      for (let l = 0; l < Lo; l++) y[yo + l] = row[l];
    }
  }
}

/** Reference backward: gx by scattering axpys, gw by dot products, gb by row sums. */
export function conv1dBackwardDirect(a: Conv1dBackwardArgs): void {
  const { x, w, gy, gx, gw, gb, N, C, L, O, K, Lo, stride: S, padding: P, dilation: D, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  // Float64 scratch: [C*L] for one sample's gx, then [O*Cg*K] for gw summed over the batch.
  const nx = gx ? C * L : 0;
  const s = accScratch(nx + (gw ? O * Cg * K : 0));
  const gws = nx;
  if (gw) s.fill(0, gws, gws + O * Cg * K);
  if (gb) {
    for (let o = 0; o < O; o++) {
      let t = 0;
      for (let n = 0; n < N; n++) {
        const yo = (n * O + o) * Lo;
        for (let l = 0; l < Lo; l++) t += gy[yo + l];
      }
      gb[o] = t;
    }
  }
  for (let n = 0; n < N; n++) {
    if (gx) s.fill(0, 0, nx);
    for (let o = 0; o < O; o++) {
      const g = (o / Og) | 0;
      const yo = (n * O + o) * Lo;
      for (let c = 0; c < Cg; c++) {
        const xc = (n * C + g * Cg + c) * L;
        const sc = (g * Cg + c) * L; // this channel's row in the gx scratch
        const wc = (o * Cg + c) * K;
        for (let k = 0; k < K; k++) {
          const off = k * D - P;
          const lo = firstValid(off, S);
          const hi = endValid(off, S, L, Lo);
          if (gx) {
            const wv = w[wc + k];
            let xi = sc + off + lo * S;
            for (let l = lo; l < hi; l++, xi += S) s[xi] += wv * gy[yo + l];
          }
          if (gw) {
            let t = 0;
            let xi = xc + off + lo * S;
            for (let l = lo; l < hi; l++, xi += S) t += gy[yo + l] * x[xi];
            s[gws + wc + k] += t;
          }
        }
      }
    }
    if (gx) {
      const xo = n * C * L;
      for (let i = 0; i < nx; i++) gx[xo + i] = s[i];
    }
  }
  if (gw) for (let i = 0, e = O * Cg * K; i < e; i++) gw[i] = s[gws + i];
}

// ---------------------------------------------------------------------------------------------
// im2col + gemm
// ---------------------------------------------------------------------------------------------

/** col[(c*K + k)*Lo + l] = x[n, g*Cg + c, l*S + k*D - P] (0 outside the input). */
function im2col(a: Conv1dForwardArgs | Conv1dBackwardArgs, n: number, g: number, col: FloatArray): void {
  const { x, C, L, K, Lo, stride: S, padding: P, dilation: D, groups: G } = a;
  const Cg = C / G;
  for (let c = 0; c < Cg; c++) {
    const xc = (n * C + g * Cg + c) * L;
    for (let k = 0; k < K; k++) {
      const r = (c * K + k) * Lo;
      const off = k * D - P;
      const lo = firstValid(off, S);
      const hi = endValid(off, S, L, Lo);
      let l = 0;
      for (; l < lo; l++) col[r + l] = 0;
      let xi = xc + off + lo * S;
      for (; l < hi; l++, xi += S) col[r + l] = x[xi];
      for (; l < Lo; l++) col[r + l] = 0;
    }
  }
}

/** gx[n, g*Cg + c, l*S + k*D - P] += dcol[(c*K + k)*Lo + l] (the adjoint of im2col). */
function col2im(a: Conv1dBackwardArgs, n: number, g: number, dcol: FloatArray, gx: FloatArray): void {
  const { C, L, K, Lo, stride: S, padding: P, dilation: D, groups: G } = a;
  const Cg = C / G;
  for (let c = 0; c < Cg; c++) {
    const xc = (n * C + g * Cg + c) * L;
    for (let k = 0; k < K; k++) {
      const r = (c * K + k) * Lo;
      const off = k * D - P;
      const lo = firstValid(off, S);
      const hi = endValid(off, S, L, Lo);
      let xi = xc + off + lo * S;
      for (let l = lo; l < hi; l++, xi += S) gx[xi] += dcol[r + l];
    }
  }
}

/** True when col would equal x[n, g] itself (pointwise conv), so im2col can be skipped. */
function isPointwise(a: Conv1dForwardArgs | Conv1dBackwardArgs): boolean {
  return a.K === 1 && a.stride === 1 && a.padding === 0 && a.Lo === a.L;
}

function view(data: FloatArray, shape: [number, number, number], strides: [number, number, number], offset: number): View {
  return { data, shape, strides, offset };
}

const ONE = { alpha: 1, beta: 1 };
const SET = { alpha: 1, beta: 0 };

/** Forward through im2col + gemm: y[n, g] = w[g] [Og, Cg*K] @ col [Cg*K, Lo] (+ b). */
export function conv1dForwardGemm(a: Conv1dForwardArgs): void {
  const { x, w, b, y, N, C, O, K, L, Lo, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  const CK = Cg * K;
  const pointwise = isPointwise(a);
  const col = pointwise ? x : scratchLike(x, CK * Lo, 'col');
  for (let n = 0; n < N; n++) {
    if (b) {
      for (let o = 0; o < O; o++) y.fill(b[o], (n * O + o) * Lo, (n * O + o + 1) * Lo);
    }
    for (let g = 0; g < G; g++) {
      if (!pointwise) im2col(a, n, g, col);
      const co = pointwise ? (n * C + g * Cg) * L : 0;
      gemm(
        view(w, [1, Og, CK], [0, CK, 1], g * Og * CK),
        view(col, [1, CK, Lo], [0, Lo, 1], co),
        view(y, [1, Og, Lo], [0, Lo, 1], (n * O + g * Og) * Lo),
        b ? ONE : SET,
      );
    }
  }
}

/** Backward through im2col + gemm: gw[g] += gy[n,g] @ colᵀ, dcol = w[g]ᵀ @ gy[n,g], col2im. */
export function conv1dBackwardGemm(a: Conv1dBackwardArgs): void {
  const { x, w, gy, gx, gw, gb, N, C, O, K, L, Lo, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  const CK = Cg * K;
  const pointwise = isPointwise(a);
  if (gb) {
    for (let o = 0; o < O; o++) {
      let t = 0;
      for (let n = 0; n < N; n++) {
        const yo = (n * O + o) * Lo;
        for (let l = 0; l < Lo; l++) t += gy[yo + l];
      }
      gb[o] = t;
    }
  }
  if (gx) gx.fill(0);
  const col = gw && !pointwise ? scratchLike(x, CK * Lo, 'col') : x;
  // Pointwise: dcol is gx[n, g] itself (gemm writes it directly).
  const dcol = gx && !pointwise ? scratchLike(x, CK * Lo, 'dcol') : gx;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const gyv = view(gy, [1, Og, Lo], [0, Lo, 1], (n * O + g * Og) * Lo);
      if (gw) {
        if (!pointwise) im2col(a, n, g, col);
        const co = pointwise ? (n * C + g * Cg) * L : 0;
        // gw[g] [Og, CK] (+)= gy[n, g] [Og, Lo] @ colᵀ [Lo, CK]
        gemm(gyv, view(col, [1, Lo, CK], [0, 1, Lo], co), view(gw, [1, Og, CK], [0, CK, 1], g * Og * CK), n === 0 ? SET : ONE);
      }
      if (gx && dcol) {
        const co = pointwise ? (n * C + g * Cg) * L : 0;
        // dcol [CK, Lo] = w[g]ᵀ [CK, Og] @ gy[n, g] [Og, Lo]
        gemm(view(w, [1, CK, Og], [0, 1, CK], g * Og * CK), gyv, view(dcol, [1, CK, Lo], [0, Lo, 1], co), SET);
        if (!pointwise) col2im(a, n, g, dcol, gx);
      }
    }
  }
  if (gw && N === 0) gw.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Pooling. Windows are those of PyTorch's CPU kernels (max_pool2d / avg_pool2d over [R, 1, L]).
// ---------------------------------------------------------------------------------------------

/**
 * Max: y[r, o] = max over taps t < K of x[r, o*S - P + t*D] (taps outside [0, L) skipped), and
 * indices[r, o] = the position of the first maximum; a NaN always replaces the running maximum,
 * so the last NaN of a window wins (PyTorch's `(val > maxval) || isnan(val)`).
 * Avg: the window is [o*S - P, o*S - P + K) clipped to [-P, L + P) for the count_include_pad
 * divisor and to [0, L) for the sum and the other divisor; an empty window gives 0.
 */
export function pool1dForward(a: Pool1dForwardArgs): void {
  const { x, y, R, L, Lo, kernelSize: K, stride: S, padding: P } = a;
  if (a.mode === 'max') {
    const D = a.dilation;
    const ind = a.indices!;
    for (let r = 0; r < R; r++) {
      const xr = r * L;
      const yr = r * Lo;
      for (let o = 0; o < Lo; o++) {
        let start = o * S - P;
        const end = Math.min(start + (K - 1) * D + 1, L);
        while (start < 0) start += D;
        let m = -Infinity;
        let mi = start;
        for (let i = start; i < end; i += D) {
          const v = x[xr + i];
          if (v > m || v !== v) {
            m = v;
            mi = i;
          }
        }
        y[yr + o] = m;
        ind[yr + o] = mi;
      }
    }
    return;
  }
  const inclPad = a.countIncludePad;
  for (let r = 0; r < R; r++) {
    const xr = r * L;
    const yr = r * Lo;
    for (let o = 0; o < Lo; o++) {
      let start = o * S - P;
      let end = Math.min(start + K, L + P);
      const poolSize = end - start;
      if (start < 0) start = 0;
      if (end > L) end = L;
      if (start >= end) {
        y[yr + o] = 0;
        continue;
      }
      let t = 0;
      for (let i = start; i < end; i++) t += x[xr + i];
      y[yr + o] = t / (inclPad ? poolSize : end - start);
    }
  }
}

/** gx (overwritten) from gy: max scatters to the saved argmax (accumulating), avg spreads evenly. */
export function pool1dBackward(a: Pool1dBackwardArgs): void {
  const { gy, gx, R, L, Lo, kernelSize: K, stride: S, padding: P } = a;
  gx.fill(0);
  if (a.mode === 'max') {
    const ind = a.indices!;
    for (let r = 0; r < R; r++) {
      const xr = r * L;
      const yr = r * Lo;
      for (let o = 0; o < Lo; o++) gx[xr + ind[yr + o]] += gy[yr + o];
    }
    return;
  }
  const inclPad = a.countIncludePad;
  for (let r = 0; r < R; r++) {
    const xr = r * L;
    const yr = r * Lo;
    for (let o = 0; o < Lo; o++) {
      let start = o * S - P;
      let end = Math.min(start + K, L + P);
      const poolSize = end - start;
      if (start < 0) start = 0;
      if (end > L) end = L;
      if (start >= end) continue;
      const v = gy[yr + o] / (inclPad ? poolSize : end - start);
      for (let i = start; i < end; i++) gx[xr + i] += v;
    }
  }
}
