/**
 * Pooling layers: `MaxPool1d`, `AvgPool1d`.
 */
import { checkBool, checkOptions, describeValue, optional } from '../../validate.js';
import { ValueError } from '../../errors.js';
import { type IntOrList, avgPool1d, maxPool1d } from '../../ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module, pyBool, pyTuple } from '../module.js';

/** Options of `MaxPool1d`. */
export interface MaxPool1dModuleOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit -inf padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrList;
  /** `forward` also returns the argmax positions (default false). */
  returnIndices?: boolean;
  /** Use ceil instead of floor for the output length (default false). */
  ceilMode?: boolean;
}

/** Options of `AvgPool1d`. */
export interface AvgPool1dModuleOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit zero padding on both sides (default 0). */
  padding?: IntOrList;
  /** Use ceil instead of floor for the output length (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
}

/** Python's repr of an int or a list of ints, as PyTorch stores them. */
function pyIntOrList(v: IntOrList): string {
  return typeof v === 'number' ? String(v) : `[${v.join(', ')}]`;
}

/** PyTorch's `_single`. */
/**
 * A pooling size: an int or a list of one int, at least `min`. Deviation: PyTorch checks these in
 * forward (`max_pool1d() kernel_size must be greater than zero, but got -1`); we check at construction.
 */
function poolArg(fn: string, name: string, v: unknown, min: number): IntOrList {
  const xs = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (xs === null || xs.length !== 1 || typeof xs[0] !== 'number' || !Number.isInteger(xs[0])) {
    throw new TypeError(`${fn}: argument '${name}' must be an int or a list of one int, got ${describeValue(v)}`);
  }
  const x = xs[0];
  if (x < min) {
    throw new ValueError(`${fn}: ${name} must be ${min === 0 ? 'non-negative' : 'greater than zero'}, but got ${x}`);
  }
  return v as IntOrList;
}

function single(v: IntOrList): number[] {
  return typeof v === 'number' ? [v] : [...v];
}

/**
 * 1-D max pooling over the last dim of [N, C, L] or [C, L] input, like `torch.nn.MaxPool1d`.
 * With `returnIndices`, `forward` returns `[output, indices]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.MaxPool1d.html
 * @example new nn.MaxPool1d(3, { stride: 2 }).forward(torch.randn(2, 4, 10)).shape // [2, 4, 4]
 */
export class MaxPool1d extends Module {
  /** Window size. */
  readonly kernelSize: IntOrList;
  /** Window step (defaults to `kernelSize`). */
  readonly stride: IntOrList;
  /** Implicit -inf padding on both sides (default 0). */
  readonly padding: IntOrList;
  /** Spacing between window elements (default 1). */
  readonly dilation: IntOrList;
  /** `forward` also returns the argmax indices. */
  readonly returnIndices: boolean;
  /** Use ceil instead of floor for the output length. */
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrList, opts: MaxPool1dModuleOptions = {}) {
    super();
    const fn = 'MaxPool1d()';
    opts = checkOptions<MaxPool1dModuleOptions>(fn, opts, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
    this.kernelSize = poolArg(fn, 'kernel_size', kernelSize, 1);
    this.stride = opts.stride === null || opts.stride === undefined ? kernelSize : poolArg(fn, 'stride', opts.stride, 1);
    this.padding = poolArg(fn, 'padding', opts.padding === undefined ? 0 : opts.padding, 0);
    this.dilation = poolArg(fn, 'dilation', opts.dilation === undefined ? 1 : opts.dilation, 1);
    this.returnIndices = optional(opts.returnIndices, false, (v) => checkBool(fn, 'returnIndices', v));
    this.ceilMode = optional(opts.ceilMode, false, (v) => checkBool(fn, 'ceilMode', v));
  }

  /** [N, C, L] or [C, L] -> pooled output, or `[output, indices]` with `returnIndices`. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool1d(input, this.kernelSize, { ...opts, returnIndices: true }) : maxPool1d(input, this.kernelSize, opts);
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrList(this.kernelSize)}, stride=${pyIntOrList(this.stride)}, padding=${pyIntOrList(this.padding)}, dilation=${pyIntOrList(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D average pooling over the last dim of [N, C, L] or [C, L] input, like `torch.nn.AvgPool1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AvgPool1d.html
 * @example new nn.AvgPool1d(3, { stride: 2, padding: 1 }).forward(torch.randn(2, 4, 10)).shape // [2, 4, 5]
 */
export class AvgPool1d extends Module {
  /** `[K]`. */
  readonly kernelSize: number[];
  /** `[stride]`. */
  readonly stride: number[];
  /** `[padding]`. */
  readonly padding: number[];
  /** Use ceil instead of floor for the output length. */
  readonly ceilMode: boolean;
  /** Count the zero padding in the averaging divisor (default true). */
  readonly countIncludePad: boolean;

  constructor(kernelSize: IntOrList, opts: AvgPool1dModuleOptions = {}) {
    super();
    const fn = 'AvgPool1d()';
    opts = checkOptions<AvgPool1dModuleOptions>(fn, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    this.kernelSize = single(poolArg(fn, 'kernel_size', kernelSize, 1));
    this.stride = single(opts.stride === null || opts.stride === undefined ? kernelSize : poolArg(fn, 'stride', opts.stride, 1));
    this.padding = single(poolArg(fn, 'padding', opts.padding === undefined ? 0 : opts.padding, 0));
    this.ceilMode = optional(opts.ceilMode, false, (v) => checkBool(fn, 'ceilMode', v));
    this.countIncludePad = optional(opts.countIncludePad, true, (v) => checkBool(fn, 'countIncludePad', v));
  }

  /** [N, C, L] or [C, L] -> average-pooled output. */
  override forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}
