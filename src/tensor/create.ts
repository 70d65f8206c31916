/**
 * Internal constructors shared by ops and factories (the public factories are in factories.ts).
 */
import type { Device, View } from '../backends/backend.js';
import { acceleratorFor, backend, backendFor } from '../backends/registry.js';
import { routine } from '../backends/routine.js';
import { RuntimeError } from '../errors.js';
import { type DType, type TypedArray, elementSize, toStored } from './dtype.js';
import { Storage, Tensor, contiguousStrides, shapeNumel } from './tensor.js';

/** Most elements one tensor can hold: V8's typed-array length limit. */
const MAX_NUMEL = 2 ** 32 - 1;

/** A new contiguous tensor of zeros on `device` (allocated by that device's backend). */
export function emptyTensor(shape: readonly number[], dtype: DType, device: Device = 'cpu'): Tensor {
  const n = shapeNumel(shape);
  // A safety net for sizes that slipped past an op's own checks: a clear error instead of V8's RangeError.
  if (!(n >= 0 && n <= MAX_NUMEL)) {
    throw new RuntimeError(`cannot allocate a tensor of shape [${shape.join(', ')}]: sizes must be non-negative and the element count at most ${MAX_NUMEL}`);
  }
  if (device !== 'cpu') {
    const buffer = acceleratorFor(device).alloc(dtype, n);
    return new Tensor(new Storage(null, device, buffer), shape, contiguousStrides(shape), 0, dtype);
  }
  let data: TypedArray;
  try {
    data = backend().alloc(dtype, n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // PyTorch: "DefaultCPUAllocator: not enough memory: you tried to allocate N bytes."
    const bytes = n * elementSize(dtype);
    throw new RuntimeError(`DefaultCPUAllocator: not enough memory: you tried to allocate ${bytes} bytes.`, { cause: e });
  }
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}

/**
 * The backend's view of a tensor's elements: its storage's elements with the tensor's shape, strides
 * and offset. Every call into a backend primitive passes tensors through this.
 */
export function viewOf(t: Tensor): View {
  const s = t.storage;
  // an accelerator's buffer travels through the host-typed view unread (see AcceleratorBackend)
  const data = s.device === 'cpu' ? s.data : (s.buffer as TypedArray);
  return { data, shape: t.shape, strides: t.strides, offset: t.offset };
}

/** A new contiguous tensor on `device` with every element `value` (filled by the device's backend). */
export function filledTensor(shape: readonly number[], dtype: DType, device: Device, value: number): Tensor {
  const t = emptyTensor(shape, dtype, device);
  if (value !== 0) routine('fill', backendFor(device))({ out: viewOf(t).data, value });
  return t;
}

/** Wraps a contiguous typed array (no copy). */
export function wrapArray(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}

/** A view sharing `src`'s storage with new geometry; `base` links it to the owner for autograd checks. */
export function makeView(src: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const v = new Tensor(src.storage, shape, strides, offset, src.dtype);
  v.base = src.base ?? src;
  v._vc = src._vc;
  return v;
}

/** A 0-d tensor holding one value. */
export function scalarTensor(value: number, dtype: DType): Tensor {
  const t = emptyTensor([], dtype);
  t.storage.data[0] = toStored(dtype, value);
  return t;
}
