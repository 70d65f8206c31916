/**
 * Reference sort kernels; the arguments are declared in backends/routines/sort.ts.
 */
import type { SortAlongArgs, SortRoutines } from '../../routines/sort.js';

/** "p goes before q" over positions of a line. */
type Before = (p: number, q: number) => boolean;

/**
 * libstdc++'s `std::sort` of `a` (introsort: median of three, unguarded partition, heapsort past
 * the depth limit, then insertion sort in runs of 16), which PyTorch 1.13's CPU sort runs when
 * `stable` is false. It is not stable: for more than 16 elements, equal keys come out in an order
 * that only this exact algorithm reproduces.
 */
function stdSort(a: number[], before: Before): void {
  const n = a.length;
  if (n < 2) return;
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
  const heapSort = (first: number, last: number): void => {
    const len = last - first;
    for (let parent = Math.floor((len - 2) / 2); len >= 2 && parent >= 0; parent--) adjustHeap(first, parent, len, a[first + parent]!);
    for (; last - first > 1; ) {
      last--;
      const v = a[last]!;
      a[last] = a[first]!;
      adjustHeap(first, 0, last - first, v);
    }
  };
  const medianToFirst = (result: number, x: number, y: number, z: number): void => {
    const [ax, ay, az] = [a[x]!, a[y]!, a[z]!];
    if (before(ax, ay)) swap(result, before(ay, az) ? y : before(ax, az) ? z : x);
    else swap(result, before(ax, az) ? x : before(ay, az) ? z : y);
  };
  const partition = (first: number, last: number, pivot: number): number => {
    for (;;) {
      while (before(a[first]!, a[pivot]!)) first++;
      last--;
      while (before(a[pivot]!, a[last]!)) last--;
      if (!(first < last)) return first;
      swap(first, last);
      first++;
    }
  };
  const introsort = (first: number, last: number, depth: number): void => {
    while (last - first > THRESHOLD) {
      if (depth === 0) return heapSort(first, last);
      depth--;
      medianToFirst(first, first + 1, first + Math.floor((last - first) / 2), last - 1);
      const cut = partition(first + 1, last, first);
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
  introsort(0, n, 2 * Math.floor(Math.log2(n)));
  insertionSort(0, Math.min(n, THRESHOLD));
  for (let i = THRESHOLD; i < n; i++) linearInsert(i);
}

/**
 * Each line's positions sorted (PyTorch's KeyValueCompAsc / KeyValueCompDesc: NaN above every
 * number), stably or by `stdSort`; sorted positions [begin, begin + count) written out.
 */
function sortAlong(a: SortAlongArgs): void {
  const { outer, n, inner, begin, count, descending, stable, x, values, indices } = a;
  const order: number[] = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const key = (p: number): number => x[base + p * inner]!;
      const before: Before = descending
        ? (p, q) => (Number.isNaN(key(p)) && !Number.isNaN(key(q))) || key(p) > key(q)
        : (p, q) => (!Number.isNaN(key(p)) && Number.isNaN(key(q))) || key(p) < key(q);
      for (let j = 0; j < n; j++) order[j] = j;
      // Array.prototype.sort is stable (std::stable_sort's order).
      if (stable) order.sort((p, q) => (before(p, q) ? -1 : before(q, p) ? 1 : 0));
      else stdSort(order, before);
      const outBase = o * count * inner + i;
      for (let j = 0; j < count; j++) {
        const p = order[begin + j]!;
        values[outBase + j * inner] = key(p);
        indices[outBase + j * inner] = p;
      }
    }
  }
}

/** The js backend's sort routines. */
export const sortKernels: Required<SortRoutines> = { sortAlong };
