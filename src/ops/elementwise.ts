/**
 * Element-wise ops: unary math, binary arithmetic with broadcasting and type promotion,
 * comparisons, where/maskedFill/clamp. Each op's backward sits next to its forward.
 */
import type { BinaryOp, UnaryOp } from '../backends/backend.js';
import { defineOp, notDifferentiable } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { RuntimeError } from '../errors.js';
import { type DType, type FloatArray, isFloating, isIntegral, isReducedFloat, scalarTypeName } from '../tensor/dtype.js';
import { routine } from '../backends/routine.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions, describeValue } from '../validate.js';
import { warnOnce } from '../warnings.js';
import {
  type TensorLike,
  asTensor,
  broadcastShapes,
  broadcastView,
  castRaw,
  resultType,
  truncRaw,
  viewOf,
  backendFor,
  backendOf,
  commonDevice,
  onDevice,
} from './util.js';

// ---------------------------------------------------------------- raw kernels (no autograd)

/** op(x) into a new contiguous tensor of `dtype` (x is cast first when its dtype differs). */
function runUnary(op: UnaryOp, x: Tensor, dtype: DType, params?: readonly number[]): Tensor {
  // predicates read the input as it is and write 0/1 into the bool output
  const src = x.dtype === dtype || dtype === 'bool' ? x : castRaw(x, dtype);
  const out = emptyTensor(x.shape, dtype, x.storage.device);
  backendOf(x).unary(op, viewOf(src), viewOf(out), params);
  return out;
}

/** op(a, b) with broadcasting; inputs are cast to `computeType`, the result is `outType`. */
function runBinary(op: BinaryOp, a: Tensor, b: Tensor, computeType: DType, outType: DType): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const device = commonDevice([a, b], true);
  const ac = onDevice(a.dtype === computeType ? a : castRaw(a, computeType), device);
  const bc = onDevice(b.dtype === computeType ? b : castRaw(b, computeType), device);
  const out = emptyTensor(shape, outType, device);
  backendFor(device).binary(op, broadcastView(viewOf(ac), shape), broadcastView(viewOf(bc), shape), viewOf(out));
  if (outType === 'int64' && (op === 'div' || op === 'pow')) truncRaw(out);
  return out;
}

// ---------------------------------------------------------------- unary ops

/** Ops whose integer inputs are promoted to float32 (PyTorch's "unary float" ops). */
const FLOAT_OPS = new Set<UnaryOp>([
  'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'reciprocal', 'erf',
]);

function unaryOutType(op: UnaryOp, x: Tensor): DType {
  if (op === 'isnan' || op === 'isinf' || op === 'logical_not') return 'bool';
  if (FLOAT_OPS.has(op) && !isFloating(x.dtype)) return 'float32';
  if (x.dtype === 'bool' && (op === 'neg' || op === 'abs' || op === 'square')) return 'int64';
  return x.dtype;
}

type UnaryGrad = (gy: Tensor, x: Tensor, y: Tensor, p: readonly number[]) => Tensor;

function defUnary(op: UnaryOp, nodeName: string, grad: UnaryGrad | null) {
  const raw = defineOp({
    name: op,
    nodeName,
    forward(ctx: OpCtx<{ params: readonly number[] }>, x: Tensor, params?: readonly number[]) {
      const y = runUnary(op, x, unaryOutType(op, x), params);
      ctx.save(x, y);
      ctx.params = params ?? [];
      return y;
    },
    backward: grad
      ? (ctx, [gy]) => {
          const [x, y] = ctx.saved;
          return [grad(gy!, x!, y!, ctx.params)];
        }
      : notDifferentiable(op),
  });
  return (x: Tensor, params?: readonly number[]): Tensor => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be a Tensor, got ${describeValue(x)}`);
    return raw(x, params);
  };
}

const zerosLike = (t: Tensor): Tensor => emptyTensor(t.shape, t.dtype);

/**
 * -x per element, like `torch.neg`. The unary ops below are differentiable unless noted.
 * See https://pytorch.org/docs/1.13/generated/torch.neg.html
 * @example torch.neg(torch.tensor([1, -2])) // tensor([-1,  2])
 */
export const neg = defUnary('neg', 'NegBackward0', (gy) => gy.neg());
/**
 * Absolute value per element, like `torch.abs`.
 * See https://pytorch.org/docs/1.13/generated/torch.abs.html
 * @example torch.abs(torch.tensor([-1.5, 2])) // tensor([1.5000, 2.0000])
 */
export const abs = defUnary('abs', 'AbsBackward0', (gy, x) => gy.mul(x.sign()));
/**
 * e ** x per element, like `torch.exp`.
 * See https://pytorch.org/docs/1.13/generated/torch.exp.html
 * @example torch.exp(torch.zeros(3)) // tensor([1., 1., 1.])
 */
export const exp = defUnary('exp', 'ExpBackward0', (gy, _x, y) => gy.mul(y));
/**
 * Natural logarithm per element, like `torch.log`.
 * See https://pytorch.org/docs/1.13/generated/torch.log.html
 * @example torch.log(torch.tensor([1, Math.E]))
 */
export const log = defUnary('log', 'LogBackward0', (gy, x) => gy.div(x));
/**
 * log(1 + x) per element, accurate for small x, like `torch.log1p`.
 * See https://pytorch.org/docs/1.13/generated/torch.log1p.html
 * @example torch.log1p(torch.tensor([1e-8]))
 */
export const log1p = defUnary('log1p', 'Log1PBackward0', (gy, x) => gy.div(x.add(1)));
/**
 * exp(x) - 1 per element, accurate for small x, like `torch.expm1`.
 * See https://pytorch.org/docs/1.13/generated/torch.expm1.html
 * @example torch.expm1(torch.tensor([1e-8]))
 */
export const expm1 = defUnary('expm1', 'Expm1Backward0', (gy, _x, y) => gy.mul(y.add(1)));
/**
 * Square root per element, like `torch.sqrt`.
 * See https://pytorch.org/docs/1.13/generated/torch.sqrt.html
 * @example torch.sqrt(torch.tensor([4, 9])) // tensor([2., 3.])
 */
export const sqrt = defUnary('sqrt', 'SqrtBackward0', (gy, _x, y) => gy.div(y.mul(2)));
/**
 * 1 / sqrt(x) per element, like `torch.rsqrt`.
 * See https://pytorch.org/docs/1.13/generated/torch.rsqrt.html
 * @example torch.rsqrt(torch.tensor([4])) // tensor([0.5000])
 */
export const rsqrt = defUnary('rsqrt', 'RsqrtBackward0', (gy, _x, y) => gy.mul(y.pow(3)).mul(-0.5));
/**
 * Sine per element (radians), like `torch.sin`.
 * See https://pytorch.org/docs/1.13/generated/torch.sin.html
 * @example torch.sin(torch.linspace(0, Math.PI, 5))
 */
export const sin = defUnary('sin', 'SinBackward0', (gy, x) => gy.mul(x.cos()));
/**
 * Cosine per element (radians), like `torch.cos`.
 * See https://pytorch.org/docs/1.13/generated/torch.cos.html
 * @example torch.cos(torch.linspace(0, Math.PI, 5))
 */
export const cos = defUnary('cos', 'CosBackward0', (gy, x) => gy.mul(x.sin().neg()));
/**
 * Hyperbolic tangent per element, like `torch.tanh`.
 * See https://pytorch.org/docs/1.13/generated/torch.tanh.html
 * @example const y = torch.tanh(torch.randn(2, 3));
 */
export const tanh = defUnary('tanh', 'TanhBackward0', (gy, _x, y) => gy.mul(y.mul(y).neg().add(1)));
/**
 * Logistic sigmoid 1 / (1 + exp(-x)) per element, like `torch.sigmoid`.
 * See https://pytorch.org/docs/1.13/generated/torch.sigmoid.html
 * @example const p = torch.sigmoid(logits);
 */
export const sigmoid = defUnary('sigmoid', 'SigmoidBackward0', (gy, _x, y) => gy.mul(y.mul(y.neg().add(1))));
/**
 * max(x, 0) per element, like `torch.relu`.
 * See https://pytorch.org/docs/1.13/generated/torch.relu.html
 * @example torch.relu(torch.tensor([-1, 2])) // tensor([0, 2])
 */
export const relu = defUnary('relu', 'ReluBackward0', (gy, _x, y) => gy.mul(y.gt(0)));
/**
 * -1, 0 or 1 per element by sign (gradient 0), like `torch.sign`.
 * See https://pytorch.org/docs/1.13/generated/torch.sign.html
 * @example torch.sign(torch.tensor([-2, 0, 3])) // tensor([-1, 0, 1])
 */
export const sign = defUnary('sign', 'SignBackward0', (gy) => zerosLike(gy));
/**
 * Largest integer <= x per element (gradient 0), like `torch.floor`.
 * See https://pytorch.org/docs/1.13/generated/torch.floor.html
 * @example torch.floor(torch.tensor([-1.5, 1.5])) // tensor([-2., 1.])
 */
export const floor = defUnary('floor', 'FloorBackward0', (gy) => zerosLike(gy));
/**
 * Smallest integer >= x per element (gradient 0), like `torch.ceil`.
 * See https://pytorch.org/docs/1.13/generated/torch.ceil.html
 * @example torch.ceil(torch.tensor([-1.5, 1.5])) // tensor([-1., 2.])
 */
export const ceil = defUnary('ceil', 'CeilBackward0', (gy) => zerosLike(gy));
/**
 * Rounds to the nearest integer per element (gradient 0), like `torch.round`.
 * See https://pytorch.org/docs/1.13/generated/torch.round.html
 * @example torch.round(torch.tensor([0.4, 1.6])) // tensor([0., 2.])
 */
export const round = defUnary('round', 'RoundBackward0', (gy) => zerosLike(gy));
/**
 * Rounds toward zero per element (gradient 0), like `torch.trunc`.
 * See https://pytorch.org/docs/1.13/generated/torch.trunc.html
 * @example torch.trunc(torch.tensor([-1.7, 1.7])) // tensor([-1., 1.])
 */
export const trunc = defUnary('trunc', 'TruncBackward0', (gy) => zerosLike(gy));
/**
 * 1 / x per element, like `torch.reciprocal`.
 * See https://pytorch.org/docs/1.13/generated/torch.reciprocal.html
 * @example torch.reciprocal(torch.tensor([2, 4])) // tensor([0.5000, 0.2500])
 */
export const reciprocal = defUnary('reciprocal', 'ReciprocalBackward0', (gy, _x, y) => gy.mul(y.mul(y)).neg());
/**
 * x * x per element, like `torch.square`.
 * See https://pytorch.org/docs/1.13/generated/torch.square.html
 * @example torch.square(torch.tensor([2, -3])) // tensor([4, 9])
 */
export const square = defUnary('square', 'PowBackward0', (gy, x) => gy.mul(x.mul(2)));
/**
 * The Gauss error function per element, like `torch.erf`.
 * See https://pytorch.org/docs/1.13/generated/torch.erf.html
 * @example torch.erf(torch.tensor([0, 1]))
 */
export const erf = defUnary('erf', 'ErfBackward0', (gy, x) => gy.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))));
export const gelu = defUnary('gelu', 'GeluBackward0', (gy, x) => {
  const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
  const pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
  return gy.mul(cdf.add(x.mul(pdf)));
});
export const geluTanh = defUnary('gelu_tanh', 'GeluBackward0', (gy, x) => {
  const k = Math.sqrt(2 / Math.PI);
  const x2 = x.mul(x);
  const inner = x.add(x2.mul(x).mul(0.044715)).mul(k);
  const t = inner.tanh();
  const dinner = x2.mul(3 * 0.044715).add(1).mul(k);
  return gy.mul(t.add(1).mul(0.5).add(x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(dinner)));
});
/**
 * Boolean NOT per element (nonzero is true), like `torch.logical_not`.
 * See https://pytorch.org/docs/1.13/generated/torch.logical_not.html
 * @example torch.logicalNot(torch.tensor([true, false])) // tensor([False,  True])
 */
export const logicalNot = defUnary('logical_not', 'LogicalNotBackward0', null);
/**
 * Boolean mask of NaN elements, like `torch.isnan`.
 * See https://pytorch.org/docs/1.13/generated/torch.isnan.html
 * @example torch.isnan(torch.tensor([1, NaN])) // tensor([False,  True])
 */
export const isnan = defUnary('isnan', 'IsnanBackward0', null);
/**
 * Boolean mask of infinite elements, like `torch.isinf`.
 * See https://pytorch.org/docs/1.13/generated/torch.isinf.html
 * @example torch.isinf(torch.tensor([1, Infinity])) // tensor([False,  True])
 */
export const isinf = defUnary('isinf', 'IsinfBackward0', null);
export const leakyRelu = defUnary('leaky_relu', 'LeakyReluBackward0', (gy, x, _y, p) =>
  gy.mul(where(x.gt(0), 1, p[0]!)),
);
export const powScalar = defUnary('pow_scalar', 'PowBackward0', (gy, x, _y, p) => {
  const e = p[0]!;
  if (e === 0) return zerosLike(gy);
  return gy.mul(x.pow(e - 1).mul(e));
});
export const rpowScalar = defUnary('rpow_scalar', 'PowBackward1', (gy, _x, y, p) => gy.mul(y.mul(Math.log(p[0]!))));
export const clampOp = defUnary('clamp', 'ClampBackward1', (gy, x, _y, p) => {
  let mask: Tensor | null = null;
  if (!Number.isNaN(p[0]!)) mask = x.ge(p[0]!);
  if (!Number.isNaN(p[1]!)) mask = mask ? mask.logicalAnd(x.le(p[1]!)) : x.le(p[1]!);
  return mask ? gy.mul(mask) : gy;
});
export const softplus = defUnary('softplus', 'SoftplusBackward0', (gy, x, _y, p) => {
  const bx = x.mul(p[0]!);
  return gy.mul(where(bx.gt(p[1]!), 1, bx.sigmoid()));
});
export const elu = defUnary('elu', 'EluBackward0', (gy, x, y, p) => gy.mul(where(x.gt(0), 1, y.add(p[0]!))));

// ---------------------------------------------------------------- binary ops

type BinaryGrad = (gy: Tensor, a: Tensor, b: Tensor, need: boolean[]) => (Tensor | null)[];

function defBinary(op: BinaryOp, nodeName: string, grad: BinaryGrad | null, trueDiv = false) {
  const raw = defineOp({
    name: op,
    nodeName,
    forward(ctx, a: Tensor, b: Tensor, dtype: DType) {
      ctx.save(a, b);
      return runBinary(op, a, b, dtype, dtype);
    },
    backward: grad
      ? (ctx, [gy]) => {
          const [a, b] = ctx.saved;
          // backward runs on the saved (possibly scalar-wrapped) inputs
          return grad(gy!, a!, b!, ctx.needsInputGrad);
        }
      : notDifferentiable(op),
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    checkBinaryArgs(op, a, b);
    let dtype = resultType(a, b);
    if (trueDiv && !isFloating(dtype)) dtype = 'float32';
    const bt = asTensor(b, dtype);
    if (INTEGER_DIVISIONS.has(op) && isIntegral(dtype)) checkIntegerDivisor(bt);
    return raw(asTensor(a, dtype), bt, dtype);
  };
}

/** The ops that divide: on integers, a zero divisor is PyTorch's ZeroDivisionError. */
const INTEGER_DIVISIONS = new Set<BinaryOp>(['floor_divide', 'remainder', 'fmod']);

/** PyTorch's error for an integer division by zero (floor_divide, remainder, fmod, div with a rounding mode). */
function checkIntegerDivisor(b: Tensor): void {
  if (b.eq(0).any().item()) throw new RuntimeError('ZeroDivisionError');
}

/** Each operand is a Tensor, a number or a boolean, and at least one is a Tensor. */
function checkBinaryArgs(op: string, a: unknown, b: unknown): void {
  const ok = (v: unknown): boolean => v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean';
  if (!ok(a)) throw new TypeError(`${op}(): argument 'input' (position 1) must be a Tensor or a number, got ${describeValue(a)}`);
  if (!ok(b)) throw new TypeError(`${op}(): argument 'other' (position 2) must be a Tensor or a number, got ${describeValue(b)}`);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new TypeError(`${op}(): expected at least one Tensor argument, got ${describeValue(a)} and ${describeValue(b)}`);
  }
}

/**
 * a + b with broadcasting and type promotion, like `torch.add` (for `alpha`, use `a.add(b, { alpha })`).
 * See https://pytorch.org/docs/1.13/generated/torch.add.html
 * @example torch.add(torch.ones(2, 3), torch.arange(3)) // shape [2, 3]
 */
export const add = defBinary('add', 'AddBackward0', (gy) => [gy, gy]);
/**
 * a - b with broadcasting and type promotion, like `torch.sub`.
 * See https://pytorch.org/docs/1.13/generated/torch.sub.html
 * @example torch.sub(x, x.mean())
 */
export const sub = defBinary('sub', 'SubBackward0', (gy) => [gy, gy.neg()]);
/**
 * a * b with broadcasting and type promotion, like `torch.mul`.
 * See https://pytorch.org/docs/1.13/generated/torch.mul.html
 * @example torch.mul(x, 2)
 */
export const mul = defBinary('mul', 'MulBackward0', (gy, a, b, need) => [
  need[0] ? gy.mul(b) : null,
  need[1] ? gy.mul(a) : null,
]);
/**
 * a / b with broadcasting; true division, so integer inputs give float32, like `torch.div`.
 * See https://pytorch.org/docs/1.13/generated/torch.div.html
 * @example torch.div(torch.tensor([1, 2]), 2) // tensor([0.5000, 1.0000])
 */
export const div = defBinary(
  'div',
  'DivBackward0',
  (gy, a, b, need) => [need[0] ? gy.div(b) : null, need[1] ? gy.mul(a).div(b.mul(b)).neg() : null],
  true,
);
/** a ** b with broadcasting. */
export const powTensor = defBinary('pow', 'PowBackward1', (gy, a, b, need) => [
  need[0] ? gy.mul(b.mul(a.pow(b.sub(1)))).maskedFill(b.eq(0), 0) : null,
  // PyTorch parity: the exponent's gradient is 0 where the base is 0 and the exponent is >= 0
  need[1] ? gy.mul(a.pow(b).mul(a.log())).maskedFill(a.eq(0).logicalAnd(b.ge(0)), 0) : null,
]);
/**
 * Element-wise maximum with broadcasting (NaN propagates), like `torch.maximum`.
 * See https://pytorch.org/docs/1.13/generated/torch.maximum.html
 * @example torch.maximum(x, torch.zeros(1))
 */
export const maximum = defBinary('maximum', 'MaximumBackward0', (gy, a, b) => {
  // PyTorch parity: ties split the gradient; NaN positions pass it to both inputs
  const g = where(a.eq(b), gy.mul(0.5), gy);
  return [g.maskedFill(a.lt(b), 0), g.maskedFill(a.gt(b), 0)];
});
/**
 * Element-wise minimum with broadcasting (NaN propagates), like `torch.minimum`.
 * See https://pytorch.org/docs/1.13/generated/torch.minimum.html
 * @example torch.minimum(x, y)
 */
export const minimum = defBinary('minimum', 'MinimumBackward0', (gy, a, b) => {
  const g = where(a.eq(b), gy.mul(0.5), gy);
  return [g.maskedFill(a.gt(b), 0), g.maskedFill(a.lt(b), 0)];
});
/**
 * atan2(a, b) per element: the angle of the point (b, a), in radians, like `torch.atan2`.
 * See https://pytorch.org/docs/1.13/generated/torch.atan2.html
 * @example torch.atan2(torch.tensor([1]), torch.tensor([1])) // tensor([0.7854])
 */
export const atan2 = defBinary(
  'atan2',
  'Atan2Backward0',
  (gy, a, b) => {
    const den = a.mul(a).add(b.mul(b));
    return [gy.mul(b).div(den), gy.mul(a).neg().div(den)];
  },
  true,
);
/**
 * Python-style modulo: the result has the sign of the divisor, like `torch.remainder`.
 * See https://pytorch.org/docs/1.13/generated/torch.remainder.html
 * @example torch.remainder(torch.tensor([-3, 3]), 2) // tensor([1, 1])
 */
export const remainder = defBinary('remainder', 'RemainderBackward0', (gy, a, b) => [gy, gy.mul(a.div(b).floor()).neg()]);
/**
 * C-style modulo: the result has the sign of the dividend, like `torch.fmod`.
 * See https://pytorch.org/docs/1.13/generated/torch.fmod.html
 * @example torch.fmod(torch.tensor([-3, 3]), 2) // tensor([-1,  1])
 */
export const fmod = defBinary('fmod', 'FmodBackward0', (gy, a, b) => [gy, gy.mul(a.div(b).trunc()).neg()]);
/** floor(a / b). */
export const floorDivide = defBinary('floor_divide', 'FloorDivideBackward0', null);

function defCompare(op: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    checkBinaryArgs(op, a, b);
    const dtype = resultType(a, b);
    return runBinary(op, asTensor(a, dtype), asTensor(b, dtype), dtype, 'bool');
  };
}

/**
 * a == b per element with broadcasting, like `torch.eq`. Comparisons and logical ops return bool tensors and have no gradient.
 * See https://pytorch.org/docs/1.13/generated/torch.eq.html
 * @example torch.eq(torch.tensor([1, 2]), 2) // tensor([False,  True])
 */
export const eq = defCompare('eq');
/**
 * a != b per element with broadcasting (bool result, no gradient), like `torch.ne`.
 * See https://pytorch.org/docs/1.13/generated/torch.ne.html
 * @example torch.ne(x, 0)
 */
export const ne = defCompare('ne');
/**
 * a < b per element with broadcasting (bool result), like `torch.lt`.
 * See https://pytorch.org/docs/1.13/generated/torch.lt.html
 * @example torch.lt(x, 0)
 */
export const lt = defCompare('lt');
/**
 * a <= b per element with broadcasting (bool result), like `torch.le`.
 * See https://pytorch.org/docs/1.13/generated/torch.le.html
 * @example torch.le(x, y)
 */
export const le = defCompare('le');
/**
 * a > b per element with broadcasting (bool result), like `torch.gt`.
 * See https://pytorch.org/docs/1.13/generated/torch.gt.html
 * @example const positive = torch.gt(x, 0);
 */
export const gt = defCompare('gt');
/**
 * a >= b per element with broadcasting (bool result), like `torch.ge`.
 * See https://pytorch.org/docs/1.13/generated/torch.ge.html
 * @example torch.ge(x, y)
 */
export const ge = defCompare('ge');
/**
 * Boolean AND per element (nonzero is true), like `torch.logical_and`.
 * See https://pytorch.org/docs/1.13/generated/torch.logical_and.html
 * @example torch.logicalAnd(x.gt(0), x.lt(1))
 */
export const logicalAnd = defCompare('logical_and');
/**
 * Boolean OR per element (nonzero is true), like `torch.logical_or`.
 * See https://pytorch.org/docs/1.13/generated/torch.logical_or.html
 * @example torch.logicalOr(x.lt(0), x.gt(1))
 */
export const logicalOr = defCompare('logical_or');
/**
 * Boolean XOR per element (nonzero is true), like `torch.logical_xor`.
 * See https://pytorch.org/docs/1.13/generated/torch.logical_xor.html
 * @example torch.logicalXor(a, b)
 */
export const logicalXor = defCompare('logical_xor');

/**
 * a ** b with broadcasting; either side may be a number, like `torch.pow`.
 * See https://pytorch.org/docs/1.13/generated/torch.pow.html
 * @example torch.pow(x, 2); torch.pow(2, x)
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a === 'number' && !(b instanceof Tensor)) {
    throw new TypeError(`pow(): argument 'exponent' (position 2) must be a Tensor when 'self' is a number, got ${describeValue(b)}`);
  }
  if (a instanceof Tensor && typeof b === 'number') {
    const dtype = resultType(a, b);
    const x = a.dtype === dtype ? a : a.to(dtype);
    return powScalar(x, [b]);
  }
  if (typeof a === 'number' && b instanceof Tensor) {
    const dtype = resultType(a, b);
    const x = b.dtype === dtype ? b : b.to(dtype);
    return rpowScalar(x, [a]);
  }
  return powTensor(a, b);
}

// ---------------------------------------------------------------- where / maskedFill / clamp

const whereOp = defineOp({
  name: 'where',
  nodeName: 'WhereBackward0',
  forward(ctx, cond: Tensor, a: Tensor, b: Tensor, dtype: DType) {
    const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
    const device = commonDevice([cond, a, b], true);
    const cc = onDevice(cond, device);
    const ac = onDevice(a.dtype === dtype ? a : castRaw(a, dtype), device);
    const bc = onDevice(b.dtype === dtype ? b : castRaw(b, dtype), device);
    const out = emptyTensor(shape, dtype, device);
    backendFor(device).where(broadcastView(viewOf(cc), shape), broadcastView(viewOf(ac), shape), broadcastView(viewOf(bc), shape), viewOf(out));
    ctx.save(cond);
    return out;
  },
  backward(ctx, [gy]) {
    const [cond] = ctx.saved;
    return [null, where(cond!, gy!, 0), where(cond!, 0, gy!)];
  },
});

/**
 * `cond ? a : b` with broadcasting, like `torch.where`.
 * See https://pytorch.org/docs/1.13/generated/torch.where.html
 * @example torch.where(x.gt(0), x, 0)
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new TypeError(`where(): argument 'condition' must be Tensor, got ${describeValue(cond)}`);
  if (cond.dtype !== 'bool') {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${scalarTypeName(cond.dtype)}`);
  }
  const dtype = resultType(a, b);
  return whereOp(cond, asTensor(a, dtype), asTensor(b, dtype), dtype);
}

/**
 * x with `value` where the bool `mask` (broadcast to x) is true, like `Tensor.masked_fill`.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_fill.html
 * @example torch.maskedFill(scores, mask, -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`masked_fill(): argument 'input' must be a Tensor, got ${describeValue(x)}`);
  if (!(value instanceof Tensor) && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`masked_fill(): argument 'value' must be a number or a 0-dim Tensor, got ${describeValue(value)}`);
  }
  if (mask instanceof Tensor && mask.dtype === 'uint8') {
    warnOnce('masked_fill_ received a mask with dtype torch.uint8, this behavior is now deprecated,please use a mask with dtype torch.bool instead.');
    mask = mask.to('bool');
  }
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') {
    throw new RuntimeError(
      `masked_fill_ only supports boolean masks, but got mask with dtype ${mask instanceof Tensor ? mask.dtype : describeValue(mask)}`,
    );
  }
  if (value instanceof Tensor && value.dim() !== 0) {
    throw new RuntimeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`,
    );
  }
  // out of place, input and mask broadcast together (PyTorch's expand_outplace); in place
  // (maskedFill_), a mask wider than the tensor fails the in-place shape check
  broadcastShapes(x.shape, mask.shape);
  const v = value instanceof Tensor ? value.to(x.dtype) : asTensor(value, x.dtype);
  return where(mask, v, x);
}

/**
 * Clamps to [min, max] (either may be null or undefined), like `torch.clamp`.
 * See https://pytorch.org/docs/1.13/generated/torch.clamp.html
 * @example torch.clamp(x, -1, 1); torch.clamp(x, null, 0)
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`clamp(): argument 'input' must be a Tensor, got ${describeValue(x)}`);
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (v !== undefined && v !== null && typeof v !== 'number') {
      throw new TypeError(`clamp(): argument '${name}' must be a number or null, got ${describeValue(v)}`);
    }
  }
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  const lo = min ?? NaN;
  const hi = max ?? NaN;
  if (!isFloating(x.dtype) && (!Number.isInteger(lo) && !Number.isNaN(lo) || !Number.isInteger(hi) && !Number.isNaN(hi))) {
    return clampOp(x.to('float32'), [lo, hi]);
  }
  return clampOp(x, [lo, hi]);
}

// ---------------------------------------------------------------- methods

import type { MethodTable } from '../tensor/methods.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * `this + alpha * other` with broadcasting, like `Tensor.add`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.add.html
     * @example x.add(y, { alpha: 2 }) // x + 2 * y
     */
    add(other: TensorLike, opts?: { alpha?: number }): Tensor;
    /**
     * `this - alpha * other`, like `Tensor.sub`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sub.html
     * @example x.sub(x.mean())
     */
    sub(other: TensorLike, opts?: { alpha?: number }): Tensor;
    /**
     * `this * other`, like `Tensor.mul`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mul.html
     * @example x.mul(0.5)
     */
    mul(other: TensorLike): Tensor;
    /**
     * `this / other` (true division; `roundingMode` 'trunc' or 'floor'), like `Tensor.div`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.div.html
     * @example torch.tensor([-7, 7]).div(2, { roundingMode: 'floor' }) // tensor([-4,  3])
     */
    div(other: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor;
    /**
     * `this ** exponent`, like `Tensor.pow`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.pow.html
     * @example x.pow(2)
     */
    pow(exponent: TensorLike): Tensor;
    /**
     * Element-wise maximum, like `torch.maximum`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.maximum.html
     * @example x.maximum(torch.zeros(1)) // relu
     */
    maximum(other: Tensor): Tensor;
    /**
     * Element-wise minimum, like `torch.minimum`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.minimum.html
     * @example x.minimum(y)
     */
    minimum(other: Tensor): Tensor;
    /**
     * Python-style remainder.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.remainder.html
     * @example torch.tensor([-3, 3]).remainder(2) // tensor([1, 1])
     */
    remainder(other: TensorLike): Tensor;
    /**
     * C-style fmod.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.fmod.html
     * @example torch.tensor([-3, 3]).fmod(2) // tensor([-1,  1])
     */
    fmod(other: TensorLike): Tensor;
    /**
     * floor(this / other).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.floor_divide.html
     * @example torch.tensor([7, -7]).floorDivide(2) // tensor([ 3, -4])
     */
    floorDivide(other: TensorLike): Tensor;
    /**
     * atan2(this, other).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.atan2.html
     * @example y.atan2(x)
     */
    atan2(other: Tensor): Tensor;
    /**
     * `-this`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.neg.html
     * @example x.neg()
     */
    neg(): Tensor;
    /**
     * |this|.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.abs.html
     * @example torch.tensor([-2, 3]).abs() // tensor([2, 3])
     */
    abs(): Tensor;
    /**
     * e^this.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.exp.html
     * @example x.exp()
     */
    exp(): Tensor;
    /**
     * Natural log.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.log.html
     * @example probs.log()
     */
    log(): Tensor;
    /**
     * log(1 + this).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.log1p.html
     * @example x.abs().log1p()
     */
    log1p(): Tensor;
    /**
     * e^this - 1.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.expm1.html
     * @example x.expm1()
     */
    expm1(): Tensor;
    /**
     * Square root.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sqrt.html
     * @example x.square().sum().sqrt()
     */
    sqrt(): Tensor;
    /**
     * 1 / sqrt(this).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.rsqrt.html
     * @example x.var().add(1e-5).rsqrt()
     */
    rsqrt(): Tensor;
    /**
     * Sine.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sin.html
     * @example t.sin()
     */
    sin(): Tensor;
    /**
     * Cosine.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.cos.html
     * @example t.cos()
     */
    cos(): Tensor;
    /**
     * Hyperbolic tangent.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.tanh.html
     * @example const c2 = c.tanh();
     */
    tanh(): Tensor;
    /**
     * Logistic sigmoid.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sigmoid.html
     * @example const gate = x.sigmoid();
     */
    sigmoid(): Tensor;
    /**
     * max(this, 0).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.relu.html
     * @example torch.tensor([-1, 2]).relu() // tensor([0, 2])
     */
    relu(): Tensor;
    /**
     * -1, 0 or 1.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sign.html
     * @example torch.tensor([-2, 0, 3]).sign() // tensor([-1,  0,  1])
     */
    sign(): Tensor;
    /**
     * Floor.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.floor.html
     * @example torch.tensor([-1.5, 1.5]).floor() // tensor([-2.,  1.])
     */
    floor(): Tensor;
    /**
     * Ceil.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.ceil.html
     * @example torch.tensor([-1.5, 1.5]).ceil() // tensor([-1.,  2.])
     */
    ceil(): Tensor;
    /**
     * Round half to even.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.round.html
     * @example torch.tensor([0.5, 1.5, 2.5]).round() // tensor([0., 2., 2.])
     */
    round(): Tensor;
    /**
     * Truncate toward zero.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.trunc.html
     * @example torch.tensor([-1.7, 1.7]).trunc() // tensor([-1.,  1.])
     */
    trunc(): Tensor;
    /**
     * 1 / this.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.reciprocal.html
     * @example torch.tensor([2, 4]).reciprocal() // tensor([0.5000, 0.2500])
     */
    reciprocal(): Tensor;
    /**
     * this * this.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.square.html
     * @example x.sub(y).square().mean()
     */
    square(): Tensor;
    /**
     * Error function.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.erf.html
     * @example x.mul(Math.SQRT1_2).erf()
     */
    erf(): Tensor;
    /**
     * Logical not (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.logical_not.html
     * @example mask.logicalNot()
     */
    logicalNot(): Tensor;
    /**
     * NaN test (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.isnan.html
     * @example loss.isnan().item() // true when the loss is NaN
     */
    isnan(): Tensor;
    /**
     * Infinity test (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.isinf.html
     * @example x.isinf().any()
     */
    isinf(): Tensor;
    /**
     * == (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.eq.html
     * @example pred.argmax(1).eq(target).sum()
     */
    eq(other: TensorLike): Tensor;
    /**
     * != (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.ne.html
     * @example tokens.ne(padIdx)
     */
    ne(other: TensorLike): Tensor;
    /**
     * < (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.lt.html
     * @example x.lt(0)
     */
    lt(other: TensorLike): Tensor;
    /**
     * <= (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.le.html
     * @example x.le(y)
     */
    le(other: TensorLike): Tensor;
    /**
     * > (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.gt.html
     * @example const positive = x.gt(0);
     */
    gt(other: TensorLike): Tensor;
    /**
     * >= (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.ge.html
     * @example x.ge(0.5)
     */
    ge(other: TensorLike): Tensor;
    /**
     * Logical and (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.logical_and.html
     * @example x.gt(0).logicalAnd(x.lt(1))
     */
    logicalAnd(other: TensorLike): Tensor;
    /**
     * Logical or (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.logical_or.html
     * @example x.lt(0).logicalOr(x.gt(1))
     */
    logicalOr(other: TensorLike): Tensor;
    /**
     * Logical xor (bool result).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.logical_xor.html
     * @example a.gt(0).logicalXor(b.gt(0))
     */
    logicalXor(other: TensorLike): Tensor;
    /**
     * Fills `value` where `mask` is true, like `Tensor.masked_fill`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_fill.html
     * @example scores.maskedFill(mask, -Infinity)
     */
    maskedFill(mask: Tensor, value: TensorLike): Tensor;
    /**
     * Clamps to [min, max], like `Tensor.clamp`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.clamp.html
     * @example x.clamp(-1, 1); x.clamp(0) // lower bound only
     */
    clamp(min?: number | null, max?: number | null): Tensor;
    /**
     * Alias of clamp.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.clip.html
     * @example x.clip(-1, 1)
     */
    clip(min?: number | null, max?: number | null): Tensor;
    /**
     * `cond ? this : other`, like `Tensor.where(cond, other)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.where.html
     * @example x.where(x.gt(0), 0) // keeps the positive entries, 0 elsewhere
     */
    where(cond: Tensor, other: TensorLike): Tensor;
  }
}

function alphaOf(fn: string, opts: unknown): number | undefined {
  const o = checkOptions<{ alpha?: unknown }>(fn, opts, ['alpha']);
  if (o.alpha !== undefined && typeof o.alpha !== 'number') throw new TypeError(`${fn}: argument 'alpha' must be a number, got ${describeValue(o.alpha)}`);
  return o.alpha as number | undefined;
}

/**
 * `a + alpha * b` for a floating result, with one rounding per element as PyTorch's CPU add/sub
 * kernels give (they fuse the multiply-add; alpha is rounded to the element type first). `sub`
 * passes `-alpha` and its node name, as PyTorch's sub runs the add kernel.
 */
function defAddScaled(name: 'add' | 'sub', nodeName: string) {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ alpha: number }>, a: Tensor, b: Tensor, alpha: number, dtype: DType) {
      const shape = broadcastShapes(a.shape, b.shape);
      const device = commonDevice([a, b], true);
      const k = backendFor(device);
      const y = emptyTensor(shape, dtype, device);
      k.copy(broadcastView(viewOf(onDevice(a, device)), shape), viewOf(y));
      const x = emptyTensor(shape, dtype, device);
      k.copy(broadcastView(viewOf(onDevice(b, device)), shape), viewOf(x));
      routine('axpy', k)({ alpha, x: viewOf(x).data as FloatArray, y: viewOf(y).data as FloatArray });
      ctx.alpha = alpha;
      return y;
    },
    backward(ctx, [gy]) {
      return [gy, gy!.mul(ctx.alpha)];
    },
  });
}
const addScaledOp = defAddScaled('add', 'AddBackward0');
const subScaledOp = defAddScaled('sub', 'SubBackward0');

/** `a + alpha * b` (`sign` -1: `a - alpha * b`) as PyTorch's add/sub with `alpha`. */
function addScaled(a: Tensor, other: TensorLike, alpha: number, sign: 1 | -1): Tensor {
  checkBinaryArgs(sign > 0 ? 'add' : 'sub', a, other);
  const dtype = resultType(a, other);
  // float16/bfloat16: PyTorch rounds alpha, then alpha * b, then the sum, to the dtype (composed below)
  if (isFloating(dtype) && !isReducedFloat(dtype) && typeof other !== 'boolean') {
    return (sign > 0 ? addScaledOp : subScaledOp)(asTensor(a, dtype), asTensor(other, dtype), sign * alpha, dtype);
  }
  const scaledOther = scaled(other, alpha);
  return sign > 0 ? add(a, scaledOther) : sub(a, scaledOther);
}

function scaled(other: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return other;
  if (typeof other === 'boolean') return Number(other) * alpha;
  if (!(other instanceof Tensor) && typeof other !== 'number') return other; // the op reports the bad operand
  return other instanceof Tensor ? mul(other, alpha) : (other as number) * alpha;
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const elementwiseMethods: MethodTable = {
  add(this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
    const alpha = opts === undefined ? undefined : alphaOf('add()', opts);
    return alpha === undefined || alpha === 1 ? add(this, o) : addScaled(this, o, alpha, 1);
  },
  sub(this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
    const alpha = opts === undefined ? undefined : alphaOf('sub()', opts);
    return alpha === undefined || alpha === 1 ? sub(this, o) : addScaled(this, o, alpha, -1);
  },
  mul(this: Tensor, o: TensorLike) {
    return mul(this, o);
  },
  div(this: Tensor, o: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }) {
    const mode = opts === undefined ? null : (checkOptions<{ roundingMode?: unknown }>('div()', opts, ['roundingMode']).roundingMode ?? null);
    if (mode !== null && typeof mode !== 'string') throw new TypeError(`div(): argument 'rounding_mode' must be a string or null, got ${describeValue(mode)}`);
    if (mode !== null && mode !== 'trunc' && mode !== 'floor') {
      throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${mode}'`);
    }
    if (mode === null) return div(this, o);
    const dtype = resultType(this, o);
    if (!isFloating(dtype)) {
      if (dtype !== 'bool') checkIntegerDivisor(asTensor(o, dtype));
      // trunc divides in float64 (exact for int32 and for int64 within 2^53), not true division's float32
      const q = mode === 'floor' ? floorDivide(this, o) : div(this.to('float64'), asTensor(o, dtype).to('float64')).trunc();
      return q.to(dtype);
    }
    return mode === 'floor' ? div(this, o).floor() : div(this, o).trunc();
  },
  pow(this: Tensor, e: TensorLike) {
    return pow(this, e);
  },
  maximum(this: Tensor, o: Tensor) {
    return maximum(this, o);
  },
  minimum(this: Tensor, o: Tensor) {
    return minimum(this, o);
  },
  remainder(this: Tensor, o: TensorLike) {
    return remainder(this, o);
  },
  fmod(this: Tensor, o: TensorLike) {
    return fmod(this, o);
  },
  floorDivide(this: Tensor, o: TensorLike) {
    return floorDivide(this, o);
  },
  atan2(this: Tensor, o: Tensor) {
    return atan2(this, o);
  },
  neg(this: Tensor) {
    return neg(this);
  },
  abs(this: Tensor) {
    return abs(this);
  },
  exp(this: Tensor) {
    return exp(this);
  },
  log(this: Tensor) {
    return log(this);
  },
  log1p(this: Tensor) {
    return log1p(this);
  },
  expm1(this: Tensor) {
    return expm1(this);
  },
  sqrt(this: Tensor) {
    return sqrt(this);
  },
  rsqrt(this: Tensor) {
    return rsqrt(this);
  },
  sin(this: Tensor) {
    return sin(this);
  },
  cos(this: Tensor) {
    return cos(this);
  },
  tanh(this: Tensor) {
    return tanh(this);
  },
  sigmoid(this: Tensor) {
    return sigmoid(this);
  },
  relu(this: Tensor) {
    return relu(this);
  },
  sign(this: Tensor) {
    return sign(this);
  },
  floor(this: Tensor) {
    return isFloating(this.dtype) ? floor(this) : this.clone();
  },
  ceil(this: Tensor) {
    return isFloating(this.dtype) ? ceil(this) : this.clone();
  },
  round(this: Tensor) {
    return isFloating(this.dtype) ? round(this) : this.clone();
  },
  trunc(this: Tensor) {
    return isFloating(this.dtype) ? trunc(this) : this.clone();
  },
  reciprocal(this: Tensor) {
    return reciprocal(this);
  },
  square(this: Tensor) {
    return square(this);
  },
  erf(this: Tensor) {
    return erf(this);
  },
  logicalNot(this: Tensor) {
    return logicalNot(this);
  },
  isnan(this: Tensor) {
    return isnan(this);
  },
  isinf(this: Tensor) {
    return isinf(this);
  },
  eq(this: Tensor, o: TensorLike) {
    return eq(this, o);
  },
  ne(this: Tensor, o: TensorLike) {
    return ne(this, o);
  },
  lt(this: Tensor, o: TensorLike) {
    return lt(this, o);
  },
  le(this: Tensor, o: TensorLike) {
    return le(this, o);
  },
  gt(this: Tensor, o: TensorLike) {
    return gt(this, o);
  },
  ge(this: Tensor, o: TensorLike) {
    return ge(this, o);
  },
  logicalAnd(this: Tensor, o: TensorLike) {
    return logicalAnd(this, o);
  },
  logicalOr(this: Tensor, o: TensorLike) {
    return logicalOr(this, o);
  },
  logicalXor(this: Tensor, o: TensorLike) {
    return logicalXor(this, o);
  },
  maskedFill(this: Tensor, mask: Tensor, v: TensorLike) {
    return maskedFill(this, mask, v);
  },
  clamp(this: Tensor, min?: number | null, max?: number | null) {
    return clamp(this, min, max);
  },
  clip(this: Tensor, min?: number | null, max?: number | null) {
    return clamp(this, min, max);
  },
  where(this: Tensor, cond: Tensor, other: TensorLike) {
    return where(cond, this, other);
  },
};
