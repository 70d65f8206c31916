/**
 * The embedding routines of the backend interface: their named arguments (contiguous arrays unless
 * a member says otherwise). The js reference is backends/js/kernels/embedding.ts; compiled
 * backends may implement any of them (routine() in backends/routine.ts falls back to the reference).
 * Legend: a table `weight` [num, dim], n looked-up `indices` (int64 as Float64Array, or int32),
 * all in [0, num) (the ops layer checks them with PyTorch's message first).
 */
import type { View } from '../backend.js';
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';

/** Row numbers of an embedding table: int64 (held as Float64Array) or int32. */
export type IndexArray = Float64Array | Int32Array;

/** Arguments of `embeddingForward`: `out[i, :] = weight[indices[i], :]`. */
export interface EmbeddingForwardArgs {
  dim: number;
  /** [num, dim] */
  weight: TypedArray;
  /** [n] */
  indices: IndexArray;
  /** [n, dim], overwritten. */
  out: TypedArray;
}

/**
 * Arguments of `embeddingBackward`: `gWeight[indices[i], :] += gy[i, :] * s` for every i whose row
 * is not `paddingIdx`, with s = 1 / (count of that row in `indices`) when `scaleGradByFreq`, else 1.
 */
export interface EmbeddingBackwardArgs {
  num: number;
  dim: number;
  /** The row whose gradient stays zero, or -1 for none. */
  paddingIdx: number;
  scaleGradByFreq: boolean;
  /** [n] */
  indices: IndexArray;
  /**
   * The output gradient [..., dim] with n rows, read in place with any strides (a recurrent
   * layer's batch-first input gradient is a transposed view; copying it would cost a pass).
   */
  gy: View;
  /** [num, dim], accumulated into (+=). */
  gWeight: FloatArray;
}

/**
 * Arguments of `embeddingRenorm`: each listed row of `weight` whose `normType`-norm exceeds
 * `maxNorm` is scaled in place by maxNorm / (norm + 1e-7) (norm and scale rounded to float32 for
 * a float32 table, as PyTorch computes them in the table's type).
 */
export interface EmbeddingRenormArgs {
  dim: number;
  maxNorm: number;
  normType: number;
  /** [num, dim], updated in place. */
  weight: FloatArray;
  /** Distinct row numbers, ascending. */
  rows: IndexArray;
}

/** The embedding members of `Backend`. */
export interface EmbeddingRoutines {
  /** Row lookup. */
  embeddingForward?(args: EmbeddingForwardArgs): void;
  /** Gradient of the table: a scatter-add of the output gradient's rows. */
  embeddingBackward?(args: EmbeddingBackwardArgs): void;
  /** In-place max-norm renormalisation of the rows looked up. */
  embeddingRenorm?(args: EmbeddingRenormArgs): void;
}
