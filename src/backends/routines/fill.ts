/**
 * The fill routines of the backend interface: constant and repeated-pattern fills of contiguous
 * arrays. The js reference is backends/js/kernels/fill.ts; compiled backends may implement any of
 * them (routine() in backends/routine.ts falls back to the reference).
 */
import type { TypedArray } from '../../tensor/dtype.js';

/** Arguments of `fill`: every element of `out` = `value` (converted as the array type stores it). */
export interface FillArgs {
  /** Overwritten. */
  out: TypedArray;
  value: number;
}

/** Arguments of `tileRows`: `out` = `row` repeated (out's length is a multiple of row's). */
export interface TileRowsArgs {
  /** [n] */
  row: TypedArray;
  /** [m, n], overwritten. */
  out: TypedArray;
}

/** The fill members of `Backend`. */
export interface FillRoutines {
  /** Constant fill. */
  fill?(args: FillArgs): void;
  /** The same row in every row of a matrix (e.g. a bias before a `gemm` with beta = 1). */
  tileRows?(args: TileRowsArgs): void;
}
