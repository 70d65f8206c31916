/**
 * The Tensor: a strided view onto a shared, versioned storage, plus autograd metadata.
 * Op methods (`add`, `view`, `sum`, ...) are attached in `tensor/methods.ts`, so this file has no
 * dependency on ops/ and the import graph points one way.
 */
import type { Device } from '../backends/backend.js';
import { type Device as TorchDevice, deviceOf } from './device.js';
import { IndexError as IndexErrorLike, RuntimeError, ValueError } from '../errors.js';
import { type DType, type TypedArray, decodeReducedFloat, elementSize, fromStored, isFloating, isReducedFloatArray } from './dtype.js';
import type { Node } from '../autograd/node.js';
import { describeValue, pyTypeName } from '../validate.js';

/**
 * The elements of one or more tensors plus a version counter that views share, like PyTorch's
 * storage + version counter. A storage belongs to a device: `'cpu'` storage is a host typed array
 * that the js, wasm and native backends all compute on; an accelerator's storage is an opaque
 * buffer (`buffer`) that only that device's backend reads, and its host elements exist only after
 * an explicit transfer (`Tensor.to('cpu')`).
 * See https://pytorch.org/docs/stable/storage.html
 * @example const x = torch.zeros(2, 3); x.view(6).storage === x.storage; // true
 */
export class Storage {
  /** Bumped by every in-place change; saved tensors compare it in backward. */
  version = 0;
  /** The device that owns the elements. */
  readonly device: Device;
  /** An accelerator's buffer handle (null for host storage). */
  readonly buffer: unknown;
  #data: TypedArray | null;
  /**
   * Host storage over `data`, or (with `device` other than `'cpu'`) an accelerator storage over
   * `buffer`, whose `data` is not readable.
   */
  constructor(data: TypedArray | null, device: Device = 'cpu', buffer: unknown = null) {
    if (device === 'cpu' && data === null) throw new Error('internal: host storage needs its elements');
    this.#data = device === 'cpu' ? data : null;
    this.device = device;
    this.buffer = buffer;
  }
  /** The host elements. @throws RuntimeError for an accelerator's storage (copy it with `.to('cpu')`). */
  get data(): TypedArray {
    const d = this.#data;
    if (d === null) {
      throw new RuntimeError(`the elements of a tensor on ${this.device} are not in host memory: copy it with .to('cpu') first`);
    }
    return d;
  }
}

/** A count of in-place changes, shared by the tensors that see the same elements through autograd. */
export interface VersionCounter {
  version: number;
}

/** Row-major (contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = s;
    s *= Math.max(shape[d]!, 1);
  }
  return st;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  // Plain loops here and in shapeNumel: both run several times per op call (recurrent streaming steps).
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Number of elements of a shape. */
export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void | undefined;

/**
 * A multi-dimensional array with autograd, like `torch.Tensor`.
 * See https://pytorch.org/docs/stable/tensors.html
 * @example
 * const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = 2 * x
 */
export class Tensor {
  /**
   * Shared storage.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.storage.html
   * @example x.storage.data // the shared typed array
   */
  readonly storage: Storage;
  /**
   * Sizes of each dim.
   * See https://pytorch.org/docs/stable/generated/torch.Tensor.shape.html
   * @example torch.zeros(2, 3).shape // [2, 3]
   */
  readonly shape: readonly number[];
  /**
   * Element strides of each dim.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.stride.html
   * @example torch.zeros(2, 3).strides // [3, 1]
   */
  readonly strides: readonly number[];
  /**
   * Storage offset of element (0, ..., 0).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.storage_offset.html
   * @example torch.arange(5).narrow(0, 2, 2).offset // 2
   */
  readonly offset: number;
  /**
   * Element type.
   * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.dtype
   * @example torch.tensor([1.5]).dtype // 'float32'
   */
  readonly dtype: DType;
  /**
   * Accumulated gradient of a leaf (or a non-leaf after `retainGrad()`).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.grad.html
   * @example w.sum().backward(); w.grad // ones shaped like w
   */
  grad: Tensor | null = null;
  /**
   * The node that produced this tensor (null for leaves).
   * See https://pytorch.org/docs/1.13/notes/autograd.html
   * @example w.mul(2).gradFn?.name // 'MulBackward0'
   */
  gradFn: Node | null = null;
  /**
   * Which output of `gradFn` this tensor is.
   * See https://pytorch.org/docs/1.13/notes/autograd.html
   * @example const [out, hN] = torch.gruLayer(x, h0, wIh, wHh); hN.outputNr // 1
   */
  outputNr = 0;
  /**
   * The tensor whose storage this view shares, or null when it owns its storage.
   * See https://pytorch.org/docs/1.13/tensor_view.html
   * @example const v = x.view(-1); v.base === x // true
   */
  base: Tensor | null = null;
  /**
   * @internal The version counter: the storage's own for tensors and their views and detached
   * copies, a fresh one for `.data` (so writes through `.data` escape autograd's checks).
   */
  _vc: VersionCounter;
  /** @internal */
  _requiresGrad = false;
  /** @internal hooks of a leaf, run before accumulation */
  _hooks: GradHook[] = [];
  /** @internal set by retainGrad() */
  _retainsGrad = false;
  /** @internal cached AccumulateGrad node of a leaf */
  _accNode: Node | null = null;
  /** @internal parameter marker for printing and modules */
  _isParam = false;

  constructor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.strides = Object.freeze(strides.slice());
    this.offset = offset;
    this.dtype = dtype;
    this._vc = storage;
  }

  /**
   * The tensor's elements without its history, like PyTorch's `.data`: a tensor that shares this
   * one's storage, shape, strides and offset, does not require grad, and has its own version
   * counter, so in-place changes made through it are invisible to autograd's checks. Assigning
   * (`t.data = other`) makes `t` take `other`'s storage, shape, strides, offset and dtype while
   * keeping its gradient, history and version counter. For the raw elements use `dataSync()` (this
   * view's elements) or `storage.data` (the whole shared typed array).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.detach.html
   * @example p.data.add_(p.grad!, { alpha: -0.1 }); // a manual SGD step, not recorded
   */
  get data(): Tensor {
    const t = new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
    t._vc = { version: 0 };
    return t;
  }

  set data(value: Tensor) {
    if (!(value instanceof Tensor)) {
      throw new TypeError(`Variable data has to be a tensor, but got ${pyTypeName(value)}`);
    }
    if (this.requiresGrad && !isFloating(value.dtype)) {
      throw new RuntimeError('data set to a tensor that requires gradients must be floating point or complex dtype');
    }
    const self = this as unknown as { storage: Storage; shape: readonly number[]; strides: readonly number[]; offset: number; dtype: DType };
    self.storage = value.storage;
    self.shape = value.shape;
    self.strides = value.strides;
    self.offset = value.offset;
    self.dtype = value.dtype;
  }

  /**
   * The device the tensor lives on, as a `torch.device` object (`type`, `index`), like
   * `Tensor.device`. Devices are interned, so `x.device === torch.device('cpu')` is PyTorch's
   * `x.device == torch.device('cpu')`; `String(x.device)` is `'cpu'`, and
   * `x.device.equals('cpu')` compares with a string. (`storage.device` is the storage's device
   * string, `'cpu'` or an accelerator's.)
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.device.html
   * @example x.device === torch.device('cpu') // true; h0 = torch.zeros(2, 3).to(x.device)
   */
  get device(): TorchDevice {
    return deviceOf(this.storage.device);
  }

  /**
   * Whether gradients are computed for this tensor.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.requires_grad.html
   * @example torch.zeros(2, { requiresGrad: true }).requiresGrad // true
   */
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }

  set requiresGrad(v: boolean) {
    this.requiresGrad_(v);
  }

  /**
   * Sets whether autograd records operations on this leaf, in place. Returns this tensor.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.requires_grad_.html
   * @example const w = torch.randn(3).requiresGrad_();
   */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') {
      throw new TypeError(`requires_grad_(): argument 'requires_grad' must be a boolean, got ${describeValue(requiresGrad)}`);
    }
    if (this.gradFn !== null) {
      if (requiresGrad) return this;
      throw new RuntimeError(
        'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
      );
    }
    if (requiresGrad && !isFloating(this.dtype)) {
      throw new RuntimeError('only Tensors of floating point dtype can require gradients');
    }
    this._requiresGrad = requiresGrad;
    return this;
  }

  /**
   * True for tensors created by the user (not by an op that records the graph).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.is_leaf.html
   * @example w.isLeaf // true; w.mul(2).isLeaf // false
   */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Version counter of the storage (bumped by in-place ops).
   * No PyTorch counterpart page (PyTorch calls it `Tensor._version`).
   * @example const v = x.version; x.add_(1); x.version === v + 1 // true
   */
  get version(): number {
    return this._vc.version;
  }

  /**
   * Number of dims.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.dim.html
   * @example torch.zeros(2, 3).dim() // 2
   */
  dim(): number {
    return this.shape.length;
  }

  /**
   * Alias of `dim()`.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.ndim.html
   * @example torch.zeros(2, 3).ndim // 2
   */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * Total number of elements.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.numel.html
   * @example torch.zeros(2, 3).numel() // 6
   */
  numel(): number {
    return shapeNumel(this.shape);
  }

  /**
   * The shape, or the size of one dim (negative dims count from the end).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.size.html
   * @example torch.zeros(2, 3).size(-1) // 3
   */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[dimOfSizes(dim, this.shape.length)]!;
  }

  /**
   * Strides, or the stride of one dim.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.stride.html
   * @example torch.zeros(2, 3).t().stride() // [1, 3]
   */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this.strides.slice();
    return this.strides[dimOfSizes(dim, this.shape.length)]!;
  }

  /**
   * Storage offset of the first element.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.storage_offset.html
   * @example torch.arange(5).select(0, 3).storageOffset() // 3
   */
  storageOffset(): number {
    return this.offset;
  }

  /**
   * True when the elements are laid out in row-major order without gaps.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.is_contiguous.html
   * @example torch.zeros(2, 3).t().isContiguous() // false
   */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      const s = this.shape[d]!;
      if (s !== 1 && this.strides[d] !== expected) return false;
      expected *= s;
    }
    return true;
  }

  /**
   * True for the floating dtypes: float32, float64, float16 and bfloat16.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.is_floating_point.html
   * @example torch.arange(3).isFloatingPoint() // false
   */
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  /**
   * Bytes per element of the dtype, as PyTorch counts them (int64: 8, float16: 2, int8: 1, ...).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.element_size.html
   * @example torch.zeros(2, { dtype: 'float16' }).elementSize() // 2
   */
  elementSize(): number {
    return elementSize(this.dtype);
  }

  /**
   * Elements in row-major order as a fresh contiguous typed array: the storage's array type
   * (`Int8Array` for int8, `Float64Array` for int64, ...), except float16 and bfloat16, whose values
   * come as a `Float32Array` (exact; their storage holds bit patterns).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.numpy.html
   * @example torch.tensor([[1, 2], [3, 4]]).t().dataSync() // [1, 3, 2, 4], a typed array
   */
  dataSync(): TypedArray {
    const raw = this.#rawElements();
    return isReducedFloatArray(raw) ? decodeReducedFloat(raw) : raw;
  }

  /** This view's stored elements in row-major order (float16/bfloat16 as bit patterns). */
  #rawElements(): TypedArray {
    const n = this.numel();
    const C = this.storage.data.constructor as new (n: number) => TypedArray;
    const out = new C(n);
    if (this.isContiguous()) {
      out.set(this.storage.data.subarray(this.offset, this.offset + n) as never);
      return out;
    }
    const nd = this.shape.length;
    const idx = new Array<number>(nd).fill(0);
    const src = this.storage.data;
    let off = this.offset;
    for (let i = 0; i < n; i++) {
      out[i] = src[off]!;
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        off += this.strides[d]!;
        if (idx[d]! < this.shape[d]!) break;
        off -= this.strides[d]! * this.shape[d]!;
        idx[d] = 0;
      }
    }
    return out;
  }

  /**
   * The value of a one-element tensor as a JS number (booleans for bool tensors).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.item.html
   * @example const v = loss.item();
   */
  item(): number;
  item(): number | boolean {
    if (this.numel() !== 1) {
      throw new ValueError('only one element tensors can be converted to Python scalars');
    }
    const v = fromStored(this.dtype, this.storage.data[this.offset]!);
    return this.dtype === 'bool' ? v !== 0 : v;
  }

  /**
   * Nested arrays of numbers (booleans for bool tensors), like `tensor.tolist()`.
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.tolist.html
   * @example torch.tensor([[1, 2], [3, 4]]).tolist() // [[1, 2], [3, 4]]
   */
  tolist(): any {
    const flat = this.dataSync();
    const isBool = this.dtype === 'bool';
    const shape = this.shape;
    if (shape.length === 0) return isBool ? flat[0] !== 0 : flat[0];
    let pos = 0;
    const build = (d: number): any[] => {
      const out: any[] = [];
      for (let i = 0; i < shape[d]!; i++) {
        if (d === shape.length - 1) {
          const v = flat[pos++]!;
          out.push(isBool ? v !== 0 : v);
        } else out.push(build(d + 1));
      }
      return out;
    };
    return build(0);
  }

  /**
   * Returns this tensor (host memory).
   * See https://pytorch.org/docs/1.13/generated/torch.Tensor.cpu.html
   * @example const y = x.cpu(); // y === x
   */
  cpu(): Tensor {
    return this;
  }
}

/** Normalises a possibly negative dim, with PyTorch's IndexError wording. */
/** `normDim` for `size(dim)` / `stride(dim)`, which a 0-d tensor refuses for every dim, as PyTorch. */
function dimOfSizes(dim: number, ndim: number): number {
  if (ndim === 0 && Number.isInteger(dim)) throw new IndexErrorLike(`Dimension specified as ${dim} but tensor has no dimensions`);
  return normDim(dim, ndim);
}

export function normDim(dim: number, ndim: number, wrapScalar = true): number {
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, got ${describeValue(dim)}`);
  const n = ndim === 0 && wrapScalar ? 1 : ndim;
  if (dim < -n || dim >= n) {
    throw new IndexErrorLike(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

