/**
 * Reference 2-D convolution kernels (readable loops over contiguous arrays); the arguments are
 * declared in backends/routines/conv2d.ts.
 *
 * Legend: N batch; C input channels, Cg = C/groups per group; H x W input plane; O output
 * channels, Og = O/groups; KH x KW kernel; Ho x Wo output plane; P = Ho*Wo output positions.
 * Layouts (contiguous, offset 0): x [N,C,H,W], w [O,Cg,KH,KW], b [O], y [N,O,Ho,Wo].
 * Output (oh, ow), tap (kh, kw) reads input row ih = oh*sH + kh*dH - pH and column
 * iw = ow*sW + kw*dW - pW; positions outside the plane are zeros.
 *
 * Two strategies, checked against each other in test/nn/conv2d.test.ts:
 *   - direct loops (`conv2dForward`, `conv2dBackward`): per (output plane, input channel, tap),
 *     one axpy over the valid output positions into a float64 plane. They serve small or
 *     depthwise problems, integer dtypes, and are the oracle.
 *   - im2col + gemm: `im2col2d` lays a batch slice's windows out as col [nb, Cg*KH*KW, P], so that
 *     y[n, g] = w[g] [Og, Cg*KH*KW] @ col[n] is one batched gemm on the active backend (its packed,
 *     threaded kernel on native); the backward is gw[g] += gy[n, g] @ col[n]ᵀ and
 *     dcol = w[g]ᵀ @ gy[n, g], scattered back by `col2im2d`. The op glue (ops/conv2d.ts) runs it.
 *
 * Accumulation: the direct loops sum in JS doubles and store once per element.
 */
import type { Col2im2dArgs, Conv2dBackwardArgs, Conv2dForwardArgs, Conv2dGeometry, Conv2dRoutines, Im2col2dArgs } from '../../routines/conv2d.js';

/** First output index whose tap at input offset `off` (= k*D - P) lands at or after 0. */
function firstValid(off: number, S: number): number {
  return off >= 0 ? 0 : Math.ceil(-off / S);
}

/** One past the last output index (capped at n) whose tap at offset `off` lands before `size`. */
function endValid(off: number, S: number, size: number, n: number): number {
  const e = size - off <= 0 ? 0 : Math.ceil((size - off) / S);
  return e < n ? e : n;
}

/** Float64 scratch shared by all calls, grown on demand. */
let acc = new Float64Array(0);

function scratch(n: number): Float64Array {
  if (acc.length < n) acc = new Float64Array(n);
  return acc;
}

/**
 * Per tap k < K of one spatial dim, the output indices [lo, hi) (0 <= lo <= hi <= n) whose input
 * index o*S + k*D - P lies inside [0, size): r[2k] = lo, r[2k + 1] = hi.
 */
function tapRanges(K: number, S: number, D: number, P: number, size: number, n: number): Int32Array {
  const r = new Int32Array(2 * K);
  for (let k = 0; k < K; k++) {
    const off = k * D - P;
    const lo = Math.min(firstValid(off, S), n);
    r[2 * k] = lo;
    r[2 * k + 1] = Math.max(endValid(off, S, size, n), lo);
  }
  return r;
}

/** Valid output ranges per tap for both dims. */
function ranges(a: Conv2dGeometry): { rh: Int32Array; rw: Int32Array } {
  return {
    rh: tapRanges(a.KH, a.strideH, a.dilationH, a.padH, a.H, a.Ho),
    rw: tapRanges(a.KW, a.strideW, a.dilationW, a.padW, a.W, a.Wo),
  };
}

/** Reference forward: per output plane, one axpy per (input channel, tap) into a float64 plane. */
function conv2dForward(a: Conv2dForwardArgs): void {
  const { x, w, b, y, N, C, H, W, O, KH, KW, Ho, Wo, strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  const P = Ho * Wo;
  const plane = scratch(P);
  const { rh, rw } = ranges(a);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = (o / Og) | 0;
      plane.fill(b ? b[o]! : 0, 0, P);
      for (let c = 0; c < Cg; c++) {
        const xc = (n * C + g * Cg + c) * H * W;
        const wc = (o * Cg + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const wv = w[wc + kh * KW + kw]!;
            const loW = rw[2 * kw]!;
            const hiW = rw[2 * kw + 1]!;
            for (let oh = rh[2 * kh]!, hiH = rh[2 * kh + 1]!; oh < hiH; oh++) {
              const xr = xc + (oh * sH + kh * dH - pH) * W + kw * dW - pW;
              const pr = oh * Wo;
              for (let ow = loW; ow < hiW; ow++) plane[pr + ow] += wv * x[xr + ow * sW]!;
            }
          }
        }
      }
      const yo = (n * O + o) * P;
      for (let p = 0; p < P; p++) y[yo + p] = plane[p]!;
    }
  }
}

/** Reference backward: gx by scattering axpys, gw by dot products, gb by plane sums. */
function conv2dBackward(a: Conv2dBackwardArgs): void {
  const { x, w, gy, gx, gw, gb, N, C, H, W, O, KH, KW, Ho, Wo, strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW, groups: G } = a;
  const Cg = C / G;
  const Og = O / G;
  const P = Ho * Wo;
  const HW = H * W;
  const KK = KH * KW;
  // Float64 scratch: [C*H*W] for one sample's gx, then [O*Cg*KK] for gw summed over the batch.
  const nx = gx ? C * HW : 0;
  const nw = gw ? O * Cg * KK : 0;
  const s = scratch(nx + nw);
  if (gw) s.fill(0, nx, nx + nw);
  const { rh, rw } = ranges(a);
  if (gb) {
    for (let o = 0; o < O; o++) {
      let t = 0;
      for (let n = 0; n < N; n++) {
        const yo = (n * O + o) * P;
        for (let p = 0; p < P; p++) t += gy[yo + p]!;
      }
      gb[o] = t;
    }
  }
  for (let n = 0; n < N; n++) {
    if (gx) s.fill(0, 0, nx);
    for (let o = 0; o < O; o++) {
      const g = (o / Og) | 0;
      const yo = (n * O + o) * P;
      for (let c = 0; c < Cg; c++) {
        const xc = (n * C + g * Cg + c) * HW;
        const sc = (g * Cg + c) * HW; // this channel's plane in the gx scratch
        const wc = (o * Cg + c) * KK;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const loW = rw[2 * kw]!;
            const hiW = rw[2 * kw + 1]!;
            const wv = w[wc + kh * KW + kw]!;
            let t = 0;
            for (let oh = rh[2 * kh]!, hiH = rh[2 * kh + 1]!; oh < hiH; oh++) {
              const r = (oh * sH + kh * dH - pH) * W + kw * dW - pW;
              const yr = yo + oh * Wo;
              if (gx) for (let ow = loW; ow < hiW; ow++) s[sc + r + ow * sW] += wv * gy[yr + ow]!;
              if (gw) for (let ow = loW; ow < hiW; ow++) t += gy[yr + ow]! * x[xc + r + ow * sW]!;
            }
            if (gw) s[nx + wc + kh * KW + kw] += t;
          }
        }
      }
    }
    if (gx) {
      const xo = n * C * HW;
      for (let i = 0; i < nx; i++) gx[xo + i] = s[i]!;
    }
  }
  if (gw) for (let i = 0; i < nw; i++) gw[i] = s[nx + i]!;
}

/**
 * True when every col row plane is the input plane shifted (stride 1 both ways, output as wide as
 * the input): the valid rows are then one contiguous block of the input, copied at once, and only
 * the border columns need zeros. This is the usual 'same' convolution of a CNN.
 */
function shiftable(a: Conv2dGeometry): boolean {
  return a.strideH === 1 && a.strideW === 1 && a.Wo === a.W;
}

/** col[i, (c*KH + kh)*KW + kw, oh*Wo + ow] = x[n0 + i, g*Cg + c, ih, iw], zeros outside the plane. */
function im2col2d(a: Im2col2dArgs): void {
  const { x, col, n0, nb, g, C, H, W, KH, KW, Ho, Wo, strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW, groups: G } = a;
  const Cg = C / G;
  const P = Ho * Wo;
  const HW = H * W;
  const { rh, rw } = ranges(a);
  const shift = shiftable(a);
  let r = 0; // the current col row's first element
  for (let i = 0; i < nb; i++) {
    for (let c = 0; c < Cg; c++) {
      const xc = ((n0 + i) * C + g * Cg + c) * HW;
      for (let kh = 0; kh < KH; kh++) {
        const loH = rh[2 * kh]!;
        const hiH = rh[2 * kh + 1]!;
        for (let kw = 0; kw < KW; kw++, r += P) {
          const loW = rw[2 * kw]!;
          const hiW = rw[2 * kw + 1]!;
          if (loH > 0) col.fill(0, r, r + loH * Wo);
          if (hiH < Ho) col.fill(0, r + hiH * Wo, r + P);
          if (shift) {
            // rows [loH, hiH) of this plane are x shifted by s; wrapped border columns are zeroed after
            const s = (kh * dH - pH) * W + kw * dW - pW;
            let d0 = r + loH * W;
            let s0 = xc + loH * W + s;
            let s1 = xc + hiH * W + s;
            if (s0 < xc) {
              d0 += xc - s0;
              s0 = xc;
            }
            if (s1 > xc + HW) s1 = xc + HW;
            if (s1 > s0) col.set(x.subarray(s0, s1), d0);
            for (let oh = loH; oh < hiH; oh++) {
              const pr = r + oh * Wo;
              for (let ow = 0; ow < loW; ow++) col[pr + ow] = 0;
              for (let ow = hiW; ow < Wo; ow++) col[pr + ow] = 0;
            }
            continue;
          }
          for (let oh = loH; oh < hiH; oh++) {
            const pr = r + oh * Wo;
            const xr = xc + (oh * sH + kh * dH - pH) * W + kw * dW - pW;
            let ow = 0;
            for (; ow < loW; ow++) col[pr + ow] = 0;
            if (sW === 1) for (; ow < hiW; ow++) col[pr + ow] = x[xr + ow]!;
            else for (; ow < hiW; ow++) col[pr + ow] = x[xr + ow * sW]!;
            for (; ow < Wo; ow++) col[pr + ow] = 0;
          }
        }
      }
    }
  }
}

/**
 * gx[n0 + i, g*Cg + c, ih, iw] += col[i, (c*KH + kh)*KW + kw, oh*Wo + ow] (the adjoint of im2col2d).
 * In the shiftable case the border columns of col are zeroed first (they belong to no input
 * position), so each row plane adds to the input in one flat loop.
 */
function col2im2d(a: Col2im2dArgs): void {
  const { col, gx, n0, nb, g, C, H, W, KH, KW, Ho, Wo, strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW, groups: G } = a;
  const Cg = C / G;
  const P = Ho * Wo;
  const HW = H * W;
  const { rh, rw } = ranges(a);
  const shift = shiftable(a);
  let r = 0;
  for (let i = 0; i < nb; i++) {
    for (let c = 0; c < Cg; c++) {
      const xc = ((n0 + i) * C + g * Cg + c) * HW;
      for (let kh = 0; kh < KH; kh++) {
        const loH = rh[2 * kh]!;
        const hiH = rh[2 * kh + 1]!;
        for (let kw = 0; kw < KW; kw++, r += P) {
          const loW = rw[2 * kw]!;
          const hiW = rw[2 * kw + 1]!;
          if (shift) {
            for (let oh = loH; oh < hiH; oh++) {
              const pr = r + oh * Wo;
              for (let ow = 0; ow < loW; ow++) col[pr + ow] = 0;
              for (let ow = hiW; ow < Wo; ow++) col[pr + ow] = 0;
            }
            const s = (kh * dH - pH) * W + kw * dW - pW;
            let j0 = loH * W;
            let j1 = hiH * W;
            if (xc + j0 + s < xc) j0 = -s;
            if (xc + j1 + s > xc + HW) j1 = HW - s;
            const off = xc + s;
            for (let j = j0; j < j1; j++) gx[off + j] += col[r + j]!;
            continue;
          }
          for (let oh = loH; oh < hiH; oh++) {
            const pr = r + oh * Wo;
            const xr = xc + (oh * sH + kh * dH - pH) * W + kw * dW - pW;
            for (let ow = loW; ow < hiW; ow++) gx[xr + ow * sW] += col[pr + ow]!;
          }
        }
      }
    }
  }
}

/** The 2-D convolution routines of the js backend. */
export const conv2dKernels: Pick<Required<Conv2dRoutines>, 'conv2dForward' | 'conv2dBackward' | 'im2col2d' | 'col2im2d'> = {
  conv2dForward,
  conv2dBackward,
  im2col2d,
  col2im2d,
};
