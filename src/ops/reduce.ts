/**
 * Reductions over dims with `keepdim` (sum, mean, prod, max/min, amax/amin, argmax/argmin, std/var,
 * logsumexp, norm, any/all) and the scan `cumsum`. Each op's backward sits next to its forward.
 * Backwards are composed from differentiable ops, so double backward works, except where a comment
 * says otherwise.
 */
import { routine } from '../backends/routine.js';
import { defineOp, notDifferentiable } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { IndexError, NotImplementedError, RuntimeError as RuntimeErrorLike, ValueError } from '../errors.js';
import { type DType, DTYPES, isFloating, scalarTypeName } from '../tensor/dtype.js';
import { emptyTensor, scalarTensor, wrapArray } from '../tensor/create.js';
import { Tensor, contiguousStrides, normDim } from '../tensor/tensor.js';
import { backend, broadcastView, castRaw, checkTensor, rawContiguous, viewOf, backendOf, onDevice } from './util.js';
import { dimPositions } from './indexing.js';
import { checkOptions, describeValue } from '../validate.js';

/** The `{ dtype }` options object of a reduction method. */
function dtypeOpt(fn: string, opts: unknown): DType | undefined {
  return checkOptions<{ dtype?: DType }>(fn, opts, ['dtype']).dtype;
}
import { where } from './elementwise.js';
import { type ValuesIndices, valuesIndices } from './return-types.js';

/** Dims of a reduction: one dim, a list, or null/undefined for all. */
export type Dims = number | readonly number[] | null;

// ---------------------------------------------------------------- shared helpers

/** Normalised, sorted, distinct reduction dims (`undefined`, `null` or `[]` = all dims). */
export function reduceDims(x: Tensor, dim?: Dims): number[] {
  if (dim === undefined || dim === null) return [...Array(x.dim()).keys()];
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TypeError(`dim must be an int, a list of ints or null, got ${describeValue(dim)}`);
  }
  const list = typeof dim === 'number' ? [dim] : dim;
  if (list.length === 0) return [...Array(x.dim()).keys()];
  const out = list.map((d) => normDim(d, x.dim()));
  if (x.dim() === 0) return []; // a 0-d tensor accepts dim 0 / -1 and reduces nothing
  const set = new Set(out);
  if (set.size !== out.length) {
    const dup = out.find((d, i) => out.indexOf(d) !== i)!;
    throw new RuntimeErrorLike(`dim ${dup} appears multiple times in the list of dims`);
  }
  return [...set].sort((a, b) => a - b);
}

/** One dim for ops that take exactly one (`max(dim)`, `cumsum`, ...); validates untyped input. */
function oneDim(x: Tensor, dim: unknown, name: string): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TypeError(`${name}(): argument 'dim' must be int, got ${describeValue(dim)}`);
  }
  return normDim(dim, x.dim());
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
  const out = emptyTensor(reducedShape(x.shape, dims, false), dtype, x.storage.device);
  backendOf(x).reduce(op, viewOf(src), dims, viewOf(out));
  if (!keepdim) return out;
  return reshapeRaw(out, reducedShape(x.shape, dims, true));
}

/** A contiguous tensor seen with another shape of the same numel (no autograd). */
function reshapeRaw(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(t.storage, shape, contiguousStrides(shape), t.offset, t.dtype);
}

/** Expands a reduced gradient back over the reduced dims. */
export function expandReduced(gy: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  return keepDims(gy, inShape, dims, keepdim).expand(inShape);
}

/** A reduced tensor with the reduced dims present as size 1 (so it broadcasts against the input). */
function keepDims(t: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  return keepdim ? t : t.reshape(reducedShape(inShape, dims, true));
}

/** Number of elements a reduction over `dims` folds into each output. */
function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

/**
 * `t /= n` in place (a contiguous float tensor; no autograd). The divisor is a float64 scalar, so
 * it is exact for any count and each quotient is rounded once into t's dtype.
 */
function divRaw(t: Tensor, n: number): void {
  const s = onDevice(scalarTensor(n, 'float64'), t.storage.device);
  backendOf(t).binary('div', viewOf(t), broadcastView(viewOf(s), t.shape), viewOf(t));
}

/** `t = t ** p` in place (a contiguous float tensor; no autograd), `Math.pow` per element. */
function powRaw(t: Tensor, p: number): void {
  const s = onDevice(scalarTensor(p, 'float64'), t.storage.device);
  backendOf(t).binary('pow', viewOf(t), broadcastView(viewOf(s), t.shape), viewOf(t));
}


function checkDType(dtype: unknown): DType | undefined {
  if (dtype === undefined || dtype === null) return undefined;
  if (!DTYPES.includes(dtype as DType)) throw new TypeError(`dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  return dtype as DType;
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof v}`);
  return v;
}

/** A bool mask of the NaNs of x. */
function nanMask(x: Tensor): Tensor {
  return x.ne(x);
}

/** sign(x) with sign(NaN) = 0, PyTorch's `sgn` on real tensors. */
function sgn(x: Tensor): Tensor {
  return x.sign().maskedFill(nanMask(x), 0);
}

/** What a reduction's backward needs: the reduced dims and whether they were kept. */
interface ReduceState {
  dims: number[];
  keepdim: boolean;
}

/** A reduction's state plus the input's shape, for ops that do not save the input itself. */
interface ReduceShapeState extends ReduceState {
  inShape: readonly number[];
}

// ---------------------------------------------------------------- sum, mean

function defSum(nodeName: string) {
  return defineOp({
    name: 'sum',
    nodeName,
    forward(ctx: OpCtx<ReduceShapeState>, x: Tensor, dims: number[], keepdim: boolean, dtype: DType) {
      ctx.inShape = x.shape;
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      return runReduce('sum', x, dims, keepdim, dtype);
    },
    backward(ctx, [gy]) {
      return [expandReduced(gy!, ctx.inShape, ctx.dims, ctx.keepdim)];
    },
  });
}
const sumAll = defSum('SumBackward0');
const sumDim = defSum('SumBackward1');

/**
 * Sum over `dim` (all dims when omitted), like `torch.sum`. Integers and bools sum to int64.
 * See https://pytorch.org/docs/1.13/generated/torch.sum.html
 * @example torch.sum(x, [0, -1], true)
 */
export function sum(x: Tensor, dim?: Dims, keepdim = false, dtype?: DType): Tensor {
  checkTensor('input', x);
  checkBool('keepdim', keepdim);
  const dims = reduceDims(x, dim);
  const out = checkDType(dtype) ?? (isFloating(x.dtype) ? x.dtype : 'int64');
  return (dim === undefined || dim === null ? sumAll : sumDim)(x, dims, keepdim, out);
}

function defMean(nodeName: string) {
  return defineOp({
    name: 'mean',
    nodeName,
    forward(ctx: OpCtx<ReduceShapeState & { n: number }>, x: Tensor, dims: number[], keepdim: boolean) {
      const n = reducedCount(x.shape, dims);
      ctx.inShape = x.shape;
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      ctx.n = n;
      const s = runReduce('sum', x, dims, keepdim, x.dtype);
      divRaw(s, n);
      return s;
    },
    backward(ctx, [gy]) {
      return [expandReduced(gy!.div(ctx.n), ctx.inShape, ctx.dims, ctx.keepdim)];
    },
  });
}
const meanAll = defMean('MeanBackward0');
const meanDim = defMean('MeanBackward1');

/**
 * Mean over `dim` (all dims when omitted), like `torch.mean`. Floating inputs only.
 * See https://pytorch.org/docs/1.13/generated/torch.mean.html
 * @example x.mean(-1, true)
 */
export function mean(x: Tensor, dim?: Dims, keepdim = false, dtype?: DType): Tensor {
  checkTensor('input', x);
  checkBool('keepdim', keepdim);
  const dt = checkDType(dtype);
  const src = dt && dt !== x.dtype ? x.to(dt) : x;
  if (!isFloating(src.dtype)) {
    throw new RuntimeErrorLike(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(src.dtype)}`,
    );
  }
  return (dim === undefined || dim === null ? meanAll : meanDim)(src, reduceDims(src, dim), keepdim);
}

// ---------------------------------------------------------------- prod

/**
 * Product of all the other elements along `dim`: exclusive prefix product times exclusive suffix
 * product, PyTorch's `prod_safe_zeros_backward`. Correct with zeros (and inf) in the row.
 * Deviation: not differentiable itself, so double backward of `prod` over an input with zeros
 * raises (PyTorch composes it from cumprod).
 */
const othersProduct = defineOp({
  name: 'prod_safe_zeros_backward',
  forward(_ctx, x: Tensor, dim: number) {
    const scan = routine('scan');
    const before = emptyTensor(x.shape, x.dtype);
    const after = emptyTensor(x.shape, x.dtype);
    scan('cumprod', viewOf(x), dim, viewOf(before), { reverse: false, exclusive: true });
    scan('cumprod', viewOf(x), dim, viewOf(after), { reverse: true, exclusive: true });
    const out = emptyTensor(x.shape, x.dtype);
    backend().binary('mul', viewOf(before), viewOf(after), viewOf(out));
    return out;
  },
  backward: notDifferentiable('prod_safe_zeros_backward'),
});

function countZeros(x: Tensor): number {
  const zero = emptyTensor(x.shape, 'bool');
  backend().binary('eq', viewOf(x), broadcastView(viewOf(scalarTensor(0, x.dtype)), x.shape), viewOf(zero));
  return runReduce('sum', zero, reduceDims(zero), false, 'int64').item();
}

function defProd(nodeName: string) {
  return defineOp({
    name: 'prod',
    nodeName,
    forward(ctx: OpCtx<ReduceState>, x: Tensor, dims: number[], keepdim: boolean) {
      const y = runReduce('prod', x, dims, keepdim, x.dtype);
      ctx.save(x, y);
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      return y;
    },
    backward(ctx, [gy]) {
      const [x, y] = ctx.saved as [Tensor, Tensor];
      if (x.dim() === 0) return [gy];
      const dims = ctx.dims;
      const full = nodeName === 'ProdBackward0';
      const g = keepDims(gy!, x.shape, dims, ctx.keepdim);
      const zeros = countZeros(x);
      // PyTorch parity: without zeros the gradient is result / input (inf / inf gives NaN there too).
      if (zeros === 0) return [g.mul(keepDims(y, x.shape, dims, ctx.keepdim).div(x))];
      if (full) {
        if (zeros > 1 && !isGradEnabled()) return [emptyTensor(x.shape, x.dtype)];
        return [g.mul(othersProduct(x.reshape(-1), 0).reshape(x.shape))];
      }
      return [g.mul(othersProduct(x, dims[0]!))];
    },
  });
}
const prodAll = defProd('ProdBackward0');
const prodDim = defProd('ProdBackward1');

/**
 * Product over one dim (all elements when omitted), like `torch.prod`. Integers and bools give int64.
 * The gradient is right with one zero (the product of the others) and with several zeros (0).
 * See https://pytorch.org/docs/1.13/generated/torch.prod.html
 * @example torch.prod(x, 1, true)
 */
export function prod(x: Tensor, dim?: number | null, keepdim = false, dtype?: DType): Tensor {
  checkTensor('input', x);
  checkBool('keepdim', keepdim);
  const out = checkDType(dtype) ?? (isFloating(x.dtype) ? x.dtype : 'int64');
  const src = x.dtype === out ? x : x.to(out);
  if (dim === undefined || dim === null) return prodAll(src, reduceDims(src), keepdim);
  const d = oneDim(x, dim, 'prod');
  return prodDim(src, x.dim() === 0 ? [] : [d], keepdim);
}

// ---------------------------------------------------------------- max, min (full and along a dim)

function checkNumelForFull(x: Tensor, name: string): void {
  if (x.numel() === 0) {
    throw new RuntimeErrorLike(
      `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
    );
  }
}

/**
 * PyTorch's evenly_distribute_backward: the gradient of a full max/min is shared evenly among the
 * elements equal to the result (among the NaNs when the result is NaN).
 */
function evenlyDistribute(gy: Tensor, x: Tensor, y: Tensor): Tensor {
  const mask = Number.isNaN(y.item()) ? nanMask(x) : x.eq(y);
  return where(mask, gy.div(mask.sum()), 0);
}

function defMaxAll(isMax: boolean) {
  return defineOp({
    name: isMax ? 'max' : 'min',
    nodeName: isMax ? 'MaxBackward1' : 'MinBackward1',
    forward(ctx, x: Tensor) {
      const y = runReduce(isMax ? 'max' : 'min', x, reduceDims(x), false, x.dtype);
      ctx.save(x, y);
      return y;
    },
    backward(ctx, [gy]) {
      const [x, y] = ctx.saved as [Tensor, Tensor];
      return [evenlyDistribute(gy!, x, y)];
    },
  });
}
const maxAll = defMaxAll(true);
const minAll = defMaxAll(false);

/** The int64 positions in a contiguous tensor of `shape` that `indices` (keepdim-shaped) picks along `dim`. */
function alongPositions(shape: readonly number[], dim: number, indices: Tensor): Tensor {
  return wrapArray(dimPositions(shape, dim, indices), indices.shape, 'int64');
}

/**
 * value_selecting_reduction_backward: zeros of `inShape` with g (keepdim-shaped) written at the
 * positions `indices` picks along `dim`. Its backward gathers at the same positions.
 */
export const scatterAlong: (g: Tensor, indices: Tensor, dim: number, inShape: readonly number[]) => Tensor = defineOp({
  name: 'value_selecting_reduction_backward',
  forward(ctx: OpCtx<{ dim: number }>, g: Tensor, indices: Tensor, dim: number, inShape: readonly number[]) {
    ctx.save(indices);
    ctx.dim = dim;
    const out = emptyTensor(inShape, g.dtype);
    routine('put')(viewOf(out), viewOf(alongPositions(inShape, dim, indices)), viewOf(rawContiguous(g)), false);
    return out;
  },
  backward(ctx, [gg]) {
    const [indices] = ctx.saved as [Tensor];
    return [gatherAlong(gg!, indices, ctx.dim), null];
  },
});

/** The values of `src` at the positions `indices` (keepdim-shaped) picks along `dim`. */
const gatherAlong: (src: Tensor, indices: Tensor, dim: number) => Tensor = defineOp({
  name: 'gather',
  forward(ctx: OpCtx<{ dim: number; inShape: readonly number[] }>, src: Tensor, indices: Tensor, dim: number) {
    ctx.save(indices);
    ctx.dim = dim;
    ctx.inShape = src.shape;
    const out = emptyTensor(indices.shape, src.dtype);
    routine('take')(viewOf(rawContiguous(src)), viewOf(alongPositions(src.shape, dim, indices)), viewOf(out));
    return out;
  },
  backward(ctx, [gy]) {
    const [indices] = ctx.saved as [Tensor];
    return [scatterAlong(gy!, indices, ctx.dim, ctx.inShape), null];
  },
});

function defMaxDim(isMax: boolean) {
  return defineOp({
    name: isMax ? 'max' : 'min',
    nodeName: isMax ? 'MaxBackward0' : 'MinBackward0',
    forward(ctx: OpCtx<ReduceShapeState>, x: Tensor, dims: number[], keepdim: boolean): Tensor[] {
      const values = runReduce(isMax ? 'max' : 'min', x, dims, keepdim, x.dtype);
      const idx = emptyTensor(reducedShape(x.shape, dims, false), 'int64');
      backend().reduce(isMax ? 'argmax' : 'argmin', viewOf(x), dims, viewOf(idx));
      const indices = keepdim ? reshapeRaw(idx, reducedShape(x.shape, dims, true)) : idx;
      ctx.save(indices);
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      ctx.inShape = x.shape;
      return [values, indices];
    },
    backward(ctx, [gy]) {
      if (!gy) return [null];
      const [indices] = ctx.saved as [Tensor];
      const { dims, inShape } = ctx;
      if (dims.length === 0) return [gy]; // 0-d input: the value is the element
      const keep = reducedShape(inShape, dims, true);
      const k = ctx.keepdim;
      return [scatterAlong(k ? gy : gy.reshape(keep), k ? indices : reshapeRaw(indices, keep), dims[0]!, inShape)];
    },
  });
}
const maxDim = defMaxDim(true);
const minDim = defMaxDim(false);

function maxMin(isMax: boolean, x: Tensor, dimOrOther?: number | Tensor | null, keepdim = false): Tensor | ValuesIndices {
  checkTensor('input', x);
  const name = isMax ? 'max' : 'min';
  if (dimOrOther instanceof Tensor) return isMax ? x.maximum(dimOrOther) : x.minimum(dimOrOther);
  if (dimOrOther === undefined || dimOrOther === null) {
    checkNumelForFull(x, name);
    return (isMax ? maxAll : minAll)(x);
  }
  const d = oneDim(x, dimOrOther, name);
  checkBool('keepdim', keepdim);
  if (x.dim() > 0 && x.shape[d] === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  const [values, indices] = (isMax ? maxDim : minDim)(x, x.dim() === 0 ? [] : [d], keepdim);
  return valuesIndices(values!, indices!);
}

/**
 * `max(x)`: the largest element as a 0-d tensor (NaN if any element is NaN; the gradient is shared
 * evenly among ties). `max(x, dim, keepdim?)`: `[values, indices]` along `dim` (indices int64, first
 * occurrence, a NaN wins; the gradient flows to the indexed elements). `max(x, other)`: `maximum`.
 * See https://pytorch.org/docs/1.13/generated/torch.max.html
 * @example const [values, indices] = torch.max(logits, 1);
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dimOrOther?: number | Tensor | null, keepdim = false): Tensor | ValuesIndices {
  return maxMin(true, x, dimOrOther, keepdim);
}

/**
 * `min(x)`, `min(x, dim, keepdim?)` -> `[values, indices]`, `min(x, other)`: like `max`.
 * See https://pytorch.org/docs/1.13/generated/torch.min.html
 * @example const [values, indices] = torch.min(x, -1, true);
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dimOrOther?: number | Tensor | null, keepdim = false): Tensor | ValuesIndices {
  return maxMin(false, x, dimOrOther, keepdim);
}

// ---------------------------------------------------------------- amax, amin

function defAmax(isMax: boolean) {
  return defineOp({
    name: isMax ? 'amax' : 'amin',
    forward(ctx: OpCtx<ReduceState>, x: Tensor, dims: number[], keepdim: boolean) {
      const y = runReduce(isMax ? 'max' : 'min', x, dims, keepdim, x.dtype);
      ctx.save(x, y);
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      return y;
    },
    backward(ctx, [gy]) {
      const [x, y] = ctx.saved as [Tensor, Tensor];
      const { dims, keepdim: k } = ctx;
      // PyTorch's scale_grad_by_count: ties share the gradient; a NaN result gives NaN gradients.
      const mask = x.eq(keepDims(y, x.shape, dims, k));
      return [keepDims(gy!, x.shape, dims, k).div(mask.sum(dims, true)).mul(mask)];
    },
  });
}
const amaxOp = defAmax(true);
const aminOp = defAmax(false);

function amaxAmin(isMax: boolean, x: Tensor, dim: Dims | undefined, keepdim: boolean): Tensor {
  checkTensor('input', x);
  const name = isMax ? 'amax' : 'amin';
  const list = dim === undefined || dim === null ? [] : typeof dim === 'number' ? [dim] : dim;
  const dims = reduceDims(x, list);
  checkBool('keepdim', keepdim);
  if (list.length === 0) checkNumelForFull(x, name);
  else if (x.dim() > 0) {
    for (const d of list) {
      // PyTorch parity: the message shows the dim as given (possibly negative).
      if (x.shape[normDim(d, x.dim())] === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
    }
  }
  return (isMax ? amaxOp : aminOp)(x, dims, keepdim);
}

/**
 * Maximum over one or more dims (all when omitted), like `torch.amax`. Ties share the gradient evenly.
 * See https://pytorch.org/docs/1.13/generated/torch.amax.html
 * @example x.amax([0, 1], true)
 */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return amaxAmin(true, x, dim, keepdim);
}

/**
 * Minimum over one or more dims (all when omitted), like `torch.amin`.
 * See https://pytorch.org/docs/1.13/generated/torch.amin.html
 * @example x.amin(-1)
 */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return amaxAmin(false, x, dim, keepdim);
}

// ---------------------------------------------------------------- argmax, argmin

function argMaxMin(isMax: boolean, x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkTensor('input', x);
  const name = isMax ? 'argmax' : 'argmin';
  checkBool('keepdim', keepdim);
  if (dim === undefined || dim === null) {
    if (x.dtype === 'bool') throw new RuntimeErrorLike(`"${name}_cpu" not implemented for 'Bool'`);
    if (x.numel() === 0) throw new IndexError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const src = x.isContiguous() ? x : castRaw(x, x.dtype);
    const out = emptyTensor([], 'int64');
    backend().reduce(isMax ? 'argmax' : 'argmin', viewOf(src), reduceDims(x), viewOf(out));
    return keepdim ? reshapeRaw(out, x.shape.map(() => 1)) : out;
  }
  const d = oneDim(x, dim, name);
  if (x.dtype === 'bool') throw new RuntimeErrorLike(`"${name}_cpu" not implemented for 'Bool'`);
  if (x.dim() > 0 && x.shape[d] === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  const dims = x.dim() === 0 ? [] : [d];
  const out = emptyTensor(reducedShape(x.shape, dims, false), 'int64');
  backend().reduce(isMax ? 'argmax' : 'argmin', viewOf(x), dims, viewOf(out));
  return keepdim ? reshapeRaw(out, reducedShape(x.shape, dims, true)) : out;
}

/**
 * Index of the largest element along `dim` (of the flattened tensor when omitted), like
 * `torch.argmax`: first occurrence; a NaN counts as the largest.
 * See https://pytorch.org/docs/1.13/generated/torch.argmax.html
 * @example logits.argmax(-1)
 */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argMaxMin(true, x, dim, keepdim);
}

/**
 * Index of the smallest element along `dim` (of the flattened tensor when omitted), like `torch.argmin`.
 * See https://pytorch.org/docs/1.13/generated/torch.argmin.html
 * @example x.argmin(0)
 */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argMaxMin(false, x, dim, keepdim);
}

// ---------------------------------------------------------------- std, var

/** Keyword arguments of `std` / `var`: `correction` (default 1) or the legacy `unbiased`. */
export interface VarOptions {
  /** Subtracted from the element count in the divisor (Bessel's correction is 1). */
  correction?: number;
  /** `true` is correction 1, `false` is correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

function isOptions(v: unknown): v is VarOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/** Resolves PyTorch's std/var overloads: (opts), (unbiased), (dim, opts), (dim, unbiased, keepdim). */
function varArgs(name: string, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean): { dim: Dims; correction: number; keepdim: boolean } {
  let dim: Dims = null;
  let o: VarOptions = {};
  if (typeof a === 'boolean') o = { unbiased: a };
  else if (isOptions(a)) o = a;
  else {
    dim = a ?? null;
    if (typeof b === 'boolean') o = { unbiased: b, keepdim: c };
    else if (isOptions(b)) o = b;
    else if (b !== undefined && b !== null) throw new TypeError(`${name}(): expected an options object or a boolean unbiased, got ${describeValue(b)}`);
  }
  checkOptions(`${name}()`, o, ['unbiased', 'correction', 'keepdim']);
  if (o.correction !== undefined && o.correction !== null && o.unbiased !== undefined && o.unbiased !== null) {
    throw new TypeError(`${name}(): pass either correction or unbiased, not both`);
  }
  let correction = 1;
  if (o.correction !== undefined && o.correction !== null) {
    if (typeof o.correction !== 'number' || !Number.isInteger(o.correction)) {
      throw new TypeError(`${name}(): argument 'correction' must be int, got ${describeValue(o.correction)}`);
    }
    correction = o.correction;
  } else if (o.unbiased !== undefined && o.unbiased !== null) correction = checkBool('unbiased', o.unbiased) ? 1 : 0;
  const keepdim = o.keepdim === undefined || o.keepdim === null ? false : checkBool('keepdim', o.keepdim);
  return { dim, correction, keepdim };
}

/**
 * Two-pass variance in float64 (PyTorch's CPU kernel accumulates floats in double too):
 * m2 = sum((x - mean)^2), var = m2 / max(0, n - correction), std = sqrt(var).
 */
function varForward(x: Tensor, dims: number[], correction: number, keepdim: boolean, takeSqrt: boolean): Tensor {
  const x64 = castRaw(x, 'float64');
  const n = reducedCount(x.shape, dims);
  const b = backend();
  const mu = runReduce('sum', x64, dims, true, 'float64');
  divRaw(mu, n);
  const dev = emptyTensor(x.shape, 'float64');
  b.binary('sub', viewOf(x64), broadcastView(viewOf(mu), x.shape), viewOf(dev));
  b.unary('square', viewOf(dev), viewOf(dev));
  const m2 = runReduce('sum', dev, dims, keepdim, 'float64');
  divRaw(m2, Math.max(0, n - correction));
  if (takeSqrt) b.unary('sqrt', viewOf(m2), viewOf(m2));
  return x.dtype === 'float64' ? m2 : castRaw(m2, x.dtype);
}

/** PyTorch's var_backward: (2 / (n - correction)) * grad * (x - mean), grad with kept dims. */
function varBackward(g: Tensor, x: Tensor, dims: number[], correction: number): Tensor {
  const dof = reducedCount(x.shape, dims) - correction;
  // PyTorch parity: a 0-d input with n == correction gets grad * inf.
  if (x.dim() === 0 && dof === 0) return g.mul(Infinity);
  // Deviation: PyTorch 1.13 fails ("invalid gradient ... got []") for a full reduction of an n-d
  // input with n == correction; we use the same formula as when all dims are listed.
  return g.mul(2 / dof).mul(x.sub(x.mean(dims, true)));
}

function defVar(isStd: boolean) {
  return defineOp({
    name: isStd ? 'std' : 'var',
    forward(ctx: OpCtx<ReduceState & { correction: number }>, x: Tensor, dims: number[], correction: number, keepdim: boolean) {
      const y = varForward(x, dims, correction, keepdim, isStd);
      ctx.save(x, y);
      ctx.dims = dims;
      ctx.correction = correction;
      ctx.keepdim = keepdim;
      return y;
    },
    backward(ctx, [gy]) {
      const [x, y] = ctx.saved as [Tensor, Tensor];
      const { dims, keepdim: k } = ctx;
      let g = keepDims(gy!, x.shape, dims, k);
      if (isStd) {
        // std_backward: grad / (2 std), 0 where std == 0
        const r = keepDims(y, x.shape, dims, k);
        g = g.div(r.mul(2)).maskedFill(r.eq(0), 0);
      }
      return [varBackward(g, x, dims, ctx.correction)];
    },
  });
}
const stdOp = defVar(true);
const varOp = defVar(false);

function stdVar(isStd: boolean, x: Tensor, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean): Tensor {
  checkTensor('input', x);
  const name = isStd ? 'std' : 'var';
  const { dim, correction, keepdim } = varArgs(name, a, b, c);
  if (!isFloating(x.dtype)) throw new RuntimeErrorLike('std and var only support floating point and complex dtypes');
  return (isStd ? stdOp : varOp)(x, reduceDims(x, dim), correction, keepdim);
}

/**
 * Standard deviation over `dim` (all dims when omitted), like `torch.std`: divisor
 * `max(0, n - correction)`, correction 1 by default (`unbiased: false` is correction 0).
 * See https://pytorch.org/docs/1.13/generated/torch.std.html
 * @example x.std(1, { correction: 0, keepdim: true }); x.std(0, false, true); x.std({ unbiased: false })
 */
export function std(x: Tensor, opts?: VarOptions | boolean): Tensor;
export function std(x: Tensor, dim: Dims | undefined, opts?: VarOptions): Tensor;
export function std(x: Tensor, dim: Dims | undefined, unbiased: boolean, keepdim?: boolean): Tensor;
export function std(x: Tensor, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean): Tensor {
  return stdVar(true, x, a, b, c);
}

/**
 * Variance over `dim` (all dims when omitted), like `torch.var` (exported as `var`); options as `std`.
 * See https://pytorch.org/docs/1.13/generated/torch.var.html
 * @example torch.var(x, [0, 1], { correction: 0 })
 */
export function variance(x: Tensor, opts?: VarOptions | boolean): Tensor;
export function variance(x: Tensor, dim: Dims | undefined, opts?: VarOptions): Tensor;
export function variance(x: Tensor, dim: Dims | undefined, unbiased: boolean, keepdim?: boolean): Tensor;
export function variance(x: Tensor, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean): Tensor {
  return stdVar(false, x, a, b, c);
}
export { variance as var };

// ---------------------------------------------------------------- logsumexp

const logsumexpOp = defineOp({
  name: 'logsumexp',
  forward(ctx: OpCtx<ReduceState>, x: Tensor, dims: number[], keepdim: boolean) {
    let y: Tensor;
    if (x.numel() === 0) {
      y = x.exp().sum(dims, keepdim).log();
    } else {
      // log(sum(exp(x - m))) + m with m the row max; an infinite m is replaced by 0 (PyTorch does
      // the same) so that rows of -inf give -inf and a +inf gives +inf instead of NaN.
      const m = runReduce('max', x, dims, true, x.dtype);
      const inf = emptyTensor(m.shape, 'bool');
      backend().unary('isinf', viewOf(m), viewOf(inf));
      backend().where(viewOf(inf), broadcastView(viewOf(scalarTensor(0, m.dtype)), m.shape), viewOf(m), viewOf(m));
      y = x.sub(m).exp().sum(dims, keepdim).log().add(keepdim ? m : reshapeRaw(m, reducedShape(x.shape, dims, false)));
    }
    ctx.save(x, y);
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    return y;
  },
  backward(ctx, [gy]) {
    const [x, y] = ctx.saved as [Tensor, Tensor];
    const { dims, keepdim: k } = ctx;
    return [keepDims(gy!, x.shape, dims, k).mul(x.sub(keepDims(y, x.shape, dims, k)).exp())];
  },
});

/**
 * log(sum(exp(x))) over `dim` (an int or a list), computed stably, like `torch.logsumexp`.
 * Integer and bool inputs give float32.
 * See https://pytorch.org/docs/1.13/generated/torch.logsumexp.html
 * @example torch.logsumexp(scores, -1)
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  checkTensor('input', x);
  if (dim === undefined || dim === null) throw new TypeError("logsumexp(): missing required argument 'dim' (an int or a list of ints)");
  checkBool('keepdim', keepdim);
  const dims = reduceDims(x, dim);
  if (typeof dim !== 'number' && dim.length === 0 && x.dim() > 0 && !keepdim) {
    // PyTorch parity: an empty dim list fails in 1.13 unless keepdim is set.
    throw new RuntimeErrorLike(`output with shape [] doesn't match the broadcast shape [${x.shape.map(() => 1).join(', ')}]`);
  }
  const src = isFloating(x.dtype) ? x : x.to('float32');
  return logsumexpOp(src, dims, keepdim);
}

// ---------------------------------------------------------------- norm

/** |x|^p summed (or max/min of |x| for p = +-inf) over dims, then the 1/p root. */
function vectorNorm(x: Tensor, p: number, dims: number[], keepdim: boolean): Tensor {
  const b = backend();
  const a = emptyTensor(x.shape, x.dtype);
  b.unary('abs', viewOf(x), viewOf(a));
  // Powers are taken in the input dtype, like PyTorch (float32 squares of 1e20 overflow there too).
  if (p === 2) b.unary('square', viewOf(a), viewOf(a));
  else if (p === 0) b.binary('ne', viewOf(a), broadcastView(viewOf(scalarTensor(0, x.dtype)), a.shape), viewOf(a));
  else if (p !== 1 && Number.isFinite(p)) powRaw(a, p);
  const op = p === Infinity ? 'max' : p === -Infinity ? 'min' : 'sum';
  const y = runReduce(op, a, dims, keepdim, x.dtype);
  if (reducedCount(x.shape, dims) === 0) routine('fill')({ out: y.storage.data, value: 0 }); // PyTorch parity: every norm of nothing is 0
  else if (p === 2) b.unary('sqrt', viewOf(y), viewOf(y));
  else if (p !== 1 && p !== 0 && Number.isFinite(p)) powRaw(y, 1 / p);
  return y;
}

function defNorm(nodeName: string) {
  return defineOp({
    name: 'norm',
    nodeName,
    forward(ctx: OpCtx<ReduceState & { p: number }>, x: Tensor, p: number, dims: number[], keepdim: boolean) {
      const y = vectorNorm(x, p, dims, keepdim);
      ctx.save(x, y);
      ctx.p = p;
      ctx.dims = dims;
      ctx.keepdim = keepdim;
      return y;
    },
    backward(ctx, [gy]) {
      const [x, y] = ctx.saved as [Tensor, Tensor];
      const { p, dims, keepdim: k } = ctx;
      if (p === 0) return [null]; // PyTorch: no gradient for the 0 "norm"
      const g = keepDims(gy!, x.shape, dims, k);
      const r = keepDims(y, x.shape, dims, k);
      // PyTorch's norm_backward, case by case.
      if (p === 1) return [sgn(x).mul(g)];
      if (p === 2) return [g.mul(x.div(r).maskedFill(r.eq(0), 0))];
      if (!Number.isFinite(p)) {
        const ax = x.abs();
        const mask = ax.eq(r).logicalOr(nanMask(ax));
        return [sgn(x).mul(g.div(mask.sum(dims, true)).mul(mask))];
      }
      if (p < 1) {
        const scaled = sgn(x).mul(x.abs().pow(p - 1).maskedFill(x.eq(0), 0));
        return [scaled.mul(g).mul(r.pow(1 - p))];
      }
      const scaled = p < 2 ? sgn(x).mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2));
      return [scaled.mul(g.div(r.pow(p - 1)).maskedFill(r.eq(0), 0))];
    },
  });
}
const normOp = defNorm('NormBackward1');
const normDtypeOp = defNorm('NormBackward3'); // the overload with dtype=

/**
 * Vector p-norm over `dim` (all dims when omitted), like `torch.norm` / `Tensor.norm` in PyTorch 1.13:
 * `p` is a number (including `Infinity`, `-Infinity` and 0) or `'fro'` (the default). `'fro'` over
 * two dims is `sqrt(sum(x * x))`, as in PyTorch (so its gradient at 0 is NaN, while p = 2 gives 0).
 * Deviation: `'nuc'` (nuclear norm) is not supported.
 * See https://pytorch.org/docs/1.13/generated/torch.norm.html
 * @example x.norm(2, -1, true)
 */
export function norm(x: Tensor, p: number | 'fro' | 'nuc' | null = 'fro', dim?: Dims, keepdim = false, dtype?: DType): Tensor {
  checkTensor('input', x);
  if (p === null) p = 2; // PyTorch: p=None is the 2-norm
  checkBool('keepdim', keepdim);
  const dt = checkDType(dtype);
  const list = dim === undefined || dim === null ? null : typeof dim === 'number' ? [dim] : dim;
  if (typeof p === 'string') {
    if (p === 'nuc') throw new NotImplementedError("norm(): p='nuc' (the nuclear norm) is not supported");
    if (p !== 'fro') throw new RuntimeErrorLike(`only valid string values are 'fro' and 'nuc', found ${p}`);
    if (dt) throw new ValueError('dtype argument is not supported in frobenius norm');
    if (list && list.length > 2) throw new RuntimeErrorLike(`Expected at most 2 dimensions, but got ${list.length} dimensions instead.`);
    if (list && list.length === 2) {
      const d0 = normDim(list[0]!, x.dim());
      const d1 = normDim(list[1]!, x.dim());
      if (d0 === d1) throw new RuntimeErrorLike(`Expected dims to be different, got [${list.join(', ')}] instead`);
      checkNormDType(x);
      return x.mul(x).sum([d0, d1], keepdim).sqrt();
    }
    p = 2;
  }
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`norm(): p must be a number, 'fro' or 'nuc', got ${String(p)}`);
  const src = dt ? x.to(dt) : x;
  checkNormDType(src);
  return (dt ? normDtypeOp : normOp)(src, p, reduceDims(src, list ?? []), keepdim);
}

function checkNormDType(x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new RuntimeErrorLike(`norm(): input dtype should be either floating point or complex. Got ${scalarTypeName(x.dtype)} instead.`);
  }
}

// ---------------------------------------------------------------- any, all

function anyAll(op: 'any' | 'all', x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkTensor('input', x);
  checkBool('keepdim', keepdim);
  let dims = reduceDims(x);
  if (dim !== undefined && dim !== null) {
    const d = oneDim(x, dim, op);
    dims = x.dim() === 0 ? [] : [d];
  }
  return runReduce(op, x, dims, keepdim, 'bool');
}

/**
 * True where any element along `dim` (of the whole tensor when omitted) is non-zero, like
 * `torch.any`. Always bool; NaN counts as true; an empty reduction is false.
 * See https://pytorch.org/docs/1.13/generated/torch.any.html
 * @example mask.any(1)
 */
export function any(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return anyAll('any', x, dim, keepdim);
}

/**
 * True where all elements along `dim` (of the whole tensor when omitted) are non-zero, like
 * `torch.all`. Always bool; an empty reduction is true.
 * See https://pytorch.org/docs/1.13/generated/torch.all.html
 * @example x.gt(0).all()
 */
export function all(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return anyAll('all', x, dim, keepdim);
}

// ---------------------------------------------------------------- cumsum

/** Running sum along dim; `reverse` sums from the end (the backward of the forward scan). */
const cumsumOp: (x: Tensor, dim: number, reverse: boolean) => Tensor = defineOp({
  name: 'cumsum',
  forward(ctx: OpCtx<{ dim: number; reverse: boolean }>, x: Tensor, dim: number, reverse: boolean) {
    const out = emptyTensor(x.shape, x.dtype);
    routine('scan')('cumsum', viewOf(x), dim, viewOf(out), { reverse, exclusive: false });
    ctx.dim = dim;
    ctx.reverse = reverse;
    return out;
  },
  backward(ctx, [gy]) {
    return [cumsumOp(gy!, ctx.dim, !ctx.reverse)];
  },
});

/**
 * Running sum along `dim`, like `torch.cumsum`. Integers and bools give int64 unless `dtype` is set.
 * See https://pytorch.org/docs/1.13/generated/torch.cumsum.html
 * @example torch.cumsum(x, 0)
 */
export function cumsum(x: Tensor, dim: number, dtype?: DType): Tensor {
  checkTensor('input', x);
  const d = oneDim(x, dim, 'cumsum');
  const out = checkDType(dtype) ?? (isFloating(x.dtype) ? x.dtype : 'int64');
  const src = x.dtype === out ? x : x.to(out);
  return cumsumOp(src, d, false);
}

// ---------------------------------------------------------------- methods

import type { MethodTable } from '../tensor/methods.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Sum over dims (all when omitted), like `Tensor.sum`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sum.html
     * @example x.sum(); x.sum(1, true) // keepdim; x.sum([0, 1])
     */
    sum(dim?: Dims, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
    /**
     * Mean over dims (all when omitted), like `Tensor.mean`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mean.html
     * @example x.mean(-1, true)
     */
    mean(dim?: Dims, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
    /**
     * Product over one dim (all elements when omitted), like `Tensor.prod`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.prod.html
     * @example torch.tensor([1, 2, 3]).prod() // tensor(6)
     */
    prod(dim?: number | null, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
    /**
     * Largest element (0-d), like `Tensor.max()`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.max.html
     * @example x.max(); const [values, indices] = x.max(1); x.max(y) // element-wise
     */
    max(): Tensor;
    /** `[values, indices]` (also `.values` / `.indices`) of the largest elements along `dim`, like `Tensor.max(dim)`. */
    max(dim: number, keepdim?: boolean): ValuesIndices;
    /** Element-wise maximum, like `Tensor.max(other)`. */
    max(other: Tensor): Tensor;
    /**
     * Smallest element (0-d), like `Tensor.min()`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.min.html
     * @example const [values, indices] = x.min(-1, true);
     */
    min(): Tensor;
    /** `[values, indices]` (also `.values` / `.indices`) of the smallest elements along `dim`, like `Tensor.min(dim)`. */
    min(dim: number, keepdim?: boolean): ValuesIndices;
    /** Element-wise minimum, like `Tensor.min(other)`. */
    min(other: Tensor): Tensor;
    /**
     * Maximum over dims (all when omitted), like `Tensor.amax`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.amax.html
     * @example x.amax([0, 1])
     */
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    /**
     * Minimum over dims (all when omitted), like `Tensor.amin`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.amin.html
     * @example x.amin(1, true)
     */
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    /**
     * Index of the maximum along `dim` (flattened when omitted), like `Tensor.argmax`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.argmax.html
     * @example const pred = logits.argmax(1);
     */
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    /**
     * Index of the minimum along `dim` (flattened when omitted), like `Tensor.argmin`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.argmin.html
     * @example dists.argmin()
     */
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    /**
     * Standard deviation, like `Tensor.std`: `std(opts)`, `std(dim, opts)`, `std(dim, unbiased, keepdim)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.std.html
     * @example x.std(); x.std(0, { correction: 0, keepdim: true })
     */
    std(opts?: VarOptions | boolean): Tensor;
    std(dim: Dims | undefined, opts?: VarOptions): Tensor;
    std(dim: Dims | undefined, unbiased: boolean, keepdim?: boolean): Tensor;
    /**
     * Variance, like `Tensor.var`; arguments as `std`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.var.html
     * @example x.var(-1, false, true) // biased, keepdim
     */
    var(opts?: VarOptions | boolean): Tensor;
    var(dim: Dims | undefined, opts?: VarOptions): Tensor;
    var(dim: Dims | undefined, unbiased: boolean, keepdim?: boolean): Tensor;
    /**
     * log(sum(exp)) over dims, computed stably, like `Tensor.logsumexp`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.logsumexp.html
     * @example logits.logsumexp(1)
     */
    logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor;
    /**
     * Vector p-norm (default 'fro'), like `Tensor.norm`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.norm.html
     * @example g.norm(); x.norm(1, -1)
     */
    norm(p?: number | 'fro' | 'nuc' | null, dim?: Dims, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
    /**
     * Any non-zero (bool), like `Tensor.any`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.any.html
     * @example x.isnan().any().item()
     */
    any(dim?: number | null, keepdim?: boolean): Tensor;
    /**
     * All non-zero (bool), like `Tensor.all`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.all.html
     * @example x.ge(0).all(1)
     */
    all(dim?: number | null, keepdim?: boolean): Tensor;
    /**
     * Running sum along `dim`, like `Tensor.cumsum`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.cumsum.html
     * @example torch.tensor([1, 2, 3]).cumsum(0) // tensor([1, 3, 6])
     */
    cumsum(dim: number, opts?: { dtype?: DType }): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const reduceMethods: MethodTable = {
  sum(this: Tensor, dim?: Dims, keepdim = false, opts?: { dtype?: DType }) {
    return sum(this, dim, keepdim, dtypeOpt('sum()', opts));
  },
  mean(this: Tensor, dim?: Dims, keepdim = false, opts?: { dtype?: DType }) {
    return mean(this, dim, keepdim, dtypeOpt('mean()', opts));
  },
  prod(this: Tensor, dim?: number | null, keepdim = false, opts?: { dtype?: DType }) {
    return prod(this, dim, keepdim, dtypeOpt('prod()', opts));
  },
  max(this: Tensor, dimOrOther?: number | Tensor | null, keepdim = false) {
    return maxMin(true, this, dimOrOther, keepdim);
  },
  min(this: Tensor, dimOrOther?: number | Tensor | null, keepdim = false) {
    return maxMin(false, this, dimOrOther, keepdim);
  },
  amax(this: Tensor, dim?: Dims, keepdim = false) {
    return amax(this, dim, keepdim);
  },
  amin(this: Tensor, dim?: Dims, keepdim = false) {
    return amin(this, dim, keepdim);
  },
  argmax(this: Tensor, dim?: number | null, keepdim = false) {
    return argmax(this, dim, keepdim);
  },
  argmin(this: Tensor, dim?: number | null, keepdim = false) {
    return argmin(this, dim, keepdim);
  },
  std(this: Tensor, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean) {
    return stdVar(true, this, a, b, c);
  },
  var(this: Tensor, a?: Dims | VarOptions | boolean, b?: VarOptions | boolean, c?: boolean) {
    return stdVar(false, this, a, b, c);
  },
  logsumexp(this: Tensor, dim: number | readonly number[], keepdim = false) {
    return logsumexp(this, dim, keepdim);
  },
  norm(this: Tensor, p?: number | 'fro' | 'nuc' | null, dim?: Dims, keepdim = false, opts?: { dtype?: DType }) {
    return norm(this, p, dim, keepdim, dtypeOpt('norm()', opts));
  },
  any(this: Tensor, dim?: number | null, keepdim = false) {
    return any(this, dim, keepdim);
  },
  all(this: Tensor, dim?: number | null, keepdim = false) {
    return all(this, dim, keepdim);
  },
  cumsum(this: Tensor, dim: number, opts?: { dtype?: DType }) {
    return cumsum(this, dim, dtypeOpt('cumsum()', opts));
  },
};
