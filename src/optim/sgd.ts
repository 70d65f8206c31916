/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximize, like `torch.optim.SGD` (PyTorch 1.13's single-tensor implementation, with its
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

/** The scalars of one SGD update, as the parameter's dtype sees them. */
interface SGDScalars {
  f32: boolean;
  sign: number;
  wd: number;
  mom: number;
  damp1: number;
  nlr: number;
  nesterov: boolean;
  first: boolean;
}

/**
 * One SGD update of a parameter `w` with gradient `g` and momentum buffer `b` (null without
 * momentum), in PyTorch's single-tensor order; `rd` rounds each temporary to the dtype.
 */
function sgdKernel(w: FloatArray, g: FloatArray, b: FloatArray | null, k: SGDScalars): void {
  const { f32, sign, wd, mom, damp1, nlr, nesterov, first } = k;
  for (let i = 0; i < w.length; i++) {
    let d = sign * g[i]!; // d_p = grad (negated to maximize)
    if (wd !== 0) d = rd(d + wd * w[i]!, f32); // d_p = d_p.add(param, alpha=weight_decay)
    if (b !== null) {
      // buf = clone(d_p) on the first step, else buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
      b[i] = first ? d : rd(b[i]! * mom, f32) + damp1 * d;
      d = nesterov ? rd(d + mom * b[i]!, f32) : b[i]!; // d_p = d_p.add(buf, alpha=momentum) or buf
    }
    w[i] = w[i]! + nlr * d; // param.add_(d_p, alpha=-lr)
  }
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
    const { momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      const grad = gradOf(p, 'SGD');
      if (grad === null) continue;
      let st = this.state.get(p);
      if (st === undefined) {
        st = { momentum_buffer: null };
        this.state.set(p, st);
      }
      const dt = p.dtype;
      let buf: Tensor | null = null;
      let first = false;
      if (momentum !== 0) {
        const prev = st.momentum_buffer;
        first = prev === null || prev === undefined;
        buf = prev ?? stateLike(p);
        st.momentum_buffer = buf;
      } else {
        st.momentum_buffer = null;
      }
      const g = readData(grad);
      const b = buf ? stateData(buf, p, 'momentum_buffer') : null;
      const k: SGDScalars = {
        f32: dt === 'float32',
        sign: maximize ? -1 : 1,
        wd: scalarOf(weightDecay, dt),
        mom: scalarOf(momentum, dt),
        damp1: scalarOf(1 - dampening, dt),
        nlr: scalarOf(-group.lr, dt),
        nesterov,
        first,
      };
      updateInPlace(p, (w) => sgdKernel(w, g, b, k));
      bumpVersion(buf);
    }
  }
}
