/**
 * Reference sort kernels; the arguments are declared in backends/routines/sort.ts.
 */
import type { KthvalueAlongArgs, LineArgs, MedianAlongArgs, ModeAlongArgs, SortAlongArgs, SortRoutines, TopkAlongArgs } from '../../routines/sort.js';

/** "p goes before q" over positions of a line. */
type Before = (p: number, q: number) => boolean;

/**
 * libstdc++'s `std::sort`, `std::partial_sort` and `std::nth_element` over `a` (positions compared
 * by `before`), which PyTorch 1.13's CPU sort (stable=false) and topk run. None is stable: equal
 * keys come out in an order that only these exact algorithms reproduce (introsort: median of three,
 * unguarded partition, heapsort past the depth limit, insertion sort in runs of 16).
 */
function stl(a: number[], before: Before) {
  const THRESHOLD = 16;
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  // std::__adjust_heap: sift the hole down to a leaf, then push `value` up from there.
  const adjustHeap = (first: number, hole: number, len: number, value: number): void => {
    const top = hole;
    let child = hole;
    while (child < Math.floor((len - 1) / 2)) {
      child = 2 * (child + 1);
      if (before(a[first + child]!, a[first + child - 1]!)) child--;
      a[first + hole] = a[first + child]!;
      hole = child;
    }
    if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
      child = 2 * (child + 1);
      a[first + hole] = a[first + child - 1]!;
      hole = child - 1;
    }
    for (let parent = Math.floor((hole - 1) / 2); hole > top && before(a[first + parent]!, value); parent = Math.floor((hole - 1) / 2)) {
      a[first + hole] = a[first + parent]!;
      hole = parent;
    }
    a[first + hole] = value;
  };
  // std::__pop_heap: the top of heap [first, last) moves to `result`, whose value sifts in.
  const popHeap = (first: number, last: number, result: number): void => {
    const v = a[result]!;
    a[result] = a[first]!;
    adjustHeap(first, 0, last - first, v);
  };
  const makeHeap = (first: number, last: number): void => {
    const len = last - first;
    for (let parent = Math.floor((len - 2) / 2); len >= 2 && parent >= 0; parent--) adjustHeap(first, parent, len, a[first + parent]!);
  };
  const sortHeap = (first: number, last: number): void => {
    for (; last - first > 1; last--) popHeap(first, last - 1, last - 1);
  };
  // std::__heap_select: the `middle - first` first elements (in `before` order) into a heap at the front.
  const heapSelect = (first: number, middle: number, last: number): void => {
    makeHeap(first, middle);
    for (let i = middle; i < last; i++) if (before(a[i]!, a[first]!)) popHeap(first, middle, i);
  };
  const medianToFirst = (result: number, x: number, y: number, z: number): void => {
    const [ax, ay, az] = [a[x]!, a[y]!, a[z]!];
    if (before(ax, ay)) swap(result, before(ay, az) ? y : before(ax, az) ? z : x);
    else swap(result, before(ax, az) ? x : before(ay, az) ? z : y);
  };
  // std::__unguarded_partition_pivot
  const partitionPivot = (first: number, last: number): number => {
    medianToFirst(first, first + 1, first + Math.floor((last - first) / 2), last - 1);
    let lo = first + 1;
    let hi = last;
    for (;;) {
      while (before(a[lo]!, a[first]!)) lo++;
      hi--;
      while (before(a[first]!, a[hi]!)) hi--;
      if (!(lo < hi)) return lo;
      swap(lo, hi);
      lo++;
    }
  };
  const introsort = (first: number, last: number, depth: number): void => {
    while (last - first > THRESHOLD) {
      if (depth === 0) {
        heapSelect(first, last, last);
        return sortHeap(first, last);
      }
      depth--;
      const cut = partitionPivot(first, last);
      introsort(cut, last, depth);
      last = cut;
    }
  };
  const linearInsert = (i: number): void => {
    const v = a[i]!;
    for (let j = i - 1; before(v, a[j]!); j--, i--) a[i] = a[j]!;
    a[i] = v;
  };
  const insertionSort = (first: number, last: number): void => {
    for (let i = first + 1; i < last; i++) {
      if (before(a[i]!, a[first]!)) {
        const v = a[i]!;
        a.copyWithin(first + 1, first, i);
        a[first] = v;
      } else linearInsert(i);
    }
  };
  const lg = (n: number): number => Math.floor(Math.log2(n));
  return {
    /** std::sort(first, last) */
    sort(first: number, last: number): void {
      if (last - first < 2) return;
      introsort(first, last, 2 * lg(last - first));
      insertionSort(first, Math.min(last, first + THRESHOLD));
      for (let i = first + THRESHOLD; i < last; i++) linearInsert(i);
    },
    /** std::partial_sort(first, middle, last) */
    partialSort(first: number, middle: number, last: number): void {
      heapSelect(first, middle, last);
      sortHeap(first, middle);
    },
    /** std::nth_element(first, nth, last) (std::__introselect) */
    nthElement(first: number, nth: number, last: number): void {
      if (first === last || nth === last) return;
      for (let depth = 2 * lg(last - first); last - first > 3; depth--) {
        if (depth === 0) {
          heapSelect(first, nth + 1, last);
          return swap(first, nth);
        }
        const cut = partitionPivot(first, last);
        if (cut <= nth) first = cut;
        else last = cut;
      }
      insertionSort(first, last);
    },
  };
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
