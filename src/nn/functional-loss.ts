/**
 * Loss functions, like `torch.nn.functional`'s: mse_loss, l1_loss, smooth_l1_loss, huber_loss,
 * cross_entropy, nll_loss, binary_cross_entropy(_with_logits), kl_div and ctc_loss.
 *
 * As in PyTorch's functional.py, this file handles the arguments: their checks and PyTorch's
 * messages in PyTorch's order, warnings, the reduction, dtype promotion. L1 and KL divergence
 * compose existing ops, as in PyTorch 1.13; the other losses call their ops in ops/loss.ts.
 */
import { checkOptions, describeValue, pyTypeName } from '../validate.js';
import '../ops/methods.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { type DType, isFloating, promoteTypes, scalarTypeName } from '../tensor/dtype.js';
import { Tensor, sameShape, shapeNumel } from '../tensor/tensor.js';
import { where } from '../ops/elementwise.js';
import {
  type ClassLayout,
  type Reduction,
  applyReduction,
  binaryCrossEntropyOp,
  binaryCrossEntropyWithLogitsOp,
  crossEntropyOp,
  crossEntropyProbOp,
  huberLossOp,
  mseLossOp,
  nllLossOp,
  smoothL1LossOp,
} from '../ops/loss.js';
import { broadcastShapes, castRaw } from '../ops/util.js';
import { ctcLoss as ctcLossOp } from '../ops/ctc.js';
import { warnOnce } from '../warnings.js';

// ---------------------------------------------------------------- options and shared helpers

/** How a loss reduces its per-element values: PyTorch's `reduction` ('none' | 'mean' | 'sum'). */
export type { Reduction };

/** Options shared by every loss. */
export interface LossOptions {
  /** 'none' | 'mean' (default) | 'sum'. */
  reduction?: Reduction;
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear (default 1, must be >= 0). */
  beta?: number;
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear (default 1, must be > 0). */
  delta?: number;
}

/** Options of `nllLoss`. */
export interface NLLLossOptions extends LossOptions {
  /** A manual rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Target value that is ignored and does not count in the mean (default -100). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** Amount of smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** Options of `binaryCrossEntropy`. */
export interface BCELossOptions extends LossOptions {
  /** A manual rescaling weight, broadcast to the target's shape. */
  weight?: Tensor | null;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples, broadcast along the last (class) dim: shape [C]. */
  posWeight?: Tensor | null;
}

/** Options of `ctcLoss`. */
export interface CTCLossOptions extends LossOptions {
  /** The blank label (default 0). */
  blank?: number;
  /** Whether infinite losses (inputs too short to align to their targets) and their gradients become 0 (default false). */
  zeroInfinity?: boolean;
}

/** Options of `klDiv`. */
export interface KLDivLossOptions {
  /** 'none' | 'mean' (default) | 'sum' | 'batchmean' (sum divided by the batch size). */
  reduction?: Reduction | 'batchmean';
  /** Whether `target` holds log-probabilities (default false). */
  logTarget?: boolean;
}

/** PyTorch's argument-parser error for a non-Tensor argument. */
function tensorArg(fn: string, name: string, pos: number, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}(): argument '${name}' (position ${pos}) must be Tensor, not ${pyTypeName(v)}`);
  return v;
}

/** An optional Tensor argument (`undefined` and `null` are None). */
function optTensorArg(fn: string, name: string, pos: number, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(fn, name, pos, v);
}

function numberArg(fn: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw new TypeError(`${fn}(): argument '${name}' must be float, not ${pyTypeName(v)}`);
  return v;
}

/** Python's str() of a reduction value, for the ValueError. */
function pyStr(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'string' ? v : describeValue(v);
}


/** PyTorch's `_Reduction.get_enum`: validates a reduction (default 'mean'). @internal */
export function getReduction(r: unknown): Reduction {
  if (r === undefined || r === 'mean') return 'mean';
  if (r === 'none' || r === 'sum') return r;
  if (r === 'elementwise_mean') {
    warnOnce("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
    return 'mean';
  }
  throw new ValueError(`${pyStr(r)} is not a valid value for reduction`);
}

/** `torch.Size([2, 3])`, as Python prints it. */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** C++ `ostream << double` (the `%g` format with 6 significant digits), used in ATen messages. */
function cppDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential(5).split('e') as [string, string];
  const exp = Number(expStr);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 6) return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(v.toFixed(5 - exp));
}

/** In-place ops need the other operand to broadcast into `out` without growing it. */
function checkInplaceBroadcast(out: readonly number[], other: readonly number[]): void {
  const b = broadcastShapes(out, other);
  if (!sameShape(b, out)) {
    throw new RuntimeError(`output with shape [${out.join(', ')}] doesn't match the broadcast shape [${b.join(', ')}]`);
  }
}

/** Autograd refuses a weight that requires grad where PyTorch's formula has no gradient for it. */
function checkNoRequiresGrad(t: Tensor | null, name: string, fn: string): void {
  if (t && t.requiresGrad && isGradEnabled()) {
    throw new RuntimeError(
      `The function '${fn}' is not differentiable with respect to argument '${name}'. This input cannot have requires_grad True.`,
    );
  }
}

/** The broadcasting warning of mse/l1/smooth_l1/huber (PyTorch warns, then broadcasts). */
function warnSize(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  warnOnce(
    `Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
    'loss-broadcast',
  );
}

/** Common checks of the regression losses: tensors, size warning, reduction, broadcast. */
function regressionArgs(fn: string, input: unknown, target: unknown, reduction: unknown): [Tensor, Tensor, Reduction] {
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  warnSize(x, t);
  const r = getReduction(reduction);
  broadcastShapes(x.shape, t.shape);
  return [x, t, r];
}

function resultOf(x: Tensor, t: Tensor): DType {
  return promoteTypes(x.dtype, t.dtype);
}

/**
 * Mean squared error, like `torch.nn.functional.mse_loss`. `input` and `target` broadcast (with
 * PyTorch's warning, printed once).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.mse_loss.html
 * @example const loss = torch.nn.functional.mseLoss(pred, target); // scalar
 */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  opts = checkOptions<LossOptions>('mseLoss()', opts, ['reduction']);
  const [x, t, r] = regressionArgs('mse_loss', input, target, opts.reduction);
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"mse_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return mseLossOp(x, t, { p: 0, weight: null, posWeight: null, reduction: r });
}

/**
 * Mean absolute error, like `torch.nn.functional.l1_loss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.l1_loss.html
 * @example const loss = torch.nn.functional.l1Loss(pred, target, { reduction: 'sum' });
 */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  opts = checkOptions<LossOptions>('l1Loss()', opts, ['reduction']);
  const [x, t, r] = regressionArgs('l1_loss', input, target, opts.reduction);
  // PyTorch 1.13's l1_loss is composite: (input - target).abs() then the reduction.
  return applyReduction(x.sub(t).abs(), r);
}

/**
 * Smooth L1 loss, like `torch.nn.functional.smooth_l1_loss`: 0.5 d²/beta where |d| < beta,
 * else |d| - 0.5 beta.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.smooth_l1_loss.html
 * @example const loss = torch.nn.functional.smoothL1Loss(pred, target, { beta: 0.5 });
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  opts = checkOptions<SmoothL1LossOptions>('smoothL1Loss()', opts, ['reduction', 'beta']);
  const [x, t, r] = regressionArgs('smooth_l1_loss', input, target, opts.reduction);
  const beta = numberArg('smooth_l1_loss', 'beta', opts.beta, 1);
  if (!(beta >= 0)) throw new RuntimeError('smooth_l1_loss does not support negative values for beta.');
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"smooth_l1_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return smoothL1LossOp(x, t, { p: beta, weight: null, posWeight: null, reduction: r });
}

/**
 * Huber loss, like `torch.nn.functional.huber_loss`: 0.5 d² where |d| < delta, else
 * delta (|d| - 0.5 delta).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.huber_loss.html
 * @example const loss = torch.nn.functional.huberLoss(pred, target, { delta: 2 });
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  opts = checkOptions<HuberLossOptions>('huberLoss()', opts, ['reduction', 'delta']);
  const x = tensorArg('huber_loss', 'input', 1, input);
  const t = tensorArg('huber_loss', 'target', 2, target);
  warnSize(x, t);
  broadcastShapes(x.shape, t.shape); // PyTorch broadcasts before it parses the reduction here
  const r = getReduction(opts.reduction);
  const delta = numberArg('huber_loss', 'delta', opts.delta, 1);
  if (!(delta > 0)) throw new RuntimeError('huber_loss does not support non-positive values for delta.');
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"huber_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return huberLossOp(x, t, { p: delta, weight: null, posWeight: null, reduction: r });
}

// ---------------------------------------------------------------- BCE, BCE with logits

/**
 * Binary cross-entropy between probabilities and targets, like
 * `torch.nn.functional.binary_cross_entropy`. Each log is clamped to >= -100.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy.html
 * @example const loss = torch.nn.functional.binaryCrossEntropy(p.sigmoid(), y);
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCELossOptions = {}): Tensor {
  opts = checkOptions<BCELossOptions>('binaryCrossEntropy()', opts, ['weight', 'reduction']);
  const fn = 'binary_cross_entropy';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  let w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  if (!sameShape(x.shape, t.shape)) {
    throw new ValueError(
      `Using a target size (${torchSize(t.shape)}) that is different to the input size (${torchSize(x.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  if (w) {
    const size = broadcastShapes(t.shape, w.shape); // _infer_size(target.size(), weight.size())
    checkNoRequiresGrad(w, 'weight', fn);
    checkInplaceBroadcast(x.shape, size); // loss.mul_(weight)
  }
  if (t.dtype !== x.dtype) throw new RuntimeError(`Found dtype ${scalarTypeName(t.dtype)} but expected ${scalarTypeName(x.dtype)}`);
  if (!isFloating(x.dtype)) throw new RuntimeError(`"binary_cross_entropy" not implemented for '${scalarTypeName(x.dtype)}'`);
  if (w && w.dtype !== x.dtype) w = castRaw(w, x.dtype); // the in-place mul_ keeps the loss's dtype
  // (the op raises 'all elements of input should be between 0 and 1', as PyTorch's kernel does)
  return binaryCrossEntropyOp(x, t, { p: 0, weight: w, posWeight: null, reduction: r });
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable formula, like
 * `torch.nn.functional.binary_cross_entropy_with_logits`. `posWeight` broadcasts against the
 * target (a [C] tensor weights the positives of each class).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy_with_logits.html
 * @example const loss = torch.nn.functional.binaryCrossEntropyWithLogits(logits, y, { posWeight: torch.tensor([3, 1]) });
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsLossOptions = {}): Tensor {
  opts = checkOptions<BCEWithLogitsLossOptions>('binaryCrossEntropyWithLogits()', opts, ['weight', 'posWeight', 'reduction']);
  const fn = 'binary_cross_entropy_with_logits';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  let w = optTensorArg(fn, 'weight', 3, opts.weight);
  let pw = optTensorArg(fn, 'pos_weight', 4, opts.posWeight);
  const r = getReduction(opts.reduction);
  if (!sameShape(x.shape, t.shape)) {
    throw new ValueError(`Target size (${torchSize(t.shape)}) must be the same as input size (${torchSize(x.shape)})`);
  }
  checkNoRequiresGrad(w, 'weight', fn);
  checkNoRequiresGrad(pw, 'pos_weight', fn);
  if (x.dtype === 'bool') {
    throw new RuntimeError(
      'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  }
  if (t.dtype === 'bool') {
    throw new RuntimeError(
      'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
    );
  }
  if (!isFloating(x.dtype) || !isFloating(t.dtype)) {
    const bad = isFloating(t.dtype) ? x.dtype : t.dtype;
    throw new RuntimeError(`result type Float can't be cast to the desired output type ${scalarTypeName(bad)}`);
  }
  const dt = promoteTypes(x.dtype, t.dtype);
  if (pw) checkInplaceBroadcast(x.shape, broadcastShapes(pw.shape, t.shape));
  if (w) checkInplaceBroadcast(x.shape, w.shape);
  if (w && w.dtype !== dt) w = castRaw(w, dt);
  if (pw && pw.dtype !== dt) pw = castRaw(pw, dt); // the in-place ops keep the loss's dtype
  return binaryCrossEntropyWithLogitsOp(x, t, { p: 0, weight: w, posWeight: pw, reduction: r });
}

// ---------------------------------------------------------------- KL divergence

/** xlogy(t, t): 0 where t == 0 (NaN stays NaN). */
function xlogx(t: Tensor): Tensor {
  return where(t.eq(0), 0, t.mul(t.log()));
}

/**
 * Kullback-Leibler divergence with `input` as log-probabilities, like
 * `torch.nn.functional.kl_div`. Use `reduction: 'batchmean'` for the mathematical KL divergence.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.kl_div.html
 * @example const loss = torch.nn.functional.klDiv(logq, p, { reduction: 'batchmean' });
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivLossOptions = {}): Tensor {
  opts = checkOptions<KLDivLossOptions>('klDiv()', opts, ['reduction', 'logTarget']);
  if (opts.logTarget !== undefined && typeof opts.logTarget !== 'boolean') {
    throw new TypeError(`kl_div(): argument 'log_target' must be bool, got ${describeValue(opts.logTarget)}`);
  }
  const x = tensorArg('kl_div', 'input', 1, input);
  const t = tensorArg('kl_div', 'target', 2, target);
  const red = opts.reduction;
  if (red === undefined || red === 'mean') {
    warnOnce(
      "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const r = red === 'batchmean' ? 'sum' : getReduction(red);
  if (!isFloating(x.dtype) || !isFloating(t.dtype)) throw new RuntimeError('kl_div: Integral inputs not supported.');
  const out = opts.logTarget ? t.exp().mul(t.sub(x)) : xlogx(t).sub(t.mul(x));
  const reduced = applyReduction(out, r);
  return red === 'batchmean' && x.dim() !== 0 ? reduced.div(x.shape[0]!) : reduced;
}

// ---------------------------------------------------------------- NLL and cross-entropy

/** A class layout and the aten op named in weight errors: nll_loss_forward or nll_loss2d_forward. */
type NllLayout = ClassLayout & { aten: string };

/** PyTorch's nll_loss_nd / nll_loss / nll_loss2d argument checks, in PyTorch's order. */
function nllLayout(input: Tensor, target: Tensor, weight: Tensor | null): NllLayout {
  const nd = input.dim();
  if (nd < 1) throw new ValueError(`Expected 1 or more dimensions (got ${nd})`);
  if (nd !== 1 && input.shape[0] !== (target.shape[0] ?? 0)) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`);
  }
  const C = nd === 1 ? input.shape[0]! : input.shape[1]!;
  const sz = (t: Tensor): string => `[${t.shape.join(', ')}]`;
  if (nd <= 2) {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss_forward');
    if (target.dim() > 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
    const noBatch = nd === 1 && target.dim() === 0;
    if (!(noBatch || input.shape[0] === target.shape[0])) {
      throw new RuntimeError(`size mismatch (got input: ${sz(input)}, target: ${sz(target)})`);
    }
    if (weight && !(weight.dim() === 1 && weight.numel() === C)) {
      throw new RuntimeError(
        `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sz(weight)}`,
      );
    }
    // PyTorch parity: a 1-D input with a 1-D target of C elements is accepted and reads target[0].
    if (nd === 1) return { N: 1, C, S: 1, out: [], aten: 'nll_loss_forward' };
    return { N: input.shape[0]!, C, S: 1, out: [input.shape[0]!], aten: 'nll_loss_forward' };
  }
  if (nd === 4) {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss2d_forward');
    if (target.dim() !== 3) {
      throw new RuntimeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.dim()}`);
    }
  } else if (!sameShape(target.shape.slice(1), input.shape.slice(2))) {
    throw new RuntimeError(`Expected target size [${[input.shape[0]!, ...input.shape.slice(2)].join(', ')}], got ${sz(target)}`);
  } else {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss2d_forward');
  }
  if (weight && weight.numel() !== C) throw new RuntimeError('weight tensor should be defined either for all or no classes');
  if (nd === 4 && !sameShape(target.shape, [input.shape[0]!, ...input.shape.slice(2)])) {
    throw new RuntimeError(`size mismatch (got input: ${sz(input)} , target: ${sz(target)}`);
  }
  return { N: input.shape[0]!, C, S: shapeNumel(input.shape.slice(2)), out: [input.shape[0]!, ...input.shape.slice(2)], aten: 'nll_loss2d_forward' };
}

/** Kernel dtype checks of nll_loss (input type, then weight, then target), in PyTorch's order. */
function nllDtypes(input: Tensor, target: Tensor, weight: Tensor | null, frame: string): void {
  if (!isFloating(input.dtype)) throw new RuntimeError(`"${frame}" not implemented for '${scalarTypeName(input.dtype)}'`);
  if (weight && weight.dtype !== input.dtype) {
    throw new RuntimeError(`expected scalar type ${scalarTypeName(input.dtype)} but found ${scalarTypeName(weight.dtype)}`);
  }
  if (target.dtype !== 'int64') throw new RuntimeError(`expected scalar type Long but found ${scalarTypeName(target.dtype)}`);
}

function intArg(fn: string, name: string, pos: number, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${fn}(): argument '${name}' (position ${pos}) must be int, not ${pyTypeName(v)}`);
  }
  return v;
}

/**
 * Negative log-likelihood of log-probabilities `input` ([N, C], [N, C, d1, ...] or unbatched [C])
 * at class indices `target` (int64), like `torch.nn.functional.nll_loss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.nll_loss.html
 * @example const loss = torch.nn.functional.nllLoss(logp, torch.tensor([1, 0, 4]));
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLLossOptions = {}): Tensor {
  opts = checkOptions<NLLLossOptions>('nllLoss()', opts, ['weight', 'ignoreIndex', 'reduction']);
  const fn = 'nll_loss_nd';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  const w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  const ignore = intArg(fn, 'ignore_index', 5, opts.ignoreIndex, -100);
  const L = nllLayout(x, t, w);
  nllDtypes(x, t, w, L.aten === 'nll_loss_forward' ? 'nll_loss_out_frame' : 'nll_loss2d_forward_out_frame');
  return nllLossOp(x, t, { layout: L, weight: w, ignoreIndex: ignore, reduction: r });
}

/**
 * Cross-entropy between logits and targets, like `torch.nn.functional.cross_entropy`: a fused
 * log-softmax + NLL over the class dim (dim 1, or dim 0 for an unbatched [C] input). `target` holds
 * class indices (int64, shape [N] / [N, d1, ...] / []) or class probabilities (float, the input's
 * shape). Supports `weight`, `ignoreIndex` and `labelSmoothing`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html
 * @example const loss = torch.nn.functional.crossEntropy(logits, torch.tensor([1, 0, 4]), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  opts = checkOptions<CrossEntropyOptions>('crossEntropy()', opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
  const fn = 'cross_entropy_loss';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  const w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  const ignore = intArg(fn, 'ignore_index', 5, opts.ignoreIndex, -100);
  const ls = opts.labelSmoothing;
  if (ls !== undefined && typeof ls !== 'number') {
    throw new TypeError(`${fn}(): argument 'label_smoothing' (position 6) must be float, not ${pyTypeName(ls)}`);
  }
  const eps = ls ?? 0;
  const smoothingError = (): RuntimeError => new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${cppDouble(eps)}`);
  const logSoftmaxChecks = (): void => {
    if (x.dim() === 0) throw new IndexError('Dimension out of range (expected to be in range of [-1, 0], but got 1)');
    if (!isFloating(x.dtype)) {
      const kernel = x.dim() <= 2 ? 'log_softmax_lastdim_kernel_impl' : 'softmax_kernel_impl';
      throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(x.dtype)}'`);
    }
  };
  if (sameShape(x.shape, t.shape)) {
    // Class probabilities.
    if (!isFloating(t.dtype)) throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${scalarTypeName(t.dtype)}`);
    if (ignore >= 0) throw new RuntimeError('ignore_index is not supported for floating point target');
    // n_classes = input.size(class_dim) fails first for a 0-d input
    if (x.dim() === 0) throw new IndexError('Dimension specified as 1 but tensor has no dimensions');
    const C = x.dim() === 1 ? x.shape[0]! : x.shape[1]!;
    if (w && !(w.dim() === 1 && w.numel() === C)) {
      throw new RuntimeError(
        `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${w.shape.join(', ')}]`,
      );
    }
    logSoftmaxChecks();
    if (eps > 0 && eps > 1) throw smoothingError();
    let dtype = promoteTypes(x.dtype, t.dtype);
    if (w) dtype = promoteTypes(dtype, isFloating(w.dtype) ? w.dtype : dtype);
    const layout: ClassLayout =
      x.dim() === 1 ? { N: 1, C, S: 1, out: [] } : { N: x.shape[0]!, C, S: shapeNumel(x.shape.slice(2)), out: [x.shape[0]!, ...x.shape.slice(2)] };
    return crossEntropyProbOp(x, t, w, { layout, labelSmoothing: eps > 0 ? eps : 0, reduction: r, dtype });
  }
  // Class indices.
  if (eps > 0 && eps > 1) throw smoothingError();
  logSoftmaxChecks();
  const L = nllLayout(x, t, w);
  nllDtypes(x, t, w, L.aten === 'nll_loss_forward' ? 'nll_loss_out_frame' : 'nll_loss2d_forward_out_frame');
  return crossEntropyOp(x, t, { layout: L, weight: w, ignoreIndex: ignore, reduction: r, labelSmoothing: eps > 0 ? eps : 0 });
}

// ---------------------------------------------------------------- CTC

/**
 * Connectionist temporal classification loss, like `torch.nn.functional.ctc_loss`. `logProbs`
 * [T, N, C] (or unbatched [T, C]) holds log-probabilities (a `logSoftmax(2)` output: the gradient
 * is PyTorch's, which assumes it); `targets` is padded [N, S] or the targets concatenated
 * [sum(targetLengths)]; the lengths are int64 tensors or arrays of integers. Reduction 'mean'
 * divides each loss by its target length, then averages over the batch.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.ctc_loss.html
 * @example
 * const logProbs = torch.randn(50, 16, 20).logSoftmax(2);
 * const targets = torch.randint(1, 20, [16, 30]);
 * const loss = torch.nn.functional.ctcLoss(logProbs, targets, new Array(16).fill(50), new Array(16).fill(30));
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[],
  targetLengths: Tensor | readonly number[],
  opts: CTCLossOptions = {},
): Tensor {
  opts = checkOptions<CTCLossOptions>('ctcLoss()', opts, ['blank', 'reduction', 'zeroInfinity']);
  const r = getReduction(opts.reduction);
  return ctcLossOp(logProbs, targets, inputLengths, targetLengths, opts.blank ?? 0, r, opts.zeroInfinity ?? false);
}

/**
 * The loss functions as one object, for `nn.functional`.
 * See https://pytorch.org/docs/1.13/nn.functional.html#loss-functions
 * @example const { crossEntropy } = torch.nn.functional;
 */
export const functional = {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
} as const;
