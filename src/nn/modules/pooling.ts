/**
 * Pooling layers: `MaxPool1d`, `AvgPool1d`, `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool1d/2d`,
 * `AdaptiveMaxPool1d/2d`.
 */
import { checkBool, checkOptions, describeValue, optional } from '../../validate.js';
import { ValueError } from '../../errors.js';
import { type IntOrList, avgPool1d, maxPool1d } from '../../ops/conv.js';
import { type AdaptiveSize, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool2d, maxPool2d } from '../../ops/pool2d.js';
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

// ---------------------------------------------------------------- 2-D and adaptive pools

/** Python's repr of a size as PyTorch stores it: an int, or a tuple (null prints as None). */
function pySize(v: number | readonly (number | null)[]): string {
  if (typeof v === 'number') return String(v);
  const parts = v.map((x) => (x === null ? 'None' : String(x)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/**
 * A 2-D pooling size: an int or a list of ints, kept as given (PyTorch stores and prints it so).
 * Values are checked by the functional call in forward, with PyTorch's messages.
 */
function sizeArg(fn: string, name: string, v: unknown): IntOrList {
  const ok = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x);
  if (!(ok(v) || (Array.isArray(v) && v.every(ok)))) {
    throw new TypeError(`${fn}: argument '${name}' must be an int or a list of ints, got ${describeValue(v)}`);
  }
  return v as IntOrList;
}

/** Options of `MaxPool2d`; sizes are an int for both dims or [h, w]. */
export interface MaxPool2dModuleOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit -inf padding on both sides, at most half the kernel size (default 0). */
  padding?: IntOrList;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrList;
  /** `forward` also returns the argmax positions (default false). */
  returnIndices?: boolean;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over [N, C, H, W] or [C, H, W] input, like `torch.nn.MaxPool2d`. With
 * `returnIndices`, `forward` returns `[output, indices]` (positions h * W + w in each plane).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.MaxPool2d.html
 * @example new nn.MaxPool2d(2).forward(torch.randn(1, 3, 8, 8)).shape // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  /** Window size. */
  readonly kernelSize: IntOrList;
  /** Window step (defaults to `kernelSize`). */
  readonly stride: IntOrList;
  /** Implicit -inf padding on both sides. */
  readonly padding: IntOrList;
  /** Spacing between window elements. */
  readonly dilation: IntOrList;
  /** `forward` also returns the argmax positions. */
  readonly returnIndices: boolean;
  /** Use ceil instead of floor for the output size. */
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrList, opts: MaxPool2dModuleOptions = {}) {
    super();
    const fn = 'MaxPool2d()';
    opts = checkOptions<MaxPool2dModuleOptions>(fn, opts, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
    this.kernelSize = sizeArg(fn, 'kernel_size', kernelSize);
    this.stride = opts.stride === null || opts.stride === undefined ? kernelSize : sizeArg(fn, 'stride', opts.stride);
    this.padding = sizeArg(fn, 'padding', opts.padding ?? 0);
    this.dilation = sizeArg(fn, 'dilation', opts.dilation ?? 1);
    this.returnIndices = optional(opts.returnIndices, false, (v) => checkBool(fn, 'returnIndices', v));
    this.ceilMode = optional(opts.ceilMode, false, (v) => checkBool(fn, 'ceilMode', v));
  }

  /** [N, C, H, W] or [C, H, W] -> pooled output, or `[output, indices]` with `returnIndices`. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool2d(input, this.kernelSize, { ...opts, returnIndices: true }) : maxPool2d(input, this.kernelSize, opts);
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Options of `AvgPool2d`; sizes are an int for both dims or [h, w]. */
export interface AvgPool2dModuleOptions {
  /** Default: `kernelSize`. */
  stride?: IntOrList | null;
  /** Implicit zero padding on both sides (default 0). */
  padding?: IntOrList;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (default: none). */
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling over [N, C, H, W] or [C, H, W] input, like `torch.nn.AvgPool2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AvgPool2d.html
 * @example new nn.AvgPool2d(3, { stride: 2, padding: 1 }).forward(torch.randn(1, 3, 8, 8)).shape // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module {
  /** Window size. */
  readonly kernelSize: IntOrList;
  /** Window step (defaults to `kernelSize`). */
  readonly stride: IntOrList;
  /** Implicit zero padding on both sides. */
  readonly padding: IntOrList;
  /** Use ceil instead of floor for the output size. */
  readonly ceilMode: boolean;
  /** Count the zero padding in the divisor. */
  readonly countIncludePad: boolean;
  /** The divisor of every window, or null. */
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntOrList, opts: AvgPool2dModuleOptions = {}) {
    super();
    const fn = 'AvgPool2d()';
    opts = checkOptions<AvgPool2dModuleOptions>(fn, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    this.kernelSize = sizeArg(fn, 'kernel_size', kernelSize);
    this.stride = opts.stride === null || opts.stride === undefined ? kernelSize : sizeArg(fn, 'stride', opts.stride);
    this.padding = sizeArg(fn, 'padding', opts.padding ?? 0);
    this.ceilMode = optional(opts.ceilMode, false, (v) => checkBool(fn, 'ceilMode', v));
    this.countIncludePad = optional(opts.countIncludePad, true, (v) => checkBool(fn, 'countIncludePad', v));
    const div = opts.divisorOverride ?? null;
    if (div !== null && (typeof div !== 'number' || !Number.isInteger(div))) {
      throw new TypeError(`${fn}: argument 'divisor_override' must be an int or null, got ${describeValue(div)}`);
    }
    this.divisorOverride = div;
  }

  /** [N, C, H, W] or [C, H, W] -> average-pooled output. */
  override forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** The output size argument of the adaptive pools, checked for type (values are checked in forward). */
function adaptiveSize(fn: string, v: unknown, nullable: boolean): AdaptiveSize {
  const ok = (x: unknown): boolean => (typeof x === 'number' && Number.isInteger(x)) || (nullable && x === null);
  if (!((typeof v === 'number' && Number.isInteger(v)) || (Array.isArray(v) && v.every(ok)))) {
    throw new TypeError(`${fn}: argument 'output_size' must be an int or a list of ints${nullable ? ' or null' : ''}, got ${describeValue(v)}`);
  }
  return v as AdaptiveSize;
}

/** Options of the adaptive max pool layers. */
export interface AdaptiveMaxPoolModuleOptions {
  /** `forward` also returns the argmax positions (default false). */
  returnIndices?: boolean;
}

/**
 * Adaptive average pooling of [N, C, L] or [C, L] input to `outputSize` positions, like
 * `torch.nn.AdaptiveAvgPool1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveAvgPool1d.html
 * @example new nn.AdaptiveAvgPool1d(4).forward(torch.randn(2, 3, 10)).shape // [2, 3, 4]
 */
export class AdaptiveAvgPool1d extends Module {
  /** Output length (an int or a one-element list). */
  readonly outputSize: IntOrList;

  constructor(outputSize: IntOrList) {
    super();
    this.outputSize = adaptiveSize('AdaptiveAvgPool1d()', outputSize, false) as IntOrList;
  }

  /** [N, C, L] or [C, L] -> [N, C, outputSize] or [C, outputSize]. */
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * Adaptive average pooling of [N, C, H, W] or [C, H, W] input to `outputSize` (an int for both
 * dims, or [h, w] with null keeping that input size), like `torch.nn.AdaptiveAvgPool2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveAvgPool2d.html
 * @example new nn.AdaptiveAvgPool2d([null, 2]).forward(torch.randn(1, 3, 7, 9)).shape // [1, 3, 7, 2]
 */
export class AdaptiveAvgPool2d extends Module {
  /** Output size. */
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = adaptiveSize('AdaptiveAvgPool2d()', outputSize, true);
  }

  /** [N, C, H, W] or [C, H, W] -> [..., outH, outW]. */
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * Adaptive max pooling of [N, C, L] or [C, L] input to `outputSize` positions, like
 * `torch.nn.AdaptiveMaxPool1d`; with `returnIndices`, `forward` returns `[output, indices]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveMaxPool1d.html
 * @example new nn.AdaptiveMaxPool1d(4).forward(torch.randn(2, 3, 10)).shape // [2, 3, 4]
 */
export class AdaptiveMaxPool1d extends Module {
  /** Output length. */
  readonly outputSize: IntOrList;
  /** `forward` also returns the argmax positions. */
  readonly returnIndices: boolean;

  constructor(outputSize: IntOrList, opts: AdaptiveMaxPoolModuleOptions = {}) {
    super();
    const fn = 'AdaptiveMaxPool1d()';
    this.outputSize = adaptiveSize(fn, outputSize, false) as IntOrList;
    opts = checkOptions<AdaptiveMaxPoolModuleOptions>(fn, opts, ['returnIndices']);
    this.returnIndices = optional(opts.returnIndices, false, (v) => checkBool(fn, 'returnIndices', v));
  }

  /** [N, C, L] or [C, L] -> pooled output, or `[output, indices]` with `returnIndices`. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? adaptiveMaxPool1d(input, this.outputSize, true) : adaptiveMaxPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * Adaptive max pooling of [N, C, H, W] or [C, H, W] input to `outputSize` (an int or [h, w] with
 * null keeping that input size), like `torch.nn.AdaptiveMaxPool2d`; with `returnIndices`,
 * `forward` returns `[output, indices]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveMaxPool2d.html
 * @example new nn.AdaptiveMaxPool2d(2).forward(torch.randn(1, 3, 7, 9)).shape // [1, 3, 2, 2]
 */
export class AdaptiveMaxPool2d extends Module {
  /** Output size. */
  readonly outputSize: AdaptiveSize;
  /** `forward` also returns the argmax positions. */
  readonly returnIndices: boolean;

  constructor(outputSize: AdaptiveSize, opts: AdaptiveMaxPoolModuleOptions = {}) {
    super();
    const fn = 'AdaptiveMaxPool2d()';
    this.outputSize = adaptiveSize(fn, outputSize, true);
    opts = checkOptions<AdaptiveMaxPoolModuleOptions>(fn, opts, ['returnIndices']);
    this.returnIndices = optional(opts.returnIndices, false, (v) => checkBool(fn, 'returnIndices', v));
  }

  /** [N, C, H, W] or [C, H, W] -> pooled output, or `[output, indices]` with `returnIndices`. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? adaptiveMaxPool2d(input, this.outputSize, true) : adaptiveMaxPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}
