/**
 * Reductions over dims with `keepdim`. Each op's backward sits next to its forward.
 */
import { defineOp } from '../autograd/function.js';
import { RuntimeError as RuntimeErrorLike } from '../errors.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor, contiguousStrides, normDim } from '../tensor/tensor.js';
import { backend, castRaw } from './util.js';

/** Normalised, sorted, distinct reduction dims (`undefined` or `[]` = all dims). */
export function reduceDims(x: Tensor, dim?: number | readonly number[] | null): number[] {
  if (dim === undefined || dim === null) return [...Array(x.dim()).keys()];
  const list = typeof dim === 'number' ? [dim] : dim;
  if (list.length === 0) return [...Array(x.dim()).keys()];
  const out = list.map((d) => normDim(d, x.dim()));
  const set = new Set(out);
  if (set.size !== out.length) {
    const dup = out.find((d, i) => out.indexOf(d) !== i)!;
    throw new RuntimeErrorLike(`dim ${dup} appears multiple times in the list of dims`);
  }
  return [...set].sort((a, b) => a - b);
}


/** Shape after reducing `dims` (kept as size 1 with keepdim). */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (dims.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(s);
  });
  return out;
}

/** Runs a reduction kernel; returns the reduced tensor in `dtype` with keepdim applied. */
export function runReduce(op: 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all', x: Tensor, dims: number[], keepdim: boolean, dtype: DType): Tensor {
  const src = x.dtype === dtype || op === 'any' || op === 'all' ? x : castRaw(x, dtype);
  const out = emptyTensor(reducedShape(x.shape, dims, false), dtype);
  backend().reduce(op, src, dims, out);
  if (!keepdim) return out;
  const ks = reducedShape(x.shape, dims, true);
  return new Tensor(out.storage, ks, contiguousStrides(ks), 0, dtype);
}

/** Expands a reduced gradient back over the reduced dims. */
export function expandReduced(gy: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  const g = keepdim ? gy : gy.reshape(reducedShape(inShape, dims, true));
  return g.expand(inShape);
}

const sumOp = defineOp({
  name: 'sum',
  forward(ctx, x: Tensor, dims: number[], keepdim: boolean, dtype: DType) {
    ctx.inShape = x.shape;
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    return runReduce('sum', x, dims, keepdim, dtype);
  },
  backward(ctx, [gy]) {
    return [expandReduced(gy!, ctx.inShape as number[], ctx.dims as number[], ctx.keepdim as boolean)];
  },
});

/** Sum over `dim` (all dims when omitted), like `torch.sum`. Integers and bools sum to int64. */
export function sum(x: Tensor, dim?: number | readonly number[] | null, keepdim = false, dtype?: DType): Tensor {
  const dims = reduceDims(x, dim);
  const out = dtype ?? (isFloating(x.dtype) ? x.dtype : 'int64');
  return sumOp(x, dims, keepdim, out);
}

const meanOp = defineOp({
  name: 'mean',
  forward(ctx, x: Tensor, dims: number[], keepdim: boolean) {
    let n = 1;
    for (const d of dims) n *= x.shape[d]!;
    ctx.inShape = x.shape;
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    ctx.n = n;
    const s = runReduce('sum', x, dims, keepdim, x.dtype);
    const d = s.storage.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! / n;
    return s;
  },
  backward(ctx, [gy]) {
    return [expandReduced(gy!.div(ctx.n as number), ctx.inShape as number[], ctx.dims as number[], ctx.keepdim as boolean)];
  },
});

/** Mean over `dim` (all dims when omitted), like `torch.mean`. Floating inputs only. */
export function mean(x: Tensor, dim?: number | readonly number[] | null, keepdim = false, dtype?: DType): Tensor {
  const src = dtype && dtype !== x.dtype ? x.to(dtype) : x;
  if (!isFloating(src.dtype)) {
    throw new RuntimeErrorLike(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${{ int64: 'Long', int32: 'Int', bool: 'Bool', float32: 'Float', float64: 'Double' }[src.dtype]}`,
    );
  }
  return meanOp(src, reduceDims(src, dim), keepdim);
}

// ---------------------------------------------------------------- methods

import { installMethods } from './install.js';

type Dims = number | readonly number[] | null;

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Sum over dims (all when omitted), like `Tensor.sum`. */
    sum(dim?: Dims, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
    /** Mean over dims (all when omitted), like `Tensor.mean`. */
    mean(dim?: Dims, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
  }
}

installMethods({
  sum(this: Tensor, dim?: Dims, keepdim = false, opts?: { dtype?: DType }) {
    return sum(this, dim, keepdim, opts?.dtype);
  },
  mean(this: Tensor, dim?: Dims, keepdim = false, opts?: { dtype?: DType }) {
    return mean(this, dim, keepdim, opts?.dtype);
  },
});
