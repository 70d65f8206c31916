/**
 * Convolution layers: `Conv1d`.
 */
import { checkBool, checkDTypeName, checkOptions, describeValue, optional } from '../../validate.js';
import { ValueError } from '../../errors.js';
import { type IntOrList, type PaddingMode, conv1d, pad1d } from '../../ops/conv.js';
import { checkInt } from '../../ops/util.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, pyBool, pyTuple } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `Conv1d` (PyTorch's keyword arguments, camelCase). */
export interface Conv1dModuleOptions {
  /** Step between output positions (default 1). */
  stride?: IntOrList;
  /** Padding on both sides (default 0), or 'valid' (none) or 'same' (output length = input length; stride 1 only). */
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

/** PyTorch's `_single`: an int or a list becomes a list of ints. */
function single(name: string, v: unknown): number[] {
  const xs = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (xs === null || xs.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new TypeError(`Conv1d: ${name} must be an int or a list of ints, got ${describeValue(v)}`);
  }
  // Deviation: PyTorch accepts these at construction and fails in forward; we fail here, at the call that made the mistake.
  if (xs.length !== 1) throw new ValueError(`Conv1d: ${name} must be an int or a list of one int, got a list of ${xs.length}`);
  const x = xs[0] as number;
  if (name === 'padding' ? x < 0 : x <= 0) {
    throw new ValueError(`Conv1d: ${name} must be ${name === 'padding' ? 'non-negative' : 'positive'}, got ${x}`);
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
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) input, like `torch.nn.Conv1d`. `weight` is
 * [outChannels, inChannels / groups, kernelSize] and `bias` [outChannels], initialised like
 * PyTorch (kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) from the global
 * generator, so `torch.manualSeed(s)` gives PyTorch's weights.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Conv1d.html
 * @example const conv = new nn.Conv1d(4, 6, 3, { padding: 'same' }); conv.forward(torch.randn(2, 4, 10)).shape // [2, 6, 10]
 */
export class Conv1d extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels produced by the convolution. */
  readonly outChannels: number;
  /** `[K]`. */
  readonly kernelSize: number[];
  /** `[stride]`. */
  readonly stride: number[];
  /** `[padding]`, or 'same' / 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** `[dilation]`. */
  readonly dilation: number[];
  /** Always false (`ConvTranspose1d` is not implemented). */
  readonly transposed: boolean;
  /** Always `[0]`. */
  readonly outputPadding: number[];
  /** Number of channel groups. */
  readonly groups: number;
  /** How the padding is filled. */
  readonly paddingMode: 'zeros' | PaddingMode;
  /** [outChannels, inChannels / groups, K]. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  declare bias: Parameter | null;
  /** F.pad amounts [left, right] for the non-zero padding modes (PyTorch's `_reversed_padding_repeated_twice`). */
  private readonly padLR: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: Conv1dModuleOptions = {}) {
    super();
    this.inChannels = checkChannels('in_channels', inChannels);
    this.outChannels = checkChannels('out_channels', outChannels);
    opts = checkOptions<Conv1dModuleOptions>('Conv1d()', opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'dtype']);
    optional(opts.bias, true, (v) => checkBool('Conv1d()', 'bias', v));
    optional(opts.dtype, 'float32', (v) => checkDTypeName('Conv1d()', v, true));
    const groups = opts.groups === undefined ? 1 : opts.groups;
    checkInt('groups', groups);
    this.kernelSize = single('kernel_size', kernelSize);
    this.stride = single('stride', opts.stride === undefined ? 1 : opts.stride);
    const padding = opts.padding === undefined ? 0 : opts.padding;
    this.padding = typeof padding === 'string' ? padding : single('padding', padding);
    this.dilation = single('dilation', opts.dilation === undefined ? 1 : opts.dilation);
    this.transposed = false;
    this.outputPadding = [0];
    this.groups = groups;
    this.paddingMode = opts.paddingMode === undefined ? 'zeros' : opts.paddingMode;
    // _ConvNd.__init__ checks, in PyTorch's order.
    if (groups <= 0) throw new ValueError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new ValueError('out_channels must be divisible by groups');
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new ValueError(`Invalid padding string '${padding}', should be one of ${PADDING_STRINGS}`);
      }
      if (padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new ValueError("padding='same' is not supported for strided convolutions");
      }
    }
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new ValueError(`padding_mode must be one of ${PADDING_MODES}, but got padding_mode=${typeof this.paddingMode === 'string' ? `'${this.paddingMode}'` : describeValue(this.paddingMode)}`);
    }
    if (this.padding === 'same') {
      const total = (this.dilation[0] ?? 1) * ((this.kernelSize[0] ?? 1) - 1);
      const left = Math.floor(total / 2);
      this.padLR = [left, total - left];
    } else if (this.padding === 'valid') {
      this.padLR = [0, 0];
    } else {
      this.padLR = [this.padding[0] ?? 0, this.padding[0] ?? 0];
    }
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(emptyTensor([outChannels, inChannels / groups, ...this.kernelSize], dtype));
    if (opts.bias === undefined ? true : opts.bias) this.bias = new Parameter(emptyTensor([outChannels], dtype));
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

  /** [N, inChannels, L] or [inChannels, L] -> [N, outChannels, Lout] or [outChannels, Lout]. */
  override forward(input: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      const padded = pad1d(input, this.padLR[0], this.padLR[1], this.paddingMode);
      return conv1d(padded, this.weight, this.bias, { stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups });
    }
    return conv1d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
