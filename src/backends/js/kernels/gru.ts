/**
 * Fused GRU layer kernels of the js backend: one direction of one layer over a whole sequence.
 *
 * Legend of shape letters, used in every name below:
 *   T  steps;  B  batch rows (the largest batch when packed);  I  input size;  H  hidden size;
 *   G = 3H gate rows, in PyTorch's order r|z|n;
 *   N  rows of x / y / workspace: T*B time-major, or sum(batchSizes) when packed.
 *   Step t owns rows off[t] .. off[t] + bs[t] - 1, and its row off[t] + b is batch element b.
 * Layouts (contiguous, offset 0): x [N,I], h0 [B,H], wIh [G,I], wHh [G,H], bIh/bHh [G],
 *   y [N,H], hN [B,H].
 *
 * Forward, PyTorch's cell (nn.GRU docs) with the reset gate applied after the product
 * ("reset-after", as cuDNN does), so b_hn stays inside r * (...):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * Structure:
 *   1. gi [N,G] = (b_ih, plus b_hr and b_hz) on every row, then gi += x W_ihᵀ (one GEMM, all T).
 *   2. per step: gh [bt,G] = h W_hhᵀ (one GEMM over the live rows), then one fused pointwise pass.
 *   The state lives in hN (a copy of h0 at first), updated on the live rows only, which gives
 *   PyTorch's packed semantics (see lstm.ts).
 *
 * Cached for backward (ws, `gruWorkspaceSize(N, H)`), two row-major sections over N rows:
 *   gates [N,4H]  r, z, n after activation, then W_hn h + b_hn (needed for dr)
 *   hPrev [N,H]   h_{t-1} as it entered the step
 *
 * Backward (BPTT), with dh [B,H] carried from step to step, one reverse loop:
 *   d = dh + dy[t]
 *   dn = d (1 - z)    dz = d (h_{t-1} - n)    dh_{t-1} = d z + dgh[t] W_hh
 *   dan = dn (1 - n²)    dar = dan (W_hn h + b_hn) r (1 - r)    daz = dz z (1 - z)
 *   dgi[t] = (dar, daz, dan)           gradient of the input side x W_ihᵀ + b_ih   [N,G]
 *   dgh[t] = (dar, daz, dan * r)       gradient of the hidden side h W_hhᵀ + b_hh  [N,G]
 * then one GEMM each: dW_ih += dgiᵀ x, dx += dgi W_ih, dW_hh += dghᵀ hPrev; b_ih gets the column
 * sums of dgi and b_hh those of dgh. Every gradient output accumulates (+=).
 */
import type { GruBackwardArgs, GruForwardArgs } from '../../backend.js';
import { gemm } from './gemm.js';
import { ACC, SET, addColumnSums, copyRange, fillBias, mat, matT, stepLayout, weightGrads, zerosLike } from './rnn.js';

/** Forward of one GRU layer direction; see the file comment. */
export function gruForward(a: GruForwardArgs): void {
  const { T, B, I, H, reverse, x, h0, wIh, wHh, bIh, bHh, y, hN, ws } = a;
  const G = 3 * H;
  const W = 4 * H; // workspace gate row: r, z, n, W_hn h + b_hn
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  const wsHPrev = N * W;

  // 1. gi = b_ih + [b_hr, b_hz, 0], then gi += x W_ihᵀ for all rows (one GEMM).
  const gi = zerosLike(x, N * G);
  const hasBias = fillBias(gi, N, G, bIh, bHh, 2 * H);
  gemm(mat(x, N, I), matT(wIh, G, I), mat(gi, N, G), hasBias ? ACC : SET);

  hN.set(h0.subarray(0, B * H));
  const gh = zerosLike(x, B * G); // hidden side of one step, [bt,G]
  const hv = mat(hN, B, H);
  const whT = matT(wHh, G, H);
  const ghv = mat(gh, B, G);

  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const o = off[t];
    if (ws) copyRange(hN, 0, ws, wsHPrev + o * H, bt * H); // cache h_{t-1}

    // 2. gh = h_{t-1} W_hhᵀ on the live rows.
    hv.shape[1] = bt;
    ghv.shape[1] = bt;
    gemm(hv, whT, ghv, SET);

    // 3. fused pointwise: gates, h' into y and the state.
    for (let b = 0; b < bt; b++) {
      const n = o + b;
      const ir = n * G;
      const hr = b * G;
      const sr = b * H;
      for (let j = 0; j < H; j++) {
        const r = 1 / (1 + Math.exp(-(gi[ir + j] + gh[hr + j])));
        const z = 1 / (1 + Math.exp(-(gi[ir + H + j] + gh[hr + H + j])));
        const ghn = gh[hr + 2 * H + j] + (bHh ? bHh[2 * H + j] : 0);
        const nn = Math.tanh(gi[ir + 2 * H + j] + r * ghn);
        const h = (1 - z) * nn + z * hN[sr + j];
        if (ws) {
          const w = n * W;
          ws[w + j] = r;
          ws[w + H + j] = z;
          ws[w + 2 * H + j] = nn;
          ws[w + 3 * H + j] = ghn;
        }
        y[n * H + j] = h;
        hN[sr + j] = h;
      }
    }
  }
}

/** Backward of one GRU layer direction (gradients accumulate); see the file comment. */
export function gruBackward(a: GruBackwardArgs): void {
  const { T, B, I, H, reverse, x, wIh, wHh, ws, dy, dhN } = a;
  const G = 3 * H;
  const W = 4 * H;
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  const wsHPrev = N * W;

  const dh = zerosLike(x, B * H); // carried dL/dh_t, starting at dL/dhN
  if (dhN) dh.set(dhN.subarray(0, B * H));
  const dgi = zerosLike(x, N * G);
  const dgh = zerosLike(x, N * G);
  const dghv = mat(dgh, B, G);
  const dhv = mat(dh, B, H);
  const whv = mat(wHh, G, H);

  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const o = off[t];
    for (let b = 0; b < bt; b++) {
      const n = o + b;
      const w = n * W;
      const gr = n * G;
      const sr = b * H;
      const hp = wsHPrev + n * H;
      for (let j = 0; j < H; j++) {
        const r = ws[w + j];
        const z = ws[w + H + j];
        const nn = ws[w + 2 * H + j];
        const ghn = ws[w + 3 * H + j];
        const d = dy ? dh[sr + j] + dy[n * H + j] : dh[sr + j];
        const dan = d * (1 - z) * (1 - nn * nn);
        const dar = dan * ghn * r * (1 - r);
        const daz = d * (ws[hp + j] - nn) * z * (1 - z);
        dgi[gr + j] = dar;
        dgi[gr + H + j] = daz;
        dgi[gr + 2 * H + j] = dan;
        dgh[gr + j] = dar;
        dgh[gr + H + j] = daz;
        dgh[gr + 2 * H + j] = dan * r;
        dh[sr + j] = d * z; // the direct path h' = ... + z h; the GEMM below adds the rest
      }
    }
    // dh_{t-1} += dgh[t] W_hh on the live rows.
    dghv.shape[1] = bt;
    dghv.offset = o * G;
    dhv.shape[1] = bt;
    gemm(dghv, whv, dhv, ACC);
  }

  if (a.dh0) for (let k = 0; k < B * H; k++) a.dh0[k] += dh[k];
  weightGrads(N, G, I, H, dgi, dgh, x, wIh, ws, wsHPrev, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dgi, N, G, a.dbIh);
  if (a.dbHh) addColumnSums(dgh, N, G, a.dbHh);
}
