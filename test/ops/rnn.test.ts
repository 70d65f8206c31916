// Fused recurrent layer ops (src/ops/rnn.ts) checked three ways:
// (a) against PyTorch fixtures (tools/fixtures/gen_rnn_kernels.py), (b) against reference cells
// built from primitive ops under our autograd, (c) by finite differences in float64.
// Every block runs once per backend (native when the addon loads, and js).
import { expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { type RNNMode, type RnnStackOptions, gruLayer, lstmLayer, rnnLayer, rnnStack } from '../../src/ops/rnn.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
const fx = loadFixture('rnn_kernels');

// ------------------------------------------------------------------------------------------------
// (a) PyTorch fixtures
// ------------------------------------------------------------------------------------------------

const OUT_NAMES = ['y', 'hN', 'cN'] as const;

function runFixtureCase(c: any, inp: Record<string, T>): T[] {
  const opts = { reverse: c.options.reverse as boolean, batchSizes: (c.batchSizes as number[] | undefined) ?? null };
  const { x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr } = inp;
  if (c.kind === 'lstm') return lstmLayer(x!, h0!, c0!, weight_ih!, weight_hh!, bias_ih, bias_hh, weight_hr, opts);
  if (c.kind === 'gru') return gruLayer(x!, h0!, weight_ih!, weight_hh!, bias_ih, bias_hh, opts);
  return rnnLayer(x!, h0!, weight_ih!, weight_hh!, bias_ih, bias_hh, { ...opts, nonlinearity: c.options.nonlinearity });
}

describeEachBackend('rnn layers vs PyTorch (fixtures)', () => {
  for (const c of fx.cases as any[]) {
    it(c.name, () => {
      const inp: Record<string, T> = {};
      for (const [k, v] of Object.entries(c.inputs)) inp[k] = fromFixture(v as any, true);
      const outs = runFixtureCase(c, inp);
      const f64 = inp.x!.dtype === 'float64';
      const [atol, rtol] = f64 ? [1e-10, 1e-8] : [2e-6, 1e-4];
      let loss: T | null = null;
      outs.forEach((o, i) => {
        const name = OUT_NAMES[i]!;
        expect(o.dtype).toBe(inp.x!.dtype);
        expectClose(o, c.outputs[name], atol, rtol);
        const term = o.mul(fromFixture(c.w[name])).sum();
        loss = loss ? loss.add(term) : term;
      });
      loss!.backward();
      for (const [k, g] of Object.entries(c.grads)) {
        expect(inp[k]!.grad, `grad of ${k}`).not.toBeNull();
        expectClose(inp[k]!.grad!, g as any, f64 ? 1e-9 : 2e-5, f64 ? 1e-8 : 1e-4);
      }
    });
  }
});

// ------------------------------------------------------------------------------------------------
// (b) reference cells from primitive ops (tinygrad LSTMCell style), also packed
// ------------------------------------------------------------------------------------------------

interface Seq {
  /** Packed rows [N, I] (a padded [T, B, I] input is flattened to [T*B, I]). */
  x: T;
  bs: number[];
}

function seqOf(x: T, batchSizes: number[] | null): Seq {
  if (batchSizes) return { x, bs: batchSizes };
  return { x: x.reshape([x.shape[0]! * x.shape[1]!, x.shape[2]!]), bs: new Array<number>(x.shape[0]!).fill(x.shape[1]!) };
}

/**
 * Runs `cell` over the steps in order (or reversed), on the first bs[t] state rows; returns the
 * outputs in packed row order and the final states.
 */
function scan(s: Seq, reverse: boolean, init: T[], cell: (xt: T, st: T[]) => T[]): [T, T[]] {
  const off: number[] = [];
  let n = 0;
  for (const b of s.bs) {
    off.push(n);
    n += b;
  }
  const B = init[0]!.shape[0]!;
  let state = init;
  const ys: T[] = new Array<T>(s.bs.length);
  for (let k = 0; k < s.bs.length; k++) {
    const t = reverse ? s.bs.length - 1 - k : k;
    const bt = s.bs[t]!;
    const next = cell(s.x.narrow(0, off[t]!, bt), state.map((v) => v.narrow(0, 0, bt)));
    ys[t] = next[0]!;
    state = next.map((v, i) => (bt < B ? torch.cat([v, state[i]!.narrow(0, bt, B - bt)]) : v));
  }
  return [torch.cat(ys), state];
}

const lin = (x: T, w: T, b: T | null): T => (b ? x.matmul(w.t()).add(b) : x.matmul(w.t()));

function refLstm(s: Seq, h0: T, c0: T, wIh: T, wHh: T, bIh: T | null, bHh: T | null, wHr: T | null, reverse: boolean): [T, T[]] {
  return scan(s, reverse, [h0, c0], (xt, [h, c]) => {
    const [i, f, g, o] = lin(xt, wIh, bIh).add(lin(h!, wHh, bHh)).chunk(4, 1) as [T, T, T, T];
    const c1 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    const h1 = o.sigmoid().mul(c1.tanh());
    return [wHr ? h1.matmul(wHr.t()) : h1, c1];
  });
}

function refGru(s: Seq, h0: T, wIh: T, wHh: T, bIh: T | null, bHh: T | null, reverse: boolean): [T, T[]] {
  return scan(s, reverse, [h0], (xt, [h]) => {
    const [ir, iz, inn] = lin(xt, wIh, bIh).chunk(3, 1) as [T, T, T];
    const [hr, hz, hn] = lin(h!, wHh, bHh).chunk(3, 1) as [T, T, T];
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    return [z.neg().add(1).mul(n).add(z.mul(h!))];
  });
}

function refRnn(s: Seq, h0: T, wIh: T, wHh: T, bIh: T | null, bHh: T | null, reverse: boolean, relu: boolean): [T, T[]] {
  return scan(s, reverse, [h0], (xt, [h]) => {
    const pre = lin(xt, wIh, bIh).add(lin(h!, wHh, bHh));
    return [relu ? pre.relu() : pre.tanh()];
  });
}

/** A seeded random case: random sizes, inputs and weights, all leaves that require grad. */
function randomCase(kind: 'lstm' | 'gru' | 'rnn', seed: number, dtype: 'float32' | 'float64') {
  torch.manualSeed(seed);
  const ri = (lo: number, hi: number): number => lo + Math.floor(torch.rand(1, { dtype: 'float64' }).item() * (hi - lo + 1));
  const Tn = ri(1, 6);
  const B = ri(1, 4);
  const I = ri(1, 9);
  const H = ri(1, 9);
  const P = kind === 'lstm' && H > 1 && seed % 2 === 0 ? ri(1, H - 1) : 0;
  const R = P || H;
  const G = { lstm: 4, gru: 3, rnn: 1 }[kind] * H;
  const packed = seed % 3 === 0;
  let batchSizes: number[] | null = null;
  if (packed) {
    // random non-increasing lengths with the first = Tn
    const lengths = [Tn, ...Array.from({ length: B - 1 }, () => ri(1, Tn))].sort((a, b) => b - a);
    batchSizes = Array.from({ length: Tn }, (_, t) => lengths.filter((l) => l > t).length);
  }
  const N = batchSizes ? batchSizes.reduce((a, b) => a + b, 0) : Tn * B;
  const leaf = (...shape: number[]): T => torch.randn(shape, { dtype }).mul(0.7).requiresGrad_();
  return {
    Tn, B, I, H, P, R, G, batchSizes,
    reverse: seed % 4 >= 2,
    bias: seed % 5 !== 1,
    x: batchSizes ? leaf(N, I) : leaf(Tn, B, I),
    h0: leaf(B, R),
    c0: leaf(B, H),
    wIh: leaf(G, I),
    wHh: leaf(G, R),
    bIh: leaf(G),
    bHh: leaf(G),
    wHr: P ? leaf(P, H) : null,
  };
}

function leavesOf(c: ReturnType<typeof randomCase>, kind: string): [string, T][] {
  const l: [string, T][] = [['x', c.x], ['h0', c.h0], ['wIh', c.wIh], ['wHh', c.wHh]];
  if (kind === 'lstm') l.push(['c0', c.c0]);
  if (c.bias) l.push(['bIh', c.bIh], ['bHh', c.bHh]);
  if (c.wHr) l.push(['wHr', c.wHr]);
  return l;
}

/** Gradients of sum_i (outs[i] * ws[i]).sum() w.r.t. the leaves, as fresh tensors. */
function gradsOf(outs: T[], ws: T[], leaves: T[]): T[] {
  let loss = outs[0]!.mul(ws[0]!).sum();
  for (let i = 1; i < outs.length; i++) loss = loss.add(outs[i]!.mul(ws[i]!).sum());
  return torch.autograd.grad(loss, leaves) as T[];
}

describeEachBackend('rnn layers vs reference cells from primitive ops', () => {
  for (const kind of ['lstm', 'gru', 'rnn'] as const) {
    for (let seed = 0; seed < 12; seed++) {
      const dtype = seed % 2 === 0 ? 'float64' : 'float32';
      it(`${kind} seed ${seed} ${dtype}`, () => {
        const c = randomCase(kind, seed, dtype);
        const bi = c.bias ? c.bIh : null;
        const bh = c.bias ? c.bHh : null;
        const relu = seed % 3 === 1;
        const opts = { reverse: c.reverse, batchSizes: c.batchSizes };
        let fused: T[];
        const s = seqOf(c.x, c.batchSizes);
        let refOut: [T, T[]];
        if (kind === 'lstm') {
          fused = lstmLayer(c.x, c.h0, c.c0, c.wIh, c.wHh, bi, bh, c.wHr, opts);
          refOut = refLstm(s, c.h0, c.c0, c.wIh, c.wHh, bi, bh, c.wHr, c.reverse);
        } else if (kind === 'gru') {
          fused = gruLayer(c.x, c.h0, c.wIh, c.wHh, bi, bh, opts);
          refOut = refGru(s, c.h0, c.wIh, c.wHh, bi, bh, c.reverse);
        } else {
          fused = rnnLayer(c.x, c.h0, c.wIh, c.wHh, bi, bh, { ...opts, nonlinearity: relu ? 'relu' : 'tanh' });
          refOut = refRnn(s, c.h0, c.wIh, c.wHh, bi, bh, c.reverse, relu);
        }
        const ref = [refOut[0].reshape(fused[0]!.shape), ...refOut[1]];
        const [atol, rtol] = dtype === 'float64' ? [1e-12, 1e-10] : [1e-5, 1e-4];
        fused.forEach((o, i) => expectClose(o, ref[i]!, atol, rtol));
        // Loss weights; odd seeds drop y so the gradient enters through the final states only.
        const ws = fused.map((o) => torch.randn(o.shape, { dtype }));
        if (seed % 2 === 1) ws[0] = torch.zeros(fused[0]!.shape, { dtype });
        const leaves = leavesOf(c, kind);
        const gf = gradsOf(fused, ws, leaves.map((l) => l[1]));
        const gr = gradsOf(ref, ws, leaves.map((l) => l[1]));
        leaves.forEach(([name], i) => {
          try {
            expectClose(gf[i]!, gr[i]!, atol * 10, rtol * 10);
          } catch (e) {
            throw new Error(`gradient of ${name}: ${(e as Error).message}`, { cause: e });
          }
        });
      });
    }
  }
});

// ------------------------------------------------------------------------------------------------
// (c) finite differences (float64, tiny sizes)
// ------------------------------------------------------------------------------------------------

describeEachBackend('gradcheck (float64)', () => {
  const f64 = { dtype: 'float64' as const };
  const leaf = (...shape: number[]): T => torch.randn(shape, f64).mul(0.8).requiresGrad_();
  const gc = (fn: (...xs: T[]) => T[], xs: T[]): void => {
    expect(torch.autograd.gradcheck(fn, xs)).toBe(true);
  };

  it('lstm with biases, forward and reverse', () => {
    torch.manualSeed(1);
    for (const reverse of [false, true]) {
      gc((x, h, c, a, b, bi, bh) => lstmLayer(x!, h!, c!, a!, b!, bi, bh, null, { reverse }),
        [leaf(3, 2, 2), leaf(2, 2), leaf(2, 2), leaf(8, 2), leaf(8, 2), leaf(8), leaf(8)]);
    }
  });
  it('lstm with projection, no bias', () => {
    torch.manualSeed(2);
    gc((x, h, c, a, b, r) => lstmLayer(x!, h!, c!, a!, b!, null, null, r, { reverse: true }),
      [leaf(3, 2, 2), leaf(2, 1), leaf(2, 3), leaf(12, 2), leaf(12, 1), leaf(1, 3)]);
  });
  it('lstm packed, with projection', () => {
    torch.manualSeed(3);
    for (const reverse of [false, true]) {
      gc((x, h, c, a, b, bi, bh, r) => lstmLayer(x!, h!, c!, a!, b!, bi, bh, r, { reverse, batchSizes: [3, 2, 1] }),
        [leaf(6, 2), leaf(3, 2), leaf(3, 3), leaf(12, 2), leaf(12, 2), leaf(12), leaf(12), leaf(2, 3)]);
    }
  });
  it('gru, padded and packed', () => {
    torch.manualSeed(4);
    gc((x, h, a, b, bi, bh) => gruLayer(x!, h!, a!, b!, bi, bh, { reverse: true }),
      [leaf(3, 2, 2), leaf(2, 2), leaf(6, 2), leaf(6, 2), leaf(6), leaf(6)]);
    gc((x, h, a, b, bi, bh) => gruLayer(x!, h!, a!, b!, bi, bh, { batchSizes: [2, 2, 1] }),
      [leaf(5, 2), leaf(2, 3), leaf(9, 2), leaf(9, 3), leaf(9), leaf(9)]);
  });
  it('rnn tanh and relu, padded and packed', () => {
    torch.manualSeed(5);
    gc((x, h, a, b, bi, bh) => rnnLayer(x!, h!, a!, b!, bi, bh, { nonlinearity: 'tanh' }),
      [leaf(3, 2, 2), leaf(2, 3), leaf(3, 2), leaf(3, 3), leaf(3), leaf(3)]);
    gc((x, h, a, b, bi, bh) => rnnLayer(x!, h!, a!, b!, bi, bh, { nonlinearity: 'relu', reverse: true, batchSizes: [3, 1] }),
      [leaf(4, 2), leaf(3, 3), leaf(3, 2), leaf(3, 3), leaf(3), leaf(3)]);
  });
});

// ------------------------------------------------------------------------------------------------
// Autograd plumbing and argument checks
// ------------------------------------------------------------------------------------------------

describeEachBackend('rnn layer ops: autograd plumbing and validation', () => {
  const mk = (dtype: 'float32' | 'float64' = 'float32') => {
    torch.manualSeed(7);
    const r = (...s: number[]): T => torch.randn(s, { dtype }).requiresGrad_();
    return { x: r(4, 2, 3), h0: r(2, 5), c0: r(2, 5), wIh: r(20, 3), wHh: r(20, 5), bIh: r(20), bHh: r(20) };
  };

  it('names its node and returns outputs that require grad', () => {
    const a = mk();
    const [y, hN, cN] = lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh, a.bHh);
    expect(y!.gradFn!.name).toBe('LstmBackward0');
    expect(hN!.gradFn).toBe(y!.gradFn);
    expect(cN!.requiresGrad).toBe(true);
  });

  it('no-grad forward (no workspace) gives the same values', () => {
    const a = mk();
    const withGrad = lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh, a.bHh);
    const noGrad = torch.noGrad(() => lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh, a.bHh));
    expect(noGrad[0]!.requiresGrad).toBe(false);
    withGrad.forEach((o, i) => expectClose(noGrad[i]!, o, 0, 0));
  });

  it('non-contiguous inputs are made contiguous first', () => {
    const a = mk('float64');
    const xt = a.x.detach().transpose(0, 1).contiguous().transpose(0, 1); // same values, strided
    const wt = a.wIh.detach().t().contiguous().t();
    expect(xt.isContiguous()).toBe(false);
    const ref = lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh, a.bHh);
    const got = lstmLayer(xt, a.h0, a.c0, wt, a.wHh, a.bIh, a.bHh);
    ref.forEach((o, i) => expectClose(got[i]!, o, 0, 0));
  });

  it('retainGraph: a second backward accumulates the same gradients', () => {
    const a = mk('float64');
    const [y, hN] = gruLayer(a.x, a.h0, a.wIh.narrow(0, 0, 15), a.wHh.narrow(0, 0, 15));
    const loss = y!.sum().add(hN!.mul(2).sum());
    loss.backward(null, { retainGraph: true });
    const g1 = a.x.grad!.clone();
    loss.backward();
    expectClose(a.x.grad!, g1.mul(2), 1e-12, 1e-12);
  });

  it('only the inputs that require grad get one', () => {
    const a = mk('float64');
    const x = a.x.detach();
    const [y] = rnnLayer(x, a.h0.detach(), a.wIh.narrow(0, 0, 5), a.wHh.narrow(0, 0, 5), null, null);
    y!.sum().backward();
    expect(x.grad).toBeNull();
    expect(a.wIh.grad).not.toBeNull();
    expect(a.h0.grad).toBeNull();
  });

  it('in-place change of a saved input is detected', () => {
    const a = mk('float64');
    const x = a.x.detach().clone().requiresGrad_();
    const xin = x.mul(1);
    const [y] = lstmLayer(xin, a.h0, a.c0, a.wIh, a.wHh, a.bIh, a.bHh);
    torch.noGrad(() => xin.mul_(2));
    expect(() => y!.sum().backward()).toThrow('modified by an inplace operation');
  });

  it('argument checks', () => {
    const a = mk();
    expect(() => lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh.narrow(1, 0, 4))).toThrow(
      'lstmLayer: expected weight_hh of shape [20, 5], got [20, 4]',
    );
    expect(() => lstmLayer(a.x.narrow(2, 0, 2), a.h0, a.c0, a.wIh, a.wHh)).toThrow(
      'input.size(-1) must be equal to input_size. Expected 3, got 2',
    );
    expect(() => lstmLayer(a.x, a.h0.narrow(0, 0, 1), a.c0, a.wIh, a.wHh)).toThrow(
      'lstmLayer: expected hx of shape [2, 5], got [1, 5]',
    );
    expect(() => lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh.narrow(0, 0, 3))).toThrow(
      'lstmLayer: expected bias_ih of shape [20], got [3]',
    );
    expect(() => lstmLayer(a.x, a.h0, a.c0, a.wIh, a.wHh, null, null, torch.randn(5, 5))).toThrow(
      'lstmLayer: expected weight_hr of shape [proj_size, 5] with 0 < proj_size < 5, got [5, 5]',
    );
    expect(() => lstmLayer(a.x, a.h0, a.c0.double(), a.wIh, a.wHh)).toThrow(
      'lstmLayer: expected cx to have dtype float32 like input, got float64',
    );
    expect(() => lstmLayer(a.x, a.h0, a.c0, a.wIh.narrow(0, 0, 19), a.wHh)).toThrow(
      'lstmLayer: expected weight_ih of shape [4*hidden_size, input_size], got [19, 3]',
    );
    expect(() => lstmLayer(a.x, 3 as any, a.c0, a.wIh, a.wHh)).toThrow(TypeError);
    expect(() => rnnLayer(a.x, a.h0, a.wIh.narrow(0, 0, 5), a.wHh.narrow(0, 0, 5), null, null, { nonlinearity: 'gelu' as any })).toThrow(
      "Unknown nonlinearity 'gelu'",
    );
    const xp = torch.randn(6, 3);
    const h1 = torch.randn(3, 5);
    expect(() => gruLayer(xp, h1, a.wIh.narrow(0, 0, 15), a.wHh.narrow(0, 0, 15), null, null, { batchSizes: [2, 3, 1] })).toThrow(
      'gruLayer: batch_sizes must be non-increasing, got 2 then 3 at step 1',
    );
    expect(() => gruLayer(xp, h1, a.wIh.narrow(0, 0, 15), a.wHh.narrow(0, 0, 15), null, null, { batchSizes: [3, 2] })).toThrow(
      'gruLayer: batch_sizes sum to 5 but the packed input has 6 rows',
    );
    expect(() => gruLayer(xp, h1, a.wIh.narrow(0, 0, 15), a.wHh.narrow(0, 0, 15), null, null, { batchSizes: [3, 2.5, 0.5] })).toThrow(
      'gruLayer: batch_sizes must be positive integers, got 2.5 at step 1',
    );
    // a batch_sizes tensor (int64, as PackedSequence stores it) works like an array
    const [y] = gruLayer(xp, h1, a.wIh.narrow(0, 0, 15), a.wHh.narrow(0, 0, 15), null, null, {
      batchSizes: torch.tensor([3, 2, 1]),
    });
    expect(y!.shape).toEqual([6, 5]);
  });
});

// ------------------------------------------------------------------------------------------------
// The stack (rnnStack, PyTorch's _VF.lstm / _VF.gru / _VF.rnn_*): all layers and directions at once
// ------------------------------------------------------------------------------------------------

type StackCase = {
  name: string; mode: RNNMode; I: number; H: number; P?: number; B: number; T: number;
  o: RnnStackOptions; lengths?: number[]; dtype?: 'float32' | 'float64';
};

const STACK_CASES: StackCase[] = [
  { name: 'LSTM 2 layers bidirectional, projections, batch-first, dropout', mode: 'LSTM', I: 3, H: 5, P: 2, B: 3, T: 4,
    o: { hasBiases: true, numLayers: 2, dropout: 0.4, train: true, bidirectional: true, batchFirst: true } },
  { name: 'LSTM 1 layer, batch-first, batch 1 (streaming shape)', mode: 'LSTM', I: 4, H: 6, B: 1, T: 1,
    o: { hasBiases: true, numLayers: 1, dropout: 0, train: false, bidirectional: false, batchFirst: true } },
  { name: 'GRU 2 layers bidirectional, packed', mode: 'GRU', I: 3, H: 4, B: 3, T: 4, lengths: [4, 3, 1],
    o: { hasBiases: true, numLayers: 2, dropout: 0, train: true, bidirectional: true, batchFirst: false } },
  { name: 'RNN relu 3 layers, no bias, dropout, float64', mode: 'RNN_RELU', I: 2, H: 3, B: 2, T: 5, dtype: 'float64',
    o: { hasBiases: false, numLayers: 3, dropout: 0.5, train: true, bidirectional: false, batchFirst: false } },
  { name: 'RNN tanh 2 layers, batch-first', mode: 'RNN_TANH', I: 2, H: 3, B: 2, T: 3,
    o: { hasBiases: true, numLayers: 2, dropout: 0.5, train: false, bidirectional: false, batchFirst: true } },
];

/** A case's tensors: time-major or batch-first (or packed) input, states and flat weights. */
function stackInputs(c: StackCase) {
  const dtype = c.dtype ?? 'float32';
  const D = c.o.bidirectional ? 2 : 1;
  const R = c.P ?? c.H;
  const G = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 }[c.mode] * c.H;
  const r = (...s: number[]): T => torch.randn(s, { dtype });
  const params: T[] = [];
  for (let layer = 0; layer < c.o.numLayers; layer++) {
    for (let dir = 0; dir < D; dir++) {
      params.push(r(G, layer === 0 ? c.I : R * D), r(G, R));
      if (c.o.hasBiases) params.push(r(G), r(G));
      if (c.P) params.push(r(c.P, c.H));
    }
  }
  const S = c.o.numLayers * D;
  const hx = c.mode === 'LSTM' ? [r(S, c.B, R), r(S, c.B, c.H)] : [r(S, c.B, c.H)];
  let x = c.o.batchFirst ? r(c.B, c.T, c.I) : r(c.T, c.B, c.I);
  let batchSizes: number[] | null = null;
  if (c.lengths) {
    const ps = torch.nn.utils.rnn.packPaddedSequence(x, c.lengths);
    x = ps.data;
    batchSizes = Array.from(ps.batchSizes.dataSync(), Number);
  }
  return { x, hx, params, o: { ...c.o, batchSizes } };
}

/** The stack composed from the layer ops, as nn.LSTM ran it before rnnStack existed. */
function composedStack(mode: RNNMode, input: T, hx: readonly T[], params: readonly (T | null)[], o: RnnStackOptions): [T, T[]] {
  const D = o.bidirectional ? 2 : 1;
  const per = params.length / (o.numLayers * D);
  const packed = o.batchSizes !== undefined && o.batchSizes !== null;
  const opts = { batchSizes: o.batchSizes as number[] | null };
  let x = o.batchFirst && !packed ? input.transpose(0, 1) : input;
  const hs: T[] = [];
  const cs: T[] = [];
  for (let layer = 0; layer < o.numLayers; layer++) {
    const ys: T[] = [];
    for (let dir = 0; dir < D; dir++) {
      const k = layer * D + dir;
      const w = params.slice(k * per, (k + 1) * per);
      const [bi, bh] = o.hasBiases ? [w[2]!, w[3]!] : [null, null];
      const lo = { ...opts, reverse: dir === 1 };
      if (mode === 'LSTM') {
        const [y, h, c] = lstmLayer(x, hx[0]!.select(0, k), hx[1]!.select(0, k), w[0]!, w[1]!, bi, bh, per > (o.hasBiases ? 4 : 2) ? w[per - 1]! : null, lo);
        ys.push(y);
        hs.push(h);
        cs.push(c);
      } else {
        const run = mode === 'GRU' ? gruLayer : (a: T, b: T, c: T, d: T, e: T | null, f: T | null, g: object) =>
          rnnLayer(a, b, c, d, e, f, { ...g, nonlinearity: mode === 'RNN_RELU' ? 'relu' : 'tanh' });
        const [y, h] = run(x, hx[0]!.select(0, k), w[0]!, w[1]!, bi, bh, lo);
        ys.push(y);
        hs.push(h);
      }
    }
    x = D === 1 ? ys[0]! : torch.cat(ys, -1);
    if (layer < o.numLayers - 1) x = torch.nn.functional.dropout(x, o.dropout, o.train);
  }
  const out = o.batchFirst && !packed ? x.transpose(0, 1) : x;
  return [out, mode === 'LSTM' ? [torch.stack(hs, 0), torch.stack(cs, 0)] : [torch.stack(hs, 0)]];
}

describeEachBackend('rnnStack: the whole stack in one call', () => {
  for (const c of STACK_CASES) {
    it(`${c.name}: without a graph, the layer ops' values, draws and layouts`, () => {
      torch.manualSeed(11);
      const a = stackInputs(c);
      torch.manualSeed(5);
      const [ref, refStates] = torch.noGrad(() => composedStack(c.mode, a.x, a.hx, a.params, a.o));
      torch.manualSeed(5);
      // grad mode on, nothing requires grad: no graph either
      const [out, states] = rnnStack(c.mode, a.x, a.hx, a.params, a.o);
      expect(out.shape).toEqual(ref.shape);
      expect(out.strides).toEqual(ref.strides);
      expectClose(out, ref, 0, 0);
      expect(states.length).toBe(refStates.length);
      states.forEach((s, i) => expectClose(s, refStates[i]!, 0, 0));
      for (const t of [out, ...states]) expect(t.gradFn).toBeNull();
      expect(torch.rand([1]).item()).toBe(torch.noGrad(() => (torch.manualSeed(5), composedStack(c.mode, a.x, a.hx, a.params, a.o), torch.rand([1]).item())));
    });

    it(`${c.name}: with a graph, the layer ops' gradients`, () => {
      torch.manualSeed(12);
      const a = stackInputs(c);
      const run = (f: typeof rnnStack) => {
        const x = a.x.detach().requiresGrad_();
        const hx = a.hx.map((h) => h.detach().requiresGrad_());
        const params = a.params.map((p) => p.detach().requiresGrad_());
        torch.manualSeed(6);
        const [out, states] = f(c.mode, x, hx, params, a.o);
        torch.manualSeed(7);
        let loss = out.mul(torch.randn(out.shape, { dtype: out.dtype })).sum();
        for (const s of states) loss = loss.add(s.mul(torch.randn(s.shape, { dtype: s.dtype })).sum());
        loss.backward();
        return [out, ...states, x.grad!, ...hx.map((h) => h.grad!), ...params.map((p) => p.grad!)];
      };
      const ref = run(composedStack);
      const got = run(rnnStack);
      expect(got[0]!.gradFn).not.toBeNull();
      got.forEach((g, i) => expectClose(g, ref[i]!, 0, 0));
    });
  }

  it('argument checks', () => {
    torch.manualSeed(13);
    const a = stackInputs(STACK_CASES[0]!);
    expect(() => rnnStack('LSTM', a.x, a.hx, a.params.slice(1), a.o)).toThrow(
      'lstm: expected 4 or 5 weights per layer and direction for 2 layers of 2 directions, got 19 weights',
    );
    expect(() => rnnStack('LSTM', a.x, a.hx.slice(0, 1), a.params, a.o)).toThrow('lstm: expected 2 hidden states, got 1');
    expect(() => rnnStack('LSTM', a.x, [a.hx[0]!.narrow(0, 0, 3), a.hx[1]!], a.params, a.o)).toThrow(
      'lstmLayer: expected hx of shape [4, 3, 2], got [3, 3, 2]',
    );
    expect(() => rnnStack('LSTM', a.x, [a.hx[0]!, a.hx[1]!.narrow(1, 0, 2)], a.params, a.o)).toThrow(
      'lstmLayer: expected cx of shape [3, 5], got [2, 5]',
    );
    const bad = a.params.slice();
    bad[6] = torch.randn(20, 3); // layer 0 reverse: weight_hh of the wrong shape
    expect(() => rnnStack('LSTM', a.x, a.hx, bad, a.o)).toThrow('lstmLayer: expected weight_hh of shape [20, 2], got [20, 3]');
    expect(() => rnnStack('LSTM', a.x.narrow(1, 0, 0), a.hx, a.params, a.o)).toThrow('Expected sequence length to be larger than 0 in RNN');
  });
});
