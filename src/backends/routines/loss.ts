/**
 * The loss routines of the backend interface: their named arguments (contiguous arrays unless a
 * member says otherwise). The js reference is backends/js/kernels/loss.ts; compiled backends may
 * implement any of them (routine() in backends/routine.ts falls back to the reference).
 *
 * Every routine writes into the output arrays of its arguments. A forward writes its loss to `out`:
 * the per-sample losses with reduction 'none', else one element, their sum (or mean) taken in double
 * precision. Class-index losses see their input as [N, C, S]: N batch, C classes, S spatial positions
 * (d1*...*dk, 1 without spatial dims); element (n, c, s) is at n*C*S + c*S + s and sample i = (n, s)
 * at n*S + s. Class targets are int64 storage (`Float64Array`); class weights are a float64 copy.
 */
import type { FloatArray } from '../../tensor/dtype.js';

/** How a loss reduces its per-sample values: PyTorch's `reduction`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** The element-wise losses with a fused routine (PyTorch's mse_loss, smooth_l1_loss, huber_loss, binary_cross_entropy(_with_logits)). */
export type ElementwiseLoss = 'mse' | 'smooth_l1' | 'huber' | 'bce' | 'bce_logits';

/** Operands of an element-wise loss: n elements of one shape and one dtype. */
export interface ElementwiseLossOperands {
  kind: ElementwiseLoss;
  n: number;
  /** beta (smooth_l1) or delta (huber); unused by the others. */
  p: number;
  /** [n] input */
  x: FloatArray;
  /** [n] target */
  t: FloatArray;
  /** [n] weight (bce, bce_logits; already broadcast), or null. */
  weight: FloatArray | null;
  /** [n] positive weight (bce_logits; already broadcast), or null. */
  posWeight: FloatArray | null;
}

/** Arguments of `elementwiseLossForward`. */
export interface ElementwiseLossForwardArgs extends ElementwiseLossOperands {
  reduction: Reduction;
  /** [n] with reduction 'none', else [1]. */
  out: FloatArray;
  /** bce: [1], set to 1 when an input lies outside [0, 1] (PyTorch's check; the op raises), else 0. */
  invalidInput?: Uint8Array | null;
}

/**
 * The upstream gradient of a loss: `gy` holds one value per sample with reduction 'none', else one
 * value, which every sample receives (divided by `divisor` for 'mean').
 */
export interface LossGradient {
  reduction: Reduction;
  gy: FloatArray;
  /** The 'mean' denominator: the sample count, or the total weight of the counted class targets. */
  divisor: number;
}

/** Arguments of `elementwiseLossBackward`: the non-null gradients gx, gt [n] are overwritten. */
export interface ElementwiseLossBackwardArgs extends ElementwiseLossOperands, LossGradient {
  gx: FloatArray | null;
  gt: FloatArray | null;
}

/** The class layout and class-index targets shared by the NLL and cross-entropy routines. */
export interface ClassTargets {
  N: number;
  C: number;
  S: number;
  /** [N*S] int64 class indices. */
  target: Float64Array;
  /** [C] class weights, or null (all 1). */
  weight: Float64Array | null;
  /** A target value that contributes nothing and is not counted. */
  ignoreIndex: number;
}

/** Outputs of the class-index forwards besides `out`. */
export interface ClassTargetsForwardOutputs {
  reduction: Reduction;
  /** [N*S] with reduction 'none', else [1]. */
  out: FloatArray;
  /** [1]: the total weight of the counted targets (the 'mean' denominator, PyTorch's total_weight). */
  totalWeight: Float64Array;
  /** [1]: the first target outside [0, C) other than `ignoreIndex` (the op raises), else NaN. */
  badTarget: Float64Array;
}

/** Arguments of `nllLossForward`: loss_i = -w[t_i] x[n, t_i, s]. */
export interface NllLossForwardArgs extends ClassTargets, ClassTargetsForwardOutputs {
  /** [N*C*S] log-probabilities. */
  x: FloatArray;
}

/**
 * Arguments of `nllLossBackward`: gx [N*C*S] is overwritten, -w[t_i] g_i at (n, t_i, s) and 0
 * elsewhere. (The composite backward passes gy = [1] with reduction 'sum' to get -w[t_i] alone.)
 */
export interface NllLossBackwardArgs extends ClassTargets, LossGradient {
  gx: FloatArray;
}

/** Arguments of `crossEntropyForward` (log-softmax over C + NLL, with label smoothing). */
export interface CrossEntropyForwardArgs extends ClassTargets, ClassTargetsForwardOutputs {
  /** [N*C*S] logits. */
  x: FloatArray;
  /** Label smoothing in [0, 1]. */
  labelSmoothing: number;
  /** [N*C*S] softmax(x) over C for the backward (rows of ignored samples not written), or null when no backward follows. */
  probs: Float64Array | null;
}

/** Arguments of `crossEntropyBackward`: gx [N*C*S] is overwritten (0 for ignored samples). */
export interface CrossEntropyBackwardArgs extends ClassTargets, LossGradient {
  labelSmoothing: number;
  /** The forward's softmax. */
  probs: Float64Array;
  gx: FloatArray;
}

/**
 * Arguments of `crossEntropyGradCoefficients`, for the composite (differentiable) backward
 * gx = g (p scale - shift): scale [N*S] and shift [N*C*S] are overwritten (0 for ignored samples).
 */
export interface CrossEntropyGradCoefficientsArgs extends ClassTargets {
  labelSmoothing: number;
  scale: FloatArray;
  shift: FloatArray;
}

/** The layout and operands of cross-entropy with class probabilities (all [N*C*S] but the weight). */
export interface CrossEntropyProbOperands {
  N: number;
  C: number;
  S: number;
  /** Logits. */
  x: FloatArray;
  /** Class probabilities, x's dtype. */
  target: FloatArray;
  /** [C] class weights, or null. */
  weight: Float64Array | null;
  labelSmoothing: number;
}

/** Arguments of `crossEntropyProbForward`. */
export interface CrossEntropyProbForwardArgs extends CrossEntropyProbOperands {
  reduction: Reduction;
  /** [N*S] with reduction 'none', else [1]. */
  out: FloatArray;
  /** [N*S] log Σ_c exp(x_c), for the backward. */
  lse: Float64Array;
}

/** Arguments of `crossEntropyProbBackward`: the non-null gx, gt [N*C*S] and gw [C] are overwritten. */
export interface CrossEntropyProbBackwardArgs extends CrossEntropyProbOperands, LossGradient {
  /** The forward's lse. */
  lse: Float64Array;
  gx: FloatArray | null;
  gt: FloatArray | null;
  gw: FloatArray | null;
}

/** The loss members of `Backend`. */
export interface LossRoutines {
  /** Fused element-wise loss (mse, smooth_l1, huber, bce, bce_logits) over same-shape operands. */
  elementwiseLossForward?(args: ElementwiseLossForwardArgs): void;
  /** Gradients of an element-wise loss with respect to its input and target. */
  elementwiseLossBackward?(args: ElementwiseLossBackwardArgs): void;
  /** NLL of log-probabilities at class indices. */
  nllLossForward?(args: NllLossForwardArgs): void;
  /** NLL backward (or its coefficient). */
  nllLossBackward?(args: NllLossBackwardArgs): void;
  /** Fused log-softmax + NLL at class indices, with label smoothing; also saves the softmax. */
  crossEntropyForward?(args: CrossEntropyForwardArgs): void;
  /** Cross-entropy (class indices) backward from the saved softmax. */
  crossEntropyBackward?(args: CrossEntropyBackwardArgs): void;
  /** The per-sample coefficients of the composite cross-entropy backward. */
  crossEntropyGradCoefficients?(args: CrossEntropyGradCoefficientsArgs): void;
  /** Cross-entropy with class probabilities (soft targets). */
  crossEntropyProbForward?(args: CrossEntropyProbForwardArgs): void;
  /** Cross-entropy with class probabilities backward, for input, target and weight. */
  crossEntropyProbBackward?(args: CrossEntropyProbBackwardArgs): void;
}
