/**
 * Ops that repeat or reorder elements: repeat, repeat_interleave, flip (fliplr, flipud) and roll.
 * Each is composed from movement and indexing ops (expand, reshape, index_select, narrow, cat), so
 * no loop over memory lives here; repeat, flip and roll record PyTorch's node (RepeatBackward0,
 * FlipBackward0, RollBackward0) with a backward made of differentiable ops, and repeat_interleave
 * is index_select, as in PyTorch.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { IndexError, RuntimeError } from '../errors.js';
import { scalarTypeName } from '../tensor/dtype.js';
import { arange, full, zeros } from '../tensor/factories.js';
import type { MethodTable } from '../tensor/methods.js';
import { Tensor, normDim } from '../tensor/tensor.js';
import { checkOptions, describeValue, isPlainObject } from '../validate.js';
import { indexAdd, indexSelect } from './indexing.js';
import { cat, clone, narrow, type Sizes } from './movement.js';
import { cumsum } from './reduce.js';
import { checkSizes, checkTensor } from './util.js';

/** `x.size(dim)` with ATen's errors (a 0-d tensor has no dims to ask about). */
function dimSize(x: Tensor, dim: number): number {
  if (x.dim() === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  return x.shape[normDim(dim, x.dim())]!;
}

/** An int list argument given as varargs or one array, with PyTorch's message for a non-integer. */
function intArgs(fn: string, name: string, kind: string, args: readonly unknown[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return list.map((v) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const py = typeof v === 'number' ? 'float' : typeof v === 'boolean' ? 'bool' : describeValue(v);
    throw new TypeError(`${fn}(): argument '${name}' (position 1) must be tuple of ${kind}, not ${py}`);
  });
}

/** Normalised dims with PyTorch's error for a dim given twice (flip, unique). */
function distinctDims(dims: readonly number[], ndim: number): number[] {
  const out = dims.map((d) => normDim(d, ndim));
  out.forEach((d, i) => {
    if (out.indexOf(d) !== i) throw new RuntimeError(`dim ${d} appears multiple times in the list of dims`);
  });
  return out;
}

// ---------------------------------------------------------------- repeat

const repeatOp = defineOp({
  name: 'repeat',
  nodeName: 'RepeatBackward0',
  forward(ctx: OpCtx<{ inShape: readonly number[]; repeats: number[] }>, x: Tensor, repeats: number[]) {
    const padded = [...Array<number>(repeats.length - x.dim()).fill(1), ...x.shape];
    // [1, d0, 1, d1, ...] expanded to [r0, d0, r1, d1, ...], then merged pairwise
    const pairs = padded.flatMap((d) => [1, d]);
    const target = padded.flatMap((d, i) => [repeats[i]!, d]);
    ctx.inShape = x.shape;
    ctx.repeats = repeats;
    const y = x.reshape(pairs).expand(target).reshape(padded.map((d, i) => d * repeats[i]!));
    return y.storage === x.storage ? clone(y) : y; // a copy, as PyTorch's
  },
  backward(ctx, [gy]) {
    const { inShape, repeats } = ctx;
    const padded = [...Array<number>(repeats.length - inShape.length).fill(1), ...inShape];
    const split = padded.flatMap((d, i) => [repeats[i]!, d]);
    const g = gy!.reshape(split).sum(repeats.map((_, i) => 2 * i));
    return [g.reshape(inShape)];
  },
});

/**
 * `x` tiled `sizes[i]` times along each dim (sizes as varargs or one array; more sizes than dims
 * add leading dims), like `Tensor.repeat`. A copy, differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.repeat.html
 * @example torch.tensor([1, 2]).repeat(2, 2) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, ...sizes: Sizes): Tensor {
  checkTensor('input', x);
  if (sizes.length === 0) throw new TypeError('repeat() missing 1 required positional arguments: "repeats"');
  const r = intArgs('repeat', 'repeats', 'SymInts', sizes);
  if (r.length < x.dim()) {
    throw new RuntimeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  const padded = [...Array<number>(r.length - x.dim()).fill(1), ...x.shape];
  checkSizes(padded.map((d, i) => d * r[i]!));
  return repeatOp(x, r);
}

// ---------------------------------------------------------------- repeat_interleave

/** The keyword options of `repeat_interleave`. */
export interface RepeatInterleaveOptions {
  /** The total length of the output along the dim (PyTorch's `output_size`); must be the sum of the repeats. */
  outputSize?: number | null;
}

/**
 * `torch.repeat_interleave(repeats)`: position i repeated repeats[i] times, with ATen's checks.
 * Composed: a cumulative sum marks where each run starts (a segment id per output position).
 */
function runIds(repeats: Tensor, outputSize: number | null | undefined): Tensor {
  if (repeats.dim() !== 1) throw new RuntimeError('repeat_interleave only accept 1D vector as repeat');
  if (repeats.dtype !== 'int64' && repeats.dtype !== 'int32') throw new RuntimeError(`"repeat_interleave_cpu" not implemented for '${scalarTypeName(repeats.dtype)}'`);
  const m = repeats.shape[0]!;
  if (m === 0) return zeros([0], { dtype: repeats.dtype });
  const ends = cumsum(repeats, 0);
  const sum = ends.select(0, -1).item();
  const negative = (): boolean => repeats.min().item() < 0;
  let total: number;
  if (outputSize !== undefined && outputSize !== null) {
    total = outputSize;
    if (total !== sum) throw new RuntimeError('allocated size does not match required size');
    if (negative()) throw new RuntimeError('repeats can not be negative');
  } else {
    if (negative()) throw new RuntimeError('repeats can not be negative');
    total = sum;
  }
  // one mark at the start of each run after the first (at `total` for empty trailing runs), summed up
  const starts = ends.narrow(0, 0, m - 1).to('int64');
  const marks = indexAdd(zeros([total + 1], { dtype: 'int64' }), 0, starts, full([m - 1], 1, { dtype: 'int64' }));
  return cumsum(marks, 0).narrow(0, 0, total).to(repeats.dtype);
}

function outputSizeOpt(opts: unknown): number | null | undefined {
  const { outputSize } = checkOptions<RepeatInterleaveOptions>('repeat_interleave()', opts, ['outputSize']);
  if (outputSize !== undefined && outputSize !== null && (typeof outputSize !== 'number' || !Number.isInteger(outputSize))) {
    throw new TypeError(`repeat_interleave(): argument 'output_size' must be int, not ${describeValue(outputSize)}`);
  }
  return outputSize;
}

/**
 * Each element repeated `repeats` times (a number, or an int64/int32 tensor with one count per
 * element along `dim` or a single count), along `dim`, or over the flattened input when `dim` is
 * omitted, like `torch.repeat_interleave`. With a single tensor argument,
 * `torch.repeatInterleave(repeats)` gives `i` repeated `repeats[i]` times. Differentiable in the
 * input (IndexSelectBackward0, as in PyTorch).
 * See https://pytorch.org/docs/1.13/generated/torch.repeat_interleave.html
 * @example torch.repeatInterleave(torch.tensor([[1, 2], [3, 4]]), torch.tensor([1, 2]), 0) // [[1, 2], [3, 4], [3, 4]]
 */
export function repeatInterleave(repeats: Tensor, opts?: RepeatInterleaveOptions): Tensor;
export function repeatInterleave(input: Tensor, repeats: number | Tensor, dim?: number | null, opts?: RepeatInterleaveOptions): Tensor;
export function repeatInterleave(input: Tensor, repeats?: number | Tensor | RepeatInterleaveOptions, dim?: number | null, opts?: RepeatInterleaveOptions): Tensor {
  checkTensor('input', input);
  if (repeats === undefined || isPlainObject(repeats)) return runIds(input, outputSizeOpt(repeats));
  const outputSize = outputSizeOpt(opts);
  let x = input;
  let d = 0;
  if (dim === undefined || dim === null) x = input.reshape(-1);
  else {
    if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`repeat_interleave(): argument 'dim' must be int, not ${describeValue(dim)}`);
    dimSize(input, dim);
    d = normDim(dim, input.dim());
  }
  const n = x.shape[d]!;
  let r: Tensor;
  if (typeof repeats === 'number') {
    if (!Number.isInteger(repeats)) throw new TypeError(`repeat_interleave(): argument 'repeats' must be Tensor or int, not ${describeValue(repeats)}`);
    r = full([n], repeats, { dtype: 'int64' });
  } else {
    const rt = checkTensor('repeats', repeats);
    if (rt.dim() === 0 || (rt.dim() === 1 && rt.shape[0] === 1)) r = rt.reshape(1).expand(n);
    else if (rt.dim() === 1) {
      if (rt.shape[0] !== n) throw new RuntimeError('repeats must have the same size as input along dim');
      r = rt;
    } else throw new RuntimeError('repeats must be 0-dim or 1-dim tensor');
  }
  return indexSelect(x, d, runIds(r, outputSize));
}

// ---------------------------------------------------------------- flip

const flipOp: (x: Tensor, dims: number[]) => Tensor = defineOp({
  name: 'flip',
  nodeName: 'FlipBackward0',
  forward(ctx: OpCtx<{ dims: number[] }>, x: Tensor, dims: number[]) {
    ctx.dims = dims;
    let y = x;
    for (const d of dims) {
      const n = x.shape[d]!;
      if (n > 1) y = indexSelect(y, d, arange(n - 1, -1, -1));
    }
    return y === x ? clone(x) : y;
  },
  backward(ctx, [gy]) {
    return [flipOp(gy!, ctx.dims)];
  },
});

/**
 * `x` with the order of its elements reversed along each of `dims` (a copy), like `torch.flip`.
 * See https://pytorch.org/docs/1.13/generated/torch.flip.html
 * @example torch.flip(torch.tensor([[1, 2], [3, 4]]), [0, 1]) // [[4, 3], [2, 1]]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('input', x);
  if (dims === undefined) throw new TypeError('flip() missing 1 required positional arguments: "dims"');
  const list = intArgs('flip', 'dims', 'ints', [dims]);
  return flipOp(x, distinctDims(list, x.dim()));
}

/**
 * `x` flipped left to right (its dim 1), like `torch.fliplr`; `x` must have at least 2 dims.
 * See https://pytorch.org/docs/1.13/generated/torch.fliplr.html
 * @example torch.fliplr(torch.tensor([[1, 2], [3, 4]])) // [[2, 1], [4, 3]]
 */
export function fliplr(x: Tensor): Tensor {
  checkTensor('input', x);
  if (x.dim() < 2) throw new RuntimeError('Input must be >= 2-d.');
  return flipOp(x, [1]);
}

/**
 * `x` flipped upside down (its dim 0), like `torch.flipud`; `x` must have at least 1 dim.
 * See https://pytorch.org/docs/1.13/generated/torch.flipud.html
 * @example torch.flipud(torch.tensor([[1, 2], [3, 4]])) // [[3, 4], [1, 2]]
 */
export function flipud(x: Tensor): Tensor {
  checkTensor('input', x);
  if (x.dim() < 1) throw new RuntimeError('Input must be >= 1-d.');
  return flipOp(x, [0]);
}

// ---------------------------------------------------------------- roll

/** roll along one dim: the last `shift` elements (mod size) move to the front (PyTorch's roll_cpu). */
function rollOne(x: Tensor, shift: number, dim: number): Tensor {
  if (x.numel() === 0) return clone(x);
  const size = dimSize(x, dim);
  let start = (size - shift) % size;
  if (start < 0) start += size;
  return cat([narrow(x, dim, start, size - start), narrow(x, dim, 0, start)], dim);
}

const rollOp: (x: Tensor, shifts: number[], dims: number[]) => Tensor = defineOp({
  name: 'roll',
  nodeName: 'RollBackward0',
  forward(ctx: OpCtx<{ shifts: number[]; dims: number[] }>, x: Tensor, shifts: number[], dims: number[]) {
    ctx.shifts = shifts;
    ctx.dims = dims;
    if (dims.length === 0) return rollOne(x.reshape(-1), shifts[0]!, 0).view(x.shape);
    return dims.reduce((y, d, i) => rollOne(y, shifts[i]!, d), x);
  },
  backward(ctx, [gy]) {
    return [rollOp(gy!, ctx.shifts.map((s) => -s), ctx.dims)];
  },
});

/**
 * `x` with its elements shifted by `shifts` along `dims` (elements past the end come back at the
 * start), like `torch.roll`. `shifts` and `dims` are numbers or equal-length arrays; without `dims`
 * the tensor is rolled flattened and keeps its shape. A copy, differentiable.
 * See https://pytorch.org/docs/1.13/generated/torch.roll.html
 * @example torch.roll(torch.tensor([1, 2, 3, 4]), 1) // [4, 1, 2, 3]
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims: number | readonly number[] | null = null): Tensor {
  checkTensor('input', x);
  const s = intArgs('roll', 'shifts', 'ints', [shifts]);
  const d = dims === null || dims === undefined ? [] : intArgs('roll', 'dims', 'ints', [dims]);
  if (s.length === 0) throw new RuntimeError('`shifts` required');
  if (!(d.length === 0 && s.length === 1) && s.length !== d.length) {
    throw new RuntimeError(`shifts and dimensions must align. shifts: ${s.length}, dims:${d.length}`);
  }
  // PyTorch parity: roll_cpu returns an empty input's copy before it looks at the dims
  if (x.numel() === 0) return rollOp(x, s, d);
  return rollOp(x, s, d.map((dim) => (dimSize(x, dim), normDim(dim, x.dim()))));
}

// ---------------------------------------------------------------- methods

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Tiled `sizes[i]` times along each dim (varargs or one array), like `Tensor.repeat`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.repeat.html
     * @example torch.tensor([1, 2]).repeat(3) // tensor([1, 2, 1, 2, 1, 2])
     */
    repeat(...sizes: Sizes): Tensor;
    /**
     * Each element repeated `repeats` times along `dim` (flattened without `dim`), like
     * `Tensor.repeat_interleave`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.repeat_interleave.html
     * @example torch.tensor([1, 2]).repeatInterleave(2) // tensor([1, 1, 2, 2])
     */
    repeatInterleave(repeats: number | Tensor, dim?: number | null, opts?: RepeatInterleaveOptions): Tensor;
    /**
     * Reversed along `dims` (varargs or one array), like `Tensor.flip`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.flip.html
     * @example x.flip(0); x.flip([0, 1])
     */
    flip(...dims: Sizes): Tensor;
    /**
     * Flipped left to right, like `Tensor.fliplr`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.fliplr.html
     * @example x.fliplr()
     */
    fliplr(): Tensor;
    /**
     * Flipped upside down, like `Tensor.flipud`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.flipud.html
     * @example x.flipud()
     */
    flipud(): Tensor;
    /**
     * Elements shifted by `shifts` along `dims` (flattened without `dims`), like `Tensor.roll`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.roll.html
     * @example x.roll(1, 0); x.roll([1, -1], [0, 1])
     */
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const reorderMethods: MethodTable = {
  repeat(this: Tensor, ...sizes: Sizes) {
    return repeat(this, ...sizes);
  },
  repeatInterleave(this: Tensor, repeats: number | Tensor, dim?: number | null, opts?: RepeatInterleaveOptions) {
    if (repeats === undefined) throw new TypeError('repeat_interleave() missing 1 required positional argument: "repeats"');
    return repeatInterleave(this, repeats, dim, opts);
  },
  flip(this: Tensor, ...dims: Sizes) {
    if (dims.length === 0) throw new TypeError('flip() missing 1 required positional arguments: "dims"');
    return flip(this, dims.length === 1 ? dims[0]! : (dims as number[]));
  },
  fliplr(this: Tensor) {
    return fliplr(this);
  },
  flipud(this: Tensor) {
    return flipud(this);
  },
  roll(this: Tensor, shifts: number | readonly number[], dims: number | readonly number[] | null = null) {
    return roll(this, shifts, dims);
  },
};
