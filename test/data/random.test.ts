/**
 * `Tensor.random_` in its three forms against PyTorch 1.13 (tools/fixtures/gen_data.py ->
 * fixtures/data.json): the same values for the same seed and dtype, and the same number of draws
 * (a `torch.rand(3)` drawn afterwards matches).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { loadFixture } from '../helpers/fixtures.js';

interface RandomCase {
  seed: number;
  dtype: torch.DType;
  args: number[];
  generatorSeed?: number;
  values: number[];
  after: number[];
}

interface ErrorCase {
  dtype: torch.DType;
  args: number[];
  error: { type: string; message: string };
}

const fx = loadFixture<{ cases: { random: RandomCase[]; randomErrors: ErrorCase[] } }>('data');

describe('Tensor.random_', () => {
  for (const c of fx.cases.random) {
    const gen = c.generatorSeed === undefined ? '' : `, generator seeded ${c.generatorSeed}`;
    it(`${c.dtype} random_(${c.args.join(', ')}) seed ${c.seed}${gen}`, () => {
      torch.manualSeed(c.seed);
      const t = torch.empty([c.values.length], { dtype: c.dtype });
      const opts = c.generatorSeed === undefined ? {} : { generator: new torch.Generator(c.generatorSeed) };
      const r = (t.random_ as (...a: unknown[]) => torch.Tensor)(...c.args, opts);
      expect(r).toBe(t);
      expect(Array.from(t.dataSync(), Number)).toEqual(c.values);
      expect(Array.from(torch.rand(3).dataSync())).toEqual(c.after);
    });
  }

  it('takes no options object too', () => {
    torch.manualSeed(0);
    const a = torch.empty([5], { dtype: 'int64' }).random_(3, 9);
    torch.manualSeed(0);
    const b = torch.empty([5], { dtype: 'int64' }).random_(3, 9, {});
    expect(a.tolist()).toEqual(b.tolist());
  });

  for (const c of fx.cases.randomErrors) {
    it(`${c.dtype} random_(${c.args.join(', ')}) throws PyTorch's ${c.error.type}`, () => {
      const t = torch.empty([2], { dtype: c.dtype });
      expect(() => (t.random_ as (...a: unknown[]) => torch.Tensor)(...c.args)).toThrow(c.error.message);
    });
  }
});
