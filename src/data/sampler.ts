/**
 * Samplers of `torch.utils.data` (PyTorch 1.13's torch/utils/data/sampler.py). Each one iterates
 * lazily like Python's generator functions, so its random draws happen when the first index is
 * taken, in PyTorch's order: a `RandomSampler` without a generator draws a fresh seed from the
 * global generator every epoch, then permutes with a generator seeded by it.
 */
import { ValueError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { multinomial } from '../ops/sampling.js';
import { tensor } from '../tensor/factories.js';
import type { Sized } from './dataset.js';

/**
 * The base of samplers: an iterable of indices (or of index batches), with a length.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.Sampler
 * @example class Evens extends Sampler<number> { get length() { return 5; } *[Symbol.iterator]() { for (let i = 0; i < 10; i += 2) yield i; } }
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  /** The indices of one epoch (Python's `__iter__`). */
  abstract [Symbol.iterator](): Iterator<T>;
  /** How many indices an epoch yields (Python's `__len__`). */
  abstract get length(): number;
}

/**
 * One 64-bit seed drawn like `torch.empty((), dtype=torch.int64).random_(generator=gen).item()`:
 * one 64-bit draw modulo 2^63, kept exact as a bigint. @internal
 */
export function drawSeed(gen: Generator = defaultGenerator): bigint {
  return gen.random64() % (1n << 63n);
}

/**
 * Indices 0..n-1 in order.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.SequentialSampler
 * @example [...new SequentialSampler([10, 20, 30])] // [0, 1, 2]
 */
export class SequentialSampler extends Sampler<number> {
  constructor(
    /** The dataset (only its length is read). */
    readonly dataSource: Sized,
  ) {
    super();
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }

  get length(): number {
    return this.dataSource.length;
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** Indices per epoch (default: the dataset's length). */
  numSamples?: number;
  /** The generator (default: a fresh one per epoch, seeded from the global generator). */
  generator?: Generator;
}

/**
 * Random indices: permutations without replacement, `randint` draws in chunks of 32 with it.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.RandomSampler
 * @example const s = new RandomSampler(ds, { replacement: true, numSamples: 100 });
 */
export class RandomSampler extends Sampler<number> {
  /** Whether indices repeat. */
  readonly replacement: boolean;
  /** The generator given, or undefined for the global stream. */
  readonly generator: Generator | undefined;
  private readonly numSamplesOpt: number | undefined;

  constructor(
    /** The dataset (only its length is read). */
    readonly dataSource: Sized,
    opts: RandomSamplerOptions = {},
  ) {
    super();
    this.replacement = opts.replacement ?? false;
    this.numSamplesOpt = opts.numSamples ?? undefined;
    this.generator = opts.generator ?? undefined;
    if (typeof this.replacement !== 'boolean') {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    }
    const n = this.numSamples;
    if (!Number.isInteger(n) || n <= 0) {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${n}`);
    }
  }

  /** Indices per epoch. */
  get numSamples(): number {
    return this.numSamplesOpt ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const gen = this.generator ?? new Generator(drawSeed());
    const total = this.numSamples;
    if (this.replacement) {
      for (let i = 0; i < Math.floor(total / 32); i++) yield* gen.randint(new Float64Array(32), 0, n);
      yield* gen.randint(new Float64Array(total % 32), 0, n);
    } else {
      for (let i = 0; i < Math.floor(total / n); i++) yield* gen.randperm(n);
      yield* gen.randperm(n).subarray(0, total % n);
    }
  }

  get length(): number {
    return this.numSamples;
  }
}

/**
 * The given indices in a random order (one `randperm` per epoch).
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.SubsetRandomSampler
 * @example const s = new SubsetRandomSampler([0, 2, 4]);
 */
export class SubsetRandomSampler extends Sampler<number> {
  constructor(
    /** The indices to sample from. */
    readonly indices: readonly number[],
    /** The generator (default: the global one). */
    readonly generator?: Generator,
  ) {
    super();
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const i of (this.generator ?? defaultGenerator).randperm(this.indices.length)) yield this.indices[i]!;
  }

  get length(): number {
    return this.indices.length;
  }
}

/** Options of `WeightedRandomSampler`. */
export interface WeightedRandomSamplerOptions {
  /** The generator (default: the global one). */
  generator?: Generator;
}

/**
 * Indices 0..len(weights)-1 drawn with probabilities proportional to `weights`
 * (one `torch.multinomial` per epoch).
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.WeightedRandomSampler
 * @example const s = new WeightedRandomSampler([0.1, 0.9, 0.4], 5, true);
 */
export class WeightedRandomSampler extends Sampler<number> {
  /** The weights, as float64 values. */
  readonly weights: readonly number[];

  constructor(
    weights: Iterable<number>,
    /** Indices per epoch. */
    readonly numSamples: number,
    /** Draw with replacement (default true). */
    readonly replacement = true,
    opts: WeightedRandomSamplerOptions = {},
  ) {
    super();
    if (typeof numSamples !== 'number' || !Number.isInteger(numSamples) || numSamples <= 0) {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${String(numSamples)}`);
    }
    if (typeof replacement !== 'boolean') {
      throw new ValueError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    this.weights = Array.from(weights);
    this.generator = opts.generator;
  }

  /** The generator given, or undefined for the global one. */
  readonly generator: Generator | undefined;

  *[Symbol.iterator](): Iterator<number> {
    // PyTorch: torch.multinomial(torch.as_tensor(weights, dtype=torch.double), ...)
    const w = tensor(this.weights as number[], { dtype: 'float64' });
    const drawn = multinomial(w, this.numSamples, this.replacement, { generator: this.generator ?? defaultGenerator });
    yield* Array.from(drawn.dataSync());
  }

  get length(): number {
    return this.numSamples;
  }
}

/**
 * Groups another sampler's indices into batches of `batchSize` (the last one shorter unless
 * `dropLast`).
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.BatchSampler
 * @example [...new BatchSampler(new SequentialSampler(ds), 3, false)]
 */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    /** The sampler (or any iterable of indices). */
    readonly sampler: Iterable<number> & Sized,
    /** Indices per batch. */
    readonly batchSize: number,
    /** Drop a last incomplete batch. */
    readonly dropLast: boolean,
  ) {
    super();
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
    }
    if (typeof dropLast !== 'boolean') {
      throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    }
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
