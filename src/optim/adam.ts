/**
 * Adam, like `torch.optim.Adam` (PyTorch 1.13's single-tensor implementation, with its float32
 * rounding order). The update (the backend's `adamStep` routine) is shared with AdamW, which decays
 * the weights directly.
 */
import { checkOptions } from '../validate.js';
import { RuntimeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/factories.js';
import { routine } from '../backends/routine.js';
import { dense } from '../ops/util.js';
import {
  Optimizer,
  type ParamGroup,
  type Params,
  asStepTensor,
  bumpVersion,
  checkBetas,
  checkOption,
  gradOf,
  incrementStep,
  pyFloat,
  pyPow,
  stateArray,
  stepTensor,
  unsupported,
  updateParam,
} from './optimizer.js';

/** Options of {@link Adam} (PyTorch's keyword arguments in camelCase). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay (L2 penalty) added to the gradient (default 0). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** Accepted for parity; torchlet always runs the single-tensor loop (default null). */
  foreach?: boolean | null;
  /** CUDA graphs only: true fails at `step()`, as on a CPU in PyTorch. */
  capturable?: boolean;
  /** Not supported: must be false. */
  differentiable?: boolean;
  /** CUDA only: true fails, as on a CPU in PyTorch. */
  fused?: boolean;
}

/** A parameter group of {@link Adam}. */
export interface AdamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  /** Adam only (AdamW has no such option in PyTorch 1.13). */
  differentiable?: boolean;
  /** Adam only (AdamW has no such option in PyTorch 1.13). */
  fused?: boolean;
}

/** Per-parameter state of {@link Adam} and AdamW, under PyTorch's names. */
export interface AdamState {
  /** Number of steps taken, a 0-d float32 tensor. */
  step: Tensor;
  /** Running average of the gradient. */
  exp_avg: Tensor;
  /** Running average of the squared gradient. */
  exp_avg_sq: Tensor;
  /** Running maximum of `exp_avg_sq` (amsgrad only). */
  max_exp_avg_sq?: Tensor;
}

/** Validates Adam/AdamW's shared options with PyTorch's checks and messages, in its order. @internal */
export function checkAdamOptions(lr: number, betas: unknown, eps: number, weightDecay: number): void {
  checkOption('lr', lr, 'number');
  checkOption('eps', eps, 'number');
  checkBetas(betas);
  checkOption('weightDecay', weightDecay, 'number');
  if (!(0 <= lr)) throw new ValueError(`Invalid learning rate: ${pyFloat(lr)}`);
  if (!(0 <= eps)) throw new ValueError(`Invalid epsilon value: ${pyFloat(eps)}`);
  if (!(0 <= betas[0] && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${pyFloat(betas[0])}`);
  if (!(0 <= betas[1] && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${pyFloat(betas[1])}`);
  if (!(0 <= weightDecay)) throw new ValueError(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
}

/**
 * One Adam or AdamW step for every parameter of `group` with a gradient (PyTorch's
 * `_single_tensor_adam`). `decoupled` selects AdamW's `param.mul_(1 - lr * weight_decay)` over
 * Adam's `grad.add(param, alpha=weight_decay)`.
 * @internal
 */
export function adamUpdate(name: string, group: AdamGroup, state: Map<Tensor, AdamState>, decoupled: boolean): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  const adamStep = routine('adamStep');
  for (const p of group.params) {
    const grad = gradOf(p, name);
    if (grad === null) continue;
    if (group.capturable) throw new RuntimeError('If capturable=True, params and state_steps must be CUDA tensors.');
    let st = state.get(p);
    if (st === undefined) {
      st = { step: stepTensor(), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
      if (amsgrad) st.max_exp_avg_sq = zerosLike(p);
      state.set(p, st);
    }
    if (amsgrad && st.max_exp_avg_sq === undefined) st.max_exp_avg_sq = zerosLike(p);
    st.step = asStepTensor(st.step);
    const step = incrementStep(st.step);
    const biasCorrection1 = 1 - pyPow(beta1, step);
    const biasCorrection2 = 1 - pyPow(beta2, step);
    const args = {
      grad: dense(grad),
      expAvg: stateArray(st.exp_avg, p, 'exp_avg'),
      expAvgSq: stateArray(st.exp_avg_sq, p, 'exp_avg_sq'),
      maxExpAvgSq: amsgrad ? stateArray(st.max_exp_avg_sq, p, 'max_exp_avg_sq') : null,
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      decoupledWeightDecay: decoupled,
      maximize,
      stepSize: lr / biasCorrection1,
      biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
    };
    updateParam(p, (param) => adamStep({ param, ...args }));
    bumpVersion(st.exp_avg, st.exp_avg_sq, amsgrad ? st.max_exp_avg_sq : null);
  }
}

/**
 * Adam, like `torch.optim.Adam`: weight decay is an L2 penalty added to the gradient.
 * See https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 * @example
 * const opt = new optim.Adam([w, b], { lr: 1e-3, betas: [0.9, 0.999] });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adam extends Optimizer<AdamGroup, AdamState> {
  constructor(params: Params<AdamGroup>, options: AdamOptions = {}) {
    checkOptions('Adam()', options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused']);
    const {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-8,
      weightDecay = 0,
      amsgrad = false,
      maximize = false,
      foreach = null,
      capturable = false,
      differentiable = false,
      fused = false,
    } = options;
    checkAdamOptions(lr, betas, eps, weightDecay);
    checkOption('amsgrad', amsgrad, 'boolean');
    checkOption('maximize', maximize, 'boolean');
    if (differentiable) unsupported('torchlet optimizers do not support differentiable=True');
    super(params, {
      lr,
      betas: [betas[0], betas[1]],
      eps,
      weightDecay,
      amsgrad,
      maximize,
      foreach,
      capturable,
      differentiable,
      fused,
    });
    if (fused) throw new RuntimeError('FusedAdam requires all the params to be CUDA, floating point');
  }

  protected updateGroup(group: AdamGroup): void {
    adamUpdate('Adam', group, this.state, false);
  }
}
