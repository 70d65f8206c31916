/**
 * RMSprop, like `torch.optim.RMSprop` (PyTorch 1.13's single-tensor implementation, with its
 * float32 rounding order).
 */
import { checkOptions } from '../validate.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/factories.js';
import { routine } from '../backends/routine.js';
import { dense } from '../ops/util.js';
import {
  Optimizer,
  type ParamGroup,
  type Params,
  bumpVersion,
  checkOption,
  gradOf,
  pyFloat,
  stateArray,
  unsupported,
  updateParam,
} from './optimizer.js';

/** Options of {@link RMSprop} (PyTorch's keyword arguments in camelCase). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay (L2 penalty) added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance (default false). */
  centered?: boolean;
  /** Accepted for parity; torchlet always runs the single-tensor loop (default null). */
  foreach?: boolean | null;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** Not supported: must be false. */
  differentiable?: boolean;
}

/** A parameter group of {@link RMSprop}. */
export interface RMSpropGroup extends ParamGroup {
  momentum: number;
  alpha: number;
  eps: number;
  centered: boolean;
  weightDecay: number;
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
}

/** Per-parameter state of {@link RMSprop}, under PyTorch's names. */
export interface RMSpropState {
  /** Number of steps taken (a plain number in PyTorch 1.13's RMSprop). */
  step: number;
  /** Running average of the squared gradient. */
  square_avg: Tensor;
  /** Momentum buffer (momentum > 0 only). */
  momentum_buffer?: Tensor;
  /** Running average of the gradient (centered only). */
  grad_avg?: Tensor;
}

/**
 * RMSprop, like `torch.optim.RMSprop`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
 * @example
 * const opt = new optim.RMSprop(params, { lr: 0.01, alpha: 0.99 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class RMSprop extends Optimizer<RMSpropGroup, RMSpropState> {
  constructor(params: Params<RMSpropGroup>, options: RMSpropOptions = {}) {
    checkOptions('RMSprop()', options, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'foreach', 'maximize', 'differentiable']);
    const {
      lr = 1e-2,
      alpha = 0.99,
      eps = 1e-8,
      weightDecay = 0,
      momentum = 0,
      centered = false,
      foreach = null,
      maximize = false,
      differentiable = false,
    } = options;
    for (const [k, v] of Object.entries({ lr, alpha, eps, weightDecay, momentum })) checkOption(k, v, 'number');
    checkOption('centered', centered, 'boolean');
    checkOption('maximize', maximize, 'boolean');
    if (!(0 <= lr)) throw new ValueError(`Invalid learning rate: ${pyFloat(lr)}`);
    if (!(0 <= eps)) throw new ValueError(`Invalid epsilon value: ${pyFloat(eps)}`);
    if (!(0 <= momentum)) throw new ValueError(`Invalid momentum value: ${pyFloat(momentum)}`);
    if (!(0 <= weightDecay)) throw new ValueError(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    if (!(0 <= alpha)) throw new ValueError(`Invalid alpha value: ${pyFloat(alpha)}`);
    if (differentiable) unsupported('torchlet optimizers do not support differentiable=True');
    super(params, { lr, momentum, alpha, eps, centered, weightDecay, foreach, maximize, differentiable });
  }

  protected updateGroup(group: RMSpropGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    const rmspropStep = routine('rmspropStep');
    for (const p of group.params) {
      const grad = gradOf(p, 'RMSprop');
      if (grad === null) continue;
      const st = this.stateFor(p, () => ({ step: 0, square_avg: zerosLike(p) }));
      // the buffers a first update makes, and those a loaded state dict may lack
      if (momentum > 0 && st.momentum_buffer === undefined) st.momentum_buffer = zerosLike(p);
      if (centered && st.grad_avg === undefined) st.grad_avg = zerosLike(p);
      st.step = Number(st.step) + 1;

      const args = {
        grad: dense(grad),
        squareAvg: stateArray(st.square_avg, p, 'square_avg'),
        gradAvg: centered ? stateArray(st.grad_avg, p, 'grad_avg') : null,
        momentumBuffer: momentum > 0 ? stateArray(st.momentum_buffer, p, 'momentum_buffer') : null,
        lr,
        alpha,
        eps,
        weightDecay,
        momentum,
        maximize,
      };
      updateParam(p, (param) => rmspropStep({ param, ...args }));
      bumpVersion(st.square_avg, centered ? st.grad_avg : null, momentum > 0 ? st.momentum_buffer : null);
    }
  }
}
