/**
 * The optim routines of the backend interface: their named arguments (contiguous arrays unless a
 * member says otherwise). The js reference is backends/js/kernels/optim.ts; compiled backends may
 * implement any of them (routine() in backends/routine.ts falls back to the reference).
 *
 * Each routine is one parameter's update of PyTorch 1.13's single-tensor loop (`_single_tensor_*`
 * in torch/optim/*.py), in place. The parameter, its gradient and its state arrays have the same
 * length and element type (float32 or float64). The scalars are the Python floats the optimizer
 * holds; the routine rounds them to its element type, as PyTorch's kernels convert a Python scalar
 * (`alpha.to<scalar_t>()`), and rounds every temporary tensor's elements the same way, so float32
 * results match PyTorch's bit for bit.
 *
 * The compiled backends implement `adamStep` (float32) through its descriptor below, which lists its
 * fields in the order of its C++ struct (native/optim.h).
 */
import type { FloatArray } from '../../tensor/dtype.js';
import { describeRoutine } from '../kernel-args.js';

/**
 * Arguments of `adamStep` (torch/optim/adam.py, adamw.py): `param`, `expAvg`, `expAvgSq` and
 * `maxExpAvgSq` are updated in place.
 */
export interface AdamStepArgs {
  param: FloatArray;
  grad: FloatArray;
  /** Running average of the gradient. */
  expAvg: FloatArray;
  /** Running average of the squared gradient. */
  expAvgSq: FloatArray;
  /** Running maximum of `expAvgSq` (amsgrad), or null without amsgrad. */
  maxExpAvgSq: FloatArray | null;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: `param.mul_(1 - lr * weight_decay)`; else Adam's `grad = grad.add(param, alpha=weight_decay)`. */
  decoupledWeightDecay: boolean;
  maximize: boolean;
  /** `lr / bias_correction1` of this step. */
  stepSize: number;
  /** `sqrt(bias_correction2)` of this step. */
  biasCorrection2Sqrt: number;
}

/** Arguments of `sgdStep` (torch/optim/sgd.py): `param` and `momentumBuffer` are updated in place. */
export interface SgdStepArgs {
  param: FloatArray;
  grad: FloatArray;
  /** The momentum buffer (momentum != 0), or null without momentum. */
  momentumBuffer: FloatArray | null;
  /** The buffer is new (PyTorch's `buf is None`): it is set to this step's `d_p`, not updated. */
  newMomentumBuffer: boolean;
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Arguments of `rmspropStep` (torch/optim/rmsprop.py): `param`, `squareAvg`, `gradAvg` and
 * `momentumBuffer` are updated in place.
 */
export interface RmspropStepArgs {
  param: FloatArray;
  grad: FloatArray;
  /** Running average of the squared gradient. */
  squareAvg: FloatArray;
  /** Running average of the gradient (centered), or null. */
  gradAvg: FloatArray | null;
  /** Momentum buffer (momentum > 0), or null. */
  momentumBuffer: FloatArray | null;
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  maximize: boolean;
}

/** Arguments of `adagradStep` (torch/optim/adagrad.py, dense gradients): `param` and `stateSum` are updated in place. */
export interface AdagradStepArgs {
  param: FloatArray;
  grad: FloatArray;
  /** Sum of squared gradients. */
  stateSum: FloatArray;
  /** This step's learning rate `lr / (1 + (step - 1) * lr_decay)`. */
  clr: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/** The optim members of `Backend`. */
export interface OptimRoutines {
  /** One Adam / AdamW update of a parameter. */
  adamStep?(args: AdamStepArgs): void;
  /** One SGD update of a parameter (optionally with momentum, Nesterov). */
  sgdStep?(args: SgdStepArgs): void;
  /** One RMSprop update of a parameter (optionally centered, with momentum). */
  rmspropStep?(args: RmspropStepArgs): void;
  /** One Adagrad update of a parameter. */
  adagradStep?(args: AdagradStepArgs): void;
}

/** `adamStep`'s fields (native/optim.h AdamStep); the compiled kernels take float32 only. @internal */
export const adamStepRoutine = describeRoutine<AdamStepArgs>()({
  name: 'adamStep',
  sizes: ['n'],
  fields: [
    ['n', 'size'],
    ['param', 'inout', 'n'], ['grad', 'in', 'n'], ['expAvg', 'inout', 'n'], ['expAvgSq', 'inout', 'n'], ['maxExpAvgSq', 'inout?', 'n'],
    ['lr', 'float'], ['beta1', 'float'], ['beta2', 'float'], ['eps', 'float'], ['weightDecay', 'float'],
    ['decoupledWeightDecay', 'flag'], ['maximize', 'flag'], ['stepSize', 'float'], ['biasCorrection2Sqrt', 'float'],
  ],
  measure: (a, s) => {
    s[0] = a.param.length; // n
    return a.param.length < 2 ** 31;
  },
  float64: false,
  chunk: 'n',
});
