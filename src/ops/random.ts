/**
 * In-place random fills (`uniform_`, `normal_`, `bernoulli_`) and `torch.bernoulli`/`multinomial`-free
 * basics. They draw from the PyTorch-exact generator (src/random/generator.ts), so the same seed
 * and call sequence give PyTorch's numbers.
 */
import { RuntimeError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { warnOnce } from '../warnings.js';
import { checkNumber, checkOptions, describeValue } from '../validate.js';
import { wrapArray } from '../tensor/create.js';
import { allocArray, type DType, type FloatArray, isFloating, refuseRandomFill, scalarTypeName } from '../tensor/dtype.js';
import { type Tensor, shapeNumel } from '../tensor/tensor.js';
import { applyInPlace } from './inplace.js';
import type { MethodTable } from '../tensor/methods.js';

function floatOnly(t: Tensor, kernel: string): void {
  if (!isFloating(t.dtype)) {
    const title = scalarTypeName(t.dtype);
    throw new RuntimeError(`"${kernel}" not implemented for '${title}'`);
  }
}

/** Options of random in-place fills. */
export interface GeneratorOption {
  generator?: Generator;
}

/** Validates a random fill's numbers and options; returns the generator to draw from. */
function genOf(fn: string, nums: [string, unknown][], opts: unknown): Generator {
  for (const [name, v] of nums) checkNumber(fn, name, v);
  const o = checkOptions<GeneratorOption>(fn, opts, ['generator']);
  if (o.generator !== undefined && o.generator !== null && !(o.generator instanceof Generator)) {
    throw new TypeError(`${fn}: argument 'generator' must be a torch.Generator, got ${describeValue(o.generator)}`);
  }
  return o.generator ?? defaultGenerator;
}

/**
 * A fresh `shape`/`dtype` tensor of samples that `draw` writes into a new host array. The
 * generator runs on the host, like PyTorch's CPU generator; the array is then wrapped as the
 * tensor's storage (a host transfer), so no kernel loop writes into tensor memory.
 * @example const r = drawTensor([3], 'float32', (a) => defaultGenerator.uniform(a, 0, 1));
 */
export function drawTensor(shape: readonly number[], dtype: DType, draw: (out: FloatArray) => void): Tensor {
  refuseRandomFill(dtype);
  const data = allocArray(dtype, shapeNumel(shape)) as FloatArray;
  draw(data);
  return wrapArray(data, shape, dtype);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Fills with U(from, to) samples in place, like `Tensor.uniform_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.uniform_.html
     * @example torch.empty(3, 4).uniform_(-0.1, 0.1)
     */
    uniform_(from?: number, to?: number, opts?: GeneratorOption): this;
    /**
     * Fills with N(mean, std) samples in place, like `Tensor.normal_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.normal_.html
     * @example torch.empty(3, 4).normal_(0, 0.02)
     */
    normal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /**
     * Fills with Bernoulli(p) samples (0/1) in place, like `Tensor.bernoulli_(p)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bernoulli_.html
     * @example const keep = torch.empty(8).bernoulli_(0.9);
     */
    bernoulli_(p?: number, opts?: GeneratorOption): this;
    /**
     * Fills with integers in place, like `Tensor.random_`: `random_()` draws from
     * [0, 2^mantissa] for floats (2^24 float32, 2^53 float64) and [0, max] for integers,
     * `random_(to)` from [0, to), `random_(from, to)` from [from, to); the same draws as
     * PyTorch's CPU generator (one 64-bit draw per element when the range reaches 2^32 on
     * int64/float tensors, else one 32-bit draw).
     * Deviation: int64 values beyond 2^53 lose precision (int64 is stored as float64).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.random_.html
     * @example torch.empty(5, { dtype: 'int64' }).random_(0, 10)
     */
    random_(opts?: GeneratorOption): this;
    random_(to: number, opts?: GeneratorOption): this;
    random_(from: number, to: number, opts?: GeneratorOption): this;
  }
}

/**
 * The exclusive upper bound of `random_()` without bounds: PyTorch's `uniform_int` takes a
 * draw modulo 2^digits + 1 for floats (so 2^digits is included) and modulo max + 1 for
 * integers; bool takes the low bit.
 */
const FULL_RANGE: Record<DType, bigint> = {
  float32: (1n << 24n) + 1n,
  float64: (1n << 53n) + 1n,
  int64: 1n << 63n,
  int32: 1n << 31n,
  bool: 2n,
  float16: (1n << 11n) + 1n,
  bfloat16: (1n << 8n) + 1n,
  int16: 1n << 15n,
  int8: 1n << 7n,
  uint8: 1n << 8n,
};

/** A bound after a round trip int64 -> float dtype -> int64 (`static_cast` both ways). */
function castThrough(dtype: DType, v: bigint): bigint {
  const x = Number(v);
  return BigInt(dtype === 'float32' ? Math.fround(x) : x);
}

/** floor(log2(|v|)) for v != 0, the `while (v >>= 1) ++n` loop of PyTorch's `update_from`/`update_to`. */
function floorLog2(v: bigint): bigint {
  let n = 0n;
  for (let a = v < 0n ? -v : v; a > 1n; a >>= 1n) n++;
  return n;
}

/**
 * PyTorch's `update_from`/`update_to` for float tensors: a bound whose neighbour towards the
 * range is not representable in the dtype moves inwards by one ulp, so every draw is exact.
 */
function floatBounds(dtype: DType, from: bigint, to: bigint): [bigint, bigint] {
  const digits = dtype === 'float32' ? 24n : 53n;
  const fromPlus1 = castThrough(dtype, from + 1n);
  if (fromPlus1 < from) from = fromPlus1 + (1n << (floorLog2(from + 1n) - digits + 1n));
  const toMinus1 = castThrough(dtype, to - 1n);
  if (toMinus1 >= to) to = toMinus1 - (1n << (floorLog2(to - 1n) - digits + 1n));
  if (from >= to) {
    throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${from} >= to=${to}`);
  }
  return [from, to];
}

/** Bounds and C++ names of the integer dtypes, for PyTorch's `check_from_to_in_range`. */
const INT_BOUNDS: Partial<Record<DType, [bigint, bigint, string]>> = {
  int64: [-(1n << 63n), (1n << 63n) - 1n, 'long'],
  int32: [-(1n << 31n), (1n << 31n) - 1n, 'int'],
  bool: [0n, 1n, 'bool'],
};

/**
 * PyTorch's `check_from_to_in_range`: an error when an integer dtype can't hold `from` or
 * `to - 1`; a warning when a float dtype can't hold every integer of the range exactly.
 */
function checkFromToInRange(dtype: DType, from: bigint, toInc: bigint): void {
  const bounds = INT_BOUNDS[dtype];
  if (bounds) {
    const [min, max, name] = bounds;
    if (from < min || from > max) throw new RuntimeError(`from is out of bounds for ${name}`);
    if (toInc < min || toInc > max) throw new RuntimeError(`to - 1 is out of bounds for ${name}`);
    return;
  }
  const digits = dtype === 'float32' ? 24n : 53n;
  const name = dtype === 'float32' ? 'float' : 'double';
  for (const [label, v] of [['from', from], ['to - 1', toInc]] as const) {
    if (v < -(1n << digits) || v > 1n << digits) {
      warnOnce(
        `${label} is out of bounds [-(2^${digits}), 2^${digits}]. Due to precision limitations ${name} can support discrete uniform distribution only within this range. This warning will become an error in version 1.7 release, please fix the code in advance`,
      );
    }
  }
}

/**
 * Integers on [from, to) as `random_from_to` draws them, written into a fresh array of `dtype`.
 * int64 and float64 share the Float64Array path of `Generator.randint` (64-bit draws from a
 * range of 2^32 up); float32 draws the same way into float64 and rounds; int32 and bool take
 * one 32-bit draw each.
 */
function drawIntegers(gen: Generator, out: FloatArray | Int32Array | Uint8Array, from: bigint, to: bigint): void {
  if (out instanceof Float64Array || out instanceof Int32Array) {
    gen.randint(out, from, to);
  } else {
    const wide = gen.randint(new Float64Array(out.length), from, to);
    out.set(wide);
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const randomMethods: MethodTable = {
  uniform_(this: Tensor, from = 0, to = 1, opts: GeneratorOption = {}) {
    const gen = genOf('uniform_()', [['from', from], ['to', to]], opts);
    floatOnly(this, 'check_uniform_bounds');
    if (from > to) {
      throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.uniform(a, from, to)));
  },
  normal_(this: Tensor, mean = 0, std = 1, opts: GeneratorOption = {}) {
    const gen = genOf('normal_()', [['mean', mean], ['std', std]], opts);
    floatOnly(this, 'normal_kernel_cpu');
    if (std < 0) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.normal(a, mean, std)));
  },
  bernoulli_(this: Tensor, p = 0.5, opts: GeneratorOption = {}) {
    const gen = genOf('bernoulli_()', [['p', p]], opts);
    floatOnly(this, 'bernoulli_scalar_cpu_');
    if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.bernoulli(a, p)));
  },
  random_(this: Tensor, ...args: unknown[]) {
    const opts = args.length > 0 && typeof args[args.length - 1] === 'object' ? args.pop() : {};
    if (args.length > 2) throw new TypeError(`random_() takes at most 2 positional arguments (${args.length} given)`);
    const nums: [string, unknown][] = args.length === 2 ? [['from', args[0]], ['to', args[1]]] : args.length === 1 ? [['to', args[0]]] : [];
    const gen = genOf('random_()', nums, opts);
    for (const [name, v] of nums) {
      if (!Number.isInteger(v)) throw new TypeError(`random_(): argument '${name}' must be int, not ${describeValue(v)}`);
    }
    let from = args.length === 2 ? BigInt(args[0] as number) : 0n;
    let to = args.length === 0 ? FULL_RANGE[this.dtype] : BigInt(args[args.length - 1] as number);
    if (from >= to) {
      throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
    }
    if (args.length > 0) {
      if (isFloating(this.dtype)) [from, to] = floatBounds(this.dtype, from, to);
      checkFromToInRange(this.dtype, from, to - 1n);
    }
    return applyInPlace(this, () =>
      drawTensor(this.shape, this.dtype, (a) => drawIntegers(gen, a as FloatArray | Int32Array | Uint8Array, from, to)),
    );
  },
};
