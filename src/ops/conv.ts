/**
 * 1-D convolution and pooling: `conv1d`, `maxPool1d`, `avgPool1d`. Each is one autograd op whose
 * forward and backward call the backend's fused kernels (js/kernels/conv1d.ts) on contiguous
 * arrays; the public functions validate arguments in PyTorch 1.13's order and wording, and handle
 * unbatched input and padding='same'. `pad1d` (reflect / replicate / circular) serves nn.Conv1d's
 * padding modes and is composed from narrow/expand/cat.
 *
 * Deviation: the backward passes run the fused kernels outside the graph, so double backward
 * (createGraph through these ops) throws instead of building a second-order graph.
 */
import { checkOptions, describeValue } from '../validate.js';
import { warnOnce } from '../warnings.js';
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { routine } from '../backends/routine.js';
import { RuntimeError } from '../errors.js';
import { emptyTensor } from '../tensor/create.js';
import { type FloatArray, legacyTypeName, scalarTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { castTo } from './movement.js';
import { padNd } from './pad.js';
import { castRaw, checkTensor, dense, truncRaw } from './util.js';

/** An int or a one-element list, as PyTorch's `_single` parameters accept. */
export type IntOrList = number | readonly number[];

/** Options of `conv1d` (PyTorch's keyword arguments). */
export interface Conv1dOptions {
  /** Step between output positions (default 1). */
  stride?: IntOrList;
  /** Zeros added on both sides (default 0), or 'valid' (none) or 'same' (output length = input length; stride 1 only). */
  padding?: IntOrList | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
}

/** Options of `maxPool1d`. */
export interface MaxPool1dOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit -inf padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrList;
  /** Use ceil instead of floor for the output length (default false). */
  ceilMode?: boolean;
  /** Also return the argmax positions (default false). */
  returnIndices?: boolean;
}

/** Options of `avgPool1d`. */
export interface AvgPool1dOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit zero padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Use ceil instead of floor for the output length (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
}

// ---------------------------------------------------------------- helpers


/** Throws when a fused backward runs under grad mode (createGraph): these ops have no double backward. @internal */
export function noDoubleBackward(op: string): void {
  if (isGradEnabled()) throw new RuntimeError(`double backward through ${op} is not supported`);
}

/** A shape as PyTorch prints sizes in messages: `[2, 3]`. @internal */
export function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** An int parameter given as a number or a list, as a list of integers (type errors for JS callers). @internal */
export function intList(fn: string, name: string, v: unknown): number[] {
  const xs = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (xs === null || xs.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new TypeError(`${fn}(): argument '${name}' must be an int or a list of ints, but got ${describeValue(v)}`);
  }
  return xs as number[];
}

/** A bool argument, with a Python-style type error. @internal */
export function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}(): argument '${name}' must be bool, got ${describeValue(v)}`);
  return v;
}

/** PyTorch's `pooling_output_shape` (floor division; the ceil_mode window must start inside the padded input). */
export function poolingOutputLength(L: number, K: number, P: number, S: number, D: number, ceilMode: boolean): number {
  let o = Math.floor((L + 2 * P - D * (K - 1) - 1 + (ceilMode ? S - 1 : 0)) / S) + 1;
  if (ceilMode && (o - 1) * S >= L + P) o--;
  return o;
}

/** C++ integer division (truncation), as in PyTorch's `pad <= kernel_size / 2`. @internal */
export function half(k: number): number {
  return Math.trunc(k / 2);
}

// ---------------------------------------------------------------- conv1d

interface ConvGeom {
  stride: number;
  padL: number;
  Lo: number;
  dilation: number;
  groups: number;
}

const convolution = defineOp({
  name: 'convolution',
  nodeName: 'ConvolutionBackward0',
  forward(ctx: OpCtx<{ geom: ConvGeom }>, x: Tensor, w: Tensor, b: Tensor | null, g: ConvGeom): Tensor {
    const [N, C, L] = x.shape as [number, number, number];
    const [O, , K] = w.shape as [number, number, number];
    const y = emptyTensor([N, O, g.Lo], x.dtype);
    routine('conv1dForward')({
      x: dense(x), w: dense(w), b: b ? dense(b) : null, y: y.storage.data as FloatArray,
      N, C, L, O, K, Lo: g.Lo, stride: g.stride, padding: g.padL, dilation: g.dilation, groups: g.groups,
    });
    ctx.save(x, w);
    ctx.geom = g;
    return y;
  },
  backward(ctx, [gy]) {
    noDoubleBackward('conv1d');
    const [x, w] = ctx.saved as [Tensor, Tensor];
    const g = ctx.geom;
    const need = ctx.needsInputGrad;
    const [N, C, L] = x.shape as [number, number, number];
    const [O, , K] = w.shape as [number, number, number];
    const gx = need[0] ? emptyTensor(x.shape, x.dtype) : null;
    const gw = need[1] ? emptyTensor(w.shape, w.dtype) : null;
    const gb = need[2] ? emptyTensor([O], x.dtype) : null;
    routine('conv1dBackward')({
      x: dense(x), w: dense(w), gy: dense(gy!.dtype === x.dtype ? gy! : castRaw(gy!, x.dtype)),
      gx: gx ? (gx.storage.data as FloatArray) : null, gw: gw ? (gw.storage.data as FloatArray) : null, gb: gb ? (gb.storage.data as FloatArray) : null,
      N, C, L, O, K, Lo: g.Lo, stride: g.stride, padding: g.padL, dilation: g.dilation, groups: g.groups,
    });
    return [gx, gw, gb];
  },
  // fixed slots: an absent bias keeps its place (null, needing no gradient)
  inputs: (x: Tensor, w: Tensor, b: Tensor | null, _g: ConvGeom) => [x, w, b],
});

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) input with a [O, C/groups, K] weight, like
 * `torch.nn.functional.conv1d` (cross-correlation, PyTorch's argument checks and messages).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv1d.html
 * @example F.conv1d(torch.randn(2, 4, 10), torch.randn(6, 4, 3), null, { padding: 1 }).shape // [2, 6, 10]
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  const p = convolutionArgs('conv1d', 1, false, input, weight, bias, opts);
  const [Lo] = p.out as [number];
  const y = convolution(p.x, weight, p.bias, { stride: p.stride[0]!, padL: p.padding[0]!, Lo, dilation: p.dilation[0]!, groups: p.groups });
  return p.batched ? y : y.squeeze(0);
}

// ---------------------------------------------------------------- argument checks of every convolution

/** Options of the transposed convolutions (PyTorch's keyword arguments). */
export interface ConvTransposeOptions {
  /** Step between input positions in the output (default 1). */
  stride?: IntOrList;
  /** Implicit padding removed from both sides of the output: dilation * (kernel - 1) - padding zeros are added to the input (default 0). */
  padding?: IntOrList;
  /** Extra size added to one side of the output (default 0; smaller than stride or dilation). */
  outputPadding?: IntOrList;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
}

/** A convolution's arguments after PyTorch's checks, one entry per spatial dim. */
export interface ConvolutionArgs {
  /** The input with its batch dim (unbatched input gets one). */
  x: Tensor;
  batched: boolean;
  /** The bias, cast to the input's dtype where PyTorch converts it. */
  bias: Tensor | null;
  stride: number[];
  /** Zeros before each spatial dim (for transposed: the padding option). */
  padding: number[];
  dilation: number[];
  /** Transposed only (else zeros). */
  outputPadding: number[];
  groups: number;
  /** Output spatial sizes. */
  out: number[];
}

/**
 * PyTorch 1.13's checks of `F.conv{1,2}d` / `F.conv_transpose{1,2}d` in its order and wording
 * (batchify, _convolution_mode / convolution_same, expand_param_if_needed, check_shape_forward,
 * the dtype checks and, for transposed, slow_conv_transpose2d's shape check), and the output sizes.
 * Padding 'same' adds the odd extra zero at the end of a dim, as PyTorch's zero-padded copy does;
 * here the output size implies it (no copy).
 */
export function convolutionArgs(
  fn: string,
  spatial: 1 | 2,
  transposed: boolean,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: Conv1dOptions | ConvTransposeOptions,
): ConvolutionArgs {
  checkTensor('input', input);
  checkTensor('weight', weight);
  if (bias !== null && bias !== undefined) checkTensor('bias', bias);
  const b = bias ?? null;
  const keys = transposed ? ['stride', 'padding', 'outputPadding', 'groups', 'dilation'] : ['stride', 'padding', 'dilation', 'groups'];
  const opts = checkOptions<Conv1dOptions & ConvTransposeOptions>(`${fn}()`, options, keys);
  const nd = input.dim();
  if (nd !== spatial + 1 && nd !== spatial + 2) {
    throw new RuntimeError(`Expected ${spatial + 1}D (unbatched) or ${spatial + 2}D (batched) input to ${fn}, but got input of size: ${shapeStr(input.shape)}`);
  }
  const batched = nd === spatial + 2;
  const x = batched ? input : input.unsqueeze(0);
  const groups = opts.groups === undefined ? 1 : opts.groups;
  if (typeof groups !== 'number' || !Number.isInteger(groups)) {
    throw new TypeError(`${fn}(): argument 'groups' must be int, but got ${describeValue(groups)}`);
  }
  // PyTorch's bindings take int[1] / int[2]: an int becomes one entry per spatial dim
  const ints = (name: string, v: IntOrList): number[] => (Number.isInteger(v) ? new Array<number>(spatial).fill(v as number) : intList(fn, name, v));
  const strideL = ints('stride', opts.stride === undefined ? 1 : opts.stride);
  const dilationL = ints('dilation', opts.dilation === undefined ? 1 : opts.dilation);
  const outPadL = ints('output_padding', opts.outputPadding === undefined ? 0 : opts.outputPadding);
  const pad = opts.padding === undefined ? 0 : opts.padding;
  const wd = weight.dim();
  let paddingL: number[];
  let padEnd: number[] | null = null; // set by padding='same' (may exceed the start padding by one)
  if (typeof pad === 'string') {
    if (transposed) throw new TypeError(`${fn}(): argument 'padding' must be tuple of ints, not str`);
    if (pad === 'same') {
      // PyTorch's _convolution_mode + convolution_same: checks, and the split of d*(k-1) zeros.
      for (const s of strideL) if (s !== 1) throw new RuntimeError("padding='same' is not supported for strided convolutions");
      if (wd < 3) throw new RuntimeError('weight should have at least three dimensions');
      if (wd !== x.dim()) {
        throw new RuntimeError(
          `Expected ${wd}-dimensional input for ${wd}-dimensional weight${shapeStr(weight.shape)}, but got ${x.dim()}-dimensional input of size ${shapeStr(x.shape)} instead`,
        );
      }
      const dim = wd - 2;
      if (strideL.length !== dim && strideL.length !== 1) throw new RuntimeError(`stride cannot broadcast to ${dim} dimensions`);
      if (dilationL.length !== dim && dilationL.length !== 1) throw new RuntimeError(`dilation cannot broadcast to ${dim} dimensions`);
      paddingL = [];
      padEnd = [];
      for (let i = 0; i < dim; i++) {
        const total = (dilationL.length === 1 ? dilationL[0]! : dilationL[i]!) * (weight.shape[i + 2]! - 1);
        paddingL.push(Math.trunc(total / 2));
        padEnd.push(total - Math.trunc(total / 2));
      }
      if (paddingL.some((l, i) => l !== padEnd![i])) {
        warnOnce("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy of the input be created");
      }
    } else if (pad === 'valid') {
      paddingL = [0];
    } else {
      throw new RuntimeError(`Invalid padding string: '${pad}'`);
    }
  } else {
    paddingL = ints('padding', pad);
  }
  // at::_convolution
  if (wd < 3) throw new RuntimeError('weight should have at least three dimensions');
  if (groups <= 0) throw new RuntimeError('non-positive groups is not supported');
  const dim = wd - 2;
  const expand = (name: string, xs: number[]): number[] => {
    if (xs.length !== 1 && xs.length !== dim) {
      throw new RuntimeError(
        `expected ${name} to be a single integer value or a list of ${dim} values to match the convolution dimensions, but got ${name}=${shapeStr(xs)}`,
      );
    }
    return xs.length === 1 ? new Array<number>(dim).fill(xs[0]!) : xs;
  };
  const stride = expand('stride', strideL);
  const padding = expand('padding', paddingL);
  const dilation = expand('dilation', dilationL);
  const outputPadding = transposed ? expand('output_padding', outPadL) : new Array<number>(dim).fill(0);
  const end = padEnd ?? padding;
  // check_shape_forward
  if (padding.some((p) => p < 0) || end.some((p) => p < 0)) throw new RuntimeError('negative padding is not supported');
  if (outputPadding.some((p) => p < 0)) throw new RuntimeError('negative output_padding is not supported');
  if (stride.some((s) => s <= 0)) throw new RuntimeError('non-positive stride is not supported');
  if (dilation.some((d) => d <= 0)) throw new RuntimeError('non-positive dilation is not supported');
  if (wd !== x.dim()) {
    throw new RuntimeError(
      `Expected ${wd}-dimensional input for ${wd}-dimensional weight ${shapeStr(weight.shape)}, but got ${x.dim()}-dimensional input of size ${shapeStr(x.shape)} instead`,
    );
  }
  const W0 = weight.shape[0]!;
  const W1 = weight.shape[1]!;
  if (W0 < groups) {
    throw new RuntimeError(
      `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${shapeStr(weight.shape)} instead`,
    );
  }
  if (W0 % groups !== 0) {
    throw new RuntimeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${shapeStr(weight.shape)}] instead`,
    );
  }
  const inSizes = x.shape.slice(2);
  const kernel = weight.shape.slice(2);
  const span = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  let out: number[];
  if (!transposed) {
    if (x.shape[1] !== W1 * groups) {
      // PyTorch parity: with asymmetric 'same' padding the message shows the input after the extra zeros.
      const shown = [x.shape[0]!, x.shape[1]!, ...inSizes.map((s, i) => s + end[i]! - padding[i]!)];
      throw new RuntimeError(
        `Given groups=${groups}, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(shown)} to have ${W1 * groups} channels, but got ${x.shape[1]} channels instead`,
      );
    }
    if (b !== null && (b.dim() !== 1 || b.shape[0] !== W0)) {
      throw new RuntimeError(
        `Given weight of size ${shapeStr(weight.shape)}, expected bias to be 1-dimensional with ${W0} elements, but got bias of size ${shapeStr(b.shape)} instead`,
      );
    }
    const padded = inSizes.map((s, i) => s + padding[i]! + end[i]!);
    if (padded.some((p, i) => p < span[i]!)) {
      throw new RuntimeError(
        `Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${span.join(' x ')}). Kernel size can't be greater than actual input size`,
      );
    }
    out = padded.map((p, i) => Math.floor((p - span[i]!) / stride[i]!) + 1);
  } else {
    if (x.shape[1] !== W0) {
      throw new RuntimeError(
        `Given transposed=1, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(x.shape)} to have ${W0} channels, but got ${x.shape[1]} channels instead`,
      );
    }
    if (b !== null && (b.dim() !== 1 || b.shape[0] !== W1 * groups)) {
      throw new RuntimeError(
        `Given transposed=1, weight of size ${shapeStr(weight.shape)}, expected bias to be 1-dimensional with ${W1 * groups} elements, but got bias of size ${shapeStr(b.shape)} instead`,
      );
    }
    out = inSizes.map((s, i) => (s - 1) * stride[i]! - 2 * padding[i]! + span[i]! + outputPadding[i]!);
  }
  // dtypes: PyTorch's wording depends on which check fires first (mkldnn for float, the kernel otherwise).
  let bb = b;
  if (x.dtype === 'float32' && !transposed) {
    for (const [name, t] of [['weight', weight], ['bias', b]] as const) {
      if (t !== null && t.dtype !== 'float32') {
        throw new RuntimeError(
          `Input type (torch.FloatTensor) and ${name} type (${legacyTypeName(t.dtype)}) should be the same or input should be a MKLDNN tensor and ${name} is a dense tensor`,
        );
      }
    }
  } else {
    if (weight.dtype !== x.dtype) throw new RuntimeError(`expected scalar type ${scalarTypeName(x.dtype)} but found ${scalarTypeName(weight.dtype)}`);
    if (transposed && b !== null && b.dtype !== x.dtype) throw new RuntimeError(`expected scalar type ${scalarTypeName(x.dtype)} but found ${scalarTypeName(b.dtype)}`);
    if (x.dtype !== 'float32' && x.dtype !== 'float64' && x.dtype !== 'int64') {
      // Deviation: PyTorch's slow CPU path also convolves int32; torchlet supports float32, float64 and int64.
      throw new RuntimeError(`"${fn}" not implemented for '${scalarTypeName(x.dtype)}'`);
    }
  }
  if (bb !== null && bb.dtype !== x.dtype) bb = castTo(bb, x.dtype);
  if (transposed) {
    // slow_conv_transpose2d_shape_check, on the 2-D view of a 1-D problem (height 1)
    const two = (xs: number[], pad1: number): [number, number] => (spatial === 1 ? [pad1, xs[0]!] : [xs[0]!, xs[1]!]);
    const [oph, opw] = two(outputPadding, 0);
    const [sh, sw] = two(stride, 1);
    const [dh, dw] = two(dilation, 1);
    if (!((opw < sw || opw < dw) && (oph < sh || oph < dh))) {
      throw new RuntimeError(
        `output padding must be smaller than either stride or dilation, but got output_padding_height: ${oph} output_padding_width: ${opw} stride_height: ${sh} stride_width: ${sw} dilation_height: ${dh} dilation_width: ${dw}`,
      );
    }
    if (W1 === 0 || weight.numel() === 0) {
      throw new RuntimeError(`non-empty 2D or 4D weight tensor expected, but got: ${shapeStr(spatial === 1 ? [W0, W1, 1, kernel[0]!] : weight.shape)}`);
    }
    if (inSizes.some((s) => s === 0)) {
      throw new RuntimeError(`Only zero batch or zero channel inputs are supported, but got input shape: ${shapeStr(x.shape)}`);
    }
    const [ih, iw] = two(inSizes, 1);
    const [oh, ow] = two(out, 1);
    if (ow < 1 || oh < 1) {
      throw new RuntimeError(`Given input size per channel: (${ih} x ${iw}). Calculated output size per channel: (${oh} x ${ow}). Output size is too small`);
    }
  }
  return { x, batched, bias: bb, stride, padding, dilation, outputPadding, groups, out };
}

// ---------------------------------------------------------------- padding modes of nn.Conv1d

/** Non-zero padding modes of `nn.Conv1d`. */
export type PaddingMode = 'reflect' | 'replicate' | 'circular';

/**
 * Pads the last dim of a 2-D or 3-D tensor by `left` and `right` elements with PyTorch's
 * `F.pad(x, [left, right], mode)` for the non-constant modes (used by nn.Conv1d's `paddingMode`).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
 * @example pad1d(torch.tensor([[1, 2, 3]]), 2, 1, 'reflect') // [[3, 2, 1, 2, 3, 2]]
 */
export function pad1d(x: Tensor, left: number, right: number, mode: PaddingMode): Tensor {
  return padNd(x, [left, right], mode);
}

// ---------------------------------------------------------------- pooling ops

interface PoolGeom {
  mode: 'max' | 'avg';
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
  countIncludePad: boolean;
  Lo: number;
}

/** What a pooling op's backward needs: the input's shape and the window geometry. */
interface PoolState {
  inShape: readonly number[];
  geom: PoolGeom;
}

function poolArgs(g: PoolGeom, R: number, L: number) {
  return { mode: g.mode, R, L, Lo: g.Lo, kernelSize: g.kernelSize, stride: g.stride, padding: g.padding, dilation: g.dilation, countIncludePad: g.countIncludePad };
}

const maxPoolOp = defineOp({
  name: 'max_pool1d_with_indices',
  nodeName: 'MaxPool2DWithIndicesBackward0',
  forward(ctx: OpCtx<PoolState>, x: Tensor, g: PoolGeom): Tensor[] {
    const L = x.shape[x.dim() - 1]!;
    const outShape = [...x.shape.slice(0, -1), g.Lo];
    const y = emptyTensor(outShape, x.dtype);
    const idx = emptyTensor(outShape, 'int64');
    const R = L === 0 ? 0 : x.numel() / L;
    routine('pool1dForward')({
      ...poolArgs(g, R, L), x: dense(x), y: y.storage.data as FloatArray, indices: idx.storage.data as Float64Array,
    });
    ctx.save(idx);
    ctx.inShape = x.shape;
    ctx.geom = g;
    return [y, idx];
  },
  backward(ctx, [gy]) {
    noDoubleBackward('max_pool1d');
    const [idx] = ctx.saved as [Tensor];
    const inShape = ctx.inShape;
    const L = inShape[inShape.length - 1]!;
    const gx = emptyTensor(inShape, gy!.dtype);
    const R = L === 0 ? 0 : gx.numel() / L;
    routine('pool1dBackward')({
      ...poolArgs(ctx.geom, R, L),
      gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: dense(idx) as Float64Array,
    });
    return [gx];
  },
});

const avgPoolOp = defineOp({
  name: 'avg_pool1d',
  nodeName: 'AvgPool2DBackward0',
  forward(ctx: OpCtx<PoolState>, x: Tensor, g: PoolGeom): Tensor {
    const L = x.shape[x.dim() - 1]!;
    const y = emptyTensor([...x.shape.slice(0, -1), g.Lo], x.dtype);
    const R = L === 0 ? 0 : x.numel() / L;
    routine('pool1dForward')({ ...poolArgs(g, R, L), x: dense(x), y: y.storage.data as FloatArray, indices: null });
    if (x.dtype === 'int64') {
      // PyTorch parity: integer average pooling divides in int64 (truncation toward zero).
      truncRaw(y);
    }
    ctx.inShape = x.shape;
    ctx.geom = g;
    return y;
  },
  backward(ctx, [gy]) {
    noDoubleBackward('avg_pool1d');
    const inShape = ctx.inShape;
    const L = inShape[inShape.length - 1]!;
    const gx = emptyTensor(inShape, gy!.dtype);
    const R = L === 0 ? 0 : gx.numel() / L;
    routine('pool1dBackward')({ ...poolArgs(ctx.geom, R, L), gy: dense(gy!), gx: gx.storage.data as FloatArray, indices: null });
    return [gx];
  },
});

// ---------------------------------------------------------------- maxPool1d

/**
 * 1-D max pooling over the last dim of [N, C, L] or [C, L] input, like
 * `torch.nn.functional.max_pool1d`. With `returnIndices`, also returns the argmax positions along
 * L (int64); gradients flow to the first maximum of each window.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_pool1d.html
 * @example F.maxPool1d(torch.randn(2, 3, 10), 3, { stride: 2 }).shape // [2, 3, 4]
 */
export function maxPool1d(input: Tensor, kernelSize: IntOrList, opts: MaxPool1dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: IntOrList, opts?: MaxPool1dOptions): Tensor;
export function maxPool1d(input: Tensor, kernelSize: IntOrList, opts: MaxPool1dOptions = {}): Tensor | [Tensor, Tensor] {
  checkTensor('input', input);
  opts = checkOptions<MaxPool1dOptions>('max_pool1d()', opts, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
  const ceilMode = checkBool('max_pool1d', 'ceil_mode', opts.ceilMode === undefined ? false : opts.ceilMode);
  const returnIndices = checkBool('max_pool1d', 'return_indices', opts.returnIndices === undefined ? false : opts.returnIndices);
  const ks = intList('max_pool1d', 'kernel_size', kernelSize);
  const st = opts.stride === null || opts.stride === undefined ? [] : intList('max_pool1d', 'stride', opts.stride);
  const pd = intList('max_pool1d', 'padding', opts.padding === undefined ? 0 : opts.padding);
  const dl = intList('max_pool1d', 'dilation', opts.dilation === undefined ? 1 : opts.dilation);
  const nd = input.dim();
  if ((nd !== 2 && nd !== 3) || input.shape[nd - 1] === 0 || input.shape[nd - 2] === 0) {
    throw new RuntimeError(
      `max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeStr(input.shape)}`,
    );
  }
  const L = input.shape[nd - 1]!;
  const C = input.shape[nd - 2]!;
  // PyTorch computes indices (max_pool2d_with_indices) when asked or when autograd needs them;
  // the two paths check arguments in different words.
  const withIndices = returnIndices || (input.requiresGrad && isGradEnabled());
  let k: number, s: number, p: number, d: number, Lo: number;
  if (!withIndices) {
    if (ks.length !== 1) throw new RuntimeError(`max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size ${ks.length}`);
    if (st.length > 1) throw new RuntimeError(`max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but got size ${st.length}`);
    if (pd.length !== 1) throw new RuntimeError(`max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but got size ${pd.length}`);
    if (dl.length !== 1) throw new RuntimeError(`max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1 but got size ${dl.length}`);
    [k, s, p, d] = [ks[0]!, st.length ? st[0]! : ks[0]!, pd[0]!, dl[0]!];
    if (k <= 0) throw new RuntimeError(`max_pool1d() kernel_size must be greater than zero, but got ${k}`);
    if (s <= 0) throw new RuntimeError(`max_pool1d() stride must be greater than zero, but got ${s}`);
    if (p < 0) throw new RuntimeError(`max_pool1d() padding must be non-negative, but got ${p}`);
    if (p > half(k)) throw new RuntimeError(`max_pool1d() padding should be at most half of kernel size, but got padding=${p} and kernel_size=${k}`);
    if (d <= 0) throw new RuntimeError(`max_pool1d() dilation must be greater than zero, but got ${d}`);
    Lo = poolingOutputLength(L, k, p, s, d, ceilMode);
    if (Lo < 0) throw new RuntimeError(`max_pool1d() Invalid computed output size: ${Lo}`);
    if (input.dtype !== 'float32' && input.dtype !== 'float64') {
      throw new RuntimeError(`"max_pool1d_impl" not implemented for '${scalarTypeName(input.dtype)}'`);
    }
  } else {
    const stride = st.length ? st : ks;
    for (const [name, xs] of [['kernel_size', ks], ['stride', stride], ['padding', pd], ['dilation', dl]] as const) {
      if (xs.length !== 1) throw new RuntimeError(`max_pool1d() argument '${name}' should contain one int (got ${xs.length})`);
    }
    [k, s, p, d] = [ks[0]!, stride[0]!, pd[0]!, dl[0]!];
    Lo = checkPool2d(C, L, k, s, p, d, ceilMode, null);
    if (input.dtype !== 'float32' && input.dtype !== 'float64') {
      throw new RuntimeError(`"max_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
    }
  }
  const [y, idx] = maxPoolOp(input, { mode: 'max', kernelSize: k, stride: s, padding: p, dilation: d, countIncludePad: false, Lo }) as [Tensor, Tensor];
  return returnIndices ? [y, idx] : y;
}

/**
 * PyTorch's `pooling_output_shape` + `pool2d_shape_check` for a [C, 1, L] plane (the 1-D pools run
 * as 2-D pools with height 1); returns the output length. `unsqueezed` is the 2-D input's shape,
 * for the dims message (avg_pool1d only; max_pool1d checked dims before).
 */
function checkPool2d(C: number, L: number, k: number, s: number, p: number, d: number, ceilMode: boolean, unsqueezed: number[] | null): number {
  if (s === 0) throw new RuntimeError('stride should not be zero');
  if (p < 0) throw new RuntimeError(`pad must be non-negative, but got pad: ${p}`);
  if (p > half(k)) throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${p} and kernel_size=${k}`);
  const Lo = poolingOutputLength(L, k, p, s, d, ceilMode);
  if (k <= 0) throw new RuntimeError(`kernel size should be greater than zero, but got kH: 1 kW: ${k}`);
  if (s <= 0) throw new RuntimeError(`stride should be greater than zero, but got dH: 1 dW: ${s}`);
  if (d <= 0) throw new RuntimeError(`dilation should be greater than zero, but got dilationH: 1 dilationW: ${d}`);
  if (unsqueezed !== null && (C === 0 || L === 0)) {
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeStr(unsqueezed)}`);
  }
  if (Lo < 1) {
    throw new RuntimeError(`Given input size: (${C}x1x${L}). Calculated output size: (${C}x1x${Lo}). Output size is too small`);
  }
  return Lo;
}

// ---------------------------------------------------------------- avgPool1d

/**
 * 1-D average pooling over the last dim of [N, C, L] or [C, L] input, like
 * `torch.nn.functional.avg_pool1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.avg_pool1d.html
 * @example F.avgPool1d(torch.randn(2, 3, 10), 3, { stride: 2, padding: 1 }).shape // [2, 3, 5]
 */
export function avgPool1d(input: Tensor, kernelSize: IntOrList, opts: AvgPool1dOptions = {}): Tensor {
  checkTensor('input', input);
  opts = checkOptions<AvgPool1dOptions>('avg_pool1d()', opts, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  const ceilMode = checkBool('avg_pool1d', 'ceil_mode', opts.ceilMode === undefined ? false : opts.ceilMode);
  const countIncludePad = checkBool('avg_pool1d', 'count_include_pad', opts.countIncludePad === undefined ? true : opts.countIncludePad);
  const ks = intList('avg_pool1d', 'kernel_size', kernelSize);
  const st = opts.stride === null || opts.stride === undefined ? [] : intList('avg_pool1d', 'stride', opts.stride);
  const pd = intList('avg_pool1d', 'padding', opts.padding === undefined ? 0 : opts.padding);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RuntimeError(
      `Expected 2 to 3 dimensions, but got ${nd}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)`,
    );
  }
  const stride = st.length ? st : ks;
  for (const [name, xs] of [['kernel_size', ks], ['stride', stride], ['padding', pd]] as const) {
    if (xs.length !== 1) throw new RuntimeError(`avg_pool1d() argument '${name}' should contain one int (got ${xs.length})`);
  }
  const [k, s, p] = [ks[0]!, stride[0]!, pd[0]!];
  const L = input.shape[nd - 1]!;
  const C = input.shape[nd - 2]!;
  const unsqueezed = [...input.shape.slice(0, -1), 1, L];
  const Lo = checkPool2d(C, L, k, s, p, 1, ceilMode, unsqueezed);
  if (input.dtype !== 'float32' && input.dtype !== 'float64' && input.dtype !== 'int64') {
    throw new RuntimeError(`"avg_pool2d" not implemented for '${scalarTypeName(input.dtype)}'`);
  }
  return avgPoolOp(input, { mode: 'avg', kernelSize: k, stride: s, padding: p, dilation: 1, countIncludePad, Lo });
}
