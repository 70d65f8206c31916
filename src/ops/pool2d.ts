/**
 * 2-D and adaptive pooling: `maxPool2d`, `avgPool2d`, `adaptiveAvgPool1d/2d`, `adaptiveMaxPool1d/2d`.
 * Each is one autograd op whose forward and backward call the backend's pooling routines
 * (js/kernels/pool2d.ts) on contiguous [R, H, W] planes; the public functions check arguments in
 * PyTorch 1.13's order and wording (max_pool2d_with_indices / avg_pool2d meta functions,
 * pooling_output_shape, pool2d_shape_check, the adaptive pools' checks). The 1-D adaptive pools
 * run as 2-D ones of height 1, as PyTorch's do.
 *
 * Deviation: the backward passes run outside the graph, so double backward throws.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import type { AdaptivePool2dGeometry, Pool2dGeometry } from '../backends/routines/conv2d.js';
import { routine } from '../backends/routine.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { emptyTensor } from '../tensor/create.js';
import { type FloatArray, scalarTypeName } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, describeValue } from '../validate.js';
import { type IntOrList, checkBool, half, intList, noDoubleBackward, poolingOutputLength, shapeStr } from './conv.js';
import { backendOf, checkSizes, checkTensor, dense, truncRaw } from './util.js';

/** Options of `maxPool2d`; ints apply to both dims. */
export interface MaxPool2dOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit -inf padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrList;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
  /** Also return the argmax positions (default false). */
  returnIndices?: boolean;
}

/** Options of `avgPool2d`; ints apply to both dims. */
export interface AvgPool2dOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit zero padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (default: none). */
  divisorOverride?: number | null;
}

/** An adaptive pool's output size: an int for every dim, or one entry per dim (null keeps that input size). */
export type AdaptiveSize = number | readonly (number | null)[];

/** Options of the adaptive max pools (PyTorch's keyword argument; a boolean is also accepted). */
export interface AdaptiveMaxPoolOptions {
  /** Also return the argmax positions (default false). */
  returnIndices?: boolean;
}

function returnIndicesOf(fn: string, v: boolean | AdaptiveMaxPoolOptions): boolean {
  if (typeof v === 'boolean') return v;
  const o = checkOptions<AdaptiveMaxPoolOptions>(`${fn}()`, v, ['returnIndices']);
  return checkBool(fn, 'return_indices', o.returnIndices ?? false);
}

// ---------------------------------------------------------------- ops

/** Plane sizes of a [..., H, W] tensor and the number of planes. */
function planes(shape: readonly number[]): { R: number; H: number; W: number } {
  const H = shape[shape.length - 2]!;
  const W = shape[shape.length - 1]!;
  let R = 1;
  for (let i = 0; i < shape.length - 2; i++) R *= shape[i]!;
  return { R, H, W };
}

interface PoolState {
  inShape: readonly number[];
  geom: Pool2dGeometry;
}

const maxPool2dOp = defineOp({
  name: 'max_pool2d_with_indices',
  nodeName: 'MaxPool2DWithIndicesBackward0',
  forward(ctx: OpCtx<PoolState>, x: Tensor, g: Omit<Pool2dGeometry, 'R' | 'H' | 'W'>): Tensor[] {
    const outShape = [...x.shape.slice(0, -2), g.Ho, g.Wo];
    const y = emptyTensor(outShape, x.dtype);
    const idx = emptyTensor(outShape, 'int64');
    const geom = { ...g, ...planes(x.shape) };
    routine('pool2dForward', backendOf(x))({ ...geom, x: dense(x), y: y.storage.data as FloatArray, indices: idx.storage.data as Float64Array });
    ctx.save(idx);
    ctx.inShape = x.shape;
    ctx.geom = geom;
    return [y, idx];
  },
  backward(ctx, [gy]) {
    noDoubleBackward('max_pool2d');
    const [idx] = ctx.saved as [Tensor];
    const gx = emptyTensor(ctx.inShape, gy!.dtype);
    routine('pool2dBackward', backendOf(gx))({ ...ctx.geom, gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: dense(idx) as Float64Array });
    return [gx];
  },
});

const avgPool2dOp = defineOp({
  name: 'avg_pool2d',
  nodeName: 'AvgPool2DBackward0',
  forward(ctx: OpCtx<PoolState>, x: Tensor, g: Omit<Pool2dGeometry, 'R' | 'H' | 'W'>): Tensor {
    const y = emptyTensor([...x.shape.slice(0, -2), g.Ho, g.Wo], x.dtype);
    const geom = { ...g, ...planes(x.shape) };
    routine('pool2dForward', backendOf(x))({ ...geom, x: dense(x), y: y.storage.data as FloatArray, indices: null });
    // PyTorch parity: integer average pooling divides in int64 (truncation toward zero).
    if (x.dtype === 'int64') truncRaw(y);
    ctx.inShape = x.shape;
    ctx.geom = geom;
    return y;
  },
  backward(ctx, [gy]) {
    noDoubleBackward('avg_pool2d');
    const gx = emptyTensor(ctx.inShape, gy!.dtype);
    routine('pool2dBackward', backendOf(gx))({ ...ctx.geom, gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: null });
    return [gx];
  },
});

interface AdaptiveState {
  inShape: readonly number[];
  geom: AdaptivePool2dGeometry;
}

const adaptiveAvgPoolOp = defineOp({
  name: '_adaptive_avg_pool2d',
  nodeName: 'AdaptiveAvgPool2DBackward0',
  forward(ctx: OpCtx<AdaptiveState>, x: Tensor, Ho: number, Wo: number): Tensor {
    const y = emptyTensor([...x.shape.slice(0, -2), Ho, Wo], x.dtype);
    const geom: AdaptivePool2dGeometry = { mode: 'avg', ...planes(x.shape), Ho, Wo };
    routine('adaptivePool2dForward', backendOf(x))({ ...geom, x: dense(x), y: y.storage.data as FloatArray, indices: null });
    ctx.inShape = x.shape;
    ctx.geom = geom;
    return y;
  },
  backward(ctx, [gy]) {
    noDoubleBackward('adaptive_avg_pool2d');
    const gx = emptyTensor(ctx.inShape, gy!.dtype);
    routine('adaptivePool2dBackward', backendOf(gx))({ ...ctx.geom, gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: null });
    return [gx];
  },
});

const adaptiveMaxPoolOp = defineOp({
  name: 'adaptive_max_pool2d',
  nodeName: 'AdaptiveMaxPool2DBackward0',
  forward(ctx: OpCtx<AdaptiveState>, x: Tensor, Ho: number, Wo: number): Tensor[] {
    const outShape = [...x.shape.slice(0, -2), Ho, Wo];
    const y = emptyTensor(outShape, x.dtype);
    const idx = emptyTensor(outShape, 'int64');
    const geom: AdaptivePool2dGeometry = { mode: 'max', ...planes(x.shape), Ho, Wo };
    routine('adaptivePool2dForward', backendOf(x))({ ...geom, x: dense(x), y: y.storage.data as FloatArray, indices: idx.storage.data as Float64Array });
    ctx.save(idx);
    ctx.inShape = x.shape;
    ctx.geom = geom;
    return [y, idx];
  },
  backward(ctx, [gy]) {
    noDoubleBackward('adaptive_max_pool2d');
    const [idx] = ctx.saved as [Tensor];
    const gx = emptyTensor(ctx.inShape, gy!.dtype);
    routine('adaptivePool2dBackward', backendOf(gx))({ ...ctx.geom, gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: dense(idx) as Float64Array });
    return [gx];
  },
});

// ---------------------------------------------------------------- argument checks

/** An int or a list of one or two ints for a 2-D pool, as [h, w] (`what` words PyTorch's error). */
function pair(fn: string, name: string, v: unknown, what: string): [number, number] {
  const xs = intList(fn, name, v);
  if (xs.length !== 1 && xs.length !== 2) throw new RuntimeError(`${fn}: ${name} must ${what}`);
  return [xs[0]!, xs.length === 1 ? xs[0]! : xs[1]!];
}

/**
 * PyTorch's pooling_output_shape (its checks, height first) then pool2d_shape_check; returns
 * [Ho, Wo].
 */
function checkPool(x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceilMode: boolean): [number, number] {
  const nd = x.dim();
  const C = x.shape[nd - 3]!;
  const H = x.shape[nd - 2]!;
  const W = x.shape[nd - 1]!;
  const out: number[] = [];
  for (const i of [0, 1]) {
    if (s[i] === 0) throw new RuntimeError('stride should not be zero');
    if (p[i]! < 0) throw new RuntimeError(`pad must be non-negative, but got pad: ${p[i]}`);
    if (p[i]! > half(k[i]!)) throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${p[i]} and kernel_size=${k[i]}`);
    out.push(poolingOutputLength(i === 0 ? H : W, k[i]!, p[i]!, s[i]!, d[i]!, ceilMode));
  }
  const [Ho, Wo] = out as [number, number];
  if (k[0] <= 0 || k[1] <= 0) throw new RuntimeError(`kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (s[0] <= 0 || s[1] <= 0) throw new RuntimeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d[0] <= 0 || d[1] <= 0) throw new RuntimeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  const validDims = x.shape[1] !== 0 && x.shape[2] !== 0;
  if (!((nd === 3 && x.shape[0] !== 0 && validDims) || (nd === 4 && validDims && x.shape[3] !== 0))) {
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeStr(x.shape)}`);
  }
  if (half(k[1]) < p[1] || half(k[0]) < p[0]) {
    throw new RuntimeError(`pad should be smaller than or equal to half of kernel size, but got padW = ${p[1]}, padH = ${p[0]}, kW = ${k[1]}, kH = ${k[0]}`);
  }
  if (Wo < 1 || Ho < 1) {
    throw new RuntimeError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small`);
  }
  return [Ho, Wo];
}

// ---------------------------------------------------------------- maxPool2d / avgPool2d

/**
 * 2-D max pooling over the last two dims of [N, C, H, W] or [C, H, W] input, like
 * `torch.nn.functional.max_pool2d`. With `returnIndices`, also returns the argmax positions
 * (int64, `h * W + w` within each plane); gradients flow to the first maximum of each window.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_pool2d.html
 * @example F.maxPool2d(torch.randn(1, 3, 8, 8), 2).shape // [1, 3, 4, 4]
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrList, opts: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrList, opts?: MaxPool2dOptions): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrList, opts: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  checkTensor('input', input);
  const fn = 'max_pool2d';
  opts = checkOptions<MaxPool2dOptions>(`${fn}()`, opts, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
  const ceilMode = checkBool(fn, 'ceil_mode', opts.ceilMode ?? false);
  const returnIndices = checkBool(fn, 'return_indices', opts.returnIndices ?? false);
  const k = pair(fn, 'kernel_size', kernelSize, 'either be a single int, or a tuple of two ints');
  const st = opts.stride === null || opts.stride === undefined ? [] : intList(fn, 'stride', opts.stride);
  if (st.length > 2) throw new RuntimeError(`${fn}: stride must either be omitted, a single int, or a tuple of two ints`);
  const s: [number, number] = st.length === 0 ? k : [st[0]!, st.length === 1 ? st[0]! : st[1]!];
  // PyTorch parity: "must be either be" is max_pool2d's own wording.
  const p = pair(fn, 'padding', opts.padding ?? 0, 'be either be a single int, or a tuple of two ints');
  const d = pair(fn, 'dilation', opts.dilation ?? 1, 'be either a single int, or a tuple of two ints');
  if (input.dim() !== 3 && input.dim() !== 4) throw new RuntimeError('non-empty 3D or 4D (batch mode) tensor expected for input');
  const [Ho, Wo] = checkPool(input, k, s, p, d, ceilMode);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new RuntimeError(`"max_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
  const [y, idx] = maxPool2dOp(input, {
    mode: 'max', Ho, Wo, KH: k[0], KW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], dilationH: d[0], dilationW: d[1],
    countIncludePad: false, divisorOverride: 0,
  }) as [Tensor, Tensor];
  return returnIndices ? [y, idx] : y;
}

/**
 * 2-D average pooling over the last two dims of [N, C, H, W] or [C, H, W] input, like
 * `torch.nn.functional.avg_pool2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.avg_pool2d.html
 * @example F.avgPool2d(torch.randn(1, 3, 8, 8), 3, { stride: 2, padding: 1 }).shape // [1, 3, 4, 4]
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrList, opts: AvgPool2dOptions = {}): Tensor {
  checkTensor('input', input);
  const fn = 'avg_pool2d';
  opts = checkOptions<AvgPool2dOptions>(`${fn}()`, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const ceilMode = checkBool(fn, 'ceil_mode', opts.ceilMode ?? false);
  const countIncludePad = checkBool(fn, 'count_include_pad', opts.countIncludePad ?? true);
  const div = opts.divisorOverride ?? null;
  if (div !== null && (typeof div !== 'number' || !Number.isInteger(div))) {
    throw new TypeError(`${fn}(): argument 'divisor_override' must be int, but got ${describeValue(div)}`);
  }
  const k = pair(fn, 'kernel_size', kernelSize, 'either be a single int, or a tuple of two ints');
  const st = opts.stride === null || opts.stride === undefined ? [] : intList(fn, 'stride', opts.stride);
  if (st.length > 2) throw new RuntimeError(`${fn}: stride must either be omitted, a single int, or a tuple of two ints`);
  const s: [number, number] = st.length === 0 ? k : [st[0]!, st.length === 1 ? st[0]! : st[1]!];
  const p = pair(fn, 'padding', opts.padding ?? 0, 'either be a single int, or a tuple of two ints');
  if (div === 0) throw new RuntimeError('divisor must be not zero');
  if (input.dim() < 3) {
    // PyTorch parity: the meta function reads input.size(-3) first.
    throw new IndexError(`Dimension out of range (expected to be in range of [${-Math.max(input.dim(), 1)}, ${Math.max(input.dim(), 1) - 1}], but got -3)`);
  }
  const [Ho, Wo] = checkPool(input, k, s, p, [1, 1], ceilMode);
  if (input.dtype !== 'float32' && input.dtype !== 'float64' && input.dtype !== 'int64') {
    throw new RuntimeError(`"avg_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
  }
  return avgPool2dOp(input, {
    mode: 'avg', Ho, Wo, KH: k[0], KW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], dilationH: 1, dilationW: 1,
    countIncludePad, divisorOverride: div ?? 0,
  });
}

// ---------------------------------------------------------------- adaptive pools

/** Python's `_list_with_default`: None entries take the input's sizes. */
function withDefaults(size: AdaptiveSize, inShape: readonly number[]): number | number[] {
  if (typeof size === 'number') return size;
  if (!Array.isArray(size)) throw new TypeError(`output_size must be an int or a list of ints or None, got ${describeValue(size)}`);
  if (inShape.length <= size.length) throw new ValueError(`Input dimension should be at least ${size.length + 1}`);
  const tail = inShape.slice(inShape.length - size.length);
  return size.map((v, i) => {
    if (v !== null && (typeof v !== 'number' || !Number.isInteger(v))) throw new TypeError(`output_size must be an int or a list of ints or None, got ${describeValue(size)}`);
    return v ?? tail[i]!;
  });
}

/** PyTorch's checkDimRange(fn, self, 2, 4) and check1d(fn, 'output_size', ...): the 1-D pools' checks. */
function check1dPool(fn: string, input: Tensor, size: unknown): number {
  const nd = input.dim();
  if (nd < 2 || nd >= 4) {
    throw new RuntimeError(`Expected 2 to 3 dimensions, but got ${nd}-dimensional tensor for argument #1 'self' (while checking arguments for ${fn})`);
  }
  const xs = intList(fn, 'output_size', size);
  if (xs.length !== 1) throw new RuntimeError(`${fn}() argument 'output_size' should contain one int (got ${xs.length})`);
  return xs[0]!;
}

/** The non-batch dims that must be non-empty, with PyTorch's message. */
function checkNonEmpty(fn: string, x: Tensor, from: number): void {
  for (let i = from; i < x.dim(); i++) {
    if (x.shape[i] === 0) {
      throw new RuntimeError(
        `${fn}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeStr(x.shape)} with dimension ${i} being empty`,
      );
    }
  }
}

function adaptiveAvg2d(input: Tensor, size: number[]): Tensor {
  if (size.length !== 2) throw new RuntimeError('adaptive_avg_pool2d: output_size must be 2');
  if (size[0]! < 0 || size[1]! < 0) {
    throw new RuntimeError(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${size[0]}, ${size[1]}}`);
  }
  // PyTorch parity: a 1x1 output is the mean over the plane (MeanBackward1).
  if (size[0] === 1 && size[1] === 1) return input.mean([-1, -2], true);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) throw new RuntimeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${shapeStr(input.shape)}`);
  checkNonEmpty('adaptive_avg_pool2d', input, nd - 2);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new RuntimeError(`"adaptive_avg_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
  return adaptiveAvgPoolOp(input, size[0]!, size[1]!);
}

function adaptiveMax2d(input: Tensor, size: number[]): [Tensor, Tensor] {
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) throw new RuntimeError(`adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ${shapeStr(input.shape)}`);
  checkNonEmpty('adaptive_max_pool2d', input, 1);
  if (size.length !== 2) throw new RuntimeError('adaptive_max_pool2d(): internal error: output_size.size() must be 2');
  checkSizes([...input.shape.slice(0, -2), ...size]);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new RuntimeError(`"adaptive_max_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
  return adaptiveMaxPoolOp(input, size[0]!, size[1]!) as [Tensor, Tensor];
}

/**
 * Adaptive average pooling of [N, C, H, W] or [C, H, W] input to `outputSize` (an int for both
 * dims, or [h, w] with null keeping that input size), like `torch.nn.functional.adaptive_avg_pool2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_avg_pool2d.html
 * @example F.adaptiveAvgPool2d(torch.randn(1, 3, 7, 9), [null, 2]).shape // [1, 3, 7, 2]
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  checkTensor('input', input);
  const s = withDefaults(outputSize, input.shape);
  return adaptiveAvg2d(input, typeof s === 'number' ? [s, s] : s);
}

/**
 * Adaptive max pooling of [N, C, H, W] or [C, H, W] input to `outputSize`, like
 * `torch.nn.functional.adaptive_max_pool2d`; with `returnIndices` (true or `{ returnIndices: true }`),
 * also the argmax positions.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_max_pool2d.html
 * @example F.adaptiveMaxPool2d(torch.randn(1, 3, 7, 9), 2).shape // [1, 3, 2, 2]
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: boolean | AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, indices: boolean | AdaptiveMaxPoolOptions = false): Tensor | [Tensor, Tensor] {
  checkTensor('input', input);
  const returnIndices = returnIndicesOf('adaptive_max_pool2d', indices);
  const s = withDefaults(outputSize, input.shape);
  const r = adaptiveMax2d(input, typeof s === 'number' ? [s, s] : s);
  return returnIndices ? r : r[0];
}

/**
 * Adaptive average pooling of [N, C, L] or [C, L] input to `outputSize` positions, like
 * `torch.nn.functional.adaptive_avg_pool1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_avg_pool1d.html
 * @example F.adaptiveAvgPool1d(torch.randn(2, 3, 10), 4).shape // [2, 3, 4]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: IntOrList): Tensor {
  checkTensor('input', input);
  const n = check1dPool('adaptive_avg_pool1d', input, outputSize);
  return adaptiveAvg2d(input.unsqueeze(-2), [1, n]).squeeze(-2);
}

/**
 * Adaptive max pooling of [N, C, L] or [C, L] input to `outputSize` positions, like
 * `torch.nn.functional.adaptive_max_pool1d`; with `returnIndices`, also the argmax positions.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_max_pool1d.html
 * @example F.adaptiveMaxPool1d(torch.randn(2, 3, 10), 4).shape // [2, 3, 4]
 */
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntOrList, returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntOrList, returnIndices?: boolean | AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntOrList, indices: boolean | AdaptiveMaxPoolOptions = false): Tensor | [Tensor, Tensor] {
  checkTensor('input', input);
  const returnIndices = returnIndicesOf('adaptive_max_pool1d', indices);
  const n = check1dPool('adaptive_max_pool1d', input, outputSize);
  const [y, idx] = adaptiveMax2d(input.unsqueeze(-2), [1, n]);
  return returnIndices ? [y.squeeze(-2), idx.squeeze(-2)] : y.squeeze(-2);
}
