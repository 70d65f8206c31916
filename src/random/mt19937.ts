/**
 * The 32-bit Mersenne Twister (mt19937) exactly as PyTorch's `at::mt19937` engine
 * (aten/src/ATen/core/MT19937RNGEngine.h) drives `CPUGeneratorImpl`.
 *
 * - Seeding: PyTorch keeps the full 64-bit seed (reported by `initial_seed()`), but only its
 *   low 32 bits initialise the state (`state[0] = seed & 0xffffffff`, then Knuth's
 *   `state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >> 30)) + j`). So seeds 3 and 2**40 + 3
 *   produce the same stream.
 * - Output: the standard mt19937 twist and tempering (identical to `std::mt19937`).
 * - PyTorch tracks its position with `left` (draws until the next twist, plus one) and `next`
 *   (index of the next word); both are kept here with the same meaning so that
 *   `torch.get_rng_state()` bytes can be reproduced exactly.
 *
 * @module
 */
import { describeValue } from '../validate.js';

/** Number of 32-bit words in the mt19937 state. */
export const MT_STATE_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;

/**
 * Convert a seed as accepted by `torch.manual_seed` to the unsigned 64-bit value PyTorch stores.
 * Negative seeds (down to -2**63) wrap modulo 2**64, as PyTorch does; anything outside
 * [-2**63, 2**64) or non-integral throws a RangeError.
 */
export function normalizeSeed(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') {
    s = seed;
  } else {
    if (typeof seed !== 'number') throw new TypeError(`seed must be an integer or a bigint, got ${describeValue(seed)}`);
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    s = BigInt(seed);
  }
  if (s < -(1n << 63n) || s >= 1n << 64n) {
    throw new RangeError(`seed must be within the range of [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff], got ${s}`);
  }
  return BigInt.asUintN(64, s);
}

/** mt19937 engine with PyTorch's seeding, position bookkeeping and 64-bit draw. */
export class MT19937 {
  /** The 624-word state vector. */
  readonly state = new Uint32Array(MT_STATE_N);
  /** The unsigned 64-bit seed this engine was seeded with (`the_initial_seed`). */
  seed = 0n;
  /** PyTorch's `left_`: a twist happens when a draw decrements it to 0. */
  left = 1;
  /** PyTorch's `next_`: index of the next state word to temper. */
  next = 0;

  /** Create an engine seeded with `seed` (default 5489, mt19937's conventional default). */
  constructor(seed: number | bigint = 5489) {
    this.manualSeed(seed);
  }

  /** Re-seed (PyTorch's `mt19937(seed)` / `init_with_uint32`). */
  manualSeed(seed: number | bigint): this {
    const s = normalizeSeed(seed);
    this.seed = s;
    const st = this.state;
    st[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < MT_STATE_N; j++) {
      const prev = st[j - 1];
      st[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
    return this;
  }

  private twist(): void {
    const st = this.state;
    let i = 0;
    for (; i < MT_STATE_N - MT_M; i++) {
      const y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
      st[i] = st[i + MT_M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < MT_STATE_N - 1; i++) {
      const y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
      st[i] = st[i + MT_M - MT_STATE_N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (st[MT_STATE_N - 1] & UPPER_MASK) | (st[0] & LOWER_MASK);
    st[MT_STATE_N - 1] = st[MT_M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.left = MT_STATE_N;
    this.next = 0;
  }

  /** Next 32-bit output as an unsigned integer (PyTorch's `CPUGeneratorImpl::random()`). */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Next 64-bit output (PyTorch's `random64()`): two 32-bit draws, the first one forming the
   * high word.
   */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * The low 53 bits of {@link random64} as an exact number (what PyTorch's double
   * `uniform_real_distribution` uses). Consumes two 32-bit draws.
   */
  random53(): number {
    const hi = this.random();
    const lo = this.random();
    return (hi & 0x1fffff) * TWO_POW_32 + lo;
  }

  /** Copy another engine's complete state into this one. */
  copyFrom(other: MT19937): this {
    this.state.set(other.state);
    this.seed = other.seed;
    this.left = other.left;
    this.next = other.next;
    return this;
  }

  /** An independent copy of this engine. */
  clone(): MT19937 {
    return new MT19937().copyFrom(this);
  }

  /** PyTorch's `mt19937::is_valid()` check on the position fields. */
  isValid(): boolean {
    return this.left > 0 && this.left <= MT_STATE_N && this.next >= 0 && this.next <= MT_STATE_N;
  }
}
