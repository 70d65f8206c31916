/**
 * Shared helpers of the ops layer: argument normalisation, broadcasting, type promotion, and the
 * backend handle. Kept free of autograd so every op file can use it.
 */
import { acceleratorFor, backend, backendFor } from '../backends/registry.js';
import type { Backend, Device, View } from '../backends/backend.js';
import { RuntimeError } from '../errors.js';
import { type DType, type FloatArray, type TypedArray, dtypeCategory, isFloating, promoteTypes } from '../tensor/dtype.js';
import { emptyTensor, scalarTensor, viewOf, wrapArray } from '../tensor/create.js';
import { Storage, Tensor, contiguousStrides, normDim } from '../tensor/tensor.js';
import { describeValue } from '../validate.js';

export { backend, backendFor, normDim, viewOf };

/** A tensor or a JS number (a "wrapped scalar" in PyTorch's promotion rules) or boolean. */
export type TensorLike = Tensor | number | boolean;

/** Sizes given as varargs or one array: `zeros(2, 3)` or `zeros([2, 3])`. */
export function sizesArg(args: readonly (number | readonly number[])[]): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as readonly number[]);
  const out: number[] = [];
  flat.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`size must be a sequence of integers, but found ${describeValue(s)} at position ${i}`);
    }
    out.push(s);
  });
  return out;
}

/** Validates sizes for creation functions. */
export function checkSizes(shape: readonly number[]): void {
  for (const s of shape) {
    if (s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: [${shape.join(', ')}]`);
  }
}

/** Broadcast shape of two shapes, with PyTorch's error. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  // PyTorch parity: the first mismatch is reported from the trailing dim backwards
  for (let i = n - 1; i >= 0; i--) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * The device the tensors compute on, with PyTorch's error when they disagree. With `scalarsFollow`
 * (element-wise ops), a 0-d CPU tensor joins any device, as PyTorch's CPU scalars do; move it with
 * `onDevice` before the kernel reads it.
 */
export function commonDevice(tensors: readonly (Tensor | null | undefined)[], scalarsFollow = false): Device {
  let device: Device | null = null;
  for (const t of tensors) {
    if (!t || (scalarsFollow && t.storage.device === 'cpu' && t.shape.length === 0)) continue;
    const d = t.storage.device;
    if (device === null) device = d;
    else if (d !== device) {
      throw new RuntimeError(`Expected all tensors to be on the same device, but found at least two devices, ${device} and ${d}!`);
    }
  }
  return device ?? 'cpu';
}

/** The backend of the tensors' common device (`commonDevice`): every kernel call starts here. */
export function backendOf(...tensors: (Tensor | null | undefined)[]): Backend {
  return backendFor(commonDevice(tensors));
}

/**
 * `t` on `device`: `t` itself when already there, else a contiguous copy uploaded to the device.
 * Only host-to-device moves are synchronous; reading a device back is `toHostAsync`.
 * @throws RuntimeError for a device-to-host move, naming the asynchronous call to use.
 */
export function onDevice(t: Tensor, device: Device): Tensor {
  if (t.storage.device === device) return t;
  if (device === 'cpu') {
    throw new RuntimeError(`the elements of a tensor on ${t.storage.device} cannot be read synchronously: use await tensor.cpuAsync() (or itemAsync(), tolistAsync())`);
  }
  if (t.storage.device !== 'cpu') {
    throw new RuntimeError(`cannot move a tensor from ${t.storage.device} to ${device} directly: go through the CPU`);
  }
  const buffer = acceleratorFor(device).upload(denseArray(t), t.dtype);
  return new Tensor(new Storage(null, device, buffer), t.shape, contiguousStrides(t.shape), 0, t.dtype);
}

/** A host tensor with the elements of `t` (read back asynchronously when `t` is on an accelerator). */
export async function toHostAsync(t: Tensor): Promise<Tensor> {
  if (t.storage.device === 'cpu') return t;
  const c = rawContiguous(t);
  const n = c.numel();
  const acc = acceleratorFor(c.storage.device);
  if (c.offset === 0) return wrapArray(await acc.download(c.storage.buffer, c.dtype, n), c.shape, c.dtype);
  // a contiguous view inside a larger buffer: copy it to a buffer of its own first
  const own = castRaw(c, c.dtype);
  return wrapArray(await acc.download(own.storage.buffer, own.dtype, n), own.shape, own.dtype);
}

/** A stride-0 broadcast view of `t` at `shape` (no autograd; for kernels only). */
export function broadcastView(t: View, shape: readonly number[]): View {
  const nd = shape.length;
  const off = nd - t.shape.length;
  const strides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const src = i - off;
    if (src < 0) strides[i] = 0;
    else strides[i] = t.shape[src] === 1 && shape[i] !== 1 ? 0 : t.strides[src]!;
  }
  return { data: t.data, shape, strides, offset: t.offset };
}

/** Default dtype of a JS number: int64 for integers, float32 otherwise; bool for booleans. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int64' : 'float32';
}

/** PyTorch's result_type over tensors (dimensioned and 0-d) and wrapped JS scalars. */
export function resultType(...xs: readonly TensorLike[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let wrapped: DType | null = null;
  for (const x of xs) {
    if (x instanceof Tensor) {
      if (x.shape.length > 0) dim = dim ? promoteTypes(dim, x.dtype) : x.dtype;
      else zero = zero ? promoteTypes(zero, x.dtype) : x.dtype;
    } else {
      const d = scalarDType(x);
      wrapped = wrapped ? promoteTypes(wrapped, d) : d;
    }
  }
  return combine(dim, combine(zero, wrapped)) ?? 'float32';
}

function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  if (isFloating(higher)) return higher;
  if (higher === 'bool' || isFloating(lower)) return promoteTypes(higher, lower);
  // same category (both integer): the higher-priority operand decides
  if (dtypeCategory(higher) >= dtypeCategory(lower)) return higher;
  return promoteTypes(higher, lower);
}

/** Converts a scalar to a 0-d tensor of `dtype`. Tensors pass through. */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'boolean') return scalarTensor(x ? 1 : 0, dtype);
  if (typeof x !== 'number') throw new TypeError(`expected a Tensor or a number, got ${describeValue(x)}`);
  return scalarTensor(dtype === 'bool' ? (x !== 0 ? 1 : 0) : x, dtype);
}

/** A contiguous copy of `t` converted to `dtype` (no autograd). */
export function castRaw(t: Tensor | (View & { dtype: DType }), dtype: DType): Tensor {
  const device = t instanceof Tensor ? t.storage.device : 'cpu';
  const out = emptyTensor(t.shape, dtype, device);
  backendFor(device).copy(t instanceof Tensor ? viewOf(t) : t, viewOf(out));
  if (dtype === 'int64' && isFloating(t.dtype)) truncRaw(out);
  return out;
}

/** `t` itself when contiguous, else a contiguous copy (no autograd). */
export function rawContiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : castRaw(t, t.dtype);
}

/**
 * Truncates a contiguous int64 tensor's values toward zero in place (no autograd): int64 lives in
 * a Float64Array, so a float written into it keeps its fraction until truncated.
 */
export function truncRaw(t: Tensor): void {
  // element-wise, so the output may be the input
  backendOf(t).unary('trunc', viewOf(t), viewOf(t));
}

/**
 * The elements of `t` in row-major order as an offset-0 array, for the fused routines (which take
 * contiguous arrays): `t`'s own memory when contiguous (no copy), else a contiguous copy's.
 */
export function denseArray(t: Tensor): TypedArray {
  let c = rawContiguous(t);
  if (c.storage.device !== 'cpu') {
    // an accelerator's routines take whole buffers: a view inside a larger one is copied out
    if (c.offset !== 0) c = castRaw(c, c.dtype);
    return viewOf(c).data;
  }
  const d = c.storage.data;
  const n = c.numel();
  // a tensor spanning its whole storage (fresh outputs, parameters) needs no subarray object
  return c.offset === 0 && d.length === n ? d : d.subarray(c.offset, c.offset + n);
}

/** `denseArray` of a floating tensor. */
export function dense(t: Tensor): FloatArray {
  return denseArray(t) as FloatArray;
}

/**
 * `t`'s elements as a contiguous array a routine may update in place, and `writeBack`, which
 * stores the updated values into `t` (nothing to do when `t` is contiguous: the array is its
 * memory). No autograd, no version bump.
 */
export function denseInPlace(t: Tensor): { data: TypedArray; writeBack: () => void } {
  if (t.isContiguous()) return { data: denseArray(t), writeBack: () => {} };
  const c = castRaw(t, t.dtype);
  return { data: viewOf(c).data, writeBack: () => backendOf(t).copy(viewOf(c), viewOf(t)) };
}

/** Checks a value is a finite-or-infinite JS number (not NaN-typed junk) for scalar parameters. */
export function checkNumber(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${describeValue(v)}`);
  return v;
}

/** Checks an integer argument. */
export function checkInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${name} must be an integer, got ${describeValue(v)}`);
  }
  return v;
}

/** Asserts the argument is a Tensor. */
export function checkTensor(name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) {
    throw new TypeError(`${name} must be a Tensor, got ${describeValue(v)}`);
  }
  return v;
}
