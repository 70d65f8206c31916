/**
 * Adam, like `torch.optim.Adam` (PyTorch 1.13's single-tensor implementation, with its float32
 * rounding order). The update loop is shared with AdamW, which decays the weights directly.
 */
import { checkOptions } from '../validate.js';
import { RuntimeError, ValueError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
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
  readData,
  rd,
  scalarOf,
  stateData,
  stateLike,
  stepTensor,
  unsupported,
  updateInPlace,
} from './optimizer.js';
import { AdamArena, adamSimd } from './adam-simd.js';
import { wrapArray } from '../tensor/create.js';
import { backend } from '../backends/registry.js';

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

/** The scalars of one Adam/AdamW update, as the parameter's dtype sees them. @internal */
export interface AdamScalars {
  f32: boolean;
  sign: number;
  decoupled: boolean;
  decay: number;
  wd: number;
  b1: number;
  a1: number;
  b2: number;
  a2: number;
  negStepSize: number;
  bc2Sqrt: number;
  eps: number;
}

/**
 * One Adam/AdamW update of a parameter `w` with gradient `g`, running averages `m`, `v` and
 * (amsgrad) `vmax`, in PyTorch's single-tensor order; `rd` rounds each temporary to the dtype.
 * The reference for adam-simd.ts, which must match it bit for bit.
 * @internal
 */
export function adamKernel(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, k: AdamScalars): void {
  const { f32, sign, decoupled, decay, wd, b1, a1, b2, a2, negStepSize, bc2Sqrt, eps } = k;
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

const adamParams = new Float64Array(11);

/** The active backend's float32 Adam kernel, if it has one and takes these arrays. */
function nativeAdam(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, k: AdamScalars): boolean {
  const be = backend();
  if (be.adamStep === undefined || !(w instanceof Float32Array) || !(g instanceof Float32Array) ||
    !(m instanceof Float32Array) || !(v instanceof Float32Array) || (vmax !== null && !(vmax instanceof Float32Array))) {
    return false;
  }
  const p = adamParams;
  p[0] = k.sign; p[1] = k.decoupled ? 1 : 0; p[2] = k.decay; p[3] = k.wd; p[4] = k.b1; p[5] = k.a1;
  p[6] = k.b2; p[7] = k.a2; p[8] = k.negStepSize; p[9] = k.bc2Sqrt; p[10] = k.eps;
  return be.adamStep(w, g, m, v, vmax, p);
}

/** Below this many float32 state elements an optimizer keeps its state in ordinary arrays. */
const ARENA_MIN = 65536;

/**
 * An optimizer's arena for float32 running averages (see AdamArena): created at the first update,
 * sized for every float32 parameter of `groups` without state yet (a loaded state dict keeps its
 * own arrays), or null when small or unavailable.
 * @internal
 */
export class ArenaSlot {
  private arena: AdamArena | null | undefined;

  get(groups: readonly AdamGroup[], state: ReadonlyMap<Tensor, unknown>): AdamArena | null {
    if (this.arena !== undefined) return this.arena;
    let floats = 0;
    for (const g of groups) {
      for (const p of g.params) {
        if (p.dtype === 'float32' && !state.has(p)) floats += ((p.numel() + 3) & ~3) * (g.amsgrad ? 3 : 2);
      }
    }
    // (not needed when the backend has its own kernel working on ordinary arrays)
    this.arena = floats >= ARENA_MIN && backend().adamStep === undefined ? AdamArena.create(floats) : null;
    return this.arena;
  }
}

/** A zero state tensor like `p`: in `arena` when it has room (float32), else ordinary. */
function stateIn(arena: AdamArena | null, p: Tensor): Tensor {
  const a = arena !== null && p.dtype === 'float32' ? arena.alloc(p.numel()) : null;
  return a !== null ? wrapArray(a, p.shape, 'float32') : stateLike(p);
}

/**
 * One Adam or AdamW step for every parameter of `group` with a gradient. `decoupled` selects
 * AdamW's `param.mul_(1 - lr * weight_decay)` over Adam's `grad.add(param, alpha=weight_decay)`.
 * New float32 state goes into `arena` while it has room.
 * @internal
 */
export function adamUpdate(
  name: string,
  group: AdamGroup,
  state: Map<Tensor, AdamState>,
  decoupled: boolean,
  arena: AdamArena | null = null,
): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  for (const p of group.params) {
    const grad = gradOf(p, name);
    if (grad === null) continue;
    if (group.capturable) throw new RuntimeError('If capturable=True, params and state_steps must be CUDA tensors.');
    let st = state.get(p);
    if (st === undefined) {
      st = { step: stepTensor(), exp_avg: stateIn(arena, p), exp_avg_sq: stateIn(arena, p) };
      if (amsgrad) st.max_exp_avg_sq = stateIn(arena, p);
      state.set(p, st);
    }
    if (amsgrad && st.max_exp_avg_sq === undefined) st.max_exp_avg_sq = stateIn(arena, p);
    st.step = asStepTensor(st.step);
    const step = incrementStep(st.step);

    const dt = p.dtype;
    const g = readData(grad);
    const m = stateData(st.exp_avg, p, 'exp_avg');
    const v = stateData(st.exp_avg_sq, p, 'exp_avg_sq');
    const vmax = amsgrad ? stateData(st.max_exp_avg_sq, p, 'max_exp_avg_sq') : null;
    const biasCorrection1 = 1 - pyPow(beta1, step);
    const biasCorrection2 = 1 - pyPow(beta2, step);
    // Python scalars, as the kernels of p's dtype see them
    const k: AdamScalars = {
      f32: dt === 'float32',
      sign: maximize ? -1 : 1,
      decoupled,
      decay: scalarOf(1 - lr * weightDecay, dt),
      wd: scalarOf(weightDecay, dt),
      b1: scalarOf(beta1, dt),
      a1: scalarOf(1 - beta1, dt),
      b2: scalarOf(beta2, dt),
      a2: scalarOf(1 - beta2, dt),
      negStepSize: scalarOf(-(lr / biasCorrection1), dt),
      bc2Sqrt: scalarOf(Math.sqrt(biasCorrection2), dt),
      eps: scalarOf(eps, dt),
    };
    updateInPlace(p, (w) => {
      // float32: the backend's kernel (native), else the WebAssembly SIMD one, both bit-identical
      // to adamKernel, where available
      if (k.f32 && nativeAdam(w, g, m, v, vmax, k)) return;
      if (!(k.f32 && adamSimd(w, g, m, v, vmax, k, arena))) adamKernel(w, g, m, v, vmax, k);
    });
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

  private readonly arena = new ArenaSlot();

  protected updateGroup(group: AdamGroup): void {
    adamUpdate('Adam', group, this.state, false, this.arena.get(this.paramGroups, this.state));
  }
}
