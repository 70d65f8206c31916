import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface SD {
  state: Record<string, Record<string, Enc | number | null>>;
  param_groups: Record<string, unknown>[];
}
interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups?: { params: number[]; options: Record<string, unknown> }[];
  problem: 'quad' | 'lsq';
  dtype: torch.DType;
  sign: number;
  losses: number[];
  snapshots: { step: number; params: Enc[] }[];
  midStateDict: SD;
  finalStateDict: SD;
}
interface Fixture {
  torch: string;
  cases: Case[];
  problems: Record<string, Record<string, Enc>>;
  steps: number;
  every: number;
  mid: number;
  errors: { name: string; optimizer: Case['optimizer']; options: Record<string, unknown>; type: string; message: string }[];
  specialErrors: Record<string, { type: string; message: string }>;
}

const fx = loadFixture<Fixture>('optim');
const ATOL = 1e-6;
const RTOL = 1e-5;

function data(problem: string, dtype: torch.DType): Record<string, torch.Tensor> {
  const out: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(fx.problems[problem]!)) out[k] = fromFixture(v).to(dtype);
  return out;
}

/** Fresh parameters and the loss of a fixture problem (loss built from tensor ops, as in the generator). */
function problem(c: Case): { params: torch.Tensor[]; loss: (ps: torch.Tensor[]) => torch.Tensor } {
  const d = data(c.problem, c.dtype);
  if (c.problem === 'quad') {
    const params = [d.w!, d.b!, d.u!].map((t) => t.clone().requiresGrad_());
    return {
      params,
      loss: ([w, b]) =>
        d.A!.mul(w!.sub(d.C!).pow(2)).sum().mul(0.5).add(d.a!.mul(b!.sub(d.c!).pow(2)).sum().mul(0.5)),
    };
  }
  const params = [d.w!, d.b!].map((t) => t.clone().requiresGrad_());
  return { params, loss: ([w, b]) => d.X!.matmul(w!).add(b!).sub(d.Y!).pow(2).mean() };
}

function makeOptimizer(c: Case, params: torch.Tensor[]): optim.Optimizer<any, any> {
  const Ctor = (optim as any)[c.optimizer] as new (p: unknown, o: unknown) => optim.Optimizer<any, any>;
  if (!c.groups) return new Ctor(params, c.options);
  return new Ctor(
    c.groups.map((g) => ({ ...g.options, params: g.params.map((i) => params[i]!) })),
    c.options,
  );
}

function closureFor(opt: optim.Optimizer<any, any>, params: torch.Tensor[], loss: (ps: torch.Tensor[]) => torch.Tensor, sign: number) {
  return () => {
    opt.zeroGrad();
    const l = loss(params).mul(sign);
    l.backward();
    return l;
  };
}

/** A fixture state dict as torchlet data: tensors decoded, state keyed by number. */
function decodeStateDict(sd: SD): optim.OptimizerStateDict {
  const state = new Map<number, Record<string, unknown>>();
  for (const [k, s] of Object.entries(sd.state)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(s)) out[key] = v !== null && typeof v === 'object' ? fromFixture(v) : v;
    state.set(Number(k), out);
  }
  return { state, param_groups: sd.param_groups.map((g) => ({ ...g })) };
}

function expectStateDict(actual: optim.OptimizerStateDict, expected: SD): void {
  expect(actual.param_groups).toEqual(expected.param_groups);
  expect([...actual.state.keys()].sort()).toEqual(Object.keys(expected.state).map(Number).sort());
  for (const [k, s] of Object.entries(expected.state)) {
    const a = actual.state.get(Number(k))!;
    expect(Object.keys(a).sort()).toEqual(Object.keys(s).sort());
    for (const [key, v] of Object.entries(s)) {
      const got = a[key];
      if (v !== null && typeof v === 'object') {
        expect(got).toBeInstanceOf(torch.Tensor);
        expect((got as torch.Tensor).dtype).toBe(v.dtype);
        expectClose(got as torch.Tensor, v, ATOL, RTOL);
      } else expect(got).toEqual(v);
    }
  }
}

describe(`optimizer trajectories match torch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name + (c.problem === 'lsq' ? ' [lsq]' : '') + (c.dtype === 'float64' ? ' [float64]' : '') + (c.groups ? ' [groups]' : ''), () => {
      const { params, loss } = problem(c);
      const opt = makeOptimizer(c, params);
      const closure = closureFor(opt, params, loss, c.sign);
      let snap = 0;
      for (let step = 1; step <= fx.steps; step++) {
        const l = opt.step(closure)!;
        expect(Math.abs(l.item() - c.losses[step - 1]!)).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(c.losses[step - 1]!));
        if (step % fx.every === 0) {
          const s = c.snapshots[snap++]!;
          expect(s.step).toBe(step);
          params.forEach((p, i) => expectClose(p, s.params[i]!, ATOL, RTOL));
        }
        if (step === fx.mid) expectStateDict(opt.stateDict(), c.midStateDict);
      }
      expectStateDict(opt.stateDict(), c.finalStateDict);
    });
  }
});

describe('loadStateDict', () => {
  it.each(fx.cases.map((c) => [c.name + (c.problem === 'lsq' ? ' [lsq]' : '') + (c.groups ? ' [groups]' : '') + (c.dtype === 'float64' ? ' [float64]' : ''), c] as const))(
    'resumes from PyTorch\'s mid-run state dict: %s',
    (_name, c) => {
      const { params, loss } = problem(c);
      const midSnap = c.snapshots.find((s) => s.step === fx.mid)!;
      torch.noGrad(() => params.forEach((p, i) => p.copy_(fromFixture(midSnap.params[i]!).to(c.dtype))));
      // constructed with different hyper-parameters: the loaded groups replace them
      const opt = makeOptimizer(c, params);
      for (const g of opt.paramGroups) g.lr = 123;
      opt.loadStateDict(decodeStateDict(c.midStateDict));
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(c.midStateDict.param_groups.map((g) => g.lr));
      const closure = closureFor(opt, params, loss, c.sign);
      for (let step = fx.mid + 1; step <= fx.steps; step++) opt.step(closure);
      const last = c.snapshots[c.snapshots.length - 1]!;
      params.forEach((p, i) => expectClose(p, last.params[i]!, ATOL, RTOL));
      expectStateDict(opt.stateDict(), c.finalStateDict);
    },
  );

  it('round-trips its own state dict exactly (state is copied, not shared)', () => {
    for (const name of ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'] as const) {
      const c = fx.cases.find((x) => x.optimizer === name && x.problem === 'quad' && !x.groups)!;
      const a = problem(c);
      const optA = makeOptimizer({ ...c, options: { ...c.options, momentum: name === 'SGD' || name === 'RMSprop' ? 0.5 : undefined } }, a.params);
      const closureA = closureFor(optA, a.params, a.loss, c.sign);
      for (let i = 0; i < 7; i++) optA.step(closureA);
      const sd = optA.stateDict();
      const b = problem(c);
      torch.noGrad(() => b.params.forEach((p, i) => p.copy_(a.params[i]!)));
      const optB = makeOptimizer(c, b.params);
      optB.loadStateDict(sd);
      const closureB = closureFor(optB, b.params, b.loss, c.sign);
      for (let i = 0; i < 5; i++) {
        optA.step(closureA);
        optB.step(closureB);
      }
      a.params.forEach((p, i) => expect(Array.from(b.params[i]!.dataSync())).toEqual(Array.from(p.dataSync())));
    }
  });

  it('casts loaded floating state to the parameter dtype, except step', () => {
    const p = torch.zeros(3, { requiresGrad: true });
    const opt = new optim.Adam([p]);
    opt.loadStateDict({
      state: new Map([[0, { step: torch.tensor(4, { dtype: 'float64' }), exp_avg: torch.ones(3, { dtype: 'float64' }), exp_avg_sq: torch.ones(3) }]]),
      param_groups: [{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false, params: [0] }],
    });
    const st = opt.state.get(p)!;
    expect(st.exp_avg.dtype).toBe('float32');
    expect(st.step.dtype).toBe('float64');
    expect(opt.paramGroups[0]!.weightDecay).toBe(0);
  });

  it("raises PyTorch's errors for mismatched groups", () => {
    const [a, b] = [torch.zeros(2, { requiresGrad: true }), torch.zeros(2, { requiresGrad: true })];
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    const two = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 }).stateDict();
    const one = new optim.SGD([torch.zeros(2, { requiresGrad: true })], { lr: 0.1 }).stateDict();
    expect(() => opt.loadStateDict(two)).toThrow(fx.specialErrors.loadGroups!.message);
    expect(() => opt.loadStateDict(one)).toThrow(fx.specialErrors.loadSize!.message);
    expect(() => opt.loadStateDict(one)).toThrow(torch.ValueError);
  });
});

describe('constructor errors match PyTorch', () => {
  it.each(fx.errors.map((e) => [e.name, e] as const))('%s', (_n, e) => {
    const Ctor = (optim as any)[e.optimizer] as new (p: unknown, o: unknown) => unknown;
    const make = () => new Ctor([torch.zeros(2, { requiresGrad: true })], e.options);
    expect(make).toThrow(e.message);
    expect(make).toThrow((torch as any)[e.type] ?? TypeError);
  });

  it('empty, duplicate, non-leaf, a bare tensor, missing lr', () => {
    const E = fx.specialErrors;
    const p = () => torch.zeros(2, { requiresGrad: true });
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(E.empty!.message);
    const shared = p();
    expect(() => new optim.SGD([{ params: [shared] }, { params: [shared] }], { lr: 0.1 })).toThrow(E.duplicate!.message);
    expect(() => new optim.SGD([p().mul(2)], { lr: 0.1 })).toThrow(E.nonLeaf!.message);
    expect(() => new optim.SGD([p().mul(2)], { lr: 0.1 })).toThrow(torch.ValueError);
    expect(() => new optim.SGD(p() as any, { lr: 0.1 })).toThrow(E.tensorParams!.message);
    expect(() => new optim.SGD(p() as any, { lr: 0.1 })).toThrow(TypeError);
    expect(() => new optim.SGD([p()])).toThrow(E.missingLr!.message);
  });

  it('validates option types from untyped callers', () => {
    const p = torch.zeros(2, { requiresGrad: true });
    expect(() => new optim.SGD([p], { lr: '0.1' as any })).toThrow(TypeError);
    expect(() => new optim.Adam([p], { betas: [0.9] as any })).toThrow(TypeError);
    expect(() => new optim.RMSprop([p], { centered: 1 as any })).toThrow(TypeError);
    expect(() => new optim.SGD([{ params: [p], momentum: 'x' as any }], { lr: 0.1 })).toThrow(TypeError);
    expect(() => new optim.SGD([1 as any], { lr: 0.1 })).toThrow('optimizer can only optimize Tensors, but one of the params is int');
    expect(() => new optim.SGD([{ params: new Set([p]) }], { lr: 0.1 })).toThrow('ordered collections');
    expect(() => new optim.Adam([p], { differentiable: true })).toThrow(torch.NotImplementedError);
    expect(() => new optim.Adam([p], { fused: true })).toThrow('FusedAdam requires all the params to be CUDA, floating point');
  });
});

describe('Optimizer behaviour', () => {
  const quad = fx.cases.find((c) => c.problem === 'quad' && c.optimizer === 'SGD')!;

  it('zeroGrad sets grads to null by default and zeroes them in place with setToNone: false', () => {
    const { params, loss } = problem(quad);
    const opt = new optim.SGD(params, { lr: 0.1 });
    loss(params).backward();
    const g = params[0]!.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(params[0]!.grad).toBe(g);
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    expect(params[2]!.grad).toBeNull();
    opt.zeroGrad();
    expect(params[0]!.grad).toBeNull();
  });

  it('step() without a closure returns undefined; the closure runs with grad mode on', () => {
    const { params, loss } = problem(quad);
    const opt = new optim.Adam(params, { lr: 0.1 });
    loss(params).backward();
    expect(opt.step()).toBeUndefined();
    const r = torch.noGrad(() =>
      opt.step(() => {
        expect(torch.isGradEnabled()).toBe(true);
        return 42;
      }),
    );
    expect(r).toBe(42);
  });

  it('a plain loop gives the same trajectory as step(closure)', () => {
    const c = fx.cases.find((x) => x.optimizer === 'Adam' && x.problem === 'quad' && !x.groups)!;
    const { params, loss } = problem(c);
    const opt = makeOptimizer(c, params);
    for (let step = 1; step <= 10; step++) {
      opt.zeroGrad();
      loss(params).mul(c.sign).backward();
      opt.step();
    }
    params.forEach((p, i) => expectClose(p, c.snapshots[1]!.params[i]!, ATOL, RTOL));
  });

  it('bumps the version of updated parameters and skips those without grad', () => {
    const { params, loss } = problem(quad);
    const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    loss(params).backward();
    const v = params.map((p) => p.version);
    opt.step();
    expect(params[0]!.version).toBeGreaterThan(v[0]!);
    expect(params[2]!.version).toBe(v[2]!);
    expect(opt.state.has(params[2]!)).toBe(false);
    expect(opt.state.get(params[0]!)!.momentum_buffer).toBeInstanceOf(torch.Tensor);
  });

  it('updates non-contiguous parameters like contiguous ones', () => {
    for (const name of ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'] as const) {
      const base = torch.tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
      const pt = base.t();
      pt.requiresGrad_();
      const pc = pt.contiguous().detach().requiresGrad_();
      expect(pt.isContiguous()).toBe(false);
      const target = torch.tensor([[1, 2], [3, 4], [5, 6]]);
      const run = (p: torch.Tensor) => {
        const opt = new (optim as any)[name]([p], { lr: 0.1, momentum: name === 'SGD' ? 0.9 : undefined }) as optim.Optimizer;
        for (let i = 0; i < 5; i++) {
          opt.zeroGrad();
          p.sub(target).pow(2).sum().backward();
          opt.step();
        }
      };
      run(pt);
      run(pc);
      expect(pt.tolist()).toEqual(pc.tolist());
    }
  });

  it('addParamGroup fills defaults; paramGroups are camelCase and the state dict snake_case', () => {
    const { params } = problem(quad);
    const opt = new optim.Adagrad([params[0]!], { lr: 0.1, lrDecay: 0.01 });
    opt.addParamGroup({ params: params[1]!, weightDecay: 0.5 });
    expect(opt.paramGroups[1]!.lrDecay).toBe(0.01);
    expect(opt.paramGroups[1]!.weightDecay).toBe(0.5);
    expect(opt.paramGroups[1]!.params).toEqual([params[1]]);
    const sd = opt.stateDict();
    expect(sd.param_groups[1]).toMatchObject({ lr_decay: 0.01, weight_decay: 0.5, initial_accumulator_value: 0, params: [1] });
    expect(() => opt.addParamGroup({ params: [params[0]!] })).toThrow(fx.specialErrors.duplicate!.message);
  });

  it('Adam with capturable=True fails at step on the CPU, like PyTorch', () => {
    const { params, loss } = problem(quad);
    const opt = new optim.Adam(params, { capturable: true });
    loss(params).backward();
    expect(() => opt.step()).toThrow('If capturable=True, params and state_steps must be CUDA tensors.');
  });

  it('prints like PyTorch', () => {
    const opt = new optim.SGD([torch.zeros(1, { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    expect(opt.toString()).toBe(
      'SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)',
    );
  });
});
