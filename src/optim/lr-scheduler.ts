/**
 * Learning-rate schedulers, like `torch.optim.lr_scheduler` (PyTorch 1.13). Each computes the
 * same double-precision numbers as PyTorch's chainable (recursive) forms: the same operation
 * order, a correctly rounded `cos` (equal to glibc's `cos`, which Python's `math.cos` calls, except
 * in the last bit for about 1 argument in 1000), and correctly rounded integer powers.
 *
 * Group keys the schedulers add are camelCase in `paramGroups` (`initialLr`, `maxLr`) and
 * PyTorch's names in the optimizer's state dict (`initial_lr`, `max_lr`).
 * See https://pytorch.org/docs/1.13/optim.html#how-to-adjust-learning-rate
 * @example
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 100);
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 * @module
 */
import { checkOptions, describeValue } from '../validate.js';
import { ValueError } from '../errors.js';
import { cos64 } from '../random/libm.js';
import { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamGroup, pyFloat, pyPow, toCamel, toSnake } from './optimizer.js';

/**
 * Python's `KeyError`: PyTorch raises it when a scheduler resumes (`lastEpoch` set) on groups
 * without `initial_lr`.
 * See https://docs.python.org/3/library/exceptions.html#KeyError
 * @example try { new StepLR(opt, 3, { lastEpoch: 4 }); } catch (e) { e instanceof KeyError; }
 */
export class KeyError extends Error {
  /** Always `'KeyError'`. */
  override name = 'KeyError';
}

type AnyOptimizer = Optimizer<any, any>;

/** Python's `{}`-formatting of a number: ints plain, floats as `repr`. */
function pyNum(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : pyFloat(v);
  return String(v);
}

/** Python's `a % b` (the sign of b). */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Python's `'{:.4e}'.format(v)`. */
function fmt4e(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const [m, e] = v.toExponential(4).split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** Number of elements of sorted `xs` that are <= x (Python's `bisect_right`). */
function bisectRight(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < xs[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A copy of plain data (arrays, Maps, objects); functions and the optimizer are not data. */
function copyData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyData);
  if (v instanceof Map) return new Map(Array.from(v, ([k, x]) => [k, copyData(x)]));
  if (v !== null && typeof v === 'object' && !(v instanceof Tensor)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyData(x);
    return out;
  }
  return v;
}

function checkOptimizer(optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) {
    const name = optimizer === null || optimizer === undefined ? 'NoneType' : ((optimizer as object).constructor?.name ?? typeof optimizer);
    throw new TypeError(`${name} is not an Optimizer`);
  }
}

function checkNum(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${describeValue(v)}`);
  return v;
}

/** A per-group value given once or per group (PyTorch's `_format_param`). */
function formatParam(name: string, optimizer: AnyOptimizer, param: number | readonly number[]): number[] {
  if (Array.isArray(param)) {
    if (param.length !== optimizer.paramGroups.length) {
      throw new ValueError(`expected ${optimizer.paramGroups.length} values for ${name}, got ${param.length}`);
    }
    return param.map((v) => checkNum(name, v));
  }
  return optimizer.paramGroups.map(() => checkNum(name, param));
}

/** Options every epoch-based scheduler takes. */
export interface SchedulerOptions {
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
  /** Print a message on each update (default false). */
  verbose?: boolean;
}

/**
 * Base class of the epoch-based schedulers, like PyTorch 1.13's `_LRScheduler`. Constructing a
 * scheduler records each group's `initialLr` and performs the initial step, so the optimizer's
 * learning rates are the schedule's value for epoch 0.
 * See https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
 * @example
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  optimizer: AnyOptimizer;
  /** Each group's `initialLr`. */
  baseLrs: number[] = [];
  /** Index of the last epoch (the number of `step()` calls after construction). */
  lastEpoch = -1;
  /** Print a message on each update. */
  verbose = false;
  /** @internal */
  _stepCount = 0;
  /** @internal kept for state dict parity */
  _getLrCalledWithinStep = false;
  /** @internal */
  _lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
  }

  /** PyTorch's `_LRScheduler.__init__` body; subclasses call it once their own fields are set. */
  protected initialize(lastEpoch = -1, verbose = false): void {
    if (!Number.isInteger(lastEpoch)) throw new TypeError(`lastEpoch must be an integer, got ${describeValue(lastEpoch)}`);
    if (typeof verbose !== 'boolean') throw new TypeError(`verbose must be a boolean, got ${describeValue(verbose)}`);
    if (lastEpoch === -1) {
      for (const group of this.optimizer.paramGroups) if (group.initialLr === undefined) group.initialLr = group.lr;
    } else {
      this.optimizer.paramGroups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
    this.initialStep();
  }

  /** @internal */
  initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates of the last step, one per group. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /** The chainable form: each group's learning rate for `lastEpoch` (called by `step`). */
  abstract getLr(): number[];

  /** The closed form, used by `step(epoch)` where PyTorch has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advances one epoch and sets every group's `lr`. Passing `epoch` (deprecated in PyTorch) jumps
   * to it, using the closed form where there is one.
   * @example sched.step();
   */
  step(epoch?: number): void {
    this._stepCount++;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch++;
        values = this.getLr();
      } else {
        checkNum('epoch', epoch);
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = values[i]!;
      this.printLr(this.verbose, i, values[i]!, epoch);
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Prints PyTorch's verbose message. */
  printLr(isVerbose: boolean, group: number, lr: number, epoch?: number): void {
    if (!isVerbose) return;
    if (epoch === undefined) console.log(`Adjusting learning rate of group ${group} to ${fmt4e(lr)}.`);
    else {
      const e = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
      console.log(`Epoch ${e}: adjusting learning rate of group ${group} to ${fmt4e(lr)}.`);
    }
  }

  /**
   * The scheduler's state under PyTorch's names (`last_epoch`, `base_lrs`, `_step_count`, ...):
   * every attribute except the optimizer.
   * @example const sd = sched.stateDict(); sd.last_epoch
   */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || v === undefined || typeof v === 'function') continue;
      out[toSnake(k)] = copyData(v);
    }
    return out;
  }

  /**
   * Restores a state from `stateDict()` (or PyTorch's, under its names).
   * @example sched.loadStateDict(saved);
   */
  loadStateDict(stateDict: Record<string, unknown>): void {
    if (stateDict === null || typeof stateDict !== 'object') throw new TypeError('state_dict must be an object');
    for (const [k, v] of Object.entries(stateDict)) {
      if (k === 'optimizer') continue;
      (this as Record<string, unknown>)[toCamel(k)] = copyData(v);
    }
  }
}

/** Multiplies by the schedule's factor: `lr` of each group times `f` (a chainable update). */
function scaled(optimizer: AnyOptimizer, f: number): number[] {
  return optimizer.paramGroups.map((g) => g.lr * f);
}

function currentLrs(optimizer: AnyOptimizer): number[] {
  return optimizer.paramGroups.map((g) => g.lr);
}

/**
 * Sets each group's learning rate to `initialLr * lrLambda(epoch)`, like `LambdaLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
 * @example new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  /** One function per group. */
  lrLambdas: ((epoch: number) => number)[];

  constructor(
    optimizer: AnyOptimizer,
    lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[],
    opts: SchedulerOptions = {}) {
    const { lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions>('LambdaLR()', opts, ['lastEpoch', 'verbose']);
    super(optimizer);
    const n = optimizer.paramGroups.length;
    if (!Array.isArray(lrLambda)) this.lrLambdas = new Array<(e: number) => number>(n).fill(lrLambda);
    else {
      if (lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    }
    for (const f of this.lrLambdas) if (typeof f !== 'function') throw new TypeError('lr_lambda must be a function');
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }

  /** PyTorch parity: functions are not state; `lr_lambdas` holds the own properties of callable objects (none for plain functions). */
  override stateDict(): Record<string, unknown> {
    const sd = super.stateDict();
    delete sd.lr_lambdas;
    sd.lr_lambdas = this.lrLambdas.map((f) => (Object.keys(f).length ? { ...f } : null));
    return sd;
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    const { lr_lambdas: fns, ...rest } = stateDict;
    super.loadStateDict(rest);
    if (Array.isArray(fns)) fns.forEach((f, i) => f && Object.assign(this.lrLambdas[i]!, f));
  }
}

/**
 * Decays the learning rate by `gamma` every `stepSize` epochs, like `StepLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
 * @example new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor. */
  gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, opts: SchedulerOptions & { gamma?: number } = {}) {
    const { gamma = 0.1, lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions & { gamma?: number }>('StepLR()', opts, ['gamma', 'lastEpoch', 'verbose']);
    super(optimizer);
    this.stepSize = checkNum('stepSize', stepSize);
    this.gamma = checkNum('gamma', gamma);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || pyMod(this.lastEpoch, this.stepSize) !== 0) return currentLrs(this.optimizer);
    return scaled(this.optimizer, this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * pyPow(this.gamma, Math.floor(this.lastEpoch / this.stepSize)));
  }
}

/**
 * Decays the learning rate by `gamma` at each milestone epoch, like `MultiStepLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html
 * @example new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone epoch -> how many times it was listed (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  /** Multiplicative factor. */
  gamma: number;

  constructor(
    optimizer: AnyOptimizer,
    milestones: readonly number[],
    opts: SchedulerOptions & { gamma?: number } = {}) {
    const { gamma = 0.1, lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions & { gamma?: number }>('MultiStepLR()', opts, ['gamma', 'lastEpoch', 'verbose']);
    super(optimizer);
    if (!Array.isArray(milestones)) throw new TypeError('milestones must be an array of integers');
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(checkNum('milestones', m), (this.milestones.get(m) ?? 0) + 1);
    this.gamma = checkNum('gamma', gamma);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return currentLrs(this.optimizer);
    return scaled(this.optimizer, pyPow(this.gamma, count));
  }

  protected override closedFormLr(): number[] {
    const sorted: number[] = [];
    for (const [m, c] of this.milestones) for (let i = 0; i < c; i++) sorted.push(m);
    sorted.sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * pyPow(this.gamma, bisectRight(sorted, this.lastEpoch)));
  }
}

/**
 * Multiplies the learning rate by `factor` until epoch `totalIters`, like `ConstantLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html
 * @example new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 */
export class ConstantLR extends LRScheduler {
  /** The factor applied before `totalIters`. */
  factor: number;
  /** Number of epochs with the reduced rate. */
  totalIters: number;

  constructor(
    optimizer: AnyOptimizer,
    opts: SchedulerOptions & { factor?: number; totalIters?: number } = {}) {
    const { factor = 1.0 / 3, totalIters = 5, lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions & { factor?: number; totalIters?: number }>('ConstantLR()', opts, ['factor', 'totalIters', 'lastEpoch', 'verbose']);
    super(optimizer);
    checkNum('factor', factor);
    if (factor > 1.0 || factor < 0) throw new ValueError('Constant multiplicative factor expected to be between 0 and 1.');
    this.factor = factor;
    this.totalIters = checkNum('totalIters', totalIters);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return scaled(this.optimizer, this.factor);
    if (this.lastEpoch > this.totalIters || this.lastEpoch !== this.totalIters) return currentLrs(this.optimizer);
    return scaled(this.optimizer, 1.0 / this.factor);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/**
 * Scales the learning rate linearly from `startFactor` to `endFactor` over `totalIters` epochs,
 * like `LinearLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html
 * @example new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  startFactor: number;
  /** Factor from epoch `totalIters` on. */
  endFactor: number;
  /** Length of the ramp, in epochs. */
  totalIters: number;

  constructor(
    optimizer: AnyOptimizer,
    opts: SchedulerOptions & { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    const { startFactor = 1.0 / 3, endFactor = 1.0, totalIters = 5, lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions & { startFactor?: number; endFactor?: number; totalIters?: number }>('LinearLR()', opts, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch', 'verbose']);
    super(optimizer);
    checkNum('startFactor', startFactor);
    checkNum('endFactor', endFactor);
    if (startFactor > 1.0 || startFactor < 0) throw new ValueError('Starting multiplicative factor expected to be between 0 and 1.');
    if (endFactor > 1.0 || endFactor < 0) throw new ValueError('Ending multiplicative factor expected to be between 0 and 1.');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = checkNum('totalIters', totalIters);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return scaled(this.optimizer, this.startFactor);
    if (this.lastEpoch > this.totalIters) return currentLrs(this.optimizer);
    const d = this.endFactor - this.startFactor;
    return scaled(this.optimizer, 1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d));
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}

/**
 * Decays the learning rate by `gamma` every epoch, like `ExponentialLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html
 * @example new optim.lrScheduler.ExponentialLR(opt, 0.9);
 */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor per epoch. */
  gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number, opts: SchedulerOptions = {}) {
    const { lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions>('ExponentialLR()', opts, ['lastEpoch', 'verbose']);
    super(optimizer);
    this.gamma = checkNum('gamma', gamma);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return currentLrs(this.optimizer);
    return scaled(this.optimizer, this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * pyPow(this.gamma, this.lastEpoch));
  }
}

/**
 * Cosine annealing from the initial rate down to `etaMin` over `TMax` epochs (and back up,
 * periodically), like `CosineAnnealingLR`. Uses PyTorch's recursive form, so the numbers match
 * PyTorch's exactly, including after the learning rate was changed by hand.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
 * @example new optim.lrScheduler.CosineAnnealingLR(opt, 50, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half period, in epochs. */
  TMax: number;
  /** Minimum learning rate. */
  etaMin: number;

  constructor(optimizer: AnyOptimizer, TMax: number, opts: SchedulerOptions & { etaMin?: number } = {}) {
    const { etaMin = 0, lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions & { etaMin?: number }>('CosineAnnealingLR()', opts, ['etaMin', 'lastEpoch', 'verbose']);
    super(optimizer);
    this.TMax = checkNum('TMax', TMax);
    this.etaMin = checkNum('etaMin', etaMin);
    this.initialize(lastEpoch, verbose);
  }

  getLr(): number[] {
    const { lastEpoch: e, TMax: T, etaMin: eta } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return currentLrs(this.optimizer);
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => eta + ((base - eta) * (1 + cos64((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - cos64(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + cos64((Math.PI * e) / T)) / (1 + cos64((Math.PI * (e - 1)) / T))) * (g.lr - eta) + eta);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + cos64((Math.PI * this.lastEpoch) / this.TMax))) / 2);
  }
}

/** One phase of {@link OneCycleLR}, with PyTorch's keys and group-key names. */
export interface OneCyclePhase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions extends SchedulerOptions {
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number | null;
  /** Number of epochs (with `stepsPerEpoch`). */
  epochs?: number | null;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number | null;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'`. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum (default 0.85). */
  baseMomentum?: number | number[];
  /** Highest momentum (default 0.95). */
  maxMomentum?: number | number[];
  /** initial_lr = max_lr / divFactor (default 25). */
  divFactor?: number;
  /** min_lr = initial_lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Use a third phase that anneals to min_lr (default false). */
  threePhase?: boolean;
}

/**
 * The 1cycle policy, like `OneCycleLR`: the rate rises from `maxLr / divFactor` to `maxLr` and
 * anneals to `initialLr / finalDivFactor`, while momentum (or Adam's beta1) moves the other way.
 * Call `step()` after every batch.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
 * @example new optim.lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 1000 });
 */
export class OneCycleLR extends LRScheduler {
  /** Length of the cycle, in steps. */
  totalSteps: number;
  /** The phases, with PyTorch's keys. */
  _schedulePhases: OneCyclePhase[];
  /** `'cos'` or `'linear'` (PyTorch keeps the bound method here). */
  annealFunc: 'cos' | 'linear';
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Whether the optimizer has `betas` (momentum is beta1); set only with `cycleMomentum`, as in PyTorch. */
  useBeta1?: boolean;

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    super(optimizer);
    const {
      totalSteps = null,
      epochs = null,
      stepsPerEpoch = null,
      pctStart = 0.3,
      annealStrategy = 'cos',
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions<OneCycleLROptions>('OneCycleLR()', options, ['totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch', 'verbose']);
    if (totalSteps === null && epochs === null && stepsPerEpoch === null) {
      throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (totalSteps !== null) {
      if (!Number.isInteger(totalSteps) || totalSteps <= 0) throw new ValueError(`Expected positive integer total_steps, but got ${pyNum(totalSteps)}`);
      this.totalSteps = totalSteps;
    } else {
      if (!Number.isInteger(epochs) || (epochs as number) <= 0) throw new ValueError(`Expected positive integer epochs, but got ${pyNum(epochs)}`);
      if (!Number.isInteger(stepsPerEpoch) || (stepsPerEpoch as number) <= 0) {
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${pyNum(stepsPerEpoch)}`);
      }
      this.totalSteps = (epochs as number) * (stepsPerEpoch as number);
    }
    checkNum('pctStart', pctStart);
    const total = this.totalSteps;
    this._schedulePhases = threePhase
      ? [
          { end_step: pctStart * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: 2 * pctStart * total - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
          { end_step: total - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
        ]
      : [
          { end_step: pctStart * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: total - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        ];
    if (pctStart < 0 || pctStart > 1) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pyNum(pctStart)}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(annealStrategy)}`);
    }
    this.annealFunc = annealStrategy;
    const maxLrs = formatParam('max_lr', optimizer, maxLr);
    checkNum('divFactor', divFactor);
    checkNum('finalDivFactor', finalDivFactor);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, i) => {
        group.initialLr = maxLrs[i]! / divFactor;
        group.maxLr = maxLrs[i]!;
        group.minLr = (group.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      }
      this.useBeta1 = 'betas' in optimizer.defaults;
      const maxMomentums = formatParam('max_momentum', optimizer, maxMomentum);
      const baseMomentums = formatParam('base_momentum', optimizer, baseMomentum);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((group, i) => {
          this.setMomentum(group, maxMomentums[i]!);
          group.maxMomentum = maxMomentums[i]!;
          group.baseMomentum = baseMomentums[i]!;
        });
      }
    }
    this.initialize(lastEpoch, verbose);
  }

  private setMomentum(group: ParamGroup, m: number): void {
    if (this.useBeta1) group.betas = [m, ...(group.betas as number[]).slice(1)];
    else group.momentum = m;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealFunc === 'cos') {
      const cosOut = cos64(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const phases = this._schedulePhases;
    return this.optimizer.paramGroups.map((group) => {
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          const get = (key: string): number => group[toCamel(key)] as number;
          lr = this.anneal(get(phase.start_lr), get(phase.end_lr), pct);
          if (this.cycleMomentum) momentum = this.anneal(get(phase.start_momentum), get(phase.end_momentum), pct);
          break;
        }
        startStep = phase.end_step;
      }
      if (this.cycleMomentum) this.setMomentum(group, momentum);
      return lr;
    });
  }
}

/**
 * Runs schedulers one after another, switching at the milestone epochs, like `SequentialLR`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html
 * @example
 * const warm = new lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const cos = new lrScheduler.CosineAnnealingLR(opt, 45);
 * new lrScheduler.SequentialLR(opt, [warm, cos], [5]);
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in order. */
  _schedulers: LRScheduler[];
  /** Epochs at which the next scheduler takes over. */
  _milestones: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], opts: SchedulerOptions = {}) {
    const { lastEpoch = -1, verbose = false } = checkOptions<SchedulerOptions>('SequentialLR()', opts, ['lastEpoch', 'verbose']);
    super(optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new ValueError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    this._schedulers = schedulers;
    this._milestones = milestones.slice();
    this.lastEpoch = lastEpoch + 1;
    this.verbose = verbose;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0]!.initialStep();
    this._lastLr = schedulers[0]!.getLastLr();
  }

  getLr(): number[] {
    return currentLrs(this.optimizer);
  }

  override step(): void {
    this.lastEpoch++;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const scheduler = this._schedulers[idx]!;
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  /** PyTorch parity: SequentialLR's own state is `_milestones`, `last_epoch`, `_last_lr` and the schedulers' states. */
  override stateDict(): Record<string, unknown> {
    return {
      _milestones: this._milestones.slice(),
      last_epoch: this.lastEpoch,
      _last_lr: this._lastLr.slice(),
      _schedulers: this._schedulers.map((s) => s.stateDict()),
    };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    const { _schedulers: inner, ...rest } = stateDict;
    super.loadStateDict(rest);
    if (Array.isArray(inner)) inner.forEach((s, i) => this._schedulers[i]!.loadStateDict(s as Record<string, unknown>));
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): reduce when the metric stops decreasing; `'max'`: stops increasing. */
  mode?: 'min' | 'max';
  /** New lr = lr * factor (default 0.1). */
  factor?: number;
  /** Epochs without improvement to tolerate (default 10). */
  patience?: number;
  /** Minimum significant change (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default) or `'abs'`. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lower bound on each group's lr (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
  /** Print a message on each reduction (default false). */
  verbose?: boolean;
}

/**
 * Reduces the learning rate when a metric has stopped improving, like `ReduceLROnPlateau`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
 * @example
 * const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 5 });
 * sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  /** Multiplicative factor of a reduction. */
  factor: number;
  /** The optimizer whose groups' `lr` this scheduler sets. */
  optimizer: AnyOptimizer;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Epochs without improvement to tolerate. */
  patience: number;
  /** Print a message on each reduction. */
  verbose: boolean;
  /** Epochs to wait after a reduction. */
  cooldown: number;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** `'min'` or `'max'`. */
  mode: 'min' | 'max';
  /** Minimum significant change. */
  threshold: number;
  /** `'rel'` or `'abs'`. */
  thresholdMode: 'rel' | 'abs';
  /** Best metric so far. */
  best = Infinity;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** The worst value for the mode (inf or -inf). */
  modeWorse = Infinity;
  /** Reductions smaller than this are skipped. */
  eps: number;
  /** Number of `step()` calls. */
  lastEpoch = 0;
  /** @internal learning rates after the last step */
  _lastLr?: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
      verbose = false,
    } = checkOptions<ReduceLROnPlateauOptions>('ReduceLROnPlateau()', options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'verbose']);
    checkNum('factor', factor);
    if (typeof verbose !== 'boolean') throw new TypeError(`verbose must be a boolean, got ${describeValue(verbose)}`);
    if (factor >= 1.0) throw new ValueError('Factor should be < 1.0.');
    this.factor = factor;
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length) {
        throw new ValueError(`expected ${optimizer.paramGroups.length} min_lrs, got ${minLr.length}`);
      }
      this.minLrs = minLr.map((v) => checkNum('minLr', v));
    } else this.minLrs = optimizer.paramGroups.map(() => checkNum('minLr', minLr));
    this.patience = checkNum('patience', patience);
    this.verbose = verbose;
    this.cooldown = checkNum('cooldown', cooldown);
    this.mode = mode;
    this.threshold = checkNum('threshold', threshold);
    this.thresholdMode = thresholdMode;
    this.eps = checkNum('eps', eps);
    this.initIsBetter(mode, threshold, thresholdMode);
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /**
   * Records the metric of one epoch; reduces the learning rates after `patience` bad epochs.
   * @example sched.step(valLoss);
   */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? metrics.item() : Number(metrics);
    if (typeof metrics !== 'number' && !(metrics instanceof Tensor)) {
      throw new TypeError(`metrics must be a number or a one-element Tensor, got ${typeof metrics}`);
    }
    const e = epoch === undefined ? this.lastEpoch + 1 : epoch;
    this.lastEpoch = e;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(e);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = currentLrs(this.optimizer);
  }

  /** The learning rates after the last step (the groups' current ones before any step). */
  getLastLr(): number[] {
    return this._lastLr ? this._lastLr.slice() : currentLrs(this.optimizer);
  }

  private reduceLr(epoch: number): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) {
        group.lr = newLr;
        if (this.verbose) {
          const e = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
          console.log(`Epoch ${e}: reducing learning rate of group ${i} to ${fmt4e(newLr)}.`);
        }
      }
    });
  }

  /** True while cooling down after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best` under the mode and threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min' && this.thresholdMode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    const str = (v: unknown): string => (typeof v === 'string' ? v : describeValue(v));
    if (mode !== 'min' && mode !== 'max') throw new ValueError(`mode ${str(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new ValueError(`threshold mode ${str(thresholdMode)} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  /** The scheduler's state under PyTorch's names (every attribute except the optimizer). */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || v === undefined) continue;
      out[toSnake(k)] = copyData(v);
    }
    return out;
  }

  /** Restores a state from `stateDict()` (or PyTorch's). */
  loadStateDict(stateDict: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(stateDict)) if (k !== 'optimizer') (this as Record<string, unknown>)[toCamel(k)] = copyData(v);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
