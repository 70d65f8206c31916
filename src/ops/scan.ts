/**
 * `cumprod`, the running product along one dim (the backend's `scan` routine), with PyTorch's
 * gradient that stays right when the input holds zeros (cumprod_backward). The backward is composed
 * from differentiable ops (cumsum, cumprod, where, prod, cat), so double backward works.
 */
import { defineOp } from '../autograd/function.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import type { OpCtx } from '../autograd/node.js';
import { routine } from '../backends/routine.js';
import { type DType, DTYPES, isFloating } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { onesLike } from '../tensor/factories.js';
import type { MethodTable } from '../tensor/methods.js';
import { type Tensor, normDim } from '../tensor/tensor.js';
import { checkOptions, describeValue, isPlainObject } from '../validate.js';
import { where } from './elementwise.js';
import { cat, stack } from './movement.js';
import { cumsum, prod } from './reduce.js';
import { flip } from './reorder.js';
import { checkTensor, viewOf } from './util.js';

/** The sum of `t` from each position to the end of `dim` (PyTorch's reversed_cumsum). */
function reversedCumsum(t: Tensor, dim: number): Tensor {
  return flip(cumsum(flip(t, [dim]), dim), [dim]);
}

/**
 * d(cumprod x)/dx applied to `gy`, as PyTorch's cumprod_backward computes it: without zeros,
 * reversed_cumsum(gy * y) / x; with zeros, per line, that formula before the first zero z, at z the
 * product of the elements before it times the sum over j >= z of gy_j * prod(x over (z, j]), and 0
 * after it (every output from z on holds the factor x_z = 0). That last 0 has a nonzero derivative
 * in x_z, so when the backward itself is recorded (createGraph) the zeros case takes the O(n^2)
 * formula PyTorch uses there: gx_k = sum over j >= k of gy_j * prod(x over [0, j] without k).
 */
function cumprodBackward(gy: Tensor, x: Tensor, y: Tensor, dim: number): Tensor {
  if (x.numel() <= 1 || x.shape[dim] === 1) return gy;
  const isZero = x.eq(0);
  const w = gy.mul(y);
  if (!isZero.any().item()) return reversedCumsum(w, dim).div(x);
  if (isGradEnabled()) return cumprodBackwardQuadratic(gy, x, dim);
  const zerosSoFar = cumsum(isZero, dim);
  const before = zerosSoFar.eq(0);
  const first = zerosSoFar.eq(1).logicalAnd(isZero);
  const fromFirst = zerosSoFar.ge(1);
  const gBefore = where(before, reversedCumsum(w, dim).div(where(before, x, 1)), 0);
  const head = prod(where(before, x, 1), dim, true);
  const tail = cumprod(where(fromFirst.logicalAnd(first.logicalNot()), x, 1), dim);
  const gFirst = where(first, head.mul(where(fromFirst, gy.mul(tail), 0).sum(dim, true)), 0);
  return gBefore.add(gFirst);
}

function cumprodBackwardQuadratic(gy: Tensor, x: Tensor, dim: number): Tensor {
  const n = x.shape[dim]!;
  const parts: Tensor[] = [];
  for (let k = 0; k < n; k++) {
    // the products of x over [0, j] without k, for j >= k
    const head = k === 0 ? onesLike(gy.narrow(dim, 0, 1)) : prod(x.narrow(dim, 0, k), dim, true);
    let omitted = head;
    if (k < n - 1) {
      const after = cumprod(x.narrow(dim, k + 1, n - k - 1), dim);
      omitted = cat([head, k === 0 ? after : after.mul(head)], dim);
    }
    parts.push(gy.narrow(dim, k, n - k).mul(omitted).sum(dim));
  }
  return stack(parts, dim);
}

const cumprodOp: (x: Tensor, dim: number) => Tensor = defineOp({
  name: 'cumprod',
  forward(ctx: OpCtx<{ dim: number }>, x: Tensor, dim: number) {
    const out = emptyTensor(x.shape, x.dtype);
    routine('scan')('cumprod', viewOf(x), dim, viewOf(out), { reverse: false, exclusive: false });
    ctx.save(x, out);
    ctx.dim = dim;
    return out;
  },
  backward(ctx, [gy]) {
    const [x, y] = ctx.saved as [Tensor, Tensor];
    if (x.dim() === 0) return [gy];
    return [cumprodBackward(gy!, x, y, ctx.dim)];
  },
});

function dtypeArg(dtype: unknown): DType | undefined {
  const d = isPlainObject(dtype) ? checkOptions<{ dtype?: unknown }>('cumprod()', dtype, ['dtype']).dtype : dtype;
  if (d === undefined || d === null) return undefined;
  if (!DTYPES.includes(d as DType)) throw new TypeError(`cumprod(): argument 'dtype' must be one of ${DTYPES.join(', ')}, got ${describeValue(d)}`);
  return d as DType;
}

/**
 * Running product along `dim`, like `torch.cumprod`. Integers and bools give int64 unless `dtype`
 * is set (given positionally or as `{ dtype }`). Differentiable, zeros included.
 * See https://pytorch.org/docs/1.13/generated/torch.cumprod.html
 * @example torch.cumprod(torch.tensor([1, 2, 3, 4]), 0) // tensor([ 1,  2,  6, 24])
 */
export function cumprod(x: Tensor, dim: number, dtype?: DType | { dtype?: DType }): Tensor {
  checkTensor('input', x);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`cumprod(): argument 'dim' must be int, got ${describeValue(dim)}`);
  const d = normDim(dim, x.dim());
  const out = dtypeArg(dtype) ?? (isFloating(x.dtype) ? x.dtype : 'int64');
  return cumprodOp(x.dtype === out ? x : x.to(out), d);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Running product along `dim`, like `Tensor.cumprod`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.cumprod.html
     * @example torch.tensor([1, 2, 3]).cumprod(0) // tensor([1, 2, 6])
     */
    cumprod(dim: number, opts?: { dtype?: DType }): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const scanMethods: MethodTable = {
  cumprod(this: Tensor, dim: number, opts?: { dtype?: DType }) {
    return cumprod(this, dim, opts);
  },
};
