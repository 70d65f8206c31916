/**
 * Shape and view ops. Views share storage with their input exactly where PyTorch's do; their
 * backward maps the gradient back onto the input's geometry.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { IndexError, RuntimeError, ValueError as ValueErrorLike } from '../errors.js';
import { type DType, legacyTypeName, promoteTypes as promote } from '../tensor/dtype.js';
import { emptyTensor, makeView } from '../tensor/create.js';
import { Tensor, contiguousStrides, normDim, shapeNumel } from '../tensor/tensor.js';
import { backend, castRaw, checkInt, viewOf, backendOf } from './util.js';
import { describeValue } from '../validate.js';

/** The input of a shape op must be a Tensor (function forms are callable from untyped code). */
function input(fn: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}(): argument 'input' must be a Tensor, got ${describeValue(x)}`);
  return x;
}

function intList(fn: string, name: string, v: unknown): readonly number[] {
  if (!Array.isArray(v)) throw new TypeError(`${fn}(): argument '${name}' must be an array of integers, got ${describeValue(v)}`);
  v.forEach((e, i) => {
    if (typeof e !== 'number' || !Number.isInteger(e)) {
      throw new TypeError(`${fn}(): argument '${name}' must be an array of integers, but found ${describeValue(e)} at position ${i}`);
    }
  });
  return v as number[];
}

interface Geom {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Strides for viewing `t` as `shape` without copying, or null when impossible (PyTorch's computeStride). */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], shape: readonly number[]): number[] | null {
  const numel = shapeNumel(oldShape);
  if (numel === 0 || oldShape.length === 0) return contiguousStrides(shape);
  const newStrides = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** Resolves a -1 in a requested shape, with PyTorch's errors. */
export function inferShape(shape: readonly number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  shape.forEach((s, i) => {
    if (!Number.isInteger(s)) throw new TypeError(`shape must be integers, got ${String(s)}`);
    if (s === -1) {
      if (infer >= 0) throw new RuntimeError('only one dimension can be inferred');
      infer = i;
    } else if (s < 0) throw new RuntimeError(`invalid shape dimension ${s}`);
    else known *= s;
  });
  const out = shape.slice();
  const bad = (): RuntimeError => new RuntimeError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw bad();
    out[infer] = numel / known;
  } else if (known !== numel) throw bad();
  return out;
}

// ---------------------------------------------------------------- view, reshape

/** A view op recorded under PyTorch's node name for it (view, reshape's alias, squeeze, ...). */
function defView(name: string, nodeName: string) {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<{ inShape: readonly number[] }>, x: Tensor, shape: number[]) {
      const st = viewStrides(x.shape, x.strides, shape);
      if (!st) {
        throw new RuntimeError(
          "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        );
      }
      ctx.inShape = x.shape;
      return makeView(x, shape, st, x.offset);
    },
    backward(ctx, [gy]) {
      return [gy!.reshape(ctx.inShape)];
    },
  });
}
const viewOp = defView('view', 'ViewBackward0');
/** reshape of a tensor that can be viewed (PyTorch 1.13's `_reshape_alias`). */
const reshapeAliasOp = defView('_reshape_alias', 'ReshapeAliasBackward0');
/** reshape of a contiguous copy (PyTorch's `_unsafe_view` after the clone). */
const unsafeViewOp = defView('_unsafe_view', 'UnsafeViewBackward0');
const unsqueezeOp = defView('unsqueeze', 'UnsqueezeBackward0');
const squeezeAllOp = defView('squeeze', 'SqueezeBackward0');
const squeezeDimOp = defView('squeeze', 'SqueezeBackward1');

/** A view with a new shape (one dim may be -1), like `Tensor.view`. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  input('view', x);
  intList('view', 'size', shape);
  return viewOp(x, inferShape(shape, x.numel()));
}

/**
 * `view` when the strides allow it, otherwise a contiguous copy, like `Tensor.reshape`.
 * See https://pytorch.org/docs/1.13/generated/torch.reshape.html
 * @example torch.reshape(torch.arange(6), [2, -1]).shape // [2, 3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  input('reshape', x);
  intList('reshape', 'shape', shape);
  const s = inferShape(shape, x.numel());
  if (viewStrides(x.shape, x.strides, s)) return reshapeAliasOp(x, s);
  return unsafeViewOp(contiguous(x), s);
}

// ---------------------------------------------------------------- contiguous, clone, cast

const cloneOp = defineOp({
  name: 'clone',
  nodeName: 'CloneBackward0',
  forward(_ctx, x: Tensor) {
    const out = emptyTensor(x.shape, x.dtype, x.storage.device);
    backendOf(x).copy(viewOf(x), viewOf(out));
    return out;
  },
  backward(_ctx, [gy]) {
    return [gy];
  },
});

/** A copy with its own storage, like `Tensor.clone` (contiguous layout). */
export function clone(x: Tensor): Tensor {
  return cloneOp(x);
}

/** The tensor itself when contiguous, otherwise a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : cloneOp(x);
}

/** The copy behind every dtype conversion (`ToCopyBackward0`), also for `to(..., { copy: true })`. @internal */
export const castOp = defineOp({
  name: 'to_copy',
  nodeName: 'ToCopyBackward0',
  forward(ctx: OpCtx<{ inDtype: DType }>, x: Tensor, dtype: DType) {
    ctx.inDtype = x.dtype;
    return castRaw(x, dtype);
  },
  backward(ctx, [gy]) {
    return [castTo(gy!, ctx.inDtype)];
  },
});

/** Converts to `dtype` (returns `x` when it already has it), like `Tensor.to(dtype)`. */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : castOp(x, dtype);
}

/** A tensor sharing storage but cut from the graph, like `Tensor.detach`. */
export function detach(x: Tensor): Tensor {
  const v = new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
  v.base = x.base ?? x;
  v._vc = x._vc;
  return v;
}

// ---------------------------------------------------------------- permute, transpose, expand

const permuteOp = defineOp({
  name: 'permute',
  nodeName: 'PermuteBackward0',
  forward(ctx: OpCtx<{ dims: number[] }>, x: Tensor, dims: number[]) {
    ctx.dims = dims;
    return makeView(
      x,
      dims.map((d) => x.shape[d]!),
      dims.map((d) => x.strides[d]!),
      x.offset,
    );
  },
  backward(ctx, [gy]) {
    const dims = ctx.dims;
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[d] = i));
    return [permute(gy!, inv)];
  },
});

/**
 * Reorders dims (a view), like `Tensor.permute`.
 * See https://pytorch.org/docs/1.13/generated/torch.permute.html
 * @example torch.permute(torch.zeros(2, 3, 4), [2, 0, 1]).shape // [4, 2, 3]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  input('permute', x);
  intList('permute', 'dims', dims);
  if (dims.length !== x.dim()) {
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const nd = dims.map((d) => normDim(d, x.dim()));
  if (new Set(nd).size !== nd.length) throw new RuntimeError('permute(): duplicate dims are not allowed.');
  return permuteOp(x, nd);
}

/**
 * Swaps two dims (a view), like `Tensor.transpose`.
 * See https://pytorch.org/docs/1.13/generated/torch.transpose.html
 * @example torch.transpose(torch.zeros(5, 3, 10), 0, 1).shape // [3, 5, 10]
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  input('transpose', x);
  const n = x.dim();
  const a = normDim(dim0, n);
  const b = normDim(dim1, n);
  if (n === 0) return permuteOp(x, []);
  const dims = [...Array(n).keys()];
  dims[a] = b;
  dims[b] = a;
  return permuteOp(x, dims);
}

/** Transpose of a tensor of at most 2 dims, like `Tensor.t`. */
export function t(x: Tensor): Tensor {
  if (x.dim() > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  return x.dim() < 2 ? transpose(x, 0, 0) : transpose(x, 0, 1);
}

const expandOp = defineOp({
  name: 'expand',
  nodeName: 'ExpandBackward0',
  forward(_ctx, x: Tensor, shape: number[]) {
    const nd = shape.length;
    const off = nd - x.dim();
    const strides = shape.map((s, i) => {
      const src = i - off;
      if (src < 0) return 0;
      return x.shape[src] === 1 && s !== 1 ? 0 : x.strides[src]!;
    });
    return makeView(x, shape, strides, x.offset);
  },
  // the engine sums the broadcast gradient back to the input's shape
  backward(_ctx, [gy]) {
    return [gy];
  },
});

/** Broadcasts size-1 dims to `shape` without copying (-1 keeps a size), like `Tensor.expand`. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  input('expand', x);
  intList('expand', 'size', shape);
  if (shape.length < x.dim()) {
    throw new RuntimeError(
      `expand(${legacyTypeName(x.dtype)}{[${x.shape.join(', ')}]}, size=[${shape.join(', ')}]): the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const off = shape.length - x.dim();
  const target = shape.map((s, i) => {
    const src = i - off;
    if (s === -1) {
      if (src < 0) throw new RuntimeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return x.shape[src]!;
    }
    if (s < -1) {
      throw new RuntimeError(`expand(): the expanded size of the tensor (${s}) at dimension ${i} is invalid: sizes must be non-negative, or -1 to keep a size.  Target sizes: [${shape.join(', ')}]`);
    }
    if (src >= 0 && x.shape[src] !== 1 && x.shape[src] !== s) {
      throw new RuntimeError(
        `The expanded size of the tensor (${s}) must match the existing size (${x.shape[src]}) at non-singleton dimension ${i}.  Target sizes: [${shape.join(', ')}].  Tensor sizes: [${x.shape.join(', ')}]`,
      );
    }
    return s;
  });
  if (target.every((s, i) => s === x.shape[i]) && target.length === x.dim()) return aliasView(x);
  return expandOp(x, target);
}

/** A view of the whole tensor (identity geometry); differentiable. */
function aliasView(x: Tensor): Tensor {
  return viewOp(x, x.shape.slice());
}

// ---------------------------------------------------------------- squeeze / unsqueeze / flatten

/**
 * Adds a size-1 dim at `dim` (a view), like `Tensor.unsqueeze`.
 * See https://pytorch.org/docs/1.13/generated/torch.unsqueeze.html
 * @example torch.unsqueeze(torch.zeros(3), 0).shape // [1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  input('unsqueeze', x);
  const d = normDim(dim, x.dim() + 1, false);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return unsqueezeOp(x, shape);
}

/**
 * Removes size-1 dims (all, or the one at `dim`), like `Tensor.squeeze`.
 * See https://pytorch.org/docs/1.13/generated/torch.squeeze.html
 * @example torch.squeeze(torch.zeros(1, 3, 1)).shape // [3]
 */
export function squeeze(x: Tensor, dim?: number): Tensor {
  input('squeeze', x);
  if (dim === undefined) return squeezeAllOp(x, x.shape.filter((s) => s !== 1));
  const d = normDim(dim, x.dim());
  if (x.dim() === 0 || x.shape[d] !== 1) return squeezeDimOp(x, x.shape.slice());
  const shape = x.shape.slice();
  shape.splice(d, 1);
  return squeezeDimOp(x, shape);
}

/**
 * Flattens dims `startDim..endDim` into one, like `Tensor.flatten` (a view when possible).
 * See https://pytorch.org/docs/1.13/generated/torch.flatten.html
 * @example torch.flatten(torch.zeros(2, 3, 4), 1).shape // [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  input('flatten', x);
  if (x.dim() === 0) {
    normDim(startDim, 0);
    normDim(endDim, 0);
  }
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.dim());
  const e = normDim(endDim, x.dim());
  if (s > e) throw new RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return aliasView(x);
  const shape = [...x.shape.slice(0, s), shapeNumel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits dim `dim` into `sizes` (one may be -1), like `Tensor.unflatten`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  input('unflatten', x);
  intList('unflatten', 'sizes', sizes);
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  let resolved: number[];
  try {
    resolved = inferShape(sizes, n);
  } catch {
    throw new RuntimeError(
      `unflatten: Provided sizes [${sizes.join(', ')}] don't multiply up to the size of dim ${dim} (${n}) in the input tensor`,
    );
  }
  return view(x, [...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
}

// ---------------------------------------------------------------- select / narrow / slice

/** Geometry of a basic slice along one dim. */
function sliceGeom(shape: readonly number[], strides: readonly number[], offset: number, dim: number, start: number, length: number, step: number): Geom {
  const sh = shape.slice();
  const st = strides.slice();
  sh[dim] = length;
  st[dim] = strides[dim]! * step;
  return { shape: sh, strides: st, offset: offset + start * strides[dim]! };
}

/** A basic slice along one dim: `length` elements of `dim` from `start` every `step`, the dim dropped if `drop`. */
type SliceArgs = [dim: number, start: number, length: number, step: number, drop: boolean];

/** What a slice's backward needs: its arguments and the shape of the input it cut. */
interface SliceState {
  args: SliceArgs;
  inShape: readonly number[];
}

/**
 * Slice op: `length` elements of `dim` from `start` every `step`; its backward scatters the gradient
 * into zeros of the input's shape (SliceBackward0 / SelectBackward0 / NarrowBackward0).
 */
function makeSliceOp(nodeName: string) {
  return defineOp({
  name: 'slice',
  nodeName,
  forward(ctx: OpCtx<SliceState>, x: Tensor, dim: number, start: number, length: number, step: number, drop: boolean) {
    ctx.args = [dim, start, length, step, drop];
    ctx.inShape = x.shape;
    const g = sliceGeom(x.shape, x.strides, x.offset, dim, start, length, step);
    if (drop) {
      g.shape.splice(dim, 1);
      g.strides.splice(dim, 1);
    }
    return makeView(x, g.shape, g.strides, g.offset);
  },
  backward(ctx, [gy]) {
    const [dim, start, length, step, drop] = ctx.args;
    return [sliceScatter(gy!, ctx.inShape, dim, start, length, step, drop)];
  },
});
}

const sliceOp = makeSliceOp('SliceBackward0');
const selectOp = makeSliceOp('SelectBackward0');

const sliceScatterOp = defineOp({
  name: 'slice_scatter',
  forward(ctx: OpCtx<{ args: SliceArgs }>, gy: Tensor, inShape: readonly number[], dim: number, start: number, length: number, step: number, drop: boolean) {
    ctx.args = [dim, start, length, step, drop];
    const z = emptyTensor(inShape, gy.dtype);
    const g = sliceGeom(z.shape, z.strides, 0, dim, start, length, step);
    if (drop) {
      g.shape.splice(dim, 1);
      g.strides.splice(dim, 1);
    }
    backend().copy(viewOf(gy), { data: z.storage.data, shape: g.shape, strides: g.strides, offset: g.offset });
    return z;
  },
  backward(ctx, [gg]) {
    const [dim, start, length, step, drop] = ctx.args;
    return [(drop ? selectOp : sliceOp)(gg!, dim, start, length, step, drop)];
  },
});

function sliceScatter(gy: Tensor, inShape: readonly number[], dim: number, start: number, length: number, step: number, drop: boolean): Tensor {
  return sliceScatterOp(gy, inShape, dim, start, length, step, drop);
}

/**
 * `x[..., index, ...]` at `dim` (a view with that dim removed); negative indices count from the end.
 * Like `torch.select`.
 * See https://pytorch.org/docs/1.13/generated/torch.select.html
 * @example const last = torch.select(out, 1, -1); // out[:, -1, :] in PyTorch
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  input('select', x);
  checkInt('index', index);
  if (x.dim() === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  if (index < -n || index >= n) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size [${x.shape.join(', ')}] at dimension ${d}`);
  }
  return selectOp(x, d, index < 0 ? index + n : index, 1, 1, true);
}

/**
 * `length` elements of `dim` from `start` (a view), like `Tensor.narrow`.
 * See https://pytorch.org/docs/1.13/generated/torch.narrow.html
 * @example torch.narrow(torch.arange(10), 0, 2, 3) // tensor([2, 3, 4])
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  input('narrow', x);
  checkInt('start', start);
  checkInt('length', length);
  if (x.dim() === 0) throw new RuntimeError('narrow() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  if (start < -n || start > n) {
    throw new IndexError(`start out of range (expected to be in range of [${-n}, ${n}], but got ${start})`);
  }
  const s = start < 0 ? start + n : start;
  if (length < 0) throw new RuntimeError('narrow(): length must be non-negative.');
  if (s + length > n) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${n}).`);
  return sliceOp(x, d, s, length, 1, false);
}

/** Python-style slice `start:stop:step` along `dim` (a view); bounds clamp like Python's. */
export function slice(x: Tensor, dim: number, start: number | null = null, stop: number | null = null, step = 1): Tensor {
  input('slice', x);
  if (start !== null) checkInt('start', start);
  if (stop !== null) checkInt('stop', stop);
  checkInt('step', step);
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  if (step <= 0) throw new ValueErrorLike('step must be greater than zero');
  let s = start ?? 0;
  let e = stop ?? n;
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  const len = Math.ceil((e - s) / step);
  return sliceOp(x, d, s, len, step, false);
}


/**
 * Splits into `chunks` pieces along `dim` (views), like `Tensor.chunk`.
 * See https://pytorch.org/docs/1.13/generated/torch.chunk.html
 * @example const [i, f, g, o] = torch.chunk(gates, 4, 1);
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  input('chunk', x);
  checkInt('chunks', chunks);
  if (chunks <= 0) throw new RuntimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  const size = Math.ceil(n / chunks);
  return split(x, size === 0 ? 1 : size, d).slice(0, n === 0 ? chunks : undefined);
}

/**
 * Splits into pieces of `splitSize` (or the given sizes) along `dim` (views), like `Tensor.split`.
 * See https://pytorch.org/docs/1.13/generated/torch.split.html
 * @example const [a, b] = torch.split(torch.zeros(4, 5), [2, 3], -1); // shapes [4, 2] and [4, 3]
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  input('split', x);
  const d = normDim(dim, x.dim());
  const n = x.shape[d]!;
  const out: Tensor[] = [];
  if (Array.isArray(splitSize)) {
    const sizes = intList('split', 'split_size', splitSize);
    for (const len of sizes) {
      if (len < 0) throw new RuntimeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sizes.join(', ')}]`);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new RuntimeError(
        `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
      );
    }
    let s = 0;
    for (const len of sizes) {
      out.push(narrow(x, d, s, len));
      s += len;
    }
    return out;
  }
  const size = splitSize as number;
  checkInt('split_size', size);
  if (size === 0 && n !== 0) {
    throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
  }
  if (size < 0) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${size}`);
  if (n === 0) return [narrow(x, d, 0, 0)];
  for (let s = 0; s < n; s += size) out.push(narrow(x, d, s, Math.min(size, n - s)));
  return out;
}

/**
 * Removes `dim`, returning its slices (views), like `torch.unbind`.
 * See https://pytorch.org/docs/1.13/generated/torch.unbind.html
 * @example const steps = torch.unbind(seq, 0); // [T, B, H] -> T tensors of [B, H]
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  input('unbind', x);
  const d = normDim(dim, x.dim());
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}

// ---------------------------------------------------------------- cat / stack

const catOp = defineOp({
  name: 'cat',
  nodeName: 'CatBackward0',
  forward(ctx: OpCtx<{ sizes: number[]; dim: number }>, xs: Tensor[], dim: number, dtype: DType) {
    const first = xs.find((x) => !(x.dim() === 1 && x.shape[0] === 0)) ?? xs[0]!;
    const shape = first.shape.slice();
    let total = 0;
    const sizes: number[] = [];
    xs.forEach((x) => {
      const skip = x.dim() === 1 && x.shape[0] === 0 && first.dim() !== 1;
      sizes.push(skip ? 0 : x.shape[dim]!);
      if (!skip) total += x.shape[dim]!;
    });
    shape[dim] = total;
    const out = emptyTensor(shape, dtype);
    let off = 0;
    xs.forEach((x, i) => {
      const len = sizes[i]!;
      if (len === 0) return;
      const g = sliceGeom(out.shape, out.strides, 0, dim, off, len, 1);
      backend().copy(viewOf(x), { data: out.storage.data, shape: g.shape, strides: g.strides, offset: g.offset });
      off += len;
    });
    ctx.sizes = sizes;
    ctx.dim = dim;
    return out;
  },
  backward(ctx, [gy]) {
    const sizes = ctx.sizes;
    let off = 0;
    return sizes.map((len) => {
      const g = narrow(gy!, ctx.dim, off, len);
      off += len;
      return len === 0 ? null : g;
    });
  },
});

/**
 * Concatenates along `dim`, like `torch.cat`.
 * See https://pytorch.org/docs/1.13/generated/torch.cat.html
 * @example torch.cat([torch.zeros(2, 3), torch.ones(1, 3)]).shape // [3, 3]
 */
export function cat(xs: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(xs)) throw new TypeError(`cat(): argument 'tensors' must be an array of Tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new RuntimeError('torch.cat(): expected a non-empty list of Tensors');
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${describeValue(x)}`);
  });
  // PyTorch parity: 1-D empty tensors are skipped (legacy behaviour)
  const ref = xs.find((x) => !(x.dim() === 1 && x.shape[0] === 0)) ?? xs[0]!;
  if (ref.dim() === 0) throw new RuntimeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim(dim, ref.dim());
  let dtype = xs[0]!.dtype;
  xs.forEach((x, i) => {
    dtype = promote(dtype, x.dtype);
    if (x.dim() === 1 && x.shape[0] === 0 && ref.dim() !== 1) return;
    if (x.dim() !== ref.dim()) {
      throw new RuntimeError(
        `Tensors must have same number of dimensions: got ${ref.dim()} and ${x.dim()}`,
      );
    }
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && x.shape[k] !== ref.shape[k]) {
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${x.shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
  });
  return catOp(xs.slice(), d, dtype);
}


/**
 * Stacks equal-shaped tensors along a new dim, like `torch.stack`.
 * See https://pytorch.org/docs/1.13/generated/torch.stack.html
 * @example torch.stack([a, b], 1) // a, b: [2, 3] -> [2, 2, 3]
 */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(xs as unknown)) throw new TypeError(`stack(): argument 'tensors' must be an array of Tensors, got ${describeValue(xs)}`);
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${describeValue(x)}`);
  });
  if (xs.length === 0) throw new RuntimeError('stack expects a non-empty TensorList');
  const ref = xs[0]!;
  xs.forEach((x, i) => {
    if (x.dim() !== ref.dim() || x.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RuntimeError(
        `stack expects each tensor to be equal size, but got [${ref.shape.join(', ')}] at entry 0 and [${x.shape.join(', ')}] at entry ${i}`,
      );
    }
  });
  const d = normDim(dim, ref.dim() + 1, false);
  return cat(
    xs.map((x) => unsqueeze(x, d)),
    d,
  );
}

// ---------------------------------------------------------------- methods

import type { MethodTable } from '../tensor/methods.js';
import { sizesArg } from './util.js';

/** Sizes or dims given as varargs or as one array: `view(2, 3)` or `view([2, 3])`. */
export type Sizes = (number | readonly number[])[];

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * A view with a new shape (sizes as varargs or one array; one may be -1), like `Tensor.view`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.view.html
     * @example torch.arange(6).view(2, 3); x.view([-1])
     */
    view(...shape: Sizes): Tensor;
    /**
     * A view when possible, else a copy, like `Tensor.reshape`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.reshape.html
     * @example torch.arange(6).view(2, 3).t().reshape(-1) // tensor([0, 3, 1, 4, 2, 5]), a copy
     */
    reshape(...shape: Sizes): Tensor;
    /**
     * Reorders dims (a view), like `Tensor.permute`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.permute.html
     * @example torch.zeros(2, 3, 4).permute(2, 0, 1).shape // [4, 2, 3]
     */
    permute(...dims: Sizes): Tensor;
    /**
     * Swaps two dims (a view).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.transpose.html
     * @example torch.zeros(5, 3, 10).transpose(0, 1).shape // [3, 5, 10]
     */
    transpose(dim0: number, dim1: number): Tensor;
    /**
     * 2-D transpose (a view).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.t.html
     * @example torch.zeros(2, 3).t().shape // [3, 2]
     */
    t(): Tensor;
    /**
     * Broadcasts size-1 dims (a view); -1 keeps a size.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.expand.html
     * @example torch.zeros(3, 1).expand(3, 4).shape // [3, 4]
     */
    expand(...shape: Sizes): Tensor;
    /**
     * Expands to `other`'s shape.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.expand_as.html
     * @example bias.unsqueeze(0).expandAs(out)
     */
    expandAs(other: Tensor): Tensor;
    /**
     * Adds a size-1 dim.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.unsqueeze.html
     * @example torch.zeros(3).unsqueeze(0).shape // [1, 3]
     */
    unsqueeze(dim: number): Tensor;
    /**
     * Removes size-1 dims.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.squeeze.html
     * @example torch.zeros(1, 3, 1).squeeze(-1).shape // [1, 3]
     */
    squeeze(dim?: number): Tensor;
    /**
     * Flattens a range of dims.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.flatten.html
     * @example torch.zeros(2, 3, 4).flatten(1).shape // [2, 12]
     */
    flatten(startDim?: number, endDim?: number): Tensor;
    /**
     * Splits one dim into several.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.unflatten.html
     * @example torch.zeros(2, 12).unflatten(1, [3, 4]).shape // [2, 3, 4]
     */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /**
     * Selects one index along `dim` (a view without that dim); negative index allowed.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.select.html
     * @example const last = out.select(1, -1); // PyTorch's out[:, -1]
     */
    select(dim: number, index: number): Tensor;
    /**
     * `length` elements from `start` along `dim` (a view).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.narrow.html
     * @example torch.arange(10).narrow(0, 2, 3) // tensor([2, 3, 4])
     */
    narrow(dim: number, start: number, length: number): Tensor;
    /**
     * Python slice `start:stop:step` along `dim` (a view).
     * See https://pytorch.org/docs/1.13/tensor_view.html
     * @example torch.arange(10).slice(0, 1, null, 3) // tensor([1, 4, 7]), PyTorch's x[1::3]
     */
    slice(dim: number, start?: number | null, stop?: number | null, step?: number): Tensor;
    /**
     * Splits into `chunks` views along `dim`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.chunk.html
     * @example const [i, f, g, o] = gates.chunk(4, 1);
     */
    chunk(chunks: number, dim?: number): Tensor[];
    /**
     * Splits into views of `splitSize` (or given sizes) along `dim`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.split.html
     * @example const [a, b] = torch.zeros(4, 5).split([2, 3], 1);
     */
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    /**
     * Slices along `dim` as a list of views.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.unbind.html
     * @example for (const step of seq.unbind(0)) console.log(step.shape);
     */
    unbind(dim?: number): Tensor[];
    /**
     * A contiguous tensor with the same values (itself when already contiguous).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.contiguous.html
     * @example torch.zeros(2, 3).t().contiguous().isContiguous() // true
     */
    contiguous(): Tensor;
    /**
     * A copy with its own storage.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.clone.html
     * @example const snapshot = w.clone();
     */
    clone(): Tensor;
    /**
     * Cut from the graph, sharing storage.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.detach.html
     * @example const target = pred.detach();
     */
    detach(): Tensor;
    /**
     * Converts to float32.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.float.html
     * @example torch.arange(3).float()
     */
    float(): Tensor;
    /**
     * Converts to float64.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.double.html
     * @example x.double()
     */
    double(): Tensor;
    /**
     * Converts to int64.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.long.html
     * @example torch.tensor([1.7]).long() // tensor([1])
     */
    long(): Tensor;
    /**
     * Converts to int32.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.int.html
     * @example lengths.int()
     */
    int(): Tensor;
    /**
     * Converts to bool.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bool.html
     * @example torch.tensor([0, 2]).bool() // tensor([False,  True])
     */
    bool(): Tensor;
    /**
     * Converts to float16 (round to nearest even).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.half.html
     * @example torch.tensor([0.1]).half() // tensor([0.1000], dtype=torch.float16)
     */
    half(): Tensor;
    /**
     * Converts to bfloat16 (round to nearest even).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bfloat16.html
     * @example torch.tensor([0.1]).bfloat16() // tensor([0.1001], dtype=torch.bfloat16)
     */
    bfloat16(): Tensor;
    /**
     * Converts to int16 (truncating toward zero, wrapping around).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.short.html
     * @example torch.tensor([40000]).short() // tensor([-25536], dtype=torch.int16)
     */
    short(): Tensor;
    /**
     * Converts to int8 (truncating toward zero, wrapping around).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.char.html
     * @example torch.tensor([200]).char() // tensor([-56], dtype=torch.int8)
     */
    char(): Tensor;
    /**
     * Converts to uint8 (truncating toward zero, wrapping around).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.byte.html
     * @example torch.tensor([-1]).byte() // tensor([255], dtype=torch.uint8)
     */
    byte(): Tensor;
    /**
     * Same as `view(other.shape)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.view_as.html
     * @example y.viewAs(x)
     */
    viewAs(other: Tensor): Tensor;
    /**
     * Same as `reshape(other.shape)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.reshape_as.html
     * @example y.reshapeAs(x)
     */
    reshapeAs(other: Tensor): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const movementMethods: MethodTable = {
  view(this: Tensor, ...s: Sizes) {
    return view(this, sizesArg(s));
  },
  reshape(this: Tensor, ...s: Sizes) {
    return reshape(this, sizesArg(s));
  },
  permute(this: Tensor, ...d: Sizes) {
    return permute(this, sizesArg(d));
  },
  transpose(this: Tensor, a: number, b: number) {
    return transpose(this, a, b);
  },
  t(this: Tensor) {
    return t(this);
  },
  expand(this: Tensor, ...s: Sizes) {
    return expand(this, sizesArg(s));
  },
  expandAs(this: Tensor, o: Tensor) {
    return expand(this, input('expand_as', o).shape);
  },
  unsqueeze(this: Tensor, d: number) {
    return unsqueeze(this, d);
  },
  squeeze(this: Tensor, d?: number) {
    return squeeze(this, d);
  },
  flatten(this: Tensor, s?: number, e?: number) {
    return flatten(this, s, e);
  },
  unflatten(this: Tensor, d: number, sizes: readonly number[]) {
    return unflatten(this, d, sizes);
  },
  select(this: Tensor, d: number, i: number) {
    return select(this, d, i);
  },
  narrow(this: Tensor, d: number, s: number, l: number) {
    return narrow(this, d, s, l);
  },
  slice(this: Tensor, d: number, s?: number | null, e?: number | null, step?: number) {
    return slice(this, d, s, e, step);
  },
  chunk(this: Tensor, c: number, d?: number) {
    return chunk(this, c, d);
  },
  split(this: Tensor, s: number | readonly number[], d?: number) {
    return split(this, s, d);
  },
  unbind(this: Tensor, d?: number) {
    return unbind(this, d);
  },
  contiguous(this: Tensor) {
    return contiguous(this);
  },
  clone(this: Tensor) {
    return clone(this);
  },
  detach(this: Tensor) {
    return detach(this);
  },
  float(this: Tensor) {
    return castTo(this, 'float32');
  },
  double(this: Tensor) {
    return castTo(this, 'float64');
  },
  long(this: Tensor) {
    return castTo(this, 'int64');
  },
  int(this: Tensor) {
    return castTo(this, 'int32');
  },
  bool(this: Tensor) {
    return castTo(this, 'bool');
  },
  half(this: Tensor) {
    return castTo(this, 'float16');
  },
  bfloat16(this: Tensor) {
    return castTo(this, 'bfloat16');
  },
  short(this: Tensor) {
    return castTo(this, 'int16');
  },
  char(this: Tensor) {
    return castTo(this, 'int8');
  },
  byte(this: Tensor) {
    return castTo(this, 'uint8');
  },
  viewAs(this: Tensor, o: Tensor) {
    return view(this, input('view_as', o).shape);
  },
  reshapeAs(this: Tensor, o: Tensor) {
    return reshape(this, input('reshape_as', o).shape);
  },
};
