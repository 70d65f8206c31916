// nn.utils.weightNorm / removeWeightNorm, nn.utils.prune and PackedSequence.to against PyTorch
// fixtures (tools/fixtures/gen_nn_utils_params.py): state_dict keys and values, outputs and
// gradients through the recomputed weights (recurrent layers included), the weight recomputed
// after its parameters change, masks (seeded random draws, ties, repeated pruning), exact errors.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { PackedSequence } from '../../src/nn/utils/rnn.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { decodeDict, type Enc } from './helpers.js';

const { nn } = torch;
const { prune } = nn.utils;
type T = torch.Tensor;
const fx = loadFixture('nn_utils_params');

type Spec = [string, number[], Record<string, unknown>];

function build([ctor, args, opts]: Spec): torch.nn.Module {
  const C = { Linear: nn.Linear, LSTM: nn.LSTM, GRU: nn.GRU, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell }[ctor];
  if (!C) throw new Error(`unknown module ${ctor}`);
  return new (C as new (a: number, b: number, o: unknown) => torch.nn.Module)(args[0]!, args[1]!, opts);
}

/** The module called as PyTorch calls it (hooks run); the first output of a recurrent layer or LSTMCell. */
function call(m: torch.nn.Module, ctor: string, x: T): T {
  const out = (m as unknown as (x: T) => unknown)(x);
  return ctor === 'Linear' || ctor === 'GRUCell' ? (out as T) : (out as T[])[0]!;
}

function tol(t: T): [number, number] {
  return t.dtype === 'float64' ? [1e-12, 1e-10] : [1e-6, 1e-5];
}

function expectStateDict(m: torch.nn.Module, expected: Record<string, Enc>): void {
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) expectClose(sd[k]!, v, ...tol(sd[k]!));
}

describe('normExceptDim and _weightNorm vs PyTorch', () => {
  for (const c of fx.normExceptDim as any[]) {
    it(`shape [${c.shape}] dim ${c.dim}`, () => {
      const v = fromFixture(c.v);
      expectClose(torch.normExceptDim(v, 2, c.dim), c.norm, 1e-14, 1e-13);
      expectClose(torch._weightNorm(v, fromFixture(c.g), c.dim), c.w, 1e-14, 1e-13);
    });
  }
});

describe('nn.utils.weightNorm vs PyTorch', () => {
  for (const c of fx.weightNorm as any[]) {
    const [ctor] = c.module as Spec;
    it(`${ctor} ${JSON.stringify(c.module[2])} '${c.name}' dim ${c.dim}`, () => {
      const m = build(c.module);
      m.loadStateDict(decodeDict(c.stateDictBefore));
      expect(nn.utils.weightNorm(m, c.name, c.dim)).toBe(m);
      expect(m.namedParameters().map(([k]) => k)).toEqual(c.paramNames);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expectStateDict(m, c.stateDict);
      const x = fromFixture(c.x);
      const out = call(m, ctor, x);
      expectClose(out, c.output, ...tol(out));
      out.mul(fromFixture(c.w)).sum().backward();
      for (const [k, p] of m.namedParameters()) expectClose(p.grad!, c.grads[k], ...tol(p));
      // the pre-hook recomputes the weight from the changed g and v at the next call
      const attrs = m as unknown as Record<string, T>;
      torch.noGrad(() => {
        attrs[`${c.name}_v`]!.mul_(1.5).add_(0.25);
        attrs[`${c.name}_g`]!.mul_(0.5);
      });
      expectClose(call(m, ctor, x), c.outputAfterUpdate, ...tol(out));
      expect(nn.utils.removeWeightNorm(m, c.name)).toBe(m);
      expect(attrs[c.name]).toBeInstanceOf(nn.Parameter);
      expectStateDict(m, c.stateDictAfterRemove);
      expect(Object.keys(m.stateDict())).toEqual(c.keysAfterRemove);
    });
  }

  it('the recurrent layer reads the recomputed weight only through the call (forward alone skips hooks, as in PyTorch)', () => {
    torch.manualSeed(0);
    const lstm = nn.utils.weightNorm(new nn.LSTM(2, 3), 'weight_hh_l0');
    const x = torch.randn(2, 1, 2);
    const before = lstm(x)[0];
    torch.noGrad(() => lstm.weight_hh_l0_g.mul_(2));
    expectClose(lstm.forward(x)[0], before, 0, 0); // the attribute is still the weight of the last call
    const after = lstm(x)[0];
    expect(after.sub(before).abs().max().item()).toBeGreaterThan(1e-3);
    expectClose(lstm.forward(x)[0], after, 0, 0);
  });
});

describe('nn.utils.prune vs PyTorch', () => {
  for (const c of fx.prune as any[]) {
    const [ctor] = c.module as Spec;
    const label = c.steps.map((s: any) => `${s.kind} ${s.name} ${s.amount}`).join(', ');
    it(`${ctor}: ${label}`, () => {
      const m = build(c.module);
      m.loadStateDict(decodeDict(c.stateDictBefore));
      const attrs = m as unknown as Record<string, T>;
      for (const s of c.steps) {
        if (s.float && Number.isInteger(s.amount)) throw new Error('a float amount that is a whole number has no torchlet spelling');
        let r: torch.nn.Module;
        if (s.kind === 'l1' || s.kind === 'ties') r = prune.l1Unstructured(m, s.name, s.amount);
        else if (s.kind === 'random') {
          torch.manualSeed(s.seed);
          r = prune.randomUnstructured(m, s.name, s.amount);
        } else if (s.kind === 'identity') r = prune.identity(m, s.name);
        else r = prune.customFromMask(m, s.name, torch.tensor(s.amount, { dtype: 'int64' }));
        expect(r).toBe(m);
        expectClose(attrs[`${s.name}_mask`]!, s.mask, 0, 0);
      }
      expect(prune.isPruned(m)).toBe(c.isPruned);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expectStateDict(m, c.stateDict);
      const out = call(m, ctor, fromFixture(c.x));
      expectClose(out, c.output, ...tol(out));
      out.mul(fromFixture(c.w)).sum().backward();
      for (const [k, p] of m.namedParameters()) expectClose(p.grad!, c.grads[k], ...tol(p));
      for (const name of c.removed) expect(prune.remove(m, name)).toBe(m);
      expect(prune.isPruned(m)).toBe(c.isPrunedAfterRemove);
      expect(Object.keys(m.stateDict())).toEqual(c.keysAfterRemove);
      expectStateDict(m, c.stateDictAfterRemove);
    });
  }

  it('repeated pruning keeps one hook (a PruningContainer) and isPruned sees submodules', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
    const fc = model.get(0) as torch.nn.Linear;
    prune.l1Unstructured(fc, 'weight', 0.3);
    prune.l1Unstructured(fc, 'weight', 0.3);
    expect(fc._forwardPreHooks.size).toBe(1);
    expect(prune.isPruned(model)).toBe(true);
    prune.remove(fc, 'weight');
    expect(prune.isPruned(model)).toBe(false);
    expect(fc._forwardPreHooks.size).toBe(0);
  });

  it('the pruned weight is recomputed before each call from weight_orig', () => {
    const fc = prune.l1Unstructured(new nn.Linear(3, 2), 'weight', 2);
    const x = torch.ones(1, 3);
    torch.noGrad(() => (fc as unknown as Record<string, T>)['weight_orig']!.fill_(1));
    // 4 of 6 entries kept: each output is the number of kept entries in its row
    expect(fc(x).sub(fc.bias!).sum().item()).toBe(4);
  });
});

describe('errors as PyTorch', () => {
  const run: Record<string, () => unknown> = {
    'weight norm twice': () => nn.utils.weightNorm(nn.utils.weightNorm(new nn.Linear(2, 3))),
    'remove weight norm not applied': () => nn.utils.removeWeightNorm(new nn.Linear(2, 3)),
    'weight norm of a missing attribute': () => nn.utils.weightNorm(new nn.Linear(2, 3), 'foo'),
    'amount negative int': () => prune.l1Unstructured(new nn.Linear(2, 3), 'weight', -1),
    'amount above one': () => prune.l1Unstructured(new nn.Linear(2, 3), 'weight', 1.5),
    'amount negative fraction': () => prune.randomUnstructured(new nn.Linear(2, 3), 'weight', -0.25),
    'amount too large': () => prune.l1Unstructured(new nn.Linear(2, 3), 'weight', 7),
    'amount of a wrong type': () => prune.l1Unstructured(new nn.Linear(2, 3), 'weight', 'half' as unknown as number),
    'remove not pruned': () => prune.remove(new nn.Linear(2, 3), 'weight'),
    'prune a missing attribute': () => prune.l1Unstructured(new nn.Linear(2, 3), 'foo', 1),
    'importance scores of another shape': () => prune.l1Unstructured(new nn.Linear(2, 3), 'weight', 1, { importanceScores: torch.ones(2) }),
  };
  for (const e of fx.errors as any[]) {
    it(e.label, () => {
      expect(run[e.label], e.label).toBeDefined();
      expectError(run[e.label]!, e);
    });
  }

  it('a failed pruning puts the parameter back (registered last) and leaves no hook', () => {
    const m = new nn.Linear(2, 3);
    expectError(() => prune.l1Unstructured(m, 'weight', 7), fx.afterError.error);
    expect(Object.keys(m.stateDict())).toEqual(fx.afterError.keys);
    expect(prune.isPruned(m)).toBe(fx.afterError.isPruned);
    expect(m.weight).toBeInstanceOf(nn.Parameter);
  });
});

describe('PackedSequence.to and its casts vs PyTorch', () => {
  const p = fx.packedTo;
  const make = () =>
    new PackedSequence(fromFixture(p.data), p.batchSizes, torch.tensor(p.sortedIndices, { dtype: 'int64' }), torch.tensor(p.unsortedIndices, { dtype: 'int64' }));
  const run: Record<string, (ps: PackedSequence) => PackedSequence> = {
    double: (ps) => ps.double(),
    float: (ps) => ps.float(),
    long: (ps) => ps.long(),
    int: (ps) => ps.int(),
    half: (ps) => ps.half(),
    short: (ps) => ps.short(),
    char: (ps) => ps.char(),
    byte: (ps) => ps.byte(),
    'to float64': (ps) => ps.to('float64'),
    'to cpu': (ps) => ps.to('cpu'),
    cpu: (ps) => ps.cpu(),
    'to float32 copy': (ps) => ps.to('float32', { copy: true }),
    'to tensor': (ps) => ps.to(torch.zeros(1, { dtype: 'float64' })),
    'to device and dtype': (ps) => ps.to(torch.device('cpu'), 'float64'),
  };
  for (const r of p.results as any[]) {
    it(r.label, () => {
      const ps = make();
      const out = run[r.label]!(ps);
      expect(out === ps).toBe(r.same);
      expect(out).toBeInstanceOf(PackedSequence);
      expect(out.data === ps.data).toBe(r.dataIsSame);
      expect(out.batchSizes === ps.batchSizes).toBe(r.batchSizesSame);
      expect(out.sortedIndices === ps.sortedIndices).toBe(r.sortedIndicesSame);
      expect(out.sortedIndices!.dtype).toBe(r.sortedIndicesDtype);
      expect(out.sortedIndices!.tolist()).toEqual(r.sortedIndices);
      expect(out.data.dtype).toBe(r.dataDtype);
      expectClose(out.data.to(r.data.dtype), r.data, 0, 0);
    });
  }

  it('cuda() without CUDA', () => {
    expectError(() => make().cuda(), p.cudaError);
  });
});
