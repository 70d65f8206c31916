/**
 * Normalisation layers: `LayerNorm`, `BatchNorm1d`, `BatchNorm2d`, `GroupNorm`.
 */
import { checkBool, checkDTypeName, checkNumber, checkOptions, checkShape, describeValue, optional } from '../../validate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { emptyTensor, scalarTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../ops/util.js';
import { batchNorm, layerNorm } from '../functional.js';
import { groupNorm } from '../functional-cnn.js';
import * as init from '../init.js';
import { Module, pyBool, pyFloat, pyTuple } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn `weight` (ones) and `bias` (zeros) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * Normalises over the last dims (`normalizedShape`) of each sample, like `torch.nn.LayerNorm`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LayerNorm.html
 * @example const ln = new nn.LayerNorm(10); ln.forward(torch.randn(20, 5, 10));
 */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether `weight` and `bias` are learned. */
  readonly elementwiseAffine: boolean;
  /** normalizedShape-shaped scale, or null. */
  declare weight: Parameter | null;
  /** normalizedShape-shaped shift, or null. */
  declare bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const fn = 'LayerNorm()';
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) {
      throw new TypeError(`${fn}: argument 'normalized_shape' must be an integer or an array of integers, got ${describeValue(normalizedShape)}`);
    }
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    ns.forEach((s) => checkInt('normalized_shape', s));
    checkShape(fn, ns, 'normalized_shape');
    if (ns.length === 0) {
      // Deviation: PyTorch fails in forward; the message is its forward message.
      throw new RuntimeError('Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []');
    }
    this.normalizedShape = Object.freeze(ns);
    opts = checkOptions<LayerNormOptions>(fn, opts, ['eps', 'elementwiseAffine', 'dtype']);
    this.eps = optional(opts.eps, 1e-5, (v) => checkNumber(fn, 'eps', v));
    this.elementwiseAffine = optional(opts.elementwiseAffine, true, (v) => checkBool(fn, 'elementwiseAffine', v));
    optional(opts.dtype, 'float32', (v) => checkDTypeName(fn, v, true));
    if (this.elementwiseAffine) {
      const dtype = opts.dtype ?? 'float32';
      this.weight = new Parameter(emptyTensor(ns, dtype));
      this.bias = new Parameter(emptyTensor(ns, dtype));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  /** Sets weight to ones and bias to zeros. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** `input` [*, ...normalizedShape] normalised over the trailing dims (same shape). */
  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of the batch norm layers. */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics factor (default 0.1); null uses a cumulative moving average. */
  momentum?: number | null;
  /** Learn `weight` (ones) and `bias` (zeros) (default true). */
  affine?: boolean;
  /** Keep `running_mean` / `running_var` / `num_batches_tracked` buffers (default true). */
  trackRunningStats?: boolean;
  /** Parameter and buffer dtype (default float32). */
  dtype?: DType;
}

/**
 * The shared part of the batch norm layers (PyTorch's `_NormBase` + `_BatchNorm`).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm1d.html
 * @example
 * class BatchNorm2d extends nn.BatchNormBase {
 *   protected override checkInputDim(x: torch.Tensor): void {
 *     if (x.dim() !== 4) throw new torch.ValueError(`expected 4D input (got ${x.dim()}D input)`);
 *   }
 * }
 */
export abstract class BatchNormBase extends Module {
  static override _version = 2;
  /** C, the number of channels. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Running-statistics factor, or null for a cumulative moving average. */
  momentum: number | null;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Whether the running-statistics buffers are kept. */
  readonly trackRunningStats: boolean;
  /** [numFeatures] scale, or null. */
  declare weight: Parameter | null;
  /** [numFeatures] shift, or null. */
  declare bias: Parameter | null;
  /** [numFeatures] running mean (buffer), or null. */
  declare running_mean: Tensor | null;
  /** [numFeatures] running unbiased variance (buffer), or null. */
  declare running_var: Tensor | null;
  /** 0-d int64 count of training batches seen (buffer), or null. */
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const fn = `${this.constructor.name}()`;
    this.numFeatures = checkInt('num_features', numFeatures);
    checkShape(fn, [numFeatures], 'num_features');
    opts = checkOptions<BatchNormOptions>(fn, opts, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    this.eps = optional(opts.eps, 1e-5, (v) => checkNumber(fn, 'eps', v));
    this.momentum = opts.momentum === null ? null : optional(opts.momentum, 0.1, (v) => checkNumber(fn, 'momentum', v));
    this.affine = optional(opts.affine, true, (v) => checkBool(fn, 'affine', v));
    this.trackRunningStats = optional(opts.trackRunningStats, true, (v) => checkBool(fn, 'trackRunningStats', v));
    optional(opts.dtype, 'float32', (v) => checkDTypeName(fn, v, true));
    const dtype = opts.dtype ?? 'float32';
    if (this.affine) {
      this.weight = new Parameter(emptyTensor([numFeatures], dtype));
      this.bias = new Parameter(emptyTensor([numFeatures], dtype));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', emptyTensor([numFeatures], dtype));
      this.registerBuffer('running_var', emptyTensor([numFeatures], dtype).fill_(1));
      this.registerBuffer('num_batches_tracked', scalarTensor(0, 'int64'));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** Zeroes running_mean and num_batches_tracked, sets running_var to ones. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  /** Resets the running statistics, weight (ones) and bias (zeros). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  /** Throws when the input rank is wrong for this layer. */
  protected abstract checkInputDim(input: Tensor): void;

  /**
   * `input` (N, C) or (N, C, L) normalised per channel (same shape); updates the running statistics in training mode.
   */
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      // momentum=None: cumulative moving average
      factor = this.momentum === null ? 1.0 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useStats = !this.training || this.trackRunningStats;
    return batchNorm(
      input,
      useStats ? this.running_mean : null,
      useStats ? this.running_var : null,
      this.weight,
      this.bias,
      bnTraining,
      factor,
      this.eps,
    );
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }

  protected override _loadFromStateDict(
    state: Map<string, unknown>,
    prefix: string,
    localMetadata: { version?: number },
    missingKeys: string[],
    unexpectedKeys: string[],
    errorMsgs: string[],
  ): void {
    const version = localMetadata.version;
    // PyTorch parity: state dicts from before version 2 (or without metadata) lack num_batches_tracked.
    if ((version === undefined || version < 2) && this.trackRunningStats) {
      const key = `${prefix}num_batches_tracked`;
      if (!state.has(key)) state.set(key, scalarTensor(0, 'int64'));
    }
    super._loadFromStateDict(state, prefix, localMetadata, missingKeys, unexpectedKeys, errorMsgs);
  }
}

/**
 * Batch normalisation over (N, C) or (N, C, L) input, like `torch.nn.BatchNorm1d`: batch
 * statistics in training (updating the running statistics), running statistics in eval mode.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm1d.html
 * @example const bn = new nn.BatchNorm1d(100); bn.forward(torch.randn(20, 100));
 */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/**
 * Batch normalisation over (N, C, H, W) input, like `torch.nn.BatchNorm2d`: per-channel batch
 * statistics over N, H and W in training (updating the running statistics; `momentum: null` keeps
 * a cumulative average), running statistics in eval mode.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html
 * @example const bn = new nn.BatchNorm2d(16); bn.forward(torch.randn(8, 16, 32, 32));
 */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new ValueError(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** Options of `GroupNorm`. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn per-channel `weight` (ones) and `bias` (zeros) (default true). */
  affine?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * Group normalisation of (N, C, *) input, like `torch.nn.GroupNorm`: the C channels are split into
 * `numGroups` groups, each sample's groups are normalised by their own mean and variance, then
 * scaled and shifted per channel.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.GroupNorm.html
 * @example const gn = new nn.GroupNorm(4, 16); gn.forward(torch.randn(8, 16, 10, 10));
 */
export class GroupNorm extends Module {
  /** Number of channel groups. */
  readonly numGroups: number;
  /** C, the number of channels. */
  readonly numChannels: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** [numChannels] scale, or null. */
  declare weight: Parameter | null;
  /** [numChannels] shift, or null. */
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    const fn = 'GroupNorm()';
    this.numGroups = checkInt('num_groups', numGroups);
    this.numChannels = checkInt('num_channels', numChannels);
    opts = checkOptions<GroupNormOptions>(fn, opts, ['eps', 'affine', 'dtype']);
    this.eps = optional(opts.eps, 1e-5, (v) => checkNumber(fn, 'eps', v));
    this.affine = optional(opts.affine, true, (v) => checkBool(fn, 'affine', v));
    optional(opts.dtype, 'float32', (v) => checkDTypeName(fn, v, true));
    // Deviation: Python raises ZeroDivisionError for numGroups = 0.
    if (numGroups === 0 || numChannels % numGroups !== 0) throw new ValueError('num_channels must be divisible by num_groups');
    checkShape(fn, [numChannels], 'num_channels');
    const dtype = opts.dtype ?? 'float32';
    if (this.affine) {
      this.weight = new Parameter(emptyTensor([numChannels], dtype));
      this.bias = new Parameter(emptyTensor([numChannels], dtype));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  /** Sets weight to ones and bias to zeros. */
  resetParameters(): void {
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  /** (N, C, *) -> the same shape, group-normalised. */
  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
