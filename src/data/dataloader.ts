/**
 * `DataLoader` (PyTorch 1.13's torch/utils/data/dataloader.py): batches a dataset through a
 * sampler and a collate function, in this process (worker processes are emulated by giving each
 * worker's batches that worker's generator state). Iterating it makes PyTorch's random draws in
 * PyTorch's order: first a 64-bit base seed from `generator` (or the global generator) each
 * time the loader is iterated, shuffled or not, then the sampler's own draws as batches are
 * taken. So a seeded program keeps PyTorch's later dropout masks and shuffles.
 */
import { NotImplementedError, ValueError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { checkOptions } from '../validate.js';
import { defaultCollate } from './collate.js';
import { type Dataset, getItem, IterableDataset } from './dataset.js';
import { BatchSampler, drawSeed, RandomSampler, SequentialSampler } from './sampler.js';

/** Options of `DataLoader`, PyTorch's keyword arguments in camelCase. */
export interface DataLoaderOptions<B = unknown> {
  /** Samples per batch (default 1); `null` turns automatic batching off. */
  batchSize?: number | null;
  /** Reshuffle every epoch (default false). */
  shuffle?: boolean;
  /** Where the indices come from (exclusive with `shuffle`). */
  sampler?: Iterable<number> & { readonly length: number };
  /** Where whole index batches come from (exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> & { readonly length: number };
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  /** Merges a list of samples into a batch (default `defaultCollate`). */
  collateFn?: (samples: any[]) => B;
  /** The generator of the base seed and of the shuffle (default: the global generator). */
  generator?: Generator;
  /**
   * Worker processes (default 0). Batches load in this process, batch i under a generator state of
   * its own for worker i % numWorkers, seeded `baseSeed + workerId` as PyTorch's workers seed theirs.
   */
  numWorkers?: number;
  /** Called once per worker with its id, under that worker's generator (PyTorch's `worker_init_fn`). */
  workerInitFn?: (workerId: number) => void;
  /** Keep the workers' generators and the base seed across epochs (needs numWorkers > 0). */
  persistentWorkers?: boolean;
  /** Accepted for PyTorch compatibility; there is no pinned memory on the host backends. */
  pinMemory?: boolean;
  /** Accepted for PyTorch compatibility (batches load synchronously); must be non-negative. */
  timeout?: number;
  /** Accepted for PyTorch compatibility (default 2; only with numWorkers > 0). */
  prefetchFactor?: number;
}

const OPTION_NAMES = [
  'batchSize',
  'shuffle',
  'sampler',
  'batchSampler',
  'dropLast',
  'collateFn',
  'generator',
  'numWorkers',
  'workerInitFn',
  'persistentWorkers',
  'pinMemory',
  'timeout',
  'prefetchFactor',
];

/** Snapshots of each worker's generator state, swapped in around that worker's fetches. */
type WorkerStates = Uint8Array[];

/**
 * Iterates batches of a dataset: `for (const batch of loader)`; `loader.length` is the number
 * of batches per epoch.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.DataLoader
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<B = any> implements Iterable<B> {
  /** The dataset. */
  readonly dataset: Dataset | IterableDataset | readonly unknown[];
  /** Samples per batch, or null without automatic batching. */
  readonly batchSize: number | null;
  /** Whether the last incomplete batch is dropped. */
  readonly dropLast: boolean;
  /** The index sampler (null for an iterable dataset). */
  readonly sampler: (Iterable<number> & { readonly length: number }) | null;
  /** The batch sampler (null without automatic batching or for an iterable dataset). */
  readonly batchSampler: (Iterable<number[]> & { readonly length: number }) | null;
  /** The collate function. */
  readonly collateFn: (samples: any[]) => B;
  /** The generator given, if any. */
  readonly generator: Generator | undefined;
  /** Emulated worker processes (0: load in the main process). */
  readonly numWorkers: number;
  /** Whether workers (their generators and the base seed) persist across epochs. */
  readonly persistentWorkers: boolean;
  private readonly workerInitFn: ((workerId: number) => void) | undefined;
  private persistent: WorkerStates | null = null;

  constructor(dataset: Dataset | IterableDataset | readonly unknown[], opts: DataLoaderOptions<B> = {}) {
    const o = checkOptions<DataLoaderOptions<B>>('DataLoader()', opts, OPTION_NAMES);
    let batchSize = o.batchSize === undefined ? 1 : o.batchSize;
    const shuffle = o.shuffle ?? false;
    let dropLast = o.dropLast ?? false;
    this.dataset = dataset;
    this.generator = o.generator ?? undefined;
    this.numWorkers = o.numWorkers ?? 0;
    this.persistentWorkers = o.persistentWorkers ?? false;
    this.workerInitFn = o.workerInitFn;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new ValueError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    }
    if ((o.timeout ?? 0) < 0) throw new ValueError('timeout option should be non-negative');
    if (this.numWorkers === 0 && (o.prefetchFactor ?? 2) !== 2) {
      throw new ValueError('prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.');
    }
    if (this.persistentWorkers && this.numWorkers === 0) throw new ValueError('persistent_workers option needs num_workers > 0');
    const iterable = dataset instanceof IterableDataset;
    if (iterable) {
      if (shuffle) throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${shuffle}`);
      if (o.sampler) throw new ValueError(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${String(o.sampler)}`);
      if (o.batchSampler) {
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${String(o.batchSampler)}`);
      }
    }
    if (o.sampler && shuffle) throw new ValueError('sampler option is mutually exclusive with shuffle');
    if (o.batchSampler) {
      if (batchSize !== 1 || shuffle || o.sampler || dropLast) {
        throw new ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    if (iterable) {
      this.sampler = null;
    } else {
      const sized = dataset as Dataset | readonly unknown[];
      this.sampler = o.sampler ?? (shuffle ? new RandomSampler(sized, { generator: this.generator }) : new SequentialSampler(sized));
    }
    this.batchSampler = o.batchSampler ?? (batchSize !== null && this.sampler ? new BatchSampler(this.sampler, batchSize, dropLast) : null);
    const autoCollation = this.batchSize !== null || o.batchSampler !== undefined;
    this.collateFn = o.collateFn ?? ((autoCollation ? defaultCollate : (s: unknown) => s) as (samples: unknown[]) => B);
  }

  /**
   * Starts an epoch: draws the base seed now, as PyTorch's `_BaseDataLoaderIter.__init__` does
   * (once for persistent workers), then yields batches lazily (the sampler's draws come with the
   * first batch).
   */
  [Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0 && this.dataset instanceof IterableDataset) {
      throw new NotImplementedError('DataLoader: numWorkers > 0 with an IterableDataset is not supported');
    }
    if (this.persistent) return this.iterateMap(this.persistent);
    const baseSeed = drawSeed(this.generator ?? defaultGenerator);
    if (this.dataset instanceof IterableDataset) return this.iterateStream(this.dataset);
    const workers = this.numWorkers > 0 ? this.startWorkers(baseSeed) : null;
    if (this.persistentWorkers) this.persistent = workers;
    return this.iterateMap(workers);
  }

  /** Each worker's generator, seeded `baseSeed + id` (then `workerInitFn(id)` runs under it). */
  private startWorkers(baseSeed: bigint): WorkerStates {
    return Array.from({ length: this.numWorkers }, (_, id) => {
      const state = new Generator(baseSeed + BigInt(id)).getState();
      return this.workerInitFn ? asWorker(state, () => this.workerInitFn!(id)) : state;
    });
  }

  /** Batches of a map-style dataset through the (batch) sampler; batch i loads in worker i % numWorkers. */
  private *iterateMap(workers: WorkerStates | null): IterableIterator<B> {
    const ds = this.dataset as Dataset | readonly unknown[];
    const load = (i: number, fetch: () => B): B => {
      if (!workers) return fetch();
      let out!: B;
      const w = i % workers.length;
      workers[w] = asWorker(workers[w]!, () => (out = fetch()));
      return out;
    };
    let i = 0;
    if (this.batchSampler) {
      for (const indices of this.batchSampler) yield load(i++, () => this.collateFn(indices.map((j) => getItem(ds, j))));
    } else {
      for (const j of this.sampler!) yield load(i++, () => (this.collateFn as (s: unknown) => B)(getItem(ds, j)));
    }
  }

  /** Batches of an iterable dataset, taken in order (`_IterableDatasetFetcher`). */
  private *iterateStream(ds: IterableDataset): IterableIterator<B> {
    if (this.batchSize === null) {
      for (const s of ds) yield (this.collateFn as (s: unknown) => B)(s);
      return;
    }
    let batch: unknown[] = [];
    for (const s of ds) {
      batch.push(s);
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }

  /** Batches per epoch (`len(loader)`); for an iterable dataset, from its `length` if it has one. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = (this.dataset as unknown as { length?: number }).length;
      if (typeof n !== 'number') throw new TypeError("object of type 'IterableDataset' has no len()");
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return (this.batchSampler ?? this.sampler!).length;
  }
}

/**
 * Runs `fn` with the global generator in a worker's state, as if in that worker process; returns
 * the worker's new state and restores the main process's.
 */
function asWorker(state: Uint8Array, fn: () => void): Uint8Array {
  const main = defaultGenerator.getState();
  defaultGenerator.setState(state);
  try {
    fn();
    return defaultGenerator.getState();
  } finally {
    defaultGenerator.setState(main);
  }
}
