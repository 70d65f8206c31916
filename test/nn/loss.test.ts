// Losses against PyTorch fixtures (tools/fixtures/gen_loss.py): values, input and target gradients,
// double backward, exact errors, module wrappers, and float64 gradcheck.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { routine } from '../../src/backends/routine.js';
import * as F from '../../src/nn/functional-loss.js';
import { Module } from '../../src/nn/module.js';
import * as L from '../../src/nn/modules/loss.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Fn = keyof typeof F.functional;

interface LossCase {
  name: string;
  fn: Fn;
  options: Record<string, unknown>;
  inputs: Record<string, any>;
  out?: any;
  w?: any;
  grads?: { input?: any; target?: any };
  v?: any;
  gradInput?: any;
  doubleGrad?: any;
  warning?: string;
  gradcheck?: boolean;
  requires?: string[];
  error?: { type: string; message: string };
}

const fx = loadFixture<{
  cases: LossCase[];
  modules: { ctor: string; options: Record<string, any>; repr: string; stateDictKeys: string[]; attrs: Record<string, unknown> }[];
  moduleError: { type: string; message: string };
  moduleNames: Record<Fn, string>;
}>('loss');

const MODULES: Record<string, new (o?: any) => L.Loss> = {
  MSELoss: L.MSELoss,
  L1Loss: L.L1Loss,
  SmoothL1Loss: L.SmoothL1Loss,
  HuberLoss: L.HuberLoss,
  CrossEntropyLoss: L.CrossEntropyLoss,
  NLLLoss: L.NLLLoss,
  BCELoss: L.BCELoss,
  BCEWithLogitsLoss: L.BCEWithLogitsLoss,
  KLDivLoss: L.KLDivLoss,
};

function call(fn: Fn, x: T, t: T, opts: Record<string, unknown>): T {
  return (F.functional[fn] as (x: T, t: T, o: object) => T)(x, t, opts);
}

/** Inputs and options of a case; `grad` lists the inputs that require grad. */
function setup(c: LossCase, grad: readonly string[]): { x: T; t: T; opts: Record<string, unknown> } {
  const x = fromFixture(c.inputs.input, grad.includes('input'));
  const t = fromFixture(c.inputs.target, grad.includes('target'));
  const opts: Record<string, unknown> = { ...c.options };
  for (const k of ['beta', 'delta', 'labelSmoothing']) if (opts[k] === 'nan') opts[k] = NaN;
  for (const k of ['weight', 'posWeight']) if (c.inputs[k]) opts[k] = fromFixture(c.inputs[k], grad.includes(k));
  return { x, t, opts };
}

/** float64 tolerances only when every floating input is float64 (PyTorch computes in the input's precision). */
function tol(c: LossCase): [number, number] {
  const all64 = Object.values(c.inputs).every((t: any) => t.dtype !== 'float32');
  return all64 && c.out.dtype === 'float64' ? [1e-10, 1e-8] : [1e-5, 1e-4];
}

describe('broadcasting warning (PyTorch warns, then broadcasts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('mseLoss warns once with PyTorch text and broadcasts', () => {
    const c = fx.cases.find((k) => k.name === 'mseLoss broadcast torch.float32')!;
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { x, t } = setup(c, []);
    expectClose(F.mseLoss(x, t), c.out);
    F.mseLoss(x, t);
    F.l1Loss(x, t);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toBe(`UserWarning: ${c.warning}`);
  });

  it("klDiv warns once about reduction 'mean' (the default)", () => {
    const c = fx.cases.find((k) => k.name === 'klDiv mean torch.float32')!;
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { x, t } = setup(c, []);
    expectClose(F.klDiv(x, t), c.out);
    F.klDiv(x, t, { reduction: 'mean' });
    F.klDiv(x, t, { reduction: 'batchmean' });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toBe(`UserWarning: ${c.warning}`);
  });
});

describe(`losses match torch`, () => {
  afterEach(() => vi.restoreAllMocks());

  it('has the fixture cases', () => {
    expect(fx.cases.length).toBeGreaterThan(300);
  });

  for (const c of fx.cases) {
    if (c.error) {
      it(`${c.name} throws`, () => {
        const { x, t, opts } = setup(c, c.requires ?? []);
        let caught: unknown;
        try {
          call(c.fn, x, t, opts);
        } catch (e) {
          caught = e;
        }
        expect(caught, 'expected an error').toBeInstanceOf(Error);
        expect((caught as Error).message).toBe(c.error!.message);
        expect((caught as Error).name).toBe(c.error!.type);
      });
      continue;
    }
    it(c.name, () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const gradKeys = c.grads ? Object.keys(c.grads) : c.doubleGrad ? ['input'] : [];
      const { x, t, opts } = setup(c, gradKeys);
      const out = call(c.fn, x, t, opts);
      const [atol, rtol] = tol(c);
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, atol, rtol);

      // The module form computes the same thing.
      const M = MODULES[fx.moduleNames[c.fn]]!;
      const m = new M(opts);
      expectClose(m.forward(x, t), c.out, atol, rtol);

      if (c.grads) {
        out.mul(fromFixture(c.w)).sum().backward();
        if (c.grads.input) expectClose(x.grad!, c.grads.input, atol, rtol);
        if (c.grads.target) expectClose(t.grad!, c.grads.target, atol, rtol);
        // With createGraph the backward takes the composite (differentiable) path: same numbers.
        const ins = gradKeys.map((k) => (k === 'input' ? x : t));
        const again = call(c.fn, x, t, opts).mul(fromFixture(c.w)).sum();
        const gs = torch.autograd.grad(again, ins, { createGraph: true });
        gradKeys.forEach((k, i) => expectClose(gs[i]!, (c.grads as any)[k], atol, rtol));
      }
      if (c.doubleGrad) {
        const [gx] = torch.autograd.grad(out.mul(fromFixture(c.w)).sum(), [x], { createGraph: true });
        expectClose(gx!, c.gradInput, atol, rtol);
        if (gx!.requiresGrad) {
          gx!.mul(fromFixture(c.v)).sum().backward();
          expectClose(x.grad!, c.doubleGrad, atol, rtol);
        } else {
          // The gradient does not depend on the input (NLL): PyTorch's second derivative is zero.
          expect(Array.from(fromFixture(c.doubleGrad).dataSync()).every((v) => v === 0)).toBe(true);
        }
      }
    });
  }
});

describe('float64 gradcheck of every loss', () => {
  afterEach(() => vi.restoreAllMocks());
  const checked = fx.cases.filter((c) => !c.error && c.gradcheck && (c.grads || c.doubleGrad));
  it('covers every loss', () => {
    expect(new Set(checked.map((c) => c.fn))).toEqual(new Set(Object.keys(F.functional)));
  });
  for (const c of checked) {
    it(c.name, () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const gradKeys = c.grads ? Object.keys(c.grads) : ['input'];
      const { x, t, opts } = setup(c, gradKeys);
      expect(gradcheck((a, b) => call(c.fn, a!, b!, opts), [x, t])).toBe(true);
    });
  }
});

describe('large logits stay finite (fused, max-subtracted)', () => {
  it('crossEntropy at ±1e4 in float32 gives finite values and gradients', () => {
    const x = torch.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]], { dtype: 'float32', requiresGrad: true });
    const loss = F.crossEntropy(x, torch.tensor([1, 0]), { labelSmoothing: 0.1 });
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });
  it('binaryCrossEntropyWithLogits at ±1e4 gives finite values and gradients', () => {
    const x = torch.tensor([1e4, -1e4, 1e4, -1e4], { dtype: 'float32', requiresGrad: true });
    const y = torch.tensor([0, 1, 1, 0], { dtype: 'float32' });
    const loss = F.binaryCrossEntropyWithLogits(x, y, { posWeight: torch.tensor([3], { dtype: 'float32' }) });
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('loss modules', () => {
  for (const m of fx.modules) {
    it(`${m.repr} ${JSON.stringify(m.options)}`, () => {
      const o: Record<string, unknown> = { ...m.options };
      for (const k of ['weight', 'posWeight']) if (o[k]) o[k] = torch.tensor(o[k] as number[], { dtype: 'float32' });
      const mod = new MODULES[m.ctor]!(o) as any;
      expect(String(mod)).toBe(m.repr);
      expect(Object.keys(mod.stateDict())).toEqual(m.stateDictKeys);
      const names: Record<string, string> = {
        reduction: 'reduction',
        ignore_index: 'ignoreIndex',
        label_smoothing: 'labelSmoothing',
        beta: 'beta',
        delta: 'delta',
        log_target: 'logTarget',
      };
      for (const [k, v] of Object.entries(m.attrs)) expect(mod[names[k]!]).toBe(v);
      expect(mod).toBeInstanceOf(Module);
    });
  }

  it('an invalid reduction is reported when the loss is computed', () => {
    const m = new L.MSELoss({ reduction: 'foo' as never });
    expect(() => m.forward(torch.rand(3), torch.rand(3))).toThrow(fx.moduleError.message);
  });

  it('weight buffers follow Module.to', () => {
    const m = new L.CrossEntropyLoss({ weight: torch.tensor([1, 2, 3], { dtype: 'float32' }) });
    m.to('float64');
    expect(m.weight!.dtype).toBe('float64');
    const loss = m.forward(torch.zeros([2, 3], { dtype: 'float64' }), torch.tensor([0, 2]));
    expect(loss.dtype).toBe('float64');
  });

  it('rejects a non-object options argument', () => {
    expect(() => new L.CrossEntropyLoss(3 as never)).toThrow(TypeError);
  });
});

describe('argument validation from untyped callers', () => {
  it('non-tensor inputs', () => {
    expect(() => F.crossEntropy(1 as never, torch.tensor([0]))).toThrow(
      "cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not int",
    );
    expect(() => F.crossEntropy(torch.rand(2, 3), torch.tensor([0, 1]), { weight: [1, 2, 3] as never })).toThrow(
      "cross_entropy_loss(): argument 'weight' (position 3) must be Tensor, not list",
    );
    expect(() => F.mseLoss(torch.rand(2), 1 as never)).toThrow(TypeError);
  });
  it('non-number beta / delta', () => {
    expect(() => F.smoothL1Loss(torch.rand(2), torch.rand(2), { beta: '1' as never })).toThrow(TypeError);
    expect(() => F.huberLoss(torch.rand(2), torch.rand(2), { delta: null as never })).toThrow(TypeError);
  });
});

describe('loss routines overwrite their outputs (no reliance on zeroed memory)', () => {
  // Each routine runs twice, into zeroed and into NaN-filled output arrays: the results must be
  // bit-identical, as a backend with reused (arena or GPU) buffers needs.
  const rnd = (n: number, lo = -3, hi = 3): Float64Array => Float64Array.from({ length: n }, (_, i) => lo + ((i * 7919) % 101) * ((hi - lo) / 100));
  const [N, C, S] = [3, 4, 2];
  const target = Float64Array.from([0, 3, -100, 1, 2, -100]); // [N*S] with two ignored samples
  const base = { N, C, S, target, weight: Float64Array.from([0.5, 1, 2, 1.5]), ignoreIndex: -100 };
  const grad = { reduction: 'none' as const, gy: rnd(N * S, 0.5, 2), divisor: 1 };

  function twice(run: (fill: number) => Float64Array[]): void {
    const a = run(0);
    const b = run(NaN);
    expect(b.map((x) => Array.from(x))).toEqual(a.map((x) => Array.from(x)));
  }
  const arr = (n: number, fill: number): Float64Array => new Float64Array(n).fill(fill);

  it('nll and cross-entropy (class indices)', () => {
    twice((f) => {
      const out = arr(N * S, f);
      routine('nllLossForward')({ ...base, x: rnd(N * C * S), reduction: 'none', out, totalWeight: arr(1, f), badTarget: arr(1, f) });
      const gx = arr(N * C * S, f);
      routine('nllLossBackward')({ ...base, ...grad, gx });
      return [out, gx];
    });
    twice((f) => {
      const out = arr(N * S, f);
      const probs = new Float64Array(N * C * S);
      const args = { ...base, x: rnd(N * C * S), labelSmoothing: 0.1, reduction: 'none' as const, out, probs };
      routine('crossEntropyForward')({ ...args, totalWeight: arr(1, f), badTarget: arr(1, f) });
      const gx = arr(N * C * S, f);
      routine('crossEntropyBackward')({ ...base, ...grad, labelSmoothing: 0.1, probs, gx });
      const scale = arr(N * S, f);
      const shift = arr(N * C * S, f);
      routine('crossEntropyGradCoefficients')({ ...base, labelSmoothing: 0.1, scale, shift });
      return [out, gx, scale, shift];
    });
  });

  it('cross-entropy (class probabilities) and the element-wise losses', () => {
    twice((f) => {
      const ops = { N, C, S, x: rnd(N * C * S), target: rnd(N * C * S, 0, 1), weight: base.weight, labelSmoothing: 0.2 };
      const out = arr(1, f);
      const lse = arr(N * S, f);
      routine('crossEntropyProbForward')({ ...ops, reduction: 'mean', out, lse });
      const [gx, gt, gw] = [arr(N * C * S, f), arr(N * C * S, f), arr(C, f)];
      routine('crossEntropyProbBackward')({ ...ops, ...grad, lse, gx, gt, gw });
      return [out, lse, gx, gt, gw];
    });
    for (const kind of ['mse', 'smooth_l1', 'huber', 'bce', 'bce_logits'] as const) {
      twice((f) => {
        const n = 7;
        const ops = { kind, n, p: 0.5, x: rnd(n, 0.05, 0.95), t: rnd(n, 0, 1), weight: rnd(n, 0.5, 2), posWeight: kind === 'bce_logits' ? rnd(n, 1, 3) : null };
        const [out, sum] = [arr(n, f), arr(1, f)];
        routine('elementwiseLossForward')({ ...ops, reduction: 'none', out });
        routine('elementwiseLossForward')({ ...ops, reduction: 'sum', out: sum, invalidInput: new Uint8Array(1).fill(7) });
        const [gx, gt] = [arr(n, f), arr(n, f)];
        routine('elementwiseLossBackward')({ ...ops, reduction: 'mean', gy: Float64Array.of(1.5), divisor: n, gx, gt });
        return [out, sum, gx, gt];
      });
    }
  });
});
