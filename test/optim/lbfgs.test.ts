/**
 * optim.LBFGS against PyTorch 1.13 (test/fixtures/lbfgs.json, from tools/fixtures/gen_lbfgs.py):
 * the loss each `step(closure)` returns, the parameters after it, `func_evals` / `n_iter`, the
 * number of closure calls, the state dict (PyTorch's keys in PyTorch's order), loading PyTorch's
 * state dict mid-run, and the errors.
 *
 * How close, and why:
 * - float64: the optimizer's own arithmetic is PyTorch's operation by operation (its dot products
 *   in OpenBLAS's order, its `add_(x, alpha)` fused), so the trajectories differ only by what the
 *   loss and its gradients differ by (matmul and sums in another order: an ulp or so), amplified
 *   over up to 80 iterations: within 1e-12 relative on every problem but the non-smooth one.
 * - float32, problems made only of single-rounding elementwise ops (Rosenbrock, |x - c|, linear):
 *   the gradients are PyTorch's bits, so the whole trajectory is bit for bit PyTorch's.
 * - float32 with matmuls, sums of more than two terms, or transcendental ops (linreg, logreg, the
 *   LSTM, the 6-d Rosenbrock): torchlet's float32 GEMM and sums accumulate in double where PyTorch
 *   accumulates in float (OpenBLAS's sgemm, cascade sums), and its float32 exp/tanh/sigmoid may
 *   differ from PyTorch's AVX2 ones by an ulp, so the gradients differ in their last bits. L-BFGS
 *   amplifies such differences (a Newton-like step divides by small curvatures), so these cases
 *   use a tolerance measured from the runs (stated per problem below) and few steps.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Value = Enc | number | null | Value[];
interface StateDict {
  state: Record<string, { keys: string[]; values: Record<string, Value> }>;
  param_groups: Record<string, unknown>[];
}
interface Step {
  loss: number;
  params: Enc[];
  funcEvals: number;
  nIter: number;
  closureCalls: number;
}
interface Case {
  name: string;
  problem: 'rosen' | 'rosen6' | 'abs' | 'abs2' | 'linear' | 'linreg' | 'logreg' | 'lstm';
  options: optim.LBFGSOptions;
  dtype: 'float32' | 'float64';
  steps: Step[];
  sdStep: number;
  midStateDict: StateDict;
  finalStateDict: StateDict;
}
interface Fixture {
  torch: string;
  cases: Case[];
  problems: Record<string, Record<string, Enc | number | Enc[]>>;
  errors: Record<'groups' | 'lineSearchFn' | 'noClosure', { type: string; message: string }>;
  defaultsMaxIter7: Record<string, unknown>;
}

const fx = loadFixture<Fixture>('lbfgs');

/** Problems made only of operations with one rounding each: torchlet's gradients are PyTorch's bits. */
const EXACT = new Set<Case['problem']>(['rosen', 'abs', 'abs2', 'linear']);

/**
 * Relative tolerances of a case: of the losses and parameters (relative to each tensor's largest
 * element), and of the state dict's values (relative to the largest element of each key's value).
 * 0 is bit for bit. The others are the largest differences measured on these runs rounded up to a
 * power of ten (float64: 3.5e-13 and 4e-11; float32: 2.6e-4 and 3e-2). The state's are looser
 * because near the optimum `d`, `al`, `ro` and the gradients are differences of nearly equal
 * gradients, made mostly of rounding.
 */
function tolerance(c: Case): { value: number; state: number } {
  if (EXACT.has(c.problem)) return { value: 0, state: 0 };
  return c.dtype === 'float64' ? { value: 1e-12, state: 1e-10 } : { value: 1e-3, state: 1e-1 };
}

function enc(problem: string, key: string): torch.Tensor {
  return fromFixture(fx.problems[problem]![key] as Enc);
}

class LstmHead extends nn.Module {
  lstm = new nn.LSTM(3, 4);
  head = new nn.Linear(4, 1);
  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(0, -1));
  }
}

/** The parameters and loss of a fixture problem, built as the generator builds them. */
function build(problem: Case['problem'], dtype: torch.DType): { params: torch.Tensor[]; loss: () => torch.Tensor } {
  if (problem === 'rosen') {
    const x = enc('rosen', 'x0').to(dtype).clone().requiresGrad_();
    // (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    return {
      params: [x],
      loss: () => torch.sub(1, x.select(0, 0)).pow(2).add(x.select(0, 1).sub(x.select(0, 0).pow(2)).pow(2).mul(100)),
    };
  }
  if (problem === 'rosen6') {
    const x = enc('rosen6', 'x0').to(dtype).clone().requiresGrad_();
    // (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    return {
      params: [x],
      loss: () => {
        const head = x.narrow(0, 0, 5);
        return x.narrow(0, 1, 5).sub(head.pow(2)).pow(2).mul(100).add(torch.sub(1, head).pow(2)).sum();
      },
    };
  }
  if (problem === 'abs' || problem === 'abs2' || problem === 'linear') {
    const x = enc(problem, 'x0').to(dtype).clone().requiresGrad_();
    const c = enc(problem, 'c').to(dtype);
    if (problem !== 'linear') return { params: [x], loss: () => x.sub(c).abs().sum() };
    const unused = torch.zeros(3, { dtype, requiresGrad: true }); // never gets a gradient
    return { params: [x, unused], loss: () => x.mul(c).sum() };
  }
  const p = fx.problems[problem]!;
  torch.manualSeed(p.seed as number);
  const model = problem === 'lstm' ? new LstmHead() : problem === 'linreg' ? new nn.Linear(5, 1) : new nn.Linear(4, 1);
  // the seeded initialisation is PyTorch's
  const init = p.init as Enc[];
  model.parameters().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(init[i]!.data));
  model.to(dtype);
  const X = enc(problem, 'X').to(dtype);
  const Y = enc(problem, 'Y').to(dtype);
  const loss =
    problem === 'logreg'
      ? () => nn.functional.binaryCrossEntropyWithLogits(model.forward(X), Y)
      : () => nn.functional.mseLoss(model.forward(X), Y);
  return { params: model.parameters(), loss };
}

/** The largest magnitude in `values`. */
function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/**
 * Asserts `actual` is within `rtol * scale` of `expected` (bit for bit when rtol is 0); `scale`
 * defaults to the largest magnitude in `expected`.
 */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string, scale = maxAbs(expected)): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (rtol === 0 ? !Object.is(a, e) : !(Math.abs(a - e) <= rtol * Math.max(scale, 1e-30))) {
      expect.fail(`${what} element ${i}: got ${a}, expected ${e} (rtol ${rtol})`);
    }
  }
}

function flat(v: Enc): number[] {
  return v.data as number[];
}

/** The numbers in a fixture state value. */
function numbersOf(v: Value): number[] {
  if (v === null) return [];
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbersOf);
  return flat(v);
}

/**
 * Compares a torchlet state value with the fixture's (tensors, lists, numbers, null), each number
 * within `rtol * scale`.
 */
function expectValue(actual: unknown, expected: Value, rtol: number, scale: number, what: string): void {
  if (expected === null) {
    expect(actual ?? null, what).toBeNull();
  } else if (typeof expected === 'number') {
    // a Python float or int is a JS number; a 0-d tensor stays a tensor
    expect(typeof actual, `${what} is a number`).toBe('number');
    expectNear([actual as number], [expected], rtol, what, scale);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${what} is a list`).toBe(true);
    const a = actual as unknown[];
    expect(a.length, `${what} length`).toBe(expected.length);
    expected.forEach((e, i) => expectValue(a[i], e, rtol, scale, `${what}[${i}]`));
  } else {
    expect(actual, `${what} is a tensor`).toBeInstanceOf(torch.Tensor);
    const t = actual as torch.Tensor;
    expect(t.shape, what).toEqual(expected.shape);
    expect(t.dtype, what).toBe(expected.dtype);
    expectNear(Array.from(t.dataSync()), flat(expected), rtol, what, scale);
  }
}

function expectStateDict(opt: optim.LBFGS, expected: StateDict, rtol: number, what: string): void {
  const sd = opt.stateDict();
  expect(Array.from(sd.state.keys()).map(String), `${what} state keys`).toEqual(Object.keys(expected.state));
  for (const [k, s] of Object.entries(expected.state)) {
    const st = sd.state.get(Number(k))!;
    expect(Object.keys(st), `${what} state[${k}] keys in PyTorch's order`).toEqual(s.keys);
    for (const key of s.keys) {
      const e = s.values[key]!;
      expectValue(st[key], e, rtol, maxAbs(numbersOf(e)), `${what} ${key}`);
    }
  }
  expect(sd.param_groups).toEqual(expected.param_groups);
}

function makeClosure(opt: optim.LBFGS, loss: () => torch.Tensor, calls: { n: number }): () => torch.Tensor {
  return () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    calls.n++;
    return l;
  };
}

function stateOf(opt: optim.LBFGS, p: torch.Tensor): optim.LBFGSState {
  return opt.state.get(p)!;
}

describe('optim.LBFGS trajectories match PyTorch 1.13', () => {
  expect(fx.torch.startsWith('1.13')).toBe(true);
  for (const c of fx.cases) {
    it(c.name, () => {
      const tol = tolerance(c);
      const { params, loss } = build(c.problem, c.dtype);
      const opt = new optim.LBFGS(params, c.options);
      const calls = { n: 0 };
      const closure = makeClosure(opt, loss, calls);
      c.steps.forEach((s, k) => {
        const what = `step ${k + 1}`;
        const l = opt.step(closure);
        expectNear([l.item()], [s.loss], tol.value, `${what} loss`);
        params.forEach((p, i) => expectNear(Array.from(p.dataSync()), flat(s.params[i]!), tol.value, `${what} param ${i}`));
        const st = stateOf(opt, params[0]!);
        expect([st.func_evals, st.n_iter, calls.n], `${what} func_evals, n_iter, closure calls`).toEqual([s.funcEvals, s.nIter, s.closureCalls]);
        if (k + 1 === c.sdStep) expectStateDict(opt, c.midStateDict, tol.state, `${what} state dict`);
      });
      expectStateDict(opt, c.finalStateDict, tol.state, 'final state dict');
    });
  }
});

describe('optim.LBFGS state dict', () => {
  // the bit-exact cases: a run resumed from a state dict must continue exactly
  const exact = fx.cases.filter((c) => EXACT.has(c.problem) && c.steps.length >= 3);

  it.each(exact.map((c) => [c.name, c] as const))('resumes from its own state dict: %s', (_name, c) => {
    const { params, loss } = build(c.problem, c.dtype);
    const opt = new optim.LBFGS(params, c.options);
    const calls = { n: 0 };
    opt.step(makeClosure(opt, loss, calls));
    const saved = opt.stateDict();
    // a new optimizer on the same parameters takes over
    const opt2 = new optim.LBFGS(params, { lr: 123 });
    opt2.loadStateDict(saved);
    expect(opt2.paramGroups[0]!.lr).toBe(c.options.lr ?? 1);
    const closure2 = makeClosure(opt2, loss, calls);
    for (let k = 1; k < c.steps.length; k++) {
      const l = opt2.step(closure2);
      expect(l.item()).toBe(c.steps[k]!.loss);
      params.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(flat(c.steps[k]!.params[i]!)));
    }
    expect(stateOf(opt2, params[0]!).func_evals).toBe(c.steps[c.steps.length - 1]!.funcEvals);
  });

  it.each(exact.map((c) => [c.name, c] as const))("continues from PyTorch's state dict: %s", (_name, c) => {
    // parameters after step 1 and PyTorch's state dict after step 1, as torch.load would give them
    const { params, loss } = build(c.problem, c.dtype);
    torch.noGrad(() => params.forEach((p, i) => p.copy_(fromFixture(c.steps[0]!.params[i]!))));
    const decode = (v: Value): unknown =>
      v === null || typeof v === 'number' ? v : Array.isArray(v) ? v.map(decode) : fromFixture(v);
    const state = new Map<number, Record<string, unknown>>();
    for (const [k, s] of Object.entries(c.midStateDict.state)) {
      const entry: Record<string, unknown> = {};
      for (const key of s.keys) entry[key] = decode(s.values[key]!);
      state.set(Number(k), entry);
    }
    const opt = new optim.LBFGS(params);
    opt.loadStateDict({ state, param_groups: c.midStateDict.param_groups });
    const calls = { n: 0 };
    const closure = makeClosure(opt, loss, calls);
    for (let k = 1; k < c.steps.length; k++) {
      const l = opt.step(closure);
      expect(l.item()).toBe(c.steps[k]!.loss);
      params.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(flat(c.steps[k]!.params[i]!)));
      expect(stateOf(opt, params[0]!).func_evals).toBe(c.steps[k]!.funcEvals);
    }
  });

  it('lists PyTorch\'s defaults (max_eval = max_iter * 5 // 4)', () => {
    const opt = new optim.LBFGS([torch.zeros(1, { requiresGrad: true })], { maxIter: 7 });
    expect(opt.stateDict().param_groups[0]).toEqual(fx.defaultsMaxIter7);
  });
});

describe('optim.LBFGS errors', () => {
  it('takes one parameter group only', () => {
    const a = torch.zeros(2, { requiresGrad: true });
    const b = torch.zeros(3, { requiresGrad: true });
    expectError(() => new optim.LBFGS([{ params: [a] }, { params: [b], lr: 0.1 }]), fx.errors.groups);
  });

  it("supports only 'strong_wolfe' line searches, failing at the first line search", () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new optim.LBFGS([x], { lineSearchFn: 'backtracking' as 'strong_wolfe' });
    const closure = (): torch.Tensor => {
      opt.zeroGrad();
      const l = x.pow(2).sum();
      l.backward();
      return l;
    };
    expectError(() => opt.step(closure), fx.errors.lineSearchFn);
  });

  it('needs a closure', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expectError(() => new optim.LBFGS([x]).step(), fx.errors.noClosure);
  });
});
