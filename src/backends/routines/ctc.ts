/**
 * The CTC routines of the backend interface (PyTorch's `_ctc_loss` and `_ctc_loss_backward`): their
 * named arguments, all contiguous. The js reference is backends/js/kernels/ctc.ts; compiled backends
 * may implement either (routine() in backends/routine.ts falls back to the reference).
 *
 * Legend: T input frames, N batch, C labels (blank included), Smax the longest target, L = 2 Smax + 1
 * the states of the extended target l' (blank, l_1, blank, l_2, ..., blank). log_probs (t, n, c) is at
 * (t N + n) C + c; log_alpha (n, t, s) at (n T + t) L + s. Target n's labels are
 * targets[targetOffsets[n] + i], i < targetLengths[n]. Lengths and targets are int64 storage
 * (`Float64Array`); the op has checked them (0 <= input length <= T, labels in [0, C)).
 */
import type { FloatArray } from '../../tensor/dtype.js';

/** The operands both CTC routines read. */
export interface CtcOperands {
  T: number;
  N: number;
  C: number;
  /** Width of a log_alpha row: 2 * (the longest target) + 1. */
  L: number;
  /** The blank label, in [0, C). */
  blank: number;
  /** [T, N, C] log-probabilities. */
  logProbs: FloatArray;
  /** The labels of every target (int64). */
  targets: Float64Array;
  /** [N] where target n starts in `targets`. */
  targetOffsets: Float64Array;
  /** [N] frames of each input, in [0, T]. */
  inputLengths: Float64Array;
  /** [N] labels of each target, in [0, Smax]. */
  targetLengths: Float64Array;
}

/** Arguments of `ctcLossForward`: the alpha recursion (Graves et al. 2006, eq. 6-8) in log space. */
export interface CtcLossForwardArgs extends CtcOperands {
  /** [N] negative log-likelihoods, overwritten (inf where no alignment exists). */
  nll: FloatArray;
  /** [N, T, L] log alpha, overwritten where the backward reads it (saved for the backward). */
  logAlpha: FloatArray;
}

/**
 * Arguments of `ctcLossBackward`: the beta recursion (eq. 10-11) and the gradient of eq. 16 with
 * respect to log_probs, PyTorch's `exp(lp) - exp(log Σ_s αβ + nll - lp)` (it assumes the input is
 * a log_softmax output), times the upstream gradient of each sample.
 */
export interface CtcLossBackwardArgs extends CtcOperands {
  /** [N] upstream gradient of each sample's loss. */
  gy: FloatArray;
  /** The forward's nll and logAlpha. */
  nll: FloatArray;
  logAlpha: FloatArray;
  /** Samples with an infinite loss get a zero gradient (PyTorch's zero_infinity). */
  zeroInfinity: boolean;
  /** [T, N, C] gradient, overwritten (0 for frames at or past a sample's input length). */
  grad: FloatArray;
}

/** The CTC members of `Backend`. */
export interface CtcRoutines {
  /** CTC negative log-likelihood per sample and the log alphas. */
  ctcLossForward?(args: CtcLossForwardArgs): void;
  /** CTC gradient with respect to the log-probabilities. */
  ctcLossBackward?(args: CtcLossBackwardArgs): void;
}
