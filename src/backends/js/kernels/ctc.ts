/**
 * Reference CTC kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/ctc.ts, which also gives the layouts.
 *
 * Legend: T frames, N batch, C labels, L = 2 Smax + 1 states. For sample b with input length il and
 * target length tl, state s of the extended target l' is blank for even s and label (s-1)/2 for odd
 * s; s runs over 0..2 tl. Everything is in log space: alpha(t, s) is the log-probability of the
 * paths through state s at frame t from the start, beta(t, s) of those from state s at frame t to
 * the end (both including frame t's emission). The recursions follow PyTorch's LossCTC.cpp step
 * for step (the same log-sum-exp with the maximum taken out), so float32 results round alike.
 */
import type { CtcLossBackwardArgs, CtcLossForwardArgs, CtcOperands, CtcRoutines } from '../../routines/ctc.js';

const NEG_INF = -Infinity;

/** The label of state s of sample b's extended target: blank for even s. */
function labelAt(a: CtcOperands, offset: number, s: number): number {
  return s % 2 === 0 ? a.blank : a.targets[offset + (s >> 1)]!;
}

/** log(e^x + e^y + e^z) with the maximum taken out (0 when all are -inf, giving -inf). */
function logSumExp3(x: number, y: number, z: number): number {
  let m = x;
  if (y > m) m = y;
  if (z > m) m = z;
  if (m === NEG_INF) m = 0; // cannot do -inf - -inf
  return Math.log(Math.exp(x - m) + Math.exp(y - m) + Math.exp(z - m)) + m;
}

/**
 * Forward: for each sample, alpha over its il frames and 2 tl + 1 states, then
 * nll = -log(e^alpha(il-1, 2tl) + e^alpha(il-1, 2tl-1)). Rows past il and states past 2tl of
 * logAlpha are not written (the backward does not read them).
 */
function ctcLossForward(a: CtcLossForwardArgs): void {
  const { T, N, C, L, blank, logProbs: lp, nll, logAlpha: la } = a;
  for (let b = 0; b < N; b++) {
    const il = a.inputLengths[b]!;
    const tl = a.targetLengths[b]!;
    const off = a.targetOffsets[b]!;
    const base = b * T * L; // log_alpha row t of this sample at base + t L
    if (il === 0) {
      // Deviation: PyTorch 1.13 reads outside log_alpha here; this is later PyTorch's definition
      // (the empty alignment has probability 1 for an empty target, 0 otherwise).
      nll[b] = tl === 0 ? -0 : Infinity;
      continue;
    }
    // frame 0: only the leading blank and the first label can start a path
    for (let s = 0; s < L; s++) la[base + s] = NEG_INF;
    la[base] = lp[b * C + blank]!;
    if (tl > 0) la[base + 1] = lp[b * C + labelAt(a, off, 1)]!;
    for (let t = 1; t < il; t++) {
      const prev = base + (t - 1) * L;
      const row = base + t * L;
      const lpRow = (t * N + b) * C;
      for (let s = 0; s <= 2 * tl; s++) {
        const label = labelAt(a, off, s);
        // from s (stay), s-1 (advance), s-2 (skip a blank between two different labels)
        const la1 = la[prev + s]!;
        const la2 = s > 0 ? la[prev + s - 1]! : NEG_INF;
        const la3 = s > 1 && labelAt(a, off, s - 2) !== label ? la[prev + s - 2]! : NEG_INF;
        la[row + s] = logSumExp3(la1, la2, la3) + lp[lpRow + label]!;
      }
    }
    const last = base + (il - 1) * L;
    if (tl === 0) {
      nll[b] = -la[last]!;
    } else {
      // a path ends in the final label or the trailing blank
      const l1 = la[last + 2 * tl]!;
      const l2 = la[last + 2 * tl - 1]!;
      let m = Math.max(l1, l2);
      if (m === NEG_INF) m = 0;
      nll[b] = -(Math.log(Math.exp(l1 - m) + Math.exp(l2 - m)) + m);
    }
  }
}

/**
 * Backward. For each sample: beta from the last frame down, and at every (t, s) the log-sum of
 * alpha(t, s) + beta(t, s) collected into the gradient cell (t, label of s); then every cell of the
 * first il frames becomes (e^lp - e^(collected + nll - lp)) * gy[b], and later frames 0. A sample
 * whose loss is infinite gets 0 everywhere with zeroInfinity; without it the formula gives NaN and
 * infinities, as PyTorch's does.
 * Scratch: one [T, L] beta per call, reused across samples.
 */
function ctcLossBackward(a: CtcLossBackwardArgs): void {
  const { T, N, C, L, blank, logProbs: lp, nll, logAlpha: la, gy, grad } = a;
  const beta = new Float64Array(T * L);
  const rowOf = (t: number, b: number): number => (t * N + b) * C; // frame t of sample b in lp and grad
  for (let b = 0; b < N; b++) {
    const loss = nll[b]!;
    if (a.zeroInfinity && loss === Infinity) {
      for (let t = 0; t < T; t++) grad.fill(0, rowOf(t, b), rowOf(t, b) + C);
      continue;
    }
    const il = a.inputLengths[b]!;
    const tl = a.targetLengths[b]!;
    const off = a.targetOffsets[b]!;
    const base = b * T * L;
    // the collected log-sums start as the log of an empty sum
    for (let t = 0; t < il; t++) grad.fill(NEG_INF, rowOf(t, b), rowOf(t, b) + C);
    if (il > 0) {
      // frame il-1: a path can only end in the trailing blank or the final label
      const t = il - 1;
      const row = t * L;
      beta.fill(NEG_INF, row, row + L);
      beta[row + 2 * tl] = lp[rowOf(t, b) + blank]!;
      grad[rowOf(t, b) + blank] = la[base + row + 2 * tl]! + beta[row + 2 * tl]!;
      if (tl > 0) {
        const label = labelAt(a, off, 2 * tl - 1);
        beta[row + 2 * tl - 1] = lp[rowOf(t, b) + label]!;
        // PyTorch parity: assigned, not log-added (they differ only for a label equal to the blank)
        grad[rowOf(t, b) + label] = la[base + row + 2 * tl - 1]! + beta[row + 2 * tl - 1]!;
      }
    }
    for (let t = il - 2; t >= 0; t--) {
      const row = t * L;
      const next = (t + 1) * L;
      const g = rowOf(t, b);
      for (let s = 2 * tl; s >= 0; s--) {
        const label = labelAt(a, off, s);
        // to s (stay), s+1 (advance), s+2 (skip a blank between two different labels)
        const lb1 = beta[next + s]!;
        const lb2 = s < 2 * tl ? beta[next + s + 1]! : NEG_INF;
        const lb3 = s < 2 * tl - 1 && labelAt(a, off, s + 2) !== label ? beta[next + s + 2]! : NEG_INF;
        beta[row + s] = logSumExp3(lb1, lb2, lb3) + lp[g + label]!;
        // collected(t, label) log+= alpha(t, s) + beta(t, s)
        const ab = la[base + row + s]! + beta[row + s]!;
        const cur = grad[g + label]!;
        if (cur === NEG_INF) {
          grad[g + label] = ab;
        } else {
          const m = Math.max(cur, ab);
          grad[g + label] = Math.log(Math.exp(cur - m) + Math.exp(ab - m)) + m;
        }
      }
    }
    // eq. 16: the gradient with respect to the activations of a log_softmax
    const gr = gy[b]!;
    for (let t = 0; t < il; t++) {
      const g = rowOf(t, b);
      for (let c = 0; c < C; c++) {
        const lpc = lp[g + c]!;
        grad[g + c] = (Math.exp(lpc) - Math.exp(grad[g + c]! + loss - lpc)) * gr;
      }
    }
    for (let t = il; t < T; t++) grad.fill(0, rowOf(t, b), rowOf(t, b) + C);
  }
}

/** The CTC routines of the js backend. */
export const ctcKernels: Required<CtcRoutines> = { ctcLossForward, ctcLossBackward };
