/**
 * Fused LSTM layer kernels of the js backend: one direction of one layer over a whole sequence.
 * This is the readable reference that faster backends are checked against.
 *
 * Legend of shape letters, used in every name below:
 *   T  steps;  B  batch rows (the largest batch when packed);  I  input size;  H  hidden size;
 *   P  projection size (0 = none);  R  width of the recurrent state h and of y: P if P > 0, else H;
 *   G = 4H gate rows, in PyTorch's order i|f|g|o;
 *   N  rows of x / y / workspace: T*B time-major, or sum(batchSizes) when packed.
 *   Step t owns rows off[t] .. off[t] + bs[t] - 1, and its row off[t] + b is batch element b.
 * Layouts (contiguous, offset 0): x [N,I], h0 [B,R], c0 [B,H], wIh [G,I], wHh [G,R], bIh/bHh [G],
 *   wHr [P,H], y [N,R], hN [B,R], cN [B,H].
 *
 * Forward, PyTorch's cell (nn.LSTM docs):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f * c + i * g                        h' = o * tanh(c')   (then h' = W_hr h' with P > 0)
 * cuDNN-style structure:
 *   1. gates = (b_ih + b_hh) on every row, then gates += x W_ihᵀ for all T at once (one GEMM).
 *   2. per step: gates[t] += h W_hhᵀ (one GEMM over the bs[t] live rows), then one fused pointwise
 *      pass (activations, c', h'), then with P > 0 one GEMM y[t] = h' W_hrᵀ.
 *   The state lives in hN / cN, which start as copies of h0 / c0 and are updated in place on the
 *   live rows only: finished sequences keep their last state (forward direction), sequences that
 *   have not started yet keep h0 / c0 (reverse direction) — PyTorch's packed semantics.
 *
 * Cached for backward (ws, `lstmWorkspaceSize(N, H, P)`), four row-major sections over N rows:
 *   gates [N,4H]  i, f, g, o after activation (section 1 of the forward writes here directly)
 *   c     [N,H]   c_t
 *   hPrev [N,R]   h_{t-1} as it entered the step (so dW_hh is one GEMM over all rows)
 *   hc    [N,H]   o * tanh(c_t) before the projection (P > 0 only; so dW_hr is one GEMM)
 * c_{t-1} is not stored: it is c of the same batch row at the previous step, or c0.
 *
 * Backward (BPTT), with dh [B,R] and dc [B,H] carried from step to step, one reverse loop:
 *   dr  = dh + dy[t]                          (total gradient of this step's output, kept in dR)
 *   dhc = dr W_hr                             (P > 0: one GEMM per step; else dhc = dr)
 *   dc' = dc + dhc * o * (1 - tanh²c)         do = dhc * tanh c
 *   di = dc' * g    df = dc' * c_{t-1}    dg = dc' * i    dc = dc' * f   (carried)
 *   dgates[t] = (di·i(1-i), df·f(1-f), dg·(1-g²), do·o(1-o))            [N,4H]
 *   dh = dgates[t] W_hh                       (one GEMM per step, carried)
 * then one GEMM each: dW_ih += dgatesᵀ x, dW_hh += dgatesᵀ hPrev, dx += dgates W_ih,
 * dW_hr += dRᵀ hc; b_ih and b_hh both get the column sums of dgates. Every gradient output
 * accumulates (+=), like llm.c's matmul_backward.
 */
import type { LstmBackwardArgs, LstmForwardArgs } from '../../backend.js';
import { gemm } from './gemm.js';
import { ACC, SET, addColumnSums, copyRange, fillBias, mat, matT, stepLayout, weightGrads, zerosLike } from './rnn.js';

/** Forward of one LSTM layer direction; see the file comment. */
export function lstmForward(a: LstmForwardArgs): void {
  const { T, B, I, H, P, reverse, x, h0, c0, wIh, wHh, bIh, bHh, wHr, y, hN, cN, ws } = a;
  const G = 4 * H;
  const R = P > 0 ? P : H;
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  // Workspace section offsets (see the file comment); without ws the gates and hc are scratch.
  const wsC = N * G;
  const wsHPrev = wsC + N * H;
  const wsHc = wsHPrev + N * R;
  const gates = ws ?? zerosLike(x, N * G);
  const hcBuf = P > 0 ? (ws ?? zerosLike(x, B * H)) : null;

  // 1. gates = b_ih + b_hh, then gates += x W_ihᵀ for every row of every step (one GEMM).
  const hasBias = fillBias(gates, N, G, bIh, bHh);
  gemm(mat(x, N, I), matT(wIh, G, I), mat(gates, N, G), hasBias ? ACC : SET);

  hN.set(h0.subarray(0, B * R));
  cN.set(c0.subarray(0, B * H));
  // gemm views, allocated once: their row count and offset move with the step.
  const hv = mat(hN, B, R); // live state rows h_{t-1}, [bt,R]
  const whT = matT(wHh, G, R); // W_hhᵀ [R,G]
  const gv = mat(gates, B, G); // gate rows of step t, [bt,G]
  const hcv = hcBuf ? mat(hcBuf, B, H) : null; // o*tanh(c) rows of step t, [bt,H]
  const wrT = wHr ? matT(wHr, P, H) : null; // W_hrᵀ [H,P]
  const yv = mat(y, B, R); // y rows of step t, [bt,R]

  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const o = off[t];
    if (ws) copyRange(hN, 0, ws, wsHPrev + o * R, bt * R); // cache h_{t-1}

    // 2. gates[t] += h_{t-1} W_hhᵀ
    hv.shape[1] = bt;
    gv.shape[1] = bt;
    gv.offset = o * G;
    gemm(hv, whT, gv, ACC);

    // 3. fused pointwise: activations (stored back into gates), c' (into cN and ws), h'.
    //    h' goes to y and the state when there is no projection, else to the hc rows.
    const hcBase = ws ? wsHc + o * H : 0; // hc rows: the ws section, or the [B,H] scratch
    for (let b = 0; b < bt; b++) {
      const n = o + b;
      const gr = n * G;
      const sr = b * H; // row b of cN (and of hN when R = H)
      for (let j = 0; j < H; j++) {
        const ig = 1 / (1 + Math.exp(-gates[gr + j]));
        const fg = 1 / (1 + Math.exp(-gates[gr + H + j]));
        const gg = Math.tanh(gates[gr + 2 * H + j]);
        const og = 1 / (1 + Math.exp(-gates[gr + 3 * H + j]));
        const c = fg * cN[sr + j] + ig * gg;
        const h = og * Math.tanh(c);
        gates[gr + j] = ig;
        gates[gr + H + j] = fg;
        gates[gr + 2 * H + j] = gg;
        gates[gr + 3 * H + j] = og;
        cN[sr + j] = c;
        if (ws) ws[wsC + n * H + j] = c;
        if (hcBuf) {
          hcBuf[hcBase + sr + j] = h;
        } else {
          y[n * H + j] = h;
          hN[sr + j] = h;
        }
      }
    }

    // 4. projection: y[t] = hc W_hrᵀ, and the live state rows take it.
    if (hcv && wrT) {
      hcv.shape[1] = bt;
      hcv.offset = hcBase;
      yv.shape[1] = bt;
      yv.offset = o * R;
      gemm(hcv, wrT, yv, SET);
      copyRange(y, o * R, hN, 0, bt * R);
    }
  }
}

/** Backward of one LSTM layer direction (gradients accumulate); see the file comment. */
export function lstmBackward(a: LstmBackwardArgs): void {
  const { T, B, I, H, P, reverse, x, c0, wIh, wHh, wHr, ws, dy, dhN, dcN } = a;
  const G = 4 * H;
  const R = P > 0 ? P : H;
  const { bs, off, N } = stepLayout(T, B, a.batchSizes);
  const wsC = N * G;
  const wsHPrev = wsC + N * H;
  const wsHc = wsHPrev + N * R;

  // Carried state gradients: dh = dL/dh_t [B,R] and dc = dL/dc_t [B,H], starting at hN / cN.
  const dh = zerosLike(x, B * R);
  const dc = zerosLike(x, B * H);
  if (dhN) dh.set(dhN.subarray(0, B * R));
  if (dcN) dc.set(dcN.subarray(0, B * H));
  const dgates = zerosLike(x, N * G); // gradients of the gate pre-activations, [N,G]
  // With a projection: dR [N,P] keeps every step's output gradient (for dW_hr) and dhc [B,H]
  // is the gradient of o * tanh(c) for the current step.
  const dR = P > 0 ? zerosLike(x, N * R) : null;
  const dhc = P > 0 ? zerosLike(x, B * H) : dh;
  const dhv = mat(dh, B, R);
  const dhcv = mat(dhc, B, H);
  const wr = wHr ? mat(wHr, P, H) : null;
  const dgv = mat(dgates, B, G);
  const whv = mat(wHh, G, R);

  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const bt = bs[t];
    const o = off[t];
    // The step before t in processing order, whose c rows are c_{t-1} (rows past its batch
    // size, and every row at the first step, start from c0 instead).
    const tp = reverse ? t + 1 : t - 1;
    const prevBt = s > 0 ? bs[tp] : 0;
    const prevC = s > 0 ? wsC + off[tp] * H : 0;

    // 1. dr = carried dh + this step's dy, on the live rows.
    if (dy) for (let k = 0, m = o * R; k < bt * R; k++, m++) dh[k] += dy[m];
    // 2. through the projection: dhc = dr W_hr (and keep dr for dW_hr).
    if (dR && wr) {
      copyRange(dh, 0, dR, o * R, bt * R);
      dhv.shape[1] = bt;
      dhcv.shape[1] = bt;
      gemm(dhv, wr, dhcv, SET);
    }

    // 3. pointwise: gate gradients into dgates, dc carried to the previous step.
    for (let b = 0; b < bt; b++) {
      const n = o + b;
      const gr = n * G;
      const sr = b * H;
      const fromWs = b < prevBt;
      const cp = fromWs ? ws : c0; // c_{t-1} array and row
      const cpr = fromWs ? prevC + b * H : sr;
      for (let j = 0; j < H; j++) {
        const ig = ws[gr + j];
        const fg = ws[gr + H + j];
        const gg = ws[gr + 2 * H + j];
        const og = ws[gr + 3 * H + j];
        const tc = Math.tanh(ws[wsC + n * H + j]);
        const dhj = dhc[sr + j];
        const dct = dc[sr + j] + dhj * og * (1 - tc * tc);
        dgates[gr + j] = dct * gg * ig * (1 - ig);
        dgates[gr + H + j] = dct * cp[cpr + j] * fg * (1 - fg);
        dgates[gr + 2 * H + j] = dct * ig * (1 - gg * gg);
        dgates[gr + 3 * H + j] = dhj * tc * og * (1 - og);
        dc[sr + j] = dct * fg;
      }
    }

    // 4. dh_{t-1} = dgates[t] W_hh on the live rows; the other rows keep their gradient.
    dgv.shape[1] = bt;
    dgv.offset = o * G;
    dhv.shape[1] = bt;
    gemm(dgv, whv, dhv, SET);
  }

  if (a.dh0) for (let k = 0; k < B * R; k++) a.dh0[k] += dh[k];
  if (a.dc0) for (let k = 0; k < B * H; k++) a.dc0[k] += dc[k];
  weightGrads(N, G, I, R, dgates, dgates, x, wIh, ws, wsHPrev, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dgates, N, G, a.dbIh);
  if (a.dbHh) addColumnSums(dgates, N, G, a.dbHh);
  // dW_hr [P,H] += dRᵀ [P,N] hc [N,H]
  if (a.dwHr && dR && N > 0) gemm(matT(dR, N, P), mat(ws, N, H, wsHc), mat(a.dwHr, P, H), ACC);
}
