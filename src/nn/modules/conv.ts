/**
 * Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d`, sharing PyTorch's
 * `_ConvNd` (checks, parameters and their initialisation, padding modes, printing).
 */
import { checkBool, checkDTypeName, checkOptions, describeValue, optional } from '../../validate.js';
import { ValueError } from '../../errors.js';
import { type IntOrList, type PaddingMode, conv1d } from '../../ops/conv.js';
import { conv2d, convTranspose1d, convTranspose2d } from '../../ops/conv2d.js';
import { padNd } from '../../ops/pad.js';
import { checkInt } from '../../ops/util.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, pyBool, pyTuple } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `Conv1d` and `Conv2d` (PyTorch's keyword arguments, camelCase); ints apply to every dim. */
export interface Conv1dModuleOptions {
  /** Step between output positions (default 1). */
  stride?: IntOrList;
  /** Padding on both sides (default 0), or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: IntOrList | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the padding is filled (default 'zeros'). */
  paddingMode?: 'zeros' | PaddingMode;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** Options of `Conv2d`: as `Conv1d`'s, with an int or [h, w] per spatial argument. */
export type Conv2dModuleOptions = Conv1dModuleOptions;

/** Options of `ConvTranspose1d` / `ConvTranspose2d` (PyTorch's keyword arguments, camelCase). */
export interface ConvTransposeModuleOptions {
  /** Step between input positions in the output (default 1). */
  stride?: IntOrList;
  /** dilation * (kernel - 1) - padding zeros are added to both sides of the input (default 0). */
  padding?: IntOrList;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: IntOrList;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
  /** Only 'zeros' (PyTorch's only mode for transposed convolutions). */
  paddingMode?: 'zeros';
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * PyTorch's `_single` / `_pair`: an int or a list becomes `dims` ints.
 * Deviation: PyTorch accepts other lengths and bad values at construction and fails in forward;
 * we fail here, at the call that made the mistake.
 */
function ntuple(cls: string, dims: number, name: string, v: unknown): number[] {
  const xs = typeof v === 'number' ? new Array<number>(dims).fill(v) : Array.isArray(v) ? (v as unknown[]) : null;
  if (xs === null || xs.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new TypeError(`${cls}: ${name} must be an int or a list of ints, got ${describeValue(v)}`);
  }
  if (xs.length !== dims) {
    throw new ValueError(`${cls}: ${name} must be an int or a list of ${dims === 1 ? 'one int' : `${dims} ints`}, got a list of ${xs.length}`);
  }
  const nonNeg = name === 'padding' || name === 'output_padding';
  for (const x of xs as number[]) {
    if (nonNeg ? x < 0 : x <= 0) throw new ValueError(`${cls}: ${name} must be ${nonNeg ? 'non-negative' : 'positive'}, got ${x}`);
  }
  return xs as number[];
}

function checkChannels(name: string, v: unknown): number {
  checkInt(name, v);
  if ((v as number) < 0) throw new RangeError(`${name} must be non-negative, got ${String(v)}`);
  return v as number;
}

// PyTorch prints these Python sets in its messages; the order is the one the fixture recorded.
const PADDING_STRINGS = "{'same', 'valid'}";
const PADDING_MODES = "{'replicate', 'reflect', 'zeros', 'circular'}";

/**
 * The shared part of the convolution layers (PyTorch's `_ConvNd`): argument checks in PyTorch's
 * order, `weight` ([out, in/groups, ...k], or [in, out/groups, ...k] when transposed) and `bias`
 * ([out]) initialised like PyTorch (kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in))) from the global generator, so `torch.manualSeed(s)` gives PyTorch's weights.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html
 * @example class MyConv extends nn.ConvNd { ... } // see Conv2d
 */
export abstract class ConvNd extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels produced by the convolution. */
  readonly outChannels: number;
  /** Kernel size per spatial dim. */
  readonly kernelSize: number[];
  /** Stride per spatial dim. */
  readonly stride: number[];
  /** Padding per spatial dim, or 'same' / 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** Dilation per spatial dim. */
  readonly dilation: number[];
  /** Whether this is a transposed convolution. */
  readonly transposed: boolean;
  /** Output padding per spatial dim (transposed only; zeros otherwise). */
  readonly outputPadding: number[];
  /** Number of channel groups. */
  readonly groups: number;
  /** How the padding is filled. */
  readonly paddingMode: 'zeros' | PaddingMode;
  /** The convolution's weight. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  declare bias: Parameter | null;
  /** F.pad amounts for the non-zero padding modes, last dim first (PyTorch's `_reversed_padding_repeated_twice`). */
  protected readonly reversedPadding: number[];

  constructor(
    dims: 1 | 2,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrList,
    opts: Conv1dModuleOptions | ConvTransposeModuleOptions,
  ) {
    super();
    const cls = this.constructor.name;
    this.inChannels = checkChannels('in_channels', inChannels);
    this.outChannels = checkChannels('out_channels', outChannels);
    const keys = transposed
      ? ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode', 'dtype']
      : ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'dtype'];
    const o = checkOptions<Conv1dModuleOptions & Omit<ConvTransposeModuleOptions, 'padding' | 'paddingMode'>>(`${cls}()`, opts, keys);
    optional(o.bias, true, (v) => checkBool(`${cls}()`, 'bias', v));
    optional(o.dtype, 'float32', (v) => checkDTypeName(`${cls}()`, v, true));
    const paddingMode = o.paddingMode === undefined ? 'zeros' : o.paddingMode;
    if (transposed && paddingMode !== 'zeros') {
      throw new ValueError(`Only "zeros" padding mode is supported for ${cls}`);
    }
    const groups = o.groups === undefined ? 1 : o.groups;
    checkInt('groups', groups);
    this.kernelSize = ntuple(cls, dims, 'kernel_size', kernelSize);
    this.stride = ntuple(cls, dims, 'stride', o.stride === undefined ? 1 : o.stride);
    const padding = o.padding === undefined ? 0 : o.padding;
    if (transposed && typeof padding === 'string') throw new TypeError(`${cls}: padding must be an int or a list of ints, got ${describeValue(padding)}`);
    this.padding = typeof padding === 'string' ? padding : ntuple(cls, dims, 'padding', padding);
    this.dilation = ntuple(cls, dims, 'dilation', o.dilation === undefined ? 1 : o.dilation);
    this.transposed = transposed;
    this.outputPadding = transposed ? ntuple(cls, dims, 'output_padding', o.outputPadding === undefined ? 0 : o.outputPadding) : new Array<number>(dims).fill(0);
    this.groups = groups;
    this.paddingMode = paddingMode;
    // _ConvNd.__init__ checks, in PyTorch's order.
    if (groups <= 0) throw new ValueError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new ValueError('out_channels must be divisible by groups');
    if (typeof this.padding === 'string') {
      if (this.padding !== 'same' && this.padding !== 'valid') {
        throw new ValueError(`Invalid padding string '${this.padding}', should be one of ${PADDING_STRINGS}`);
      }
      if (this.padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new ValueError("padding='same' is not supported for strided convolutions");
      }
    }
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new ValueError(`padding_mode must be one of ${PADDING_MODES}, but got padding_mode=${typeof this.paddingMode === 'string' ? `'${this.paddingMode}'` : describeValue(this.paddingMode)}`);
    }
    this.reversedPadding = new Array<number>(2 * dims).fill(0);
    for (let d = 0; d < dims; d++) {
      const i = dims - 1 - d; // F.pad lists the last dim first
      if (this.padding === 'same') {
        const total = this.dilation[d]! * (this.kernelSize[d]! - 1);
        this.reversedPadding[2 * i] = Math.floor(total / 2);
        this.reversedPadding[2 * i + 1] = total - Math.floor(total / 2);
      } else if (this.padding !== 'valid') {
        this.reversedPadding[2 * i] = this.padding[d]!;
        this.reversedPadding[2 * i + 1] = this.padding[d]!;
      }
    }
    const dtype = o.dtype ?? 'float32';
    const wShape = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    this.weight = new Parameter(emptyTensor([...wShape, ...this.kernelSize], dtype));
    if (o.bias === undefined ? true : o.bias) this.bias = new Parameter(emptyTensor([outChannels], dtype));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws weight and bias as at construction. */
  resetParameters(): void {
    // PyTorch parity: kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** The input padded by `paddingMode` (reflect, replicate, circular), for the zero-padding convolution. */
  protected padded(input: Tensor): Tensor {
    return padNd(input, this.reversedPadding, this.paddingMode as PaddingMode);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) input, like `torch.nn.Conv1d`. `weight` is
 * [outChannels, inChannels / groups, kernelSize] and `bias` [outChannels], initialised like PyTorch.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv1d.html
 * @example const conv = new nn.Conv1d(4, 6, 3, { padding: 'same' }); conv.forward(torch.randn(2, 4, 10)).shape // [2, 6, 10]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: Conv1dModuleOptions = {}) {
    super(1, false, inChannels, outChannels, kernelSize, opts);
  }

  /** [N, inChannels, L] or [inChannels, L] -> [N, outChannels, Lout] or [outChannels, Lout]. */
  override forward(input: Tensor): Tensor {
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') return conv1d(this.padded(input), this.weight, this.bias, { ...o, padding: 0 });
    return conv1d(input, this.weight, this.bias, { ...o, padding: this.padding });
  }
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input, like `torch.nn.Conv2d`.
 * `weight` is [outChannels, inChannels / groups, kH, kW] and `bias` [outChannels], initialised
 * like PyTorch from the global generator. Ints in kernelSize, stride, padding and dilation apply
 * to both dims; `paddingMode` 'reflect' / 'replicate' / 'circular' pads with F.pad first.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html
 * @example const conv = new nn.Conv2d(1, 16, 3, { padding: 1 }); conv.forward(torch.randn(8, 1, 28, 28)).shape // [8, 16, 28, 28]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: Conv2dModuleOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, opts);
  }

  /** [N, inChannels, H, W] or [inChannels, H, W] -> [N, outChannels, Hout, Wout] or [outChannels, Hout, Wout]. */
  override forward(input: Tensor): Tensor {
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') return conv2d(this.padded(input), this.weight, this.bias, { ...o, padding: 0 });
    return conv2d(input, this.weight, this.bias, { ...o, padding: this.padding });
  }
}

/** The shared part of the transposed layers (PyTorch's `_ConvTransposeNd`): `outputSize` in forward. */
abstract class ConvTransposeNd extends ConvNd {
  /** PyTorch's `_output_padding`: the output padding that gives `outputSize` (or the module's own). */
  protected outputPaddingFor(input: Tensor, outputSize: readonly number[] | null | undefined, dims: number): number[] {
    if (outputSize === null || outputSize === undefined) return this.outputPadding;
    if (!Array.isArray(outputSize) || outputSize.some((s) => typeof s !== 'number' || !Number.isInteger(s))) {
      throw new TypeError(`forward(): argument 'output_size' must be a list of ints, got ${describeValue(outputSize)}`);
    }
    const hasBatch = input.dim() === dims + 2;
    const nonSpatial = hasBatch ? 2 : 1;
    let size = [...outputSize];
    if (size.length === nonSpatial + dims) size = size.slice(nonSpatial);
    if (size.length !== dims) {
      throw new ValueError(`ConvTranspose${dims}D: for ${input.dim()}D input, output_size must have ${dims} or ${nonSpatial + dims} elements (got ${size.length})`);
    }
    const pad = this.padding as number[];
    const minSizes = Array.from({ length: dims }, (_, d) => (input.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * pad[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1);
    const maxSizes = minSizes.map((m, d) => m + this.stride[d]! - 1);
    for (let i = 0; i < dims; i++) {
      if (size[i]! < minSizes[i]! || size[i]! > maxSizes[i]!) {
        // PyTorch parity: the input sizes are input.size()[2:], even for unbatched input.
        throw new ValueError(
          `requested an output size of [${size.join(', ')}], but valid sizes range from [${minSizes.join(', ')}] to [${maxSizes.join(', ')}] (for an input of torch.Size([${input.shape.slice(2).join(', ')}]))`,
        );
      }
    }
    return size.map((s, d) => s - minSizes[d]!);
  }
}

/**
 * 1-D transposed convolution over [N, Cin, L] (or unbatched [Cin, L]) input, like
 * `torch.nn.ConvTranspose1d`: the gradient of Conv1d with respect to its input. `weight` is
 * [inChannels, outChannels / groups, kernelSize]. `forward(input, outputSize)` picks the output
 * padding that gives `outputSize`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose1d.html
 * @example new nn.ConvTranspose1d(4, 2, 3, { stride: 2 }).forward(torch.randn(1, 4, 5)).shape // [1, 2, 11]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeModuleOptions = {}) {
    super(1, true, inChannels, outChannels, kernelSize, opts);
  }

  /** [N, inChannels, L] or [inChannels, L] -> [N, outChannels, Lout] or [outChannels, Lout]. */
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    const outputPadding = this.outputPaddingFor(input, outputSize, 1);
    return convTranspose1d(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}

/**
 * 2-D transposed convolution over [N, Cin, H, W] (or unbatched [Cin, H, W]) input, like
 * `torch.nn.ConvTranspose2d`. `weight` is [inChannels, outChannels / groups, kH, kW].
 * `forward(input, outputSize)` picks the output padding that gives `outputSize` ([h, w], or with
 * the batch and channel sizes in front).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html
 * @example new nn.ConvTranspose2d(4, 2, 3, { stride: 2 }).forward(torch.randn(1, 4, 5, 5), [12, 12]).shape // [1, 2, 12, 12]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeModuleOptions = {}) {
    super(2, true, inChannels, outChannels, kernelSize, opts);
  }

  /** [N, inChannels, H, W] or [inChannels, H, W] -> [N, outChannels, Hout, Wout] or [outChannels, Hout, Wout]. */
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    const outputPadding = this.outputPaddingFor(input, outputSize, 2);
    return convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}
