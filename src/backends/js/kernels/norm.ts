/**
 * Reference norm kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/norm.ts. Statistics and weight gradients accumulate in float64, like
 * PyTorch's CPU kernels.
 */
import type {
  BatchNormBackwardArgs,
  BatchNormForwardArgs,
  LayerNormBackwardArgs,
  LayerNormForwardArgs,
  NormRoutines,
  VectorNormArgs,
} from '../../routines/norm.js';

/** Layer norm forward: per row, mean and biased variance, then (x - mean) * rstd * w + b. */
function layerNormForward(a: LayerNormForwardArgs): void {
  const { M: m, N: n, eps, x: X, weight: W, bias: B, y: Y, mean, rstd } = a;
  for (let r = 0; r < m; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += X[o + j]!;
    const mu = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = X[o + j]! - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < n; j++) {
      let val = (X[o + j]! - mu) * rs;
      if (W) val *= W[j]!;
      if (B) val += B[j]!;
      Y[o + j] = val;
    }
  }
}

/** Layer norm backward: dx = rstd * (g*w - mean(g*w) - xhat * mean(g*w*xhat)); dw = sum(g*xhat), db = sum(g). */
function layerNormBackward(a: LayerNormBackwardArgs): void {
  const { M: m, N: n, x: X, weight: W, mean, rstd, gy: G, gx: DX, gWeight: dw, gBias: db } = a;
  dw.fill(0);
  db.fill(0);
  for (let r = 0; r < m; r++) {
    const o = r * n;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let sa = 0;
    let sb = 0;
    for (let j = 0; j < n; j++) {
      const gj = G[o + j]!;
      const xhat = (X[o + j]! - mu) * rs;
      const gw = W ? gj * W[j]! : gj;
      sa += gw;
      sb += gw * xhat;
      dw[j] += gj * xhat;
      db[j] += gj;
    }
    sa /= n;
    sb /= n;
    for (let j = 0; j < n; j++) {
      const gj = G[o + j]!;
      const xhat = (X[o + j]! - mu) * rs;
      const gw = W ? gj * W[j]! : gj;
      DX[o + j] = rs * (gw - sa - xhat * sb);
    }
  }
}

/** Batch norm forward: per channel statistics (or the running ones), the running update, then y. */
function batchNormForward(a: BatchNormForwardArgs): void {
  const { N: nb, C: c, L: l, eps, momentum, x: X, weight, bias, runningMean: rm, runningVar: rv, y: Y, mean, invstd } = a;
  const cnt = nb * l;
  if (a.training) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let i = 0; i < nb; i++) {
        const o = (i * c + ch) * l;
        for (let k = 0; k < l; k++) s += X[o + k]!;
      }
      const mu = s / cnt;
      let v = 0;
      for (let i = 0; i < nb; i++) {
        const o = (i * c + ch) * l;
        for (let k = 0; k < l; k++) {
          const d = X[o + k]! - mu;
          v += d * d;
        }
      }
      mean[ch] = mu;
      invstd[ch] = 1 / Math.sqrt(v / cnt + eps);
      // running statistics: momentum update, with the unbiased variance
      if (rm) rm[ch] = momentum * mu + (1 - momentum) * rm[ch]!;
      if (rv) rv[ch] = momentum * (v / (cnt - 1)) + (1 - momentum) * rv[ch]!;
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = rm![ch]!;
      invstd[ch] = 1 / Math.sqrt(rv![ch]! + eps);
    }
  }
  for (let ch = 0; ch < c; ch++) {
    const w = weight ? weight[ch]! : 1;
    const b = bias ? bias[ch]! : 0;
    const mu = mean[ch]!;
    const is = invstd[ch]!;
    for (let i = 0; i < nb; i++) {
      const o = (i * c + ch) * l;
      for (let k = 0; k < l; k++) Y[o + k] = (X[o + k]! - mu) * is * w + b;
    }
  }
}

/**
 * Batch norm backward: dw = sum(g * xhat), db = sum(g) per channel; dx in training
 * w * invstd / n * (n * g - sum(g) - xhat * sum(g * xhat)), in evaluation g * w * invstd.
 */
function batchNormBackward(a: BatchNormBackwardArgs): void {
  const { N: nb, C: c, L: l, x: X, weight, mean, invstd, gy: G, gx: DX, gWeight: dw, gBias: db } = a;
  const cnt = nb * l;
  for (let ch = 0; ch < c; ch++) {
    const mu = mean[ch]!;
    const is = invstd[ch]!;
    const w = weight ? weight[ch]! : 1;
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < nb; i++) {
      const o = (i * c + ch) * l;
      for (let k = 0; k < l; k++) {
        const gj = G[o + k]!;
        sg += gj;
        sgx += gj * (X[o + k]! - mu) * is;
      }
    }
    dw[ch] = sgx;
    db[ch] = sg;
    if (a.training) {
      const k0 = (w * is) / cnt;
      for (let i = 0; i < nb; i++) {
        const o = (i * c + ch) * l;
        for (let k = 0; k < l; k++) {
          const xhat = (X[o + k]! - mu) * is;
          DX[o + k] = k0 * (cnt * G[o + k]! - sg - xhat * sgx);
        }
      }
    } else {
      const k0 = w * is;
      for (let i = 0; i < nb; i++) {
        const o = (i * c + ch) * l;
        for (let k = 0; k < l; k++) DX[o + k] = G[o + k]! * k0;
      }
    }
  }
}

/** `torch.norm(x, p)` over the elements of `d`, in double precision (0 for no elements). */
function norm(d: ArrayLike<number>, p: number): number {
  const n = d.length;
  if (p === Infinity || p === -Infinity) {
    if (n === 0) return 0;
    let m = Math.abs(d[0]!);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(d[i]!);
      if (Number.isNaN(a) || Number.isNaN(m)) m = NaN;
      else if (p > 0 ? a > m : a < m) m = a;
    }
    return m;
  }
  let s = 0;
  if (p === 0) {
    for (let i = 0; i < n; i++) if (d[i] !== 0) s += 1;
    return s;
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) s += Math.abs(d[i]!);
    return s;
  }
  if (p === 2) {
    for (let i = 0; i < n; i++) s += d[i]! * d[i]!;
    return Math.sqrt(s);
  }
  for (let i = 0; i < n; i++) s += Math.abs(d[i]!) ** p;
  return s ** (1 / p);
}

/** `vectorNorm`: the norm of all elements into out[0]. */
function vectorNorm({ x, p, out }: VectorNormArgs): void {
  out[0] = norm(x, p);
}

/** The js backend's norm routines. */
export const normKernels: Required<NormRoutines> = { layerNormForward, layerNormBackward, batchNormForward, batchNormBackward, vectorNorm };
