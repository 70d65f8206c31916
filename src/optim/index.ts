/**
 * `torch.optim`: optimizers and learning-rate schedulers.
 * See https://pytorch.org/docs/stable/optim.html
 * @example
 * import * as torch from 'torchlet';
 * const opt = new torch.optim.Adam([w], { lr: 1e-3 });
 * const sched = new torch.optim.lrScheduler.StepLR(opt, 10, { gamma: 0.5 });
 * const lbfgs = new torch.optim.LBFGS([w], { lineSearchFn: 'strong_wolfe' });
 * lbfgs.step(() => { lbfgs.zeroGrad(); const l = f(w); l.backward(); return l; });
 * @module
 */
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDGroup, type SGDState } from './sgd.js';
export { Adam, type AdamOptions, type AdamGroup, type AdamState } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { RMSprop, type RMSpropOptions, type RMSpropGroup, type RMSpropState } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradGroup, type AdagradState } from './adagrad.js';
export { LBFGS, type LBFGSOptions, type LBFGSGroup, type LBFGSState, type Num as LBFGSNum } from './lbfgs.js';
export * as lrScheduler from './lr-scheduler.js';
