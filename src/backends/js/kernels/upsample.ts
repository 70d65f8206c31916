/**
 * Reference resampling kernels: nearest and (bi)linear interpolation of R contiguous [H,W] planes
 * to [Ho,Wo] and their backward passes (the arguments are declared in backends/routines/conv2d.ts).
 * Source positions and weights follow PyTorch's CPU kernels (UpSample.h: nearest_idx,
 * area_pixel_compute_scale, area_pixel_compute_source_index, compute_source_index_and_lambda),
 * including their float32 arithmetic for float32 planes (`fround` where PyTorch computes in float).
 *
 * Legend: (ih, iw) input, (oh, ow) output positions; h0/h1 (w0/w1) the two source rows (columns)
 * of a linear tap and lh0/lh1 (lw0/lw1) their weights. The 1-D forms run with H = Ho = 1.
 */
import type { Conv2dRoutines, Upsample2dBackwardArgs, Upsample2dForwardArgs, Upsample2dGeometry } from '../../routines/conv2d.js';

type Round = (v: number) => number;
const same: Round = (v) => v;

/** PyTorch's nearest_idx: the source index of output `o` (the scale is always a float there). */
function nearestIndex(o: number, size: number, n: number, scale: number): number {
  if (n === size) return o;
  if (n === 2 * size) return o >> 1;
  const s = Math.fround(scale > 0 ? 1 / scale : size / n);
  return Math.min(Math.floor(Math.fround(o * s)), size - 1);
}

/** Source indices and weights of one dim: idx [2n] (i0, i1), lam [2n] (l0, l1). */
function linearTaps(size: number, n: number, alignCorners: boolean, scale: number, round: Round): { idx: Int32Array; lam: Float64Array } {
  const idx = new Int32Array(2 * n);
  const lam = new Float64Array(2 * n);
  // area_pixel_compute_scale, in the kernel's opmath type (float for float32 planes)
  const ratio = alignCorners ? (n > 1 ? round((size - 1) / (n - 1)) : 0) : scale > 0 ? round(1 / scale) : round(size / n);
  for (let o = 0; o < n; o++) {
    if (n === size) {
      idx[2 * o] = o;
      idx[2 * o + 1] = o;
      lam[2 * o] = 1;
      lam[2 * o + 1] = 0;
      continue;
    }
    let real: number;
    if (alignCorners) real = round(ratio * o);
    else {
      real = round(ratio * (o + 0.5) - 0.5);
      if (real < 0) real = 0;
    }
    const i0 = Math.trunc(real);
    idx[2 * o] = i0;
    idx[2 * o + 1] = i0 + (i0 < size - 1 ? 1 : 0);
    const l1 = Math.min(Math.max(round(real - i0), 0), 1);
    lam[2 * o] = round(1 - l1);
    lam[2 * o + 1] = l1;
  }
  return { idx, lam };
}

/** Per-dim taps of a problem: nearest uses only idx (i0 = i1, weights 1 and 0). */
function tapsOf(a: Upsample2dGeometry, size: number, n: number, scale: number, round: Round): { idx: Int32Array; lam: Float64Array } {
  if (a.mode === 'linear') return linearTaps(size, n, a.alignCorners, scale, round);
  const idx = new Int32Array(2 * n);
  const lam = new Float64Array(2 * n);
  for (let o = 0; o < n; o++) {
    const i = nearestIndex(o, size, n, scale);
    idx[2 * o] = i;
    idx[2 * o + 1] = i;
    lam[2 * o] = 1;
  }
  return { idx, lam };
}

/** y[r, oh, ow] = sum over the two rows and two columns of x * lh * lw (rows outer, as PyTorch). */
function upsample2dForward(a: Upsample2dForwardArgs): void {
  const { x, y, R, H, W, Ho, Wo } = a;
  const round = x instanceof Float32Array ? Math.fround : same;
  const th = tapsOf(a, H, Ho, a.scaleH, round);
  const tw = tapsOf(a, W, Wo, a.scaleW, round);
  const nearest = a.mode === 'nearest';
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = xr + th.idx[2 * oh]! * W;
      const r1 = xr + th.idx[2 * oh + 1]! * W;
      const lh0 = th.lam[2 * oh]!;
      const lh1 = th.lam[2 * oh + 1]!;
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const w0 = tw.idx[2 * ow]!;
        if (nearest) {
          y[yo] = x[r0 + w0]!;
          continue;
        }
        const w1 = tw.idx[2 * ow + 1]!;
        const lw0 = tw.lam[2 * ow]!;
        const lw1 = tw.lam[2 * ow + 1]!;
        const t0 = round(round(x[r0 + w0]! * lw0) + round(x[r0 + w1]! * lw1));
        const t1 = round(round(x[r1 + w0]! * lw0) + round(x[r1 + w1]! * lw1));
        y[yo] = round(t0 * lh0) + round(t1 * lh1);
      }
    }
  }
}

/** gx (overwritten) += gy spread back with the forward's weights, in output order. */
function upsample2dBackward(a: Upsample2dBackwardArgs): void {
  const { gy, gx, R, H, W, Ho, Wo } = a;
  const round = gx instanceof Float32Array ? Math.fround : same;
  const th = tapsOf(a, H, Ho, a.scaleH, round);
  const tw = tapsOf(a, W, Wo, a.scaleW, round);
  const nearest = a.mode === 'nearest';
  gx.fill(0);
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = xr + th.idx[2 * oh]! * W;
      const r1 = xr + th.idx[2 * oh + 1]! * W;
      const lh0 = th.lam[2 * oh]!;
      const lh1 = th.lam[2 * oh + 1]!;
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const g = gy[yo]!;
        const w0 = tw.idx[2 * ow]!;
        if (nearest) {
          gx[r0 + w0] += g;
          continue;
        }
        const w1 = tw.idx[2 * ow + 1]!;
        const lw0 = tw.lam[2 * ow]!;
        const lw1 = tw.lam[2 * ow + 1]!;
        gx[r0 + w0] += round(lh0 * lw0) * g;
        gx[r0 + w1] += round(lh0 * lw1) * g;
        gx[r1 + w0] += round(lh1 * lw0) * g;
        gx[r1 + w1] += round(lh1 * lw1) * g;
      }
    }
  }
}

/** The resampling routines of the js backend. */
export const upsampleKernels: Pick<Required<Conv2dRoutines>, 'upsample2dForward' | 'upsample2dBackward'> = {
  upsample2dForward,
  upsample2dBackward,
};
