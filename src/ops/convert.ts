/**
 * Conversions and construction from an existing tensor: `Tensor.to` in all of PyTorch's forms
 * (dtype, device, both, another tensor, keywords), `Tensor.type`, `Tensor.cuda`, the `new*`
 * factories that inherit the tensor's dtype and device, and `torch.isTensor`.
 */
import { AssertionError, RuntimeError, ValueError } from '../errors.js';
import { type DType, DTYPES, legacyTypeName } from '../tensor/dtype.js';
import { Device, type DeviceLike, requireCpu, toDevice } from '../tensor/device.js';
import { full, ones, type SizeArgs, tensor, type TensorOptions, zeros, empty } from '../tensor/factories.js';
import type { MethodTable } from '../tensor/methods.js';
import { Tensor } from '../tensor/tensor.js';
import { checkBool, checkOptions, describeValue, isPlainObject } from '../validate.js';
import { warnOnce } from '../warnings.js';
import { castOp } from './movement.js';

/** The keywords of `Tensor.to` (and `Module.to`). */
export interface ToOptions {
  /** The target dtype. */
  dtype?: DType;
  /** The target device (a `torch.device` or a device string). */
  device?: DeviceLike;
  /** Always return a new tensor, even when nothing changes (default false). */
  copy?: boolean;
  /** Accepted for parity; copies here are synchronous. */
  nonBlocking?: boolean;
}

/** What a `to(...)` call asks for. */
export interface ToTarget {
  dtype: DType | undefined;
  device: Device | undefined;
  copy: boolean;
}

function isDType(v: unknown): v is DType {
  return typeof v === 'string' && (DTYPES as readonly string[]).includes(v);
}

function checkDType(fn: string, v: unknown): DType {
  if (!isDType(v)) throw new TypeError(`${fn}: argument 'dtype' must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, got ${describeValue(v)}`);
  return v;
}

function invalid(fn: string, args: readonly unknown[]): TypeError {
  return new TypeError(
    `${fn} received an invalid combination of arguments - got (${args.map(describeValue).join(', ')}), but expected one of:\n` +
      ' * (device, dtype?, { nonBlocking, copy })\n * (dtype, { nonBlocking, copy })\n * (Tensor tensor, { nonBlocking, copy })\n * ({ device, dtype, nonBlocking, copy })',
  );
}

/**
 * PyTorch's `_parse_to` for `Tensor.to` and `Module.to`: `(dtype, opts?)`, `(device, dtype?, opts?)`,
 * `(tensor, opts?)` or `(opts)`. A dtype name is a dtype; any other string is a device string. The
 * device is checked (only the CPU holds tensors here: CUDA is PyTorch's AssertionError).
 * @internal
 * @example parseTo('to()', ['cpu', 'float64']) // { device: torch.device('cpu'), dtype: 'float64', copy: false }
 */
export function parseTo(fn: string, args: readonly unknown[]): ToTarget {
  const rest = args.slice();
  let opts: ToOptions = {};
  if (rest.length > 0 && isPlainObject(rest[rest.length - 1])) {
    opts = checkOptions<ToOptions>(fn, rest.pop(), ['dtype', 'device', 'copy', 'nonBlocking']);
    // the keywords alone must ask for something (`to({})` is a mistake, `to()` is PyTorch's no-op)
    if (rest.length === 0 && opts.dtype === undefined && opts.device === undefined && opts.copy === undefined) throw invalid(fn, args);
  }
  let dtype: DType | undefined;
  let dev: Device | undefined;
  const [a, b] = rest;
  if (rest.length > 2) throw invalid(fn, args);
  if (a instanceof Tensor) {
    if (rest.length > 1) throw invalid(fn, args);
    dtype = a.dtype;
    dev = a.device;
  } else if (isDType(a)) {
    if (rest.length > 1) throw invalid(fn, args);
    dtype = a;
  } else if (a instanceof Device || typeof a === 'string') {
    dev = toDevice(fn, a);
    if (b !== undefined && b !== null) dtype = checkDType(fn, b);
  } else if (rest.length > 0) {
    throw invalid(fn, args); // includes an explicit undefined or null: a bug in JS, not Python's to(None)
  }
  if (opts.dtype !== undefined) {
    if (dtype !== undefined) throw invalid(fn, args);
    dtype = checkDType(fn, opts.dtype);
  }
  if (opts.device !== undefined && opts.device !== null) {
    if (dev !== undefined) throw invalid(fn, args);
    dev = toDevice(fn, opts.device);
  }
  if (opts.nonBlocking !== undefined) checkBool(fn, 'nonBlocking', opts.nonBlocking);
  const copy = opts.copy === undefined ? false : checkBool(fn, 'copy', opts.copy);
  if (dev !== undefined) requireCpu(dev);
  return { dtype, device: dev, copy };
}

/** What PyTorch's CPU-only build says when a CUDA tensor type is requested by name. */
const NO_CUDA_LIBRARY =
  "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared libraries: a CPU library and a CUDA library; this error has occurred because you are trying to use some CUDA functionality, but the CUDA library has not been loaded by the dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA library! One common culprit is a lack of -Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic library dependencies if you don't depend on any of their symbols.  You can check if this has occurred by using ldd on your binary to see if there is a dependency on *_cuda.so library.";

/** Python's legacy type names (`'torch.FloatTensor'`) of torchlet's dtypes. */
function dtypeOfTypeName(name: string): DType | undefined {
  return DTYPES.find((d) => legacyTypeName(d) === name);
}

/**
 * True for a tensor (parameters included), like `torch.is_tensor`.
 * See https://pytorch.org/docs/1.13/generated/torch.is_tensor.html
 * @example torch.isTensor(torch.zeros(2)) // true; torch.isTensor([1]) // false
 */
export function isTensor(obj: unknown): obj is Tensor {
  return obj instanceof Tensor;
}

/** `args` of a `new*` size factory with the tensor's dtype as the default. */
function inherit(t: Tensor, args: SizeArgs): SizeArgs {
  const last = args[args.length - 1];
  if (isPlainObject(last)) return [...args.slice(0, -1), withDType(t, last)];
  return [...args, { dtype: t.dtype }];
}

/** Options with the tensor's dtype as the default (anything but an options object is left for the factory to reject). */
function withDType(t: Tensor, opts: unknown): TensorOptions {
  return isPlainObject(opts) ? { ...opts, dtype: (opts as TensorOptions).dtype ?? t.dtype } : (opts as TensorOptions);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * This tensor with another dtype and/or device, like `Tensor.to`: `to(dtype)`,
     * `to(device, dtype?)`, `to(other)` (other's dtype and device) or
     * `to({ dtype, device, copy })`. Returns this tensor itself when nothing changes and `copy`
     * is not set (as PyTorch, `to('cpu:0')` copies: the index makes it another device). Only the
     * CPU holds tensors here: `to('cuda')` throws PyTorch's
     * `AssertionError: Torch not compiled with CUDA enabled`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.to.html
     * @example x.to('float64'); x.to(torch.device('cpu'), 'float64'); x.to(y); x.to({ dtype: 'int64', copy: true })
     */
    to(dtype: DType, opts?: ToOptions): Tensor;
    to(device: DeviceLike, dtype?: DType | null, opts?: ToOptions): Tensor;
    to(other: Tensor, opts?: ToOptions): Tensor;
    to(opts: ToOptions): Tensor;
    /**
     * With no argument, PyTorch's type name (`'torch.FloatTensor'`); with a dtype or a type name
     * (`'torch.Tensor'` is the default float32), this tensor cast to it (itself when it already
     * has it), like `Tensor.type`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.type.html
     * @example torch.zeros(2).type() // 'torch.FloatTensor'; x.type('float64'); x.type('torch.LongTensor')
     */
    type(): string;
    type(dtype: DType | string, opts?: { nonBlocking?: boolean }): Tensor;
    /**
     * A CUDA copy in PyTorch; here always PyTorch's CPU-only error
     * (`AssertionError: Torch not compiled with CUDA enabled`).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.cuda.html
     * @example if (torch.cuda.isAvailable()) x = x.cuda();
     */
    cuda(device?: DeviceLike | number): Tensor;
    /**
     * Zeros of the given size with this tensor's dtype and device unless given, like `Tensor.new_zeros`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.new_zeros.html
     * @example const h0 = x.newZeros(numLayers, batch, hidden);
     */
    newZeros(...args: SizeArgs): Tensor;
    /**
     * Ones with this tensor's dtype and device unless given, like `Tensor.new_ones`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.new_ones.html
     * @example const mask = x.newOnes([2, 3], { dtype: 'bool' });
     */
    newOnes(...args: SizeArgs): Tensor;
    /**
     * An uninitialised tensor in PyTorch (zeros here) with this tensor's dtype and device unless
     * given, like `Tensor.new_empty`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.new_empty.html
     * @example const buf = x.newEmpty(4);
     */
    newEmpty(...args: SizeArgs): Tensor;
    /**
     * `fillValue` everywhere, with this tensor's dtype and device unless given, like `Tensor.new_full`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.new_full.html
     * @example const pad = ids.newFull([2, 5], -1);
     */
    newFull(size: readonly number[], fillValue: number | boolean, opts?: TensorOptions): Tensor;
    /**
     * A new tensor from data (numbers, nested arrays, a typed array, or a tensor, which is copied
     * with PyTorch's warning), with this tensor's dtype and device unless given; it does not
     * require grad unless asked. Like `Tensor.new_tensor`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.new_tensor.html
     * @example const t = x.newTensor([[1, 2], [3, 4]]); // x's dtype
     */
    newTensor(data: unknown, opts?: TensorOptions): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const convertMethods: MethodTable = {
  to(this: Tensor, ...args: unknown[]) {
    const { dtype, device, copy } = parseTo('to()', args);
    const target = dtype ?? this.dtype;
    // PyTorch compares the requested device with the tensor's: 'cpu:0' is not 'cpu', so it copies
    if (!copy && target === this.dtype && (device === undefined || device === this.device)) return this;
    return castOp(this, target);
  },
  type(this: Tensor, dtype?: unknown, opts?: unknown) {
    if (dtype === undefined) return legacyTypeName(this.dtype);
    const o = checkOptions<{ nonBlocking?: boolean }>('type()', opts, ['nonBlocking']);
    if (o.nonBlocking !== undefined) checkBool('type()', 'nonBlocking', o.nonBlocking);
    if (typeof dtype !== 'string') throw new TypeError(`type(): argument 'dtype' must be a dtype or a type name, got ${describeValue(dtype)}`);
    if (dtype.startsWith('torch.cuda.')) throw new RuntimeError(NO_CUDA_LIBRARY);
    const target = isDType(dtype) ? dtype : dtype === 'torch.Tensor' ? 'float32' : dtypeOfTypeName(dtype);
    if (target === undefined) throw new ValueError(`invalid type: '${dtype}'`);
    return target === this.dtype ? this : castOp(this, target);
  },
  cuda(this: Tensor) {
    throw new AssertionError('Torch not compiled with CUDA enabled');
  },
  newZeros(this: Tensor, ...args: SizeArgs) {
    return zeros(...inherit(this, args));
  },
  newOnes(this: Tensor, ...args: SizeArgs) {
    return ones(...inherit(this, args));
  },
  newEmpty(this: Tensor, ...args: SizeArgs) {
    return empty(...inherit(this, args));
  },
  newFull(this: Tensor, size: readonly number[], fillValue: number | boolean, opts: TensorOptions = {}) {
    return full(size, fillValue, withDType(this, opts));
  },
  newTensor(this: Tensor, data: unknown, opts: TensorOptions = {}) {
    if (data instanceof Tensor) {
      warnOnce(
        'To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or sourceTensor.clone().detach().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).',
      );
    }
    return tensor(data, withDType(this, opts));
  },
};
