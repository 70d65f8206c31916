/**
 * Seed parity: `torch.manualSeed(s)` followed by the same calls as a PyTorch program gives
 * PyTorch's numbers bit for bit (layer init, nn.init, dropout masks); gains and fans.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { type Enc, expectExact } from './helpers.js';

const fx = loadFixture<{ seed: any[]; gains: Record<string, number>; fans: { shape: number[]; fans: number[] }[] }>('nn');

const MODULES: Record<string, (() => nn.Module)[]> = {
  'Linear(64, 10)': [() => new nn.Linear(64, 10)],
  'Bilinear(5, 4, 3)': [() => new nn.Bilinear(5, 4, 3)],
  'Embedding(10, 3, padding_idx=1), Embedding(3, 2)': [() => new nn.Embedding(10, 3, { paddingIdx: 1 }), () => new nn.Embedding(3, 2)],
  'LayerNorm(4), Linear(4, 2)': [() => new nn.LayerNorm(4), () => new nn.Linear(4, 2)],
  'BatchNorm1d(3), Linear(3, 2)': [() => new nn.BatchNorm1d(3), () => new nn.Linear(3, 2)],
  'Sequential MLP': [() => new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2))],
  'Linear(1, 1) and Linear(7, 5, bias=False)': [() => new nn.Linear(1, 1), () => new nn.Linear(7, 5, { bias: false })],
};

function expectStateDict(m: nn.Module, expected: Record<string, Enc>): void {
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) expectExact(sd[k]!, v);
}

describe('seed parity with PyTorch', () => {
  for (const c of fx.seed) {
    it(`${c.kind}: ${c.name}`, () => {
      if (c.kind === 'modules') {
        torch.manualSeed(c.seed);
        const fns = MODULES[c.name]!;
        expect(fns).toBeDefined();
        fns.forEach((f, i) => expectStateDict(f(), c.stateDicts[i]));
      } else if (c.kind === 'init') {
        torch.manualSeed(c.seed);
        const t = torch.empty(c.shape);
        const fn = (nn.init as any)[c.fn] as (...a: any[]) => torch.Tensor;
        expect(fn(t, ...c.args)).toBe(t);
        if (c.fn === 'orthogonal_') expectClose(t, c.out, 1e-6, 1e-5);
        else expectExact(t, c.out);
      } else if (c.kind === 'dropout') {
        const x = fromFixture(c.input, !c.inplace);
        torch.manualSeed(c.seed);
        let out: torch.Tensor;
        if (c.module) out = new nn.Dropout(c.p).train(c.train).forward(x);
        else out = nn.F.dropout(x, c.p, c.train, c.inplace);
        expectExact(out, c.out);
        if (c.inplace) {
          expect(out).toBe(x);
        } else {
          out.mul(fromFixture(c.w)).sum().backward();
          expectExact(x.grad!, c.grad);
        }
      } else if (c.kind === 'sequence') {
        torch.manualSeed(c.seed);
        expectExact(nn.F.dropout(torch.ones(4, 4), 0.5), c.dropout);
        expectStateDict(new nn.Linear(2, 2), c.stateDict);
      } else throw new Error(`unknown seed case kind ${c.kind}`);
    });
  }
});

describe('nn.init helpers', () => {
  it('calculateGain matches PyTorch', () => {
    for (const [k, v] of Object.entries(fx.gains)) {
      const [name, param] = k.split(' ');
      expect(nn.init.calculateGain(name!, param === undefined ? undefined : Number(param)), k).toBe(v);
    }
  });

  it('calculateFanInAndFanOut matches PyTorch', () => {
    for (const f of fx.fans) expect(nn.init.calculateFanInAndFanOut(torch.empty(f.shape))).toEqual(f.fans);
  });

  it('initialisers run in place without recording and bump the version', () => {
    const p = new nn.Parameter(torch.zeros(3, 4));
    const v = p.version;
    nn.init.kaimingUniform_(p);
    expect(p.gradFn).toBeNull();
    expect(p.isLeaf).toBe(true);
    expect(p.version).toBeGreaterThan(v);
  });

  it('fills non-contiguous tensors in logical order', () => {
    torch.manualSeed(7);
    const a = torch.empty(3, 4);
    nn.init.uniform_(a);
    torch.manualSeed(7);
    const b = torch.empty(4, 3).t();
    nn.init.uniform_(b);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  });

  it('orthogonal_ gives orthonormal rows / columns', () => {
    torch.manualSeed(1);
    const w = nn.init.orthogonal_(torch.empty(5, 9).double());
    expectClose(w.matmul(w.t()), torch.eye(5, { dtype: 'float64' }), 1e-12);
    const t = nn.init.orthogonal_(torch.empty(9, 5).double(), 3);
    expectClose(t.t().matmul(t), torch.eye(5, { dtype: 'float64' }).mul(9), 1e-11);
  });

  it('kaiming on a zero-element tensor is a no-op', () => {
    const t = torch.empty(0, 3);
    expect(nn.init.kaimingUniform_(t)).toBe(t);
  });
});
