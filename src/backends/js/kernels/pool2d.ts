/**
 * Reference 2-D pooling kernels (readable loops over contiguous arrays); the arguments are declared
 * in backends/routines/conv2d.ts. Windows and tie rules are those of PyTorch's CPU kernels
 * (cpu_max_pool, cpu_avg_pool, cpu_adaptive_avg_pool, cpu_adaptive_max_pool).
 *
 * Legend: R planes of H x W input, Ho x Wo output; (ih, iw) input, (oh, ow) output positions.
 * An index is a position inside its plane, ih*W + iw (what PyTorch's `indices` hold).
 * Max: a NaN always replaces the running maximum (PyTorch's `(val > maxval) || isnan(val)`), so
 * the last NaN of a window wins; otherwise the first maximum wins.
 * Avg sums run in JS doubles and are divided once.
 */
import type {
  AdaptivePool2dBackwardArgs,
  AdaptivePool2dForwardArgs,
  Conv2dRoutines,
  Pool2dBackwardArgs,
  Pool2dForwardArgs,
  Pool2dGeometry,
} from '../../routines/conv2d.js';

/**
 * The average-pool window of output (oh, ow): the sum's bounds clipped to the plane, and the divisor
 * (PyTorch: the window clipped to the padded plane when counting the padding, else to the plane,
 * unless overridden). Returns the divisor, 0 for an empty window.
 */
function avgWindow(a: Pool2dGeometry, oh: number, ow: number, b: Int32Array): number {
  let h0 = oh * a.strideH - a.padH;
  let w0 = ow * a.strideW - a.padW;
  let h1 = Math.min(h0 + a.KH, a.H + a.padH);
  let w1 = Math.min(w0 + a.KW, a.W + a.padW);
  const poolSize = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, a.H);
  w1 = Math.min(w1, a.W);
  b[0] = h0;
  b[1] = h1;
  b[2] = w0;
  b[3] = w1;
  if (h0 >= h1 || w0 >= w1) return 0;
  if (a.divisorOverride) return a.divisorOverride;
  return a.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
}

/**
 * The max-pool windows of one dim, the same for every plane: output o covers input positions
 * w[2o], w[2o] + D, ... < w[2o + 1] (the first tap moved inside the input by whole dilation steps).
 */
function maxWindows(n: number, size: number, K: number, S: number, P: number, D: number): Int32Array {
  const w = new Int32Array(2 * n);
  for (let o = 0; o < n; o++) {
    let start = o * S - P;
    const end = Math.min(start + (K - 1) * D + 1, size);
    while (start < 0) start += D;
    w[2 * o] = start;
    w[2 * o + 1] = end;
  }
  return w;
}

/** Max pooling: y and the argmax positions, per plane, with windows computed once per dim. */
function maxPoolForward(a: Pool2dForwardArgs): void {
  const { x, y, R, H, W, Ho, Wo, dilationH: dH, dilationW: dW } = a;
  const ind = a.indices!;
  const wh = maxWindows(Ho, H, a.KH, a.strideH, a.padH, dH);
  const ww = maxWindows(Wo, W, a.KW, a.strideW, a.padW, dW);
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = wh[2 * oh]!;
      const h1 = wh[2 * oh + 1]!;
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const w0 = ww[2 * ow]!;
        const w1 = ww[2 * ow + 1]!;
        let m = -Infinity;
        let mi = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += dH) {
          const row = ih * W;
          for (let iw = w0; iw < w1; iw += dW) {
            const v = x[xr + row + iw]!;
            if (v > m || v !== v) {
              m = v;
              mi = row + iw;
            }
          }
        }
        y[yo] = m;
        ind[yo] = mi;
      }
    }
  }
}

/** y [R,Ho,Wo] (and the argmax positions for max) from x [R,H,W]. */
function pool2dForward(a: Pool2dForwardArgs): void {
  if (a.mode === 'max') {
    maxPoolForward(a);
    return;
  }
  const { x, y, R, H, W, Ho, Wo } = a;
  const b = bounds;
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const div = avgWindow(a, oh, ow, b);
        if (div === 0) {
          y[yo] = 0;
          continue;
        }
        let t = 0;
        for (let ih = b[0]!; ih < b[1]!; ih++) for (let iw = b[2]!; iw < b[3]!; iw++) t += x[xr + ih * W + iw]!;
        y[yo] = t / div;
      }
    }
  }
}

const bounds = new Int32Array(4);

/** gx (overwritten) from gy: max adds to the saved argmax, avg spreads gy/divisor over the window. */
function pool2dBackward(a: Pool2dBackwardArgs): void {
  const { gy, gx, R, H, W, Ho, Wo } = a;
  const b = bounds;
  gx.fill(0);
  if (a.mode === 'max') {
    const ind = a.indices!;
    const P = Ho * Wo;
    for (let r = 0; r < R; r++) {
      const xr = r * H * W;
      for (let yo = r * P, e = yo + P; yo < e; yo++) gx[xr + ind[yo]!] += gy[yo]!;
    }
    return;
  }
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const div = avgWindow(a, oh, ow, b);
        if (div === 0) continue;
        const v = gy[yo]! / div;
        for (let ih = b[0]!; ih < b[1]!; ih++) for (let iw = b[2]!; iw < b[3]!; iw++) gx[xr + ih * W + iw] += v;
      }
    }
  }
}

/** PyTorch's adaptive window start: floor(o * size / n). */
function startIndex(o: number, n: number, size: number): number {
  return Math.floor((o * size) / n);
}

/** PyTorch's adaptive window end: ceil((o + 1) * size / n). */
function endIndex(o: number, n: number, size: number): number {
  return Math.ceil(((o + 1) * size) / n);
}

/** Adaptive pooling: y [R,Ho,Wo] (and argmax positions for max) from x [R,H,W]. */
function adaptivePool2dForward(a: AdaptivePool2dForwardArgs): void {
  const { x, y, R, H, W, Ho, Wo } = a;
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = startIndex(oh, Ho, H);
      const h1 = endIndex(oh, Ho, H);
      for (let ow = 0; ow < Wo; ow++, yo++) {
        const w0 = startIndex(ow, Wo, W);
        const w1 = endIndex(ow, Wo, W);
        if (a.mode === 'max') {
          let m = -Infinity;
          let mi = h0 * W + w0;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) {
              const v = x[xr + ih * W + iw]!;
              if (v > m || v !== v) {
                m = v;
                mi = ih * W + iw;
              }
            }
          }
          y[yo] = m;
          a.indices![yo] = mi;
        } else {
          let t = 0;
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) t += x[xr + ih * W + iw]!;
          y[yo] = t / ((h1 - h0) * (w1 - w0));
        }
      }
    }
  }
}

/** Adaptive pooling backward: gx (overwritten) from gy. */
function adaptivePool2dBackward(a: AdaptivePool2dBackwardArgs): void {
  const { gy, gx, R, H, W, Ho, Wo } = a;
  gx.fill(0);
  for (let r = 0; r < R; r++) {
    const xr = r * H * W;
    let yo = r * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = startIndex(oh, Ho, H);
      const h1 = endIndex(oh, Ho, H);
      for (let ow = 0; ow < Wo; ow++, yo++) {
        if (a.mode === 'max') {
          gx[xr + a.indices![yo]!] += gy[yo]!;
          continue;
        }
        const w0 = startIndex(ow, Wo, W);
        const w1 = endIndex(ow, Wo, W);
        const v = gy[yo]! / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gx[xr + ih * W + iw] += v;
      }
    }
  }
}

/** The 2-D pooling routines of the js backend. */
export const pool2dKernels: Pick<Required<Conv2dRoutines>, 'pool2dForward' | 'pool2dBackward' | 'adaptivePool2dForward' | 'adaptivePool2dBackward'> = {
  pool2dForward,
  pool2dBackward,
  adaptivePool2dForward,
  adaptivePool2dBackward,
};
