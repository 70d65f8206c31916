/**
 * Datasets of `torch.utils.data` (PyTorch 1.13's torch/utils/data/dataset.py): the map-style
 * `Dataset` (`getItem(index)` is Python's `__getitem__`, `length` its `__len__`), `IterableDataset`,
 * `TensorDataset`, `Subset`, `ConcatDataset` and `randomSplit`, which draws PyTorch's permutation
 * for the same seed.
 */
import { ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import type { Tensor } from '../tensor/tensor.js';
import { warnOnce } from '../warnings.js';

/**
 * A map-style dataset: extend it and implement `getItem(index)` and `length`.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.Dataset
 * @example class Squares extends Dataset<number> { get length() { return 10; } getItem(i: number) { return i * i; } }
 */
export abstract class Dataset<T = unknown> {
  /** The sample at `index` (Python's `__getitem__`). */
  abstract getItem(index: number): T;
  /** The number of samples (Python's `__len__`). */
  abstract get length(): number;
}

/**
 * A dataset read as a stream: extend it and implement `[Symbol.iterator]()` (Python's `__iter__`).
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.IterableDataset
 * @example class Count extends IterableDataset<number> { *[Symbol.iterator]() { yield* [1, 2, 3]; } }
 */
export abstract class IterableDataset<T = unknown> implements Iterable<T> {
  /** The samples in order (Python's `__iter__`). */
  abstract [Symbol.iterator](): Iterator<T>;
}

/** Anything with a length that samplers and `randomSplit` can size (a dataset or an array). */
export interface Sized {
  readonly length: number;
}

/** Reads sample `index` of a dataset or a plain array (a Python sequence). */
export function getItem<T>(dataset: Dataset<T> | readonly T[], index: number): T {
  return dataset instanceof Dataset ? dataset.getItem(index) : (dataset[index] as T);
}

/**
 * Samples of tensors indexed along their first dimension: sample i is `[t0[i], t1[i], ...]`.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.TensorDataset
 * @example const ds = new TensorDataset(x, y); const [xi, yi] = ds.getItem(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, all of the same size in dimension 0. */
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.some((t) => t.dim() === 0 || t.size(0) !== tensors[0]!.size(0))) {
      throw new Error('Size mismatch between tensors');
    }
    this.tensors = tensors;
  }

  getItem(index: number): Tensor[] {
    return this.tensors.map((t) => t.select(0, index));
  }

  get length(): number {
    return this.tensors[0]?.size(0) ?? 0;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.Subset
 * @example const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset<T = unknown> extends Dataset<T> {
  constructor(
    /** The whole dataset. */
    readonly dataset: Dataset<T> | readonly T[],
    /** Indices into `dataset`. */
    readonly indices: readonly number[],
  ) {
    super();
  }

  getItem(index: number): T {
    const i = this.indices[index < 0 ? index + this.indices.length : index];
    if (i === undefined) throw new RangeError('list index out of range');
    return getItem(this.dataset, i);
  }

  get length(): number {
    return this.indices.length;
  }
}

/**
 * Several map-style datasets one after the other.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.ConcatDataset
 * @example const all = new ConcatDataset([train, extra]);
 */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  /** The datasets, in order. */
  readonly datasets: (Dataset<T> | readonly T[])[];
  /** Running totals of the datasets' lengths (PyTorch's `cumulative_sizes`). */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<Dataset<T> | readonly T[]>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new Error('datasets should not be an empty iterable');
    for (const d of this.datasets) {
      if (d instanceof IterableDataset) throw new Error('ConcatDataset does not support IterableDataset');
    }
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  getItem(index: number): T {
    const n = this.length;
    if (index < 0) {
      if (-index > n) throw new ValueError('absolute value of index should not exceed dataset length');
      index += n;
    }
    // bisect_right(cumulative_sizes, index)
    let d = 0;
    while (d < this.cumulativeSizes.length && this.cumulativeSizes[d]! <= index) d++;
    if (d >= this.datasets.length) throw new RangeError('list index out of range');
    const start = d === 0 ? 0 : this.cumulativeSizes[d - 1]!;
    return getItem(this.datasets[d]!, index - start);
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** The generator of the permutation (default: the global one). */
  generator?: Generator;
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths, or of fractions
 * summing to 1 (floored, the remainder added round-robin), from one `randperm(n, generator)` as
 * PyTorch 1.13 draws it.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.random_split
 * @example const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: new torch.Generator(42) });
 */
export function randomSplit<T>(
  dataset: Dataset<T> | readonly T[],
  lengths: readonly number[],
  opts: RandomSplitOptions = {},
): Subset<T>[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  let sizes = [...lengths];
  // math.isclose(sum(lengths), 1) (relative tolerance 1e-9) and sum(lengths) <= 1
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(dataset.length * frac);
    });
    const remainder = dataset.length - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    sizes.forEach((len, i) => {
      if (len === 0) warnOnce(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n !== dataset.length) throw new ValueError('Sum of input lengths does not equal the length of the input dataset!');
  const perm = Array.from((opts.generator ?? defaultGenerator).randperm(n));
  let offset = 0;
  return sizes.map((len) => new Subset(dataset, perm.slice(offset, (offset += len))));
}
