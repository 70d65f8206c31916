/**
 * The loss ops behind nn/functional-loss.ts: one autograd op each for mse, smooth L1, Huber, BCE,
 * BCE with logits, NLL and cross-entropy (class indices, class probabilities). Their forward and
 * backward call the backend's loss routines (js reference: backends/js/kernels/loss.ts) on
 * contiguous arrays. The callers have validated every argument in PyTorch's order.
 *
 * The element-wise losses run fused when input and target share shape and dtype; broadcasting,
 * mixed dtypes and double backward use PyTorch's derivative formulas written with differentiable
 * ops. The class-index losses have a fused backward and, when a graph of the gradient is requested
 * (`createGraph`), a composite one.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { routine } from '../backends/routine.js';
import type { ClassTargets, ElementwiseLoss, ElementwiseLossOperands, LossGradient, Reduction } from '../backends/routines/loss.js';
import { IndexError, RuntimeError } from '../errors.js';
import { emptyTensor, wrapArray } from '../tensor/create.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import { Tensor, sameShape, shapeNumel } from '../tensor/tensor.js';
import { where } from './elementwise.js';
import { broadcastShapes, broadcastView, castRaw, dense, denseArray, viewOf } from './util.js';

export type { Reduction };

// ---------------------------------------------------------------- shared

/** `t`'s elements as a contiguous array of `dtype` (its own storage when it already is one). */
function denseAs(t: Tensor, dtype: DType): FloatArray {
  return dense(t.dtype === dtype ? t : castRaw(t, dtype));
}

/** int64 class indices as a contiguous array (int64 storage is a Float64Array). */
function targetArray(t: Tensor): Float64Array {
  return denseArray(t) as Float64Array;
}

/** A float64 copy of a class-weight tensor (the kernels compute in double precision). */
function weightArray(w: Tensor | null): Float64Array | null {
  return w ? (castRaw(w, 'float64').storage.data as Float64Array) : null;
}

/** A tensor's memory for a routine's output (null for an absent gradient). */
function outArray(t: Tensor | null): FloatArray | null {
  return t ? (t.storage.data as FloatArray) : null;
}

/** The `LossGradient` of the backward routines. */
function lossGradient(gy: Tensor, reduction: Reduction, divisor: number): LossGradient {
  return { reduction, gy: dense(gy), divisor };
}

/** The loss tensor a forward routine writes: per sample with reduction 'none', else a scalar. */
function lossOutput(shape: readonly number[], dtype: DType, r: Reduction): Tensor {
  return emptyTensor(r === 'none' ? shape : [], dtype);
}

/**
 * PyTorch's `apply_loss_reduction` on an unreduced loss tensor.
 * @internal
 */
export function applyReduction(loss: Tensor, r: Reduction): Tensor {
  return r === 'none' ? loss : r === 'mean' ? loss.mean() : loss.sum();
}

// ---------------------------------------------------------------- element-wise losses

/** Options of an element-wise loss op: p is beta (smooth L1) or delta (Huber). @internal */
export interface ElementwiseLossArgs {
  p: number;
  /** Broadcasts into the input's shape (checked by the caller); same dtype as the loss. */
  weight: Tensor | null;
  /** Broadcasts into the input's shape (checked by the caller); same dtype as the loss. */
  posWeight: Tensor | null;
  reduction: Reduction;
}

/** The composite form: unreduced loss and the gradients for an upstream g (already divided for 'mean'). */
interface EwComposite {
  value(x: Tensor, t: Tensor, a: ElementwiseLossArgs): Tensor;
  grads(x: Tensor, t: Tensor, g: Tensor, a: ElementwiseLossArgs, need: boolean[]): (Tensor | null)[];
}

/** `t` broadcast to `shape` as a contiguous array of `dtype` (a copy unless already so). */
function expandedArray(t: Tensor | null, shape: readonly number[], dtype: DType): FloatArray | null {
  if (!t) return null;
  if (sameShape(t.shape, shape)) return denseAs(t, dtype);
  return castRaw({ ...broadcastView(viewOf(t), shape), dtype: t.dtype }, dtype).storage.data as FloatArray;
}

/**
 * One autograd op per element-wise loss. The fused routines run when input and target have the
 * same shape and dtype (the usual case); broadcasting, mixed dtypes and double backward
 * (`createGraph`) use the composite formulas, which are differentiable.
 */
function defElementwiseLoss(kind: ElementwiseLoss, name: string, nodeName: string, composite: EwComposite) {
  const fused = (x: Tensor, t: Tensor): boolean => sameShape(x.shape, t.shape) && x.dtype === t.dtype;
  const operands = (x: Tensor, t: Tensor, a: ElementwiseLossArgs): ElementwiseLossOperands => ({
    kind,
    n: x.numel(),
    p: a.p,
    x: dense(x),
    t: dense(t),
    weight: expandedArray(a.weight, x.shape, x.dtype),
    posWeight: expandedArray(a.posWeight, x.shape, x.dtype),
  });
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ args: ElementwiseLossArgs; n: number }>, input: Tensor, target: Tensor, a: ElementwiseLossArgs) {
      ctx.save(input, target);
      ctx.args = a;
      ctx.n = shapeNumel(broadcastShapes(input.shape, target.shape));
      if (!fused(input, target)) return applyReduction(composite.value(input, target, a), a.reduction);
      const out = lossOutput(input.shape, input.dtype, a.reduction);
      const invalidInput = kind === 'bce' ? new Uint8Array(1) : null;
      // (Object.assign rather than object spread, which V8 runs far slower: this is per training step)
      routine('elementwiseLossForward')(Object.assign(operands(input, target, a), { reduction: a.reduction, out: out.storage.data as FloatArray, invalidInput }));
      if (invalidInput?.[0]) throw new RuntimeError('all elements of input should be between 0 and 1');
      return out;
    },
    backward(ctx, [gy]) {
      const [x, t] = ctx.saved as [Tensor, Tensor];
      const { args: a, n } = ctx;
      const [ni, nt] = ctx.needsInputGrad;
      if (!isGradEnabled() && fused(x, t)) {
        const gx = ni ? emptyTensor(x.shape, x.dtype) : null;
        const gt = nt ? emptyTensor(t.shape, t.dtype) : null;
        routine('elementwiseLossBackward')(Object.assign(operands(x, t, a), lossGradient(gy!, a.reduction, n), { gx: outArray(gx), gt: outArray(gt) }));
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

/** PyTorch's `mse_loss` (validated arguments). @internal */
export const mseLossOp = defElementwiseLoss(
  'mse',
  'mse_loss',
  'MseLossBackward0',
  ofDifference(
    (d) => d.mul(d),
    (d) => d.mul(2),
  ),
);

/** PyTorch's `smooth_l1_loss` (validated arguments; p = beta). @internal */
export const smoothL1LossOp = defElementwiseLoss(
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

/** PyTorch's `huber_loss` (validated arguments; p = delta). @internal */
export const huberLossOp = defElementwiseLoss(
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

/** PyTorch's `binary_cross_entropy` (validated arguments; raises for inputs outside [0, 1]). @internal */
export const binaryCrossEntropyOp = defElementwiseLoss('bce', 'binary_cross_entropy', 'BinaryCrossEntropyBackward0', {
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

/** PyTorch's `binary_cross_entropy_with_logits` (validated arguments). @internal */
export const binaryCrossEntropyWithLogitsOp = defElementwiseLoss(
  'bce_logits',
  'binary_cross_entropy_with_logits',
  'BinaryCrossEntropyWithLogitsBackward0',
  {
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
  },
);

// ---------------------------------------------------------------- NLL and cross-entropy

/**
 * The class layout of an [N, C, d1, ..., dk] input (or unbatched [C]): element (n, c, s) is at
 * n*C*S + c*S + s with S = d1*...*dk; `out` is the shape of the unreduced loss.
 * @internal
 */
export interface ClassLayout {
  N: number;
  C: number;
  S: number;
  out: number[];
}

/** Options of the class-index loss ops. @internal */
export interface ClassIndexLossArgs {
  layout: ClassLayout;
  /** Class weights [C] (the input's dtype; no gradient), or null. */
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
}

/** What the class-index ops keep: the options with the weights as a float64 copy. */
interface ClassArgs {
  L: ClassLayout;
  /** int64 class indices (an argument, not an input: it has no gradient). */
  target: Tensor;
  weight: Float64Array | null;
  ignore: number;
  reduction: Reduction;
}

/** What a class-index op's backward needs: its arguments and the total weight of the targets (the 'mean' divisor). */
interface ClassState<A extends ClassArgs = ClassArgs> {
  args: A;
  total: number;
}

/** The `ClassTargets` of the routines (`t`: the target as saved). */
function classTargets(a: ClassArgs, t: Tensor = a.target): ClassTargets {
  return { N: a.L.N, C: a.L.C, S: a.L.S, target: targetArray(t), weight: a.weight, ignoreIndex: a.ignore };
}

/** The outputs of a class-index forward; `check` raises PyTorch's error for an out-of-range target. */
function classOutputs(input: Tensor, a: ClassArgs) {
  const out = lossOutput(a.L.out, input.dtype, a.reduction);
  const totalWeight = new Float64Array(1);
  const badTarget = new Float64Array(1);
  const check = (): void => {
    if (!Number.isNaN(badTarget[0])) throw new IndexError(`Target ${badTarget[0]} is out of bounds.`);
  };
  return { out, outputs: { reduction: a.reduction, out: out.storage.data as FloatArray, totalWeight, badTarget }, check };
}

/** The upstream gradient as a tensor broadcasting against [N, C, S] (for the composite backward). */
function sampleGradTensor(gy: Tensor, L: ClassLayout, r: Reduction, denom: number): Tensor {
  if (r === 'none') return gy.reshape([L.N, 1, L.S]);
  if (r === 'sum') return gy;
  return denom === 0 ? gy.mul(0) : gy.div(denom);
}

/** An upstream gradient of 1 under reduction 'sum': the NLL routine then writes its coefficient alone. */
const UNIT_GRAD = { reduction: 'sum', gy: Float64Array.of(1), divisor: 1 } as const;

const nllOp = defineOp({
  name: 'nll_loss',
  nodeName: 'NllLossBackward0',
  forward(ctx: OpCtx<ClassState & { inShape: readonly number[]; dtype: DType }>, input: Tensor, a: ClassArgs) {
    const { out, outputs, check } = classOutputs(input, a);
    routine('nllLossForward')(Object.assign(classTargets(a), { x: dense(input) }, outputs));
    check();
    ctx.save(a.target);
    ctx.args = a;
    ctx.total = outputs.totalWeight[0];
    ctx.inShape = input.shape;
    ctx.dtype = input.dtype;
    return out;
  },
  backward(ctx, [gy]) {
    const { args: a, total } = ctx;
    const { L } = a;
    const targets = classTargets(a, ctx.saved[0]!);
    const gx = emptyTensor([L.N, L.C, L.S], ctx.dtype);
    if (!isGradEnabled()) {
      routine('nllLossBackward')(Object.assign(targets, lossGradient(gy!, a.reduction, total), { gx: gx.storage.data as FloatArray }));
      return [gx.reshape(ctx.inShape)];
    }
    // createGraph: the gradient is linear in gy, so it stays differentiable with respect to it.
    routine('nllLossBackward')(Object.assign(targets, UNIT_GRAD, { gx: gx.storage.data as FloatArray }));
    return [gx.mul(sampleGradTensor(gy!, L, a.reduction, total)).reshape(ctx.inShape)];
  },
});

/**
 * PyTorch's `nll_loss_nd` on validated arguments: `input` log-probabilities, `target` int64.
 * @internal
 */
export function nllLossOp(input: Tensor, target: Tensor, o: ClassIndexLossArgs): Tensor {
  return nllOp(input, { L: o.layout, target, weight: weightArray(o.weight), ignore: o.ignoreIndex, reduction: o.reduction });
}

/** Per-row max of x3 = [N, C, S] over C as a constant [N, 1, S] tensor, non-finite maxima as 0 (for a stable composite). */
function rowMax(x3: Tensor): Tensor {
  if (x3.shape[1] === 0) return emptyTensor([x3.shape[0]!, 1, x3.shape[2]!], x3.dtype);
  const m = x3.detach().amax(1, true);
  return where(m.isinf().logicalOr(m.isnan()), 0, m);
}

/** log_softmax over dim 1 of x3 = [N, C, S], with differentiable ops (for double backward). */
function logSoftmaxComposite(x3: Tensor): Tensor {
  // (x - m) - log Σ exp(x - m): subtracting m first keeps float32 precision for large logits
  const xm = x3.sub(rowMax(x3));
  return xm.sub(xm.exp().sum(1, true).log());
}

interface CeArgs extends ClassArgs {
  eps: number;
}

const ceOp = defineOp({
  name: 'cross_entropy_loss',
  nodeName: 'NllLossBackward0',
  forward(ctx: OpCtx<ClassState<CeArgs>>, input: Tensor, a: CeArgs) {
    const { L } = a;
    const { out, outputs, check } = classOutputs(input, a);
    // the softmax, for a backward that will run
    const probs = ctx.needsInputGrad[0] ? new Float64Array(L.N * L.C * L.S) : null;
    routine('crossEntropyForward')(Object.assign(classTargets(a), { x: dense(input), labelSmoothing: a.eps, probs }, outputs));
    check();
    // probs rides with the saved tensors, so it is freed with them after backward
    if (probs !== null) ctx.save(input, a.target, wrapArray(probs, [probs.length], 'float64'));
    else ctx.save(input, a.target);
    ctx.args = a;
    ctx.total = outputs.totalWeight[0];
    return out;
  },
  backward(ctx, [gy]) {
    const [x, target, probs] = ctx.saved as [Tensor, Tensor, Tensor];
    const { args: a, total } = ctx;
    const { L } = a;
    const targets = classTargets(a, target);
    if (!isGradEnabled()) {
      const gx = emptyTensor([L.N, L.C, L.S], x.dtype);
      const args = { labelSmoothing: a.eps, probs: probs.storage.data as Float64Array, gx: gx.storage.data as FloatArray };
      routine('crossEntropyBackward')(Object.assign(targets, lossGradient(gy!, a.reduction, total), args));
      return [gx.reshape(x.shape)];
    }
    // createGraph: the same formula with p = softmax(x) built from differentiable ops.
    const scale = emptyTensor([L.N, 1, L.S], x.dtype);
    const shift = emptyTensor([L.N, L.C, L.S], x.dtype);
    routine('crossEntropyGradCoefficients')(Object.assign(targets, { labelSmoothing: a.eps, scale: scale.storage.data as FloatArray, shift: shift.storage.data as FloatArray }));
    const p = logSoftmaxComposite(x.reshape([L.N, L.C, L.S])).exp();
    const gx = p.mul(scale).sub(shift).mul(sampleGradTensor(gy!, L, a.reduction, total));
    return [gx.reshape(x.shape)];
  },
});

/**
 * PyTorch's `cross_entropy_loss` with class indices on validated arguments: a fused log-softmax +
 * NLL over dim 1 (`labelSmoothing` in [0, 1]).
 * @internal
 */
export function crossEntropyOp(input: Tensor, target: Tensor, o: ClassIndexLossArgs & { labelSmoothing: number }): Tensor {
  return ceOp(input, { L: o.layout, target, weight: weightArray(o.weight), ignore: o.ignoreIndex, reduction: o.reduction, eps: o.labelSmoothing });
}

/** Options of `crossEntropyProbOp`. @internal */
export interface CrossEntropyProbArgs {
  layout: ClassLayout;
  /** Label smoothing in [0, 1]. */
  labelSmoothing: number;
  reduction: Reduction;
  /** The compute dtype (input, target and weight promoted). */
  dtype: DType;
}

/** The `CrossEntropyProbOperands` of the routines. */
function probOperands(x: Tensor, t: Tensor, w: Tensor | null, a: CrossEntropyProbArgs) {
  const { N, C, S } = a.layout;
  return { N, C, S, x: denseAs(x, a.dtype), target: denseAs(t, a.dtype), weight: weightArray(w), labelSmoothing: a.labelSmoothing };
}

/**
 * PyTorch's `cross_entropy_loss` with class probabilities (`target` has the input's shape) on
 * validated arguments; the weight is differentiable.
 * @internal
 */
export const crossEntropyProbOp = defineOp({
  name: 'cross_entropy_loss_prob_target',
  nodeName: 'CrossEntropyLossBackward0',
  forward(ctx: OpCtx<{ args: CrossEntropyProbArgs; lse: Float64Array }>, input: Tensor, target: Tensor, weight: Tensor | null, a: CrossEntropyProbArgs) {
    const L = a.layout;
    const out = lossOutput(L.out, a.dtype, a.reduction);
    const lse = new Float64Array(L.N * L.S);
    routine('crossEntropyProbForward')(Object.assign(probOperands(input, target, weight, a), { reduction: a.reduction, out: out.storage.data as FloatArray, lse }));
    if (weight) ctx.save(input, target, weight);
    else ctx.save(input, target);
    ctx.args = a;
    ctx.lse = lse;
    return out;
  },
  backward(ctx, [gy]) {
    const [x, t, weight] = ctx.saved as [Tensor, Tensor, Tensor | undefined];
    const a = ctx.args;
    const { layout: L, labelSmoothing: eps } = a;
    const [ni, nt, nw] = ctx.needsInputGrad;
    const denom = L.N * L.S;
    if (!isGradEnabled()) {
      const gx = ni ? emptyTensor([L.N, L.C, L.S], a.dtype) : null;
      const gt = nt ? emptyTensor([L.N, L.C, L.S], a.dtype) : null;
      const gw = nw ? emptyTensor([L.C], a.dtype) : null;
      const outputs = { lse: ctx.lse, gx: outArray(gx), gt: outArray(gt), gw: outArray(gw) };
      routine('crossEntropyProbBackward')(Object.assign(probOperands(x, t, weight ?? null, a), lossGradient(gy!, a.reduction, denom), outputs));
      return [gx?.reshape(x.shape) ?? null, gt?.reshape(t.shape) ?? null, gw];
    }
    // createGraph: the same formulas with differentiable ops.
    const x3 = x.to(a.dtype).reshape([L.N, L.C, L.S]);
    const t3 = t.to(a.dtype).reshape([L.N, L.C, L.S]);
    const lsm = logSoftmaxComposite(x3);
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
