/**
 * The optimizer base class, like `torch.optim.Optimizer` (PyTorch 1.13): parameter groups with
 * per-group options, per-parameter state, `zeroGrad`, `step(closure)`, and a state dict with
 * PyTorch's structure and key names.
 *
 * Naming: options and `paramGroups` keys are camelCase (`weightDecay`, `initialLr`); the state dict
 * is data, so its keys are PyTorch's snake_case (`weight_decay`, `initial_lr`, `exp_avg`).
 */
import '../ops/methods.js';
import { checkOptions, describeValue, pyTypeName } from '../validate.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { NotImplementedError, RuntimeError, ValueError } from '../errors.js';
import { type FloatArray, isFloating, legacyTypeName } from '../tensor/dtype.js';
import { tensor } from '../tensor/factories.js';
import { dense, denseInPlace } from '../ops/util.js';
import { Tensor } from '../tensor/tensor.js';
import { pyFloat } from '../format.js';

export { pyFloat };

/**
 * One parameter group: the tensors it optimizes plus its own copy of every option.
 * @example opt.paramGroups[0].lr = 0.01;
 */
export interface ParamGroup {
  /** The tensors this group updates. */
  params: Tensor[];
  /** Learning rate. */
  lr: number;
  /** Other options (camelCase), including keys that schedulers add (`initialLr`, ...). */
  [option: string]: unknown;
}

/** The named options of a group type (its declared keys except `params`, without the index signature). */
export type GroupOptions<G extends ParamGroup> = {
  [K in keyof G as string extends K ? never : number extends K ? never : K extends 'params' ? never : K]: G[K];
};

/** A parameter group as passed to a constructor or `addParamGroup`: options omitted take the defaults. */
export type ParamGroupInput<G extends ParamGroup = ParamGroup> = {
  params: Tensor | Iterable<Tensor>;
} & Partial<GroupOptions<G>> &
  Record<string, unknown>;

/** What an optimizer constructor accepts: tensors, or parameter groups. */
export type Params<G extends ParamGroup = ParamGroup> = Iterable<Tensor> | Iterable<ParamGroupInput<G>>;

/**
 * An optimizer's state dict: PyTorch's `{state, param_groups}`. `state` maps a parameter's index
 * (in group order) to its state (`exp_avg`, `step`, ...); each group lists its parameters' indices.
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by parameter index. */
  state: Map<number, Record<string, unknown>>;
  /** Group options under PyTorch's names, with `params` holding indices. */
  param_groups: Record<string, unknown>[];
}

/** `camelCase` -> `snake_case` for option names (`weightDecay` -> `weight_decay`). */
export function toSnake(key: string): string {
  // a capital after a letter or digit starts a word; a leading capital stays (`TMax` -> `T_max`)
  return key.replace(/(?<=[A-Za-z0-9])[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `snake_case` -> `camelCase` for option names (`initial_lr` -> `initialLr`). */
export function toCamel(key: string): string {
  // leading underscores stay (`_step_count` -> `_stepCount`)
  return key.replace(/(?<=[A-Za-z0-9])_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}


/** Python's `repr` of an option value, for `toString()`. */
function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : pyFloat(v);
  if (Array.isArray(v)) return `(${v.map(pyValue).join(', ')})`;
  return String(v);
}

/** Name of a JS value's type for error messages. */
function typeName(v: unknown): string {
  if (v instanceof Tensor) return legacyTypeName(v.dtype);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? typeof v : pyTypeName(v);
}

/** Throws a TypeError unless `v` has type `kind` (hyper-parameters from untyped callers). @internal */
export function checkOption(name: string, v: unknown, kind: 'number' | 'boolean'): void {
  if (typeof v !== kind) throw new TypeError(`${name} must be a ${kind}, got ${describeValue(v)}`);
}

/** Throws a TypeError unless `betas` is a pair of numbers. @internal */
export function checkBetas(v: unknown): asserts v is [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
    throw new TypeError(`betas must be a pair of numbers [beta1, beta2], got ${describeValue(v)}`);
  }
}

// ---------------------------------------------------------------- arrays for the update routines

/**
 * Runs an update routine on the parameter `p` in place and records the change (bumps its version,
 * as an in-place op does): on its own memory when contiguous, else on a contiguous copy that is
 * then written back.
 * @internal
 */
export function updateParam(p: Tensor, update: (param: FloatArray) => void): void {
  const { data, writeBack } = denseInPlace(p);
  update(data as FloatArray);
  writeBack();
  p._vc.version++;
}

/**
 * The elements of a state tensor (`exp_avg`, ...) for an update routine to update in place: its
 * own storage, checked against the parameter (a loaded state dict may hold anything).
 * @internal
 */
export function stateArray(t: unknown, p: Tensor, key: string): FloatArray {
  if (!(t instanceof Tensor) || t.numel() !== p.numel() || t.dtype !== p.dtype || !t.isContiguous()) {
    throw new RuntimeError(
      `optimizer state '${key}' must be a contiguous ${p.dtype} tensor of shape [${p.shape.join(', ')}]`,
    );
  }
  return dense(t);
}

/** Records an in-place change of state tensors that an update routine wrote. @internal */
export function bumpVersion(...ts: (Tensor | null | undefined)[]): void {
  for (const t of ts) if (t) t._vc.version++;
}

/**
 * The gradient of `p` for an update loop (null when it has none), in `p`'s dtype.
 * @internal
 */
export function gradOf(p: Tensor, who: string): Tensor | null {
  const g = p.grad;
  if (g === null) return null;
  if (!isFloating(p.dtype)) throw new RuntimeError(`${who}: can only optimize floating point tensors, got ${p.dtype}`);
  if (g.numel() !== p.numel()) {
    throw new RuntimeError(`${who}: the gradient has ${g.numel()} elements but the parameter has ${p.numel()}`);
  }
  return g.dtype === p.dtype ? g : g.to(p.dtype);
}

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter

/** a * b as an unevaluated sum hi + lo (Dekker's two-product, exact without over/underflow). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/**
 * `base ** exp` as Python computes it with C's `pow` (correctly rounded in practice). V8's `**`
 * is off by one ulp for a few percent of integer powers (`0.9 ** 7`), so integer exponents use
 * exponentiation by squaring in double-double arithmetic, rounded once.
 * @internal
 */
export function pyPow(base: number, exp: number): number {
  if (!Number.isInteger(exp) || exp < 0 || exp > 2 ** 30 || !Number.isFinite(base) || base === 0) return base ** exp;
  let n = exp;
  let rh = 1;
  let rl = 0;
  let xh = base;
  let xl = 0;
  while (n > 0) {
    if (n % 2 === 1) {
      const [p, e] = twoProd(rh, xh);
      const lo = e + (rh * xl + rl * xh);
      rh = p + lo;
      rl = lo - (rh - p);
    }
    n = Math.floor(n / 2);
    if (n > 0) {
      const [p, e] = twoProd(xh, xh);
      const lo = e + 2 * xh * xl;
      xh = p + lo;
      xl = lo - (xh - p);
    }
  }
  return rh + rl;
}

/** A 0-d float32 step counter holding `v`, like `torch.tensor(0.)`. @internal */
export function stepTensor(v = 0): Tensor {
  return tensor(v, { dtype: 'float32' });
}

/**
 * Adds one to a step counter kept as a 0-d tensor (PyTorch's `step_t += 1`) and returns its value
 * (`step_t.item()`).
 * @internal
 */
export function incrementStep(step: Tensor): number {
  noGrad(() => step.add_(1));
  return step.item();
}

// ---------------------------------------------------------------- the base class

/**
 * Base class of all optimizers, like `torch.optim.Optimizer`. Subclasses supply `defaults` and
 * `updateGroup(group)`, which applies one update to the group's parameters that have a gradient.
 *
 * See https://pytorch.org/docs/stable/optim.html#torch.optim.Optimizer
 * @example
 * const opt = new optim.SGD([w, b], { lr: 0.1 });
 * opt.zeroGrad(); loss(w, b).backward(); opt.step();
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup, S extends object = Record<string, unknown>> {
  /** Default options, used for keys a group does not set. */
  readonly defaults: GroupOptions<G>;
  /** The parameter groups, in order. Change `lr` etc. here (schedulers do). */
  paramGroups: G[] = [];
  /** Per-parameter state (`exp_avg`, `step`, ...), keyed by the parameter tensor. */
  state = new Map<Tensor, S>();
  /** @internal number of `step()` calls since the last scheduler was attached */
  _stepCount = 0;

  /**
   * The state of `p`, made by `init` on the parameter's first update (PyTorch's
   * `if len(state) == 0:` block).
   * @internal
   */
  protected stateFor(p: Tensor, init: () => S): S {
    let st = this.state.get(p);
    if (st === undefined) {
      st = init();
      this.state.set(p, st);
    }
    return st;
  }

  constructor(params: Params<G>, defaults: GroupOptions<G>) {
    const foreach = (defaults as { foreach?: unknown }).foreach;
    if (foreach !== undefined && foreach !== null) checkOption('foreach', foreach, 'boolean');
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${legacyTypeName(params.dtype)}`,
      );
    }
    if (params === null || typeof params !== 'object' || typeof (params as any)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`);
    }
    let groups = Array.from(params as Iterable<unknown>);
    if (groups.length === 0) throw new ValueError('optimizer got an empty parameter list');
    const first = groups[0];
    if (first instanceof Tensor || first === null || typeof first !== 'object' || Array.isArray(first)) {
      groups = [{ params: groups }];
    }
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<G>);
  }

  /**
   * Adds a parameter group; options it omits take the defaults, like `add_param_group`.
   * @example opt.addParamGroup({ params: [head.weight], lr: 1e-3 });
   */
  addParamGroup(paramGroup: ParamGroupInput<G>): void {
    if (paramGroup === null || typeof paramGroup !== 'object' || paramGroup instanceof Tensor || Array.isArray(paramGroup)) {
      throw new TypeError('param group must be a dict');
    }
    const raw = paramGroup.params as unknown;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw instanceof Set) {
      throw new TypeError(
        'optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.',
      );
    } else if (raw !== null && typeof raw === 'object' && typeof (raw as any)[Symbol.iterator] === 'function') {
      params = Array.from(raw as Iterable<unknown>);
    } else {
      throw new TypeError(`param group 'params' must be a Tensor or an iterable of Tensors, got ${typeName(raw)}`);
    }
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      }
      if (!(p.isLeaf || p._retainsGrad)) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group: Record<string, unknown> = { ...paramGroup, params };
    for (const [name, def] of Object.entries(this.defaults)) {
      if (def === undefined && group[name] === undefined) {
        throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${toSnake(name)}`);
      }
      if (group[name] === undefined) group[name] = Array.isArray(def) ? def.slice() : def;
      else this.checkGroupOption(name, group[name], def);
    }
    if (new Set(params).size !== params.length) {
      console.warn(
        'optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if ((params as Tensor[]).some((p) => seen.has(p))) {
      throw new ValueError('some parameters appear in more than one parameter group');
    }
    this.paramGroups.push(group as G);
  }

  /** Type checks of a group's own option value against its default (untyped callers). */
  protected checkGroupOption(name: string, v: unknown, def: unknown): void {
    if (name === 'betas') checkBetas(v);
    else if (typeof def === 'number' || name === 'lr') checkOption(name, v, 'number');
    else if (typeof def === 'boolean' && name !== 'foreach') checkOption(name, v, 'boolean');
    else if (name === 'foreach' && v !== null) checkOption(name, v, 'boolean');
  }

  /**
   * Resets the gradients of all optimized tensors: to `null` by default (PyTorch 2's default),
   * or to zeros with `setToNone: false`.
   * @example opt.zeroGrad();
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const o = checkOptions<{ setToNone?: boolean }>('zeroGrad()', opts, ['setToNone']);
    const setToNone = o.setToNone === undefined ? true : o.setToNone;
    checkOption('setToNone', setToNone, 'boolean');
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        // PyTorch: p.grad.detach_() or p.grad.requires_grad_(False), then zero_()
        g.gradFn = null;
        g._requiresGrad = false;
        noGrad(() => g.zero_());
      }
    }
  }

  /**
   * Performs one update of every parameter that has a gradient. `closure` re-evaluates the loss
   * (with grad mode on) before the update; its result is returned, like PyTorch.
   * @example const loss = opt.step(() => { opt.zeroGrad(); const l = f(w); l.backward(); return l; });
   */
  step<L = Tensor>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw new TypeError(`closure must be a function, got ${typeName(closure)}`);
      loss = enableGrad(closure);
    }
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    this._stepCount++;
    return loss;
  }

  /** Updates the parameters of one group that have a gradient. Runs under `noGrad`. */
  protected abstract updateGroup(group: G): void;

  /**
   * The optimizer state as PyTorch's `state_dict()`: `{state, param_groups}` with snake_case keys.
   * Parameters are numbered in group order; state tensors are shared, not copied (like PyTorch).
   * @example const sd = opt.stateDict(); sd.param_groups[0].lr
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k !== 'params') packed[toSnake(k)] = Array.isArray(v) ? v.slice() : v;
      }
      group.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = group.params.map((p) => index.get(p)!);
      start += group.params.length;
      return packed;
    });
    const state = new Map<number, Record<string, unknown>>();
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state.set(i, { ...(s as Record<string, unknown>) });
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict from `stateDict()` (or PyTorch's, e.g. via `torch.load`): copies the state,
   * casting floating tensors to each parameter's dtype (except `step`), and takes the group options.
   * @example opt.loadStateDict(saved);
   */
  loadStateDict(stateDict: OptimizerStateDict | { state: Record<string | number, Record<string, unknown>>; param_groups: Record<string, unknown>[] }): void {
    if (stateDict === null || typeof stateDict !== 'object' || !Array.isArray(stateDict.param_groups)) {
      throw new TypeError('state_dict must be an object with "state" and "param_groups"');
    }
    const groups = this.paramGroups;
    const saved = stateDict.param_groups;
    if (groups.length !== saved.length) throw new ValueError('loaded state dict has a different number of parameter groups');
    for (let i = 0; i < groups.length; i++) {
      const sp = saved[i]!.params;
      if (!Array.isArray(sp) || sp.length !== groups[i]!.params.length) {
        throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => (g.params as number[]).forEach((id, j) => idMap.set(Number(id), groups[i]!.params[j]!)));

    const entries: [number, Record<string, unknown>][] =
      stateDict.state instanceof Map
        ? Array.from(stateDict.state.entries(), ([k, v]) => [Number(k), v])
        : Object.entries(stateDict.state ?? {}).map(([k, v]) => [Number(k), v]);
    const state = new Map<Tensor, S>();
    for (const [k, v] of entries) {
      const p = idMap.get(k);
      if (p === undefined) continue; // Deviation: state not assigned to a parameter is dropped
      const s: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(v)) s[key] = castState(p, value, key);
      state.set(p, s as S);
    }
    this.paramGroups = groups.map((g, i) => {
      const ng: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved[i]!)) {
        if (k !== 'params') ng[toCamel(k)] = Array.isArray(v) ? v.slice() : v;
      }
      ng.params = g.params;
      return ng as G;
    });
    this.state = state;
  }

  /** PyTorch's `repr`: the class name and each group's options, sorted by name. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((group, i) => {
      s += `\nParameter Group ${i}\n`;
      const keys = Object.keys(group)
        .filter((k) => k !== 'params')
        .map((k) => [toSnake(k), k] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [snake, k] of keys) s += `    ${snake}: ${pyValue(group[k])}\n`;
    });
    return `${s})`;
  }
}

/** A deep copy of a loaded state value, with floating tensors in the parameter's dtype (not `step`). */
function castState(p: Tensor, value: unknown, key?: string): unknown {
  if (value instanceof Tensor) {
    let t = value.detach();
    if (key !== 'step' && isFloating(p.dtype) && t.dtype !== p.dtype) t = t.to(p.dtype);
    return t.clone();
  }
  if (Array.isArray(value)) return value.map((v) => castState(p, v));
  if (value instanceof Map) return new Map(Array.from(value, ([k, v]) => [k, castState(p, v, String(k))]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = castState(p, v, k);
    return out;
  }
  return value;
}

/** Reads a step counter stored as a tensor (PyTorch >= 1.12) or a number (older state dicts). @internal */
export function asStepTensor(v: unknown): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'number') return stepTensor(v);
  throw new RuntimeError(`optimizer state 'step' must be a Tensor or a number, got ${typeName(v)}`);
}

/** Thrown for options torchlet does not implement (`differentiable=True`, CUDA-only ones). @internal */
export function unsupported(what: string): never {
  throw new NotImplementedError(what);
}
