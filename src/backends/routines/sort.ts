/**
 * The sort routines of the backend interface (sort, topk, kthvalue). The js reference is
 * backends/js/kernels/sort.ts; compiled backends may implement them (routine() in
 * backends/routine.ts falls back to the reference).
 */
import type { TypedArray } from '../../tensor/dtype.js';

/**
 * Arguments of `sortAlong`: each line of a contiguous [outer, n, inner] array (the n elements of
 * one (o, i) pair) sorted with NaN as the largest value, and the sorted positions
 * [begin, begin + count) written out.
 */
export interface SortAlongArgs {
  outer: number;
  n: number;
  inner: number;
  /** First sorted position written. */
  begin: number;
  /** How many sorted positions are written (0 <= begin, begin + count <= n). */
  count: number;
  /** Largest first (NaN first) instead of smallest first. */
  descending: boolean;
  /**
   * Ties keep their original order (std::stable_sort); else the order of PyTorch 1.13's CPU
   * std::sort (introsort), which differs from the stable one only for more than 16 elements.
   */
  stable: boolean;
  /** [outer, n, inner], contiguous. */
  x: TypedArray;
  /** [outer, count, inner], overwritten: the sorted values (same array type as x). */
  values: TypedArray;
  /** [outer, count, inner], overwritten: each value's position along n (int64). */
  indices: Float64Array;
}

/** The sort members of `Backend`. */
export interface SortRoutines {
  /** Sort along the middle dim, writing a window of the sorted lines. */
  sortAlong?(args: SortAlongArgs): void;
}
