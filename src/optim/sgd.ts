/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximize, like `torch.optim.SGD` (PyTorch 1.13's single-tensor implementation, with its
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

/** Options of {@link SGD} (PyTorch's keyword arguments in camelCase). */
export interface SGDOptions {
  /** Learning rate; required unless every parameter group sets it. */
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening for momentum (default 0). */
  dampening?: number;
  /** Weight decay (L2 penalty) added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false); needs momentum > 0 and zero dampening. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** Accepted for parity; torchlet always runs the single-tensor loop (default null). */
  foreach?: boolean | null;
  /** Not supported: must be false. */
  differentiable?: boolean;
}

/** A parameter group of {@link SGD}. */
export interface SGDGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
}

/** Per-parameter state of {@link SGD}: the momentum buffer (null without momentum). */
export interface SGDState {
  momentum_buffer: Tensor | null;
}

/**
 * Stochastic gradient descent (optionally with momentum), like `torch.optim.SGD`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
 * @example
 * const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDGroup, SGDState> {
  constructor(params: Params<SGDGroup>, options: SGDOptions = {}) {
    checkOptions('SGD()', options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'foreach', 'differentiable']);
    const {
      lr,
      momentum = 0,
      dampening = 0,
      weightDecay = 0,
      nesterov = false,
      maximize = false,
      foreach = null,
      differentiable = false,
    } = options;
    if (lr !== undefined) checkOption('lr', lr, 'number');
    checkOption('momentum', momentum, 'number');
    checkOption('dampening', dampening, 'number');
    checkOption('weightDecay', weightDecay, 'number');
    checkOption('nesterov', nesterov, 'boolean');
    checkOption('maximize', maximize, 'boolean');
    if (lr !== undefined && lr < 0) throw new ValueError(`Invalid learning rate: ${pyFloat(lr)}`);
    if (momentum < 0) throw new ValueError(`Invalid momentum value: ${pyFloat(momentum)}`);
    if (weightDecay < 0) throw new ValueError(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    }
    if (differentiable) unsupported('torchlet optimizers do not support differentiable=True');
    super(params, {
      lr: lr as number, // undefined marks it required, as PyTorch's `required`
      momentum,
      dampening,
      weightDecay,
      nesterov,
      maximize,
      foreach,
      differentiable,
    });
  }

  protected updateGroup(group: SGDGroup): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const sgdStep = routine('sgdStep');
    for (const p of group.params) {
      const grad = gradOf(p, 'SGD');
      if (grad === null) continue;
      const st = this.stateFor(p, () => ({ momentum_buffer: null }));
      let buf: Tensor | null = null;
      let first = false;
      if (momentum !== 0) {
        const prev = st.momentum_buffer;
        first = prev === null || prev === undefined;
        buf = prev ?? zerosLike(p);
        st.momentum_buffer = buf;
      } else {
        st.momentum_buffer = null;
      }
      const args = {
        grad: dense(grad),
        momentumBuffer: buf ? stateArray(buf, p, 'momentum_buffer') : null,
        newMomentumBuffer: first,
        lr,
        momentum,
        dampening,
        weightDecay,
        nesterov,
        maximize,
      };
      updateParam(p, (param) => sgdStep({ param, ...args }));
      bumpVersion(buf);
    }
  }
}
