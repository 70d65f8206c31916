/**
 * RMSprop, like `torch.optim.RMSprop` (PyTorch 1.13's single-tensor implementation, with its
 * float32 rounding order).
 */
import { checkOptions } from '../validate.js';
import { ValueError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  Optimizer,
  type ParamGroup,
  type Params,
  bumpVersion,
  checkOption,
  gradOf,
  pyFloat,
  readData,
  rd,
  scalarOf,
  stateData,
  stateLike,
  unsupported,
  updateInPlace,
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

/** The scalars of one RMSprop update, as the parameter's dtype sees them. */
interface RMSpropScalars {
  f32: boolean;
  sign: number;
  wd: number;
  alpha: number;
  a1: number;
  eps: number;
  mom: number;
  nlr: number;
}

/**
 * One RMSprop update of a parameter `w` with gradient `g`, squared-gradient average `sq`,
 * gradient average `ga` (centered) and momentum buffer `buf`, in PyTorch's single-tensor order;
 * `rd` rounds each temporary to the dtype.
 */
function rmspropKernel(
  w: FloatArray,
  g: FloatArray,
  sq: FloatArray,
  ga: FloatArray | null,
  buf: FloatArray | null,
  k: RMSpropScalars,
): void {
  const { f32, sign, wd, alpha, a1, eps, mom, nlr } = k;
  for (let i = 0; i < w.length; i++) {
    let gi = sign * g[i]!;
    if (wd !== 0) gi = rd(gi + wd * w[i]!, f32); // grad = grad.add(param, alpha=weight_decay)
    sq[i] = rd(sq[i]! * alpha, f32) + rd(a1 * gi, f32) * gi; // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    let avg: number;
    if (ga !== null) {
      ga[i] = rd(ga[i]! * alpha, f32) + a1 * gi; // grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
      avg = rd(Math.sqrt(rd(sq[i]! + -ga[i]! * ga[i]!, f32)), f32); // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    } else {
      avg = rd(Math.sqrt(sq[i]!), f32); // square_avg.sqrt()
    }
    avg = rd(avg + eps, f32); // avg.add_(eps)
    if (buf !== null) {
      buf[i] = rd(buf[i]! * mom, f32) + rd(gi / avg, f32); // buf.mul_(momentum).addcdiv_(grad, avg)
      w[i] = w[i]! + nlr * buf[i]!; // param.add_(buf, alpha=-lr)
    } else {
      w[i] = w[i]! + rd(rd(nlr * gi, f32) / avg, f32); // param.addcdiv_(grad, avg, value=-lr)
    }
  }
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
    for (const p of group.params) {
      const grad = gradOf(p, 'RMSprop');
      if (grad === null) continue;
      let st = this.state.get(p);
      if (st === undefined) {
        st = { step: 0, square_avg: stateLike(p) };
        if (momentum > 0) st.momentum_buffer = stateLike(p);
        if (centered) st.grad_avg = stateLike(p);
        this.state.set(p, st);
      }
      if (momentum > 0 && st.momentum_buffer === undefined) st.momentum_buffer = stateLike(p);
      if (centered && st.grad_avg === undefined) st.grad_avg = stateLike(p);
      st.step = Number(st.step) + 1;

      const dt = p.dtype;
      const g = readData(grad);
      const sq = stateData(st.square_avg, p, 'square_avg');
      const ga = centered ? stateData(st.grad_avg, p, 'grad_avg') : null;
      const buf = momentum > 0 ? stateData(st.momentum_buffer, p, 'momentum_buffer') : null;
      const k: RMSpropScalars = {
        f32: dt === 'float32',
        sign: maximize ? -1 : 1,
        wd: scalarOf(weightDecay, dt),
        alpha: scalarOf(alpha, dt),
        a1: scalarOf(1 - alpha, dt),
        eps: scalarOf(eps, dt),
        mom: scalarOf(momentum, dt),
        nlr: scalarOf(-lr, dt),
      };
      updateInPlace(p, (w) => rmspropKernel(w, g, sq, ga, buf, k));
      bumpVersion(st.square_avg, ga ? st.grad_avg : null, buf ? st.momentum_buffer : null);
    }
  }
}
