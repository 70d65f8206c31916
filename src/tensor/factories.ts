/**
 * Creation functions: `torch.tensor`, `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, the
 * random ones, and the `*Like` variants. Sizes come as varargs or one array.
 */
import { RuntimeError, ValueError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { sizesArg, checkSizes } from '../ops/util.js';
import { checkBool, checkInt, checkOptions, describeValue, isPlainObject } from '../validate.js';
import { type DType, DTYPES, isFloating, refuseRandomFill, scalarTypeName, toStored, type TypedArray } from './dtype.js';
import { emptyTensor, wrapArray } from './create.js';
import { type DeviceLike, requireCpu, toDevice } from './device.js';
import { Tensor } from './tensor.js';

/** Options of creation functions. */
export interface TensorOptions {
  /** Element type; floats default to float32, integers to int64. */
  dtype?: DType;
  /** Record operations on the result for autograd. */
  requiresGrad?: boolean;
  /** The device (a `torch.device` or a device string); only the CPU holds tensors here. */
  device?: DeviceLike;
}

/** Options of random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (defaults to the global one seeded by `manualSeed`). */
  generator?: Generator;
}

/** Sizes as varargs or one array, optionally followed by an options object: `zeros(2, 3, { dtype })`. */
export type SizeArgs = (number | readonly number[] | TensorOptions)[];

const TENSOR_OPTS = ['dtype', 'requiresGrad', 'device'];
const RANDOM_OPTS = ['dtype', 'requiresGrad', 'device', 'generator'];

/** Validates the options of a creation function (names, dtype, requiresGrad, generator). */
function checkCreateOptions<O extends TensorOptions>(fn: string, opts: unknown, random = false): O {
  const o = checkOptions<O>(fn, opts, random ? RANDOM_OPTS : TENSOR_OPTS);
  checkDType(o.dtype);
  if (o.requiresGrad !== undefined) checkBool(fn, 'requiresGrad', o.requiresGrad);
  if (o.device !== undefined && o.device !== null) requireCpu(toDevice(fn, o.device));
  const gen = (o as RandomOptions).generator;
  if (gen !== undefined && gen !== null && !(gen instanceof Generator)) {
    throw new TypeError(`${fn}: argument 'generator' must be a torch.Generator, got ${describeValue(gen)}`);
  }
  return o;
}

function splitArgs<O extends TensorOptions>(fn: string, args: SizeArgs, random = false): [number[], O] {
  let opts = {} as O;
  const last = args[args.length - 1];
  if (last !== undefined && last !== null && typeof last === 'object' && !Array.isArray(last) && !ArrayBuffer.isView(last)) {
    opts = checkCreateOptions<O>(fn, last, random);
    args = args.slice(0, -1);
  }
  const shape = sizesArg(args as (number | readonly number[])[]);
  checkSizes(shape);
  return [shape, opts];
}

function checkDType(d: DType | undefined): void {
  if (d !== undefined && !DTYPES.includes(d)) {
    throw new TypeError(`dtype must be one of ${DTYPES.join(', ')}, got ${describeValue(d)}`);
  }
}

function checkLike(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: argument 'input' must be a Tensor, got ${describeValue(t)}`);
  return t;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * A tensor from a number, nested arrays, or a 1-D typed array, like `torch.tensor`.
 * Integers give int64, any float gives float32, booleans give bool.
 * See https://pytorch.org/docs/1.13/generated/torch.tensor.html
 * @example torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' })
 */
export function tensor(data: unknown, opts: TensorOptions = {}): Tensor {
  opts = checkCreateOptions('tensor()', opts);
  if (data instanceof Tensor) return finish(data.detach().clone().to(opts.dtype ?? data.dtype), opts);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    let dtype: DType;
    let arr: ArrayLike<number | bigint> = data as unknown as ArrayLike<number>;
    if (data instanceof Float32Array) dtype = 'float32';
    else if (data instanceof Float64Array) dtype = 'float64';
    else if (data instanceof Int32Array) dtype = 'int32';
    else if (data instanceof Int16Array) dtype = 'int16';
    else if (data instanceof Int8Array) dtype = 'int8';
    else if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) dtype = 'uint8';
    else if (data instanceof BigInt64Array) {
      dtype = 'int64';
      arr = Array.from(data as BigInt64Array, (v) => Number(v));
    } else dtype = 'int64'; // Deviation: Uint16Array, Uint32Array and BigUint64Array (no such PyTorch 1.13 dtypes) become int64
    const target = opts.dtype ?? dtype;
    const t = emptyTensor([arr.length], target);
    const d = t.storage.data;
    for (let i = 0; i < arr.length; i++) d[i] = toStored(target, Number(arr[i]));
    return finish(t, opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  let sawFloat = false;
  let sawBool = false;
  let sawNumber = false;
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof v === 'boolean') {
        sawBool = true;
        flat.push(v ? 1 : 0);
      } else if (typeof v === 'number') {
        sawNumber = true;
        if (!Number.isInteger(v)) sawFloat = true;
        flat.push(v);
      } else if (typeof v === 'bigint') {
        sawNumber = true;
        flat.push(Number(v));
      } else if (v instanceof Tensor && v.numel() === 1) {
        sawNumber = true;
        if (isFloating(v.dtype)) sawFloat = true;
        flat.push(v.item());
      } else {
        const py = v === null || v === undefined ? 'NoneType' : typeof v === 'string' ? 'str' : typeof v === 'object' ? 'dict' : typeof v;
        throw new TypeError(`Could not infer dtype of ${py}: tensor() takes numbers, booleans or nested arrays of them, got ${describeValue(v)}`);
      }
      return;
    }
    if (!Array.isArray(v)) throw new ValueError(`expected sequence of length ${shape[d]} at dim ${d} (got ${describeValue(v)})`);
    if (v.length !== shape[d]) throw new ValueError(`expected sequence of length ${shape[d]} at dim ${d} (got ${v.length})`);
    for (const e of v) walk(e, d + 1);
  };
  walk(data, 0);
  const inferred: DType = sawFloat ? 'float32' : sawNumber ? 'int64' : sawBool ? 'bool' : 'float32';
  const dtype = opts.dtype ?? inferred;
  const t = emptyTensor(shape, dtype);
  const d = t.storage.data;
  for (let i = 0; i < flat.length; i++) d[i] = toStored(dtype, flat[i]!);
  return finish(t, opts);
}


/** Tensor filled with `value`. */
function filled(shape: number[], value: number, opts: TensorOptions): Tensor {
  checkDType(opts.dtype);
  const t = emptyTensor(shape, opts.dtype ?? 'float32');
  if (value !== 0) t.storage.data.fill(toStored(t.dtype, value));
  return finish(t, opts);
}

/**
 * Zeros, like `torch.zeros(2, 3)` or `torch.zeros([2, 3], { dtype })`.
 * See https://pytorch.org/docs/1.13/generated/torch.zeros.html
 * @example torch.zeros(2, 3); torch.zeros([2, 3], { dtype: 'int64' })
 */
export function zeros(...args: SizeArgs): Tensor {
  const [shape, opts] = splitArgs('zeros()', args);
  return filled(shape, 0, opts);
}

/**
 * Ones, like `torch.ones`.
 * See https://pytorch.org/docs/1.13/generated/torch.ones.html
 * @example const mask = torch.ones(4, 4).tril();
 */
export function ones(...args: SizeArgs): Tensor {
  const [shape, opts] = splitArgs('ones()', args);
  return filled(shape, 1, opts);
}

/**
 * Uninitialised memory in PyTorch; zeros here (JS arrays are always initialised).
 * See https://pytorch.org/docs/1.13/generated/torch.empty.html
 * @example const buf = torch.empty(3, 5);
 */
export function empty(...args: SizeArgs): Tensor {
  const [shape, opts] = splitArgs('empty()', args);
  return filled(shape, 0, opts);
}

/**
 * A tensor filled with `fillValue`, like `torch.full`; the dtype follows the value.
 * See https://pytorch.org/docs/1.13/generated/torch.full.html
 * @example torch.full([2, 2], 7) // int64; torch.full([2], 0.5) is float32
 */
export function full(size: readonly number[], fillValue: number | boolean, opts: TensorOptions = {}): Tensor {
  if (!Array.isArray(size)) throw new TypeError(`full(): argument 'size' must be an array of integers, got ${describeValue(size)}`);
  checkFill('full()', fillValue);
  opts = checkCreateOptions('full()', opts);
  const shape = sizesArg([size]);
  checkSizes(shape);
  const dtype = opts.dtype ?? (typeof fillValue === 'boolean' ? 'bool' : Number.isInteger(fillValue) ? 'int64' : 'float32');
  return filled(shape, Number(fillValue), { ...opts, dtype });
}

function checkFill(fn: string, v: unknown): void {
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`${fn}: argument 'fill_value' must be a number or a boolean, got ${describeValue(v)}`);
  }
}

/**
 * Zeros shaped like `t` (same dtype unless given).
 * See https://pytorch.org/docs/1.13/generated/torch.zeros_like.html
 * @example const h0 = torch.zerosLike(x);
 */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkLike('zerosLike()', t);
  return filled(t.shape.slice(), 0, { dtype: t.dtype, ...checkCreateOptions('zerosLike()', opts) });
}

/**
 * Ones shaped like `t`.
 * See https://pytorch.org/docs/1.13/generated/torch.ones_like.html
 * @example const w = torch.onesLike(x);
 */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkLike('onesLike()', t);
  return filled(t.shape.slice(), 1, { dtype: t.dtype, ...checkCreateOptions('onesLike()', opts) });
}

/**
 * Like `torch.empty_like` (zero-filled).
 * See https://pytorch.org/docs/1.13/generated/torch.empty_like.html
 * @example const out = torch.emptyLike(x);
 */
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkLike('emptyLike()', t);
  return filled(t.shape.slice(), 0, { dtype: t.dtype, ...checkCreateOptions('emptyLike()', opts) });
}

/**
 * `fillValue` shaped like `t`.
 * See https://pytorch.org/docs/1.13/generated/torch.full_like.html
 * @example const pad = torch.fullLike(x, -1);
 */
export function fullLike(t: Tensor, fillValue: number, opts: TensorOptions = {}): Tensor {
  checkLike('fullLike()', t);
  checkFill('fullLike()', fillValue);
  return filled(t.shape.slice(), Number(fillValue), { dtype: t.dtype, ...checkCreateOptions('fullLike()', opts) });
}

/**
 * Evenly spaced values in [start, end), like `torch.arange(end)` / `torch.arange(start, end, step)`.
 * See https://pytorch.org/docs/1.13/generated/torch.arange.html
 * @example torch.arange(5) // int64 0..4
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  let opts: TensorOptions = {};
  if (args.length && isPlainObject(args[args.length - 1])) opts = checkCreateOptions('arange()', args.pop());
  const nums = args as number[];
  if (nums.length === 0 || nums.length > 3) {
    throw new TypeError(`arange() received an invalid combination of arguments: expected (end), (start, end) or (start, end, step), got ${nums.length} arguments`);
  }
  nums.forEach((n, i) => {
    if (typeof n !== 'number') {
      const name = nums.length === 1 ? 'end' : ['start', 'end', 'step'][i];
      throw new TypeError(`arange(): argument '${name}' must be a number, got ${describeValue(n)}`);
    }
  });
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (step === 0) throw new RuntimeError('step must be nonzero');
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RuntimeError(`unsupported range: ${start} -> ${end}`);
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RuntimeError('upper bound and larger bound inconsistent with step sign');
  }
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts.dtype ?? (allInt ? 'int64' : 'float32');
  const n = Math.ceil((end - start) / step);
  checkAllocSize('arange()', n);
  const t = emptyTensor([n], dtype);
  const d = t.storage.data;
  for (let i = 0; i < n; i++) d[i] = toStored(dtype, start + i * step);
  return finish(t, opts);
}

/**
 * `steps` evenly spaced values from start to end inclusive, like `torch.linspace`.
 * See https://pytorch.org/docs/1.13/generated/torch.linspace.html
 * @example torch.linspace(0, 1, 5) // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (typeof start !== 'number') throw new TypeError(`linspace(): argument 'start' must be a number, got ${describeValue(start)}`);
  if (typeof end !== 'number') throw new TypeError(`linspace(): argument 'end' must be a number, got ${describeValue(end)}`);
  checkInt('linspace()', 'steps', steps);
  if (steps < 0) throw new RuntimeError('number of steps must be non-negative');
  opts = checkCreateOptions('linspace()', opts);
  const dtype = opts.dtype ?? 'float32';
  const t = emptyTensor([steps], dtype);
  const d = t.storage.data;
  const f = dtype === 'float32' ? Math.fround : (x: number) => x;
  if (steps === 1) d[0] = toStored(dtype, start);
  else if (steps > 1) {
    // PyTorch parity: the first half counts up from start, the second half down from end, in the dtype's arithmetic.
    const step = f((f(end) - f(start)) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) {
      const v = i < half ? f(f(start) + f(step * i)) : f(f(end) - f(step * (steps - i - 1)));
      d[i] = toStored(dtype, v);
    }
  }
  return finish(t, opts);
}

/**
 * Identity matrix n x m, like `torch.eye`.
 * See https://pytorch.org/docs/1.13/generated/torch.eye.html
 * @example torch.eye(3); torch.eye(2, 3)
 */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (isPlainObject(m)) {
    if (opts !== undefined) throw new TypeError(`eye(): argument 'm' must be an integer, got ${describeValue(m)}`);
    opts = m;
    m = undefined;
  }
  opts = checkCreateOptions('eye()', opts);
  checkInt('eye()', 'n', n);
  if (m !== undefined && m !== null) checkInt('eye()', 'm', m);
  const cols = (m as number | undefined | null) ?? n;
  if (n < 0) throw new RuntimeError(`n must be greater or equal to 0, got ${n}`);
  if (cols < 0) throw new RuntimeError(`m must be greater or equal to 0, got ${cols}`);
  const t = filled([n, cols], 0, opts);
  const one = toStored(t.dtype, 1);
  for (let i = 0; i < Math.min(n, cols); i++) t.storage.data[i * cols + i] = one;
  return t;
}

function randFloat(kind: 'rand' | 'randn', args: SizeArgs): Tensor {
  const [shape, opts] = splitArgs<RandomOptions>(`${kind}()`, args, true);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) {
    throw new RuntimeError(`"${kind === 'rand' ? 'check_uniform_bounds' : 'normal_kernel_cpu'}" not implemented for '${scalarTypeName(dtype)}'`);
  }
  refuseRandomFill(dtype);
  const t = emptyTensor(shape, dtype);
  const gen = opts.generator ?? defaultGenerator;
  if (kind === 'rand') gen.uniform(t.storage.data as Float32Array, 0, 1);
  else gen.normal(t.storage.data as Float32Array, 0, 1);
  return finish(t, opts);
}

/**
 * Uniform [0, 1) samples, the same numbers as PyTorch for the same seed.
 * See https://pytorch.org/docs/1.13/generated/torch.rand.html
 * @example torch.manualSeed(0); const u = torch.rand(2, 3);
 */
export function rand(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  return randFloat('rand', args);
}

/**
 * Standard normal samples, the same numbers as PyTorch for the same seed.
 * See https://pytorch.org/docs/1.13/generated/torch.randn.html
 * @example torch.manualSeed(0); const x = torch.randn([4, 3], { dtype: 'float64' });
 */
export function randn(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  return randFloat('randn', args);
}

/**
 * Integers in [low, high), like `torch.randint(low?, high, size)`.
 * See https://pytorch.org/docs/1.13/generated/torch.randint.html
 * @example torch.randint(0, 10, [3, 4])
 */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  let opts: RandomOptions = {};
  if (isPlainObject(args[args.length - 1])) {
    opts = checkCreateOptions<RandomOptions>('randint()', args[args.length - 1], true);
    args = args.slice(0, -1);
  }
  const size = args[args.length - 1];
  if (!Array.isArray(size)) throw new TypeError(`randint(): argument 'size' must be an array of integers, got ${describeValue(size)}`);
  const bounds = args.slice(0, -1) as number[];
  if (bounds.length < 1 || bounds.length > 2) {
    throw new TypeError(`randint() received an invalid combination of arguments: expected (high, size) or (low, high, size), got ${args.length} arguments`);
  }
  const [low, high] = bounds.length === 1 ? [0, bounds[0]!] : [bounds[0]!, bounds[1]!];
  if (bounds.length === 2) checkInt('randint()', 'low', low);
  checkInt('randint()', 'high', high);
  if (low >= high) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const shape = sizesArg([size as number[]]);
  checkSizes(shape);
  const dtype = opts.dtype ?? 'int64';
  const t = emptyTensor(shape, dtype);
  const gen = opts.generator ?? defaultGenerator;
  const d = t.storage.data;
  if (d instanceof Float64Array || d instanceof Int32Array) gen.randint(d, low, high);
  else {
    // the same draws (one 32-bit draw per element below a range of 2^32), stored in the dtype
    const wide = gen.randint(new Float64Array(d.length), low, high);
    for (let i = 0; i < d.length; i++) d[i] = toStored(dtype, wide[i]!);
  }
  return finish(t, opts);
}

/**
 * A random permutation of 0..n-1 (int64), like `torch.randperm`.
 * See https://pytorch.org/docs/1.13/generated/torch.randperm.html
 * @example const order = torch.randperm(10);
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkInt('randperm()', 'n', n);
  if (n < 0) throw new RuntimeError(`n must be non-negative, got${n}`);
  opts = checkCreateOptions<RandomOptions>('randperm()', opts, true);
  const p = (opts.generator ?? defaultGenerator).randperm(n);
  const t = wrapArray(p as TypedArray, [n], 'int64');
  return opts.dtype && opts.dtype !== 'int64' ? t.to(opts.dtype) : t;
}

/**
 * Uniform samples shaped like `t`.
 * See https://pytorch.org/docs/1.13/generated/torch.rand_like.html
 * @example const u = torch.randLike(x);
 */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkLike('randLike()', t);
  checkCreateOptions('randLike()', opts, true);
  return rand(t.shape.slice(), { dtype: t.dtype, ...opts });
}

/**
 * Normal samples shaped like `t`.
 * See https://pytorch.org/docs/1.13/generated/torch.randn_like.html
 * @example const noise = torch.randnLike(x).mul(0.1);
 */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkLike('randnLike()', t);
  checkCreateOptions('randnLike()', opts, true);
  return randn(t.shape.slice(), { dtype: t.dtype, ...opts });
}

/** Largest element count one tensor may have (V8's typed-array limit, 2^32 - 1 elements). */
const MAX_NUMEL = 2 ** 32 - 1;

function checkAllocSize(fn: string, n: number): void {
  if (!(n <= MAX_NUMEL)) throw new RuntimeError(`${fn}: invalid size ${n}: the result would have more than ${MAX_NUMEL} elements`);
}
