/**
 * AdamW, like `torch.optim.AdamW` (PyTorch 1.13): Adam with decoupled weight decay, which scales
 * the parameters by `1 - lr * weight_decay` before the Adam update instead of adding an L2 term
 * to the gradient.
 */
import { checkOptions } from '../validate.js';
import { unsupported, Optimizer, type Params, checkOption } from './optimizer.js';
import { type AdamGroup, type AdamState, adamUpdate, checkAdamOptions } from './adam.js';

/** Options of {@link AdamW} (PyTorch's keyword arguments in camelCase). */
export interface AdamWOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay coefficient (default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** Accepted for parity; torchlet always runs the single-tensor loop (default null). */
  foreach?: boolean | null;
  /** CUDA graphs only: true fails at `step()`, as on a CPU in PyTorch. */
  capturable?: boolean;
}

/**
 * AdamW, like `torch.optim.AdamW`.
 * See https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
 * @example
 * const opt = new optim.AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class AdamW extends Optimizer<AdamGroup, AdamState> {
  constructor(params: Params<AdamGroup>, options: AdamWOptions = {}) {
    checkOptions('AdamW()', options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable']);
    const {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-8,
      weightDecay = 1e-2,
      amsgrad = false,
      maximize = false,
      foreach = null,
      capturable = false,
    } = options;
    checkAdamOptions(lr, betas, eps, weightDecay);
    checkOption('amsgrad', amsgrad, 'boolean');
    checkOption('maximize', maximize, 'boolean');
    if ((options as { differentiable?: boolean }).differentiable) {
      unsupported('torchlet optimizers do not support differentiable=True');
    }
    super(params, { lr, betas: [betas[0], betas[1]], eps, weightDecay, amsgrad, foreach, maximize, capturable });
  }

  protected updateGroup(group: AdamGroup): void {
    adamUpdate('AdamW', group, this.state, true);
  }
}
