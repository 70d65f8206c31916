/**
 * Loss functions, like `torch.nn.functional`'s: mse_loss, l1_loss, smooth_l1_loss, huber_loss,
 * cross_entropy, nll_loss, binary_cross_entropy(_with_logits) and kl_div.
 *
 * L1 and KL divergence compose existing ops, as in PyTorch 1.13. MSE, smooth L1, Huber, BCE and
 * BCE with logits are one op each with a fused loop (same-shape, same-dtype operands) and PyTorch's
 * derivative formula also written with differentiable ops (broadcasting, mixed dtypes, double
 * backward). Cross-entropy (log-softmax + NLL) and NLL are fused loops over contiguous memory;
 * their backward has a fast loop and, when a graph of the gradient is requested (`createGraph`), a
 * composite formula.
 */
import { checkOptions, describeValue } from '../validate.js';
import '../ops/elementwise.js';
import '../ops/movement.js';
import '../ops/reduce.js';
import { defineOp } from '../autograd/function.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { type DType, type FloatArray, isFloating, promoteTypes, scalarTypeName, type TypedArray } from '../tensor/dtype.js';
import { emptyTensor, scalarTensor, wrapArray } from '../tensor/create.js';
import { Tensor, shapeNumel } from '../tensor/tensor.js';
import { where } from '../ops/elementwise.js';
import { broadcastShapes, broadcastView, castRaw } from '../ops/util.js';
import { sameShape } from '../tensor/tensor.js';
import { warnOnce } from '../warnings.js';

// ---------------------------------------------------------------- options and shared helpers

/** How a loss reduces its per-element values: PyTorch's `reduction`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Options shared by every loss. */
export interface LossOptions {
  /** 'none' | 'mean' (default) | 'sum'. */
  reduction?: Reduction;
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear (default 1, must be >= 0). */
  beta?: number;
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear (default 1, must be > 0). */
  delta?: number;
}

/** Options of `nllLoss`. */
export interface NLLLossOptions extends LossOptions {
  /** A manual rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Target value that is ignored and does not count in the mean (default -100). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** Amount of smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** Options of `binaryCrossEntropy`. */
export interface BCELossOptions extends LossOptions {
  /** A manual rescaling weight, broadcast to the target's shape. */
  weight?: Tensor | null;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples, broadcast along the last (class) dim: shape [C]. */
  posWeight?: Tensor | null;
}

/** Options of `klDiv`. */
export interface KLDivLossOptions {
  /** 'none' | 'mean' (default) | 'sum' | 'batchmean' (sum divided by the batch size). */
  reduction?: Reduction | 'batchmean';
  /** Whether `target` holds log-probabilities (default false). */
  logTarget?: boolean;
}

/** Python's type name of a JS value, for argument errors. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Tensor) return 'Tensor';
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

/** PyTorch's argument-parser error for a non-Tensor argument. */
function tensorArg(fn: string, name: string, pos: number, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}(): argument '${name}' (position ${pos}) must be Tensor, not ${pyType(v)}`);
  return v;
}

/** An optional Tensor argument (`undefined` and `null` are None). */
function optTensorArg(fn: string, name: string, pos: number, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(fn, name, pos, v);
}

function numberArg(fn: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw new TypeError(`${fn}(): argument '${name}' must be float, not ${pyType(v)}`);
  return v;
}

/** Python's str() of a reduction value, for the ValueError. */
function pyStr(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'string' ? v : describeValue(v);
}


/** PyTorch's `_Reduction.get_enum`: validates a reduction (default 'mean'). @internal */
export function getReduction(r: unknown): Reduction {
  if (r === undefined || r === 'mean') return 'mean';
  if (r === 'none' || r === 'sum') return r;
  if (r === 'elementwise_mean') {
    warnOnce("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
    return 'mean';
  }
  throw new ValueError(`${pyStr(r)} is not a valid value for reduction`);
}

function applyReduction(loss: Tensor, r: Reduction): Tensor {
  return r === 'none' ? loss : r === 'mean' ? loss.mean() : loss.sum();
}

/** `torch.Size([2, 3])`, as Python prints it. */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** C++ `ostream << double` (the `%g` format with 6 significant digits), used in ATen messages. */
function cppDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential(5).split('e') as [string, string];
  const exp = Number(expStr);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 6) return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(v.toFixed(5 - exp));
}

/** In-place ops need the other operand to broadcast into `out` without growing it. */
function checkInplaceBroadcast(out: readonly number[], other: readonly number[]): void {
  const b = broadcastShapes(out, other);
  if (!sameShape(b, out)) {
    throw new RuntimeError(`output with shape [${out.join(', ')}] doesn't match the broadcast shape [${b.join(', ')}]`);
  }
}

/** Autograd refuses a weight that requires grad where PyTorch's formula has no gradient for it. */
function checkNoRequiresGrad(t: Tensor | null, name: string, fn: string): void {
  if (t && t.requiresGrad && isGradEnabled()) {
    throw new RuntimeError(
      `The function '${fn}' is not differentiable with respect to argument '${name}'. This input cannot have requires_grad True.`,
    );
  }
}

/** The broadcasting warning of mse/l1/smooth_l1/huber (PyTorch warns, then broadcasts). */
function warnSize(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  warnOnce(
    `Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
    'loss-broadcast',
  );
}

/** Contiguous elements of `t`: its storage when already contiguous, otherwise a copy. */
function flat(t: Tensor): { d: TypedArray; o: number } {
  return t.isContiguous() ? { d: t.storage.data, o: t.offset } : { d: t.dataSync(), o: 0 };
}

/** `t` as a contiguous array of `dtype` (a copy only when needed). */
function flatAs(t: Tensor, dtype: DType): { d: FloatArray; o: number } {
  const r = t.dtype === dtype ? flat(t) : { d: castRaw(t, dtype).storage.data, o: 0 };
  return r as { d: FloatArray; o: number };
}

// ---------------------------------------------------------------- element-wise losses

/** The element-wise losses with a derivative formula of their own in PyTorch. */
type EwKind = 'mse' | 'smooth_l1' | 'huber' | 'bce' | 'bce_logits';

/** Options of an element-wise loss op: p is beta (smooth L1) or delta (Huber). */
interface EwArgs {
  p: number;
  /** Broadcasts into the input's shape (checked by the caller); same dtype as the loss. */
  weight: Tensor | null;
  /** Broadcasts into the input's shape (checked by the caller); same dtype as the loss. */
  posWeight: Tensor | null;
  reduction: Reduction;
}

/** Contiguous same-shape operands of the fused path; w and pw are expanded to n elements. */
interface EwArrays {
  x: FloatArray;
  xo: number;
  t: FloatArray;
  to: number;
  w: FloatArray | null;
  pw: FloatArray | null;
  n: number;
}

/** The composite form: unreduced loss and the gradients for an upstream g (already divided for 'mean'). */
interface EwComposite {
  value(x: Tensor, t: Tensor, a: EwArgs): Tensor;
  grads(x: Tensor, t: Tensor, g: Tensor, a: EwArgs, need: boolean[]): (Tensor | null)[];
}

/** log(sigmoid(v)) = min(v, 0) - log1p(exp(-|v|)), finite for any v. */
function logSigmoidNum(v: number): number {
  return Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
}

/**
 * Fused element-wise loss forward over contiguous operands. Writes the unreduced loss to `out`
 * (when given) and returns the double-precision sum. d = x - t; p = beta or delta.
 *   mse        d²
 *   smooth_l1  |d| < p ? 0.5 d²/p : |d| - 0.5 p
 *   huber      |d| < p ? 0.5 d² : p (|d| - 0.5 p)
 *   bce        w ((t - 1) max(log1p(-x), -100) - t max(log x, -100))
 *   bce_logits w ((1 - t) x + (1 + (pw - 1) t) (log1p(e^-|x|) + max(-x, 0)))
 */
function ewForwardKernel(kind: EwKind, A: EwArrays, p: number, out: FloatArray | null): number {
  const { x, xo, t, to, w, pw, n } = A;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    const ti = t[to + i]!;
    let v: number;
    // The switch is on a loop-invariant value; V8 hoists the branch.
    switch (kind) {
      case 'mse': {
        const d = xi - ti;
        v = d * d;
        break;
      }
      case 'smooth_l1': {
        const z = Math.abs(xi - ti);
        v = z < p ? (0.5 * z * z) / p : z - 0.5 * p;
        break;
      }
      case 'huber': {
        const z = Math.abs(xi - ti);
        v = z < p ? 0.5 * z * z : p * (z - 0.5 * p);
        break;
      }
      case 'bce':
        v = (ti - 1) * Math.max(Math.log1p(-xi), -100) - ti * Math.max(Math.log(xi), -100);
        break;
      case 'bce_logits': {
        // log(1 + e^-x) = log(e^-m + e^(-x-m)) + m = log1p(e^-|x|) + m with m = max(-x, 0)
        const lt = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0);
        v = (1 - ti) * xi + (pw ? (pw[i]! - 1) * ti + 1 : 1) * lt;
        break;
      }
    }
    if (w) v *= w[i]!;
    if (out) out[i] = v;
    sum += v;
  }
  return sum;
}

/**
 * Fused element-wise loss backward (PyTorch's formulas). gi = upstream gradient of element i
 * (already divided by n for 'mean'); d = x - t. The target's gradient of mse/smooth_l1/huber is the
 * input's formula at t - x (derivatives.yaml swaps the arguments), which matters only at ties.
 *   mse        gx = 2 d gi
 *   smooth_l1  s(d) gi, s(d) = d <= -p ? -1 : d >= p ? 1 : d / p
 *   huber      h(d) gi, h(d) = d <= -p ? -p : d >= p ? p : d
 *   bce        gx = w gi (x - t) / max((1 - x) x, 1e-12),  gt = -w gi log(x / (1 - x))
 *   bce_logits gx = w gi ((pw t + 1 - t) sigmoid(x) - pw t),  gt = w gi (logsig(-x) - pw logsig(x))
 */
function ewBackwardKernel(kind: EwKind, A: EwArrays, p: number, g: SampleGrad, gx: FloatArray | null, gt: FloatArray | null): void {
  const { x, xo, t, to, w, pw, n } = A;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    const ti = t[to + i]!;
    let gi = g.arr ? g.arr[g.off + i]! : g.scalar;
    if (w) gi *= w[i]!;
    const d = xi - ti;
    switch (kind) {
      case 'mse':
        if (gx) gx[i] = 2 * d * gi;
        if (gt) gt[i] = -2 * d * gi;
        break;
      case 'smooth_l1':
        if (gx) gx[i] = (d <= -p ? -1 : d >= p ? 1 : d / p) * gi;
        if (gt) gt[i] = (-d <= -p ? -1 : -d >= p ? 1 : -d / p) * gi;
        break;
      case 'huber':
        if (gx) gx[i] = (d <= -p ? -p : d >= p ? p : d) * gi;
        if (gt) gt[i] = (-d <= -p ? -p : -d >= p ? p : -d) * gi;
        break;
      case 'bce':
        if (gx) gx[i] = (gi * d) / Math.max((1 - xi) * xi, 1e-12);
        if (gt) gt[i] = -Math.log(xi / (1 - xi)) * gi;
        break;
      case 'bce_logits': {
        const pwi = pw ? pw[i]! : 1;
        if (gx) {
          const e = Math.exp(-Math.abs(xi));
          const sig = xi >= 0 ? 1 / (1 + e) : e / (1 + e);
          gx[i] = pw ? ((pwi * ti + 1 - ti) * sig - pwi * ti) * gi : (sig - ti) * gi;
        }
        if (gt) gt[i] = pw ? (logSigmoidNum(-xi) - pwi * logSigmoidNum(xi)) * gi : -xi * gi;
        break;
      }
    }
  }
}

/** `t` broadcast to `shape` as a contiguous array of `dtype` (a copy unless already so). */
function expandedArray(t: Tensor | null, shape: readonly number[], dtype: DType): FloatArray | null {
  if (!t) return null;
  if (sameShape(t.shape, shape)) {
    const { d, o } = flatAs(t, dtype);
    return o === 0 && d.length === t.numel() ? d : (d.subarray(o, o + t.numel()) as FloatArray);
  }
  return castRaw({ ...broadcastView(t, shape), dtype: t.dtype }, dtype).storage.data as FloatArray;
}

/**
 * One autograd op per element-wise loss. The fused loops run when input and target have the same
 * shape and dtype (the usual case); broadcasting, mixed dtypes and double backward (`createGraph`)
 * use the composite formulas, which are differentiable.
 */
function defElementwiseLoss(kind: EwKind, name: string, nodeName: string, composite: EwComposite) {
  const fused = (x: Tensor, t: Tensor): boolean => sameShape(x.shape, t.shape) && x.dtype === t.dtype;
  const arrays = (x: Tensor, t: Tensor, a: EwArgs): EwArrays => {
    const xs = flat(x) as { d: FloatArray; o: number };
    const ts = flat(t) as { d: FloatArray; o: number };
    return {
      x: xs.d, xo: xs.o, t: ts.d, to: ts.o, n: x.numel(),
      w: expandedArray(a.weight, x.shape, x.dtype),
      pw: expandedArray(a.posWeight, x.shape, x.dtype),
    };
  };
  return defineOp({
    name,
    nodeName,
    forward(ctx, input: Tensor, target: Tensor, a: EwArgs) {
      ctx.save(input, target);
      ctx.args = a;
      ctx.n = shapeNumel(broadcastShapes(input.shape, target.shape));
      if (!fused(input, target)) return applyReduction(composite.value(input, target, a), a.reduction);
      const A = arrays(input, target, a);
      if (a.reduction === 'none') {
        const out = emptyTensor(input.shape, input.dtype);
        ewForwardKernel(kind, A, a.p, out.storage.data as FloatArray);
        return out;
      }
      const sum = ewForwardKernel(kind, A, a.p, null);
      return scalarTensor(a.reduction === 'mean' ? sum / A.n : sum, input.dtype);
    },
    backward(ctx, [gy]) {
      const [x, t] = ctx.saved as [Tensor, Tensor];
      const a = ctx.args as EwArgs;
      const n = ctx.n as number;
      const [ni, nt] = ctx.needsInputGrad;
      if (!isGradEnabled() && fused(x, t)) {
        const gx = ni ? emptyTensor(x.shape, x.dtype) : null;
        const gt = nt ? emptyTensor(t.shape, t.dtype) : null;
        const G = sampleGrad(gy!, a.reduction, n);
        ewBackwardKernel(kind, arrays(x, t, a), a.p, G, (gx?.storage.data ?? null) as FloatArray | null, (gt?.storage.data ?? null) as FloatArray | null);
        return [gx, gt];
      }
      const g = a.reduction === 'mean' ? gy!.div(n) : gy!;
      return composite.grads(x, t, g, a, [Boolean(ni), Boolean(nt)]);
    },
  });
}

/** mse / smooth_l1 / huber composite: value f(d) and derivative f'(d), d = input - target. */
function ofDifference(value: (d: Tensor, p: number) => Tensor, grad: (d: Tensor, p: number) => Tensor): EwComposite {
  return {
    value: (x, t, a) => value(x.sub(t), a.p),
    grads: (x, t, g, a, [ni, nt]) => [ni ? grad(x.sub(t), a.p).mul(g) : null, nt ? grad(t.sub(x), a.p).mul(g) : null],
  };
}

const mseOp = defElementwiseLoss(
  'mse',
  'mse_loss',
  'MseLossBackward0',
  ofDifference(
    (d) => d.mul(d),
    (d) => d.mul(2),
  ),
);

const smoothL1Op = defElementwiseLoss(
  'smooth_l1',
  'smooth_l1_loss',
  'SmoothL1LossBackward0',
  ofDifference(
    (d, beta) => {
      const z = d.abs();
      return beta === 0 ? z : where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta));
    },
    // PyTorch parity: the branches are tested in this order, so with beta = 0 a zero difference gets -1.
    (d, beta) => (beta === 0 ? where(d.le(0), -1, 1).to(d.dtype) : where(d.le(-beta), -1, where(d.ge(beta), 1, d.div(beta)))),
  ),
);

const huberOp = defElementwiseLoss(
  'huber',
  'huber_loss',
  'HuberLossBackward0',
  ofDifference(
    (d, delta) => {
      const z = d.abs();
      return where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta));
    },
    (d, delta) => where(d.le(-delta), -delta, where(d.ge(delta), delta, d)),
  ),
);

const bceOp = defElementwiseLoss('bce', 'binary_cross_entropy', 'BinaryCrossEntropyBackward0', {
  value(x, t, a) {
    // PyTorch parity: each log is clamped to >= -100 so that 0 and 1 give finite losses.
    const loss = t.sub(1).mul(x.neg().log1p().clamp(-100)).sub(t.mul(x.log().clamp(-100)));
    return a.weight ? loss.mul(a.weight) : loss;
  },
  grads(x, t, g, a, [ni, nt]) {
    const gw = a.weight ? g.mul(a.weight) : g;
    return [
      ni ? x.sub(t).div(x.neg().add(1).mul(x).clamp(1e-12)).mul(gw) : null,
      nt ? x.div(x.neg().add(1)).log().neg().mul(gw) : null,
    ];
  },
});

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any x. */
function logSigmoid(x: Tensor): Tensor {
  return x.clamp(null, 0).sub(x.abs().neg().exp().log1p());
}

const bceLogitsOp = defElementwiseLoss('bce_logits', 'binary_cross_entropy_with_logits', 'BinaryCrossEntropyWithLogitsBackward0', {
  value(x, t, a) {
    // Stable for any logit: log(1 + e^-x) = log1p(e^-|x|) + max(-x, 0).
    const logTerm = x.abs().neg().exp().log1p().add(x.neg().clamp(0));
    const scaled = a.posWeight ? a.posWeight.sub(1).mul(t).add(1).mul(logTerm) : logTerm;
    const loss = t.neg().add(1).mul(x).add(scaled);
    return a.weight ? loss.mul(a.weight) : loss;
  },
  grads(x, t, g, a, [ni, nt]) {
    const gw = a.weight ? g.mul(a.weight) : g;
    const pw = a.posWeight;
    if (!pw) return [ni ? x.sigmoid().sub(t).mul(gw) : null, nt ? x.neg().mul(gw) : null];
    const pt = pw.mul(t);
    return [
      ni ? pt.add(1).sub(t).mul(x.sigmoid()).sub(pt).mul(gw) : null,
      nt ? logSigmoid(x.neg()).sub(logSigmoid(x).mul(pw)).mul(gw) : null,
    ];
  },
});

/** Common checks of the regression losses: tensors, size warning, reduction, broadcast. */
function regressionArgs(fn: string, input: unknown, target: unknown, reduction: unknown): [Tensor, Tensor, Reduction] {
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  warnSize(x, t);
  const r = getReduction(reduction);
  broadcastShapes(x.shape, t.shape);
  return [x, t, r];
}

function resultOf(x: Tensor, t: Tensor): DType {
  return promoteTypes(x.dtype, t.dtype);
}

/**
 * Mean squared error, like `torch.nn.functional.mse_loss`. `input` and `target` broadcast (with
 * PyTorch's warning, printed once).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.mse_loss.html
 * @example const loss = torch.nn.functional.mseLoss(pred, target); // scalar
 */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  opts = checkOptions<LossOptions>('mseLoss()', opts, ['reduction']);
  const [x, t, r] = regressionArgs('mse_loss', input, target, opts.reduction);
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"mse_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return mseOp(x, t, { p: 0, weight: null, posWeight: null, reduction: r });
}

/**
 * Mean absolute error, like `torch.nn.functional.l1_loss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.l1_loss.html
 * @example const loss = torch.nn.functional.l1Loss(pred, target, { reduction: 'sum' });
 */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  opts = checkOptions<LossOptions>('l1Loss()', opts, ['reduction']);
  const [x, t, r] = regressionArgs('l1_loss', input, target, opts.reduction);
  // PyTorch 1.13's l1_loss is composite: (input - target).abs() then the reduction.
  return applyReduction(x.sub(t).abs(), r);
}

/**
 * Smooth L1 loss, like `torch.nn.functional.smooth_l1_loss`: 0.5 d²/beta where |d| < beta,
 * else |d| - 0.5 beta.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.smooth_l1_loss.html
 * @example const loss = torch.nn.functional.smoothL1Loss(pred, target, { beta: 0.5 });
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  opts = checkOptions<SmoothL1LossOptions>('smoothL1Loss()', opts, ['reduction', 'beta']);
  const [x, t, r] = regressionArgs('smooth_l1_loss', input, target, opts.reduction);
  const beta = numberArg('smooth_l1_loss', 'beta', opts.beta, 1);
  if (!(beta >= 0)) throw new RuntimeError('smooth_l1_loss does not support negative values for beta.');
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"smooth_l1_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return smoothL1Op(x, t, { p: beta, weight: null, posWeight: null, reduction: r });
}

/**
 * Huber loss, like `torch.nn.functional.huber_loss`: 0.5 d² where |d| < delta, else
 * delta (|d| - 0.5 delta).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.huber_loss.html
 * @example const loss = torch.nn.functional.huberLoss(pred, target, { delta: 2 });
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  opts = checkOptions<HuberLossOptions>('huberLoss()', opts, ['reduction', 'delta']);
  const x = tensorArg('huber_loss', 'input', 1, input);
  const t = tensorArg('huber_loss', 'target', 2, target);
  warnSize(x, t);
  broadcastShapes(x.shape, t.shape); // PyTorch broadcasts before it parses the reduction here
  const r = getReduction(opts.reduction);
  const delta = numberArg('huber_loss', 'delta', opts.delta, 1);
  if (!(delta > 0)) throw new RuntimeError('huber_loss does not support non-positive values for delta.');
  const dt = resultOf(x, t);
  if (!isFloating(dt)) throw new RuntimeError(`"huber_cpu" not implemented for '${scalarTypeName(dt)}'`);
  return huberOp(x, t, { p: delta, weight: null, posWeight: null, reduction: r });
}

// ---------------------------------------------------------------- BCE, BCE with logits

/**
 * Binary cross-entropy between probabilities and targets, like
 * `torch.nn.functional.binary_cross_entropy`. Each log is clamped to >= -100.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy.html
 * @example const loss = torch.nn.functional.binaryCrossEntropy(p.sigmoid(), y);
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCELossOptions = {}): Tensor {
  opts = checkOptions<BCELossOptions>('binaryCrossEntropy()', opts, ['weight', 'reduction']);
  const fn = 'binary_cross_entropy';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  let w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  if (!sameShape(x.shape, t.shape)) {
    throw new ValueError(
      `Using a target size (${torchSize(t.shape)}) that is different to the input size (${torchSize(x.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  if (w) {
    const size = broadcastShapes(t.shape, w.shape); // _infer_size(target.size(), weight.size())
    checkNoRequiresGrad(w, 'weight', fn);
    checkInplaceBroadcast(x.shape, size); // loss.mul_(weight)
  }
  if (t.dtype !== x.dtype) throw new RuntimeError(`Found dtype ${scalarTypeName(t.dtype)} but expected ${scalarTypeName(x.dtype)}`);
  if (!isFloating(x.dtype)) throw new RuntimeError(`"binary_cross_entropy" not implemented for '${scalarTypeName(x.dtype)}'`);
  const { d, o } = flat(x);
  const n = x.numel();
  for (let i = 0; i < n; i++) {
    const v = d[o + i]!;
    if (!(v >= 0 && v <= 1)) throw new RuntimeError('all elements of input should be between 0 and 1');
  }
  if (w && w.dtype !== x.dtype) w = castRaw(w, x.dtype); // the in-place mul_ keeps the loss's dtype
  return bceOp(x, t, { p: 0, weight: w, posWeight: null, reduction: r });
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable formula, like
 * `torch.nn.functional.binary_cross_entropy_with_logits`. `posWeight` broadcasts against the
 * target (a [C] tensor weights the positives of each class).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy_with_logits.html
 * @example const loss = torch.nn.functional.binaryCrossEntropyWithLogits(logits, y, { posWeight: torch.tensor([3, 1]) });
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsLossOptions = {}): Tensor {
  opts = checkOptions<BCEWithLogitsLossOptions>('binaryCrossEntropyWithLogits()', opts, ['weight', 'posWeight', 'reduction']);
  const fn = 'binary_cross_entropy_with_logits';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  let w = optTensorArg(fn, 'weight', 3, opts.weight);
  let pw = optTensorArg(fn, 'pos_weight', 4, opts.posWeight);
  const r = getReduction(opts.reduction);
  if (!sameShape(x.shape, t.shape)) {
    throw new ValueError(`Target size (${torchSize(t.shape)}) must be the same as input size (${torchSize(x.shape)})`);
  }
  checkNoRequiresGrad(w, 'weight', fn);
  checkNoRequiresGrad(pw, 'pos_weight', fn);
  if (x.dtype === 'bool') {
    throw new RuntimeError(
      'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  }
  if (t.dtype === 'bool') {
    throw new RuntimeError(
      'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
    );
  }
  if (!isFloating(x.dtype) || !isFloating(t.dtype)) {
    const bad = isFloating(t.dtype) ? x.dtype : t.dtype;
    throw new RuntimeError(`result type Float can't be cast to the desired output type ${scalarTypeName(bad)}`);
  }
  const dt = promoteTypes(x.dtype, t.dtype);
  if (pw) checkInplaceBroadcast(x.shape, broadcastShapes(pw.shape, t.shape));
  if (w) checkInplaceBroadcast(x.shape, w.shape);
  if (w && w.dtype !== dt) w = castRaw(w, dt);
  if (pw && pw.dtype !== dt) pw = castRaw(pw, dt); // the in-place ops keep the loss's dtype
  return bceLogitsOp(x, t, { p: 0, weight: w, posWeight: pw, reduction: r });
}

// ---------------------------------------------------------------- KL divergence

/** xlogy(t, t): 0 where t == 0 (NaN stays NaN). */
function xlogx(t: Tensor): Tensor {
  return where(t.eq(0), 0, t.mul(t.log()));
}

/**
 * Kullback-Leibler divergence with `input` as log-probabilities, like
 * `torch.nn.functional.kl_div`. Use `reduction: 'batchmean'` for the mathematical KL divergence.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.kl_div.html
 * @example const loss = torch.nn.functional.klDiv(logq, p, { reduction: 'batchmean' });
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivLossOptions = {}): Tensor {
  opts = checkOptions<KLDivLossOptions>('klDiv()', opts, ['reduction', 'logTarget']);
  if (opts.logTarget !== undefined && typeof opts.logTarget !== 'boolean') {
    throw new TypeError(`kl_div(): argument 'log_target' must be bool, got ${describeValue(opts.logTarget)}`);
  }
  const x = tensorArg('kl_div', 'input', 1, input);
  const t = tensorArg('kl_div', 'target', 2, target);
  const red = opts.reduction;
  if (red === undefined || red === 'mean') {
    warnOnce(
      "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const r = red === 'batchmean' ? 'sum' : getReduction(red);
  if (!isFloating(x.dtype) || !isFloating(t.dtype)) throw new RuntimeError('kl_div: Integral inputs not supported.');
  const out = opts.logTarget ? t.exp().mul(t.sub(x)) : xlogx(t).sub(t.mul(x));
  const reduced = applyReduction(out, r);
  return red === 'batchmean' && x.dim() !== 0 ? reduced.div(x.shape[0]!) : reduced;
}

// ---------------------------------------------------------------- NLL and cross-entropy: shapes

/**
 * The class layout of an [N, C, d1, ..., dk] input (or unbatched [C]): element (n, c, s) is at
 * n*C*S + c*S + s with S = d1*...*dk; `out` is the shape of the unreduced loss.
 */
interface Layout {
  N: number;
  C: number;
  S: number;
  out: number[];
  /** aten op named in weight errors: nll_loss_forward or nll_loss2d_forward. */
  aten: string;
}

/** PyTorch's nll_loss_nd / nll_loss / nll_loss2d argument checks, in PyTorch's order. */
function nllLayout(input: Tensor, target: Tensor, weight: Tensor | null): Layout {
  const nd = input.dim();
  if (nd < 1) throw new ValueError(`Expected 1 or more dimensions (got ${nd})`);
  if (nd !== 1 && input.shape[0] !== (target.shape[0] ?? 0)) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`);
  }
  const C = nd === 1 ? input.shape[0]! : input.shape[1]!;
  const sz = (t: Tensor): string => `[${t.shape.join(', ')}]`;
  if (nd <= 2) {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss_forward');
    if (target.dim() > 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
    const noBatch = nd === 1 && target.dim() === 0;
    if (!(noBatch || input.shape[0] === target.shape[0])) {
      throw new RuntimeError(`size mismatch (got input: ${sz(input)}, target: ${sz(target)})`);
    }
    if (weight && !(weight.dim() === 1 && weight.numel() === C)) {
      throw new RuntimeError(
        `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sz(weight)}`,
      );
    }
    // PyTorch parity: a 1-D input with a 1-D target of C elements is accepted and reads target[0].
    if (nd === 1) return { N: 1, C, S: 1, out: [], aten: 'nll_loss_forward' };
    return { N: input.shape[0]!, C, S: 1, out: [input.shape[0]!], aten: 'nll_loss_forward' };
  }
  if (nd === 4) {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss2d_forward');
    if (target.dim() !== 3) {
      throw new RuntimeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.dim()}`);
    }
  } else if (!sameShape(target.shape.slice(1), input.shape.slice(2))) {
    throw new RuntimeError(`Expected target size [${[input.shape[0]!, ...input.shape.slice(2)].join(', ')}], got ${sz(target)}`);
  } else {
    checkNoRequiresGrad(weight, 'weight', 'nll_loss2d_forward');
  }
  if (weight && weight.numel() !== C) throw new RuntimeError('weight tensor should be defined either for all or no classes');
  if (nd === 4 && !sameShape(target.shape, [input.shape[0]!, ...input.shape.slice(2)])) {
    throw new RuntimeError(`size mismatch (got input: ${sz(input)} , target: ${sz(target)}`);
  }
  return { N: input.shape[0]!, C, S: shapeNumel(input.shape.slice(2)), out: [input.shape[0]!, ...input.shape.slice(2)], aten: 'nll_loss2d_forward' };
}

/** Kernel dtype checks of nll_loss (input type, then weight, then target), in PyTorch's order. */
function nllDtypes(input: Tensor, target: Tensor, weight: Tensor | null, frame: string): void {
  if (!isFloating(input.dtype)) throw new RuntimeError(`"${frame}" not implemented for '${scalarTypeName(input.dtype)}'`);
  if (weight && weight.dtype !== input.dtype) {
    throw new RuntimeError(`expected scalar type ${scalarTypeName(input.dtype)} but found ${scalarTypeName(weight.dtype)}`);
  }
  if (target.dtype !== 'int64') throw new RuntimeError(`expected scalar type Long but found ${scalarTypeName(target.dtype)}`);
}

function intArg(fn: string, name: string, pos: number, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${fn}(): argument '${name}' (position ${pos}) must be int, not ${pyType(v)}`);
  }
  return v;
}

/** A loss tensor of `dtype` from per-sample values and the reduction's denominator. */
function reduceLoss(loss: Float64Array, shape: readonly number[], dtype: DType, r: Reduction, denom: number): Tensor {
  if (r === 'none') {
    const out = emptyTensor(shape, dtype);
    out.storage.data.set(loss);
    return out;
  }
  let s = 0;
  for (let i = 0; i < loss.length; i++) s += loss[i]!;
  return scalarTensor(r === 'mean' ? s / denom : s, dtype);
}

/** Per-sample upstream gradient: an array (reduction 'none') or one scalar. */
interface SampleGrad {
  arr: TypedArray | null;
  off: number;
  scalar: number;
}

function sampleGrad(gy: Tensor, r: Reduction, denom: number): SampleGrad {
  if (r === 'none') {
    const { d, o } = flat(gy);
    return { arr: d, off: o, scalar: 0 };
  }
  const v = gy.item();
  return { arr: null, off: 0, scalar: r === 'mean' ? v / denom : v };
}

/** The upstream gradient as a tensor broadcasting against [N, C, S] (for the composite backward). */
function sampleGradTensor(gy: Tensor, L: Layout, r: Reduction, denom: number): Tensor {
  if (r === 'none') return gy.reshape([L.N, 1, L.S]);
  if (r === 'sum') return gy;
  return denom === 0 ? gy.mul(0) : gy.div(denom);
}

// ---------------------------------------------------------------- NLL kernel and op

/**
 * NLL forward. Legend: N batch, C classes, S spatial positions; x (n, c, s) at xo + n*C*S + c*S + s,
 * target (n, s) at to + n*S + s. Writes loss[n*S + s] = -w[t] x[n, t, s] (0 where t == ignore) and
 * returns the total weight of the non-ignored targets (the 'mean' denominator).
 */
function nllForwardKernel(
  x: FloatArray, xo: number, N: number, C: number, S: number,
  tgt: TypedArray, to: number, w: Float64Array | null, ignore: number, loss: Float64Array,
): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const t = tgt[to + i]!;
      if (t === ignore) continue;
      if (t < 0 || t >= C) throw new IndexError(`Target ${t} is out of bounds.`);
      const wt = w ? w[t]! : 1;
      loss[i] = -wt * x[xo + n * C * S + t * S + s]!;
      total += wt;
    }
  }
  return total;
}

/**
 * NLL backward into a zeroed [N, C, S] array: gx[n, t, s] = -w[t] * g(n, s) (with `g` null the
 * coefficient -w[t] alone is written, for the composite path). Ignored targets get no gradient.
 */
function nllBackwardKernel(
  N: number, C: number, S: number, tgt: TypedArray, to: number, w: Float64Array | null,
  ignore: number, g: SampleGrad | null, gx: FloatArray,
): void {
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const t = tgt[to + i]!;
      if (t === ignore) continue;
      const gi = g === null ? 1 : g.arr ? g.arr[g.off + i]! : g.scalar;
      gx[n * C * S + t * S + s] = -(w ? w[t]! : 1) * gi;
    }
  }
}

interface NllArgs {
  L: Layout;
  /** int64 class indices, saved with the version check. */
  target: Tensor;
  /** A copy of the class weights (float64). */
  weight: Float64Array | null;
  ignore: number;
  reduction: Reduction;
}

const nllOp = defineOp({
  name: 'nll_loss',
  nodeName: 'NllLossBackward0',
  forward(ctx, input: Tensor, a: NllArgs) {
    const { L } = a;
    const { d, o } = flat(input);
    const tg = flat(a.target);
    const loss = new Float64Array(L.N * L.S);
    const total = nllForwardKernel(d as FloatArray, o, L.N, L.C, L.S, tg.d, tg.o, a.weight, a.ignore, loss);
    ctx.save(a.target);
    ctx.args = a;
    ctx.total = total;
    ctx.inShape = input.shape;
    ctx.dtype = input.dtype;
    return reduceLoss(loss, L.out, input.dtype, a.reduction, total);
  },
  backward(ctx, [gy]) {
    const a = ctx.args as NllArgs;
    const { L } = a;
    const tg = flat(ctx.saved[0]!);
    const gx = emptyTensor([L.N, L.C, L.S], ctx.dtype as DType);
    const total = ctx.total as number;
    if (!isGradEnabled()) {
      nllBackwardKernel(L.N, L.C, L.S, tg.d, tg.o, a.weight, a.ignore, sampleGrad(gy!, a.reduction, total), gx.storage.data as FloatArray);
      return [gx.reshape(ctx.inShape as number[])];
    }
    // createGraph: the gradient is linear in gy, so it stays differentiable with respect to it.
    nllBackwardKernel(L.N, L.C, L.S, tg.d, tg.o, a.weight, a.ignore, null, gx.storage.data as FloatArray);
    return [gx.mul(sampleGradTensor(gy!, L, a.reduction, total)).reshape(ctx.inShape as number[])];
  },
});

/** A float64 copy of a class-weight tensor (the kernels compute in double precision). */
function weightArray(w: Tensor | null): Float64Array | null {
  return w ? Float64Array.from(w.dataSync()) : null;
}

/**
 * Negative log-likelihood of log-probabilities `input` ([N, C], [N, C, d1, ...] or unbatched [C])
 * at class indices `target` (int64), like `torch.nn.functional.nll_loss`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.nll_loss.html
 * @example const loss = torch.nn.functional.nllLoss(logp, torch.tensor([1, 0, 4]));
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLLossOptions = {}): Tensor {
  opts = checkOptions<NLLLossOptions>('nllLoss()', opts, ['weight', 'ignoreIndex', 'reduction']);
  const fn = 'nll_loss_nd';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  const w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  const ignore = intArg(fn, 'ignore_index', 5, opts.ignoreIndex, -100);
  const L = nllLayout(x, t, w);
  nllDtypes(x, t, w, L.aten === 'nll_loss_forward' ? 'nll_loss_out_frame' : 'nll_loss2d_forward_out_frame');
  return nllOp(x, { L, target: t, weight: weightArray(w), ignore, reduction: r });
}

// ---------------------------------------------------------------- cross-entropy: class indices

/** 2^(j/32), j = 0..31. */
const EXP2_FRAC = Float64Array.from({ length: 32 }, (_, j) => 2 ** (j / 32));
/** 2^e at e + 1023, e = -1023..1024. */
const EXP2_INT = Float64Array.from({ length: 2048 }, (_, i) => 2 ** (i - 1023));
const EXP_INV = 32 / Math.LN2;
/** ln2/32 in two parts (fdlibm's ln2_hi / ln2_lo over 32): k * hi is exact for |k| < 2^21. */
const EXP_HI = 6.9314718036912382e-1 / 32;
const EXP_LO = 1.9082149292705877e-10 / 32;

/**
 * e^x within one ulp of `Math.exp` (checked over millions of arguments in tests), about twice as
 * fast: V8 calls out to C for `Math.exp`, and cross-entropy takes one exp per logit. x = (k/32) ln2
 * + r with |r| <= ln2/64; e^x = 2^(k>>5) * 2^((k&31)/32) * e^r, e^r by its Taylor series to r^6
 * (truncation error below 4e-18). NaN, infinities and |x| >= 708 take `Math.exp`.
 * @internal
 */
export function expFast(x: number): number {
  if (!(x > -708 && x < 708)) return Math.exp(x);
  const kd = Math.floor(x * EXP_INV + 0.5);
  const r = x - kd * EXP_HI - kd * EXP_LO;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))));
  const k = kd + 32768; // non-negative, so & and >>> split it into table indices
  const t = EXP2_FRAC[k & 31]!;
  return (t + t * p) * EXP2_INT[(k >>> 5) - 1]!;
}

/**
 * Fused log-softmax + NLL (+ label smoothing) forward over contiguous logits. Legend as in
 * nllForwardKernel; eps = label smoothing. Per sample i = (n, s), with lse = log Σ_c exp(x_c):
 *   loss_i = (1 - eps) w[t] (lse - x_t) + eps/C Σ_c w_c (lse - x_c)       (0 where t == ignore)
 * Caches lse[i] for the backward, and with `p` (the backward's, laid out like x without the
 * offset) the softmax p = exp(x - m) / Σ exp(x - m), so the backward needs no exp of its own.
 * Returns the total weight of the non-ignored targets.
 */
function ceForwardKernel(
  x: FloatArray, xo: number, N: number, C: number, S: number,
  tgt: TypedArray, to: number, w: Float64Array | null, ignore: number, eps: number,
  lse: Float64Array, loss: Float64Array, p: Float64Array | null,
): number {
  const CS = C * S;
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = xo + n * CS + s;
      // log-sum-exp with the max subtracted: finite for logits of any size
      let m = -Infinity;
      for (let c = 0, k = b; c < C; c++, k += S) if (x[k]! > m) m = x[k]!;
      if (m === -Infinity || m === Infinity) m = 0; // all -inf (or an inf): let exp/log produce PyTorch's -inf/nan
      let se = 0;
      if (p !== null) {
        const po = n * CS + s;
        for (let c = 0, k = b, q = po; c < C; c++, k += S, q += S) {
          const e = expFast(x[k]! - m);
          p[q] = e;
          se += e;
        }
        for (let c = 0, q = po; c < C; c++, q += S) p[q] = p[q]! / se;
      } else {
        for (let c = 0, k = b; c < C; c++, k += S) se += expFast(x[k]! - m);
      }
      const l = m + Math.log(se);
      lse[i] = l;
      const t = tgt[to + i]!;
      if (t === ignore) continue;
      if (t < 0 || t >= C) throw new IndexError(`Target ${t} is out of bounds.`);
      const wt = w ? w[t]! : 1;
      let v = (1 - eps) * wt * (l - x[b + t * S]!);
      if (eps > 0) {
        let sm = 0;
        for (let c = 0, k = b; c < C; c++, k += S) sm += (w ? w[c]! : 1) * (l - x[k]!);
        v += (eps / C) * sm;
      }
      loss[i] = v;
      total += wt;
    }
  }
  return total;
}

/**
 * Cross-entropy backward (class indices) into a zeroed contiguous gx [N, C, S]. With p = softmax(x)
 * and a = (1 - eps) w[t] + eps/C Σ_c w_c:
 *   gx_c = g_i (a p_c - eps/C w_c - (1 - eps) w[t] [c == t])        (0 where t == ignore)
 */
function ceBackwardKernel(
  p: Float64Array, N: number, C: number, S: number,
  tgt: TypedArray, to: number, w: Float64Array | null, ignore: number, eps: number,
  g: SampleGrad, gx: FloatArray,
): void {
  const CS = C * S;
  let wsum = C;
  if (w) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += w[c]!;
  }
  const e = eps / C;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const t = tgt[to + i]!;
      if (t === ignore) continue;
      const gi = g.arr ? g.arr[g.off + i]! : g.scalar;
      const wt = w ? w[t]! : 1;
      const a = (1 - eps) * wt + e * wsum;
      const bo = n * CS + s;
      if (w === null && e === 0) {
        for (let c = 0, q = bo; c < C; c++, q += S) gx[q] = gi * (a * p[q]!);
      } else {
        for (let c = 0, q = bo; c < C; c++, q += S) gx[q] = gi * (a * p[q]! - e * (w ? w[c]! : 1));
      }
      gx[bo + t * S] = gx[bo + t * S]! - gi * (1 - eps) * wt;
    }
  }
}

/** Per-row max of x viewed as [N, C, S], as a constant [N, 1, S] tensor (for a stable composite). */
function rowMax(x: FloatArray, xo: number, L: Layout, dtype: DType): Tensor {
  const m = emptyTensor([L.N, 1, L.S], dtype);
  const md = m.storage.data;
  for (let n = 0; n < L.N; n++) {
    for (let s = 0; s < L.S; s++) {
      let v = -Infinity;
      for (let c = 0; c < L.C; c++) v = Math.max(v, x[xo + n * L.C * L.S + c * L.S + s]!);
      md[n * L.S + s] = Number.isFinite(v) ? v : 0;
    }
  }
  return m;
}

/** log_softmax over dim 1 of x3 = [N, C, S], with differentiable ops (for double backward). */
function logSoftmaxComposite(x3: Tensor, m: Tensor): Tensor {
  // (x - m) - log Σ exp(x - m): subtracting m first keeps float32 precision for large logits
  const xm = x3.sub(m);
  return xm.sub(xm.exp().sum(1, true).log());
}

interface CeArgs extends NllArgs {
  eps: number;
}

const ceOp = defineOp({
  name: 'cross_entropy_loss',
  nodeName: 'NllLossBackward0',
  forward(ctx, input: Tensor, a: CeArgs) {
    const { L } = a;
    const { d, o } = flat(input);
    const tg = flat(a.target);
    const loss = new Float64Array(L.N * L.S);
    const lse = new Float64Array(L.N * L.S);
    // the softmax, for a backward that will run
    const p = ctx.needsInputGrad[0] ? new Float64Array(L.N * L.C * L.S) : null;
    const total = ceForwardKernel(d as FloatArray, o, L.N, L.C, L.S, tg.d, tg.o, a.weight, a.ignore, a.eps, lse, loss, p);
    // p rides with the saved tensors, so it is freed with them after backward
    if (p !== null) ctx.save(input, a.target, wrapArray(p, [p.length], 'float64'));
    else ctx.save(input, a.target);
    ctx.args = a;
    ctx.total = total;
    ctx.lse = lse;
    return reduceLoss(loss, L.out, input.dtype, a.reduction, total);
  },
  backward(ctx, [gy]) {
    const [x, target, probs] = ctx.saved as [Tensor, Tensor, Tensor];
    const a = ctx.args as CeArgs;
    const { L } = a;
    const total = ctx.total as number;
    const { d, o } = flat(x);
    const tg = flat(target);
    if (!isGradEnabled()) {
      const gx = emptyTensor([L.N, L.C, L.S], x.dtype);
      ceBackwardKernel(probs.storage.data as Float64Array, L.N, L.C, L.S, tg.d, tg.o, a.weight, a.ignore, a.eps, sampleGrad(gy!, a.reduction, total), gx.storage.data as FloatArray);
      return [gx.reshape(x.shape)];
    }
    // createGraph: the same formula with p = softmax(x) built from differentiable ops.
    const coefA = emptyTensor([L.N, 1, L.S], x.dtype); // a_i (0 where ignored)
    const coefQ = emptyTensor([L.N, L.C, L.S], x.dtype); // eps/C w_c + (1 - eps) w[t] [c == t]
    const qa = coefA.storage.data;
    const qq = coefQ.storage.data;
    const w = a.weight;
    let wsum = L.C;
    if (w) wsum = w.reduce((acc, v) => acc + v, 0);
    const e = a.eps / L.C;
    for (let n = 0; n < L.N; n++) {
      for (let s = 0; s < L.S; s++) {
        const i = n * L.S + s;
        const t = tg.d[tg.o + i]!;
        if (t === a.ignore) continue;
        const wt = w ? w[t]! : 1;
        qa[i] = (1 - a.eps) * wt + e * wsum;
        for (let c = 0; c < L.C; c++) qq[n * L.C * L.S + c * L.S + s] = e * (w ? w[c]! : 1);
        qq[n * L.C * L.S + t * L.S + s] = qq[n * L.C * L.S + t * L.S + s]! + (1 - a.eps) * wt;
      }
    }
    const x3 = x.reshape([L.N, L.C, L.S]);
    const p = logSoftmaxComposite(x3, rowMax(d as FloatArray, o, L, x.dtype)).exp();
    const gx = p.mul(coefA).sub(coefQ).mul(sampleGradTensor(gy!, L, a.reduction, total));
    return [gx.reshape(x.shape)];
  },
});

// ---------------------------------------------------------------- cross-entropy: class probabilities

/**
 * Soft-target forward. With t' = t (1 - eps) + eps/C (t' = t when eps = 0):
 *   loss_i = -Σ_c w_c t'_c (x_c - lse_i)
 * Caches lse[i]. All arrays share the compute dtype and the [N, C, S] layout.
 */
function ceProbForwardKernel(
  x: FloatArray, xo: number, N: number, C: number, S: number, tp: FloatArray, tpo: number,
  w: Float64Array | null, eps: number, lse: Float64Array, loss: Float64Array,
): void {
  const CS = C * S;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = n * CS + s;
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (x[xo + b + c * S]! > m) m = x[xo + b + c * S]!;
      if (m === -Infinity || m === Infinity) m = 0;
      let se = 0;
      for (let c = 0; c < C; c++) se += Math.exp(x[xo + b + c * S]! - m);
      const l = m + Math.log(se);
      lse[i] = l;
      let v = 0;
      for (let c = 0; c < C; c++) {
        const tc = eps > 0 ? tp[tpo + b + c * S]! * (1 - eps) + eps / C : tp[tpo + b + c * S]!;
        v -= (w ? w[c]! : 1) * tc * (x[xo + b + c * S]! - l);
      }
      loss[i] = v;
    }
  }
}

interface CeProbArgs {
  L: Layout;
  eps: number;
  reduction: Reduction;
  dtype: DType;
}

const ceProbOp = defineOp({
  name: 'cross_entropy_loss_prob_target',
  nodeName: 'CrossEntropyLossBackward0',
  forward(ctx, input: Tensor, target: Tensor, weight: Tensor | null, a: CeProbArgs) {
    const { L } = a;
    const xs = flatAs(input, a.dtype);
    const ts = flatAs(target, a.dtype);
    const loss = new Float64Array(L.N * L.S);
    const lse = new Float64Array(L.N * L.S);
    ceProbForwardKernel(xs.d, xs.o, L.N, L.C, L.S, ts.d, ts.o, weightArray(weight), a.eps, lse, loss);
    if (weight) ctx.save(input, target, weight);
    else ctx.save(input, target);
    ctx.args = a;
    ctx.lse = lse;
    return reduceLoss(loss, L.out, a.dtype, a.reduction, L.N * L.S);
  },
  backward(ctx, [gy]) {
    const [x, t, weight] = ctx.saved as [Tensor, Tensor, Tensor | undefined];
    const a = ctx.args as CeProbArgs;
    const { L, eps } = a;
    const [ni, nt, nw] = ctx.needsInputGrad;
    const denom = L.N * L.S;
    if (!isGradEnabled()) {
      const xs = flatAs(x, a.dtype);
      const ts = flatAs(t, a.dtype);
      const w = weightArray(weight ?? null);
      const g = sampleGrad(gy!, a.reduction, denom);
      const lse = ctx.lse as Float64Array;
      const gx = ni ? emptyTensor([L.N, L.C, L.S], a.dtype) : null;
      const gt = nt ? emptyTensor([L.N, L.C, L.S], a.dtype) : null;
      const gw = nw ? emptyTensor([L.C], a.dtype) : null;
      ceProbBackwardKernel(xs, ts, w, L, eps, lse, g, gx, gt, gw);
      return [gx?.reshape(x.shape) ?? null, gt?.reshape(t.shape) ?? null, gw];
    }
    // createGraph: the same formulas with differentiable ops.
    const x3 = x.to(a.dtype).reshape([L.N, L.C, L.S]);
    const t3 = t.to(a.dtype).reshape([L.N, L.C, L.S]);
    const xs = flatAs(x, a.dtype);
    const lsm = logSoftmaxComposite(x3, rowMax(xs.d, xs.o, L, a.dtype));
    const tp = eps > 0 ? t3.mul(1 - eps).add(eps / L.C) : t3;
    const w3 = weight ? weight.to(a.dtype).reshape([1, L.C, 1]) : null;
    const wtp = w3 ? w3.mul(tp) : tp;
    const G = sampleGradTensor(gy!, L, a.reduction, denom);
    const gx = ni ? lsm.exp().mul(wtp.sum(1, true)).sub(wtp).mul(G).reshape(x.shape) : null;
    const lsmW = w3 ? lsm.mul(w3) : lsm;
    const gt = nt ? lsmW.mul(G).mul(eps > 0 ? -(1 - eps) : -1).reshape(t.shape) : null;
    const gw = nw ? tp.mul(lsm).mul(G).sum([0, 2]).neg() : null;
    return [gx, gt, gw];
  },
});

/**
 * Soft-target backward, with p = softmax(x), t' as in the forward and S_i = Σ_c w_c t'_c:
 *   gx_c = g_i (p_c S_i - w_c t'_c),  gt_c = -g_i (1 - eps) w_c lsm_c,  gw_c = -Σ_i g_i t'_c lsm_c
 */
function ceProbBackwardKernel(
  xs: { d: FloatArray; o: number }, ts: { d: FloatArray; o: number }, w: Float64Array | null, L: Layout,
  eps: number, lse: Float64Array, g: SampleGrad, gxT: Tensor | null, gtT: Tensor | null, gwT: Tensor | null,
): void {
  const { N, C, S } = L;
  const CS = C * S;
  const x = xs.d;
  const tp = ts.d;
  const gx = gxT?.storage.data as FloatArray | undefined;
  const gt = gtT?.storage.data as FloatArray | undefined;
  const gw = gwT ? new Float64Array(C) : null;
  const tScale = eps > 0 ? 1 - eps : 1;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const b = n * CS + s;
      const gi = g.arr ? g.arr[g.off + i]! : g.scalar;
      const l = lse[i]!;
      let Si = 0;
      for (let c = 0; c < C; c++) {
        const tc = eps > 0 ? tp[ts.o + b + c * S]! * (1 - eps) + eps / C : tp[ts.o + b + c * S]!;
        Si += (w ? w[c]! : 1) * tc;
      }
      for (let c = 0; c < C; c++) {
        const k = b + c * S;
        const wc = w ? w[c]! : 1;
        const tc = eps > 0 ? tp[ts.o + k]! * (1 - eps) + eps / C : tp[ts.o + k]!;
        const lsm = x[xs.o + k]! - l;
        if (gx) gx[k] = gi * (Math.exp(lsm) * Si - wc * tc);
        if (gt) gt[k] = -gi * tScale * wc * lsm;
        if (gw) gw[c] = gw[c]! - gi * tc * lsm;
      }
    }
  }
  if (gw && gwT) (gwT.storage.data as FloatArray).set(gw);
}

/**
 * Cross-entropy between logits and targets, like `torch.nn.functional.cross_entropy`: a fused
 * log-softmax + NLL over the class dim (dim 1, or dim 0 for an unbatched [C] input). `target` holds
 * class indices (int64, shape [N] / [N, d1, ...] / []) or class probabilities (float, the input's
 * shape). Supports `weight`, `ignoreIndex` and `labelSmoothing`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html
 * @example const loss = torch.nn.functional.crossEntropy(logits, torch.tensor([1, 0, 4]), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  opts = checkOptions<CrossEntropyOptions>('crossEntropy()', opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
  const fn = 'cross_entropy_loss';
  const x = tensorArg(fn, 'input', 1, input);
  const t = tensorArg(fn, 'target', 2, target);
  const w = optTensorArg(fn, 'weight', 3, opts.weight);
  const r = getReduction(opts.reduction);
  const ignore = intArg(fn, 'ignore_index', 5, opts.ignoreIndex, -100);
  const ls = opts.labelSmoothing;
  if (ls !== undefined && typeof ls !== 'number') {
    throw new TypeError(`${fn}(): argument 'label_smoothing' (position 6) must be float, not ${pyType(ls)}`);
  }
  const eps = ls ?? 0;
  const smoothingError = (): RuntimeError => new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${cppDouble(eps)}`);
  const logSoftmaxChecks = (): void => {
    if (x.dim() === 0) throw new IndexError('Dimension out of range (expected to be in range of [-1, 0], but got 1)');
    if (!isFloating(x.dtype)) {
      const kernel = x.dim() <= 2 ? 'log_softmax_lastdim_kernel_impl' : 'softmax_kernel_impl';
      throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(x.dtype)}'`);
    }
  };
  if (sameShape(x.shape, t.shape)) {
    // Class probabilities.
    if (!isFloating(t.dtype)) throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${scalarTypeName(t.dtype)}`);
    if (ignore >= 0) throw new RuntimeError('ignore_index is not supported for floating point target');
    // n_classes = input.size(class_dim) fails first for a 0-d input
    if (x.dim() === 0) throw new IndexError('Dimension specified as 1 but tensor has no dimensions');
    const C = x.dim() === 1 ? x.shape[0]! : x.shape[1]!;
    if (w && !(w.dim() === 1 && w.numel() === C)) {
      throw new RuntimeError(
        `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${w.shape.join(', ')}]`,
      );
    }
    logSoftmaxChecks();
    if (eps > 0 && eps > 1) throw smoothingError();
    let dtype = promoteTypes(x.dtype, t.dtype);
    if (w) dtype = promoteTypes(dtype, isFloating(w.dtype) ? w.dtype : dtype);
    const L: Layout =
      x.dim() === 1
        ? { N: 1, C, S: 1, out: [], aten: '' }
        : { N: x.shape[0]!, C, S: shapeNumel(x.shape.slice(2)), out: [x.shape[0]!, ...x.shape.slice(2)], aten: '' };
    return ceProbOp(x, t, w, { L, eps: eps > 0 ? eps : 0, reduction: r, dtype });
  }
  // Class indices.
  if (eps > 0 && eps > 1) throw smoothingError();
  logSoftmaxChecks();
  const L = nllLayout(x, t, w);
  nllDtypes(x, t, w, L.aten === 'nll_loss_forward' ? 'nll_loss_out_frame' : 'nll_loss2d_forward_out_frame');
  return ceOp(x, { L, target: t, weight: weightArray(w), ignore, reduction: r, eps: eps > 0 ? eps : 0 });
}

/**
 * The loss functions as one object, for `nn.functional`.
 * See https://pytorch.org/docs/1.13/nn.functional.html#loss-functions
 * @example const { crossEntropy } = torch.nn.functional;
 */
export const functional = {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
} as const;
