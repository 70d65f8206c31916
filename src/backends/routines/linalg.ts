/**
 * The linear-algebra routines of the backend interface: their named arguments (contiguous arrays).
 * The js reference is backends/js/kernels/linalg.ts; compiled backends may implement any of them
 * (routine() in backends/routine.ts falls back to the reference).
 */
import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Arguments of `orthogonal`: `out` [rows, cols] = gain * Q, where Q is the reduced QR factor of
 * `x` [rows, cols] (of its transpose when rows < cols, transposed back) with each column's sign
 * chosen so that R has a non-negative diagonal, as `nn.init.orthogonal_` computes it (QR in float64,
 * each value rounded to `out`'s element type before and after the gain).
 */
export interface OrthogonalArgs {
  rows: number;
  cols: number;
  gain: number;
  x: FloatArray;
  /** [rows, cols], overwritten. */
  out: FloatArray;
}

/** The linear-algebra members of `Backend`. */
export interface LinalgRoutines {
  /** The orthogonal matrix `nn.init.orthogonal_` makes from a Gaussian draw. */
  orthogonal?(a: OrthogonalArgs): void;
}
