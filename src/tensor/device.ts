/**
 * `torch.device`: the device object of PyTorch (`type` and `index`), and the rules that decide
 * which devices a tensor can live on here. Device objects are interned, one per (type, index),
 * so `x.device === torch.device('cpu')` holds where PyTorch writes `x.device == torch.device('cpu')`.
 * Storages keep their device as the string `Device` of backends/backend.ts; only the public
 * `Tensor.device` is a device object.
 */
import type { Device as StorageDevice } from '../backends/backend.js';
import { AssertionError, NotImplementedError, RuntimeError } from '../errors.js';
import { describeValue } from '../validate.js';

/** PyTorch 1.13's device types, in the order of its "Expected one of ..." message. */
const PYTORCH_TYPES = [
  'cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga', 'ort', 'xla', 'lazy',
  'vulkan', 'mps', 'meta', 'hpu', 'privateuseone',
] as const;

/** A device type: PyTorch's, plus torchlet's accelerator `'webgpu'`. */
export type DeviceType = (typeof PYTORCH_TYPES)[number] | 'webgpu';

const TYPES: ReadonlySet<string> = new Set<string>([...PYTORCH_TYPES, 'webgpu']);
/** The largest index c10 parses (its `std::stoi`). */
const MAX_INDEX = 2 ** 31 - 1;

const token = Symbol('device');
const interned = new Map<string, Device>();

/**
 * A device, like `torch.device`: a `type` (`'cpu'`, `'cuda'`, ...) and an optional `index`.
 * Made by {@link device} only, which returns one shared object per (type, index): compare devices
 * with `===` (or `a.equals(b)`, which also takes a string). `String(d)` is PyTorch's `str(d)`
 * (`'cpu'`, `'cuda:1'`), so a device prints, interpolates and converts like the string.
 * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.device
 * @example
 * const dev = torch.device(torch.cuda.isAvailable() ? 'cuda' : 'cpu');
 * x.device === dev; // true for a tensor on the CPU
 * `${dev}` // 'cpu'
 */
export class Device {
  /**
   * The device type, like `device.type`.
   * @example torch.device('cuda:1').type // 'cuda'
   */
  readonly type: DeviceType;
  /**
   * The device index, or null when none was given, like `device.index`.
   * @example torch.device('cuda:1').index // 1
   */
  readonly index: number | null;

  /** @internal Use {@link device}. */
  constructor(key: typeof token, type: DeviceType, index: number | null) {
    if (key !== token) throw new TypeError("torch.Device cannot be constructed directly: use torch.device('cpu')");
    this.type = type;
    this.index = index;
    Object.freeze(this);
  }

  /**
   * PyTorch's `str(device)`: the type, then `:index` when there is one.
   * @example String(torch.device('cpu', 0)) // 'cpu:0'
   */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  /**
   * PyTorch's `device == other`, where `other` may also be a device string.
   * @example torch.zeros(2).device.equals('cpu') // true
   */
  equals(other: Device | string): boolean {
    if (other instanceof Device) return other === this;
    if (typeof other !== 'string') return false;
    try {
      return device(other) === this;
    } catch {
      return false;
    }
  }

  /**
   * PyTorch's `repr(device)`.
   * @example torch.device('cuda', 0).repr() // "device(type='cuda', index=0)"
   */
  repr(): string {
    return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
  }

  /** The string form, for JSON. */
  toJSON(): string {
    return this.toString();
  }

  /** The string form, for template literals and `+`. */
  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  /** `console.log(dev)` prints as Python's `print(dev)`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function intern(type: DeviceType, index: number | null): Device {
  const key = index === null ? type : `${type}:${index}`;
  let d = interned.get(key);
  if (d === undefined) {
    d = new Device(token, type, index);
    interned.set(key, d);
  }
  return d;
}

function checkType(type: string): DeviceType {
  if (!TYPES.has(type)) {
    throw new RuntimeError(`Expected one of ${PYTORCH_TYPES.join(', ')} device type at start of device string: ${type}`);
  }
  return type as DeviceType;
}

/** c10's device string grammar (`type` or `type:index`, the index without leading zeros), checked in c10's order. */
function parse(text: string): Device {
  if (text === '') throw new RuntimeError('Device string must not be empty');
  const m = /^([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?$/.exec(text);
  if (m === null) throw new RuntimeError(`Invalid device string: '${text}'`);
  const index = m[2] === undefined ? null : Number(m[2]);
  if (index !== null && index > MAX_INDEX) throw new RuntimeError(`Could not parse device index '${m[2]}' in device string '${text}'`);
  return intern(checkType(m[1]!), index);
}

function checkIndex(index: unknown): number | null {
  if (index === undefined || index === null) return null;
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(`Device(): argument 'index' (position 2) must be int, not ${describeValue(index)}`);
  }
  if (index < 0) throw new RuntimeError('Device index must not be negative');
  return index;
}

/** A device or a device string, accepted wherever PyTorch takes a device. */
export type DeviceLike = Device | string;

/**
 * The device for a string (`'cpu'`, `'cuda:1'`), a type and an index, another device, or a bare
 * index (a CUDA device), like `torch.device(...)`. Devices are interned: the same arguments give
 * the same object, so `===` compares them. Any PyTorch device type (and `'webgpu'`) can be named;
 * only `'cpu'` holds tensors here, and moving a tensor elsewhere throws PyTorch's error (`'cuda'`:
 * `AssertionError: Torch not compiled with CUDA enabled`).
 * See https://pytorch.org/docs/1.13/tensor_attributes.html#torch.device
 * @example
 * const dev = torch.device(torch.cuda.isAvailable() ? 'cuda' : 'cpu');
 * const x = torch.zeros(2, 3, { device: dev });
 * x.device === dev // true
 */
export function device(type: DeviceLike | number, index?: number | null): Device {
  if (type instanceof Device) {
    if (index !== undefined) throw new TypeError("Device(): argument 'type' (position 1) must be str, not torch.device");
    return type;
  }
  if (typeof type === 'number') {
    if (index !== undefined) throw new TypeError(`Device(): argument 'type' (position 1) must be str, not int`);
    return intern('cuda', checkIndex(type));
  }
  if (typeof type !== 'string') {
    throw new TypeError(
      `Device() received an invalid combination of arguments - got (${describeValue(type)}), but expected one of:\n * (torch.device device)\n * (str type, int index)`,
    );
  }
  const i = checkIndex(index);
  if (i === null) return parse(type);
  if (type.includes(':')) {
    throw new RuntimeError(`type (string) must not include an index because index was passed explicitly: ${type}`);
  }
  return intern(checkType(type), i);
}

/** The interned device object of a storage device (what `Tensor.device` returns). @internal */
export function deviceOf(d: StorageDevice): Device {
  return d === 'cpu' ? CPU : intern(d, null);
}

const CPU = intern('cpu', null);

/**
 * Checks that tensors can live on `d` here, which only the CPU can, with PyTorch's error for the
 * others (CUDA: `AssertionError: Torch not compiled with CUDA enabled`; other PyTorch devices:
 * `PyTorch is not linked with support for <type> devices`). @internal
 */
export function requireCpu(d: Device): void {
  switch (d.type) {
    case 'cpu':
      return;
    case 'cuda':
      throw new AssertionError('Torch not compiled with CUDA enabled');
    case 'webgpu':
      throw new NotImplementedError('tensors cannot be moved to webgpu yet: torchlet has no webgpu backend');
    default:
      throw new RuntimeError(`PyTorch is not linked with support for ${d.type} devices`);
  }
}

/**
 * A device argument (a `Device` or a device string) as a device, with PyTorch's errors. @internal
 * @example toDevice('to()', 'cpu') === torch.device('cpu')
 */
export function toDevice(fn: string, v: unknown): Device {
  if (v instanceof Device) return v;
  if (typeof v === 'string') return device(v);
  throw new TypeError(`${fn}: argument 'device' must be a torch.device or a device string, got ${describeValue(v)}`);
}
