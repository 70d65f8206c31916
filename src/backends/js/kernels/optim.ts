/**
 * Reference optim kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/optim.ts. Each is one parameter's update of PyTorch 1.13's single-tensor
 * loop, element by element in the order of its tensor ops.
 *
 * Rounding: a Python scalar reaches a float32 kernel as a float (`scalarOf`), and every temporary
 * tensor's element is a float32 value (`rd` after each op). An op of the form `a + alpha * b` with
 * float32 operands (`add_(b, alpha)`, `addcmul_`) is exact in double before its one rounding, so it
 * is written as one double expression whose store into a Float32Array (or `rd`) rounds once.
 * Float64 arrays need no rounding (`rd` is the identity).
 */
import type { AdagradStepArgs, AdamStepArgs, OptimRoutines, RmspropStepArgs, SgdStepArgs } from '../../routines/optim.js';
import type { FloatArray } from '../../../tensor/dtype.js';

/** `x` rounded to float32 when `f32`: a temporary (or a Python scalar) as the element type holds it. */
function rd(x: number, f32: boolean): number {
  return f32 ? Math.fround(x) : x;
}

function isF32(a: FloatArray): boolean {
  return a instanceof Float32Array;
}

/** Adam / AdamW (torch/optim/adam.py `_single_tensor_adam`, adamw.py). */
function adamStep(a: AdamStepArgs): void {
  const { param: w, grad: g, expAvg: m, expAvgSq: v, maxExpAvgSq: vmax } = a;
  const f32 = isF32(w);
  const sign = a.maximize ? -1 : 1;
  const decoupled = a.decoupledWeightDecay;
  const decay = rd(1 - a.lr * a.weightDecay, f32);
  const wd = rd(a.weightDecay, f32);
  const b1 = rd(a.beta1, f32);
  const a1 = rd(1 - a.beta1, f32);
  const b2 = rd(a.beta2, f32);
  const a2 = rd(1 - a.beta2, f32);
  const negStepSize = rd(-a.stepSize, f32);
  const bc2Sqrt = rd(a.biasCorrection2Sqrt, f32);
  const eps = rd(a.eps, f32);
  for (let i = 0; i < w.length; i++) {
    let gi = sign * g[i]!;
    if (decoupled) w[i] = w[i]! * decay; // AdamW: param.mul_(1 - lr * weight_decay)
    else if (wd !== 0) gi = rd(gi + wd * w[i]!, f32); // Adam: grad = grad.add(param, alpha=weight_decay)
    m[i] = rd(m[i]! * b1, f32) + a1 * gi; // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    v[i] = rd(v[i]! * b2, f32) + rd(a2 * gi, f32) * gi; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let s = v[i]!;
    if (vmax !== null) {
      vmax[i] = Math.max(vmax[i]!, s); // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
      s = vmax[i]!;
    }
    const denom = rd(rd(rd(Math.sqrt(s), f32) / bc2Sqrt, f32) + eps, f32); // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    w[i] = w[i]! + rd(rd(negStepSize * m[i]!, f32) / denom, f32); // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}

/** SGD with optional momentum, dampening, Nesterov (torch/optim/sgd.py `_single_tensor_sgd`). */
function sgdStep(a: SgdStepArgs): void {
  const { param: w, grad: g, momentumBuffer: b, newMomentumBuffer: first, nesterov } = a;
  const f32 = isF32(w);
  const sign = a.maximize ? -1 : 1;
  const wd = rd(a.weightDecay, f32);
  const mom = rd(a.momentum, f32);
  const damp1 = rd(1 - a.dampening, f32);
  const nlr = rd(-a.lr, f32);
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

/** RMSprop, optionally centered and with momentum (torch/optim/rmsprop.py `_single_tensor_rmsprop`). */
function rmspropStep(a: RmspropStepArgs): void {
  const { param: w, grad: g, squareAvg: sq, gradAvg: ga, momentumBuffer: buf } = a;
  const f32 = isF32(w);
  const sign = a.maximize ? -1 : 1;
  const wd = rd(a.weightDecay, f32);
  const alpha = rd(a.alpha, f32);
  const a1 = rd(1 - a.alpha, f32);
  const eps = rd(a.eps, f32);
  const mom = rd(a.momentum, f32);
  const nlr = rd(-a.lr, f32);
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

/** Adagrad, dense gradients (torch/optim/adagrad.py `_single_tensor_adagrad`). */
function adagradStep(a: AdagradStepArgs): void {
  const { param: w, grad: g, stateSum: sum } = a;
  const f32 = isF32(w);
  const sign = a.maximize ? -1 : 1;
  const wd = rd(a.weightDecay, f32);
  const eps = rd(a.eps, f32);
  const negClr = rd(-a.clr, f32);
  for (let i = 0; i < w.length; i++) {
    let gi = sign * g[i]!;
    if (wd !== 0) gi = rd(gi + wd * w[i]!, f32); // grad = grad.add(param, alpha=weight_decay)
    sum[i] = sum[i]! + gi * gi; // state_sum.addcmul_(grad, grad, value=1)
    const std = rd(rd(Math.sqrt(sum[i]!), f32) + eps, f32); // std = state_sum.sqrt().add_(eps)
    w[i] = w[i]! + rd(rd(negClr * gi, f32) / std, f32); // param.addcdiv_(grad, std, value=-clr)
  }
}

/** The js backend's optim routines. */
export const optimKernels: Required<OptimRoutines> = { adamStep, sgdStep, rmspropStep, adagradStep };
