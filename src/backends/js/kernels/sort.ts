/**
 * Reference sort kernels; the arguments are declared in backends/routines/sort.ts.
 *
 * The unstable sort, partial sort and selection (`Arrangement`) were written from the textbook
 * algorithms: Musser's introsort and introselect, Sedgewick's median-of-three quicksort with
 * Hoare's unguarded partition, Floyd's heap construction and Williams' heapsort, and straight
 * insertion sort. Their order for equal keys is validated against PyTorch 1.13's CPU outputs
 * (test/fixtures/sort.json, test/fixtures/sort_ties.json).
 */
import type { KthvalueAlongArgs, LineArgs, MedianAlongArgs, ModeAlongArgs, SortAlongArgs, SortRoutines, TopkAlongArgs } from '../../routines/sort.js';

/** "p goes before q" over positions of a line. */
type Before = (p: number, q: number) => boolean;

/** Ranges at most this long are left to the final insertion pass of `sort` (introsort's cutoff). */
const SMALL_RUN = 16;

/** floor(log2(n)) for 1 <= n < 2^31. */
const log2Floor = (n: number): number => 31 - Math.clz32(n);

/**
 * Unstable sorting and selection over an array `a` of positions compared by `before`, moving
 * elements exactly as the C++ standard library algorithms that PyTorch 1.13's CPU kernels call
 * (sort: std::sort, partialSort: std::partial_sort, nthElement: std::nth_element). Equal keys end
 * up in the order these moves leave them, so each step below (the depth limit, the pivot's median
 * of three, the unguarded partition, the heap layout, the insertion pass) decides the order PyTorch
 * reports for ties. Written from the textbook algorithms (see the file header), not from a library.
 * Exported for tools/fixtures/sort_adversary.ts, which searches inputs that reach its fallbacks.
 */
export class Arrangement {
  constructor(
    private readonly a: number[],
    private readonly before: Before,
  ) {}

  /** Sorts [lo, hi): introsort down to runs of SMALL_RUN, then one insertion pass over the range. */
  sort(lo: number, hi: number): void {
    if (hi - lo < 2) return;
    this.quickPhase(lo, hi, 2 * log2Floor(hi - lo));
    if (hi - lo <= SMALL_RUN) {
      this.insertionSort(lo, hi);
      return;
    }
    // The first run holds the smallest element of the range, so the rest need no bound check.
    this.insertionSort(lo, lo + SMALL_RUN);
    for (let k = lo + SMALL_RUN; k < hi; k++) this.sinkBack(k);
  }

  /** The `mid - lo` smallest of [lo, hi) in order at the front (heap selection, then heapsort). */
  partialSort(lo: number, mid: number, hi: number): void {
    this.heapSelect(lo, mid, hi);
    for (let end = mid - 1; end > lo; end--) this.popTo(lo, end, end);
  }

  /** Introselect: the element that belongs at `nth` lands there, no greater before it, no smaller after. */
  nthElement(lo: number, nth: number, hi: number): void {
    if (lo === hi || nth === hi) return;
    let budget = 2 * log2Floor(hi - lo);
    while (hi - lo > 3) {
      if (budget === 0) {
        // Too many bad pivots: a heap of the nth + 1 smallest, whose top is the answer.
        this.heapSelect(lo, nth + 1, hi);
        this.swap(lo, nth);
        return;
      }
      budget--;
      const cut = this.splitAtPivot(lo, hi);
      if (cut <= nth) lo = cut;
      else hi = cut;
    }
    this.insertionSort(lo, hi);
  }

  private swap(i: number, j: number): void {
    const { a } = this;
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }

  /**
   * Quicksort passes over [lo, hi) until every piece is at most SMALL_RUN long, recursing into
   * the upper piece and looping on the lower; a piece that exhausts `budget` is heapsorted.
   */
  private quickPhase(lo: number, hi: number, budget: number): void {
    while (hi - lo > SMALL_RUN) {
      if (budget === 0) {
        this.partialSort(lo, hi, hi);
        return;
      }
      budget--;
      const cut = this.splitAtPivot(lo, hi);
      this.quickPhase(cut, hi, budget);
      hi = cut;
    }
  }

  /**
   * Moves the median of a[lo + 1], a[middle], a[hi - 1] to lo, then partitions (lo, hi) around it;
   * returns where the upper part begins.
   */
  private splitAtPivot(lo: number, hi: number): number {
    const middle = lo + ((hi - lo) >> 1);
    this.medianOfThreeTo(lo, lo + 1, middle, hi - 1);
    return this.hoare(lo + 1, hi, lo);
  }

  /** Swaps the median of the elements at x, y, z (by `before`) into `dest`. */
  private medianOfThreeTo(dest: number, x: number, y: number, z: number): void {
    const { a, before } = this;
    const ax = a[x]!;
    const ay = a[y]!;
    const az = a[z]!;
    let m: number;
    if (before(ax, ay)) m = before(ay, az) ? y : before(ax, az) ? z : x;
    else m = before(ax, az) ? x : before(ay, az) ? z : y;
    this.swap(dest, m);
  }

  /**
   * Hoare's partition of [left, right) around the pivot at `pivot`, without bound checks (the
   * median of three guarantees a stopper on each side): returns the first index of the part that
   * is not before the pivot.
   */
  private hoare(left: number, right: number, pivot: number): number {
    const { a, before } = this;
    const p = a[pivot]!;
    for (;;) {
      while (before(a[left]!, p)) left++;
      right--;
      while (before(p, a[right]!)) right--;
      if (left >= right) return left;
      this.swap(left, right);
      left++;
    }
  }

  /** Straight insertion sort of [lo, hi); an element before a[lo] jumps straight to the front. */
  private insertionSort(lo: number, hi: number): void {
    const { a, before } = this;
    for (let k = lo + 1; k < hi; k++) {
      const v = a[k]!;
      if (before(v, a[lo]!)) {
        a.copyWithin(lo + 1, lo, k);
        a[lo] = v;
      } else this.sinkBack(k);
    }
  }

  /** Moves a[k] down past every element it goes before; something at or below k stops it. */
  private sinkBack(k: number): void {
    const { a, before } = this;
    const v = a[k]!;
    let j = k;
    while (before(v, a[j - 1]!)) {
      a[j] = a[j - 1]!;
      j--;
    }
    a[j] = v;
  }

  /**
   * Max-heap (by `before`) of `size` elements stored from `base` (children of i at 2i + 1, 2i + 2):
   * fills the hole at `start` by walking it down to a leaf along the larger children, then lets `v`
   * rise from there no higher than `start`.
   */
  private siftIn(base: number, start: number, size: number, v: number): void {
    const { a, before } = this;
    let hole = start;
    let child = start;
    const lastFull = (size - 1) >> 1; // nodes below this index have two children
    while (child < lastFull) {
      child = 2 * child + 2; // right child
      if (before(a[base + child]!, a[base + child - 1]!)) child--; // left one is larger
      a[base + hole] = a[base + child]!;
      hole = child;
    }
    if (size % 2 === 0 && child === (size - 2) >> 1) {
      // Even size: the last inner node has a lone left child.
      child = 2 * child + 1;
      a[base + hole] = a[base + child]!;
      hole = child;
    }
    while (hole > start) {
      const parent = (hole - 1) >> 1;
      if (!before(a[base + parent]!, v)) break;
      a[base + hole] = a[base + parent]!;
      hole = parent;
    }
    a[base + hole] = v;
  }

  /** Floyd's bottom-up construction of a heap over [lo, hi). */
  private heapify(lo: number, hi: number): void {
    const size = hi - lo;
    for (let node = (size - 2) >> 1; size >= 2 && node >= 0; node--) this.siftIn(lo, node, size, this.a[lo + node]!);
  }

  /** The top of the heap [lo, hi) goes to `dest`, and the element that was at `dest` sifts in. */
  private popTo(lo: number, hi: number, dest: number): void {
    const { a } = this;
    const v = a[dest]!;
    a[dest] = a[lo]!;
    this.siftIn(lo, 0, hi - lo, v);
  }

  /** Keeps in a heap over [lo, mid) the mid - lo smallest of [lo, hi), scanning [mid, hi) once. */
  private heapSelect(lo: number, mid: number, hi: number): void {
    this.heapify(lo, mid);
    for (let k = mid; k < hi; k++) if (this.before(this.a[k]!, this.a[lo]!)) this.popTo(lo, mid, k);
  }
}

/** Sorting and selection over the positions `a`, in PyTorch's CPU order for equal keys. */
function stl(a: number[], before: Before): Arrangement {
  return new Arrangement(a, before);
}

/**
 * PyTorch's quick_select_template (SortingUtils.h), which its CPU kthvalue runs: after it the
 * (k+1)-th smallest of `v` (NaN largest) is at `k`; `pos` follows every swap of `v`.
 */
function quickSelect(v: number[], pos: number[], k: number): void {
  const gt = (x: number, y: number): boolean => (Number.isNaN(x) && !Number.isNaN(y)) || x > y;
  const swap = (i: number, j: number): void => {
    [v[i], v[j]] = [v[j]!, v[i]!];
    [pos[i], pos[j]] = [pos[j]!, pos[i]!];
  };
  let L = 0;
  let R = v.length - 1;
  for (;;) {
    if (R <= L) return;
    if (R === L + 1) {
      if (gt(v[L]!, v[R]!)) swap(L, R);
      return;
    }
    // median of three for the pivot
    swap(L + Math.floor((R - L) / 2), L + 1);
    if (gt(v[L + 1]!, v[R]!)) swap(L + 1, R);
    if (gt(v[L]!, v[R]!)) swap(L, R);
    if (gt(v[L + 1]!, v[L]!)) swap(L + 1, L);
    let i = L + 1;
    let j = R;
    const piv = v[L]!;
    for (;;) {
      do i++;
      while (gt(piv, v[i]!));
      do j--;
      while (gt(v[j]!, piv));
      if (j < i) break;
      swap(i, j);
    }
    swap(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}

/** PyTorch's KeyValueCompAsc / KeyValueCompDesc over the positions of a line: NaN above every number. */
function comparator(key: (p: number) => number, descending: boolean): Before {
  return descending
    ? (p, q) => (Number.isNaN(key(p)) && !Number.isNaN(key(q))) || key(p) > key(q)
    : (p, q) => (!Number.isNaN(key(p)) && Number.isNaN(key(q))) || key(p) < key(q);
}

/**
 * For each line (o, i) of a contiguous [outer, n, inner] `x`: `arrange` reorders the positions
 * 0..n-1 and returns where the `count` written positions begin; their values and positions go
 * to [outer, count, inner] `values` / `indices`.
 */
function eachLine(a: LineArgs, count: number, arrange: (order: number[], key: (p: number) => number) => number): void {
  const { outer, n, inner, x, values, indices } = a;
  const order: number[] = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const key = (p: number): number => x[base + p * inner]!;
      for (let j = 0; j < n; j++) order[j] = j;
      const begin = arrange(order, key);
      const outBase = o * count * inner + i;
      for (let j = 0; j < count; j++) {
        const p = order[begin + j]!;
        values[outBase + j * inner] = key(p);
        indices[outBase + j * inner] = p;
      }
    }
  }
}

/** Each line sorted: stably (Array.prototype.sort is stable, std::stable_sort's order) or by std::sort. */
function sortAlong(a: SortAlongArgs): void {
  eachLine(a, a.n, (order, key) => {
    const before = comparator(key, a.descending);
    if (a.stable) order.sort((p, q) => (before(p, q) ? -1 : before(q, p) ? 1 : 0));
    else stl(order, before).sort(0, a.n);
    return 0;
  });
}

/**
 * PyTorch's topk_impl_loop: std::partial_sort when k * 64 <= n, else std::nth_element at k - 1
 * and (when `sorted`) std::sort of the k - 1 before it.
 */
function topkAlong(a: TopkAlongArgs): void {
  const { n, k } = a;
  if (k === 0) return;
  eachLine(a, k, (order, key) => {
    const algo = stl(order, comparator(key, a.largest));
    if (k * 64 <= n) algo.partialSort(0, k, n);
    else {
      algo.nthElement(0, k - 1, n);
      if (a.sorted) algo.sort(0, k - 1);
    }
    return 0;
  });
}

/** PyTorch's CPU kthvalue: quick_select_template on a copy of the line, the (k-1)-th position taken. */
function kthvalueAlong(a: KthvalueAlongArgs): void {
  eachLine(a, 1, (order, key) => {
    quickSelect(order.map(key), order, a.k - 1);
    return a.k - 1;
  });
}

/**
 * PyTorch's median_with_indices_impl: the first NaN of a line that has one (median), else
 * std::nth_element over the positions at (n - 1) / 2, or at (n - nans - 1) / 2 truncated toward 0
 * with NaNs last (nanmedian), ordering by value, then position.
 */
function medianAlong(a: MedianAlongArgs): void {
  eachLine(a, 1, (order, key) => {
    const n = order.length;
    let nans = 0;
    for (let p = 0; p < n; p++) {
      if (!Number.isNaN(key(p))) continue;
      if (!a.ignoreNan) {
        order[0] = p; // the first NaN is the result
        return 0;
      }
      nans++;
    }
    const nth = Math.trunc((n - nans - 1) / 2);
    const before: Before = (p, q) => {
      const u = key(p);
      const v = key(q);
      return u < v || (u === v && p < q) || (a.ignoreNan && Number.isNaN(v) && !Number.isNaN(u));
    };
    stl(order, before).nthElement(0, nth, n);
    return nth;
  });
}

/**
 * PyTorch's CPU mode kernel: std::sort of the line by value alone (`<`, false for NaN), then the
 * run lengths of equal neighbours (`!=`, so each NaN is a run of its own); the first longest run
 * wins and its last element's position is reported.
 */
function modeAlong(a: ModeAlongArgs): void {
  eachLine(a, 1, (order, key) => {
    const n = order.length;
    stl(order, (p, q) => key(p) < key(q)).sort(0, n);
    let best = 0;
    let bestFreq = 0;
    let freq = 0;
    for (let i = 0; i < n; i++) {
      freq++;
      if (i === n - 1 || key(order[i]!) !== key(order[i + 1]!)) {
        if (freq > bestFreq) [best, bestFreq] = [i, freq];
        freq = 0;
      }
    }
    return best;
  });
}

/** The js backend's sort routines. */
export const sortKernels: Required<SortRoutines> = { sortAlong, topkAlong, kthvalueAlong, medianAlong, modeAlong };
