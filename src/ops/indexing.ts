/**
 * The indexing family: PyTorch's `x[...]` (`index`) and `x[...] = v` (`setIndex_`), gather /
 * scatter / scatter_add, index_select / index_add / index_fill, masked_select, nonzero / argwhere,
 * take / put, index_put, and tril / triu.
 *
 * Every op that moves elements computes here a list of row-major positions (validating the
 * indices with PyTorch's messages) and runs one of two autograd primitives: `take`
 * (out[i] = x[pos[i]]) or `put` (out = x; out[pos[i]] = src[i], or += with accumulate). Their
 * backwards are each other, so the gradients of the whole family, double backward included,
 * come from those two. Basic indexing (integers, slices, None, Ellipsis) never copies: it composes
 * the select / slice / unsqueeze views of movement.ts, which carry their own gradients.
 */
import { describeValue, isPlainObject } from '../validate.js';
import { warnOnce } from '../warnings.js';
import { routine } from '../backends/routine.js';
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { castValue, type DType, isFloating, scalarTypeName, type TypedArray } from '../tensor/dtype.js';
import { emptyTensor, scalarTensor, wrapArray } from '../tensor/create.js';
import { arange, tensor as makeTensor } from '../tensor/factories.js';
import { Tensor, contiguousStrides, normDim, shapeNumel } from '../tensor/tensor.js';
import { backend, broadcastShapes, broadcastView, checkInt, checkNumber, checkTensor, rawContiguous, viewOf } from './util.js';
import { castTo, expand, narrow, permute, reshape, select, slice, unsqueeze, view } from './movement.js';
import { applyInPlace } from './inplace.js';

// ---------------------------------------------------------------- helpers



function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** `t.size(d)`, treating a 0-d tensor as having size 1 everywhere (ATen's ensure_nonempty_size). */
function nonemptySize(t: Tensor, d: number): number {
  return t.dim() === 0 ? 1 : t.size(d);
}

/** `self.size(i)` of a shape, with ATen's errors for a dim past the end. */
function sizeAt(shape: readonly number[], i: number): number {
  if (shape.length === 0) throw new IndexError(`Dimension specified as ${i} but tensor has no dimensions`);
  if (i >= shape.length) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-shape.length}, ${shape.length - 1}], but got ${i})`);
  }
  return shape[i]!;
}

/** The values of `t` broadcast to `shape`, row-major (a host copy). */
function dataAt(t: Tensor, shape: readonly number[]): TypedArray {
  if (sameShape(t.shape, shape)) return t.dataSync();
  const b = broadcastView(viewOf(t), shape);
  return new Tensor(t.storage, b.shape, b.strides, b.offset, t.dtype).dataSync();
}

/** An int64 tensor of positions. */
function positionsOf(data: Float64Array, shape: readonly number[]): Tensor {
  return wrapArray(data, shape, 'int64');
}

const NO_POSITIONS = (): Tensor => positionsOf(new Float64Array(0), [0]);

/** Row-major offsets of every element of `sizes` under `strides`. */
function rowOffsets(sizes: readonly number[], strides: readonly number[]): Float64Array {
  const n = shapeNumel(sizes);
  const out = new Float64Array(n);
  const nd = sizes.length;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < sizes[d]!) break;
      off -= strides[d]! * sizes[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Positions of the grid pre x mid x post, where `mid` already holds offsets. */
function blockPositions(
  preSizes: readonly number[],
  preStrides: readonly number[],
  mid: ArrayLike<number>,
  postSizes: readonly number[],
  postStrides: readonly number[],
): Float64Array {
  const pre = rowOffsets(preSizes, preStrides);
  const post = rowOffsets(postSizes, postStrides);
  const nm = mid.length;
  const np = post.length;
  const out = new Float64Array(pre.length * nm * np);
  let k = 0;
  for (let a = 0; a < pre.length; a++) {
    for (let b = 0; b < nm; b++) {
      const base = pre[a]! + mid[b]!;
      for (let c = 0; c < np; c++) out[k++] = base + post[c]!;
    }
  }
  return out;
}

/** Positions of `x[..., values, ...]` with `values` (valid, non-negative) along `dim` of `shape`. */
function alongPositions(shape: readonly number[], dim: number, values: ArrayLike<number>): { shape: number[]; positions: Float64Array } {
  const st = contiguousStrides(shape);
  const mid = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) mid[i] = values[i]! * st[dim]!;
  return {
    shape: [...shape.slice(0, dim), values.length, ...shape.slice(dim + 1)],
    positions: blockPositions(shape.slice(0, dim), st.slice(0, dim), mid, shape.slice(dim + 1), st.slice(dim + 1)),
  };
}

/**
 * Positions gather/scatter address in a contiguous tensor of `shape`: index's coordinates with
 * `dim` replaced by the index value (checked against the dim's size with ATen's message).
 */
export function dimPositions(shape: readonly number[], dim: number, index: Tensor): Float64Array {
  const xs = shape.length ? shape : [1];
  const is = index.shape.length ? index.shape : [1];
  const st = contiguousStrides(xs);
  const out = rowOffsets(
    is,
    st.map((s, d) => (d === dim ? 0 : s)),
  );
  const v = index.dataSync();
  const n = xs[dim]!;
  const sd = st[dim]!;
  for (let i = 0; i < out.length; i++) {
    const k = v[i]!;
    if (k < 0 || k >= n) throw new RuntimeError(`index ${k} is out of bounds for dimension ${dim} with size ${n}`);
    out[i]! += k * sd;
  }
  return out;
}

// ---------------------------------------------------------------- the two primitives

/** A gather-by-position op under `nodeName`; its backward scatter-adds into zeros. */
type TakeFn = (x: Tensor, positions: Tensor) => Tensor;
type PutFn = (x: Tensor, positions: Tensor, src: Tensor, accumulate: boolean) => Tensor;

function defTake(name: string, nodeName: string): TakeFn {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ inShape: readonly number[]; positions: Tensor }>, x: Tensor, positions: Tensor) {
      ctx.inShape = x.shape;
      ctx.positions = positions;
      const out = emptyTensor(positions.shape, x.dtype);
      if (positions.numel() > 0 && x.numel() > 0) routine('take')(viewOf(rawContiguous(x)), viewOf(positions), viewOf(out));
      return out;
    },
    backward(ctx, [gy]) {
      const z = emptyTensor(ctx.inShape, gy!.dtype);
      return [putOp(z, ctx.positions, gy!, true), null];
    },
  });
}

/** A scatter-by-position op under `nodeName`: out = x; out[pos] = src (or += with accumulate). */
function defPut(name: string, nodeName: string): PutFn {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ positions: Tensor; accumulate: boolean }>, x: Tensor, positions: Tensor, src: Tensor, accumulate: boolean) {
      ctx.positions = positions;
      ctx.accumulate = accumulate;
      const out = emptyTensor(x.shape, x.dtype);
      backend().copy(viewOf(x), viewOf(out));
      if (positions.numel() > 0) routine('put')(viewOf(out), viewOf(positions), viewOf(rawContiguous(src)), accumulate);
      return out;
    },
    backward(ctx, [gy]) {
      const pos = ctx.positions;
      const [needX, , needSrc] = ctx.needsInputGrad;
      let gx: Tensor | null = null;
      // overwritten elements get no gradient (index_put's `grad.index_put(indices, zeros)`)
      if (needX) gx = ctx.accumulate ? gy! : putOp(gy!, pos, emptyTensor(pos.shape, gy!.dtype), false);
      // PyTorch parity: every source element gets the gradient of its target, duplicates included
      const gs = needSrc ? takeOp(gy!, pos) : null;
      return [gx, null, gs];
    },
  });
}

const takeOp = defTake('take', 'TakeBackward0');
const putOp = defPut('put', 'PutBackward0');
const indexOp = defTake('index', 'IndexBackward0');
const gatherOp = defTake('gather', 'GatherBackward0');
const indexSelectOp = defTake('index_select', 'IndexSelectBackward0');
const maskedSelectOp = defTake('masked_select', 'MaskedSelectBackward0');
const scatterSrcOp = defPut('scatter', 'ScatterBackward0');
const scatterValueOp = defPut('scatter', 'ScatterBackward1');
const scatterAddOp = defPut('scatter_add', 'ScatterAddBackward0');
const indexAddOp = defPut('index_add', 'IndexAddBackward0');
const indexFillScalarOp = defPut('index_fill', 'IndexFillBackward0');
const indexFillTensorOp = defPut('index_fill', 'IndexFillBackward1');
const indexPutOp = defPut('index_put', 'IndexPutBackward0');

// ---------------------------------------------------------------- gather / scatter

/**
 * Values of `input` along `dim` at `index` (int64, same number of dims, `out[i][j] = input[index[i][j]][j]`
 * for dim 0), like `torch.gather`. Differentiable (backward: scatter-add).
 * See https://pytorch.org/docs/1.13/generated/torch.gather.html
 * @example torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) // [[1, 1], [4, 3]]
 */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('input', input);
  checkInt('dim', dim);
  checkTensor('index', index);
  const d = normDim(dim, input.dim());
  if (index.numel() === 0) return gatherOp(input, positionsOf(new Float64Array(0), index.shape));
  if (index.dtype !== 'int64') throw new RuntimeError('gather(): Expected dtype int64 for index');
  const nd = Math.max(input.dim(), 1);
  if (nd !== Math.max(index.dim(), 1)) throw new RuntimeError('Index tensor must have the same number of dimensions as input tensor');
  for (let i = 0; i < nd; i++) {
    if (i !== d && nonemptySize(index, i) > nonemptySize(input, i)) {
      throw new RuntimeError(
        `Size does not match at dimension ${i} expected index ${fmt(index.shape)} to be smaller than self ${fmt(input.shape)} apart from dimension ${d}`,
      );
    }
  }
  return gatherOp(input, positionsOf(dimPositions(input.shape, d, index), index.shape));
}

/** ATen's scatter_gather_dtype_check + scatter_shape_check (1.13 wording). */
function scatterCheck(self: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  if (index.numel() !== 0 && index.dtype !== 'int64') throw new RuntimeError('scatter(): Expected dtype int64 for index');
  if (src && src.dtype !== self.dtype) throw new RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype');
  if (index.numel() === 0) return;
  const nd = Math.max(self.dim(), 1);
  if (nd !== Math.max(index.dim(), 1)) throw new RuntimeError('Index tensor must have the same number of dimensions as self tensor');
  let wrong = false;
  for (let i = 0; i < nd && !wrong; i++) if (i !== d && nonemptySize(index, i) > nonemptySize(self, i)) wrong = true;
  // PyTorch parity: a src with fewer dims fails here with size()'s IndexError
  if (!wrong && src) for (let i = 0; i < nd && !wrong; i++) if (nonemptySize(index, i) > nonemptySize(src, i)) wrong = true;
  if (wrong) {
    const base = `Expected index ${fmt(index.shape)} to be smaller than self ${fmt(self.shape)} apart from dimension ${d}`;
    throw new RuntimeError(src ? `${base} and to be smaller size than src ${fmt(src.shape)}` : base);
  }
}

/** The part of `src` that scatter reads: its leading corner of `shape` (extra trailing dims at 0). */
function srcRegion(src: Tensor, shape: readonly number[]): Tensor {
  const want = shape.length ? shape : [1];
  let s = src.dim() === 0 ? reshape(src, want.map(() => 1)) : src;
  while (s.dim() > want.length) s = select(s, s.dim() - 1, 0);
  for (let d = 0; d < want.length; d++) if (s.shape[d] !== want[d]) s = narrow(s, d, 0, want[d]!);
  return sameShape(s.shape, shape) ? s : reshape(s, shape);
}

function scatterImpl(op: PutFn, self: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): Tensor {
  checkTensor('self', self);
  checkInt('dim', dim);
  checkTensor('index', index);
  const d = normDim(dim, self.dim());
  const srcT = src instanceof Tensor ? src : null;
  if (!srcT) checkNumber('value', src);
  scatterCheck(self, d, index, srcT);
  if (index.numel() === 0) return op(self, NO_POSITIONS(), emptyTensor([0], self.dtype), accumulate);
  const pos = positionsOf(dimPositions(self.shape, d, index), index.shape);
  const values = srcT ? srcRegion(srcT, index.shape) : expand(scalarTensor(castValue(self.dtype, src as number), self.dtype), index.shape);
  return op(self, pos, values, accumulate);
}

/**
 * Out-of-place `scatter_`: a copy of `input` with `src[i][j]` (or the number `value`) written at
 * `index[i][j]` along `dim`, like `torch.scatter`. Differentiable in `input` and `src`.
 * See https://pytorch.org/docs/1.13/generated/torch.scatter.html
 * @example torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 1) // one-hot rows
 */
export function scatter(input: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return src instanceof Tensor
    ? scatterImpl(scatterSrcOp, input, dim, index, src, false)
    : scatterImpl(scatterValueOp, input, dim, index, src, false);
}

/**
 * Out-of-place `scatter_add_`: a copy of `input` with `src[i][j]` added at `index[i][j]` along `dim`
 * (repeated indices accumulate), like `torch.scatter_add`. Differentiable in `input` and `src`.
 * See https://pytorch.org/docs/1.13/generated/torch.scatter_add.html
 * @example torch.zeros(3).scatterAdd(0, torch.tensor([0, 0, 2]), torch.ones(3)) // [2, 0, 1]
 */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('src', src);
  return scatterImpl(scatterAddOp, input, dim, index, src, true);
}

// ---------------------------------------------------------------- index_select / index_add / index_fill

/**
 * The entries of `input` at `index` (1-D int64 or int32) along `dim`, like `torch.index_select`.
 * Differentiable (backward: index_add, so repeated indices accumulate).
 * See https://pytorch.org/docs/1.13/generated/torch.index_select.html
 * @example torch.indexSelect(x, 0, torch.tensor([2, 0]))
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('input', input);
  checkInt('dim', dim);
  checkTensor('index', index);
  const d = normDim(dim, input.dim());
  if (index.dim() > 1) throw new IndexError('index_select(): Index is supposed to be a vector');
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new RuntimeError('index_select(): Expected dtype int32 or int64 for index');
  const v = index.dataSync();
  const k = v.length;
  if (input.dim() === 0) {
    for (let i = 0; i < k; i++) if (v[i] !== 0) throw new IndexError('index out of range in self');
    // Deviation: PyTorch 1.13 gives a 0-d result for a 0-d input whatever the number of indices
    return indexSelectOp(input, positionsOf(new Float64Array(k), k === 1 ? [] : [k]));
  }
  const n = input.shape[d]!;
  if (!(input.dim() > 1 && (k === 0 || input.numel() === 0))) {
    // PyTorch parity: the dim-1 fast path of a >1-d input has its own message
    const fast = input.dim() > 1 && d === 1;
    for (let i = 0; i < k; i++) {
      const j = v[i]!;
      if (j < 0 || j >= n) {
        if (fast) throw new RuntimeError(`INDICES element is out of DATA bounds, id=${j} axis_dim=${n}`);
        throw new IndexError('index out of range in self');
      }
    }
  }
  const p = alongPositions(input.shape, d, v);
  return indexSelectOp(input, positionsOf(p.positions, p.shape));
}

/** `source` laid out as self's shape with `k` entries at `dim` (source slices broadcast, PyTorch 1.13). */
function alignSource(source: Tensor, d: number, selfSlice: readonly number[]): Tensor {
  const k = source.shape[d]!;
  const target = [...selfSlice.slice(0, d), k, ...selfSlice.slice(d)];
  if (sameShape(source.shape, target)) return source;
  const nd = source.dim();
  let s = permute(source, [d, ...range(0, nd).filter((i) => i !== d)]);
  for (let i = nd - 1; i < selfSlice.length; i++) s = unsqueeze(s, 1);
  s = expand(s, [k, ...selfSlice]);
  return permute(s, range(0, target.length).map((i) => (i < d ? i + 1 : i === d ? 0 : i)));
}

/**
 * Out-of-place `index_add_`: a copy of `input` with `alpha * source` added at `index` along `dim`
 * (repeated indices accumulate), like `torch.index_add`. Differentiable in `input` and `source`.
 * See https://pytorch.org/docs/1.13/generated/torch.index_add.html
 * @example torch.indexAdd(torch.zeros(3, 2), 0, torch.tensor([0, 0]), torch.ones(2, 2), { alpha: 2 })
 */
export function indexAdd(input: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  checkTensor('input', input);
  checkInt('dim', dim);
  checkTensor('index', index);
  checkTensor('source', source);
  const alpha = checkNumber('alpha', opts.alpha ?? 1);
  const d = normDim(dim, input.dim());
  const k = index.numel();
  if (index.dim() > 1) {
    throw new IndexError(
      `index_add_(): Index is supposed to be a vector, but got dim: ${index.dim()} with type: ${scalarTypeName(index.dtype)} and size: ${fmt(index.shape)}`,
    );
  }
  if (index.dtype !== 'int64' && index.dtype !== 'int32') {
    throw new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${scalarTypeName(index.dtype)}`);
  }
  if (input.dtype !== source.dtype) {
    throw new RuntimeError(`index_add_(): self (${scalarTypeName(input.dtype)}) and source (${scalarTypeName(source.dtype)}) must have the same scalar type`);
  }
  if (!(d === 0 || d < source.dim())) {
    throw new RuntimeError(`index_add_(): Indexing dim ${d} is out of bounds of the source tensor with dim ${source.dim()}`);
  }
  if (k !== (source.dim() === 0 ? 1 : source.shape[d])) {
    throw new RuntimeError(
      `index_add_(): Number of indices (${k}) should be equal to source.size(dim): (${sizeAt(source.shape, d)}), for dim: ${d}`,
    );
  }
  const v = index.dataSync();
  // PyTorch parity: an integer self truncates alpha
  const a = isFloating(input.dtype) ? alpha : Math.trunc(alpha);
  let src: Tensor;
  let pos: { shape: number[]; positions: Float64Array };
  if (input.dim() > 1) {
    if (k === 0 || input.numel() === 0) return indexAddOp(input, NO_POSITIONS(), emptyTensor([0], input.dtype), true);
    if (source.dim() === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
    const selfSlice = input.shape.filter((_, i) => i !== d);
    const srcSlice = source.shape.filter((_, i) => i !== d);
    const b = broadcastShapes(selfSlice, srcSlice);
    if (!sameShape(b, selfSlice)) throw new RuntimeError(`output with shape ${fmt(selfSlice)} doesn't match the broadcast shape ${fmt(b)}`);
    const n = input.shape[d]!;
    for (let i = 0; i < k; i++) if (v[i]! < 0 || v[i]! >= n) throw new IndexError('index out of range in self');
    src = alignSource(source, d, selfSlice);
    pos = alongPositions(input.shape, d, v);
  } else {
    if (source.dim() > 1) {
      // Deviation: PyTorch 1.13 reads column 0 of such a source; torchlet refuses
      throw new RuntimeError(`index_add_(): source must have at most 1 dimension for a ${input.dim()}-d self, got ${source.dim()}`);
    }
    const n = input.numel();
    for (let i = 0; i < k; i++) if (v[i]! < 0 || v[i]! >= n) throw new IndexError('index out of range in self');
    src = reshape(source, [k]);
    pos = { shape: [k], positions: Float64Array.from(v) };
  }
  return indexAddOp(input, positionsOf(pos.positions, pos.shape), a === 1 ? src : src.mul(a), true);
}

/**
 * Out-of-place `index_fill_`: a copy of `input` with `value` (a number or a 0-d tensor) at `index`
 * (int64, negative allowed) along `dim`, like `Tensor.index_fill`. Differentiable in `input` and a
 * tensor `value`.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_fill_.html
 * @example torch.indexFill(torch.zeros(2, 3), 1, torch.tensor([0, 2]), -1)
 */
export function indexFill(input: Tensor, dim: number, index: Tensor, value: number | Tensor): Tensor {
  checkTensor('input', input);
  checkInt('dim', dim);
  checkTensor('index', index);
  if (value instanceof Tensor) {
    if (value.dim() !== 0) {
      throw new RuntimeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
    }
  } else checkNumber('value', value);
  if (index.dtype !== 'int64') throw new IndexError('index_fill_(): Expected dtype int64 for index.');
  const shape = input.dim() === 0 ? [1] : input.shape;
  const d = normDim(dim, shape.length);
  if (index.dim() > 1) throw new RuntimeError('Index has to be a vector/scalar');
  const n = shape[d]!;
  const raw = index.dataSync();
  // filled positions, each once (IndexFillBackward1 sums the value's gradient over unique indices)
  const seen = new Set<number>();
  const vals: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const j = raw[i]!;
    if (j < -n || j >= n) throw new IndexError(`index ${j} is out of bounds for dimension ${d} with size ${n}`);
    const w = j < 0 ? j + n : j;
    if (!seen.has(w)) {
      seen.add(w);
      vals.push(w);
    }
  }
  const p = alongPositions(shape, d, vals);
  const pos = positionsOf(p.positions, p.shape);
  if (value instanceof Tensor) return indexFillTensorOp(input, pos, expand(castTo(value, input.dtype), p.shape), false);
  return indexFillScalarOp(input, pos, expand(scalarTensor(castValue(input.dtype, value), input.dtype), p.shape), false);
}

// ---------------------------------------------------------------- masked_select / nonzero / take / put

/**
 * The elements of `input` where `mask` (bool, broadcast with input) is true, as a 1-D tensor, like
 * `torch.masked_select`. Differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.masked_select.html
 * @example torch.maskedSelect(x, x.gt(0))
 */
export function maskedSelect(input: Tensor, mask: Tensor): Tensor {
  checkTensor('input', input);
  checkTensor('mask', mask);
  if (mask.dtype !== 'bool') throw new RuntimeError('masked_select: expected BoolTensor or ByteTensor for mask');
  const shape = broadcastShapes(mask.shape, input.shape);
  const m = dataAt(mask, shape);
  let count = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) count++;
  const pos = new Float64Array(count);
  for (let i = 0, k = 0; i < m.length; i++) if (m[i] !== 0) pos[k++] = i;
  return maskedSelectOp(expand(input, shape), positionsOf(pos, [count]));
}

/** Coordinates [n, ndim] of the nonzero elements (NaN counts as nonzero), row-major order. */
function nonzeroCoords(x: Tensor): { n: number; coords: Float64Array } {
  const d = x.dataSync();
  const shape = x.shape;
  const nd = shape.length;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  const coords = new Float64Array(n * nd);
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0, k = 0; i < d.length; i++) {
    if (d[i] !== 0) for (let j = 0; j < nd; j++) coords[k++] = idx[j]!;
    for (let j = nd - 1; j >= 0; j--) {
      if (++idx[j]! < shape[j]!) break;
      idx[j] = 0;
    }
  }
  return { n, coords };
}

/** Column `j` of an [n, nd] coordinate list as a 1-D int64 tensor. */
function coordColumn(c: { n: number; coords: Float64Array }, nd: number, j: number): Tensor {
  const col = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) col[i] = c.coords[i * nd + j]!;
  return positionsOf(col, [c.n]);
}

/**
 * Indices of the nonzero elements: an int64 tensor [n, input.dim()], or with `{ asTuple: true }` one
 * 1-D tensor per dim (a 0-d input counts as 1-d), like `torch.nonzero`. Not differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.nonzero.html
 * @example torch.nonzero(torch.tensor([[1, 0], [0, 3]])) // [[0, 0], [1, 1]]
 */
export function nonzero(input: Tensor, opts?: { asTuple?: false }): Tensor;
export function nonzero(input: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(input: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor('input', input);
  const c = nonzeroCoords(input);
  const nd = input.dim();
  if (opts.asTuple) {
    if (nd === 0) return [positionsOf(new Float64Array(c.n), [c.n])];
    return range(0, nd).map((j) => coordColumn(c, nd, j));
  }
  return positionsOf(c.coords, [c.n, nd]);
}

/**
 * Indices of the nonzero elements as an int64 tensor [n, input.dim()], like `torch.argwhere`.
 * See https://pytorch.org/docs/1.13/generated/torch.argwhere.html
 * @example torch.argwhere(torch.tensor([0, 1, 1])) // [[1], [2]]
 */
export function argwhere(input: Tensor): Tensor {
  return nonzero(input);
}

/** Wrapped row-major positions of a take/put index, with 1.13's messages. */
function flatPositions(index: Tensor, n: number, empty: string): Float64Array {
  const v = index.dataSync();
  if (v.length > 0 && n === 0) throw new IndexError(empty);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const j = v[i]!;
    if (j < -n || j >= n) throw new IndexError(`out of range: tried to access index ${j} on a tensor of ${n} elements.`);
    out[i] = j < 0 ? j + n : j;
  }
  return out;
}

/**
 * The elements of `input` at `index` (int64, negative allowed) as if it were 1-D; the result has
 * index's shape, like `torch.take`. Differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.take.html
 * @example torch.take(torch.tensor([[4, 3], [5, 7]]), torch.tensor([0, -1])) // [4, 7]
 */
export function take(input: Tensor, index: Tensor): Tensor {
  checkTensor('input', input);
  checkTensor('index', index);
  if (index.dtype !== 'int64') throw new RuntimeError(`take(): Expected a long tensor for index, but got ${scalarTypeName(index.dtype)}`);
  const pos = flatPositions(index, input.numel(), 'take(): tried to take from an empty tensor');
  return takeOp(input, positionsOf(pos, index.shape));
}

/**
 * Out-of-place `put_`: a copy of `input` with the elements of `source` written at `index` (int64,
 * negative allowed) as if input were 1-D, added with `{ accumulate: true }`, like `torch.put`.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.put_.html
 * @example torch.put(torch.zeros(2, 2), torch.tensor([0, 3]), torch.tensor([1., 2.]))
 */
export function put(input: Tensor, index: Tensor, source: Tensor, opts: { accumulate?: boolean } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('index', index);
  checkTensor('source', source);
  const accumulate = opts.accumulate ?? false;
  if (index.dtype !== 'int64') throw new RuntimeError(`put_(): Expected a long tensor for index, but got ${scalarTypeName(index.dtype)}`);
  if (input.dtype !== source.dtype) {
    throw new RuntimeError(
      `put_(): self and source expected to have the same dtype, but got self.dtype = ${scalarTypeName(input.dtype)} and source.dtype = ${scalarTypeName(source.dtype)}`,
    );
  }
  if (source.numel() !== index.numel()) {
    throw new IndexError(
      `put_(): Expected source and index to have the same number of elements, but got source.numel() = ${source.numel()}, index.numel() = ${index.numel()}`,
    );
  }
  const pos = flatPositions(index, input.numel(), 'put_(): Tried to put elements into an empty tensor');
  return putOp(input, positionsOf(pos, index.shape), reshape(source, index.shape), accumulate);
}

// ---------------------------------------------------------------- x[...]: items

/**
 * A Python slice `start:stop:step` as an object; omitted or null fields take Python's defaults.
 * The string forms `':'`, `'1:3'`, `'::2'`, `'-2:'`, `'1:-1:2'` mean the same.
 */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/** Nested arrays of integers (or booleans), converted like `torch.tensor` into one index tensor. */
export type IndexArray = readonly (number | boolean | IndexArray)[];

/**
 * One item of `x.index(...)`, the equivalent of one entry of Python's `x[a, b, ...]`:
 * - an integer: selects (negative counts from the end), `x[1]`;
 * - a slice as a string (`':'`, `'1:3'`, `'::2'`, `'-2:'`) or a {@link Slice} object, `x[1:3]`;
 * - `'...'`: Ellipsis; `null`: None (a new axis);
 * - an int64 tensor or a JS array of integers: advanced (integer-array) indexing, `x[[0, 2]]`;
 * - a bool tensor or a JS array of booleans: a mask, `x[mask]`;
 * - `true` / `false`: Python's `x[True]` / `x[False]`.
 *
 * Deviations: a JS array is always one index tensor (Python reads a list holding lists as a tuple
 * of indices), and an array of non-integers is refused (Python truncates it to integers).
 */
export type IndexItem = number | boolean | null | string | Slice | Tensor | IndexArray;

type Item =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number }
  | { kind: 'ellipsis' }
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'tensor'; t: Tensor }
  | { kind: 'array'; t: Tensor }
  | { kind: 'invalid'; got: string };

const SLICE_RE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function sliceField(v: unknown, name: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`slice indices must be integers or None or have an __index__ method (got ${name} = ${describeValue(v)})`);
  }
  return v;
}

/** A JS array as an index tensor: integers give int64, booleans bool, `[]` an empty int64 index. */
function arrayIndex(a: IndexArray): Tensor {
  if (a.length === 0) return emptyTensor([0], 'int64');
  return makeTensor(a);
}

function parseItem(it: unknown): Item {
  if (typeof it === 'number') {
    return Number.isInteger(it) ? { kind: 'int', value: it } : { kind: 'invalid', got: 'float' };
  }
  if (it === null) return { kind: 'none' };
  if (typeof it === 'boolean') return { kind: 'bool', value: it };
  if (typeof it === 'string') {
    if (it.trim() === '...') return { kind: 'ellipsis' };
    const m = SLICE_RE.exec(it);
    if (!m) throw new TypeError(`invalid index string '${it}': expected '...' or a slice such as ':', '1:3', '::2', '-2:'`);
    return {
      kind: 'slice',
      start: m[1] === undefined ? null : Number(m[1]),
      stop: m[2] === undefined ? null : Number(m[2]),
      step: m[3] === undefined ? 1 : Number(m[3]),
    };
  }
  if (it instanceof Tensor) return { kind: 'tensor', t: it };
  if (Array.isArray(it)) return { kind: 'array', t: arrayIndex(it as IndexArray) };
  if (isPlainObject(it)) {
    const o = it as Slice;
    for (const k of Object.keys(o)) {
      if (k !== 'start' && k !== 'stop' && k !== 'step') throw new TypeError(`unknown slice field '${k}' (expected start, stop, step)`);
    }
    const step = sliceField(o.step, 'step');
    return { kind: 'slice', start: sliceField(o.start, 'start'), stop: sliceField(o.stop, 'stop'), step: step ?? 1 };
  }
  return { kind: 'invalid', got: describeValue(it) };
}

/** Python's count_specified_dimensions: the dims the items consume (a mask tensor: its dims). */
function countSpecified(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) {
    if (it.kind === 'tensor') n += it.t.dtype === 'bool' ? it.t.dim() : 1;
    // PyTorch parity: a Python list counts as one dim even when it holds a multi-dim mask
    else if (it.kind !== 'none' && it.kind !== 'ellipsis' && it.kind !== 'bool') n++;
  }
  return n;
}

/** ATen's applySelect, with getitem's messages (`realDim` is the item's position). */
function applySelect(x: Tensor, dim: number, index: number, realDim: number): Tensor {
  if (index === 0 && dim === 0 && x.dim() === 0) {
    throw new IndexError(
      'invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number',
    );
  }
  const size = x.shape[dim] ?? 0;
  if (!(size >= -index && size > index)) {
    throw new IndexError(`index ${index} is out of bounds for dimension ${realDim} with size ${size}`);
  }
  return select(x, dim, index);
}

function applySlice(x: Tensor, dim: number, it: Extract<Item, { kind: 'slice' }>): Tensor {
  if (it.step === 0) throw new ValueError('slice step cannot be zero');
  if (it.step < 0) throw new ValueError('step must be greater than zero');
  if (x.dim() === 0) throw new IndexError('slice() cannot be applied to a 0-dim tensor.');
  return slice(x, dim, it.start, it.stop, it.step);
}

/** An int64 index tensor for a Python bool item: [0] for True, [] for False. */
function boolIndex(v: boolean): Tensor {
  return positionsOf(new Float64Array(v ? 1 : 0), [v ? 1 : 0]);
}

/**
 * PyTorch's applySlicing: applies the basic items as views and collects the tensor items at the
 * dims they index in the result.
 */
function applySlicing(x: Tensor, items: readonly Item[]): { result: Tensor; indices: (Tensor | null)[] } {
  const specified = countSpecified(items);
  if (specified > x.dim()) throw new IndexError(`too many indices for tensor of dimension ${x.dim()}`);
  let result = x;
  let dim = 0;
  const indices: (Tensor | null)[] = [];
  const record = (t: Tensor): void => {
    while (indices.length < dim) indices.push(null);
    indices[dim] = t;
    // PyTorch parity: a mask advances by one dim however many it has
    dim++;
  };
  items.forEach((it, i) => {
    switch (it.kind) {
      case 'int':
        result = applySelect(result, dim, it.value, i);
        break;
      case 'slice':
        result = applySlice(result, dim, it);
        dim++;
        break;
      case 'ellipsis':
        dim += x.dim() - specified;
        break;
      case 'none':
        result = unsqueeze(result, dim);
        dim++;
        break;
      case 'bool':
        result = unsqueeze(result, dim);
        record(boolIndex(it.value));
        break;
      case 'tensor': {
        const t = it.t;
        if (t.dim() === 0 && (t.dtype === 'int64' || t.dtype === 'int32')) result = applySelect(result, dim, t.item(), i);
        else if (t.dim() === 0 && t.dtype === 'bool') {
          result = unsqueeze(result, dim);
          record(boolIndex(Boolean(t.item())));
        } else record(t);
        break;
      }
      case 'array':
        record(it.t);
        break;
      case 'invalid':
        throw new IndexError(
          `only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${it.got})`,
        );
      default:
        return it satisfies never;
    }
  });
  return { result, indices };
}

/** Basic items on their own (the single-item fast paths, then applySlicing). */
function prepare(x: Tensor, raw: readonly unknown[]): { result: Tensor; indices: (Tensor | null)[] } {
  const items = raw.map(parseItem);
  if (items.length === 1) {
    const it = items[0]!;
    if (it.kind === 'int') return { result: applySelect(x, 0, it.value, 0), indices: [] };
    if (it.kind === 'slice') return { result: applySlice(x, 0, it), indices: [] };
    if (it.kind === 'none') return { result: unsqueeze(x, 0), indices: [] };
  }
  return applySlicing(x, items);
}

// ---------------------------------------------------------------- advanced indexing

/**
 * ATen's index preparation: type checks, masks expanded to their nonzero coordinates (checked
 * against the indexed dims), broadcasting, padding with nulls to one entry per dim.
 */
function resolveIndices(shape: readonly number[], indices: readonly (Tensor | null)[]): { full: (Tensor | null)[]; b: number[] } {
  const nd = shape.length;
  if (indices.length > nd) throw new IndexError(`too many indices for tensor of dimension ${nd} (got ${indices.length})`);
  for (const t of indices) {
    if (t && t.dtype !== 'int64' && t.dtype !== 'bool' && t.dtype !== 'uint8') throw new IndexError('tensors used as indices must be long, byte or bool tensors');
  }
  if (indices.some((t) => t?.dtype === 'uint8')) {
    // a byte index is a mask, as PyTorch still accepts it
    warnOnce('indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.');
    indices = indices.map((t) => (t?.dtype === 'uint8' ? castTo(t, 'bool') : t));
  }
  const full: (Tensor | null)[] = [];
  for (const t of indices) {
    if (!t) full.push(null);
    else if (t.dtype === 'bool') {
      for (let j = 0; j < t.dim(); j++) {
        const src = full.length + j;
        if (t.shape[j] !== sizeAt(shape, src)) {
          throw new IndexError(
            `The shape of the mask ${fmt(t.shape)} at index ${j} does not match the shape of the indexed tensor ${fmt(shape)} at index ${src}`,
          );
        }
      }
      const c = nonzeroCoords(t);
      for (let j = 0; j < t.dim(); j++) full.push(coordColumn(c, t.dim(), j));
    } else full.push(t);
  }
  if (full.length > nd) throw new IndexError(`too many indices for tensor of dimension ${nd} (got ${full.length})`);
  const defined = full.filter((t): t is Tensor => t !== null);
  let b: number[] = [];
  try {
    for (const t of defined) b = broadcastShapes(b, t.shape);
  } catch {
    throw new IndexError(
      `shape mismatch: indexing tensors could not be broadcast together with shapes ${defined.map((t) => fmt(t.shape)).join(', ')}`,
    );
  }
  while (full.length < nd) full.push(null);
  return { full, b };
}

/**
 * The layout of an advanced index over `shape`: the indexed dims' result (shape `b`) replaces them
 * in place when they are adjacent, otherwise goes first (NumPy's rule). `positions()` checks the
 * values (PyTorch's order: element by element, then index by index) and lists the positions.
 */
function planAdvanced(shape: readonly number[], full: readonly (Tensor | null)[], b: readonly number[]): { shape: number[]; positions: () => Float64Array } {
  const nd = shape.length;
  const dims = range(0, nd).filter((d) => full[d]);
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const st = contiguousStrides(shape);
  const preDims = adjacent ? range(0, dims[0]!) : [];
  const postDims = adjacent ? range(dims[dims.length - 1]! + 1, nd) : range(0, nd).filter((d) => !full[d]);
  const outShape = [...preDims.map((d) => shape[d]!), ...b, ...postDims.map((d) => shape[d]!)];
  const positions = (): Float64Array => {
    const nb = shapeNumel(b);
    const mid = new Float64Array(nb);
    if (shapeNumel(outShape) > 0) {
      const datas = dims.map((d) => dataAt(full[d]!, b));
      const sizes = dims.map((d) => shape[d]!);
      const strides = dims.map((d) => st[d]!);
      for (let i = 0; i < nb; i++) {
        let off = 0;
        for (let j = 0; j < dims.length; j++) {
          let v = datas[j]![i]!;
          const n = sizes[j]!;
          if (v < -n || v >= n) throw new IndexError(`index ${v} is out of bounds for dimension ${j} with size ${n}`);
          if (v < 0) v += n;
          off += v * strides[j]!;
        }
        mid[i] = off;
      }
    }
    return blockPositions(
      preDims.map((d) => shape[d]!),
      preDims.map((d) => st[d]!),
      mid,
      postDims.map((d) => shape[d]!),
      postDims.map((d) => st[d]!),
    );
  };
  return { shape: outShape, positions };
}

function alias(x: Tensor): Tensor {
  return view(x, x.shape);
}

/**
 * PyTorch's `x[items]`: integers, slices, None and Ellipsis give views (sharing storage, with
 * gradients); int64 / bool tensors and JS arrays index by value (a copy). Index tensors broadcast
 * together; their result dims replace the indexed dims when those are adjacent, and go first
 * otherwise. See {@link IndexItem} for the item forms.
 * @example x.index(':', 0)            // x[:, 0]
 * @example x.index('...', '1:3')      // x[..., 1:3]
 * @example x.index([0, 2], null)      // x[[0, 2], None]
 * See https://pytorch.org/docs/1.13/tensor_view.html and https://numpy.org/doc/stable/user/basics.indexing.html
 * @example x.index(x.gt(0))           // x[x > 0]
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  checkTensor('self', x);
  if (items.length === 1 && items[0] === '...') return alias(x);
  const { result, indices } = prepare(x, items);
  if (indices.length === 0) return result === x ? alias(x) : result;
  const r = resolveIndices(result.shape, indices);
  const plan = planAdvanced(result.shape, r.full, r.b);
  return indexOp(result, positionsOf(plan.positions(), plan.shape));
}

// ---------------------------------------------------------------- index_put and x[...] = v

/** Value of a put as a tensor: numbers become a 0-d tensor of `dtype` (PyTorch's scalar_to_tensor). */
function valueTensor(v: unknown, dtype: DType): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'boolean') return scalarTensor(v ? 1 : 0, dtype);
  if (typeof v !== 'number') throw new TypeError(`value must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
  return scalarTensor(castValue(dtype, v), dtype);
}

/** ATen's canDispatchToMaskedFill: one bool mask (other entries null) and a one-element value. */
function isMaskFill(shape: readonly number[], indices: readonly (Tensor | null)[], value: Tensor): boolean {
  if (value.numel() !== 1) return false;
  let num = 0;
  let mask: Tensor | null = null;
  for (const t of indices) {
    if (!t) {
      num++;
      continue;
    }
    if (t.dtype !== 'bool' || mask) return false;
    mask = t;
    for (let j = 0; j < t.dim(); j++) {
      const src = num + j;
      if (t.shape[j] !== sizeAt(shape, src)) {
        throw new IndexError(
          `The shape of the mask ${fmt(t.shape)} at index ${j} does not match the shape of the indexed tensor ${fmt(shape)} at index ${src}`,
        );
      }
    }
    num += t.dim();
  }
  return mask !== null;
}

function expandable(shape: readonly number[], to: readonly number[]): boolean {
  if (shape.length > to.length) return false;
  for (let i = 1; i <= shape.length; i++) {
    const s = shape[shape.length - i]!;
    if (s !== 1 && s !== to[to.length - i]) return false;
  }
  return true;
}

/** Positions in `shape` written by `index_put_(indices, value)` and the value expanded to them. */
function planPut(
  shape: readonly number[],
  dtype: DType,
  indices: readonly (Tensor | null)[],
  value: Tensor,
  accumulate: boolean,
): { positions: Float64Array; shape: number[]; value: Tensor } {
  if (indices.length > shape.length) {
    throw new IndexError(`too many indices for tensor of dimension ${shape.length} (got ${indices.length})`);
  }
  // Deviation: PyTorch fails obscurely ("strides() called on an undefined Tensor") without an index
  if (!indices.some((t) => t)) throw new RuntimeError('index_put_(): expected at least one index tensor');
  const maskFill = !accumulate && isMaskFill(shape, indices, value);
  const r = resolveIndices(shape, indices);
  const plan = planAdvanced(shape, r.full, r.b);
  let v = value;
  if (maskFill) {
    // PyTorch parity: this is masked_fill_(mask, value.item()): any one-element value, converted
    v = castTo(reshape(value, []), dtype);
  } else {
    if (!expandable(value.shape, plan.shape)) {
      throw new RuntimeError(
        `shape mismatch: value tensor of shape ${fmt(value.shape)} cannot be broadcast to indexing result of shape ${fmt(plan.shape)}`,
      );
    }
    if (value.dtype !== dtype) {
      throw new RuntimeError(
        `Index put requires the source and destination dtypes match, got ${scalarTypeName(dtype)} for the destination and ${scalarTypeName(value.dtype)} for the source.`,
      );
    }
  }
  return { positions: plan.positions(), shape: plan.shape, value: expand(v, plan.shape) };
}

function indexTensors(indices: unknown): Tensor[] {
  if (!Array.isArray(indices)) throw new TypeError(`index_put(): argument 'indices' must be a list of Tensors, not ${typeof indices}`);
  return indices.map((t, i) => {
    if (t instanceof Tensor) return t;
    if (Array.isArray(t)) return arrayIndex(t as IndexArray);
    throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${t === null ? 'NoneType' : typeof t}`);
  });
}

/**
 * Out-of-place `index_put_`: a copy of `input` with `values` (broadcast) written at the elements
 * `input[indices]` selects, added with `{ accumulate: true }`, like `Tensor.index_put`. `indices`
 * holds one int64 / bool tensor (or JS array) per leading dim. Differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_put_.html
 * @example torch.indexPut(torch.zeros(3), [torch.tensor([0, 2])], torch.tensor(1.)) // [1, 0, 1]
 */
export function indexPut(
  input: Tensor,
  indices: readonly (Tensor | IndexArray)[],
  values: Tensor | number,
  opts: { accumulate?: boolean } = {},
): Tensor {
  checkTensor('input', input);
  const acc = opts.accumulate ?? false;
  const p = planPut(input.shape, input.dtype, indexTensors(indices), valueTensor(values, input.dtype), acc);
  return indexPutOp(input, positionsOf(p.positions, p.shape), p.value, acc);
}

/** PyTorch's slicePrefix1sSize: the value's shape without its leading 1s. */
function stripLeadingOnes(v: Tensor): Tensor {
  let i = 0;
  while (i < v.dim() && v.shape[i] === 1) i++;
  return i === 0 ? v : reshape(v, v.shape.slice(i));
}

/** PyTorch's copy_to: the value as is (same shape), filled (0-d), or without leading 1s expanded; then cast. */
function copyToValue(v: Tensor, shape: readonly number[], dtype: DType): Tensor {
  const src = sameShape(v.shape, shape) || v.dim() === 0 ? v : expand(stripLeadingOnes(v), shape);
  return expand(castTo(src, dtype), shape);
}

/**
 * PyTorch's `x[items] = value`, in place: the same items as {@link index}; `value` is a tensor or
 * a number, broadcast to the indexed shape. With only basic items the value is converted to x's
 * dtype (copy_ semantics); with index tensors it must have x's dtype (index_put_ semantics), unless
 * it is a number or a one-element value put through a single mask. Differentiable in x and value.
 * @example x.setIndex_([':', 0], 1)        // x[:, 0] = 1
 * See https://pytorch.org/docs/1.13/tensor_view.html
 * @example x.setIndex_([x.lt(0)], 0)       // x[x < 0] = 0
 */
export function setIndex_(x: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean): Tensor {
  checkTensor('self', x);
  if (!Array.isArray(items)) throw new TypeError('setIndex_(): items must be an array of index items');
  // PyTorch parity: x[False] = v does nothing, x[True] = v is x[None] = v
  if (items.length === 1 && items[0] === false) return x;
  const its = items.length === 1 && items[0] === true ? [null] : items;
  const v = valueTensor(value, x.dtype);
  const recording = isGradEnabled() && (x.requiresGrad || v.requiresGrad);
  if (!recording && v.storage !== x.storage) {
    // fast path for basic items outside autograd: write straight into the view (O(view size))
    const { result, indices } = prepare(x, its);
    if (indices.length === 0) {
      backend().copy(viewOf(copyToValue(v, result.shape, x.dtype)), viewOf(result));
      x._vc.version++;
      return x;
    }
  }
  // the items applied to the row-major positions of x give the positions to write
  const ids = new Float64Array(x.numel());
  for (let i = 0; i < ids.length; i++) ids[i] = i;
  const all = positionsOf(ids, x.shape);
  const { result, indices } = prepare(all, its);
  let positions: Float64Array;
  let shape: number[];
  let vals: Tensor;
  if (indices.length === 0) {
    shape = result.shape.slice();
    vals = copyToValue(v, shape, x.dtype);
    positions = result.dataSync() as Float64Array;
  } else {
    const p = planPut(result.shape, x.dtype, indices, stripLeadingOnes(v), false);
    const base = result.dataSync();
    positions = new Float64Array(p.positions.length);
    for (let i = 0; i < positions.length; i++) positions[i] = base[p.positions[i]!]!;
    shape = p.shape;
    vals = p.value;
  }
  const pos = positionsOf(positions, shape);
  return applyInPlace(x, (s) => putOp(s, pos, vals, false), [v]);
}

// ---------------------------------------------------------------- tril / triu

function defTri(name: string, nodeName: string, upper: boolean): (x: Tensor, diagonal?: number) => Tensor {
  const op: (x: Tensor, diagonal: number) => Tensor = defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ diagonal: number }>, x: Tensor, diagonal: number) {
      ctx.diagonal = diagonal;
      const rows = x.shape[x.dim() - 2]!;
      const cols = x.shape[x.dim() - 1]!;
      // mask[i, j] = (j - i >= diagonal) for triu, (j - i <= diagonal) for tril
      const k = backend();
      const rc = [rows, cols];
      const diff = emptyTensor(rc, 'float64');
      const j = arange(cols, { dtype: 'float64' });
      const i = arange(rows, { dtype: 'float64' });
      k.binary('sub', { data: j.storage.data, shape: rc, strides: [0, 1], offset: 0 }, { data: i.storage.data, shape: rc, strides: [1, 0], offset: 0 }, viewOf(diff));
      const mask = emptyTensor(rc, 'bool');
      k.binary(upper ? 'ge' : 'le', viewOf(diff), broadcastView(viewOf(scalarTensor(diagonal, 'float64')), rc), viewOf(mask));
      const strides = x.shape.map((_, d) => (d === x.dim() - 2 ? cols : d === x.dim() - 1 ? 1 : 0));
      const zero = scalarTensor(0, x.dtype);
      const out = emptyTensor(x.shape, x.dtype);
      k.where({ data: mask.storage.data, shape: x.shape, strides, offset: 0 }, viewOf(x), broadcastView(viewOf(zero), x.shape), viewOf(out));
      return out;
    },
    backward(ctx, [gy]) {
      return [op(gy!, ctx.diagonal)];
    },
  });
  return (x: Tensor, diagonal = 0): Tensor => {
    checkTensor('input', x);
    checkInt('diagonal', diagonal);
    if (x.dim() === 0) throw new IndexError('Dimension specified as -2 but tensor has no dimensions');
    normDim(-2, x.dim());
    return op(x, diagonal);
  };
}

/**
 * The lower triangle of the last two dims (elements with `col - row <= diagonal`), the rest zero,
 * like `torch.tril`. Differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.tril.html
 * @example torch.tril(torch.ones(3, 3), -1)
 */
export const tril: (input: Tensor, diagonal?: number) => Tensor = defTri('tril', 'TrilBackward0', false);

/**
 * The upper triangle of the last two dims (elements with `col - row >= diagonal`), the rest zero,
 * like `torch.triu`. Differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.triu.html
 * @example torch.triu(torch.ones(3, 3), 1)
 */
export const triu: (input: Tensor, diagonal?: number) => Tensor = defTri('triu', 'TriuBackward0', true);

// ---------------------------------------------------------------- methods

import type { MethodTable } from '../tensor/methods.js';
import { sameShape } from '../tensor/tensor.js';

type PutOpts = { accumulate?: boolean };

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * PyTorch's `x[items]` (views for basic items, a copy with index tensors); see `IndexItem`.
     * See https://pytorch.org/cppdocs/notes/tensor_indexing.html
     * @example x.index(0, '1:') // x[0, 1:]; x.index('...', null) is x[..., None]
     */
    index(...items: IndexItem[]): Tensor;
    /**
     * PyTorch's `x[items] = value`, in place.
     * See https://pytorch.org/cppdocs/notes/tensor_indexing.html
     * @example x.setIndex_([':', 0], 1) // x[:, 0] = 1
     */
    setIndex_(items: readonly IndexItem[], value: Tensor | number | boolean): this;
    /**
     * Values along `dim` at `index`, like `Tensor.gather`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.gather.html
     * @example logp.gather(1, target.unsqueeze(1)) // log-probability of each target class
     */
    gather(dim: number, index: Tensor): Tensor;
    /**
     * Out-of-place scatter of `src` (or a number) at `index` along `dim`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.scatter.html
     * @example torch.zeros(3, 4).scatter(1, torch.tensor([[0], [2], [3]]), 1) // one-hot rows
     */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    /**
     * In-place scatter, like `Tensor.scatter_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.scatter_.html
     * @example onehot.scatter_(1, idx.unsqueeze(1), 1)
     */
    scatter_(dim: number, index: Tensor, src: Tensor | number): this;
    /**
     * Out-of-place scatter-add.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.scatter_add.html
     * @example torch.zeros(3).scatterAdd(0, torch.tensor([0, 0, 2]), torch.ones(3)) // tensor([2., 0., 1.])
     */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /**
     * In-place scatter-add, like `Tensor.scatter_add_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.scatter_add_.html
     * @example counts.scatterAdd_(0, idx, torch.onesLike(idx))
     */
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    /**
     * Entries at `index` along `dim`, like `Tensor.index_select`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_select.html
     * @example emb.weight.indexSelect(0, torch.tensor([3, 1]))
     */
    indexSelect(dim: number, index: Tensor): Tensor;
    /**
     * Out-of-place index_add.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_add.html
     * @example torch.zeros(3, 2).indexAdd(0, torch.tensor([0, 2]), torch.ones(2, 2))
     */
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    /**
     * In-place index_add, like `Tensor.index_add_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_add_.html
     * @example acc.indexAdd_(0, idx, rows, { alpha: 0.5 })
     */
    indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this;
    /**
     * Out-of-place index_fill.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_fill.html
     * @example x.indexFill(1, torch.tensor([0, 2]), -1)
     */
    indexFill(dim: number, index: Tensor, value: number | Tensor): Tensor;
    /**
     * In-place index_fill, like `Tensor.index_fill_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_fill_.html
     * @example x.indexFill_(0, torch.tensor([1]), 0)
     */
    indexFill_(dim: number, index: Tensor, value: number | Tensor): this;
    /**
     * Out-of-place index_put.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_put.html
     * @example torch.zeros(3, 3).indexPut([torch.tensor([0, 1]), torch.tensor([2, 0])], 5)
     */
    indexPut(indices: readonly (Tensor | IndexArray)[], values: Tensor | number, opts?: PutOpts): Tensor;
    /**
     * In-place index_put, like `Tensor.index_put_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.index_put_.html
     * @example x.indexPut_([rows, cols], torch.ones(2), { accumulate: true })
     */
    indexPut_(indices: readonly (Tensor | IndexArray)[], values: Tensor | number, opts?: PutOpts): this;
    /**
     * Elements where `mask` is true, as a 1-D tensor.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_select.html
     * @example x.maskedSelect(x.gt(0)) // 1-D
     */
    maskedSelect(mask: Tensor): Tensor;
    /**
     * Indices of the nonzero elements.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.nonzero.html
     * @example torch.tensor([0, 3, 0, 4]).nonzero() // tensor([[1], [3]])
     */
    nonzero(opts?: { asTuple?: false }): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    /**
     * Indices of the nonzero elements, [n, ndim].
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.argwhere.html
     * @example torch.tensor([[0, 1], [2, 0]]).argwhere() // tensor([[0, 1], [1, 0]])
     */
    argwhere(): Tensor;
    /**
     * Elements at flat `index`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.take.html
     * @example torch.tensor([[4, 3], [5, 6]]).take(torch.tensor([0, 3])) // tensor([4, 6])
     */
    take(index: Tensor): Tensor;
    /**
     * Out-of-place put at flat `index`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.put.html
     * @example torch.zeros(2, 2).put(torch.tensor([3]), torch.ones(1)) // sets the last element
     */
    put(index: Tensor, source: Tensor, opts?: PutOpts): Tensor;
    /**
     * In-place put, like `Tensor.put_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.put_.html
     * @example x.put_(torch.tensor([0, 1]), torch.ones(2), { accumulate: true })
     */
    put_(index: Tensor, source: Tensor, opts?: PutOpts): this;
    /**
     * Lower triangle of the last two dims.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.tril.html
     * @example torch.ones(3, 3).tril() // causal mask
     */
    tril(diagonal?: number): Tensor;
    /**
     * In-place tril.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.tril_.html
     * @example m.tril_(-1)
     */
    tril_(diagonal?: number): this;
    /**
     * Upper triangle of the last two dims.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.triu.html
     * @example torch.ones(3, 3).triu(1).bool() // positions to mask
     */
    triu(diagonal?: number): Tensor;
    /**
     * In-place triu.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.triu_.html
     * @example m.triu_()
     */
    triu_(diagonal?: number): this;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const indexingMethods: MethodTable = {
  index(this: Tensor, ...items: IndexItem[]) {
    return index(this, ...items);
  },
  setIndex_(this: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean) {
    return setIndex_(this, items, value);
  },
  gather(this: Tensor, dim: number, idx: Tensor) {
    return gather(this, dim, idx);
  },
  scatter(this: Tensor, dim: number, idx: Tensor, src: Tensor | number) {
    return scatter(this, dim, idx, src);
  },
  scatter_(this: Tensor, dim: number, idx: Tensor, src: Tensor | number) {
    return applyInPlace(this, (s) => scatter(s, dim, idx, src), [src]);
  },
  scatterAdd(this: Tensor, dim: number, idx: Tensor, src: Tensor) {
    return scatterAdd(this, dim, idx, src);
  },
  scatterAdd_(this: Tensor, dim: number, idx: Tensor, src: Tensor) {
    return applyInPlace(this, (s) => scatterAdd(s, dim, idx, src), [src]);
  },
  indexSelect(this: Tensor, dim: number, idx: Tensor) {
    return indexSelect(this, dim, idx);
  },
  indexAdd(this: Tensor, dim: number, idx: Tensor, source: Tensor, opts?: { alpha?: number }) {
    return indexAdd(this, dim, idx, source, opts);
  },
  indexAdd_(this: Tensor, dim: number, idx: Tensor, source: Tensor, opts?: { alpha?: number }) {
    return applyInPlace(this, (s) => indexAdd(s, dim, idx, source, opts), [source]);
  },
  indexFill(this: Tensor, dim: number, idx: Tensor, value: number | Tensor) {
    return indexFill(this, dim, idx, value);
  },
  indexFill_(this: Tensor, dim: number, idx: Tensor, value: number | Tensor) {
    return applyInPlace(this, (s) => indexFill(s, dim, idx, value), [value]);
  },
  indexPut(this: Tensor, indices: readonly (Tensor | IndexArray)[], values: Tensor | number, opts?: PutOpts) {
    return indexPut(this, indices, values, opts);
  },
  indexPut_(this: Tensor, indices: readonly (Tensor | IndexArray)[], values: Tensor | number, opts?: PutOpts) {
    return applyInPlace(this, (s) => indexPut(s, indices, values, opts), [values]);
  },
  maskedSelect(this: Tensor, mask: Tensor) {
    return maskedSelect(this, mask);
  },
  nonzero(this: Tensor, opts?: { asTuple?: boolean }) {
    return nonzero(this, opts);
  },
  argwhere(this: Tensor) {
    return argwhere(this);
  },
  take(this: Tensor, idx: Tensor) {
    return take(this, idx);
  },
  put(this: Tensor, idx: Tensor, source: Tensor, opts?: PutOpts) {
    return put(this, idx, source, opts);
  },
  put_(this: Tensor, idx: Tensor, source: Tensor, opts?: PutOpts) {
    return applyInPlace(this, (s) => put(s, idx, source, opts), [source]);
  },
  tril(this: Tensor, k?: number) {
    return tril(this, k);
  },
  tril_(this: Tensor, k?: number) {
    return applyInPlace(this, (s) => tril(s, k));
  },
  triu(this: Tensor, k?: number) {
    return triu(this, k);
  },
  triu_(this: Tensor, k?: number) {
    return applyInPlace(this, (s) => triu(s, k));
  },
};
