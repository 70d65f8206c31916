/**
 * torch.utils.data against PyTorch 1.13 (tools/fixtures/gen_data.py -> fixtures/data.json):
 * DataLoader batches over several epochs, samplers, randomSplit and default collate, with a
 * `torch.rand(3)` after each step proving the global random stream stays PyTorch's.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';

const {
  DataLoader,
  TensorDataset,
  IterableDataset,
  Dataset,
  Subset,
  ConcatDataset,
  randomSplit,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  SequentialSampler,
  BatchSampler,
  defaultCollate,
} = torch.utils.data;

const fx = loadFixture<{ cases: Record<string, any> }>('data').cases;

const rand3 = (): number[] => Array.from(torch.rand(3).dataSync());
const generatorOf = (seed: number | null): torch.Generator | undefined => (seed === null ? undefined : new torch.Generator(seed));

class Range extends IterableDataset<number> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

describe('DataLoader', () => {
  for (const c of fx.loader) {
    const name = `n=${c.n} batchSize=${c.batchSize} shuffle=${c.shuffle} dropLast=${c.dropLast} generator=${c.generatorSeed}${c.iterable ? ' iterable' : ''}`;
    it(name, () => {
      torch.manualSeed(c.seed);
      const ds = c.iterable ? new Range(c.n) : new TensorDataset(torch.arange(c.n).mul(10));
      const loader = new DataLoader(ds, {
        batchSize: c.batchSize,
        shuffle: c.shuffle,
        dropLast: c.dropLast,
        generator: generatorOf(c.generatorSeed),
      });
      if (c.length !== undefined) expect(loader.length).toBe(c.length);
      c.epochs.forEach((epoch: number[][], e: number) => {
        const got = [...loader].map((b) => (c.iterable ? b : b[0]).tolist());
        expect(got).toEqual(epoch);
        expect(rand3()).toEqual(c.after[e]);
      });
    });
  }

  it('takes a batchSampler, or no batching, and a collateFn', () => {
    const ds = new TensorDataset(torch.arange(5));
    const bs = new BatchSampler(new SequentialSampler(ds), 2, true);
    const loader = new DataLoader(ds, { batchSampler: bs });
    expect(loader.length).toBe(2);
    expect([...loader].map((b) => b[0].tolist())).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const single = new DataLoader([10, 20, 30], { batchSize: null });
    expect([...single]).toEqual([10, 20, 30]);
    const custom = new DataLoader([1, 2, 3], { batchSize: 2, collateFn: (s: number[]) => s.join('+') });
    expect([...custom]).toEqual(['1+2', '3']);
  });

  it("rejects PyTorch's exclusive options with its messages", () => {
    const ds = new TensorDataset(torch.arange(5));
    const sampler = new SequentialSampler(ds);
    expect(() => new DataLoader(ds, { sampler, shuffle: true })).toThrow('sampler option is mutually exclusive with shuffle');
    expect(() => new DataLoader(ds, { batchSampler: new BatchSampler(sampler, 2, false), batchSize: 2 })).toThrow(
      'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last',
    );
    expect(() => new DataLoader(ds, { batchSize: null, dropLast: true })).toThrow(
      'batch_size=None option disables auto-batching and is mutually exclusive with drop_last',
    );
    expect(() => new DataLoader(new Range(3), { shuffle: true })).toThrow(
      'DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true',
    );
  });
});

describe('samplers', () => {
  for (const c of fx.sampler) {
    it(`${c.kind} ${JSON.stringify({ ...c, epochs: undefined, batches: undefined, after: undefined })}`, () => {
      if (c.kind === 'batch') {
        const b = new BatchSampler(new SequentialSampler({ length: c.n }), c.batchSize, c.dropLast);
        expect(b.length).toBe(c.length);
        expect([...b]).toEqual(c.batches);
        return;
      }
      torch.manualSeed(c.seed);
      const s =
        c.kind === 'random'
          ? new RandomSampler(
              { length: c.n },
              { replacement: c.replacement, numSamples: c.numSamples ?? undefined, generator: generatorOf(c.generatorSeed) },
            )
          : c.kind === 'weighted'
            ? new WeightedRandomSampler(c.weights, c.numSamples, c.replacement, { generator: generatorOf(c.generatorSeed) })
            : new SubsetRandomSampler(c.indices, generatorOf(c.generatorSeed));
      expect(s.length).toBe(c.length);
      for (const epoch of c.epochs) expect([...s]).toEqual(epoch);
      expect(rand3()).toEqual(c.after);
    });
  }
});

describe('randomSplit', () => {
  for (const c of fx.split) {
    it(`n=${c.n} lengths=${JSON.stringify(c.lengths)} generator=${c.generatorSeed}`, () => {
      torch.manualSeed(c.seed);
      const data = Array.from({ length: c.n }, (_, i) => i);
      const parts = randomSplit(data, c.lengths, { generator: generatorOf(c.generatorSeed) });
      expect(parts.map((p) => p.indices)).toEqual(c.splits);
      expect(parts.map((p) => Array.from({ length: p.length }, (_, i) => p.getItem(i)))).toEqual(c.splits);
      expect(rand3()).toEqual(c.after);
    });
  }

  it("rejects lengths that don't sum to the dataset's", () => {
    expect(() => randomSplit([1, 2, 3], [1, 1])).toThrow('Sum of input lengths does not equal the length of the input dataset!');
  });
});

/** Builds a collate input or expected output from its JSON form (see enc_tree in gen_data.py). */
function decodeTree(v: any): any {
  if (Array.isArray(v)) return v.map(decodeTree);
  if (v !== null && typeof v === 'object') {
    if ('tensor' in v) return fromFixture(v.tensor);
    return Object.fromEntries(Object.entries(v.dict).map(([k, x]) => [k, decodeTree(x)]));
  }
  return v;
}

/** A collated tree with tensors as {shape, dtype, data}, for deep comparison. */
function plain(v: any): any {
  if (v instanceof torch.Tensor) return { shape: v.shape, dtype: v.dtype, data: Array.from(v.dataSync(), Number) };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('defaultCollate', () => {
  for (const c of fx.collate) {
    it(JSON.stringify(c.batch).slice(0, 80), () => {
      expect(plain(defaultCollate(decodeTree(c.batch)))).toEqual(plain(decodeTree(c.out)));
    });
  }

  it('rejects ragged lists', () => {
    expect(() => defaultCollate([[1, 2], [3]])).toThrow('each element in list of batch should be of equal size');
  });
});

describe('DataLoader numWorkers', () => {
  /** Sample i is i + 100 * a randint drawn under the generator of the worker that loads it. */
  class Draws extends Dataset<number> {
    get length(): number {
      return 7;
    }
    getItem(i: number): number {
      return i + 100 * torch.randint(0, 1000, [1]).item();
    }
  }

  for (const c of fx.workers) {
    it(`numWorkers=${c.numWorkers} persistentWorkers=${c.persistentWorkers} workerInitFn=${c.workerInit}`, () => {
      torch.manualSeed(c.seed);
      const loader = new DataLoader(new Draws(), {
        batchSize: 2,
        shuffle: true,
        numWorkers: c.numWorkers,
        persistentWorkers: c.persistentWorkers,
        workerInitFn: c.workerInit ? (id: number) => void torch.rand(id + 1) : undefined,
      });
      c.epochs.forEach((epoch: number[][], e: number) => {
        expect([...loader].map((b) => b.tolist())).toEqual(epoch);
        expect(rand3()).toEqual(c.after[e]);
      });
    });
  }

  it("rejects PyTorch's invalid worker options with its messages", () => {
    expect(() => new DataLoader([1], { numWorkers: -1 })).toThrow('num_workers option should be non-negative');
    expect(() => new DataLoader([1], { persistentWorkers: true })).toThrow('persistent_workers option needs num_workers > 0');
  });
});

describe('a seeded training loop', () => {
  it("keeps PyTorch's dropout masks after randomSplit and a shuffled DataLoader", () => {
    const c = fx.training;
    torch.manualSeed(c.seed);
    const ds = new TensorDataset(torch.arange(24, { dtype: 'float32' }).reshape(12, 2), torch.arange(12));
    const [train] = randomSplit(ds, [0.75, 0.25]);
    const loader = new DataLoader(train!, { batchSize: 4, shuffle: true });
    const drop = new torch.nn.Dropout(0.5);
    for (const epoch of c.epochs) {
      const got = [...loader].map(([xb, yb]) => ({ x: plain(drop.forward(xb)), y: yb.tolist() }));
      expect(got).toEqual(epoch.map((b: any) => ({ x: plain(fromFixture(b.x)), y: b.y })));
    }
    expect(rand3()).toEqual(c.after);
  });
});

describe('datasets', () => {
  it('TensorDataset, ConcatDataset and Subset index as PyTorch', () => {
    const a = new TensorDataset(torch.arange(4), torch.arange(4).mul(2));
    const b = new TensorDataset(torch.arange(3).add(100), torch.arange(3).mul(3));
    const c = new ConcatDataset([a, b]);
    expect(c.length).toBe(fx.dataset.concatLength);
    const items = (d: InstanceType<typeof Dataset<torch.Tensor[]>>): number[][] =>
      Array.from({ length: d.length }, (_, i) => d.getItem(i).map((t) => t.item()));
    expect(items(c)).toEqual(fx.dataset.concat);
    expect(items(new Subset(c, [6, 0, 4]))).toEqual(fx.dataset.subset);
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(2))).toThrow('Size mismatch between tensors');
  });

  it('a user Dataset subclass feeds a DataLoader', () => {
    class Squares extends Dataset<[number, number]> {
      get length(): number {
        return 5;
      }
      getItem(i: number): [number, number] {
        return [i, i * i];
      }
    }
    const batches = [...new DataLoader(new Squares(), { batchSize: 2 })].map((b) => b.map((t: torch.Tensor) => t.tolist()));
    expect(batches).toEqual([
      [
        [0, 1],
        [0, 1],
      ],
      [
        [2, 3],
        [4, 9],
      ],
      [[4], [16]],
    ]);
  });
});
