/**
 * Weight normalization, like `torch.nn.utils.weight_norm` / `remove_weight_norm` (PyTorch 1.13):
 * a parameter `w` is replaced by a magnitude `w_g` and a direction `w_v`, and a forward pre-hook
 * recomputes `w = w_g * w_v / ||w_v||` (norms over every dim but `dim`) before every call of the
 * module. The recomputed weight is a plain attribute; recurrent layers read their weights by name
 * at every forward (`RNNBase.flatWeights`), so `weightNorm(lstm, 'weight_hh_l0')` works as in
 * PyTorch, where `RNNBase.__setattr__` refreshes `_flat_weights`.
 * See https://arxiv.org/abs/1602.07868
 */
import { noGrad } from '../../autograd/grad-mode.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../../ops/util.js';
import { AttributeError, KeyError, type Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { describeValue } from '../../validate.js';

/**
 * The `pow`-norm of `v` over every dim but `dim`, shaped to broadcast against `v` (size 1 on the
 * other dims), like `torch.norm_except_dim`. PyTorch parity: `dim = -1` means the norm over all
 * elements (a 0-d result), not over the last dim.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 * @example torch.normExceptDim(torch.ones(3, 4), 2, 0) // [3, 1], each 2
 */
export function normExceptDim(v: Tensor, pow = 2, dim = 0): Tensor {
  checkTensor('norm_except_dim(): argument \'v\'', v);
  if (typeof pow !== 'number' || typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TypeError(`norm_except_dim(): expected numbers pow and dim, got ${describeValue(pow)} and ${describeValue(dim)}`);
  }
  if (dim === -1) return v.norm(pow);
  const nd = v.dim();
  const size = new Array<number>(nd).fill(1);
  if (dim === 0) {
    size[0] = v.shape[0]!;
    return v.contiguous().view([v.shape[0]!, -1]).norm(pow, 1).view(size);
  }
  if (dim === nd - 1) {
    size[nd - 1] = v.shape[nd - 1]!;
    return v.contiguous().view([-1, v.shape[nd - 1]!]).norm(pow, 0).view(size);
  }
  return normExceptDim(v.transpose(0, dim), pow, 0).transpose(0, dim);
}

/**
 * `v * (g / normExceptDim(v, 2, dim))`, like `torch._weight_norm`: the weight that weight
 * normalization computes from its direction `v` and magnitude `g`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 * @example const w = torch._weightNorm(v, g, 0);
 */
export function _weightNorm(v: Tensor, g: Tensor, dim = 0): Tensor {
  checkTensor('_weight_norm(): argument \'v\'', v);
  checkTensor('_weight_norm(): argument \'g\'', g);
  return v.mul(g.div(normExceptDim(v, 2, dim)));
}

type Attrs = Record<string, unknown>;

/** The WeightNorm behind each pre-hook this file registered (PyTorch finds them by isinstance). */
const HOOKS = new WeakMap<object, WeightNorm>();

/**
 * The weight normalization of one parameter, like `torch.nn.utils.weight_norm.WeightNorm`: its
 * name and dim, and the computation the forward pre-hook runs. Use {@link weightNorm}.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 * @example const wn = nn.utils.WeightNorm.apply(linear, 'weight', 0); wn.computeWeight(linear)
 */
export class WeightNorm {
  /** The parameter's name (`weight`). */
  readonly name: string;
  /** The dim the norm is not taken over; -1 (PyTorch's None): over every element. */
  readonly dim: number;

  constructor(name: string, dim: number | null) {
    this.name = name;
    this.dim = dim ?? -1;
  }

  /** `_weightNorm(module[name + '_v'], module[name + '_g'], dim)`. */
  computeWeight(module: Module): Tensor {
    const m = module as unknown as Attrs;
    return _weightNorm(m[`${this.name}_v`] as Tensor, m[`${this.name}_g`] as Tensor, this.dim);
  }

  /**
   * Replaces parameter `name` of `module` by `name_g` and `name_v` (registered last, as PyTorch
   * does, so the state dict lists them after the module's other parameters) and registers the
   * forward pre-hook. Throws PyTorch's errors for a second weight norm on the same name.
   */
  static apply(module: Module, name: string, dim: number | null): WeightNorm {
    for (const hook of module._forwardPreHooks.values()) {
      if (HOOKS.get(hook)?.name === name) {
        throw new RuntimeError(`Cannot register two weight_norm hooks on the same parameter ${name}`);
      }
    }
    const fn = new WeightNorm(name, dim);
    const m = module as unknown as Attrs;
    const weight = m[name];
    if (!(name in m) || weight === undefined) throw new AttributeError(`'${module._getName()}' object has no attribute '${name}'`);
    if (!module._parameters.has(name)) throw new KeyError(`'${name}'`);
    if (!(weight instanceof Tensor)) throw new TypeError(`weight_norm(): '${name}' is ${describeValue(weight)}, not a Tensor`);
    delete m[name]; // through the module's proxy: unregistered, and no attribute left
    module.registerParameter(`${name}_g`, new Parameter(noGrad(() => normExceptDim(weight, 2, fn.dim))));
    module.registerParameter(`${name}_v`, new Parameter(weight.data));
    m[name] = fn.computeWeight(module);
    const hook = (mod: Module): void => {
      (mod as unknown as Attrs)[fn.name] = fn.computeWeight(mod);
    };
    HOOKS.set(hook, fn);
    module.registerForwardPreHook(hook);
    return fn;
  }

  /** Puts parameter `name` back (the current weight, as a new Parameter registered last) and removes `name_g` and `name_v`. */
  remove(module: Module): void {
    const weight = this.computeWeight(module);
    const m = module as unknown as Attrs;
    // deleting through the module's proxy unregisters the parameters too
    delete m[this.name];
    delete m[`${this.name}_g`];
    delete m[`${this.name}_v`];
    m[this.name] = new Parameter(weight.data);
  }
}

/**
 * Applies weight normalization to parameter `name` of `module`, like
 * `torch.nn.utils.weight_norm`: `name` becomes `name_g` (the norms, shaped like the weight with
 * size 1 on every dim but `dim`) and `name_v` (the direction, initially the weight), and a forward
 * pre-hook recomputes `module[name] = name_g * name_v / ||name_v||` before every call of the
 * module (`module(x)`; calling `module.forward(x)` directly skips hooks, as in PyTorch).
 * `dim = null` (or -1) normalizes over the whole tensor. Returns the module.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 * @example
 * const m = nn.utils.weightNorm(new nn.Linear(20, 40));
 * m.weight_g.shape // [40, 1]
 * const lstm = nn.utils.weightNorm(new nn.LSTM(10, 20), 'weight_hh_l0');
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  if (typeof name !== 'string') throw new TypeError(`weight_norm(): argument 'name' must be a string, got ${describeValue(name)}`);
  if (dim !== null && (typeof dim !== 'number' || !Number.isInteger(dim))) {
    throw new TypeError(`weight_norm(): argument 'dim' must be an integer or null, got ${describeValue(dim)}`);
  }
  WeightNorm.apply(module, name, dim);
  return module;
}

/**
 * Removes the weight normalization of parameter `name` from `module`, like
 * `torch.nn.utils.remove_weight_norm`: `name` is a parameter again holding the current
 * normalized weight. Throws PyTorch's ValueError when `name` is not weight-normalized.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.remove_weight_norm.html
 * @example nn.utils.removeWeightNorm(nn.utils.weightNorm(new nn.Linear(20, 40)));
 */
export function removeWeightNorm<M extends Module>(module: M, name = 'weight'): M {
  for (const [k, hook] of module._forwardPreHooks) {
    const fn = HOOKS.get(hook);
    if (fn && fn.name === name) {
      fn.remove(module);
      module._forwardPreHooks.delete(k);
      return module;
    }
  }
  throw new ValueError(`weight_norm of '${name}' not found in ${module.toString()}`);
}
