/**
 * `torch.nn.utils.prune` (PyTorch 1.13): pruning a parameter `name` keeps the original values as
 * the parameter `name_orig`, a 0/1 buffer `name_mask`, and a forward pre-hook that recomputes
 * `module[name] = name_mask * name_orig` (a plain attribute) before every call of the module.
 * Pruning the same parameter again combines the masks through a `PruningContainer`, as PyTorch
 * does; `remove` makes the pruning permanent. `randomUnstructured` draws from the default
 * generator exactly as PyTorch's does (`rand_like`, then `topk`).
 *
 * Deviation: JavaScript has one number type, so `amount` is a count of parameters when it is a
 * whole number and a fraction otherwise: PyTorch's `amount=1.0` (prune everything) is written as
 * the count (`numel`), and `1` prunes one parameter as in PyTorch.
 * See https://pytorch.org/docs/1.13/nn.html#utilities
 */
import { noGrad } from '../../autograd/grad-mode.js';
import { AssertionError, ValueError } from '../../errors.js';
import { pyFloat } from '../../format.js';
import { onesLike, randLike } from '../../tensor/factories.js';
import { Tensor, sameShape } from '../../tensor/tensor.js';
import { checkTensor } from '../../ops/util.js';
import { describeValue } from '../../validate.js';
import { AttributeError, KeyError, type Module } from '../module.js';
import type { Parameter } from '../parameter.js';

type Attrs = Record<string, unknown>;

/** The pruning method behind each pre-hook this file registered (PyTorch finds them by isinstance). */
const HOOKS = new WeakMap<object, BasePruningMethod>();

/** How a method's mask combines with an earlier one (PyTorch's `PRUNING_TYPE`). */
export type PruningType = 'unstructured' | 'structured' | 'global';

function attr(module: Module, name: string): unknown {
  const m = module as unknown as Attrs;
  if (!(name in m) || m[name] === undefined) throw new AttributeError(`'${module._getName()}' object has no attribute '${name}'`);
  return m[name];
}

/** Python's `round` (halves to even), as `_compute_nparams_toprune` uses it. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** `amount` as Python's str() prints it. */
function amountStr(amount: number): string {
  return Number.isInteger(amount) ? String(amount) : pyFloat(amount);
}

/** PyTorch's `_validate_pruning_amount_init`: a non-negative count or a fraction in [0, 1]. */
function validateAmountInit(amount: unknown): number {
  if (typeof amount !== 'number') {
    // Python's str(amount)
    const str = amount === null || amount === undefined ? 'None' : typeof amount === 'string' ? amount : describeValue(amount);
    throw new TypeError(`Invalid type for amount: ${str}. Must be int or float.`);
  }
  if ((Number.isInteger(amount) && amount < 0) || (!Number.isInteger(amount) && (amount > 1 || amount < 0))) {
    throw new ValueError(`amount=${amountStr(amount)} should either be a float in the range [0, 1] or a non-negative integer`);
  }
  return amount;
}

/** PyTorch's `_compute_nparams_toprune` and `_validate_pruning_amount`. */
function nparamsToPrune(amount: number, size: number): number {
  const n = Number.isInteger(amount) ? amount : roundHalfEven(amount * size);
  if (n > size) throw new ValueError(`amount=${n} should be smaller than the number of parameters to prune=${size}`);
  return n;
}

/**
 * The base of pruning methods, like `torch.nn.utils.prune.BasePruningMethod`: a subclass
 * implements `computeMask(t, defaultMask)` and declares its `pruningType`; `applyPruning` (what
 * each method's static `apply` calls) installs it on a module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.BasePruningMethod.html
 * @example
 * class EveryOther extends prune.BasePruningMethod {
 *   readonly pruningType = 'unstructured';
 *   computeMask(t: Tensor, defaultMask: Tensor) { const m = defaultMask.clone(); m.view(-1).narrow(0, 0, 1).zero_(); return m; }
 * }
 */
export abstract class BasePruningMethod {
  /** How the mask combines with an earlier pruning of the same parameter. */
  abstract readonly pruningType: PruningType;
  /** The pruned parameter's name, set when the method is applied. */
  tensorName: string | null = null;

  /** The mask (1 keeps, 0 prunes) for `t`, given the mask of earlier pruning. */
  abstract computeMask(t: Tensor, defaultMask: Tensor): Tensor;

  /** `module[name_mask] * module[name_orig]` (the mask cast to the parameter's dtype). */
  applyMask(module: Module): Tensor {
    if (this.tensorName === null) throw new AssertionError(`Module ${module.toString()} has to be pruned`);
    const mask = attr(module, `${this.tensorName}_mask`) as Tensor;
    const orig = attr(module, `${this.tensorName}_orig`) as Tensor;
    return mask.to(orig.dtype).mul(orig);
  }

  /** `t * computeMask(importanceScores ?? t, defaultMask ?? ones)`, without a module. */
  prune(t: Tensor, defaultMask: Tensor | null = null, importanceScores: Tensor | null = null): Tensor {
    checkTensor("prune(): argument 't'", t);
    if (importanceScores !== null && !sameShape(importanceScores.shape, t.shape)) {
      throw new AssertionError('importance_scores should have the same shape as tensor t');
    }
    return t.mul(this.computeMask(importanceScores ?? t, defaultMask ?? onesLike(t)));
  }

  /**
   * Makes the pruning permanent: `name` becomes a parameter again (registered last) holding the
   * pruned values, and `name_orig` and `name_mask` are removed.
   */
  remove(module: Module): void {
    if (this.tensorName === null) throw new AssertionError(`Module ${module.toString()} has to be pruned before pruning can be removed`);
    const name = this.tensorName;
    const weight = this.applyMask(module);
    const m = module as unknown as Attrs;
    if (name in m) delete m[name];
    const orig = module._parameters.get(`${name}_orig`);
    if (!orig) throw new KeyError(`'${name}_orig'`);
    orig.data = weight.data;
    // deleting through the module's proxy unregisters the parameter and the buffer too
    delete m[`${name}_orig`];
    delete m[`${name}_mask`];
    m[name] = orig;
  }
}

/**
 * Several pruning methods applied in turn to one parameter, like
 * `torch.nn.utils.prune.PruningContainer`: the last method prunes what the earlier ones kept
 * (unstructured), or the whole tensor (global).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.PruningContainer.html
 * @example
 * prune.l1Unstructured(m, 'weight', 0.2); prune.l1Unstructured(m, 'weight', 0.2); // a container of two
 */
export class PruningContainer extends BasePruningMethod {
  readonly pruningType = 'unstructured';
  /** The methods, in the order they were applied. */
  readonly pruningMethods: BasePruningMethod[] = [];

  constructor(...methods: BasePruningMethod[]) {
    super();
    if (methods.length === 1) this.tensorName = methods[0]!.tensorName;
    for (const m of methods) this.addPruningMethod(m);
  }

  /** Adds a method acting on the same parameter. */
  addPruningMethod(method: BasePruningMethod): void {
    if (!(method instanceof BasePruningMethod)) throw new TypeError(`${describeValue(method)} is not a BasePruningMethod subclass`);
    if (this.tensorName !== method.tensorName) {
      throw new ValueError(
        `Can only add pruning methods acting on the parameter named '${this.tensorName}' to PruningContainer. Found '${method.tensorName}'`,
      );
    }
    this.pruningMethods.push(method);
  }

  /** The number of methods. */
  get length(): number {
    return this.pruningMethods.length;
  }

  /** The last method's mask, computed on the entries the earlier masks kept. */
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    const method = this.pruningMethods[this.pruningMethods.length - 1]!;
    const newMask = defaultMask.to(t.dtype);
    if (method.pruningType === 'global') return method.computeMask(t, defaultMask).to(newMask.dtype);
    if (method.pruningType !== 'unstructured') throw new ValueError(`Unrecognized PRUNING_TYPE ${method.pruningType}`);
    const slc = defaultMask.eq(1);
    const partial = method.computeMask(t.maskedSelect(slc), defaultMask.maskedSelect(slc));
    return newMask.maskedScatter_(slc, partial.to(newMask.dtype));
  }
}

/**
 * Leaves every entry (the mask is all ones), like `torch.nn.utils.prune.Identity`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.Identity.html
 * @example prune.Identity.apply(m, 'weight');
 */
export class Identity extends BasePruningMethod {
  readonly pruningType = 'unstructured';

  computeMask(_t: Tensor, defaultMask: Tensor): Tensor {
    return defaultMask;
  }

  /** Prunes `module[name]` with this method. */
  static override apply(module: Module, name: string): Identity {
    return applyPruning(module, name, new Identity()) as Identity;
  }
}

/**
 * The base of the unstructured methods that prune `amount` entries (a count if a whole number,
 * else a fraction of the entries, rounded half to even): the mask is the default mask with the
 * entries `select(t, n)` picks set to 0.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.L1Unstructured.html
 * @example new prune.L1Unstructured(0.3).amount // 0.3
 */
export abstract class AmountPruningMethod extends BasePruningMethod {
  readonly pruningType = 'unstructured';
  /** A count of entries (whole number) or a fraction. */
  readonly amount: number;

  constructor(amount: number) {
    super();
    this.amount = validateAmountInit(amount);
  }

  /** The flat indices of the `n` entries of `t` to prune. */
  protected abstract select(t: Tensor, n: number): Tensor;

  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    const n = nparamsToPrune(this.amount, t.numel());
    return noGrad(() => {
      const mask = defaultMask.contiguous().clone();
      // PyTorch parity: nothing to prune means no topk and, for the random method, no draws
      if (n !== 0) mask.view(-1).indexFill_(0, this.select(t, n), 0);
      return mask;
    });
  }
}

/**
 * Prunes `amount` entries chosen at random, like `torch.nn.utils.prune.RandomUnstructured`:
 * `rand_like(t)` from the default generator, then the `amount` largest draws are pruned.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.RandomUnstructured.html
 * @example prune.RandomUnstructured.apply(m, 'weight', 0.3);
 */
export class RandomUnstructured extends AmountPruningMethod {
  protected select(t: Tensor, n: number): Tensor {
    return randLike(t).view(-1).topk(n)[1];
  }

  /** Prunes `module[name]` with this method. */
  static override apply(module: Module, name: string, amount: number): RandomUnstructured {
    return applyPruning(module, name, new RandomUnstructured(amount)) as RandomUnstructured;
  }
}

/**
 * Prunes the `amount` entries of smallest absolute value, like
 * `torch.nn.utils.prune.L1Unstructured` (`topk(abs(t), amount, largest=False)`, ties as PyTorch's topk).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.L1Unstructured.html
 * @example prune.L1Unstructured.apply(m, 'weight', 0.3);
 */
export class L1Unstructured extends AmountPruningMethod {
  protected select(t: Tensor, n: number): Tensor {
    return t.abs().view(-1).topk(n, -1, false)[1];
  }

  /** Prunes `module[name]` with this method (ranked by `importanceScores` when given). */
  static override apply(module: Module, name: string, amount: number, importanceScores: Tensor | null = null): L1Unstructured {
    return applyPruning(module, name, new L1Unstructured(amount), importanceScores) as L1Unstructured;
  }
}

/**
 * Prunes where a given mask is 0, like `torch.nn.utils.prune.CustomFromMask`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.CustomFromMask.html
 * @example prune.CustomFromMask.apply(m, 'bias', torch.tensor([0, 1, 1]));
 */
export class CustomFromMask extends BasePruningMethod {
  readonly pruningType = 'global';
  /** The mask to apply. */
  readonly mask: Tensor;

  constructor(mask: Tensor) {
    super();
    this.mask = checkTensor("CustomFromMask(): argument 'mask'", mask);
  }

  computeMask(_t: Tensor, defaultMask: Tensor): Tensor {
    if (!sameShape(defaultMask.shape, this.mask.shape)) throw new AssertionError('');
    return noGrad(() => defaultMask.mul(this.mask.to(defaultMask.dtype)));
  }

  /** Prunes `module[name]` with this method. */
  static override apply(module: Module, name: string, mask: Tensor): CustomFromMask {
    return applyPruning(module, name, new CustomFromMask(mask)) as CustomFromMask;
  }
}

/**
 * Installs pruning `method` on parameter `name` of `module`, like
 * `BasePruningMethod.apply`: the first pruning moves the parameter to `name_orig` (registered
 * last), registers the mask buffer `name_mask` and the forward pre-hook; pruning an already
 * pruned parameter replaces its hook by a `PruningContainer` of the old and new methods, whose
 * mask prunes within the old one. Returns the method in effect (the container when combined).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.BasePruningMethod.html
 * @example prune.applyPruning(m, 'weight', new prune.L1Unstructured(2));
 */
export function applyPruning(module: Module, name: string, method: BasePruningMethod, importanceScores: Tensor | null = null): BasePruningMethod {
  if (typeof name !== 'string') throw new TypeError(`prune: argument 'name' must be a string, got ${describeValue(name)}`);
  let old: BasePruningMethod | null = null;
  for (const [k, hook] of [...module._forwardPreHooks]) {
    const h = HOOKS.get(hook);
    if (h && h.tensorName === name) {
      old = h;
      module._forwardPreHooks.delete(k);
    }
  }
  method.tensorName = name;
  if (old instanceof PruningContainer) {
    old.addPruningMethod(method);
    method = old;
  } else if (old) {
    const container = new PruningContainer(old);
    container.addPruningMethod(method);
    method = container;
  }
  const m = module as unknown as Attrs;
  const orig = attr(module, name) as Tensor;
  if (importanceScores !== null) {
    checkTensor("prune: argument 'importanceScores'", importanceScores);
    if (!sameShape(importanceScores.shape, orig.shape)) {
      // PyTorch parity: the message's run of spaces comes from a line continuation in prune.py
      throw new AssertionError(`importance_scores should have the same shape as parameter                 ${name} of ${module.toString()}`);
    }
  }
  const scores = importanceScores ?? orig;
  const container = method instanceof PruningContainer;
  let defaultMask: Tensor;
  if (!container) {
    module.registerParameter(`${name}_orig`, orig as Parameter);
    delete m[name];
    defaultMask = onesLike(orig);
  } else {
    defaultMask = (attr(module, `${name}_mask`) as Tensor).detach().clone();
  }
  try {
    const mask = method.computeMask(scores, defaultMask);
    module.registerBuffer(`${name}_mask`, mask);
    m[name] = method.applyMask(module);
    const hook = (mod: Module): void => {
      (mod as unknown as Attrs)[name] = HOOKS.get(hook)!.applyMask(mod);
    };
    HOOKS.set(hook, method);
    module.registerForwardPreHook(hook);
  } catch (e) {
    if (!container) {
      const o = attr(module, `${name}_orig`) as Parameter;
      if (name in m) delete m[name];
      delete m[`${name}_orig`];
      module.registerParameter(name, o);
    }
    throw e;
  }
  return method;
}

/**
 * Makes `module[name]` a pruned parameter whose mask is all ones, like
 * `torch.nn.utils.prune.identity`. Returns the module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.identity.html
 * @example prune.identity(new nn.Linear(2, 3), 'bias').bias_mask // tensor([1., 1., 1.])
 */
export function identity<M extends Module>(module: M, name: string): M {
  Identity.apply(module, name);
  return module;
}

/**
 * Prunes `amount` entries of `module[name]` chosen at random (a count if a whole number, else a
 * fraction of the entries, rounded half to even), like `torch.nn.utils.prune.random_unstructured`,
 * with PyTorch's draws from the default generator. Returns the module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.random_unstructured.html
 * @example torch.manualSeed(0); prune.randomUnstructured(m, 'weight', 0.3);
 */
export function randomUnstructured<M extends Module>(module: M, name: string, amount: number): M {
  RandomUnstructured.apply(module, name, amount);
  return module;
}

/** Options of {@link l1Unstructured}. */
export interface L1UnstructuredOptions {
  /** Rank the entries by these scores (same shape as the parameter) instead of the parameter. */
  importanceScores?: Tensor | null;
}

/**
 * Prunes the `amount` entries of `module[name]` with the smallest absolute value (a count if a
 * whole number, else a fraction of the entries, rounded half to even), like
 * `torch.nn.utils.prune.l1_unstructured`. Returns the module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.l1_unstructured.html
 * @example prune.l1Unstructured(m, 'weight', 0.2); m.weight_mask // 0 where pruned
 */
export function l1Unstructured<M extends Module>(module: M, name: string, amount: number, opts: L1UnstructuredOptions = {}): M {
  L1Unstructured.apply(module, name, amount, opts.importanceScores ?? null);
  return module;
}

/**
 * Prunes `module[name]` where `mask` is 0, like `torch.nn.utils.prune.custom_from_mask`.
 * Returns the module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.custom_from_mask.html
 * @example prune.customFromMask(m, 'bias', torch.tensor([0, 1, 1]));
 */
export function customFromMask<M extends Module>(module: M, name: string, mask: Tensor): M {
  CustomFromMask.apply(module, name, mask);
  return module;
}

/**
 * Makes the pruning of `module[name]` permanent, like `torch.nn.utils.prune.remove`: `name` is
 * a parameter again holding the pruned values; `name_orig`, `name_mask` and the hook are gone.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.remove.html
 * @example prune.remove(prune.l1Unstructured(m, 'weight', 2), 'weight');
 */
export function remove<M extends Module>(module: M, name: string): M {
  for (const [k, hook] of module._forwardPreHooks) {
    const method = HOOKS.get(hook);
    if (method && method.tensorName === name) {
      method.remove(module);
      module._forwardPreHooks.delete(k);
      return module;
    }
  }
  throw new ValueError(`Parameter '${name}' of module ${module.toString()} has to be pruned before pruning can be removed`);
}

/**
 * Whether `module` or any of its submodules has a pruned parameter, like
 * `torch.nn.utils.prune.is_pruned`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.prune.is_pruned.html
 * @example prune.isPruned(model) // false
 */
export function isPruned(module: Module): boolean {
  for (const sub of module.modules()) {
    for (const hook of sub._forwardPreHooks.values()) if (HOOKS.has(hook)) return true;
  }
  return false;
}
