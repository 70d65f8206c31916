// nn.LSTM / nn.GRU / nn.RNN and the cells against PyTorch fixtures (tools/fixtures/gen_rnn.py):
// forward and gradients over an option grid and a random sweep (state dicts loaded from PyTorch),
// dropout masks from the seeded generator, seed parity of init, exact errors and reprs; plus
// float64 gradcheck, dropout placement, and torchlet-only checks (packed-input validation).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { PackedSequence, packPaddedSequence } from '../../src/nn/utils/rnn.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { decodeDict, type Enc } from './helpers.js';

const { nn } = torch;
type T = torch.Tensor;
type AnyRnn = torch.nn.RNNBase;
type AnyCell = torch.nn.RNNCellBase;
const fx = loadFixture('rnn');

function build(ctor: string, args: number[], opts: any): torch.nn.Module {
  const [I, H] = args as [number, number];
  switch (ctor) {
    case 'LSTM':
      return args.length > 2 ? new nn.LSTM(I, H, args[2], opts) : new nn.LSTM(I, H, opts);
    case 'GRU':
      return args.length > 2 ? new nn.GRU(I, H, args[2], opts) : new nn.GRU(I, H, opts);
    case 'RNN':
      return args.length > 2 ? new nn.RNN(I, H, args[2], opts) : new nn.RNN(I, H, opts);
    case 'LSTMCell':
      return new nn.LSTMCell(I, H, opts);
    case 'GRUCell':
      return new nn.GRUCell(I, H, opts);
    case 'RNNCell':
      return new nn.RNNCell(I, H, opts);
    default:
      throw new Error(`unknown ctor ${ctor}`);
  }
}

function int64(v: number[] | null): T | null {
  return v === null ? null : torch.tensor(v, { dtype: 'int64' });
}

/** Exact float comparison: float32 fixture values are the shortest decimals that round-trip. */
function expectBitExact(actual: T, expected: Enc): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const f32 = actual.dtype === 'float32';
  const e = expected.data as number[];
  for (let i = 0; i < a.length; i++) {
    const want = f32 ? Math.fround(e[i]!) : e[i]!;
    if (a[i] !== want) expect.fail(`element ${i}: got ${a[i]}, expected ${want}`);
  }
}

function expectError(fn: () => unknown, message: string, type?: string): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error "${message}"`).toBeInstanceOf(Error);
  expect((caught as Error).message).toBe(message);
  if (type !== undefined) expect((caught as Error).name).toBe(type);
}

let warnSpy: ReturnType<typeof vi.spyOn>;

// ------------------------------------------------------------------------------------------------
// The warning first: warnings are shown once per message and process, like Python's.
// ------------------------------------------------------------------------------------------------

describe('constructor warning', () => {
  it('warns once (PyTorch text) for dropout > 0 with one layer', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new nn.LSTM(10, 20, { dropout: 0.5 });
    new nn.LSTM(10, 20, { dropout: 0.5 });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]![0])).toContain(fx.warning);
    spy.mockRestore();
  });
});

describe('rnn modules (quiet warnings)', () => {
  beforeAll(() => {
    warnSpy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterAll(() => warnSpy.mockRestore());

  // ----------------------------------------------------------------------------------------------
  // Forward and backward vs PyTorch
  // ----------------------------------------------------------------------------------------------

  describe('LSTM / GRU / RNN vs PyTorch (fixtures)', () => {
    for (const c of fx.cases as any[]) {
      it(c.name, () => {
        const m = build(c.ctor, c.args, c.options) as AnyRnn;
        expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.stateDict));
        m.loadStateDict(decodeDict(c.stateDict));
        m.train(c.train);
        const leaf = fromFixture(c.input.data, true);
        const packed = c.input.packed as boolean;
        const input = packed
          ? new PackedSequence(leaf, c.input.batchSizes, int64(c.input.sortedIndices), int64(c.input.unsortedIndices))
          : leaf;
        const hx: T[] | null = c.hx ? c.hx.map((h: Enc) => fromFixture(h, true)) : null;
        if (c.seed !== null) torch.manualSeed(c.seed);
        const lstm = c.ctor === 'LSTM';
        const [out, hidden] = (m as any).forward(input, lstm ? hx : hx?.[0]) as [T | PackedSequence, T | [T, T]];
        let outT: T;
        if (packed) {
          expect(out).toBeInstanceOf(PackedSequence);
          const po = out as PackedSequence;
          outT = po.data;
          expect(po.batchSizes.tolist()).toEqual(c.outputPacked.batchSizes);
          expect(po.sortedIndices?.tolist() ?? null).toEqual(c.outputPacked.sortedIndices);
          expect(po.unsortedIndices?.tolist() ?? null).toEqual(c.outputPacked.unsortedIndices);
        } else {
          outT = out as T;
        }
        const states = lstm ? (hidden as [T, T]) : [hidden as T];
        const f64 = outT.dtype === 'float64';
        const [atol, rtol] = f64 ? [1e-10, 1e-8] : [1e-5, 1e-4];
        expectClose(outT, c.outputs.output, atol, rtol);
        expectClose(states[0]!, c.outputs.hN, atol, rtol);
        if (lstm) expectClose(states[1]!, c.outputs.cN, atol, rtol);
        let loss = outT.mul(fromFixture(c.w.output)).sum();
        loss = loss.add(states[0]!.mul(fromFixture(c.w.hN)).sum());
        if (lstm) loss = loss.add(states[1]!.mul(fromFixture(c.w.cN)).sum());
        loss.backward();
        const params = new Map(m.namedParameters());
        const [gatol, grtol] = f64 ? [1e-9, 1e-8] : [3e-5, 2e-4];
        for (const [k, g] of Object.entries(c.grads as Record<string, Enc>)) {
          let t: T | undefined;
          if (k === 'input') t = leaf;
          else if (k === 'h0') t = hx![0];
          else if (k === 'c0') t = hx![1];
          else t = params.get(k);
          expect(t, k).toBeDefined();
          expect(t!.grad, `grad of ${k}`).not.toBeNull();
          expectClose(t!.grad!, g, gatol, grtol);
        }
      });
    }
  });

  // Without a graph to record, the modules take a direct path (no per-layer views, autograd or
  // workspace): the same fixtures, forward only, under noGrad and with nothing requiring grad.
  describe('LSTM / GRU / RNN vs PyTorch without autograd (the inference path)', () => {
    for (const c of fx.cases as any[]) {
      for (const mode of ['noGrad', 'no leaf requires grad'] as const) {
        it(`${c.name} (${mode})`, () => {
          const m = build(c.ctor, c.args, c.options) as AnyRnn;
          m.loadStateDict(decodeDict(c.stateDict));
          m.train(c.train);
          if (mode !== 'noGrad') for (const p of m.parameters()) p.requiresGrad_(false);
          const leaf = fromFixture(c.input.data, false);
          const input = c.input.packed
            ? new PackedSequence(leaf, c.input.batchSizes, int64(c.input.sortedIndices), int64(c.input.unsortedIndices))
            : leaf;
          const hx: T[] | null = c.hx ? c.hx.map((h: Enc) => fromFixture(h, false)) : null;
          if (c.seed !== null) torch.manualSeed(c.seed);
          const lstm = c.ctor === 'LSTM';
          const run = (): [T | PackedSequence, T | [T, T]] => (m as any).forward(input, lstm ? hx : hx?.[0]);
          const [out, hidden] = mode === 'noGrad' ? torch.noGrad(run) : run();
          const outT = out instanceof PackedSequence ? out.data : out;
          const states = lstm ? (hidden as [T, T]) : [hidden as T];
          const [atol, rtol] = outT.dtype === 'float64' ? [1e-10, 1e-8] : [1e-5, 1e-4];
          expectClose(outT, c.outputs.output, atol, rtol);
          expectClose(states[0]!, c.outputs.hN, atol, rtol);
          if (lstm) expectClose(states[1]!, c.outputs.cN, atol, rtol);
          for (const t of [outT, ...states]) {
            expect(t.requiresGrad).toBe(false);
            expect(t.gradFn).toBeNull();
          }
        });
      }
    }
  });

  describe('cells vs PyTorch (fixtures)', () => {
    for (const c of fx.cells as any[]) {
      it(c.name, () => {
        const m = build(c.ctor, c.args, c.options) as AnyCell;
        expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.stateDict));
        m.loadStateDict(decodeDict(c.stateDict));
        const x = fromFixture(c.input, true);
        const hx: T[] | null = c.hx ? c.hx.map((h: Enc) => fromFixture(h, true)) : null;
        const lstm = c.ctor === 'LSTMCell';
        const res = (m as any).forward(x, lstm ? hx : hx?.[0]) as T | [T, T];
        const outs = lstm ? (res as [T, T]) : [res as T];
        const f64 = x.dtype === 'float64';
        let loss: T | null = null;
        outs.forEach((o, i) => {
          expectClose(o, c.outputs[i], f64 ? 1e-10 : 1e-6, f64 ? 1e-8 : 1e-5);
          const term = o.mul(fromFixture(c.w[i])).sum();
          loss = loss ? loss.add(term) : term;
        });
        loss!.backward();
        const params = new Map(m.namedParameters());
        for (const [k, g] of Object.entries(c.grads as Record<string, Enc>)) {
          const t = k === 'input' ? x : k === 'h0' ? hx![0] : k === 'c0' ? hx![1] : params.get(k);
          expect(t?.grad, `grad of ${k}`).toBeTruthy();
          expectClose(t!.grad!, g, f64 ? 1e-10 : 1e-5, f64 ? 1e-8 : 1e-4);
        }
      });
    }
  });

  // ----------------------------------------------------------------------------------------------
  // Seed parity of init
  // ----------------------------------------------------------------------------------------------

  describe('init: torch.manualSeed(s) gives PyTorch weights bit for bit', () => {
    for (const c of fx.init as any[]) {
      it(c.name, () => {
        torch.manualSeed(c.seed);
        const m = build(c.ctor, c.args, c.options);
        expect(Object.keys(m.stateDict())).toEqual(c.keys);
        const sd = m.stateDict();
        for (const k of c.keys as string[]) expectBitExact(sd[k]!, c.stateDict[k]);
      });
    }
  });

  // ----------------------------------------------------------------------------------------------
  // Errors and reprs
  // ----------------------------------------------------------------------------------------------

  function zerosOf(spec: { shape: number[]; dtype?: torch.DType }): T {
    return torch.zeros(spec.shape, { dtype: spec.dtype ?? 'float32' });
  }

  function runSpec(spec: any): unknown {
    const m = build(spec.ctor, spec.args, spec.options ?? {});
    if (spec.input === undefined) return m;
    const inp = spec.input;
    const x = inp.lengths ? packPaddedSequence(zerosOf(inp), inp.lengths, { enforceSorted: inp.enforceSorted ?? true }) : zerosOf(inp);
    const hx = spec.hx === undefined || spec.hx === null ? null : Array.isArray(spec.hx) ? spec.hx.map(zerosOf) : zerosOf(spec.hx);
    return (m as any).forward(x, hx);
  }

  describe('errors: PyTorch messages', () => {
    for (const e of fx.errors as any[]) {
      it(`${e.name}: ${e.expected}`, () => {
        // The class is PyTorch 1.13's where the message is; newer-wording cases note it.
        expectError(() => runSpec(e), e.expected, e.expected === e.error.message ? e.error.type : undefined);
      });
    }
  });

  describe('toString like PyTorch', () => {
    for (const r of fx.reprs as any[]) {
      it(r.repr, () => {
        expect(String(build(r.ctor, r.args, r.options))).toBe(r.repr);
      });
    }
    it('nested in a model', () => {
      const seq = new nn.Sequential(new nn.LSTM(64, 128, 2, { batchFirst: true }), new nn.Linear(128, 10));
      expect(String(seq)).toBe(fx.nestedRepr);
    });
    it('reflects dropout changed after construction', () => {
      const lstm = new nn.LSTM(64, 128, 2);
      lstm.dropout = 0.25;
      expect(String(lstm)).toBe('LSTM(64, 128, num_layers=2, dropout=0.25)');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Dropout placement (PyTorch's test_RNN_dropout idea: all-ones weights, relu)
  // ----------------------------------------------------------------------------------------------

  describe('dropout placement and scaling', () => {
    for (const p of [0, 0.276, 0.731, 1]) {
      for (const train of [true, false]) {
        it(`p=${p} train=${train}`, () => {
          torch.manualSeed(123);
          const rnn = new nn.RNN(10, 1000, 2, { bias: false, dropout: p, nonlinearity: 'relu' });
          torch.noGrad(() => {
            for (const w of rnn.parameters()) w.fill_(1);
          });
          rnn.train(train);
          const [out, hy] = rnn.forward(torch.ones(1, 1, 10), torch.zeros(2, 1, 1000));
          const o = Array.from(out.dataSync());
          // Every unit of layer 1 sums the same dropped layer-0 output, so all are equal.
          expect(new Set(o).size).toBe(1);
          // Layer 0's state is taken before dropout; layer 1's is the output.
          expect(Array.from(hy.select(0, 0).dataSync()).every((v) => v === 10)).toBe(true);
          expect(Array.from(hy.select(0, 1).dataSync())).toEqual(o);
          if (p === 0 || !train) expect(o[0]).toBe(10000);
          else if (p === 1) expect(o[0]).toBe(0);
          else {
            const kept = o[0]! / (10 / (1 - p)); // kept units, scaled by 1/(1-p)
            expect(Math.abs(kept - Math.round(kept))).toBeLessThan(1e-2);
            expect(Math.abs(kept - (1 - p) * 1000)).toBeLessThan(100);
          }
        });
      }
    }

    it('dropout can be changed after construction and only acts in training', () => {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(3, 4, 2);
      const x = torch.randn(5, 2, 3);
      const [ref] = lstm.forward(x);
      lstm.dropout = 0.5;
      torch.manualSeed(1);
      const [dropped] = lstm.forward(x);
      expect(Array.from(dropped.dataSync())).not.toEqual(Array.from(ref.dataSync()));
      lstm.eval();
      const [evalOut] = lstm.forward(x);
      expect(Array.from(evalOut.dataSync())).toEqual(Array.from(ref.dataSync()));
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Finite differences in float64
  // ----------------------------------------------------------------------------------------------

  describe('gradcheck (float64)', () => {
    const opts = { dtype: 'float64' as const };
    it('2-layer bidirectional LSTM with projSize, batch-first, given state', () => {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, projSize: 2, batchFirst: true, dtype: 'float64' });
      const x = torch.randn(2, 3, 2, { ...opts, requiresGrad: true });
      const h0 = torch.randn(4, 2, 2, { ...opts, requiresGrad: true });
      const c0 = torch.randn(4, 2, 3, { ...opts, requiresGrad: true });
      const fn = (xi: T, h: T, c: T): T[] => {
        const [y, [hN, cN]] = lstm.forward(xi, [h, c]);
        return [y, hN, cN];
      };
      expect(torch.autograd.gradcheck(fn as any, [x, h0, c0, ...lstm.parameters()])).toBe(true);
    });

    it('LSTM on packed unsorted input (bidirectional, 2 layers)', () => {
      torch.manualSeed(1);
      const lstm = new nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, dtype: 'float64' });
      const padded = torch.randn(3, 3, 2, opts);
      const base = packPaddedSequence(padded, [2, 3, 1], { enforceSorted: false });
      const data = base.data.detach().requiresGrad_();
      const h0 = torch.randn(4, 3, 3, { ...opts, requiresGrad: true });
      const c0 = torch.randn(4, 3, 3, { ...opts, requiresGrad: true });
      const fn = (d: T, h: T, c: T): T[] => {
        const ps = new PackedSequence(d, base.batchSizes, base.sortedIndices, base.unsortedIndices);
        const [y, [hN, cN]] = lstm.forward(ps, [h, c]);
        return [y.data, hN, cN];
      };
      expect(torch.autograd.gradcheck(fn as any, [data, h0, c0, ...lstm.parameters()])).toBe(true);
    });

    for (const [kind, mk] of [
      ['GRU', () => new nn.GRU(2, 3, { numLayers: 2, bidirectional: true, dtype: 'float64' })],
      ['RNN relu', () => new nn.RNN(2, 3, { numLayers: 2, nonlinearity: 'relu', dtype: 'float64' })],
    ] as const) {
      it(`${kind} on packed unsorted input`, () => {
        torch.manualSeed(2);
        const m = mk();
        const D = m.bidirectional ? 2 : 1;
        const base = packPaddedSequence(torch.randn(3, 3, 2, opts), [1, 3, 2], { enforceSorted: false });
        const data = base.data.detach().requiresGrad_();
        const h0 = torch.randn(2 * D, 3, 3, { ...opts, requiresGrad: true });
        const fn = (d: T, h: T): T[] => {
          const [y, hN] = m.forward(new PackedSequence(d, base.batchSizes, base.sortedIndices, base.unsortedIndices), h);
          return [y.data, hN];
        };
        expect(torch.autograd.gradcheck(fn as any, [data, h0, ...m.parameters()])).toBe(true);
      });
    }

    it('cells (batched and unbatched)', () => {
      torch.manualSeed(3);
      const lc = new nn.LSTMCell(2, 3, opts);
      const gc = new nn.GRUCell(2, 3, opts);
      const rc = new nn.RNNCell(2, 3, { ...opts, nonlinearity: 'tanh' });
      const x = torch.randn(2, 2, { ...opts, requiresGrad: true });
      const h = torch.randn(2, 3, { ...opts, requiresGrad: true });
      const c = torch.randn(2, 3, { ...opts, requiresGrad: true });
      expect(torch.autograd.gradcheck(((a: T, b: T, d: T) => lc.forward(a, [b, d])) as any, [x, h, c, ...lc.parameters()])).toBe(true);
      expect(torch.autograd.gradcheck(((a: T, b: T) => gc.forward(a, b)) as any, [x, h, ...gc.parameters()])).toBe(true);
      expect(torch.autograd.gradcheck(((a: T, b: T) => rc.forward(a, b)) as any, [x, h, ...rc.parameters()])).toBe(true);
      const x1 = torch.randn(2, { ...opts, requiresGrad: true });
      const h1 = torch.randn(3, { ...opts, requiresGrad: true });
      expect(torch.autograd.gradcheck(((a: T, b: T) => gc.forward(a, b)) as any, [x1, h1])).toBe(true);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // API details
  // ----------------------------------------------------------------------------------------------

  describe('API', () => {
    it('both constructor forms; parameter names, shapes and accessors', () => {
      const a = new nn.LSTM(10, 20, 2, { batchFirst: true, projSize: 5, bidirectional: true });
      const b = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true, projSize: 5, bidirectional: true });
      expect(String(a)).toBe(String(b));
      expect(a.flatWeightsNames.slice(0, 6)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0', 'weight_ih_l0_reverse']);
      expect(a.weight_ih_l1.shape).toEqual([80, 10]);
      expect(a.weight_hh_l1_reverse.shape).toEqual([80, 5]);
      expect(a.weight_hr_l1.shape).toEqual([5, 20]);
      expect(a.allWeights.length).toBe(4);
      expect(a.allWeights[1]![0]).toBe(a.weight_ih_l0_reverse);
      expect(a.flatWeights.length).toBe(20);
      a.flattenParameters();
      expect(() => new nn.LSTM(10, 20, 2, { numLayers: 3 })).toThrow(TypeError);
      expect(() => new nn.LSTM(10, 20, { batch_first: true } as any)).toThrow(/unexpected option 'batch_first'/);
      expect(() => new nn.LSTM(10, 20, { bias: 1 } as any)).toThrow('bias should be of type bool, got: int');
      expect(() => new nn.LSTM(10.5, 20)).toThrow('input_size should be of type int, got: float');
      expect(() => new nn.GRU(0, 20)).toThrow('input_size must be greater than zero');
      const rnn = new nn.RNN(3, 4, { nonlinearity: 'relu' });
      expect(rnn.mode).toBe('RNN_RELU');
      expect(rnn.nonlinearity).toBe('relu');
    });

    it('reassigned parameters and dtype conversion are used by forward', () => {
      torch.manualSeed(0);
      const gru = new nn.GRU(3, 4);
      const x = torch.randn(2, 1, 3);
      gru.weight_ih_l0 = new nn.Parameter(torch.zeros(12, 3));
      gru.weight_hh_l0 = new nn.Parameter(torch.zeros(12, 4));
      gru.bias_ih_l0 = new nn.Parameter(torch.zeros(12));
      gru.bias_hh_l0 = new nn.Parameter(torch.zeros(12));
      const [y] = gru.forward(x);
      expect(Array.from(y.dataSync()).every((v) => v === 0)).toBe(true); // n = 0, z = 0.5, h stays 0
      expect(gru.flatWeights[0]).toBe(gru.weight_ih_l0);
      gru.to('float64');
      const [y64] = gru.forward(x.to('float64'));
      expect(y64.dtype).toBe('float64');
    });

    it("a subclass's checks and weights are used, with and without a graph", () => {
      torch.manualSeed(3);
      const calls: string[] = [];
      // Ties the reverse direction to the forward one's weights, and counts the checks.
      class Tied extends nn.LSTM {
        override get flatWeights() {
          const w = super.flatWeights;
          return [...w.slice(0, 4), ...w.slice(0, 4)];
        }

        protected override checkInput(input: T, batchSizes: readonly number[] | null): void {
          calls.push('checkInput');
          super.checkInput(input, batchSizes);
        }

        protected override expectedHiddenSize(input: T, batchSizes: readonly number[] | null): number[] {
          calls.push('expectedHiddenSize');
          return super.expectedHiddenSize(input, batchSizes);
        }
      }
      const tied = new Tied(3, 4, { bidirectional: true });
      const plain = new nn.LSTM(3, 4, { bidirectional: true });
      plain.loadStateDict(tied.stateDict());
      for (const n of ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'] as const) {
        torch.noGrad(() => plain[`${n}_reverse`].copy_(tied[n]));
      }
      const x = torch.randn(5, 2, 3);
      for (const graph of [false, true]) {
        calls.length = 0;
        const run = (m: torch.nn.LSTM) => (graph ? m.forward(x) : torch.noGrad(() => m.forward(x)));
        const [y, [h, c]] = run(tied);
        const [yRef, [hRef, cRef]] = run(plain);
        expect(calls).toEqual(['expectedHiddenSize', 'checkInput', 'expectedHiddenSize']);
        expect(y.requiresGrad).toBe(graph);
        for (const [a, b] of [[y, yRef], [h, hRef], [c, cRef]] as const) expectClose(a, b, 0, 0);
      }
    });

    it('state and input argument checks for JS callers', () => {
      const lstm = new nn.LSTM(3, 4);
      const x = torch.zeros(2, 1, 3);
      expect(() => lstm.forward(x, torch.zeros(1, 1, 4) as any)).toThrow(TypeError);
      expect(() => lstm.forward([1, 2] as any)).toThrow(TypeError);
      expect(() => new nn.LSTMCell(3, 4).forward(torch.zeros(1, 3), torch.zeros(1, 4) as any)).toThrow(TypeError);
    });

    it('batch size 0 runs; unbatched output shapes', () => {
      const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 });
      const [y, [h, c]] = lstm.forward(torch.zeros(5, 0, 3));
      expect([y.shape, h.shape, c.shape]).toEqual([[5, 0, 4], [4, 0, 2], [4, 0, 4]]);
      const [yu, [hu, cu]] = lstm.forward(torch.zeros(5, 3));
      expect([yu.shape, hu.shape, cu.shape]).toEqual([[5, 4], [4, 2], [4, 4]]);
      const gru = new nn.GRU(3, 4, { batchFirst: true });
      const [yb, hb] = gru.forward(torch.zeros(2, 5, 3));
      expect([yb.shape, hb.shape]).toEqual([[2, 5, 4], [1, 2, 4]]);
    });

    it('validates PackedSequence input (torchlet only)', () => {
      const lstm = new nn.LSTM(3, 4);
      const mk = (): PackedSequence => packPaddedSequence(torch.zeros(3, 2, 3), [3, 2], { enforceSorted: false });
      let ps = mk();
      ps.batchSizes.fill_(2);
      expectError(() => lstm.forward(ps), 'LSTM: invalid PackedSequence: data has 5 rows but batch_sizes sum to 6');
      ps = mk();
      ps.batchSizes.copy_(torch.tensor([1, 2, 2], { dtype: 'int64' }));
      expectError(() => lstm.forward(ps), 'LSTM: invalid PackedSequence: batch_sizes must be non-increasing, got 1 then 2 at step 1');
      ps = mk();
      ps.sortedIndices!.fill_(0);
      expectError(() => lstm.forward(ps), 'LSTM: invalid PackedSequence: sorted_indices is not a permutation of 0..1');
      ps = mk();
      ps.unsortedIndices!.copy_(torch.tensor([1, 0], { dtype: 'int64' }));
      ps.sortedIndices!.copy_(torch.tensor([0, 1], { dtype: 'int64' }));
      expectError(() => lstm.forward(ps), 'LSTM: invalid PackedSequence: unsorted_indices is not the inverse of sorted_indices');
      // A state whose batch is larger than the packed batch is rejected before the permutation.
      ps = mk();
      expectError(() => lstm.forward(ps, [torch.zeros(1, 3, 4), torch.zeros(1, 3, 4)]), 'Expected hidden[0] size (1, 2, 4), got [1, 3, 4]');
    });

    it('packed output equals the padded run per sequence (enforceSorted false, given state)', () => {
      torch.manualSeed(4);
      const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
      const x = torch.randn(4, 3, 3);
      const lengths = [2, 4, 3];
      const h0 = torch.randn(4, 3, 4);
      const c0 = torch.randn(4, 3, 4);
      const [out, [hN, cN]] = lstm.forward(packPaddedSequence(x, lengths, { enforceSorted: false }), [h0, c0]);
      const [padded] = nn.utils.rnn.padPackedSequence(out);
      for (let b = 0; b < 3; b++) {
        const xb = x.narrow(1, b, 1).narrow(0, 0, lengths[b]!);
        const [yb, [hb, cb]] = lstm.forward(xb, [h0.narrow(1, b, 1), c0.narrow(1, b, 1)]);
        expectClose(padded.narrow(1, b, 1).narrow(0, 0, lengths[b]!), yb, 1e-6, 1e-5);
        expectClose(hN.narrow(1, b, 1), hb, 1e-6, 1e-5);
        expectClose(cN.narrow(1, b, 1), cb, 1e-6, 1e-5);
      }
    });
  });
});
