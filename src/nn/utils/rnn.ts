/**
 * `torch.nn.utils.rnn`: `PackedSequence` and the functions that build and undo it
 * (pack_padded_sequence, pad_packed_sequence, pad_sequence, pack_sequence, unpad_sequence,
 * unpack_sequence, invert_permutation), with PyTorch 1.13's semantics and messages.
 *
 * Layout, as in PyTorch: a packed `data` holds time step 0 of every sequence, then time step 1 of
 * the sequences still running, and so on; `batchSizes[t]` counts the rows of step t, sequences
 * sorted by decreasing length. Packing and padding are two autograd ops (`pack` and `pad`) whose
 * backwards are each other; each copies whole blocks of steps with one backend `copy` per run of
 * equal batch sizes, as ATen's `_pack_padded_sequence` and `_pad_packed_sequence` do.
 * See https://pytorch.org/docs/1.13/nn.html#utilities-functions
 */
import { checkOptions, describeValue, isPlainObject } from '../../validate.js';
import type { ToOptions } from '../../ops/convert.js';
import type { DeviceLike } from '../../tensor/device.js';
import type { View } from '../../backends/backend.js';
import { defineOp } from '../../autograd/function.js';
import type { OpCtx } from '../../autograd/node.js';
import { IndexError, RuntimeError, ValueError } from '../../errors.js';
import { type DType, castValue, isFloating } from '../../tensor/dtype.js';
import { emptyTensor, wrapArray } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import { backend, broadcastShapes, broadcastView, checkTensor, truncRaw, viewOf } from '../../ops/util.js';
import { routine } from '../../backends/routine.js';
import { clone, narrow, select, transpose, unbind } from '../../ops/movement.js';
import { indexSelect } from '../../ops/indexing.js';
import { sort } from '../../ops/sort.js';

// ---------------------------------------------------------------- small helpers

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function int64(values: readonly number[]): Tensor {
  return wrapArray(Float64Array.from(values), [values.length], 'int64');
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof v}`);
  return v;
}

function checkNum(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${typeof v}`);
  return v;
}

/** The values of a 1-D integer-valued tensor as JS numbers (`what` names it in errors). */
function integerValues(t: Tensor, what: string): number[] {
  const out = Array.from(t.dataSync(), Number);
  for (const v of out) {
    // Deviation: PyTorch truncates non-integer lengths (`torch.as_tensor(lengths, dtype=torch.int64)`)
    if (!Number.isInteger(v)) throw new TypeError(`${what} must hold integers, got ${v}`);
  }
  return out;
}

/** `lengths` (number[] or a tensor) as JS numbers, with ATen's message for a non-1-D tensor. */
function lengthsArray(lengths: unknown): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.dim() !== 1) {
      // PyTorch parity: lengths become int64 before the check, so the message always says Long
      throw new RuntimeError(`'lengths' argument should be a 1D CPU int64 tensor, but got ${lengths.dim()}D cpu Long tensor`);
    }
    return integerValues(lengths, 'lengths');
  }
  if (!Array.isArray(lengths)) {
    throw new TypeError(`lengths must be an array of integers or a 1-D int64 Tensor, got ${lengths === null ? 'null' : typeof lengths}`);
  }
  for (const v of lengths) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`lengths must be an array of integers or a 1-D int64 Tensor, got element ${Array.isArray(v) ? 'array' : String(v)}`);
    }
  }
  return (lengths as number[]).slice();
}

/** ATen's `copy_` shape check of `src` into a destination of shape `dst` (broadcasting `src`). */
function checkCopyShape(dst: readonly number[], src: readonly number[]): void {
  const b = broadcastShapes(dst, src);
  if (b.length !== dst.length || b.some((s, i) => s !== dst[i])) {
    throw new RuntimeError(`output with shape ${fmt(dst)} doesn't match the broadcast shape ${fmt(b)}`);
  }
}

/** `x.size(0)` with ATen's message for a 0-d tensor. */
function size0(x: Tensor): number {
  if (x.dim() === 0) throw new IndexError('Dimension specified as 0 but tensor has no dimensions');
  return x.shape[0]!;
}

// ---------------------------------------------------------------- sorting like torch.sort

/**
 * The permutation `torch.sort(keys, descending=True)` returns on the CPU in PyTorch 1.13, as
 * plain numbers: libstdc++'s `std::sort`, which is not stable (for more than 16 keys, equal keys
 * come out in an order that only this exact algorithm reproduces; ops/sort.ts runs it).
 * `packPaddedSequence` with `enforceSorted: false` uses it, so ties between lengths order the
 * batch exactly as in PyTorch.
 * @internal exported for nn.LSTM and the tests.
 * @example sortDescending([1, 3, 3, 2]) // [1, 2, 3, 0]
 */
export function sortDescending(keys: ArrayLike<number>): number[] {
  const { indices } = sort(wrapArray(Float64Array.from(keys), [keys.length], 'float64'), 0, true);
  return indices.tolist() as number[];
}

// ---------------------------------------------------------------- the two autograd ops

/**
 * Calls `fn(t0, t1, row0)` for each run [t0, t1) of equal batch size, where `row0` is the packed
 * row where step t0 starts.
 */
function forEachRun(sizes: readonly number[], fn: (t0: number, t1: number, bs: number, row0: number) => void): void {
  let row = 0;
  let t = 0;
  while (t < sizes.length) {
    const bs = sizes[t]!;
    let t1 = t + 1;
    while (t1 < sizes.length && sizes[t1] === bs) t1++;
    if (bs > 0) fn(t, t1, bs, row);
    row += (t1 - t) * bs;
    t = t1;
  }
}

/**
 * The view of the packed rows of steps [t0, t1) (bs rows each) of `data` [rows, *rest] as
 * [t1 - t0, bs, *rest]; any strides (gradients are often expanded or transposed views).
 */
function packedBlock(data: View, t0: number, t1: number, bs: number, row0: number): View {
  const s0 = data.strides[0]!;
  return {
    data: data.data,
    shape: [t1 - t0, bs, ...data.shape.slice(1)],
    strides: [bs * s0, s0, ...data.strides.slice(1)],
    offset: data.offset + row0 * s0,
  };
}

/** The view of padded[t0:t1, :bs] of a time-major [T, B, *rest] view. */
function paddedBlock(x: View, t0: number, t1: number, bs: number): View {
  return { data: x.data, shape: [t1 - t0, bs, ...x.shape.slice(2)], strides: x.strides, offset: x.offset + t0 * x.strides[0]! };
}

/**
 * `pack(x, sizes)`: the packed rows of a time-major padded `x` [T, B, *] (any strides; T and B may
 * exceed what `sizes` covers). Backward: `pad` with zeros, so padding positions get exactly 0.
 */
const packOp: (x: Tensor, sizes: readonly number[]) => Tensor = defineOp({
  name: '_pack_padded_sequence',
  nodeName: 'PackPaddedSequenceBackward0',
  forward(ctx: OpCtx<{ inShape: readonly number[]; sizes: readonly number[] }>, x: Tensor, sizes: readonly number[]) {
    ctx.inShape = x.shape;
    ctx.sizes = sizes;
    const rest = x.shape.slice(2);
    let rows = 0;
    for (const s of sizes) rows += s;
    const out = emptyTensor([rows, ...rest], x.dtype);
    const b = backend();
    forEachRun(sizes, (t0, t1, bs, row0) => b.copy(paddedBlock(viewOf(x), t0, t1, bs), packedBlock(viewOf(out), t0, t1, bs, row0)));
    return out;
  },
  backward(ctx, [gy]) {
    const shape = ctx.inShape;
    return [padOp(gy!, ctx.sizes, shape[0]!, shape[1]!, 0)];
  },
});

/**
 * `pad(data, sizes, T, B, value)`: the time-major padded [T, B, *] tensor of packed `data`, filled
 * with `value` where no sequence runs. Backward: `pack`.
 */
const padOp: (data: Tensor, sizes: readonly number[], steps: number, batch: number, value: number) => Tensor = defineOp({
  name: '_pad_packed_sequence',
  // PyTorch parity: 1.13 composes this from full + copy_, so its grad_fn is CopySlices
  nodeName: 'CopySlices',
  forward(ctx: OpCtx<{ sizes: readonly number[] }>, data: Tensor, sizes: readonly number[], steps: number, batch: number, value: number) {
    ctx.sizes = sizes;
    const rest = data.shape.slice(1);
    const out = emptyTensor([steps, batch, ...rest], data.dtype);
    const fill = castValue(data.dtype, value);
    if (fill !== 0) routine('fill')({ out: out.storage.data, value: fill });
    const b = backend();
    forEachRun(sizes, (t0, t1, bs, row0) => b.copy(packedBlock(viewOf(data), t0, t1, bs, row0), paddedBlock(viewOf(out), t0, t1, bs)));
    return out;
  },
  backward(ctx, [gy]) {
    return [packOp(gy!, ctx.sizes), null, null, null, null];
  },
});

/**
 * `pad_sequence` as one op: sequences copied into a [T, B, *] (or [B, T, *]) tensor filled with
 * `value`. Backward: each sequence's gradient is its slot of the output gradient (a view; the
 * engine sums it back over broadcast dims and casts it to the sequence's dtype).
 */
const padSequenceOp: (seqs: Tensor[], batchFirst: boolean, value: number, left: boolean) => Tensor = defineOp({
  name: 'pad_sequence',
  // PyTorch parity: ATen's pad_sequence is full + copy_ into slices, so its grad_fn is CopySlices
  nodeName: 'CopySlices',
  forward(ctx: OpCtx<{ info: { batchFirst: boolean; starts: number[]; lens: number[] } }>, seqs: Tensor[], batchFirst: boolean, value: number, left: boolean) {
    const first = seqs[0]!;
    const rest = first.shape.slice(1);
    let maxLen = 0;
    for (const s of seqs) maxLen = Math.max(maxLen, s.shape[0]!);
    const n = seqs.length;
    const shape = batchFirst ? [n, maxLen, ...rest] : [maxLen, n, ...rest];
    const out = emptyTensor(shape, first.dtype);
    const fill = castValue(first.dtype, value);
    if (fill !== 0) routine('fill')({ out: out.storage.data, value: fill });
    const st = out.strides;
    const slotStrides = [batchFirst ? st[1]! : st[0]!, ...st.slice(2)];
    const starts: number[] = [];
    const b = backend();
    let truncate = false;
    seqs.forEach((s, i) => {
      const len = s.shape[0]!;
      const start = left ? maxLen - len : 0;
      starts.push(start);
      const slotShape = [len, ...rest];
      const slot: View = {
        data: out.storage.data,
        shape: slotShape,
        strides: slotStrides,
        offset: batchFirst ? i * st[0]! + start * st[1]! : start * st[0]! + i * st[1]!,
      };
      b.copy(broadcastView(viewOf(s), slotShape), slot);
      if (isFloating(s.dtype) && first.dtype === 'int64') truncate = true;
    });
    // int64 lives in a Float64Array, so a float copied into it keeps its fraction until truncated
    if (truncate) truncRaw(out);
    ctx.info = { batchFirst, starts, lens: seqs.map((s) => s.shape[0]!) };
    return out;
  },
  backward(ctx, [gy]) {
    const { batchFirst, starts, lens } = ctx.info;
    return lens.map((len, i) => {
      if (!ctx.needsInputGrad[i]) return null;
      return batchFirst ? narrow(select(gy!, 0, i), 0, starts[i]!, len) : select(narrow(gy!, 0, starts[i]!, len), 1, i);
    });
  },
});

// ---------------------------------------------------------------- PackedSequence

/**
 * The inverse of a permutation: `out[perm[i]] = i`, like `torch.nn.utils.rnn.invert_permutation`
 * (null stays null).
 * See https://github.com/pytorch/pytorch/blob/v1.13.1/torch/nn/utils/rnn.py
 * @example invertPermutation(torch.tensor([2, 0, 1])) // tensor([1, 2, 0])
 */
export function invertPermutation(permutation: Tensor | null | undefined): Tensor | null {
  if (permutation === null || permutation === undefined) return null;
  checkTensor('permutation', permutation);
  if (permutation.dtype !== 'int64') throw new RuntimeError('scatter(): Expected dtype int64 for index');
  if (permutation.dim() > 1) throw new RuntimeError(`invert_permutation: expected a 1-D permutation, got shape ${fmt(permutation.shape)}`);
  const p = permutation.dataSync();
  const n = p.length;
  const out = new Float64Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const j = p[i]!;
    if (j < 0 || j >= n) throw new RuntimeError(`index ${j} is out of bounds for dimension 0 with size ${n}`);
    // Deviation: PyTorch leaves uninitialised memory where a value repeats; torchlet refuses
    if (out[j] !== -1) throw new RuntimeError(`invert_permutation: ${j} appears twice in the permutation`);
    out[j] = i;
  }
  return wrapArray(out, permutation.shape, 'int64');
}

function checkIndices(name: string, t: unknown, batch: number): Tensor | null {
  if (t === null || t === undefined) return null;
  if (!(t instanceof Tensor)) throw new TypeError(`PackedSequence: ${name} must be a Tensor or null, got ${typeof t}`);
  if (t.dtype !== 'int64' || t.dim() !== 1 || t.shape[0] !== batch) {
    throw new ValueError(
      `PackedSequence: ${name} must be a 1-D int64 tensor with batch_sizes[0] = ${batch} elements, got ${t.dtype} of shape ${fmt(t.shape)}`,
    );
  }
  return t;
}

/**
 * A batch of variable-length sequences packed time step by time step, like
 * `torch.nn.utils.rnn.PackedSequence`: `data` [sum(batchSizes), *], `batchSizes` (int64, how
 * many sequences run at each step), and, when the batch was sorted for packing, `sortedIndices`
 * (original index of each packed column) and `unsortedIndices` (its inverse), else null.
 *
 * Build one with `packPaddedSequence` or `packSequence`. The constructor is for code such as
 * recurrent layers that produce packed output; it checks that the parts fit together
 * (Deviation: PyTorch checks nothing). `batchSizesArray` gives the batch sizes as plain numbers.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.PackedSequence.html
 * @example const p = new PackedSequence(torch.randn(3, 2), torch.tensor([2, 1]));
 */
export class PackedSequence {
  /** The packed rows [sum(batchSizes), *]. */
  readonly data: Tensor;
  /** int64 [T]: the number of sequences still running at each time step (non-increasing). */
  readonly batchSizes: Tensor;
  /** int64 [B] or null: the original batch index of each packed column. */
  readonly sortedIndices: Tensor | null;
  /** int64 [B] or null: the inverse of `sortedIndices`. */
  readonly unsortedIndices: Tensor | null;
  private _sizes: { version: number; values: readonly number[] } | null = null;

  /**
   * `batchSizes` may be an int64 tensor or a number array; `unsortedIndices` defaults to the
   * inverse of `sortedIndices`.
   */
  constructor(data: Tensor, batchSizes: Tensor | readonly number[], sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    checkTensor('data', data);
    let sizes: Tensor;
    if (batchSizes instanceof Tensor) sizes = batchSizes;
    else if (Array.isArray(batchSizes)) {
      for (const v of batchSizes) {
        if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`PackedSequence: batch_sizes must hold integers, got ${String(v)}`);
      }
      sizes = int64(batchSizes);
    } else throw new TypeError(`PackedSequence: batch_sizes must be an int64 Tensor or an array of integers, got ${typeof batchSizes}`);
    if (sizes.dtype !== 'int64' || sizes.dim() !== 1) {
      throw new ValueError(`PackedSequence: batch_sizes must be a 1-D int64 tensor, got ${sizes.dtype} of shape ${fmt(sizes.shape)}`);
    }
    const values = Array.from(sizes.dataSync(), Number);
    let total = 0;
    values.forEach((v, t) => {
      if (v <= 0 || (t > 0 && v > values[t - 1]!)) {
        throw new ValueError(`PackedSequence: batch_sizes must be positive and non-increasing, got ${fmt(values)}`);
      }
      total += v;
    });
    if (data.dim() === 0 || data.shape[0] !== total) {
      throw new ValueError(`PackedSequence: data.size(0) must equal sum(batch_sizes) = ${total}, got data of shape ${fmt(data.shape)}`);
    }
    const batch = values[0] ?? 0;
    this.data = data;
    this.batchSizes = sizes;
    this.sortedIndices = checkIndices('sorted_indices', sortedIndices, batch);
    this.unsortedIndices = checkIndices('unsorted_indices', unsortedIndices, batch) ?? invertPermutation(this.sortedIndices);
    this._sizes = { version: sizes.version, values: Object.freeze(values) };
  }

  /**
   * `batchSizes` as plain numbers, cached (recomputed only if the tensor was changed in place).
   * Recurrent layers read this instead of the tensor: step t runs on the first `batchSizesArray[t]`
   * rows of that step's block of `data`.
   * @example pack.batchSizesArray // [3, 2, 1]
   */
  get batchSizesArray(): readonly number[] {
    const v = this.batchSizes.version;
    if (this._sizes === null || this._sizes.version !== v) {
      this._sizes = { version: v, values: Object.freeze(Array.from(this.batchSizes.dataSync(), Number)) };
    }
    return this._sizes.values;
  }

  /** Always false: torchlet tensors live in host memory. */
  get isCuda(): boolean {
    return false;
  }

  /**
   * This sequence with `data` converted, like `PackedSequence.to`: the arguments are
   * `Tensor.to`'s (`to(dtype)`, `to(device, dtype?)`, `to(otherTensor)`, `to({ dtype, device,
   * copy })`). Returns this same object when `data.to(...)` returns `data` itself; otherwise a new
   * sequence whose `sortedIndices` / `unsortedIndices` are moved to data's device (keeping their
   * int64 dtype; `copy` and `nonBlocking` apply to them too) and whose `batchSizes` stays as it is.
   * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.PackedSequence.html
   * @example pack.to('float64'); pack.to(torch.device('cpu')); pack.to(otherTensor)
   */
  to(dtype: DType, opts?: ToOptions): PackedSequence;
  to(device: DeviceLike, dtype?: DType | null, opts?: ToOptions): PackedSequence;
  to(tensor: Tensor, opts?: ToOptions): PackedSequence;
  to(opts: ToOptions): PackedSequence;
  to(...args: unknown[]): PackedSequence {
    const data = (this.data.to as (...a: unknown[]) => Tensor)(...args);
    if (data === this.data) return this;
    // PyTorch: the index tensors follow data's device with the keywords other than dtype and device
    const last = args[args.length - 1];
    const kw: ToOptions = {};
    if (isPlainObject(last)) {
      const o = last as ToOptions;
      if (o.copy !== undefined) kw.copy = o.copy;
      if (o.nonBlocking !== undefined) kw.nonBlocking = o.nonBlocking;
    }
    const move = (t: Tensor | null): Tensor | null => t && t.to(data.device, null, kw);
    return new PackedSequence(data, this.batchSizes, move(this.sortedIndices), move(this.unsortedIndices));
  }

  /**
   * This sequence in host memory, like `PackedSequence.cpu` (`to('cpu')`: this same object when
   * `data` is already there).
   * @example pack.cpu() === pack // true
   */
  cpu(): PackedSequence {
    return this.to('cpu');
  }

  /**
   * `to('cuda')`, like `PackedSequence.cuda`: without CUDA, PyTorch's
   * `AssertionError: Torch not compiled with CUDA enabled`.
   * @example if (torch.cuda.isAvailable()) pack = pack.cuda();
   */
  cuda(): PackedSequence {
    return this.to('cuda');
  }

  /** `to('float32')`, like `PackedSequence.float`. @example pack.float() */
  float(): PackedSequence {
    return this.to('float32');
  }

  /** `to('float64')`, like `PackedSequence.double`. @example pack.double() */
  double(): PackedSequence {
    return this.to('float64');
  }

  /** `to('float16')`, like `PackedSequence.half`. @example pack.half() */
  half(): PackedSequence {
    return this.to('float16');
  }

  /** `to('int64')`, like `PackedSequence.long`. @example pack.long() */
  long(): PackedSequence {
    return this.to('int64');
  }

  /** `to('int32')`, like `PackedSequence.int`. @example pack.int() */
  int(): PackedSequence {
    return this.to('int32');
  }

  /** `to('int16')`, like `PackedSequence.short`. @example pack.short() */
  short(): PackedSequence {
    return this.to('int16');
  }

  /** `to('int8')`, like `PackedSequence.char`. @example pack.char() */
  char(): PackedSequence {
    return this.to('int8');
  }

  /** `to('uint8')`, like `PackedSequence.byte`. @example pack.byte() */
  byte(): PackedSequence {
    return this.to('uint8');
  }

  /** PyTorch's namedtuple repr: `PackedSequence(data=tensor(...), batch_sizes=..., ...)`. */
  toString(): string {
    const opt = (t: Tensor | null): string => (t === null ? 'None' : String(t));
    return (
      `PackedSequence(data=${String(this.data)}, batch_sizes=${String(this.batchSizes)}, ` +
      `sorted_indices=${opt(this.sortedIndices)}, unsorted_indices=${opt(this.unsortedIndices)})`
    );
  }
}

// ---------------------------------------------------------------- pack / pad

/** Options of `packPaddedSequence`. */
export interface PackPaddedSequenceOptions {
  /** Input is [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
  /** Require lengths sorted in decreasing order (else sort them and record the order). Default true. */
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch [T, B, *] (or [B, T, *] with `batchFirst`) of sequences with the given
 * `lengths`, like `torch.nn.utils.rnn.pack_padded_sequence`. Gradients flow back to the valid
 * positions of `input` (padding gets exactly 0).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_padded_sequence.html
 * @example const p = packPaddedSequence(x, [4, 2, 1]); // x: [4, 3, *]
 */
export function packPaddedSequence(input: Tensor, lengths: readonly number[] | Tensor, opts: PackPaddedSequenceOptions = {}): PackedSequence {
  checkTensor('input', input);
  opts = checkOptions<PackPaddedSequenceOptions>('packPaddedSequence()', opts, ['batchFirst', 'enforceSorted']);
  const batchFirst = checkBool('batchFirst', opts.batchFirst === undefined ? false : opts.batchFirst);
  const enforceSorted = checkBool('enforceSorted', opts.enforceSorted === undefined ? true : opts.enforceSorted);
  let lens = lengthsArray(lengths);
  let sortedIndices: Tensor | null = null;
  if (!enforceSorted) {
    const batchDim = batchFirst ? 0 : 1;
    if (lens.length > 0 && input.numel() > 0 && lens.length !== input.size(batchDim)) {
      // Deviation: PyTorch 1.13 index_selects first, silently dropping columns when fewer lengths are given
      // (an empty list still ends in 'Cannot pack empty tensors.' below, as in PyTorch)
      throw new RuntimeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${input.size(batchDim)})`);
    }
    const order = sortDescending(lens);
    lens = order.map((i) => lens[i]!);
    sortedIndices = int64(order);
    input = indexSelect(input, batchDim, sortedIndices);
  }
  const x = batchFirst ? transpose(input, 0, 1) : input;
  const batch = x.size(1);
  if (x.numel() === 0) throw new RuntimeError('Cannot pack empty tensors.');
  if (lens.length !== batch) {
    throw new RuntimeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${batch})`);
  }
  if (!(lens[batch - 1]! > 0)) {
    throw new RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  }
  for (let i = 0; i < batch - 1; i++) {
    if (lens[batch - 1 - i]! > lens[batch - 2 - i]!) {
      throw new RuntimeError(
        '`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.',
      );
    }
  }
  if (lens[0]! > x.size(0)) {
    // Deviation: PyTorch 1.13 returns a PackedSequence whose data is shorter than its batch_sizes
    throw new RuntimeError(
      `Expected all lengths to be at most the padded sequence length ${x.size(0)}, but found an element in 'lengths' that is ${lens[0]!}`,
    );
  }
  const sizes: number[] = [];
  for (let t = 0, b = batch; t < lens[0]!; t++) {
    while (lens[b - 1]! <= t) b--;
    sizes.push(b);
  }
  return new PackedSequence(packOp(x, sizes), int64(sizes), sortedIndices, null);
}

/** Options of `padPackedSequence`. */
export interface PadPackedSequenceOptions {
  /** Output [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
  /** Value of the padding positions. Default 0. */
  paddingValue?: number;
  /** Pad the time dim to this length (at least the longest sequence). Default: the longest. */
  totalLength?: number | null;
}

/**
 * Undoes packing: the padded batch [T, B, *] (or [B, T, *]) in the original batch order and the
 * int64 lengths, like `torch.nn.utils.rnn.pad_packed_sequence`. Gradients flow back to `data`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pad_packed_sequence.html
 * @example const [padded, lengths] = padPackedSequence(p, { batchFirst: true, totalLength: 10 });
 */
export function padPackedSequence(sequence: PackedSequence, opts: PadPackedSequenceOptions = {}): [Tensor, Tensor] {
  if (!(sequence instanceof PackedSequence)) {
    throw new TypeError(`sequence must be a PackedSequence, got ${describeValue(sequence)}`);
  }
  opts = checkOptions<PadPackedSequenceOptions>('padPackedSequence()', opts, ['batchFirst', 'paddingValue', 'totalLength']);
  const batchFirst = checkBool('batchFirst', opts.batchFirst === undefined ? false : opts.batchFirst);
  const paddingValue = checkNum('paddingValue', opts.paddingValue ?? 0);
  const sizes = sequence.batchSizesArray;
  let steps = sizes.length;
  if (opts.totalLength !== undefined && opts.totalLength !== null) {
    const total = opts.totalLength;
    if (typeof total !== 'number' || !Number.isInteger(total)) throw new TypeError(`totalLength must be an integer, got ${describeValue(total)}`);
    if (total < steps) {
      throw new ValueError(
        `Expected total_length to be at least the length of the longest sequence in input, but got total_length=${total} and max sequence length being ${steps}`,
      );
    }
    steps = total;
  }
  if (sizes.length === 0) throw new RuntimeError('batch_sizes can not be empty');
  const batch = sizes[0]!;
  let padded = padOp(sequence.data, sizes, steps, batch, paddingValue);
  // lengths[b] = number of steps with more than b sequences running
  const lengths: number[] = [];
  for (let b = 0, t = sizes.length; b < batch; b++) {
    while (t > 0 && sizes[t - 1]! <= b) t--;
    lengths.push(t);
  }
  if (batchFirst) padded = transpose(padded, 0, 1);
  const unsorted = sequence.unsortedIndices;
  if (unsorted === null) return [padded, int64(lengths)];
  const order = Array.from(unsorted.dataSync(), Number);
  return [indexSelect(padded, batchFirst ? 0 : 1, unsorted), int64(order.map((i) => lengths[i]!))];
}

/** Options of `padSequence`. */
export interface PadSequenceOptions {
  /** Output [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
  /** Value of the padding positions. Default 0. */
  paddingValue?: number;
  /** Put the padding after (`'right'`, default) or before (`'left'`) each sequence (PyTorch 2.x). */
  paddingSide?: 'right' | 'left';
}

/**
 * Stacks sequences [L_i, *] into one padded tensor [T, B, *] (or [B, T, *]), like
 * `torch.nn.utils.rnn.pad_sequence`; a tensor argument is split along dim 0. The dtype is the first
 * sequence's; trailing dims come from it too (the others broadcast into them, as in ATen).
 * `paddingSide: 'left'` is PyTorch 2.x's option. Differentiable in every sequence.
 * See https://pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_sequence.html
 * @example padSequence([torch.ones(3, 2), torch.ones(1, 2)], { batchFirst: true }) // [2, 3, 2]
 */
export function padSequence(sequences: readonly Tensor[] | Tensor, opts: PadSequenceOptions = {}): Tensor {
  const seqs = sequences instanceof Tensor ? unbind(sequences, 0) : sequences;
  if (!Array.isArray(seqs)) {
    throw new RuntimeError(`pad_sequence: Expected iterable for input sequences, but got arg of type: ${describeValue(seqs)}`);
  }
  seqs.forEach((s, i) => checkTensor(`sequences[${i}]`, s));
  opts = checkOptions<PadSequenceOptions>('padSequence()', opts, ['batchFirst', 'paddingValue', 'paddingSide']);
  const batchFirst = checkBool('batchFirst', opts.batchFirst === undefined ? false : opts.batchFirst);
  const paddingValue = checkNum('paddingValue', opts.paddingValue ?? 0);
  const side = opts.paddingSide ?? 'right';
  if (seqs.length === 0) throw new RuntimeError('received an empty list of sequences');
  if (side !== 'left' && side !== 'right') {
    throw new RuntimeError(`Expected padding_side to be one of left or right, but got ${typeof side === 'string' ? side : describeValue(side)}.`);
  }
  for (const s of seqs) size0(s);
  const rest = seqs[0]!.shape.slice(1);
  for (const s of seqs) checkCopyShape([s.shape[0]!, ...rest], s.shape);
  return padSequenceOp(seqs.slice(), batchFirst, paddingValue, side === 'left');
}

/** Options of `packSequence`. */
export interface PackSequenceOptions {
  /** Require sequences sorted by decreasing length. Default true. */
  enforceSorted?: boolean;
}

/**
 * Packs a list of sequences [L_i, *], like `torch.nn.utils.rnn.pack_sequence`
 * (`padSequence` then `packPaddedSequence`).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_sequence.html
 * @example packSequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])])
 */
export function packSequence(sequences: readonly Tensor[], opts: PackSequenceOptions = {}): PackedSequence {
  if (!Array.isArray(sequences)) throw new TypeError(`sequences must be an array of Tensors, got ${describeValue(sequences)}`);
  sequences.forEach((s, i) => checkTensor(`sequences[${i}]`, s));
  opts = checkOptions<PackSequenceOptions>('packSequence()', opts, ['enforceSorted']);
  if (opts.enforceSorted !== undefined) checkBool('enforceSorted', opts.enforceSorted);
  const lengths = sequences.map(size0);
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: opts.enforceSorted ?? true });
}

/** Options of `unpadSequence`. */
export interface UnpadSequenceOptions {
  /** Input is [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
}

/**
 * Splits a padded batch into a list of sequences of the given lengths, like
 * `torch.nn.utils.rnn.unpad_sequence` (each a fresh tensor, differentiable).
 * Deviation: PyTorch 1.13 transposes its argument in place when `batch_first` is False; torchlet
 * leaves it alone.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.unpad_sequence.html
 * @example unpadSequence(padded, [3, 1]) // [padded[:3, 0], padded[:1, 1]]
 */
export function unpadSequence(paddedSequences: Tensor, lengths: readonly number[] | Tensor, opts: UnpadSequenceOptions = {}): Tensor[] {
  checkTensor('paddedSequences', paddedSequences);
  opts = checkOptions<UnpadSequenceOptions>('unpadSequence()', opts, ['batchFirst']);
  const batchFirst = checkBool('batchFirst', opts.batchFirst === undefined ? false : opts.batchFirst);
  const lens = lengthsArray(lengths);
  const x = batchFirst ? paddedSequences : transpose(paddedSequences, 0, 1);
  const maxLen = x.size(1);
  const out: Tensor[] = [];
  // PyTorch parity: zip() stops at the shorter of the batch and the lengths; `arange(T) < length` clamps
  const n = Math.min(x.size(0), lens.length);
  for (let b = 0; b < n; b++) {
    const len = Math.min(Math.max(lens[b]!, 0), maxLen);
    out.push(clone(narrow(select(x, 0, b), 0, 0, len)));
  }
  return out;
}

/**
 * Unpacks a `PackedSequence` into the list of its sequences in the original order, like
 * `torch.nn.utils.rnn.unpack_sequence`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.unpack_sequence.html
 * @example unpackSequence(packSequence([a, b, c])) // [a, b, c]
 */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
