// torch.multinomial and Tensor.exponential_ against PyTorch 1.13 (tools/fixtures/gen_sampling.py):
// the same indices for the same seed, the same number of draws consumed (also when raising), and
// PyTorch's errors.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface Case {
  name: string;
  seed: number;
  viaGlobal: boolean;
  probs: Enc;
  layout: 'contiguous' | 'transposed' | 'strided';
  numSamples: number;
  replacement: boolean;
  out?: Enc;
  error?: { type: string; message: string };
  after: Enc;
}
interface ExpCase {
  seed: number;
  dtype: 'float32' | 'float64';
  n: number;
  lambd?: number;
  out: Enc;
}

const fx = loadFixture<{ cases: Case[]; exponential: ExpCase[] }>('sampling');

/** The input a case describes (mirrors make_input in tools/fixtures/gen_sampling.py). */
function input(c: Case): torch.Tensor {
  const p = fromFixture(c.probs);
  if (c.layout === 'transposed') return p.t().contiguous().t();
  if (c.layout === 'strided') {
    const [r, k] = p.shape as [number, number];
    const wide = torch.zeros(r, 2 * k, { dtype: p.dtype });
    wide.slice(1, null, null, 2).copy_(p);
    return wide.slice(1, null, null, 2);
  }
  return p;
}

describe('multinomial: PyTorch 1.13 draws', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const x = input(c);
      if (c.layout === 'transposed') expect(x.isContiguous()).toBe(false);
      let g: torch.Generator | undefined;
      if (c.viaGlobal) torch.manualSeed(c.seed);
      else g = new torch.Generator().manualSeed(c.seed);
      const opts = g ? { generator: g } : {};
      const run = (): torch.Tensor => torch.multinomial(x, c.numSamples, c.replacement, opts);
      if (c.error) expectError(run, c.error);
      else {
        const out = run();
        expect(out.dtype).toBe('int64');
        expect(out.shape).toEqual(c.out!.shape);
        expect(Array.from(out.dataSync())).toEqual(c.out!.data);
      }
      const after = g ? torch.rand(4, { dtype: 'float64', generator: g }) : torch.rand(4, { dtype: 'float64' });
      expect(Array.from(after.dataSync())).toEqual(c.after.data);
    });
  }
});

describe('multinomial: forms', () => {
  const p = torch.tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]]);
  const draw = (f: (g: torch.Generator) => torch.Tensor): number[] => Array.from(f(new torch.Generator().manualSeed(3)).dataSync());

  it('the method, the function, positional replacement and the options object agree', () => {
    const ref = draw((g) => torch.multinomial(p, 5, true, { generator: g }));
    expect(draw((g) => p.multinomial(5, true, { generator: g }))).toEqual(ref);
    expect(draw((g) => torch.multinomial(p, 5, { replacement: true, generator: g }))).toEqual(ref);
    expect(draw((g) => p.multinomial(5, { replacement: true, generator: g }))).toEqual(ref);
    expect(draw((g) => p.multinomial(2, { generator: g }))).toEqual(draw((g) => torch.multinomial(p, 2, false, { generator: g })));
  });

  it('records no graph and leaves the input alone', () => {
    const w = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const out = torch.multinomial(w, 2);
    expect(out.requiresGrad).toBe(false);
    expect(w.tolist()).toEqual([1, 2, 3]);
  });

  it('validates its arguments', () => {
    expect(() => torch.multinomial(p, 1.5)).toThrow(TypeError);
    expect(() => torch.multinomial(p, 1, 'yes' as never)).toThrow(TypeError);
    expect(() => torch.multinomial(p, 1, { replacment: true } as never)).toThrow("did you mean 'replacement'?");
    expect(() => torch.multinomial(p, 1, false, { generator: 1 as never })).toThrow(TypeError);
    expect(() => torch.multinomial([0.5, 0.5] as never, 1)).toThrow(TypeError);
  });
});

describe('exponential_: PyTorch 1.13 draws', () => {
  for (const c of fx.exponential) {
    it(`${c.dtype} seed ${c.seed} n=${c.n}${c.lambd ? ` lambd=${c.lambd}` : ''}`, () => {
      const g = new torch.Generator().manualSeed(c.seed);
      const x = torch.empty(c.n, { dtype: c.dtype });
      expect(x.exponential_(c.lambd ?? 1, { generator: g })).toBe(x);
      expect(Array.from(x.dataSync())).toEqual(c.out.data);
    });
  }

  it("PyTorch's errors", () => {
    expect(() => torch.empty(3).exponential_(-1)).toThrow('exponential_ expects lambda >= 0.0, but found lambda=-1');
    expect(() => torch.empty(3, { dtype: 'int64' }).exponential_()).toThrow(`"exponential_cpu" not implemented for 'Long'`);
  });
});
