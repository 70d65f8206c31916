/**
 * Resampling: `interpolate` (nearest, linear, bilinear and area) as PyTorch 1.13's
 * torch.nn.functional.interpolate, over the upsample2d routines (js/kernels/upsample.ts): one
 * autograd op per mode family, 1-D problems run as planes of height 1. 'area' is adaptive average
 * pooling, as in PyTorch.
 *
 * Deviation: the backward passes run outside the graph, so double backward throws.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import type { Upsample2dGeometry } from '../backends/routines/conv2d.js';
import { routine } from '../backends/routine.js';
import { NotImplementedError, RuntimeError, ValueError } from '../errors.js';
import { pyFloat } from '../format.js';
import { emptyTensor } from '../tensor/create.js';
import { type FloatArray, scalarTypeName } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, describeValue } from '../validate.js';
import { noDoubleBackward, shapeStr } from './conv.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from './pool2d.js';
import { backendOf, checkTensor, dense } from './util.js';

/** The interpolation modes torchlet implements. */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'area';

/** Options of `interpolate` (PyTorch's keyword arguments). */
export interface InterpolateOptions {
  /** Output spatial size: an int for every dim or one per dim. Exclusive with `scaleFactor`. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size: one for every dim or one per dim. Exclusive with `size`. */
  scaleFactor?: number | readonly number[] | null;
  /** 'nearest' (default), 'linear' (3-D input), 'bilinear' (4-D input) or 'area'. */
  mode?: InterpolateMode;
  /** Linear modes only: align the corner pixels' centres instead of their edges (default false). */
  alignCorners?: boolean | null;
  /** Compute the output size from `scaleFactor`, then interpolate from the sizes alone (default: use the factor itself). */
  recomputeScaleFactor?: boolean | null;
  /** Not supported except false (PyTorch's anti-aliasing applies to bilinear and bicubic only). */
  antialias?: boolean;
}

interface ResampleState {
  inShape: readonly number[];
  geom: Upsample2dGeometry;
}

/** One resampling op per mode, under PyTorch's node name. */
function resampleOp(name: string, nodeName: string) {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<ResampleState>, x: Tensor, g: Omit<Upsample2dGeometry, 'R'>, outShape: number[]): Tensor {
      const y = emptyTensor(outShape, x.dtype);
      const geom = { ...g, R: g.H * g.W === 0 ? 0 : x.numel() / (g.H * g.W) };
      routine('upsample2dForward', backendOf(x))({ ...geom, x: dense(x), y: y.storage.data as FloatArray });
      ctx.inShape = x.shape;
      ctx.geom = geom;
      return y;
    },
    backward(ctx, [gy]) {
      noDoubleBackward(name);
      const gx = emptyTensor(ctx.inShape, gy!.dtype);
      routine('upsample2dBackward', backendOf(gx))({ ...ctx.geom, gy: dense(gy!), gx: gx.storage.data as FloatArray });
      return [gx];
    },
  });
}

const OPS = {
  nearest1: resampleOp('upsample_nearest1d', 'UpsampleNearest1DBackward1'),
  nearest2: resampleOp('upsample_nearest2d', 'UpsampleNearest2DBackward1'),
  linear1: resampleOp('upsample_linear1d', 'UpsampleLinear1DBackward1'),
  linear2: resampleOp('upsample_bilinear2d', 'UpsampleBilinear2DBackward1'),
};

/** A size or scale argument as one value per spatial dim, with Python's ValueError when the counts differ. */
function perDim<T extends number>(v: T | readonly T[], dim: number, input: Tensor, what: 'size' | 'scale_factor'): T[] {
  if (!Array.isArray(v)) return new Array<T>(dim).fill(v as T);
  const xs = v as readonly T[];
  if (xs.length !== dim) {
    const spatial = `[${input.shape.slice(2).join(', ')}]`;
    const got = `[${xs.map((s) => (what === 'size' ? String(s) : pyFloat(s))).join(', ')}]`;
    throw new ValueError(
      what === 'size'
        ? `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${spatial} and output size of ${got}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`
        : `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${spatial} and scale_factor of shape ${got}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
    );
  }
  return [...xs];
}

/**
 * Resamples [N, C, L] or [N, C, H, W] input to a new spatial size, like
 * `torch.nn.functional.interpolate`: `size` or `scaleFactor` (exactly one), `mode` 'nearest'
 * (PyTorch's legacy nearest: source = floor(dst * scale)), 'linear' / 'bilinear' (with
 * `alignCorners`), or 'area' (adaptive average pooling). A given scale factor is used as is by the
 * kernels unless `recomputeScaleFactor`, as in PyTorch 1.13.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.interpolate.html
 * @example F.interpolate(torch.randn(1, 3, 4, 4), { scaleFactor: 2, mode: 'bilinear' }).shape // [1, 3, 8, 8]
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  checkTensor('input', input);
  opts = checkOptions<InterpolateOptions>('interpolate()', opts, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias']);
  const mode = opts.mode ?? 'nearest';
  if (typeof mode !== 'string') throw new TypeError(`interpolate(): argument 'mode' must be str, not ${describeValue(mode)}`);
  let alignCorners = opts.alignCorners ?? null;
  if (mode === 'nearest' || mode === 'area' || (mode as string) === 'nearest-exact') {
    if (alignCorners !== null) {
      throw new ValueError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
    }
  } else if (alignCorners === null) {
    alignCorners = false;
  }
  const dim = input.dim() - 2;
  const size = opts.size ?? null;
  const scale = opts.scaleFactor ?? null;
  let outSize: number[] | null = null;
  let scales: number[] | null = null;
  if (size !== null && scale !== null) throw new ValueError('only one of size or scale_factor should be defined');
  else if (size !== null) outSize = perDim(size, Math.max(dim, 0), input, 'size');
  else if (scale !== null) scales = perDim(scale, Math.max(dim, 0), input, 'scale_factor');
  else throw new ValueError('either size or scale_factor should be defined');
  let recompute = opts.recomputeScaleFactor ?? null;
  if (recompute === true && size !== null) throw new ValueError('recompute_scale_factor is not meaningful with an explicit size.');
  if (mode === 'area' && outSize === null) recompute = true;
  if (recompute === true && scales !== null) {
    outSize = scales.map((s, i) => Math.floor(input.shape[i + 2]! * s));
    scales = null;
  }
  if (opts.antialias === true && !(mode === 'bilinear' && input.dim() === 4)) {
    throw new ValueError('Anti-alias option is only supported for bilinear and bicubic modes');
  }
  const nd = input.dim();
  if (mode === 'area' && (nd === 3 || nd === 4)) {
    return nd === 3 ? adaptiveAvgPool1d(input, outSize!) : adaptiveAvgPool2d(input, outSize!);
  }
  if ((mode === 'nearest' && (nd === 3 || nd === 4)) || (mode === 'linear' && nd === 3) || (mode === 'bilinear' && nd === 4)) {
    if (opts.antialias === true) {
      // Deviation: PyTorch's anti-aliased bilinear kernel (_upsample_bilinear2d_aa) is not implemented.
      throw new NotImplementedError("torchlet's interpolate does not implement antialias=True");
    }
    return resample(input, mode === 'nearest' ? 'nearest' : 'linear', outSize, scales, alignCorners === true);
  }
  const given = `${nd}D`;
  if (mode === 'bilinear' && nd === 3) throw new NotImplementedError(`Got ${given} input, but bilinear mode needs 4D input`);
  if (mode === 'linear' && nd === 4) throw new NotImplementedError(`Got ${given} input, but linear mode needs 3D input`);
  if (nd === 5 || ['bicubic', 'trilinear', 'nearest-exact'].includes(mode)) {
    // Deviation: PyTorch also has bicubic, trilinear, nearest-exact and 5-D (volumetric) input.
    throw new NotImplementedError(`torchlet's interpolate implements mode 'nearest', 'linear', 'bilinear' and 'area' on 3-D and 4-D input (got ${given}, mode '${mode}')`);
  }
  throw new NotImplementedError(
    `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${given}) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
  );
}

/** upsample_{nearest,linear}{1,2}d: PyTorch's output size, its checks, then the op. */
function resample(x: Tensor, mode: 'nearest' | 'linear', outSize: number[] | null, scales: number[] | null, alignCorners: boolean): Tensor {
  const nd = x.dim();
  const spatial = x.shape.slice(2);
  // compute_output_size: a given scale gives trunc(size * scale)
  const out = outSize ?? spatial.map((s, i) => Math.trunc(s * scales![i]!));
  const names = nd === 3 ? ['W'] : ['H', 'W'];
  if (spatial.some((s) => s <= 0) || out.some((s) => s <= 0)) {
    const fmt = (xs: readonly number[]): string => xs.map((s, i) => `${names[i]}: ${s}`).join(', ');
    throw new RuntimeError(`Input and output sizes should be greater than 0, but got input (${fmt(spatial)})${nd === 4 ? '' : ' and'} output (${fmt(out)})`);
  }
  if (x.numel() === 0 && x.shape.slice(1).some((s) => s === 0)) {
    throw new RuntimeError(`Non-empty ${nd}D data tensor expected but got a tensor with sizes ${shapeStr(x.shape)}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new RuntimeError(`"compute_indices_weights_${mode}" not implemented for '${scalarTypeName(x.dtype)}'`);
  }
  const [H, Ho] = nd === 3 ? [1, 1] : [spatial[0]!, out[0]!];
  const [W, Wo] = [spatial[nd - 3]!, out[nd - 3]!];
  const scaleOf = (i: number): number => (scales ? scales[i]! : 0);
  const geom = { mode, H, W, Ho, Wo, alignCorners, scaleH: nd === 3 ? 0 : scaleOf(0), scaleW: scaleOf(nd - 3) };
  const op = OPS[`${mode}${nd === 3 ? 1 : 2}`];
  return op(x, geom, [x.shape[0]!, x.shape[1]!, ...out]);
}
