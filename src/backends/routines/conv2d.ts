/**
 * The 2-D convolution, pooling and resampling routines of the backend interface: their named
 * arguments (contiguous arrays, offset 0). The js references are backends/js/kernels/conv2d.ts,
 * pool2d.ts and upsample.ts; compiled backends may implement any of them (routine() in
 * backends/routine.ts falls back to the reference on the same memory).
 *
 * Letters: N batch, C input channels, H x W input plane, O output channels, KH x KW kernel,
 * Ho x Wo output plane, R = N*C planes of a pooling or resampling problem. The 1-D layers
 * (ConvTranspose1d, the 1-D adaptive pools, linear and 1-D nearest upsampling) run as 2-D
 * problems with H = Ho = KH = 1.
 */
import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Geometry of a 2-D convolution: x [N,C,H,W], w [O,C/groups,KH,KW], b [O], y [N,O,Ho,Wo].
 * Output (oh, ow), tap (kh, kw) reads x at (oh*strideH + kh*dilationH - padH,
 * ow*strideW + kw*dilationW - padW); positions outside the plane are zeros, so the bottom and
 * right padding are implied by Ho and Wo (which is how padding='same' adds its extra zero).
 */
export interface Conv2dGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  Ho: number;
  Wo: number;
  strideH: number;
  strideW: number;
  /** Top zero padding. */
  padH: number;
  /** Left zero padding. */
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Arguments of `conv2dForward`: y = conv2d(x, w) + b (y overwritten). */
export interface Conv2dForwardArgs extends Conv2dGeometry {
  x: FloatArray;
  w: FloatArray;
  b: FloatArray | null;
  y: FloatArray;
}

/** Arguments of `conv2dBackward`: the non-null gradients gx [N,C,H,W], gw, gb are overwritten. */
export interface Conv2dBackwardArgs extends Conv2dGeometry {
  x: FloatArray;
  w: FloatArray;
  gy: FloatArray;
  gx: FloatArray | null;
  gw: FloatArray | null;
  gb: FloatArray | null;
}

/**
 * Arguments of `im2col2d`: for samples n0 .. n0+nb-1 and the input channels of group g,
 * col[i, (c*KH + kh)*KW + kw, oh*Wo + ow] = x[n0+i, g*Cg + c, ih, iw] (0 outside the plane);
 * col is [nb, Cg*KH*KW, Ho*Wo], overwritten. The convolution is then one batched gemm.
 */
export interface Im2col2dArgs extends Conv2dGeometry {
  x: FloatArray;
  col: FloatArray;
  n0: number;
  nb: number;
  g: number;
}

/**
 * Arguments of `col2im2d`, the adjoint of im2col2d: gx[n0+i, g*Cg + c, ih, iw] += col[i, ...].
 * `col` is scratch: entries that map to no input position may be overwritten.
 */
export interface Col2im2dArgs extends Conv2dGeometry {
  col: FloatArray;
  gx: FloatArray;
  n0: number;
  nb: number;
  g: number;
}

/**
 * Geometry of a 2-D max or average pool over R contiguous [H,W] planes -> [Ho,Wo]. The window of
 * output (oh, ow) starts at (oh*strideH - padH, ow*strideW - padW). `dilation*` is used by max
 * only; `countIncludePad` and `divisorOverride` (0: none) by avg only.
 */
export interface Pool2dGeometry {
  mode: 'max' | 'avg';
  R: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  countIncludePad: boolean;
  divisorOverride: number;
}

/** Arguments of `pool2dForward`; max also writes the argmax positions (ih*W + iw) to `indices`. */
export interface Pool2dForwardArgs extends Pool2dGeometry {
  x: FloatArray;
  y: FloatArray;
  /** int64 storage [R, Ho*Wo]; required for max. */
  indices: Float64Array | null;
}

/** Arguments of `pool2dBackward`: gx [R,H,W] is overwritten. */
export interface Pool2dBackwardArgs extends Pool2dGeometry {
  gy: FloatArray;
  gx: FloatArray;
  /** The forward's argmax positions; required for max. */
  indices: Float64Array | null;
}

/**
 * Geometry of an adaptive pool over R [H,W] planes -> [Ho,Wo]: output row oh covers input rows
 * [floor(oh*H/Ho), ceil((oh+1)*H/Ho)), and likewise for columns.
 */
export interface AdaptivePool2dGeometry {
  mode: 'max' | 'avg';
  R: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
}

/** Arguments of `adaptivePool2dForward`; max also writes the argmax positions (ih*W + iw). */
export interface AdaptivePool2dForwardArgs extends AdaptivePool2dGeometry {
  x: FloatArray;
  y: FloatArray;
  /** int64 storage [R, Ho*Wo]; required for max. */
  indices: Float64Array | null;
}

/** Arguments of `adaptivePool2dBackward`: gx [R,H,W] is overwritten. */
export interface AdaptivePool2dBackwardArgs extends AdaptivePool2dGeometry {
  gy: FloatArray;
  gx: FloatArray;
  indices: Float64Array | null;
}

/**
 * Geometry of a nearest or (bi)linear resampling of R [H,W] planes to [Ho,Wo], PyTorch's
 * upsample_nearest2d / upsample_bilinear2d (and their 1-D forms with H = Ho = 1). `scaleH` and
 * `scaleW` are the user's scale factors when PyTorch passes them to the kernel, else 0 (the
 * kernel then uses H/Ho and W/Wo).
 */
export interface Upsample2dGeometry {
  mode: 'nearest' | 'linear';
  R: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  alignCorners: boolean;
  scaleH: number;
  scaleW: number;
}

/** Arguments of `upsample2dForward`: y [R,Ho,Wo] overwritten. */
export interface Upsample2dForwardArgs extends Upsample2dGeometry {
  x: FloatArray;
  y: FloatArray;
}

/** Arguments of `upsample2dBackward`: gx [R,H,W] overwritten. */
export interface Upsample2dBackwardArgs extends Upsample2dGeometry {
  gy: FloatArray;
  gx: FloatArray;
}

/** The 2-D convolution family (all optional: the js backend implements every one). */
export interface Conv2dRoutines {
  /** Direct 2-D convolution forward (the reference; the op prefers im2col + gemm when large). */
  conv2dForward?(a: Conv2dForwardArgs): void;
  /** Direct 2-D convolution backward. */
  conv2dBackward?(a: Conv2dBackwardArgs): void;
  /** Input windows of a batch slice and group as gemm operands. */
  im2col2d?(a: Im2col2dArgs): void;
  /** Scatter-add of window gradients back to the input gradient. */
  col2im2d?(a: Col2im2dArgs): void;
  /** 2-D max / average pooling forward. */
  pool2dForward?(a: Pool2dForwardArgs): void;
  /** 2-D max / average pooling backward. */
  pool2dBackward?(a: Pool2dBackwardArgs): void;
  /** Adaptive max / average pooling forward. */
  adaptivePool2dForward?(a: AdaptivePool2dForwardArgs): void;
  /** Adaptive max / average pooling backward. */
  adaptivePool2dBackward?(a: AdaptivePool2dBackwardArgs): void;
  /** Nearest / (bi)linear resampling forward. */
  upsample2dForward?(a: Upsample2dForwardArgs): void;
  /** Nearest / (bi)linear resampling backward. */
  upsample2dBackward?(a: Upsample2dBackwardArgs): void;
}
