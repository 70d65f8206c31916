import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { decode, loadFixture } from '../helpers/fixtures.js';

const { lrScheduler: LS } = optim;

interface SchedCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'Adagrad';
  lrs: [number, number];
  steps: number;
  metrics: number[] | null;
  lrSeq: number[][];
  momentumSeq: (number | null)[][];
  stateDict: Record<string, unknown>;
  groupKeys: string[][];
  error: { type: string; message: string; atStep: number } | null;
}
interface Fixture {
  torch: string;
  schedulers: SchedCase[];
  schedulerErrors: { name: string; optimizer: 'SGD' | 'Adagrad'; type: string; message: string }[];
}
const fx = loadFixture<Fixture>('optim');

type AnyOpt = optim.Optimizer<any, any>;
type Sched = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

/** The same schedulers the generator builds, by case name. */
const MAKE: Record<string, (o: AnyOpt) => Sched> = {
  'StepLR 7 0.5': (o) => new LS.StepLR(o, 7, { gamma: 0.5 }),
  'StepLR 3': (o) => new LS.StepLR(o, 3),
  MultiStepLR: (o) => new LS.MultiStepLR(o, [5, 12, 12, 20], { gamma: 0.3 }),
  ExponentialLR: (o) => new LS.ExponentialLR(o, 0.9),
  'CosineAnnealingLR 10': (o) => new LS.CosineAnnealingLR(o, 10),
  'CosineAnnealingLR 7 eta': (o) => new LS.CosineAnnealingLR(o, 7, { etaMin: 0.001 }),
  'CosineAnnealingLR manual change': (o) => new LS.CosineAnnealingLR(o, 12, { etaMin: 0.002 }),
  'LinearLR default': (o) => new LS.LinearLR(o),
  'LinearLR custom': (o) => new LS.LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 8 }),
  'ConstantLR default': (o) => new LS.ConstantLR(o),
  'ConstantLR custom': (o) => new LS.ConstantLR(o, { factor: 0.5, totalIters: 4 }),
  LambdaLR: (o) => new LS.LambdaLR(o, (e) => 1.0 / (e + 1)),
  'OneCycleLR cos SGD': (o) => new LS.OneCycleLR(o, [1.0, 0.5], { totalSteps: 30 }),
  'OneCycleLR linear': (o) => new LS.OneCycleLR(o, 0.8, { totalSteps: 30, annealStrategy: 'linear', pctStart: 0.25 }),
  'OneCycleLR three phase': (o) => new LS.OneCycleLR(o, 1.0, { totalSteps: 30, threePhase: true, divFactor: 10.0, finalDivFactor: 100.0 }),
  'OneCycleLR Adam betas': (o) => new LS.OneCycleLR(o, 0.01, { epochs: 5, stepsPerEpoch: 6, baseMomentum: 0.8, maxMomentum: 0.9 }),
  'OneCycleLR no momentum': (o) => new LS.OneCycleLR(o, 0.3, { totalSteps: 30, cycleMomentum: false }),
  'OneCycleLR past the end': (o) => new LS.OneCycleLR(o, 0.3, { totalSteps: 20 }),
  SequentialLR: (o) =>
    new LS.SequentialLR(o, [new LS.LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new LS.ExponentialLR(o, 0.9)], [5]),
  'ReduceLROnPlateau min rel': (o) => new LS.ReduceLROnPlateau(o, { factor: 0.5, patience: 2, cooldown: 1, minLr: 0.01 }),
  'ReduceLROnPlateau max abs': (o) =>
    new LS.ReduceLROnPlateau(o, { mode: 'max', threshold: 0.05, thresholdMode: 'abs', patience: 1, minLr: [0.02, 0.001], eps: 1e-3 }),
  'ReduceLROnPlateau defaults': (o) => new LS.ReduceLROnPlateau(o),
};

const TWEAK: Record<string, (i: number, o: AnyOpt) => void> = {
  'CosineAnnealingLR manual change': (i, o) => {
    if (i === 8) for (const g of o.paramGroups) g.lr *= 0.5;
  },
};

function makeOptimizer(kind: string, lrs: number[]): AnyOpt {
  const ps = [torch.zeros(2, { requiresGrad: true }), torch.zeros(2, { requiresGrad: true })];
  const groups = [
    { params: [ps[0]!], lr: lrs[0] },
    { params: [ps[1]!], lr: lrs[1] },
  ];
  if (kind === 'SGD') return new optim.SGD(groups, { lr: lrs[0], momentum: 0.9 });
  if (kind === 'Adam') return new optim.Adam(groups, { lr: lrs[0] });
  return new optim.Adagrad(groups, { lr: lrs[0] });
}

function momenta(o: AnyOpt): (number | null)[] {
  return o.paramGroups.map((g) => (g.betas ? (g.betas as number[])[0]! : ((g.momentum as number | undefined) ?? null)));
}

/** Our state dict in the fixture's encoding (Maps as objects with string keys, infinities as strings). */
function comparable(sd: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sd)) {
    if (k === 'anneal_func' || k === '_schedulers') continue; // PyTorch: a bound method / nested states
    if (v instanceof Map) out[k] = Object.fromEntries([...v].map(([a, b]) => [String(a), b]));
    else if (v === Infinity) out[k] = 'inf';
    else if (v === -Infinity) out[k] = '-inf';
    else out[k] = v;
  }
  return out;
}

describe(`lr schedulers match torch ${fx.torch} exactly`, () => {
  for (const c of fx.schedulers) {
    it(c.name, () => {
      const opt = makeOptimizer(c.optimizer, c.lrs);
      const sched = MAKE[c.name]!(opt);
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(c.lrSeq[0]);
      expect(momenta(opt)).toEqual(c.momentumSeq[0]);
      for (let i = 0; i < c.steps; i++) {
        opt.step();
        TWEAK[c.name]?.(i, opt);
        if (c.error && c.error.atStep === i) {
          expect(() => (sched as optim.lrScheduler.LRScheduler).step()).toThrow(c.error.message);
          break;
        }
        if (c.metrics) (sched as optim.lrScheduler.ReduceLROnPlateau).step(c.metrics[i]!);
        else (sched as optim.lrScheduler.LRScheduler).step();
        expect(opt.paramGroups.map((g) => g.lr), `lr after step ${i + 1}`).toEqual(c.lrSeq[i + 1]);
        expect(momenta(opt), `momentum after step ${i + 1}`).toEqual(c.momentumSeq[i + 1]);
        expect(sched.getLastLr()).toEqual(c.lrSeq[i + 1]);
      }
      expect(comparable(sched.stateDict())).toEqual(decodeSd(c.stateDict));
      const keys = opt.stateDict().param_groups.map((g) => Object.keys(g).filter((k) => k !== 'params').sort());
      expect(keys).toEqual(c.groupKeys);
    });
  }
});

function decodeSd(sd: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sd)) out[k] = Array.isArray(v) ? decode(v) : v;
  return out;
}

describe('scheduler errors match PyTorch', () => {
  const MAKE_ERR: Record<string, (o: AnyOpt) => unknown> = {
    'ConstantLR factor': (o) => new LS.ConstantLR(o, { factor: 1.5 }),
    'LinearLR start': (o) => new LS.LinearLR(o, { startFactor: 1.5 }),
    'LinearLR end': (o) => new LS.LinearLR(o, { endFactor: -0.1 }),
    'ReduceLROnPlateau factor': (o) => new LS.ReduceLROnPlateau(o, { factor: 1.0 }),
    'ReduceLROnPlateau mode': (o) => new LS.ReduceLROnPlateau(o, { mode: 'foo' as any }),
    'ReduceLROnPlateau threshold mode': (o) => new LS.ReduceLROnPlateau(o, { thresholdMode: 'bar' as any }),
    'ReduceLROnPlateau min_lrs': (o) => new LS.ReduceLROnPlateau(o, { minLr: [0.1, 0.2, 0.3] }),
    'OneCycleLR no steps': (o) => new LS.OneCycleLR(o, 0.1),
    'OneCycleLR total_steps': (o) => new LS.OneCycleLR(o, 0.1, { totalSteps: 0 }),
    'OneCycleLR epochs': (o) => new LS.OneCycleLR(o, 0.1, { epochs: -2, stepsPerEpoch: 3 }),
    'OneCycleLR pct_start': (o) => new LS.OneCycleLR(o, 0.1, { totalSteps: 10, pctStart: 1.5 }),
    'OneCycleLR anneal': (o) => new LS.OneCycleLR(o, 0.1, { totalSteps: 10, annealStrategy: 'exp' as any }),
    'OneCycleLR max_lr list': (o) => new LS.OneCycleLR(o, [0.1, 0.2, 0.3], { totalSteps: 10 }),
    'OneCycleLR momentum': (o) => new LS.OneCycleLR(o, 0.1, { totalSteps: 10 }),
    'LambdaLR count': (o) => new LS.LambdaLR(o, [() => 1.0, () => 1.0, () => 1.0]),
    'resume without initial_lr': (o) => new LS.StepLR(o, 3, { lastEpoch: 4 }),
    'SequentialLR milestones': (o) => new LS.SequentialLR(o, [new LS.ConstantLR(o), new LS.ExponentialLR(o, 0.9)], [2, 4]),
  };
  for (const e of fx.schedulerErrors) {
    it(e.name, () => {
      const o = makeOptimizer(e.optimizer, [0.1, 0.1]);
      const make = () => MAKE_ERR[e.name]!(o);
      expect(make).toThrow(e.message);
      expect(make).toThrow(e.type === 'KeyError' ? LS.KeyError : (torch as any)[e.type]);
    });
  }

  it('rejects a non-optimizer', () => {
    expect(() => new LS.StepLR({} as any, 3)).toThrow('Object is not an Optimizer');
    expect(() => new LS.ReduceLROnPlateau([] as any)).toThrow('Array is not an Optimizer');
  });
});

describe('scheduler behaviour', () => {
  it('constructing sets initialLr, which appears as initial_lr in the optimizer state dict', () => {
    const opt = makeOptimizer('SGD', [0.1, 0.05]);
    new LS.ExponentialLR(opt, 0.5);
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(opt.stateDict().param_groups.map((g) => g.initial_lr)).toEqual([0.1, 0.05]);
  });

  it('loadStateDict restores the schedule (PyTorch names in, camelCase fields out)', () => {
    const a = makeOptimizer('SGD', [0.1, 0.05]);
    const sa = new LS.CosineAnnealingLR(a, 10, { etaMin: 0.001 });
    for (let i = 0; i < 4; i++) sa.step();
    const sd = sa.stateDict();
    expect(sd.T_max).toBe(10);
    expect(sd.last_epoch).toBe(4);
    // as in PyTorch: build the scheduler, then load the optimizer's and the scheduler's states
    const b = makeOptimizer('SGD', [0.1, 0.05]);
    const sb = new LS.CosineAnnealingLR(b, 3);
    b.loadStateDict(a.stateDict());
    sb.loadStateDict(sd);
    expect(sb.TMax).toBe(10);
    for (let i = 0; i < 5; i++) {
      sa.step();
      sb.step();
      expect(b.paramGroups.map((g) => g.lr)).toEqual(a.paramGroups.map((g) => g.lr));
    }
  });

  it('step(epoch) uses the closed form', () => {
    const opt = makeOptimizer('SGD', [0.1, 0.05]);
    const s = new LS.StepLR(opt, 3, { gamma: 0.5 });
    s.step(7);
    expect(s.getLastLr()).toEqual([0.1 * 0.25, 0.05 * 0.25]);
    expect(s.lastEpoch).toBe(7);
  });

  it('ReduceLROnPlateau accepts a one-element tensor metric', () => {
    const opt = makeOptimizer('SGD', [0.1, 0.05]);
    const s = new LS.ReduceLROnPlateau(opt, { patience: 0 });
    s.step(torch.tensor(1.0));
    s.step(torch.tensor(2.0));
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1 * 0.1, 0.05 * 0.1]);
  });
});
