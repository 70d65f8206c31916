/**
 * The sort routines of the backend interface (sort, topk, kthvalue, median, mode along one dim).
 * The js reference is backends/js/kernels/sort.ts; compiled backends may implement them (routine()
 * in backends/routine.ts falls back to the reference). Every routine reproduces PyTorch 1.13's CPU
 * order of equal values, and all but mode order NaN above every number.
 */
import type { TypedArray } from '../../tensor/dtype.js';

/** The lines of a contiguous [outer, n, inner] array (the n elements of one (o, i) pair) and the outputs. */
export interface LineArgs {
  outer: number;
  n: number;
  inner: number;
  /** [outer, n, inner], contiguous. */
  x: TypedArray;
  /** [outer, m, inner] (m per routine), overwritten: the selected values (same array type as x). */
  values: TypedArray;
  /** [outer, m, inner], overwritten: each value's position along n (int64). */
  indices: Float64Array;
}

/** Arguments of `sortAlong` (m = n): each line sorted. */
export interface SortAlongArgs extends LineArgs {
  /** Largest first (NaN first) instead of smallest first. */
  descending: boolean;
  /**
   * Ties keep their original order (std::stable_sort); else the order of PyTorch 1.13's CPU
   * std::sort (introsort), which differs from the stable one only for more than 16 elements.
   */
  stable: boolean;
}

/** Arguments of `topkAlong` (m = k): the k largest (or smallest) of each line, as PyTorch's topk_impl_loop. */
export interface TopkAlongArgs extends LineArgs {
  /** 0 <= k <= n. */
  k: number;
  largest: boolean;
  /** Sorted output (else the order std::nth_element leaves, as PyTorch). */
  sorted: boolean;
}

/** Arguments of `kthvalueAlong` (m = 1): the k-th smallest of each line, as PyTorch's quickselect picks it. */
export interface KthvalueAlongArgs extends LineArgs {
  /** 1 <= k <= n. */
  k: number;
}

/**
 * Arguments of `medianAlong` (m = 1): the lower median of each line and its position, as PyTorch
 * 1.13's CPU median_with_indices_impl picks it. Without `ignoreNan` a line holding NaN gives its
 * first NaN; else std::nth_element at (n - 1) / 2 ordering (value, position) pairs, so equal values
 * count in position order. With `ignoreNan` (nanmedian) NaNs go last and the median is taken over
 * the others (a line of NaNs gives the NaN std::nth_element leaves first).
 */
export interface MedianAlongArgs extends LineArgs {
  ignoreNan: boolean;
}

/**
 * Arguments of `modeAlong` (m = 1): the most frequent value of each line (the smallest of equally
 * frequent ones) and the position PyTorch 1.13's CPU mode kernel reports, the last of its run
 * after std::sort by value alone (comparisons with NaN are false, as in C++).
 */
export type ModeAlongArgs = LineArgs;

/** The sort members of `Backend`. */
export interface SortRoutines {
  /** Sort along the middle dim. */
  sortAlong?(args: SortAlongArgs): void;
  /** The k largest or smallest along the middle dim. */
  topkAlong?(args: TopkAlongArgs): void;
  /** The k-th smallest along the middle dim. */
  kthvalueAlong?(args: KthvalueAlongArgs): void;
  /** The median along the middle dim. */
  medianAlong?(args: MedianAlongArgs): void;
  /** The mode along the middle dim. */
  modeAlong?(args: ModeAlongArgs): void;
}
