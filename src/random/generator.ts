/**
 * torchlet's random number generator: a bit-exact port of PyTorch 1.13's CPU generator
 * (`at::CPUGeneratorImpl`) and of the CPU kernels behind `rand`, `randn`, `uniform_`, `normal_`,
 * `randint`, `randperm`, `bernoulli_` and `dropout`.
 *
 * Every fill method consumes exactly the same 32-bit draws as the corresponding PyTorch call on a
 * contiguous CPU tensor and produces the same values bit for bit, so a torchlet program that
 * seeds with `manualSeed(s)` and makes the same sequence of calls as a PyTorch program gets the
 * same numbers. Matched against PyTorch 1.13.1 (x86-64, AVX2 kernels, no MKL, glibc 2.36 libm).
 * One exception: Box-Muller in double uses correctly rounded sin/cos ({@link sin64},
 * {@link cos64}), and glibc's round the other way for about 1.4 in 1000 angles. There the double
 * sample (about 1.3 in 1000 float64 normals, and the cached sample inside `getState()`) is one
 * or two units in the last place away from PyTorch's. float32 normals are unaffected in practice:
 * 16 or more elements use the float32 kernel, and rounding a double sample to float32 hides such a
 * difference except about once in 2^28 (tools/verify-libm.ts measures all of this).
 *
 * @module
 */

import { MT19937, MT_STATE_N } from './mt19937.js';
import { avxLogf, avxSincosf, cos64, fma, fmaf, log64, sin64 } from './libm.js';

/** A float32 or float64 output buffer. */
export type FloatArray = Float32Array | Float64Array;

/** PyTorch's `default_rng_seed_val`, the seed of a freshly constructed `torch.Generator()`. */
export const DEFAULT_SEED = 67280421310721;

/** Size in bytes of PyTorch's `CPUGeneratorImplState`, i.e. of `torch.get_rng_state()`. */
export const STATE_SIZE = 5056;
const LEGACY_STATE_SIZE = 5048;

const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M53 = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI;
const TWO_PI_F = Math.fround(TWO_PI);

/**
 * A pseudo-random number generator equivalent to PyTorch's CPU `torch.Generator`.
 *
 * The state is an mt19937 engine plus PyTorch's cached second Box-Muller sample (the scalar
 * normal path draws normals in pairs and keeps the sine half for the next call). Both are
 * included in {@link Generator.getState} and reset by {@link Generator.manualSeed}.
 * See https://pytorch.org/docs/1.13/generated/torch.Generator.html
 * @example
 * const g = new torch.Generator().manualSeed(42);
 * const x = torch.randn([2, 3], { generator: g });
 */
export class Generator {
  /** The underlying mt19937 engine. */
  readonly engine: MT19937;
  private nextDoubleNormal: number | null = null;
  private nextFloatNormal: number | null = null;

  /** Create a generator; like `torch.Generator()` it starts from seed 67280421310721. */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.engine = new MT19937(seed);
  }

  /** Seed the generator and clear the cached normal samples. Matches `Generator.manual_seed(seed)`. */
  manualSeed(seed: number | bigint): this {
    this.engine.manualSeed(seed);
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    return this;
  }

  /**
   * Seed from a non-deterministic source and return the seed. Matches `Generator.seed()`
   * (the values differ from PyTorch's, of course).
   */
  seed(): bigint {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    const s = (BigInt(words[0]) << 32n) | BigInt(words[1]);
    this.manualSeed(s);
    return s;
  }

  /**
   * The seed last set, as an unsigned 64-bit value: a number when it is a safe integer,
   * otherwise a bigint. Matches `Generator.initial_seed()`.
   */
  initialSeed(): number | bigint {
    const s = this.engine.seed;
    return s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
  }

  /**
   * Snapshot of the full state in PyTorch's byte layout (`CPUGeneratorImplState`, 5056 bytes):
   * byte-identical to `Generator.get_state()` / `torch.get_rng_state()` for the same history.
   */
  getState(): Uint8Array {
    const buf = new ArrayBuffer(STATE_SIZE);
    const dv = new DataView(buf);
    const e = this.engine;
    dv.setBigUint64(0, e.seed, true);
    dv.setInt32(8, e.left, true);
    dv.setInt32(12, 1, true); // seeded
    dv.setBigUint64(16, BigInt(e.next), true);
    for (let i = 0; i < MT_STATE_N; i++) dv.setUint32(24 + 8 * i, e.state[i], true);
    // 5016: normal_x (unused), 5024: normal_y, 5032: normal_rho (unused), 5040: normal_is_valid
    if (this.nextDoubleNormal !== null) {
      dv.setFloat64(5024, this.nextDoubleNormal, true);
      dv.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      dv.setFloat32(5048, this.nextFloatNormal, true);
      dv.setUint8(5052, 1);
    }
    return new Uint8Array(buf);
  }

  /**
   * Restore a state produced by {@link Generator.getState} or by PyTorch's `get_rng_state()`
   * (5056 bytes; the 5048-byte legacy layout is accepted as well). Matches `Generator.set_state()`.
   */
  setState(state: Uint8Array): this {
    if (state.byteLength !== STATE_SIZE && state.byteLength !== LEGACY_STATE_SIZE) {
      throw new RangeError(`Expected a state of ${STATE_SIZE} bytes, got ${state.byteLength}`);
    }
    const dv = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const left = dv.getInt32(8, true);
    const seeded = dv.getInt32(12, true);
    const next = Number(dv.getBigUint64(16, true) & 0xffffffffn);
    if (!seeded || left <= 0 || left > MT_STATE_N || next > MT_STATE_N) {
      throw new RangeError('Invalid mt19937 state');
    }
    const e = this.engine;
    e.seed = dv.getBigUint64(0, true);
    e.left = left;
    e.next = next;
    for (let i = 0; i < MT_STATE_N; i++) e.state[i] = dv.getUint32(24 + 8 * i, true);
    const normalValid = dv.getInt32(5040, true) !== 0;
    this.nextFloatNormal = null;
    this.nextDoubleNormal = null;
    if (state.byteLength === STATE_SIZE) {
      if (normalValid) this.nextDoubleNormal = dv.getFloat64(5024, true);
      if (dv.getUint8(5052) !== 0) this.nextFloatNormal = dv.getFloat32(5048, true);
    } else if (normalValid) {
      // legacy TH layout: the cached sample is rebuilt from (normal_x, normal_rho)
      const x = dv.getFloat64(5016, true);
      const rho = dv.getFloat64(5032, true);
      this.nextDoubleNormal = rho * sin64(TWO_PI * x);
    }
    return this;
  }

  /** An independent generator with the same state (PyTorch's `CPUGeneratorImpl::clone`). */
  clone(): Generator {
    const g = new Generator();
    g.engine.copyFrom(this.engine);
    g.nextDoubleNormal = this.nextDoubleNormal;
    g.nextFloatNormal = this.nextFloatNormal;
    return g;
  }

  /** One raw 32-bit draw (`CPUGeneratorImpl::random()`), as an unsigned integer. */
  random(): number {
    return this.engine.random();
  }

  /** One raw 64-bit draw (`CPUGeneratorImpl::random64()`): two 32-bit draws, first one high. */
  random64(): bigint {
    return this.engine.random64();
  }

  /**
   * Fill `out` with uniform samples on [from, to).
   *
   * Matches `torch.empty(n, dtype=...).uniform_(from, to)` and, with the defaults,
   * `torch.rand(n, dtype=...)`. float32 uses one 32-bit draw per element (its low 24 bits),
   * float64 one 64-bit draw (its low 53 bits); the sample is `fma(u, to - from, from)` computed
   * with a single rounding in the output dtype, `from` and `to` being first rounded to that dtype.
   */
  uniform<T extends FloatArray>(out: T, from = 0, to = 1): T {
    if (!(from <= to)) {
      throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    const e = this.engine;
    const n = out.length;
    if (out instanceof Float32Array) {
      const f = Math.fround(from);
      const range = Math.fround(Math.fround(to) - f);
      if (!Number.isFinite(range)) throw new RangeError(`uniform_ expects to-from to be finite in float32`);
      if (f === 0 && range === 1) {
        for (let i = 0; i < n; i++) out[i] = (e.random() & 0xffffff) * TWO_POW_M24;
      } else {
        for (let i = 0; i < n; i++) out[i] = fmaf((e.random() & 0xffffff) * TWO_POW_M24, range, f);
      }
    } else {
      const range = to - from;
      if (!Number.isFinite(range)) throw new RangeError(`uniform_ expects to-from to be finite`);
      if (from === 0 && range === 1) {
        for (let i = 0; i < n; i++) out[i] = e.random53() * TWO_POW_M53;
      } else {
        for (let i = 0; i < n; i++) out[i] = fma(e.random53() * TWO_POW_M53, range, from);
      }
    }
    return out;
  }

  /** Fill `out` with uniform samples on [0, 1). Matches `torch.rand(n, dtype=...)`. */
  rand<T extends FloatArray>(out: T): T {
    return this.uniform(out, 0, 1);
  }

  /**
   * Fill `out` with normal samples N(mean, std^2).
   *
   * Matches `torch.empty(n, dtype=...).normal_(mean, std)` and, with the defaults,
   * `torch.randn(n, dtype=...)`. As in PyTorch's CPU kernel:
   * - n >= 16: all n uniforms are drawn first (24-bit for float32, 53-bit for float64), then
   *   Box-Muller is applied to blocks of 16 (element j pairs with j + 8: cos half to j, sin half
   *   to j + 8); if n is not a multiple of 16 the last 16 elements are re-drawn and recomputed.
   *   float32 uses the AVX2 single-precision log/sincos, float64 {@link log64}, {@link sin64}
   *   and {@link cos64}.
   * - n < 16: each element is a scalar double Box-Muller sample (two 53-bit uniforms give a pair;
   *   the sine half is cached in the generator and used by the next scalar normal, even in a
   *   later call), rounded to the output dtype.
   */
  normal<T extends FloatArray>(out: T, mean = 0, std = 1): T {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n >= 16) {
      if (out instanceof Float32Array) this.normalFillFloat(out, Math.fround(mean), Math.fround(std));
      else this.normalFillDouble(out as Float64Array, mean, std);
    } else {
      for (let i = 0; i < n; i++) out[i] = this.normalScalar(mean, std);
    }
    return out;
  }

  /** Fill `out` with standard normal samples. Matches `torch.randn(n, dtype=...)`. */
  randn<T extends FloatArray>(out: T): T {
    return this.normal(out, 0, 1);
  }

  /** PyTorch's `at::normal_distribution<double>` (scalar path, with the cached sample). */
  private normalScalar(mean: number, std: number): number {
    let ret: number;
    if (this.nextDoubleNormal !== null) {
      ret = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
    } else {
      const e = this.engine;
      const u1 = e.random53() * TWO_POW_M53;
      const u2 = e.random53() * TWO_POW_M53;
      const r = Math.sqrt(-2.0 * log64(1.0 - u2));
      const theta = TWO_PI * u1;
      this.nextDoubleNormal = r * sin64(theta);
      ret = r * cos64(theta);
    }
    return fma(ret, std, mean);
  }

  private normalFillFloat(data: Float32Array, mean: number, std: number): void {
    const e = this.engine;
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = (e.random() & 0xffffff) * TWO_POW_M24;
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Float(data, i, mean, std);
    if (n % 16 !== 0) {
      const off = n - 16;
      for (let i = 0; i < 16; i++) data[off + i] = (e.random() & 0xffffff) * TWO_POW_M24;
      normalFill16Float(data, off, mean, std);
    }
  }

  private normalFillDouble(data: Float64Array, mean: number, std: number): void {
    const e = this.engine;
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = e.random53() * TWO_POW_M53;
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Double(data, i, mean, std);
    if (n % 16 !== 0) {
      const off = n - 16;
      for (let i = 0; i < 16; i++) data[off + i] = e.random53() * TWO_POW_M53;
      normalFill16Double(data, off, mean, std);
    }
  }

  /**
   * Fill `out` with integers uniform on [low, high).
   *
   * Matches `torch.randint(low, high, (n,))` (int64: pass a Float64Array; values beyond 2**53
   * lose precision) and `torch.randint(low, high, (n,), dtype=torch.int32)` (Int32Array).
   * Each element is `low + draw % (high - low)`, where the draw is one 32-bit draw, or one
   * 64-bit draw when the output is int64 and `high - low >= 2**32`.
   */
  randint<T extends Float64Array | Int32Array>(out: T, low: number | bigint, high: number | bigint): T {
    const lo = toBigIntInt(low, 'low');
    const hi = toBigIntInt(high, 'high');
    if (lo >= hi) {
      throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
    }
    const range = hi - lo;
    const e = this.engine;
    const n = out.length;
    if (out instanceof Int32Array) {
      if (lo < -(1n << 31n) || hi - 1n > (1n << 31n) - 1n) {
        throw new RangeError(`randint: [${lo}, ${hi}) is out of bounds for int32`);
      }
      const r = Number(range);
      const b = Number(lo);
      for (let i = 0; i < n; i++) out[i] = (e.random() % r) + b;
    } else {
      if (lo < -(1n << 63n) || hi - 1n > (1n << 63n) - 1n) {
        throw new RangeError(`randint: [${lo}, ${hi}) is out of bounds for int64`);
      }
      if (range >= 1n << 32n) {
        for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(64, (e.random64() % range) + lo));
      } else {
        const r = Number(range);
        const b = Number(lo);
        if (Number.isSafeInteger(b + r)) {
          for (let i = 0; i < n; i++) out[i] = (e.random() % r) + b;
        } else {
          for (let i = 0; i < n; i++) out[i] = Number(BigInt(e.random() % r) + lo);
        }
      }
    }
    return out;
  }

  /**
   * A random permutation of 0..n-1. Matches `torch.randperm(n)` (int64) on CPU: PyTorch 1.13
   * swaps element i with element i + (draw % (n - i)) for i = 0..n-2, one 32-bit draw each,
   * for every n (there is no large-n variant in 1.13).
   */
  randperm(n: number): Float64Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got ${n}`);
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = i;
    const e = this.engine;
    for (let i = 0; i < n - 1; i++) {
      const z = e.random() % (n - i);
      const save = r[i];
      r[i] = r[z + i];
      r[z + i] = save;
    }
    return r;
  }

  /**
   * Fill `out` with Bernoulli(p) samples (1 with probability p, else 0).
   *
   * Matches `torch.empty(n, dtype=...).bernoulli_(p)` for a scalar p on a PyTorch build without
   * MKL (the Debian/conda-forge style builds; official MKL builds use a different stream): one
   * 64-bit draw per element, `u53 < p`.
   */
  bernoulli<T extends FloatArray>(out: T, p: number): T {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    const e = this.engine;
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = e.random53() * TWO_POW_M53 < p ? 1 : 0;
    return out;
  }

  /**
   * Fill `out` with Exp(lambd) samples.
   *
   * Matches `torch.empty(n, dtype=...).exponential_(lambd)` on a PyTorch build without MKL: one
   * 53-bit uniform u per element (a 64-bit draw), the sample `-1 / lambd * log(1 - u)` computed
   * in double with glibc's log ({@link log64}), then rounded to the output dtype.
   */
  exponential<T extends FloatArray>(out: T, lambd = 1): T {
    if (!(lambd >= 0)) throw new RangeError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
    const e = this.engine;
    const scale = -1 / lambd;
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = scale * log64(1 - e.random53() * TWO_POW_M53);
    return out;
  }

  /**
   * Write into `out` the per-element multiplier that `torch.nn.functional.dropout(x, p,
   * training=True)` applies to a contiguous CPU tensor x of the same dtype and size, so that
   * `x[i] * out[i]` (rounded to the dtype) equals PyTorch's output bit for bit.
   *
   * PyTorch 1.13 on CPU computes `noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p);
   * return x * noise`, so each element costs one 64-bit draw and the multiplier is 0 or
   * `1 / (1 - p)` rounded to the dtype (for float32: `fround(1 / fround(1 - p))`). For p = 0 the
   * input is returned unchanged and for p = 1 it is multiplied by 0; neither consumes draws.
   */
  dropoutMask<T extends FloatArray>(out: T, p: number): T {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    }
    if (p === 0) return out.fill(1) as T;
    if (p === 1) return out.fill(0) as T;
    const q = 1 - p;
    this.bernoulli(out, q);
    const scale = out instanceof Float32Array ? Math.fround(1 / Math.fround(q)) : 1 / q;
    const n = out.length;
    for (let i = 0; i < n; i++) if (out[i] !== 0) out[i] = scale;
    return out;
  }
}

function toBigIntInt(v: number | bigint, name: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw new RangeError(`${name} must be an integer, got ${v}`);
  return BigInt(v);
}

const sincosBuf = new Float32Array(2);

/** PyTorch's `normal_fill_16_AVX2` on one block of 16 float32 uniforms. */
function normalFill16Float(data: Float32Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = Math.fround(1 - data[off + j]);
    const u2 = data[off + j + 8];
    const radius = Math.fround(Math.sqrt(Math.fround(-2 * avxLogf(u1))));
    const theta = Math.fround(TWO_PI_F * u2);
    avxSincosf(theta, sincosBuf);
    data[off + j] = fmaf(Math.fround(radius * sincosBuf[1]), std, mean);
    data[off + j + 8] = fmaf(Math.fround(radius * sincosBuf[0]), std, mean);
  }
}

/** PyTorch's `normal_fill_16<double>` on one block of 16 float64 uniforms. */
function normalFill16Double(data: Float64Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[off + j];
    const u2 = data[off + j + 8];
    const radius = Math.sqrt(-2 * log64(u1));
    const theta = TWO_PI * u2;
    data[off + j] = fma(radius * cos64(theta), std, mean);
    data[off + j + 8] = fma(radius * sin64(theta), std, mean);
  }
}

/**
 * The default generator used when no generator is passed, seeded with 67280421310721 (the seed
 * of a fresh `torch.Generator()`; note PyTorch seeds its own global default generator
 * non-deterministically at start-up, so call {@link manualSeed} for reproducibility).
 */
export const defaultGenerator = new Generator(DEFAULT_SEED);

/**
 * Seed the default generator and return it. Matches `torch.manual_seed(seed)`.
 * See https://pytorch.org/docs/1.13/generated/torch.manual_seed.html
 * @example torch.manualSeed(0); const a = torch.rand(3); torch.manualSeed(0); // torch.rand(3) equals a again
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/**
 * The default generator's seed. Matches `torch.initial_seed()`.
 * See https://pytorch.org/docs/1.13/generated/torch.initial_seed.html
 * @example torch.manualSeed(7); torch.initialSeed() // 7
 */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}

/**
 * Snapshot of the default generator's state. Matches `torch.get_rng_state()` byte for byte.
 * See https://pytorch.org/docs/1.13/generated/torch.get_rng_state.html
 * @example const s = torch.getRngState(); const a = torch.rand(2); torch.setRngState(s); // torch.rand(2) equals a
 */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/**
 * Restore the default generator's state. Matches `torch.set_rng_state(state)`.
 * See https://pytorch.org/docs/1.13/generated/torch.set_rng_state.html
 * @example torch.setRngState(savedState);
 */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}

