/**
 * Loss modules: thin wrappers that store the options (and the `weight` / `pos_weight` buffers) and
 * call the functional losses in ../functional-loss.ts. Like PyTorch's `_Loss`, the reduction is
 * checked when the loss is computed, and the repr is the bare class name (`CrossEntropyLoss()`).
 *
 * Deviation: the legacy `size_average` and `reduce` arguments are not supported; use `reduction`.
 */
import { Tensor } from '../../tensor/tensor.js';
import { checkBool, checkInt, checkNumber, checkOptions, describeValue } from '../../validate.js';
import {
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
  type CTCLossOptions,
  type CrossEntropyOptions,
  type HuberLossOptions,
  type KLDivLossOptions,
  type LossOptions,
  type NLLLossOptions,
  type Reduction,
  type SmoothL1LossOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  ctcLoss,
  huberLoss,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from '../functional-loss.js';
import { Module } from '../module.js';

export type {
  BCELossOptions,
  BCEWithLogitsLossOptions,
  CTCLossOptions,
  CrossEntropyOptions,
  HuberLossOptions,
  KLDivLossOptions,
  LossOptions,
  NLLLossOptions,
  Reduction,
  SmoothL1LossOptions,
};

const KEYS: Record<string, string[]> = {
  MSELoss: ['reduction'],
  L1Loss: ['reduction'],
  SmoothL1Loss: ['reduction', 'beta'],
  HuberLoss: ['reduction', 'delta'],
  CrossEntropyLoss: ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'],
  NLLLoss: ['weight', 'ignoreIndex', 'reduction'],
  BCELoss: ['weight', 'reduction'],
  BCEWithLogitsLoss: ['weight', 'posWeight', 'reduction'],
  KLDivLoss: ['reduction', 'logTarget'],
  CTCLoss: ['blank', 'reduction', 'zeroInfinity'],
};

/**
 * The options object of a loss constructor: option names and types are checked here; values
 * PyTorch checks when the loss is computed (reduction, beta, delta, label smoothing) are checked then.
 */
function opts<T extends object>(name: string, o: T | undefined): T {
  const fn = `${name}()`;
  const r = checkOptions<T & Record<string, unknown>>(fn, o, KEYS[name]!);
  for (const k of ['weight', 'posWeight']) {
    const w = r[k];
    if (w !== undefined && w !== null && !(w instanceof Tensor)) throw new TypeError(`${fn}: argument '${k}' must be a Tensor or null, got ${describeValue(w)}`);
  }
  if (r.ignoreIndex !== undefined) checkInt(fn, 'ignoreIndex', r.ignoreIndex);
  if (r.logTarget !== undefined) checkBool(fn, 'logTarget', r.logTarget);
  if (r.zeroInfinity !== undefined) checkBool(fn, 'zeroInfinity', r.zeroInfinity);
  if (r.blank !== undefined) checkInt(fn, 'blank', r.blank);
  for (const k of ['beta', 'delta', 'labelSmoothing']) if (r[k] !== undefined) checkNumber(fn, k, r[k]);
  return r;
}

/**
 * Base class of the losses (PyTorch's `_Loss`): holds `reduction`.
 * See https://pytorch.org/docs/1.13/nn.html#loss-functions
 * @example
 * class MAPE extends nn.Loss {
 *   override forward(input: torch.Tensor, target: torch.Tensor) { return input.sub(target).div(target).abs().mean(); }
 * }
 */
export class Loss extends Module {
  /** 'none' | 'mean' | 'sum' (KLDivLoss also 'batchmean'); checked when the loss is computed. */
  reduction: Reduction | 'batchmean';

  constructor(reduction: Reduction | 'batchmean' | undefined = 'mean') {
    super();
    this.reduction = reduction ?? 'mean';
  }
}

/**
 * Base class of the losses with a class `weight` buffer (PyTorch's `_WeightedLoss`).
 * See https://pytorch.org/docs/1.13/nn.html#loss-functions
 * @example new nn.NLLLoss({ weight: torch.tensor([1, 5], { dtype: 'float32' }) }).weight // a registered buffer
 */
export class WeightedLoss extends Loss {
  /** Per-class (or per-element) rescaling weight: a buffer, in the state dict when set. */
  declare weight: Tensor | null;

  constructor(weight: Tensor | null | undefined, reduction: Reduction | undefined) {
    super(reduction);
    this.registerBuffer('weight', weight ?? null);
  }
}

/**
 * Mean squared error, like `torch.nn.MSELoss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.MSELoss.html
 * @example const loss = new nn.MSELoss().forward(pred, target);
 */
export class MSELoss extends Loss {
  constructor(options?: LossOptions) {
    super(opts('MSELoss', options).reduction);
  }

  /** mean((input - target)^2) over the elements (0-d unless `reduction: 'none'`). */
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction as Reduction });
  }
}

/**
 * Mean absolute error, like `torch.nn.L1Loss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.L1Loss.html
 * @example const loss = new nn.L1Loss({ reduction: 'sum' }).forward(pred, target);
 */
export class L1Loss extends Loss {
  constructor(options?: LossOptions) {
    super(opts('L1Loss', options).reduction);
  }

  /** mean(|input - target|) over the elements (0-d unless `reduction: 'none'`). */
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction as Reduction });
  }
}

/**
 * Smooth L1 loss, like `torch.nn.SmoothL1Loss` (`beta` default 1).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.SmoothL1Loss.html
 * @example const loss = new nn.SmoothL1Loss({ beta: 0.5 }).forward(pred, target);
 */
export class SmoothL1Loss extends Loss {
  /** Threshold between the quadratic and the linear part. */
  beta: number;

  constructor(options?: SmoothL1LossOptions) {
    const o = opts('SmoothL1Loss', options);
    super(o.reduction);
    this.beta = o.beta ?? 1;
  }

  /** Smooth L1 loss of `input` against `target` (same shapes); 0-d unless `reduction: 'none'`. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction as Reduction, beta: this.beta });
  }
}

/**
 * Huber loss, like `torch.nn.HuberLoss` (`delta` default 1).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.HuberLoss.html
 * @example const loss = new nn.HuberLoss({ delta: 2 }).forward(pred, target);
 */
export class HuberLoss extends Loss {
  /** Threshold between the quadratic and the linear part. */
  delta: number;

  constructor(options?: HuberLossOptions) {
    const o = opts('HuberLoss', options);
    super(o.reduction);
    this.delta = o.delta ?? 1;
  }

  /** Huber loss of `input` against `target` (same shapes); 0-d unless `reduction: 'none'`. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction as Reduction, delta: this.delta });
  }
}

/**
 * Cross-entropy of logits against class indices or class probabilities, like
 * `torch.nn.CrossEntropyLoss` (fused log-softmax + NLL).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.CrossEntropyLoss.html
 * @example
 * const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = ce.forward(logits, torch.tensor([1, 0, 4]));
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** Target value that is ignored (default -100). */
  ignoreIndex: number;
  /** Label smoothing in [0, 1] (default 0). */
  labelSmoothing: number;

  constructor(options?: CrossEntropyOptions) {
    const o = opts('CrossEntropyLoss', options);
    super(o.weight, o.reduction);
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.labelSmoothing = o.labelSmoothing ?? 0;
  }

  /**
   * `input` logits [N, C] (or [N, C, d...], or [C]) against class indices [N] or probabilities [N, C];
   * 0-d unless `reduction: 'none'`.
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction as Reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Negative log-likelihood of log-probabilities, like `torch.nn.NLLLoss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.NLLLoss.html
 * @example const loss = new nn.NLLLoss().forward(logits.logSoftmax(1), target);
 */
export class NLLLoss extends WeightedLoss {
  /** Target value that is ignored (default -100). */
  ignoreIndex: number;

  constructor(options?: NLLLossOptions) {
    const o = opts('NLLLoss', options);
    super(o.weight, o.reduction);
    this.ignoreIndex = o.ignoreIndex ?? -100;
  }

  /**
   * `input` log-probabilities [N, C] (or [N, C, d...]) against class indices [N];
   * 0-d unless `reduction: 'none'`.
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction as Reduction });
  }
}

/**
 * Binary cross-entropy of probabilities, like `torch.nn.BCELoss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.BCELoss.html
 * @example const loss = new nn.BCELoss().forward(logits.sigmoid(), target);
 */
export class BCELoss extends WeightedLoss {
  constructor(options?: BCELossOptions) {
    const o = opts('BCELoss', options);
    super(o.weight, o.reduction);
  }

  /** `input` probabilities in [0, 1] against `target` of the same shape (0-d unless `reduction: 'none'`). */
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction as Reduction });
  }
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable op, like `torch.nn.BCEWithLogitsLoss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.BCEWithLogitsLoss.html
 * @example const loss = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([3]) }).forward(logits, target);
 */
export class BCEWithLogitsLoss extends Loss {
  /** Rescaling weight of each element: a buffer, in the state dict when set. */
  declare weight: Tensor | null;
  /** Weight of positive examples (broadcast over the last dim): a buffer, in the state dict when set. */
  declare pos_weight: Tensor | null;

  constructor(options?: BCEWithLogitsLossOptions) {
    const o = opts('BCEWithLogitsLoss', options);
    super(o.reduction);
    this.registerBuffer('weight', o.weight ?? null);
    this.registerBuffer('pos_weight', o.posWeight ?? null);
  }

  /** `input` logits against `target` probabilities of the same shape (0-d unless `reduction: 'none'`). */
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction as Reduction,
    });
  }
}

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target`, like
 * `torch.nn.KLDivLoss`; use `reduction: 'batchmean'` for the mathematical definition.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.KLDivLoss.html
 * @example const loss = new nn.KLDivLoss({ reduction: 'batchmean' }).forward(logq, p);
 */
export class KLDivLoss extends Loss {
  /** Whether the target holds log-probabilities. */
  logTarget: boolean;

  constructor(options?: KLDivLossOptions) {
    const o = opts('KLDivLoss', options);
    super(o.reduction);
    this.logTarget = o.logTarget ?? false;
  }

  /**
   * `input` log-probabilities against `target` (probabilities, or log-probabilities with
   * `logTarget`); 0-d unless `reduction: 'none'`.
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/**
 * Connectionist temporal classification loss, like `torch.nn.CTCLoss`: the negative
 * log-likelihood of each target over all its alignments to the input frames.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.CTCLoss.html
 * @example
 * const ctc = new nn.CTCLoss({ blank: 0, zeroInfinity: true });
 * const loss = ctc.forward(logits.logSoftmax(2), targets, inputLengths, targetLengths);
 */
export class CTCLoss extends Loss {
  /** The blank label (default 0). */
  blank: number;
  /** Whether infinite losses and their gradients become 0 (default false). */
  zeroInfinity: boolean;

  constructor(options?: CTCLossOptions) {
    const o = opts('CTCLoss', options);
    super(o.reduction);
    this.blank = o.blank ?? 0;
    this.zeroInfinity = o.zeroInfinity ?? false;
  }

  /**
   * `logProbs` [T, N, C] (or [T, C]) against padded [N, S] or concatenated targets, with the input
   * and target lengths as int64 tensors or arrays; 0-d unless `reduction: 'none'` ([N]).
   */
  override forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank,
      reduction: this.reduction as Reduction,
      zeroInfinity: this.zeroInfinity,
    });
  }
}
