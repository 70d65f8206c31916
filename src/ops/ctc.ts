/**
 * Connectionist temporal classification loss (PyTorch's `ctc_loss`, `_ctc_loss` and
 * `_ctc_loss_backward`): the argument checks of aten's LossCTC.cpp in PyTorch's order, one autograd
 * op for the per-sample negative log-likelihood (its forward and backward call the backend's CTC
 * routines, js reference backends/js/kernels/ctc.ts), and the reduction composed from ops, as
 * PyTorch's `ctc_loss` wrapper does (so `grad_fn` chains read MeanBackward0, DivBackward0,
 * WhereBackward0 with zeroInfinity, CtcLossBackward0).
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { routine } from '../backends/routine.js';
import type { CtcOperands } from '../backends/routines/ctc.js';
import type { Reduction } from '../backends/routines/loss.js';
import { RuntimeError } from '../errors.js';
import { emptyTensor } from '../tensor/create.js';
import { tensor } from '../tensor/factories.js';
import { type FloatArray, isIntegral, scalarTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { pyTypeName } from '../validate.js';
import { where } from './elementwise.js';
import { castRaw, dense, denseArray } from './util.js';

/** What the CTC ops keep besides tensors: the checked lengths and layout. */
interface CtcArgs {
  T: number;
  N: number;
  C: number;
  L: number;
  blank: number;
  zeroInfinity: boolean;
  /** int64 labels, contiguous. */
  targets: Float64Array;
  targetOffsets: Float64Array;
  inputLengths: Float64Array;
  targetLengths: Float64Array;
}

function operands(lp: Tensor, a: CtcArgs): CtcOperands {
  const { T, N, C, L, blank, targets, targetOffsets, inputLengths, targetLengths } = a;
  return { T, N, C, L, blank, logProbs: dense(lp), targets, targetOffsets, inputLengths, targetLengths };
}

/** `_ctc_loss_backward` as an op of its own, so that a graph of the gradient refuses to be differentiated. */
const ctcBackwardOp = defineOp({
  name: '_ctc_loss_backward',
  nodeName: 'NotImplemented',
  inputs: (gy: Tensor, lp: Tensor, ..._rest: unknown[]) => [gy, lp],
  forward(_ctx, gy: Tensor, lp: Tensor, nll: Tensor, logAlpha: Tensor, a: CtcArgs) {
    const grad = emptyTensor(lp.shape, lp.dtype);
    const args = { gy: dense(gy.dtype === lp.dtype ? gy : castRaw(gy, lp.dtype)), nll: dense(nll), logAlpha: dense(logAlpha) };
    routine('ctcLossBackward')(Object.assign(operands(lp, a), args, { zeroInfinity: a.zeroInfinity, grad: grad.storage.data as FloatArray }));
    return grad;
  },
  backward() {
    throw new RuntimeError('derivative for aten::_ctc_loss_backward is not implemented');
  },
});

/** PyTorch's `_ctc_loss` on checked arguments: the per-sample loss [N] (CtcLossBackward0). */
const ctcOp = defineOp({
  name: '_ctc_loss',
  nodeName: 'CtcLossBackward0',
  inputs: (lp: Tensor, _a: CtcArgs) => [lp],
  forward(ctx: OpCtx<{ args: CtcArgs }>, lp: Tensor, a: CtcArgs) {
    const nll = emptyTensor([a.N], lp.dtype);
    const logAlpha = emptyTensor([a.N, a.T, a.L], lp.dtype);
    const outputs = { nll: nll.storage.data as FloatArray, logAlpha: logAlpha.storage.data as FloatArray };
    routine('ctcLossForward')(Object.assign(operands(lp, a), outputs));
    ctx.save(lp, nll, logAlpha);
    ctx.args = a;
    return nll;
  },
  backward(ctx, [gy]) {
    const [lp, nll, logAlpha] = ctx.saved as [Tensor, Tensor, Tensor];
    return [ctcBackwardOp(gy!, lp, nll, logAlpha, ctx.args)];
  },
});

// ---------------------------------------------------------------- argument checks

/** The argument types of the Python binding's two overloads, for its TypeError. */
function overloadError(args: readonly unknown[]): TypeError {
  // PyTorch parity: the binding's message marks the lengths of the int-list overload whatever they are
  const never = (): boolean => false;
  const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
  const isTensor = (v: unknown): boolean => v instanceof Tensor;
  const isBool = (v: unknown): boolean => typeof v === 'boolean';
  const names = args.map(pyTypeName);
  const marks = (checks: ((v: unknown) => boolean)[]): string => names.map((n, i) => (checks[i]!(args[i]) ? n : `!${n}!`)).join(', ');
  const ints = [isTensor, isTensor, never, never, isInt, isInt, isBool];
  const tensors = [isTensor, isTensor, isTensor, isTensor, isInt, isInt, isBool];
  return new TypeError(
    `ctc_loss() received an invalid combination of arguments - got (${names.join(', ')}), but expected one of:\n` +
      ' * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints target_lengths, int blank, int reduction, bool zero_infinity)\n' +
      `      didn't match because some of the arguments have invalid types: (${marks(ints)})\n` +
      ' * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int blank, int reduction, bool zero_infinity)\n' +
      `      didn't match because some of the arguments have invalid types: (${marks(tensors)})\n`,
  );
}

/** A lengths argument's values: an integral tensor's elements (any shape) or the array itself. */
function lengthValues(v: Tensor | readonly number[], name: string): number[] {
  if (!(v instanceof Tensor)) return [...v];
  if (!isIntegral(v.dtype)) throw new RuntimeError(`${name} must be integral`);
  return Array.from(v.dataSync(), Number);
}

const WHILE = '(while checking arguments for ctc_loss_cpu)';

/** checkSize's message for a dim of `targets`. */
function targetsSizeError(expected: number, dim: number, got: number): RuntimeError {
  return new RuntimeError(`Expected tensor to have size ${expected} at dimension ${dim}, but got size ${got} for argument #2 'targets' ${WHILE}`);
}

/**
 * PyTorch's `ctc_loss` (both overloads of the binding) with the reduction already parsed:
 * `logProbs` [T, N, C] or unbatched [T, C]; `targets` padded [N, S] or concatenated [sum of the
 * target lengths] (any integer or floating dtype, converted to int64 as PyTorch does); lengths as
 * integral tensors or arrays of integers (both of one kind).
 * @internal
 */
export function ctcLoss(
  logProbs: unknown,
  targets: unknown,
  inputLengths: unknown,
  targetLengths: unknown,
  blank: unknown,
  reduction: Reduction,
  zeroInfinity: unknown,
): Tensor {
  const bothTensors = inputLengths instanceof Tensor && targetLengths instanceof Tensor;
  const bothArrays = Array.isArray(inputLengths) && Array.isArray(targetLengths);
  const red = { none: 0, mean: 1, sum: 2 }[reduction]; // the binding sees the enum
  const args = [logProbs, targets, inputLengths, targetLengths, blank, red, zeroInfinity];
  const ok = (t: unknown): boolean => t instanceof Tensor;
  if (!ok(logProbs) || !ok(targets) || !(bothTensors || bothArrays) || typeof blank !== 'number' || !Number.isInteger(blank) || typeof zeroInfinity !== 'boolean') {
    throw overloadError(args);
  }
  if (bothArrays && !(inputLengths as unknown[]).concat(targetLengths).every((e) => typeof e === 'number' && Number.isInteger(e))) {
    throw overloadError(args);
  }
  const il = lengthValues(inputLengths as Tensor | number[], 'input_lengths');
  const tl = lengthValues(targetLengths as Tensor | number[], 'target_lengths');
  const x = logProbs as Tensor;
  let tg = targets as Tensor;

  const batched = x.dim() === 3;
  const lp = batched ? x : x.unsqueeze(1);
  if (lp.dtype !== 'float32' && lp.dtype !== 'float64') throw new RuntimeError(`"ctc_loss_cpu" not implemented for '${scalarTypeName(lp.dtype)}'`);
  if (tg.dtype !== 'int64') tg = castRaw(tg, 'int64'); // PyTorch parity: targets.to(kLong), so float labels truncate
  if (lp.dim() !== 3) {
    throw new RuntimeError(`Expected 3-dimensional tensor, but got ${lp.dim()}-dimensional tensor for argument #1 'log_probs' ${WHILE}`);
  }
  if (tg.dim() < 1 || tg.dim() > 2) {
    throw new RuntimeError(`Expected 1 to 2 dimensions, but got ${tg.dim()}-dimensional tensor for argument #2 'targets' ${WHILE}`);
  }
  const [T, N, C] = lp.shape as [number, number, number];
  if (!(blank >= 0 && blank < C)) throw new RuntimeError('blank must be in label range');
  if (il.length !== N) throw new RuntimeError('input_lengths must be of size batch_size');
  if (tl.length !== N) throw new RuntimeError('target_lengths must be of size batch_size');

  const targetOffsets = new Float64Array(N);
  let maxTarget = 0;
  let pos = 0;
  for (let b = 0; b < N; b++) {
    // Deviation: PyTorch 1.13 reads outside its arrays for a negative length; this is later PyTorch's check.
    if (tl[b]! < 0) throw new RuntimeError(`Expected target_lengths to have value at least 0, but got value ${tl[b]} ${WHILE}`);
    targetOffsets[b] = tg.dim() === 1 ? pos : b * (tg.shape[1] ?? 0);
    pos += tl[b]!;
    maxTarget = Math.max(maxTarget, tl[b]!);
  }
  if (tg.dim() === 1) {
    if (tg.shape[0] !== pos) throw targetsSizeError(pos, 0, tg.shape[0]!);
  } else {
    if (tg.shape[0] !== N) throw targetsSizeError(N, 0, tg.shape[0]!);
    if (tg.shape[1]! < maxTarget) {
      throw new RuntimeError(`Expected tensor to have size at least ${maxTarget} at dimension 1, but got size ${tg.shape[1]} for argument #2 'targets' ${WHILE}`);
    }
  }
  for (let b = 0; b < N; b++) {
    if (il[b]! < 0) throw new RuntimeError(`Expected input_lengths to have value at least 0, but got value ${il[b]} ${WHILE}`); // Deviation, as above
    if (il[b]! > T) throw new RuntimeError(`Expected input_lengths to have value at most ${T}, but got value ${il[b]} ${WHILE}`);
  }
  if (T === 0) throw new RuntimeError('start (0) + length (1) exceeds dimension size (0).'); // log_alpha.narrow(1, 0, 1)
  const labels = denseArray(tg) as Float64Array;
  for (let b = 0; b < N; b++) {
    for (let i = 0; i < tl[b]!; i++) {
      const v = labels[targetOffsets[b]! + i]!;
      // Deviation: PyTorch reads outside log_probs for such a label (undefined results); torchlet refuses it.
      if (!(v >= 0 && v < C)) throw new RuntimeError(`ctc_loss: target label ${v} is out of range [0, ${C})`);
    }
  }

  const a: CtcArgs = {
    T,
    N,
    C,
    L: 2 * maxTarget + 1,
    blank,
    zeroInfinity,
    targets: labels,
    targetOffsets,
    inputLengths: Float64Array.from(il),
    targetLengths: Float64Array.from(tl),
  };
  let res = ctcOp(lp, a);
  if (zeroInfinity) res = where(res.eq(Infinity), 0, res);
  if (reduction === 'mean') {
    // each loss divided by its target length (at least 1), then the batch mean
    const lengths = tensor(tl.map((v) => Math.max(v, 1)), { dtype: res.dtype });
    return res.div(lengths).mean();
  }
  if (reduction === 'sum') return res.sum();
  return batched ? res : res.squeeze(0);
}
