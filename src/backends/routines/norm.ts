/**
 * The norm routines of the backend interface: their named arguments (contiguous arrays unless a
 * member says otherwise). The js reference is backends/js/kernels/norm.ts; compiled backends may
 * implement any of them (routine() in backends/routine.ts falls back to the reference).
 */
import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Arguments of `layerNormForward`: M rows of N elements, each normalised by its own mean and
 * variance (accumulated in float64), then scaled and shifted: x, y [M,N], weight, bias [N].
 */
export interface LayerNormForwardArgs {
  M: number;
  N: number;
  eps: number;
  x: FloatArray;
  /** [N], or null for no scale. */
  weight: FloatArray | null;
  /** [N], or null for no shift. */
  bias: FloatArray | null;
  /** [M,N], overwritten. */
  y: FloatArray;
  /** [M] row means, overwritten (saved for the backward). */
  mean: Float64Array;
  /** [M] row 1/sqrt(var + eps), overwritten (saved for the backward). */
  rstd: Float64Array;
}

/** Arguments of `layerNormBackward`: the forward's x, weight, mean, rstd and the output gradient gy [M,N]. */
export interface LayerNormBackwardArgs {
  M: number;
  N: number;
  x: FloatArray;
  weight: FloatArray | null;
  mean: Float64Array;
  rstd: Float64Array;
  gy: FloatArray;
  /** [M,N], overwritten. */
  gx: FloatArray;
  /** [N] gradient of the weight in float64, overwritten. */
  gWeight: Float64Array;
  /** [N] gradient of the bias in float64, overwritten. */
  gBias: Float64Array;
}

/**
 * Arguments of `batchNormForward`: x, y [N,C,L] normalised per channel (C), statistics over N*L
 * in float64. In training the batch statistics are used and the running statistics (when given)
 * are updated in place, `r = momentum * batch + (1 - momentum) * r` with the unbiased variance;
 * otherwise `runningMean` and `runningVar` (both required) are used.
 */
export interface BatchNormForwardArgs {
  N: number;
  C: number;
  L: number;
  eps: number;
  training: boolean;
  momentum: number;
  x: FloatArray;
  /** [C], or null for no scale. */
  weight: FloatArray | null;
  /** [C], or null for no shift. */
  bias: FloatArray | null;
  /** [C], updated in place in training; read in evaluation. */
  runningMean: FloatArray | null;
  /** [C], updated in place in training; read in evaluation. */
  runningVar: FloatArray | null;
  /** [N,C,L], overwritten. */
  y: FloatArray;
  /** [C] means used, overwritten (saved for the backward). */
  mean: Float64Array;
  /** [C] 1/sqrt(var + eps) used, overwritten (saved for the backward). */
  invstd: Float64Array;
}

/** Arguments of `batchNormBackward`: the forward's geometry, x, weight, mean, invstd and gy [N,C,L]. */
export interface BatchNormBackwardArgs {
  N: number;
  C: number;
  L: number;
  /** Whether the forward used batch statistics (their gradient flows into gx). */
  training: boolean;
  x: FloatArray;
  weight: FloatArray | null;
  mean: Float64Array;
  invstd: Float64Array;
  gy: FloatArray;
  /** [N,C,L], overwritten. */
  gx: FloatArray;
  /** [C] gradient of the weight in float64, overwritten. */
  gWeight: Float64Array;
  /** [C] gradient of the bias in float64, overwritten. */
  gBias: Float64Array;
}

/**
 * Arguments of `vectorNorm`: `torch.linalg.vector_norm(x, p)` over all elements of `x`,
 * accumulated in float64 (p = 0 counts the non-zeros, ±inf is the largest/smallest magnitude, NaN
 * propagates; 0 for no elements), written to `out[0]`.
 */
export interface VectorNormArgs {
  x: FloatArray;
  p: number;
  /** [1], overwritten. */
  out: Float64Array;
}

/** The norm members of `Backend`. */
export interface NormRoutines {
  /** Vector norm of all elements, in float64. */
  vectorNorm?(a: VectorNormArgs): void;
  /** Layer norm forward over the last N elements of each row. */
  layerNormForward?(args: LayerNormForwardArgs): void;
  /** Layer norm backward: gx, and the weight and bias gradients. */
  layerNormBackward?(args: LayerNormBackwardArgs): void;
  /** Batch norm forward, with the running statistics' momentum update in training. */
  batchNormForward?(args: BatchNormForwardArgs): void;
  /** Batch norm backward: gx, and the weight and bias gradients. */
  batchNormBackward?(args: BatchNormBackwardArgs): void;
}
