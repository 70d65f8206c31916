/**
 * The sampling routines of the backend interface: the cumulative-distribution search behind
 * `torch.multinomial` with replacement (PyTorch 1.13's `multinomial_with_replacement_apply`). The
 * uniform draws come from the generator on the host and are passed in. The js reference is
 * backends/js/kernels/sampling.ts; compiled backends may implement them (routine() in
 * backends/routine.ts falls back to the reference).
 */
import type { FloatArray } from '../../tensor/dtype.js';

/** What `multinomialCdf` found wrong with a distribution (`status[1]`). */
export const MULTINOMIAL_OK = 0;
/** An entry is negative or NaN (PyTorch checks `val >= 0` first). */
export const MULTINOMIAL_NEGATIVE = 1;
/** An entry is infinite. */
export const MULTINOMIAL_NOT_FINITE = 2;
/** A row sums to zero or less. */
export const MULTINOMIAL_SUM_NOT_POSITIVE = 3;

/** Arguments of `multinomialCdf`: each row's normalised cumulative distribution, rows in order until the first invalid one. */
export interface MultinomialCdfArgs {
  nDist: number;
  nCat: number;
  /** [nDist, nCat], contiguous: non-negative weights. */
  probs: FloatArray;
  /**
   * [nDist, nCat], overwritten (same array type as probs): the running sums accumulated in the
   * dtype, divided by the row's total in the dtype, the last one set to 1.
   */
  cdf: FloatArray;
  /** [2], overwritten: the number of valid rows before the first invalid one (nDist when all are valid), and its `MULTINOMIAL_*` code. */
  status: Int32Array;
}

/** Arguments of `multinomialSearch`: for each uniform draw, the first category whose cumulative probability is not below it. */
export interface MultinomialSearchArgs {
  nDist: number;
  nCat: number;
  nSample: number;
  /** [nDist, nCat], from `multinomialCdf`. */
  cdf: FloatArray;
  /** [nDist, nSample]: uniform draws on [0, 1), row by row. */
  uniforms: Float64Array;
  /** [nDist, nSample], overwritten: the categories drawn (int64). */
  out: Float64Array;
}

/** The sampling members of `Backend`. */
export interface SamplingRoutines {
  /** Validated, normalised cumulative distributions. */
  multinomialCdf?(args: MultinomialCdfArgs): void;
  /** Binary search of uniform draws in cumulative distributions. */
  multinomialSearch?(args: MultinomialSearchArgs): void;
}
