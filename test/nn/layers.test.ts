/**
 * Layers against PyTorch 1.13: forward outputs, input and parameter gradients of (out * w).sum(),
 * and buffers after forward (BatchNorm running statistics, Embedding max_norm renormalisation).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { buildModule, decodeDict, type Enc } from './helpers.js';

interface ModuleCase {
  name: string;
  ctor: string;
  args: any[];
  opts: any;
  train: boolean;
  steps: number;
  stateDict: Record<string, Enc>;
  inputs: Enc[];
  output: Enc;
  w: Enc;
  inputGrads: (Enc | null)[];
  paramGrads: Record<string, Enc>;
  after: Record<string, Enc>;
}

const fx = loadFixture<{ cases: ModuleCase[] }>('nn');

describe('layers match PyTorch (forward, gradients, buffers)', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const m = buildModule(c.ctor, c.args, c.opts);
      m.loadStateDict(decodeDict(c.stateDict));
      m.train(c.train);
      const inputs = c.inputs.map((x) => fromFixture(x, x.dtype === 'float32' || x.dtype === 'float64'));
      for (let s = 1; s < c.steps; s++) m.forward(...inputs.map((x) => x.detach()));
      const out: torch.Tensor = m.forward(...inputs);
      const tol = out.dtype === 'float64' ? 1e-10 : 1e-5;
      expectClose(out, c.output, tol, tol);
      out.mul(fromFixture(c.w)).sum().backward();
      c.inputGrads.forEach((g, i) => {
        if (g) expectClose(inputs[i]!.grad!, g, tol, 1e-4);
        else expect(inputs[i]!.grad).toBeNull();
      });
      const params = new Map(m.namedParameters());
      expect([...params.keys()].filter((k) => params.get(k)!.grad !== null).sort()).toEqual(Object.keys(c.paramGrads).sort());
      for (const [k, g] of Object.entries(c.paramGrads)) expectClose(params.get(k)!.grad!, g, tol, 1e-4);
      const after = m.stateDict();
      expect(Object.keys(after)).toEqual(Object.keys(c.after));
      for (const [k, v] of Object.entries(c.after)) {
        expect(after[k]!.dtype, k).toBe(v.dtype);
        expectClose(after[k]!, v, tol, 1e-4);
      }
    });
  }
});

describe('layer behaviour', () => {
  it('Dropout: identity in eval mode, same tensor returned', () => {
    const d = new nn.Dropout(0.5).eval();
    const x = torch.randn(3, 4);
    expect(d.forward(x)).toBe(x);
    expect(new nn.Dropout(0).forward(x)).toBe(x);
  });

  it('Embedding: paddingIdx row starts at zero and gets no gradient', () => {
    torch.manualSeed(0);
    const e = new nn.Embedding(5, 2, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(4);
    expect(Array.from(e.weight.select(0, 4).dataSync())).toEqual([0, 0]);
    e.forward(torch.tensor([4, 1, 4])).sum().backward();
    expect(Array.from(e.weight.grad!.select(0, 4).dataSync())).toEqual([0, 0]);
    expect(Array.from(e.weight.grad!.select(0, 1).dataSync())).toEqual([1, 1]);
  });

  it('Embedding.fromPretrained shares storage and freezes by default', () => {
    const w = torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]]);
    const e = nn.Embedding.fromPretrained(w);
    expect(e.weight.storage).toBe(w.storage);
    expect(e.weight.requiresGrad).toBe(false);
    expect(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad).toBe(true);
    expectClose(e.forward(torch.tensor([1])), torch.tensor([[4, 5.1, 6.3]]));
    expect(String(e)).toBe('Embedding(2, 3)');
  });

  it('Embedding maxNorm renormalises the weight in place (version bump), only rows looked up', () => {
    const w = torch.tensor([[3, 4], [3, 4]]);
    const e = nn.Embedding.fromPretrained(w, { maxNorm: 1 });
    const v = e.weight.version;
    e.forward(torch.tensor([0]));
    expect(e.weight.version).toBe(v + 1);
    expect(Array.from(e.weight.select(0, 1).dataSync())).toEqual([3, 4]);
    expect(e.weight.select(0, 0).square().sum().item()).toBeLessThan(1);
  });

  it('BatchNorm1d: num_batches_tracked counts training batches only', () => {
    const bn = new nn.BatchNorm1d(2);
    bn.forward(torch.randn(3, 2));
    bn.forward(torch.randn(3, 2));
    expect(bn.num_batches_tracked!.item()).toBe(2);
    expect(bn.num_batches_tracked!.dtype).toBe('int64');
    bn.eval();
    bn.forward(torch.randn(1, 2)); // one sample is fine in eval mode
    expect(bn.num_batches_tracked!.item()).toBe(2);
  });

  it('Sequential forward chains modules', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = torch.randn(5, 3);
    const manual = (seq.get(2) as nn.Linear).forward((seq.get(0) as nn.Linear).forward(x).relu());
    expectClose(seq.forward(x), manual);
  });

  it('in-place activations return their input', () => {
    const x = torch.tensor([-1, 2, -3]);
    expect(new nn.ReLU(true).forward(x)).toBe(x);
    expect(Array.from(x.dataSync())).toEqual([0, 2, 0]);
    const y = torch.tensor([-1, 2]);
    expect(new nn.LeakyReLU(0.5, true).forward(y)).toBe(y);
    expect(Array.from(y.dataSync())).toEqual([-0.5, 2]);
  });
});
