/**
 * L-BFGS, like `torch.optim.LBFGS` (PyTorch 1.13's torch/optim/lbfgs.py, operation by operation).
 *
 * PyTorch's Python mixes two kinds of numbers, and the trajectory depends on which is which:
 * Python floats (the losses, `lr`, the tolerances, and the step `t` when it comes from `lr`) are
 * doubles, while anything computed from a tensor (`ys = y.dot(s)`, `ro`, `H_diag`, the directional
 * derivatives `gtd`, and `t` when it comes from `1 / |g|_1` or an interpolation) is a 0-d tensor of
 * the parameters' dtype, so in float32 it is rounded to float32 after every operation, and a Python
 * float meeting it is rounded to float32 first. {@link Num} keeps that distinction, and the `py*`
 * helpers apply Python's operators with PyTorch's rules (`1. / x` is `x.reciprocal() * 1.`).
 * The dot products and `add_(x, alpha=...)` run through the BLAS-1 routines, which reproduce
 * `torch.dot`'s OpenBLAS summation order and the fused multiply-add of PyTorch's `add_`, so a run
 * whose loss and gradients match PyTorch's bit for bit follows PyTorch's trajectory bit for bit.
 */
import { checkOptions } from '../validate.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { RuntimeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/factories.js';
import { emptyTensor } from '../tensor/create.js';
import { routine } from '../backends/routine.js';
import { dense } from '../ops/util.js';
import { sub } from '../ops/elementwise.js';
import { cat } from '../ops/movement.js';
import { Optimizer, type ParamGroup, type Params, bumpVersion, updateParam } from './optimizer.js';

/** Options of {@link LBFGS} (PyTorch's keyword arguments in camelCase). */
export interface LBFGSOptions {
  /** Learning rate: the step length of every iteration but the first (default 1). */
  lr?: number;
  /** Maximal number of iterations per `step()` (default 20). */
  maxIter?: number;
  /** Maximal number of function evaluations per `step()` (default `floor(maxIter * 5 / 4)`). */
  maxEval?: number | null;
  /** Stop when every gradient element is at most this in magnitude (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the loss or the parameters change less than this (default 1e-9). */
  toleranceChange?: number;
  /** Number of past updates kept (default 100). */
  historySize?: number;
  /** `'strong_wolfe'` for a line search satisfying the strong Wolfe conditions, or null (default). */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** The one parameter group of {@link LBFGS}. */
export interface LBFGSGroup extends ParamGroup {
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

/**
 * A Python number (a JS number) or a 0-d tensor of the parameters' dtype, as L-BFGS's scalars are in
 * PyTorch's Python code.
 */
export type Num = number | Tensor;

/**
 * The state of {@link LBFGS} under PyTorch's names. PyTorch keeps it as the state of the first
 * parameter (so `stateDict().state` has the single key 0).
 */
export interface LBFGSState {
  /** Function evaluations over all steps. */
  func_evals: number;
  /** Iterations over all steps. */
  n_iter: number;
  /** The last search direction (flat, all parameters). */
  d?: Tensor | null;
  /** The last step length. */
  t?: Num | null;
  /** Gradient differences `y` of the kept updates, oldest first. */
  old_dirs?: Tensor[] | null;
  /** Steps `s` of the kept updates, oldest first. */
  old_stps?: Tensor[] | null;
  /** `1 / (y · s)` of the kept updates (0-d tensors). */
  ro?: Tensor[] | null;
  /** Scale of the initial inverse Hessian: 1, or a 0-d tensor `(y · s) / (y · y)`. */
  H_diag?: Num | null;
  /** The flat gradient at the start of the last iteration. */
  prev_flat_grad?: Tensor | null;
  /** The loss at the start of the last iteration. */
  prev_loss?: number | null;
  /** The two-loop recursion's coefficients (`historySize` slots, null until used). */
  al?: (Tensor | null)[];
}

// ---------------------------------------------------------------- Python's operators on Num

function pyAdd(a: Num, b: Num): Num {
  if (a instanceof Tensor) return a.add(b);
  if (b instanceof Tensor) return b.add(a); // float + tensor: Tensor.__radd__
  return a + b;
}

function pySub(a: Num, b: Num): Num {
  if (a instanceof Tensor) return a.sub(b);
  if (b instanceof Tensor) return sub(a, b); // float - tensor: Tensor.__rsub__ (one rounding)
  return a - b;
}

function pyMul(a: Num, b: Num): Num {
  if (a instanceof Tensor) return a.mul(b);
  if (b instanceof Tensor) return b.mul(a);
  return a * b;
}

function pyDiv(a: Num, b: Num): Num {
  if (a instanceof Tensor) return a.div(b);
  // PyTorch parity: float / tensor is Tensor.__rtruediv__, `b.reciprocal() * a` (two roundings)
  if (b instanceof Tensor) return b.reciprocal().mul(a);
  // Deviation: Python raises ZeroDivisionError for b = 0; JS gives an infinity or NaN
  return a / b;
}

function pyAbs(a: Num): Num {
  return a instanceof Tensor ? a.abs() : Math.abs(a);
}

/** a < b with Python's dispatch: a comparison involving a tensor is made in the tensor's dtype. */
function pyLt(a: Num, b: Num): boolean {
  if (a instanceof Tensor) return Boolean(a.lt(b).item());
  if (b instanceof Tensor) return Boolean(b.gt(a).item());
  return a < b;
}

function pyLe(a: Num, b: Num): boolean {
  if (a instanceof Tensor) return Boolean(a.le(b).item());
  if (b instanceof Tensor) return Boolean(b.ge(a).item());
  return a <= b;
}

function pyGt(a: Num, b: Num): boolean {
  return pyLt(b, a);
}

function pyGe(a: Num, b: Num): boolean {
  return pyLe(b, a);
}

/** Python's `min(a, b)`: `b` only if `b < a`. */
function pyMin(a: Num, b: Num): Num {
  return pyLt(b, a) ? b : a;
}

/** Python's `max(a, b)`: `b` only if `b > a`. */
function pyMax(a: Num, b: Num): Num {
  return pyGt(b, a) ? b : a;
}

/** Python's `float(x)` of a closure's loss or a scalar. */
function pyFloatOf(x: unknown): number {
  if (x instanceof Tensor) return x.item();
  if (typeof x === 'number') return x;
  throw new TypeError(`float() argument must be a string or a number, not '${x === null ? 'NoneType' : typeof x}'`);
}

/** The value of a Num as PyTorch's `Scalar` (an `alpha`). */
function scalarOf(x: Num): number {
  return x instanceof Tensor ? x.item() : x;
}

// ---------------------------------------------------------------- vector operations

/** `a.dot(b)` of two flat vectors: a 0-d tensor, summed in OpenBLAS's order as `torch.dot`. */
function dot(a: Tensor, b: Tensor): Tensor {
  const out = emptyTensor([], a.dtype);
  routine('dot')({ x: dense(a), y: dense(b.dtype === a.dtype ? b : b.to(a.dtype)), out: dense(out) });
  return out;
}

/** `y.add_(x, alpha=alpha)` for a fresh contiguous `y` (one rounding per element, as PyTorch). */
function addScaled_(y: Tensor, x: Tensor, alpha: number): void {
  routine('axpy')({ alpha, x: dense(x), y: dense(y) });
  bumpVersion(y);
}

// ---------------------------------------------------------------- line search

/**
 * Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`
 * (default: the interval between x1 and x2): PyTorch's `_cubic_interpolate`.
 */
function cubicInterpolate(x1: Num, f1: number, g1: Tensor, x2: Num, f2: number, g2: Tensor, bounds?: [Num, Num]): Num {
  let xminBound: Num;
  let xmaxBound: Num;
  if (bounds !== undefined) [xminBound, xmaxBound] = bounds;
  else [xminBound, xmaxBound] = pyLe(x1, x2) ? [x1, x2] : [x2, x1];
  // d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);  d2 = sqrt(d1^2 - g1*g2)
  const d1 = pySub(pyAdd(g1, g2), pyDiv(pyMul(3, f1 - f2), pySub(x1, x2))) as Tensor;
  const d2Square = d1.mul(d1).sub(g1.mul(g2)); // PyTorch's d1**2 is d1 * d1
  if (pyGe(d2Square, 0)) {
    const d2 = d2Square.sqrt();
    let minPos: Num;
    if (pyLe(x1, x2)) {
      // x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      minPos = pySub(x2, pyMul(pySub(x2, x1), g2.add(d2).sub(d1).div(g2.sub(g1).add(d2.mul(2)))));
    } else {
      minPos = pySub(x1, pyMul(pySub(x1, x2), g1.add(d2).sub(d1).div(g1.sub(g2).add(d2.mul(2)))));
    }
    return pyMin(pyMax(minPos, xminBound), xmaxBound);
  }
  return pyDiv(pyAdd(xminBound, xmaxBound), 2);
}

type ObjFunc = (x: Tensor[], t: Num, d: Tensor) => [number, Tensor];

/**
 * A step length along `d` satisfying the strong Wolfe conditions, from the initial guess `t`:
 * PyTorch's `_strong_wolfe` (bracketing, then zoom). Returns the loss, flat gradient and step
 * length at the chosen point and the number of evaluations.
 */
function strongWolfe(
  objFunc: ObjFunc,
  x: Tensor[],
  t0: Num,
  d: Tensor,
  f: number,
  g0: Tensor,
  gtd: Tensor,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Tensor, Num, number] {
  let t = t0;
  const dNorm = d.abs().max();
  const g = g0.clone();
  // evaluate objective and gradient using initial step
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: Num = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: Tensor[] = [];
  while (lsIter < maxLs) {
    // check conditions
    if (pyGt(fNew, pyAdd(f, pyMul(pyMul(c1, t), gtd))) || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (pyLe(pyAbs(gtdNew), pyMul(-c2, gtd))) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (pyGe(gtdNew, 0)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = pyAdd(t, pyMul(0.01, pySub(t, tPrev)));
    const maxStep = pyMul(t, 10);
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.clone();
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  // reached max number of iterations?
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }

  // zoom phase: we now have a point satisfying the criteria, or a bracket around it; refine the
  // bracket until we find the exact point satisfying the criteria
  let insufProgress = false;
  // find high and low points in bracket
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    // line-search bracket is so small
    if (pyLt(pyMul(pyAbs(pySub(bracket[1]!, bracket[0]!)), dNorm), toleranceChange)) break;
    // compute new trial value
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    // test that we are making sufficient progress: if `t` is close to a boundary, mark the
    // progress insufficient; if it was already, or `t` is at a boundary, move `t` to 0.1 * the
    // bracket's length away from the nearest boundary point
    const bMax = pyMax(bracket[0]!, bracket[1]!);
    const bMin = pyMin(bracket[0]!, bracket[1]!);
    const eps = pyMul(0.1, pySub(bMax, bMin));
    if (pyLt(pyMin(pySub(bMax, t), pySub(t, bMin)), eps)) {
      // interpolation close to boundary
      if (insufProgress || pyGe(t, bMax) || pyLe(t, bMin)) {
        // evaluate at 0.1 away from boundary
        if (pyLt(pyAbs(pySub(t, bMax)), pyAbs(pySub(t, bMin)))) t = pySub(bMax, eps);
        else t = pyAdd(bMin, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    // evaluate new point
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;

    if (pyGt(fNew, pyAdd(f, pyMul(pyMul(c1, t), gtd))) || fNew >= bracketF[lowPos]!) {
      // Armijo condition not satisfied or not lower than lowest point
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.clone();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (pyLe(pyAbs(gtdNew), pyMul(-c2, gtd))) {
        // Wolfe conditions satisfied
        done = true;
      } else if (pyGe(pyMul(gtdNew, pySub(bracket[highPos]!, bracket[lowPos]!)), 0)) {
        // old high becomes new low
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      // new point becomes new low
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.clone();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

// ---------------------------------------------------------------- the optimizer

/**
 * L-BFGS, like `torch.optim.LBFGS`: a quasi-Newton method that keeps the last `historySize`
 * updates, optionally with a strong-Wolfe line search. `step(closure)` runs up to `maxIter`
 * iterations, calling the closure (which must recompute the loss and its gradients) as often as
 * it needs, and returns the closure's first result. It takes one parameter group only, and keeps
 * a flat copy of all parameters per history entry.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.optim.LBFGS.html
 * @example
 * const opt = new optim.LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe' });
 * for (let i = 0; i < 10; i++) {
 *   const loss = opt.step(() => {
 *     opt.zeroGrad();
 *     const l = nn.functional.mseLoss(model.forward(x), y);
 *     l.backward();
 *     return l;
 *   });
 * }
 */
export class LBFGS extends Optimizer<LBFGSGroup, LBFGSState> {
  constructor(params: Params<LBFGSGroup>, options: LBFGSOptions = {}) {
    checkOptions('LBFGS()', options, ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn']);
    const {
      lr = 1,
      maxIter = 20,
      maxEval = null,
      toleranceGrad = 1e-7,
      toleranceChange = 1e-9,
      historySize = 100,
      lineSearchFn = null,
    } = options;
    super(params, {
      lr,
      maxIter,
      maxEval: maxEval ?? Math.floor((maxIter * 5) / 4), // PyTorch: max_iter * 5 // 4
      toleranceGrad,
      toleranceChange,
      historySize,
      lineSearchFn,
    });
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  /** The parameters (of the one group). */
  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  /** All gradients as one flat vector (zeros for a parameter without one): `_gather_flat_grad`. */
  private gatherFlatGrad(): Tensor {
    const views = this.params.map((p) => (p.grad === null ? zeros([p.numel()], { dtype: p.dtype }) : p.grad.reshape([-1])));
    return cat(views, 0);
  }

  /** `p.add_(update[offset:offset + numel].view_as(p), alpha=stepSize)` for each parameter: `_add_grad`. */
  private addGrad(stepSize: Num, update: Tensor): void {
    const alpha = scalarOf(stepSize);
    let offset = 0;
    for (const p of this.params) {
      const numel = p.numel();
      const x = dense(update.narrow(0, offset, numel));
      updateParam(p, (y) => routine('axpy')({ alpha, x, y }));
      offset += numel;
    }
  }

  /** `_clone_param`. */
  private cloneParam(): Tensor[] {
    return this.params.map((p) => p.clone());
  }

  /** `_set_param`. */
  private setParam(paramsData: Tensor[]): void {
    this.params.forEach((p, i) => p.copy_(paramsData[i]!));
  }

  /** The loss and flat gradient at `x + t * d`, leaving the parameters at `x`: `_directional_evaluate`. */
  private directionalEvaluate(closure: () => unknown, x: Tensor[], t: Num, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = pyFloatOf(enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    this.setParam(x);
    return [loss, flatGrad];
  }

  /**
   * Runs up to `maxIter` L-BFGS iterations. `closure` clears the gradients, computes the loss,
   * calls `backward()` and returns the loss; it runs with grad mode on. Returns its first result.
   * @example const loss = opt.step(() => { opt.zeroGrad(); const l = f(x); l.backward(); return l; });
   */
  override step<L = Tensor>(closure?: () => L): L {
    if (closure === undefined) throw new TypeError("LBFGS.step() missing 1 required positional argument: 'closure'");
    if (typeof closure !== 'function') throw new TypeError(`'${typeof closure}' object is not callable`);
    // Deviation: PyTorch asserts this (an AssertionError without a message)
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    const result = noGrad(() => this.run(closure));
    this._stepCount++;
    return result;
  }

  private run<L>(closure: () => L): L {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;

    // NOTE (PyTorch): LBFGS has only global state, registered as the first parameter's state
    const state = this.stateFor(this.params[0]!, () => ({}) as LBFGSState);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    // evaluate initial f(x) and df/dx
    const origLoss = enableGrad(closure);
    let loss = pyFloatOf(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;

    let flatGrad = this.gatherFlatGrad();
    let optCond = pyLe(flatGrad.abs().max(), toleranceGrad);
    // optimal condition
    if (optCond) return origLoss;

    // tensors cached in state
    let d = state.d ?? null;
    let t = state.t ?? null;
    let oldDirs = state.old_dirs ?? null;
    let oldStps = state.old_stps ?? null;
    let ro = state.ro ?? null;
    let hDiag = state.H_diag ?? null;
    let prevFlatGrad = state.prev_flat_grad ?? null;
    let prevLoss = state.prev_loss ?? null;

    let nIter = 0;
    // optimize for a max of maxIter iterations
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter += 1;

      // compute gradient descent direction
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        // do lbfgs update (update memory)
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = dot(y, s); // y*s
        if (pyGt(ys, 1e-10)) {
          // updating memory
          if (oldDirs!.length === historySize) {
            // shift history by one (limited-memory)
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          // store new direction/step
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(pyDiv(1, ys) as Tensor);
          // update scale of initial Hessian approximation
          hDiag = ys.div(dot(y, y)); // (y*y)
        }
        // compute the approximate (L-BFGS) inverse Hessian multiplied by the gradient
        const numOld = oldDirs!.length;
        if (!('al' in state)) state.al = new Array<Tensor | null>(historySize).fill(null);
        const al = state.al!;
        // iteration in L-BFGS loop collapsed to use just one buffer
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dot(oldStps![i]!, q).mul(ro![i]!);
          addScaled_(q, oldDirs![i]!, -scalarOf(al[i]!));
        }
        // multiply by initial Hessian; r/d is the final direction
        const r = q.mul(hDiag!);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = dot(oldDirs![i]!, r).mul(ro![i]!);
          addScaled_(r, oldStps![i]!, scalarOf(al[i]!.sub(beI)));
        }
      }

      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // compute step length: reset initial guess for step size
      if (state.n_iter === 1) t = pyMul(pyMin(1, pyDiv(1, flatGrad.abs().sum())), lr);
      else t = lr;

      // directional derivative
      const gtd = dot(flatGrad, d); // g * d
      // directional derivative is below tolerance
      if (pyGt(gtd, -toleranceChange)) break;

      // optional line search: user function
      let lsFuncEvals = 0;
      if (lineSearchFn !== null && lineSearchFn !== undefined) {
        // perform line search, using user function
        if (lineSearchFn !== 'strong_wolfe') throw new RuntimeError("only 'strong_wolfe' is supported");
        const xInit = this.cloneParam();
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = pyLe(flatGrad.abs().max(), toleranceGrad);
      } else {
        // no line search, simply move with fixed-step
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          // re-evaluate function only if not in last iteration (in a stochastic setting there is
          // no use re-evaluating it here)
          loss = pyFloatOf(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = pyLe(flatGrad.abs().max(), toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      // update func eval
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      // check conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      // optimal condition
      if (optCond) break;
      // lack of progress
      if (pyLe(d.mul(t).abs().max(), toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.old_dirs = oldDirs;
    state.old_stps = oldStps;
    state.ro = ro;
    state.H_diag = hDiag;
    state.prev_flat_grad = prevFlatGrad;
    state.prev_loss = prevLoss;
    return origLoss;
  }

  /** Not used: {@link LBFGS.step} runs the whole update. */
  protected updateGroup(): void {
    throw new RuntimeError('LBFGS updates its parameters in step(closure)');
  }
}
