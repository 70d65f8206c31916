// Double backward through nn.LSTM / GRU / RNN and the cells: second-order quantities against PyTorch
// fixtures (tools/fixtures/gen_rnn_double.py: a gradient penalty on the input gradient and a
// Hessian-vector product through the weight gradients, float64 and float32), gradgradcheck on every
// module and cell in float64, and the fused first-order backward left unchanged by the new path.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { PackedSequence } from '../../src/nn/utils/rnn.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { decodeDict, type Enc } from './helpers.js';

const { nn } = torch;
type T = torch.Tensor;
const fx = loadFixture('rnn_double');

function build(ctor: string, I: number, H: number, opts: any): torch.nn.Module {
  const C = { LSTM: nn.LSTM, GRU: nn.GRU, RNN: nn.RNN, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell, RNNCell: nn.RNNCell }[ctor];
  if (!C) throw new Error(`unknown ctor ${ctor}`);
  return new (C as new (i: number, h: number, o: unknown) => torch.nn.Module)(I, H, opts);
}

function int64(v: number[] | null): T | null {
  return v === null ? null : torch.tensor(v, { dtype: 'int64' });
}

/** The outputs a case's loss weighs: [output, hN(, cN)] of a layer, [h1(, c1)] of a cell. */
function runCase(m: torch.nn.Module, c: any, leaf: T, hx: T[] | null): T[] {
  const cell = (c.ctor as string).endsWith('Cell');
  const lstm = (c.ctor as string).startsWith('LSTM');
  const input = c.input.packed
    ? new PackedSequence(leaf, c.input.batchSizes, int64(c.input.sortedIndices), int64(c.input.unsortedIndices))
    : leaf;
  const state = hx ? (lstm ? hx : hx[0]) : null;
  if (c.dropSeed !== null) torch.manualSeed(c.dropSeed);
  const res = (m as any).forward(input, state);
  if (cell) return lstm ? [...(res as T[])] : [res as T];
  const [out, hidden] = res as [T | PackedSequence, T | T[]];
  const o = out instanceof PackedSequence ? out.data : out;
  return [o, ...(lstm ? (hidden as T[]) : [hidden as T])];
}

/** grad with zeros for unused inputs (PyTorch's allow_unused plus zeros_like in the generator). */
function gradsOrZeros(y: T, xs: T[], opts: { createGraph?: boolean; retainGraph?: boolean } = {}): T[] {
  const gs = torch.autograd.grad(y, xs, { ...opts, allowUnused: true });
  return gs.map((g, i) => g ?? torch.zeros(xs[i]!.shape, { dtype: xs[i]!.dtype }));
}

describeEachBackend('double backward through the recurrent modules vs PyTorch', () => {
  for (const c of fx.cases as any[]) {
    it(c.name, () => {
      const m = build(c.ctor, c.args[0], c.args[1], c.options);
      m.loadStateDict(decodeDict(c.stateDict));
      m.train(c.train);
      const leaf = fromFixture(c.input.data, true);
      const hx: T[] | null = c.hx ? c.hx.map((h: Enc) => fromFixture(h, true)) : null;
      const outs = runCase(m, c, leaf, hx);
      let loss = outs[0]!.mul(fromFixture(c.w[0])).sum();
      for (let k = 1; k < outs.length; k++) loss = loss.add(outs[k]!.mul(fromFixture(c.w[k])).sum());
      const params = m.parameters();
      expect(m.namedParameters().map(([k]) => k)).toEqual(c.paramNames);
      const leadIn = [leaf, ...(hx ?? [])];
      const wrt = [...leadIn, ...params];
      const first = gradsOrZeros(loss, wrt, { createGraph: true });
      const f64 = leaf.dtype === 'float64';
      const [atol, rtol] = f64 ? [1e-10, 1e-9] : [1e-5, 1e-5];
      first.forEach((g, i) => expectClose(g, c.first[i], atol, rtol));
      let p1 = first[0]!.square().sum();
      for (let i = 1; i < leadIn.length; i++) p1 = p1.add(first[i]!.square().sum());
      let p2 = first[leadIn.length]!.mul(fromFixture(c.v[0])).sum();
      for (let i = leadIn.length + 1; i < first.length; i++) p2 = p2.add(first[i]!.mul(fromFixture(c.v[i - leadIn.length])).sum());
      expect(p1.item()).toBeCloseTo(c.penaltyInput, f64 ? 9 : 3);
      expect(p2.item()).toBeCloseTo(c.penaltyParams, f64 ? 9 : 3);
      // float32: the second-order values are sums of many products; 1e-5 relative to the largest entry
      const close = (g: T, e: Enc) => {
        const scale = f64 ? 1 : Math.max(1, ...(e.data as number[]).map(Math.abs));
        expectClose(g, e, atol * scale, rtol);
      };
      gradsOrZeros(p1, wrt, { retainGraph: true }).forEach((g, i) => close(g, c.gradsInput[i]));
      gradsOrZeros(p2, wrt).forEach((g, i) => close(g, c.gradsParams[i]));
    });
  }
});

describe('gradgradcheck on every recurrent module and cell (float64)', () => {
  const d = { dtype: 'float64' as const };
  const MODULES: [string, () => torch.nn.Module, number[], boolean][] = [
    ['LSTM', () => new nn.LSTM(1, 2, d), [2, 2, 1], false],
    ['LSTM 2 layers bidirectional batchFirst, bias=false', () => new nn.LSTM(1, 1, { ...d, numLayers: 2, bidirectional: true, batchFirst: true, bias: false }), [1, 2, 1], false],
    ['LSTM projSize', () => new nn.LSTM(1, 2, { ...d, projSize: 1 }), [2, 2, 1], false],
    ['LSTM packed', () => new nn.LSTM(1, 2, d), [2, 2, 1], true],
    ['GRU', () => new nn.GRU(1, 2, d), [2, 2, 1], false],
    ['GRU bidirectional packed', () => new nn.GRU(1, 2, { ...d, bidirectional: true }), [2, 2, 1], true],
    ['RNN tanh 2 layers', () => new nn.RNN(1, 2, { ...d, numLayers: 2 }), [2, 2, 1], false],
    ['RNN relu bias=false', () => new nn.RNN(1, 2, { ...d, nonlinearity: 'relu', bias: false }), [2, 2, 1], false],
  ];
  for (const [name, make, shape, packed] of MODULES) {
    it(name, () => {
      torch.manualSeed(3);
      const m = make();
      const x = torch.randn(shape, d).requiresGrad_();
      const r = m as torch.nn.RNNBase;
      const S = r.numLayers * (r.bidirectional ? 2 : 1);
      const B = shape[r.batchFirst ? 0 : 1]!;
      const h0 = torch.randn([S, B, r.projSize || r.hiddenSize], d).requiresGrad_();
      const lstm = m instanceof nn.LSTM;
      const c0 = torch.randn([S, B, r.hiddenSize], d).requiresGrad_();
      const fn = (xx: T, hh: T, cc: T) => {
        // packed: lengths [2, 1], the data rows of a time-major [2, 2, 1] input
        const input = packed ? new PackedSequence(xx.reshape([4, 1]).narrow(0, 0, 3), [2, 1]) : xx;
        const [out, hidden] = (m as any).forward(input, lstm ? [hh, cc] : hh) as [T | PackedSequence, T | T[]];
        const o = out instanceof PackedSequence ? out.data : out;
        return [o, ...(lstm ? (hidden as T[]) : [hidden as T])];
      };
      expect(torch.autograd.gradgradcheck(fn, [x, h0, c0, ...m.parameters()])).toBe(true);
    });
  }
  const CELLS: [string, () => torch.nn.Module][] = [
    ['LSTMCell', () => new nn.LSTMCell(2, 2, d)],
    ['GRUCell', () => new nn.GRUCell(2, 2, d)],
    ['RNNCell tanh', () => new nn.RNNCell(2, 2, d)],
    ['RNNCell relu bias=false', () => new nn.RNNCell(2, 2, { ...d, nonlinearity: 'relu', bias: false })],
  ];
  for (const [name, make] of CELLS) {
    it(name, () => {
      torch.manualSeed(4);
      const m = make();
      const x = torch.randn([2, 2], d).requiresGrad_();
      const h = torch.randn([2, 2], d).requiresGrad_();
      const c = torch.randn([2, 2], d).requiresGrad_();
      const lstm = m instanceof nn.LSTMCell;
      const fn = (xx: T, hh: T, cc: T) => (lstm ? (m as torch.nn.LSTMCell).forward(xx, [hh, cc]) : (m as any).forward(xx, hh) as T);
      expect(torch.autograd.gradgradcheck(fn, [x, h, c, ...m.parameters()])).toBe(true);
    });
  }

  it('fails on a gradient that is right but whose own derivative is not', () => {
    torch.manualSeed(1);
    const x = torch.randn([3], d).requiresGrad_();
    // value x², recorded gradient 2 * x.detach(): right to first order, constant to autograd
    const f = (t: T) => t.square().detach().add(t.mul(t.detach().mul(2))).sub(t.detach().square().mul(2));
    expect(torch.autograd.gradcheck(f, [x])).toBe(true);
    expect(torch.autograd.gradgradcheck(f, [x], { raiseException: false })).toBe(false);
    expect(() => torch.autograd.gradgradcheck(f, x)).toThrow('Jacobian mismatch');
  });
});

describe('double backward: the first-order path and the composite agree', () => {
  it('grad with createGraph equals the fused first-order gradient (LSTM with projection, packed, bidirectional)', () => {
    torch.manualSeed(9);
    const d = { dtype: 'float64' as const };
    const m = new nn.LSTM(3, 4, { ...d, numLayers: 2, bidirectional: true, projSize: 2 });
    const x = torch.randn([7, 3], d).requiresGrad_();
    const run = () => {
      const [out] = m.forward(new PackedSequence(x, [3, 2, 2])) as [PackedSequence, T[]];
      return out.data.square().sum();
    };
    const fused = torch.autograd.grad(run(), [x, ...m.parameters()]);
    const composite = torch.autograd.grad(run(), [x, ...m.parameters()], { createGraph: true });
    fused.forEach((g, i) => expectClose(composite[i]!, g!, 1e-12, 1e-10));
    expect(composite[0]!.gradFn).not.toBeNull();
    expect(fused[0]!.gradFn).toBeNull();
  });

  it('a second backward through a freed graph says so', () => {
    const lstm = new nn.LSTM(2, 3);
    const x = torch.randn([2, 1, 2]).requiresGrad_();
    const [y] = lstm.forward(x) as [T, T[]];
    const loss = y.sum();
    loss.backward();
    expect(() => torch.autograd.grad(loss, [x], { createGraph: true })).toThrow('Trying to backward through the graph a second time');
  });

  it('third order (gradient of a second-order gradient) matches finite differences', () => {
    torch.manualSeed(2);
    const d = { dtype: 'float64' as const };
    const cell = new nn.GRUCell(1, 2, d);
    const x = torch.randn([1, 1], d).requiresGrad_();
    const f = (t: T) => {
      const [g1] = torch.autograd.grad(cell.forward(t).square().sum(), [t], { createGraph: true });
      const [g2] = torch.autograd.grad(g1!.sum(), [t], { createGraph: true });
      return g2!;
    };
    expect(torch.autograd.gradcheck(f, [x])).toBe(true);
  });
});
