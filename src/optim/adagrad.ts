/**
 * Adagrad, like `torch.optim.Adagrad` (PyTorch 1.13's single-tensor implementation, with its
 * float32 rounding order). Dense gradients only.
 */
import { checkOptions } from '../validate.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../tensor/factories.js';
import { routine } from '../backends/routine.js';
import { dense } from '../ops/util.js';
import {
  Optimizer,
  type ParamGroup,
  type Params,
  asStepTensor,
  bumpVersion,
  checkOption,
  gradOf,
  incrementStep,
  pyFloat,
  stateArray,
  stepTensor,
  updateParam,
} from './optimizer.js';

/** Options of {@link Adagrad} (PyTorch's keyword arguments in camelCase). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning rate decay: the step size is `lr / (1 + (step - 1) * lrDecay)` (default 0). */
  lrDecay?: number;
  /** Weight decay (L2 penalty) added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Accepted for parity; torchlet always runs the single-tensor loop (default null). */
  foreach?: boolean | null;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** A parameter group of {@link Adagrad}. */
export interface AdagradGroup extends ParamGroup {
  lrDecay: number;
  eps: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  foreach: boolean | null;
  maximize: boolean;
}

/** Per-parameter state of {@link Adagrad}, under PyTorch's names. */
export interface AdagradState {
  /** Number of steps taken, a 0-d float32 tensor. */
  step: Tensor;
  /** Sum of squared gradients. */
  sum: Tensor;
}

/**
 * Adagrad, like `torch.optim.Adagrad`. As in PyTorch, the state of every parameter is created
 * by the constructor, filled with `initialAccumulatorValue`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html
 * @example
 * const opt = new optim.Adagrad(params, { lr: 0.1, lrDecay: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adagrad extends Optimizer<AdagradGroup, AdagradState> {
  constructor(params: Params<AdagradGroup>, options: AdagradOptions = {}) {
    checkOptions('Adagrad()', options, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'foreach', 'maximize']);
    const {
      lr = 1e-2,
      lrDecay = 0,
      weightDecay = 0,
      initialAccumulatorValue = 0,
      eps = 1e-10,
      foreach = null,
      maximize = false,
    } = options;
    for (const [k, v] of Object.entries({ lr, lrDecay, weightDecay, initialAccumulatorValue, eps })) checkOption(k, v, 'number');
    checkOption('maximize', maximize, 'boolean');
    if (!(0 <= lr)) throw new ValueError(`Invalid learning rate: ${pyFloat(lr)}`);
    if (!(0 <= lrDecay)) throw new ValueError(`Invalid lr_decay value: ${pyFloat(lrDecay)}`);
    if (!(0 <= weightDecay)) throw new ValueError(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    if (!(0 <= initialAccumulatorValue)) {
      throw new ValueError(`Invalid initial_accumulator_value value: ${pyFloat(initialAccumulatorValue)}`);
    }
    if (!(0 <= eps)) throw new ValueError(`Invalid epsilon value: ${pyFloat(eps)}`);
    super(params, { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach, maximize });
    // PyTorch parity: every parameter gets its state here, from the constructor's value
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, { step: stepTensor(), sum: fullLike(p, initialAccumulatorValue) });
    }
  }

  protected updateGroup(group: AdagradGroup): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    const adagradStep = routine('adagradStep');
    for (const p of group.params) {
      const grad = gradOf(p, 'Adagrad');
      if (grad === null) continue;
      // Deviation: PyTorch raises KeyError for groups added after construction; torchlet initializes them
      const st = this.stateFor(p, () => ({ step: stepTensor(), sum: fullLike(p, group.initialAccumulatorValue) }));
      st.step = asStepTensor(st.step);
      const step = incrementStep(st.step);
      const args = {
        grad: dense(grad),
        stateSum: stateArray(st.sum, p, 'sum'),
        clr: lr / (1 + (step - 1) * lrDecay),
        weightDecay,
        eps,
        maximize,
      };
      updateParam(p, (param) => adagradStep({ param, ...args }));
      bumpVersion(st.sum);
    }
  }
}
