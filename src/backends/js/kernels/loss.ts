/**
 * Reference loss kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/loss.ts.
 *
 * Legend of the class-index kernels: N batch, C classes, S spatial positions; x (n, c, s) at
 * n*C*S + c*S + s, sample i = (n, s) at n*S + s with target t_i, class weight w (1 when absent).
 * Per-sample losses and their sum are computed in double precision; `out` rounds to its dtype.
 */
import type {
  CrossEntropyBackwardArgs,
  CrossEntropyForwardArgs,
  CrossEntropyGradCoefficientsArgs,
  CrossEntropyProbBackwardArgs,
  CrossEntropyProbForwardArgs,
  ElementwiseLossBackwardArgs,
  ElementwiseLossForwardArgs,
  LossGradient,
  LossRoutines,
  NllLossBackwardArgs,
  NllLossForwardArgs,
  Reduction,
} from '../../routines/loss.js';
import type { FloatArray } from '../../../tensor/dtype.js';

// ---------------------------------------------------------------- shared

/** The upstream gradient every sample receives when the loss was reduced (unused for 'none'). */
function reducedGrad(g: LossGradient): number {
  if (g.reduction === 'none') return 0;
  const v = g.gy[0]!;
  return g.reduction === 'mean' ? v / g.divisor : v;
}

/** The reduced loss of a forward: `sum`, divided by `divisor` for 'mean', into out[0]. */
function writeReduced(out: FloatArray, r: Reduction, sum: number, divisor: number): void {
  if (r !== 'none') out[0] = r === 'mean' ? sum / divisor : sum;
}

/** log(sigmoid(v)) = min(v, 0) - log1p(exp(-|v|)), finite for any v. */
function logSigmoid(v: number): number {
  return Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
}

/** 2^(j/32), j = 0..31. */
const EXP2_FRAC = Float64Array.from({ length: 32 }, (_, j) => 2 ** (j / 32));
/** 2^e at e + 1023, e = -1023..1024. */
const EXP2_INT = Float64Array.from({ length: 2048 }, (_, i) => 2 ** (i - 1023));
const EXP_INV = 32 / Math.LN2;
/** ln2/32 in two parts (fdlibm's ln2_hi / ln2_lo over 32): k * hi is exact for |k| < 2^21. */
const EXP_HI = 6.9314718036912382e-1 / 32;
const EXP_LO = 1.9082149292705877e-10 / 32;

/**
 * e^x within one ulp of `Math.exp` (checked over millions of arguments in tests), about twice as
 * fast: V8 calls out to C for `Math.exp`, and cross-entropy takes one exp per logit. x = (k/32) ln2
 * + r with |r| <= ln2/64; e^x = 2^(k>>5) * 2^((k&31)/32) * e^r, e^r by its Taylor series to r^6
 * (truncation error below 4e-18). NaN, infinities and |x| >= 708 take `Math.exp`.
 * @internal
 */
export function expFast(x: number): number {
  if (!(x > -708 && x < 708)) return Math.exp(x);
  const kd = Math.floor(x * EXP_INV + 0.5);
  const r = x - kd * EXP_HI - kd * EXP_LO;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))));
  const k = kd + 32768; // non-negative, so & and >>> split it into table indices
  const t = EXP2_FRAC[k & 31]!;
  return (t + t * p) * EXP2_INT[(k >>> 5) - 1]!;
}

// ---------------------------------------------------------------- element-wise losses

/**
 * Element-wise loss forward. d = x - t; p = beta or delta; the loss of element i, times w[i]:
 *   mse        d²
 *   smooth_l1  |d| < p ? 0.5 d²/p : |d| - 0.5 p
 *   huber      |d| < p ? 0.5 d² : p (|d| - 0.5 p)
 *   bce        (t - 1) max(log1p(-x), -100) - t max(log x, -100)
 *   bce_logits (1 - t) x + (1 + (pw - 1) t) (log1p(e^-|x|) + max(-x, 0))
 * bce also flags inputs outside [0, 1] (NaN included), which PyTorch's kernel rejects.
 */
function elementwiseLossForward(a: ElementwiseLossForwardArgs): void {
  const { kind, n, p, x, t, weight: w, posWeight: pw, reduction, out } = a;
  const each = reduction === 'none';
  let sum = 0;
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const ti = t[i]!;
    let v: number;
    // The switch is on a loop-invariant value; V8 hoists the branch.
    switch (kind) {
      case 'mse': {
        const d = xi - ti;
        v = d * d;
        break;
      }
      case 'smooth_l1': {
        const z = Math.abs(xi - ti);
        v = z < p ? (0.5 * z * z) / p : z - 0.5 * p;
        break;
      }
      case 'huber': {
        const z = Math.abs(xi - ti);
        v = z < p ? 0.5 * z * z : p * (z - 0.5 * p);
        break;
      }
      case 'bce':
        if (!(xi >= 0 && xi <= 1)) invalid = 1;
        v = (ti - 1) * Math.max(Math.log1p(-xi), -100) - ti * Math.max(Math.log(xi), -100);
        break;
      case 'bce_logits': {
        // log(1 + e^-x) = log(e^-m + e^(-x-m)) + m = log1p(e^-|x|) + m with m = max(-x, 0)
        const lt = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0);
        v = (1 - ti) * xi + (pw ? (pw[i]! - 1) * ti + 1 : 1) * lt;
        break;
      }
    }
    if (w) v *= w[i]!;
    if (each) out[i] = v;
    sum += v;
  }
  if (a.invalidInput) a.invalidInput[0] = invalid;
  writeReduced(out, reduction, sum, n);
}

/**
 * Element-wise loss backward (PyTorch's formulas). g = upstream gradient of element i times w[i];
 * d = x - t. The target's gradient of mse/smooth_l1/huber is the input's formula at t - x
 * (derivatives.yaml swaps the arguments), which matters only at ties.
 *   mse        gx = 2 d g
 *   smooth_l1  s(d) g, s(d) = d <= -p ? -1 : d >= p ? 1 : d / p
 *   huber      h(d) g, h(d) = d <= -p ? -p : d >= p ? p : d
 *   bce        gx = g (x - t) / max((1 - x) x, 1e-12),  gt = -g log(x / (1 - x))
 *   bce_logits gx = g ((pw t + 1 - t) sigmoid(x) - pw t),  gt = g (logsig(-x) - pw logsig(x))
 */
function elementwiseLossBackward(a: ElementwiseLossBackwardArgs): void {
  const { kind, n, p, x, t, weight: w, posWeight: pw, gy, gx, gt } = a;
  const each = a.reduction === 'none';
  const g0 = reducedGrad(a);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const ti = t[i]!;
    let gi = each ? gy[i]! : g0;
    if (w) gi *= w[i]!;
    const d = xi - ti;
    switch (kind) {
      case 'mse':
        if (gx) gx[i] = 2 * d * gi;
        if (gt) gt[i] = -2 * d * gi;
        break;
      case 'smooth_l1':
        if (gx) gx[i] = (d <= -p ? -1 : d >= p ? 1 : d / p) * gi;
        if (gt) gt[i] = (-d <= -p ? -1 : -d >= p ? 1 : -d / p) * gi;
        break;
      case 'huber':
        if (gx) gx[i] = (d <= -p ? -p : d >= p ? p : d) * gi;
        if (gt) gt[i] = (-d <= -p ? -p : -d >= p ? p : -d) * gi;
        break;
      case 'bce':
        if (gx) gx[i] = (gi * d) / Math.max((1 - xi) * xi, 1e-12);
        if (gt) gt[i] = -Math.log(xi / (1 - xi)) * gi;
        break;
      case 'bce_logits': {
        const pwi = pw ? pw[i]! : 1;
        if (gx) {
          const e = Math.exp(-Math.abs(xi));
          const sig = xi >= 0 ? 1 / (1 + e) : e / (1 + e);
          gx[i] = pw ? ((pwi * ti + 1 - ti) * sig - pwi * ti) * gi : (sig - ti) * gi;
        }
        if (gt) gt[i] = pw ? (logSigmoid(-xi) - pwi * logSigmoid(xi)) * gi : -xi * gi;
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- class indices: NLL and cross-entropy

/**
 * The forward of NLL (`ce` false) and of fused log-softmax + NLL with label smoothing eps (`ce`
 * true). Per sample i with target t (0 where t == ignoreIndex, which is not counted):
 *   NLL  loss_i = -w[t] x_t
 *   CE   loss_i = (1 - eps) w[t] (lse - x_t) + eps/C Σ_c w_c (lse - x_c),  lse = log Σ_c exp(x_c)
 * CE subtracts the row max m first (logits of any size stay finite) and, with `probs`, caches the
 * softmax p = exp(x - m) / Σ exp(x - m) of the counted samples, so the backward needs no exp of its
 * own. totalWeight = Σ w[t_i] over the counted samples (the 'mean' denominator). Stops at the first
 * out-of-range target.
 */
function classIndexForward(a: NllLossForwardArgs | CrossEntropyForwardArgs, ce: boolean): void {
  const { N, C, S, x, target, weight: w, ignoreIndex, reduction, out } = a;
  const p = ce ? (a as CrossEntropyForwardArgs).probs : null;
  const eps = ce ? (a as CrossEntropyForwardArgs).labelSmoothing : 0;
  const each = reduction === 'none';
  a.badTarget[0] = NaN;
  let total = 0;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = n * C * S + s; // (n, 0, s)
      const t = target[i]!;
      if (t === ignoreIndex) {
        if (each) out[i] = 0;
        continue;
      }
      if (t < 0 || t >= C) {
        a.badTarget[0] = t;
        return;
      }
      const wt = w ? w[t]! : 1;
      let v: number;
      if (!ce) {
        v = -wt * x[b + t * S]!;
      } else {
        let m = -Infinity;
        for (let c = 0, k = b; c < C; c++, k += S) if (x[k]! > m) m = x[k]!;
        if (m === -Infinity || m === Infinity) m = 0; // all -inf (or an inf): let exp/log produce PyTorch's -inf/nan
        let se = 0;
        if (p !== null) {
          for (let c = 0, k = b; c < C; c++, k += S) {
            const e = expFast(x[k]! - m);
            p[k] = e;
            se += e;
          }
          for (let c = 0, k = b; c < C; c++, k += S) p[k] = p[k]! / se;
        } else {
          for (let c = 0, k = b; c < C; c++, k += S) se += expFast(x[k]! - m);
        }
        const l = m + Math.log(se);
        v = (1 - eps) * wt * (l - x[b + t * S]!);
        if (eps > 0) {
          let sm = 0;
          for (let c = 0, k = b; c < C; c++, k += S) sm += (w ? w[c]! : 1) * (l - x[k]!);
          v += (eps / C) * sm;
        }
      }
      if (each) out[i] = v;
      sum += v;
      total += wt;
    }
  }
  a.totalWeight[0] = total;
  writeReduced(out, reduction, sum, total);
}

/** NLL forward (see classIndexForward). */
function nllLossForward(a: NllLossForwardArgs): void {
  classIndexForward(a, false);
}

/** Cross-entropy forward (see classIndexForward). */
function crossEntropyForward(a: CrossEntropyForwardArgs): void {
  classIndexForward(a, true);
}

/** NLL backward: gx[n, t_i, s] = -w[t_i] g_i, every other element 0 (ignored samples too). */
function nllLossBackward(a: NllLossBackwardArgs): void {
  const { N, C, S, target, weight: w, ignoreIndex, gy, gx } = a;
  const each = a.reduction === 'none';
  const g0 = reducedGrad(a);
  gx.fill(0);
  // a scatter: one element per counted sample i = n*S + s, at (n, t_i, s)
  for (let i = 0; i < N * S; i++) {
    const t = target[i]!;
    if (t === ignoreIndex) continue;
    const n = Math.floor(i / S);
    gx[(n * C + t) * S + (i - n * S)] = -(w ? w[t]! : 1) * (each ? gy[i]! : g0);
  }
}

/** Σ_c w_c (C without weights): the smoothing term's total weight. */
function weightSum(w: Float64Array | null, C: number): number {
  if (!w) return C;
  let sum = 0;
  for (let c = 0; c < C; c++) sum += w[c]!;
  return sum;
}

/**
 * The cross-entropy gradient gx_c = g_i (a_i p_c - shift_c) (0 where t == ignoreIndex), with
 *   a_i = (1 - eps) w[t] + eps/C Σ_c w_c,  shift_c = eps/C w_c + (1 - eps) w[t] [c == t].
 * With `grad`: gx from the forward's softmax. Without: the composite backward's coefficients,
 * scale = a [N*S] and shift [N*C*S] (shift accumulated in its own dtype, as the composite reads it).
 */
function crossEntropyGrad(
  a: CrossEntropyBackwardArgs | CrossEntropyGradCoefficientsArgs,
  grad: CrossEntropyBackwardArgs | null,
  coef: CrossEntropyGradCoefficientsArgs | null,
): void {
  const { N, C, S, target, weight: w, ignoreIndex } = a;
  const eps = a.labelSmoothing;
  const each = grad !== null && grad.reduction === 'none';
  const g0 = grad ? reducedGrad(grad) : 0;
  const gy = grad ? grad.gy : null;
  const p = grad ? grad.probs : null;
  const scale = coef ? coef.scale : null;
  const dst = grad ? grad.gx : coef!.shift; // gx, or shift
  const wsum = weightSum(w, C);
  const e = eps / C;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const t = target[i]!;
      const bo = n * C * S + s; // (n, 0, s)
      if (t === ignoreIndex) {
        if (scale) scale[i] = 0;
        for (let c = 0, q = bo; c < C; c++, q += S) dst[q] = 0;
        continue;
      }
      const wt = w ? w[t]! : 1;
      const at = (1 - eps) * wt + e * wsum;
      if (p) {
        const gi = each ? gy![i]! : g0;
        if (w === null && e === 0) {
          for (let c = 0, q = bo; c < C; c++, q += S) dst[q] = gi * (at * p[q]!);
        } else {
          for (let c = 0, q = bo; c < C; c++, q += S) dst[q] = gi * (at * p[q]! - e * (w ? w[c]! : 1));
        }
        dst[bo + t * S] = dst[bo + t * S]! - gi * (1 - eps) * wt;
      } else {
        scale![i] = at;
        for (let c = 0, q = bo; c < C; c++, q += S) dst[q] = e * (w ? w[c]! : 1);
        dst[bo + t * S] = dst[bo + t * S]! + (1 - eps) * wt;
      }
    }
  }
}

/** Cross-entropy backward from the forward's softmax (see crossEntropyGrad). */
function crossEntropyBackward(a: CrossEntropyBackwardArgs): void {
  crossEntropyGrad(a, a, null);
}

/** The coefficients of the composite cross-entropy backward (see crossEntropyGrad). */
function crossEntropyGradCoefficients(a: CrossEntropyGradCoefficientsArgs): void {
  crossEntropyGrad(a, null, a);
}

// ---------------------------------------------------------------- cross-entropy: class probabilities

/**
 * Soft-target forward. With t' = t (1 - eps) + eps/C (t' = t when eps = 0):
 *   loss_i = -Σ_c w_c t'_c (x_c - lse_i)
 * Caches lse_i for the backward.
 */
function crossEntropyProbForward(a: CrossEntropyProbForwardArgs): void {
  const { N, C, S, x, target: tp, weight: w, reduction, out, lse } = a;
  const eps = a.labelSmoothing;
  const each = reduction === 'none';
  const CS = C * S;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = n * CS + s;
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (x[b + c * S]! > m) m = x[b + c * S]!;
      if (m === -Infinity || m === Infinity) m = 0;
      let se = 0;
      for (let c = 0; c < C; c++) se += Math.exp(x[b + c * S]! - m);
      const l = m + Math.log(se);
      lse[i] = l;
      let v = 0;
      for (let c = 0; c < C; c++) {
        const tc = eps > 0 ? tp[b + c * S]! * (1 - eps) + eps / C : tp[b + c * S]!;
        v -= (w ? w[c]! : 1) * tc * (x[b + c * S]! - l);
      }
      if (each) out[i] = v;
      sum += v;
    }
  }
  writeReduced(out, reduction, sum, N * S);
}

/**
 * Soft-target backward, with p = softmax(x), t' as in the forward and W_i = Σ_c w_c t'_c:
 *   gx_c = g_i (p_c W_i - w_c t'_c),  gt_c = -g_i (1 - eps) w_c lsm_c,  gw_c = -Σ_i g_i t'_c lsm_c
 * gw is accumulated in double precision and written at the end.
 */
function crossEntropyProbBackward(a: CrossEntropyProbBackwardArgs): void {
  const { N, C, S, x, target: tp, weight: w, lse, gy, gx, gt } = a;
  const eps = a.labelSmoothing;
  const each = a.reduction === 'none';
  const g0 = reducedGrad(a);
  const CS = C * S;
  const gw = a.gw ? new Float64Array(C) : null;
  const tScale = eps > 0 ? 1 - eps : 1;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = n * CS + s;
      const gi = each ? gy[i]! : g0;
      const l = lse[i]!;
      let Wi = 0;
      for (let c = 0; c < C; c++) {
        const tc = eps > 0 ? tp[b + c * S]! * (1 - eps) + eps / C : tp[b + c * S]!;
        Wi += (w ? w[c]! : 1) * tc;
      }
      for (let c = 0; c < C; c++) {
        const k = b + c * S;
        const wc = w ? w[c]! : 1;
        const tc = eps > 0 ? tp[k]! * (1 - eps) + eps / C : tp[k]!;
        const lsm = x[k]! - l;
        if (gx) gx[k] = gi * (Math.exp(lsm) * Wi - wc * tc);
        if (gt) gt[k] = -gi * tScale * wc * lsm;
        if (gw) gw[c] = gw[c]! - gi * tc * lsm;
      }
    }
  }
  if (gw && a.gw) a.gw.set(gw);
}

/** The js backend's loss routines. */
export const lossKernels: Required<LossRoutines> = {
  elementwiseLossForward,
  elementwiseLossBackward,
  nllLossForward,
  nllLossBackward,
  crossEntropyForward,
  crossEntropyBackward,
  crossEntropyGradCoefficients,
  crossEntropyProbForward,
  crossEntropyProbBackward,
};
