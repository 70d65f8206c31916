/**
 * The float32 Adam/AdamW update as a WebAssembly SIMD kernel, bit-identical to the scalar loop in
 * adam.ts (PyTorch's float32 rounding order), about five times faster: JavaScript has no float32
 * division or square root, and the double-precision ones dominate the scalar loop.
 *
 * Lives here rather than in backends/ because it is the optimiser's own loop, not a backend
 * primitive; the module is assembled from bytes at first use (no build step, no binary file),
 * one function per combination of options so the loop has no branches. The kernel works on its
 * own memory: parameter and gradient go through it in chunks, and the running averages live in
 * it for good (an AdamArena per optimizer) or, outside an arena, go through it too.
 * Where WebAssembly SIMD is unavailable, `adamSimd()` returns false and adam.ts runs its loop.
 *
 * Exactness, lane by lane, against adam.ts's scalar loop (x, y float32; `rd` = round to float32):
 * - `rd(x op y)` for op in + * / and `rd(sqrt(x))`: IEEE float32 ops (f32x4.add/mul/div/sqrt)
 *   round once, as does double arithmetic followed by one `Math.fround` (53 >= 2*24 + 2 bits).
 * - `rd(x + a*b)` with float32 a, b (PyTorch's fused `add_(g, alpha)` / `addcmul_`): the
 *   product is exact in double, so the kernel computes it in f64x2 like the scalar loop, adds in
 *   double and rounds once to float32.
 * - `Math.max` and `f32x4.max` both return NaN when either lane is NaN.
 */
import type { FloatArray } from '../tensor/dtype.js';

/** Scalars of one float32 update (float32 values), as adam.ts computes them. @internal */
export interface AdamSimdScalars {
  sign: number;
  decoupled: boolean;
  decay: number;
  wd: number;
  b1: number;
  a1: number;
  b2: number;
  a2: number;
  negStepSize: number;
  bc2Sqrt: number;
  eps: number;
}

/** Elements per chunk copied through the module's memory. */
const CH = 3072;

/** Options as bits of a flags value: function `adam${flags}` of the module implements them. */
const F_AMSGRAD = 1;
const F_DECOUPLED = 2;
const F_WD = 4;
const F_MAXIMIZE = 8;

// ---------------------------------------------------------------- a tiny WebAssembly assembler

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const F32X4_SPLAT = simd(0x13);
const F64X2_SPLAT = simd(0x14);
const F32X4_NEG = simd(0xe1);
const F32X4_SQRT = simd(0xe3);
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
const F32X4_DIV = simd(0xe7);
const F32X4_MAX = simd(0xe9);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const DEMOTE = simd(0x5e); // f32x4.demote_f64x2_zero
const PROMOTE = simd(0x5f); // f64x2.promote_low_f32x4
/** i8x16.shuffle of (x, x) bringing lanes 2, 3 down to 0, 1. */
const HIGH_HALF = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** i8x16.shuffle of (a, b) joining lanes 0, 1 of a and lanes 0, 1 of b. */
const JOIN = [...simd(0x0d), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** A double-precision factor of a lane product: a v128 local holding f32x4 (promoted) or f64x2. */
type Factor = { f32: number } | { f64: number } | { lo: number; hi: number };

function half(f: Factor, high: boolean): number[] {
  if ('f64' in f) return get(f.f64);
  if ('lo' in f) return get(high ? f.hi : f.lo); // widened already
  return high ? [...get(f.f32), ...get(f.f32), ...HIGH_HALF, ...PROMOTE] : [...get(f.f32), ...PROMOTE];
}

/** Lanes 0, 1 and lanes 2, 3 of the f32x4 local `a` widened into the f64x2 locals lo, hi. */
function widen(a: number, lo: number, hi: number): number[] {
  return [...get(a), ...PROMOTE, ...set(lo), ...get(a), ...get(a), ...HIGH_HALF, ...PROMOTE, ...set(hi)];
}

/** rd(a + p * q) lane-wise: a (f32x4 local) widened, the product and sum in double, one rounding. */
function fusedAdd(a: number, p: Factor, q: Factor): number[] {
  const part = (high: boolean): number[] => [
    ...(high ? [...get(a), ...get(a), ...HIGH_HALF] : get(a)),
    ...PROMOTE,
    ...half(p, high),
    ...half(q, high),
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...DEMOTE,
  ];
  return [...part(false), ...part(true), ...JOIN];
}

/**
 * The module: memory "mem" and `adam0` ... `adam15(n, pW, pG, pM, pV, pX, flags, b1, a1, b2, a2,
 * nss, bc, eps, wd, decay)`, which update n elements of the float32 arrays at byte addresses pW
 * (param), pG (gradient), pM, pV (running averages) and pX (running maximum, amsgrad), with the
 * options of their number as flags (the flags argument itself is not read). Lanes past n up to a
 * multiple of 4 are computed and stored too: every array needs that much room.
 */
function assemble(): Uint8Array<ArrayBuffer> {
  // one function per combination of flags, exported as adam0 ... adam15 (no branches in the loop)
  const funcs = Array.from({ length: 16 }, (_, flags) => adamBody(flags));
  const params = [I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32];
  const exports = funcs.flatMap((_, i) => [...str(`adam${i}`), 0, i]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(3, [funcs.length, ...funcs.map(() => 0)]),
    ...section(5, [1, 0, 1]), // one memory, min 1 page (grown to size after instantiation)
    ...section(7, [funcs.length + 1, ...exports, ...str('mem'), 2, 0]),
    ...section(10, [funcs.length, ...funcs.flatMap((f) => [...uleb(f.length), ...f])]),
  ];
  return new Uint8Array(bytes);
}

/** The code of the function for one combination of flags (locals declaration and body). */
function adamBody(flags: number): number[] {
  // params (FLAGS is not read: the flags are compiled in)
  const N = 0, PW = 1, PG = 2, PM = 3, PV = 4, PX = 5;
  const B1 = 7, A1 = 8, B2 = 9, A2 = 10, NSS = 11, BC = 12, EPS = 13, WD = 14, DECAY = 15;
  // locals
  const I = 16, END = 17;
  const G = 18, W = 19, M = 20, V = 21, S = 22, T = 23;
  const vB1 = 24, vA1 = 25, vB2 = 26, vA2 = 27, vNSS = 28, vBC = 29, vEPS = 30, vWD = 31, vDECAY = 32;
  const GLO = 33, GHI = 34; // the gradient widened to double, shared by both running averages
  const when = (f: number, body: number[], otherwise: number[] = []): number[] => ((flags & f) !== 0 ? body : otherwise);
  const splat32 = (src: number, dst: number): number[] => [...get(src), ...F32X4_SPLAT, ...set(dst)];
  const splat64 = (src: number, dst: number): number[] => [...get(src), 0xbb, ...F64X2_SPLAT, ...set(dst)]; // f64.promote_f32
  /** address base + i (bytes) */
  const at = (base: number): number[] => [...get(base), ...get(I), 0x6a];
  const load = (base: number): number[] => [...at(base), ...simd(0x00), 4, 0];
  const store = (base: number, value: number[]): number[] => [...at(base), ...value, ...simd(0x0b), 4, 0];

  const body: number[] = [
    ...splat32(B1, vB1),
    ...splat64(A1, vA1),
    ...splat32(B2, vB2),
    ...splat32(A2, vA2),
    ...splat32(NSS, vNSS),
    ...splat32(BC, vBC),
    ...splat32(EPS, vEPS),
    ...splat64(WD, vWD),
    ...splat32(DECAY, vDECAY),
    ...get(N), ...i32c(2), 0x74, ...set(END), // end = n * 4 bytes
    ...i32c(0), ...set(I),
    0x02, 0x40, // block
    ...get(I), ...get(END), 0x4f, 0x0d, 0, // i >= end: br_if 0 (i32.ge_u)
    0x03, 0x40, // loop
    ...load(PG), ...set(G),
    ...when(F_MAXIMIZE, [...get(G), ...F32X4_NEG, ...set(G)]),
    ...load(PW), ...set(W),
    // AdamW: param.mul_(1 - lr * weight_decay); Adam: grad = grad.add(param, alpha=weight_decay)
    ...when(
      F_DECOUPLED,
      [...get(W), ...get(vDECAY), ...F32X4_MUL, ...set(W)],
      when(F_WD, [...fusedAdd(G, { f64: vWD }, { f32: W }), ...set(G)]),
    ),
    ...widen(G, GLO, GHI),
    // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    ...load(PM), ...get(vB1), ...F32X4_MUL, ...set(M),
    ...fusedAdd(M, { f64: vA1 }, { lo: GLO, hi: GHI }), ...set(M),
    ...store(PM, get(M)),
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    ...load(PV), ...get(vB2), ...F32X4_MUL, ...set(V),
    ...get(vA2), ...get(G), ...F32X4_MUL, ...set(T),
    ...fusedAdd(V, { f32: T }, { lo: GLO, hi: GHI }), ...set(V),
    ...store(PV, get(V)),
    ...get(V), ...set(S),
    ...when(F_AMSGRAD, [
      ...load(PX), ...get(V), ...F32X4_MAX, ...set(S),
      ...store(PX, get(S)),
    ]),
    // denom = (s.sqrt() / bias_correction2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
    ...store(PW, [
      ...get(W),
      ...get(vNSS), ...get(M), ...F32X4_MUL,
      ...get(S), ...F32X4_SQRT, ...get(vBC), ...F32X4_DIV, ...get(vEPS), ...F32X4_ADD,
      ...F32X4_DIV,
      ...F32X4_ADD,
    ]),
    ...get(I), ...i32c(16), 0x6a, 0x22, ...uleb(I), // i += 16 (local.tee)
    ...get(END), 0x49, 0x0d, 0, // i < end: br_if loop (i32.lt_u)
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  const locals = [2, 2, I32, 17, V128]; // 2 entries: 2 x i32, 17 x v128
  return [...locals, ...body];
}

// ---------------------------------------------------------------- the kernel and its memory

type AdamFn = (
  n: number, pW: number, pG: number, pM: number, pV: number, pX: number, flags: number,
  b1: number, a1: number, b2: number, a2: number, nss: number, bc: number, eps: number, wd: number, decay: number,
) => void;

let compiled: WebAssembly.Module | null | undefined;

/** An instance with at least `bytes` of memory, or null without WebAssembly SIMD (or memory). */
function instantiate(bytes: number): { fns: AdamFn[]; f32: Float32Array } | null {
  try {
    const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
    if (!wasm) return null;
    if (compiled === undefined) compiled = new wasm.Module(assemble());
    if (compiled === null) return null;
    const instance = new wasm.Instance(compiled);
    const mem = instance.exports.mem as WebAssembly.Memory;
    const pages = Math.ceil(bytes / 65536);
    if (pages > 1) mem.grow(pages - 1); // before any view of the buffer exists
    const fns = Array.from({ length: 16 }, (_, i) => instance.exports[`adam${i}`] as AdamFn);
    return { fns, f32: new Float32Array(mem.buffer) };
  } catch {
    if (compiled === undefined) compiled = null; // no WebAssembly SIMD here
    return null;
  }
}

function flagsOf(vmax: FloatArray | null, k: AdamSimdScalars): number {
  return (vmax !== null ? F_AMSGRAD : 0) | (k.decoupled ? F_DECOUPLED : 0) | (k.wd !== 0 ? F_WD : 0) | (k.sign < 0 ? F_MAXIMIZE : 0);
}

/**
 * Running averages that live in the kernel's memory: one module instance per optimizer whose
 * memory holds a parameter chunk, a gradient chunk and then every float32 state array, handed
 * out in order (never freed, never grown: the views stay valid). An update then copies only the
 * parameter and gradient through the memory.
 * @internal
 */
export class AdamArena {
  private next: number;
  /** Length of each array handed out, by byte offset (only those are updated in place). */
  private readonly arrays = new Map<number, number>();

  private constructor(
    private readonly fns: AdamFn[],
    private readonly f32: Float32Array,
  ) {
    this.next = 2 * CH;
  }

  /** An arena for `floats` state elements, or null (no WebAssembly SIMD, or too large). */
  static create(floats: number): AdamArena | null {
    const bytes = (2 * CH + floats + 4) * 4;
    if (bytes > 2 ** 30) return null;
    const k = instantiate(bytes);
    return k ? new AdamArena(k.fns, k.f32) : null;
  }

  /** A zeroed float32 array of `n` elements in the arena, or null when it is full. */
  alloc(n: number): Float32Array | null {
    const start = this.next;
    if (start + n > this.f32.length) return null;
    this.next = start + ((n + 3) & ~3); // 16-byte aligned, with room for the kernel's last lanes
    const a = this.f32.subarray(start, start + n);
    this.arrays.set(a.byteOffset, n);
    return a;
  }

  /** Whether `a` is an array this arena handed out (not some other view of its memory). */
  owns(a: FloatArray | null): boolean {
    return a !== null && a.buffer === this.f32.buffer && this.arrays.get(a.byteOffset) === a.length;
  }

  /** The update with m, v (and vmax) in the arena: w and g go through the memory in chunks. */
  update(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, k: AdamSimdScalars): void {
    const { f32 } = this;
    const flags = flagsOf(vmax, k);
    const fn = this.fns[flags]!;
    const n = w.length;
    const pm = m.byteOffset;
    const pv = v.byteOffset;
    const px = vmax !== null ? vmax.byteOffset : 0;
    for (let i = 0; i < n; i += CH) {
      const c = Math.min(CH, n - i);
      const e = i + c;
      f32.set(w.subarray(i, e), 0);
      f32.set(g.subarray(i, e), CH);
      fn(c, 0, CH * 4, pm + i * 4, pv + i * 4, px + i * 4, flags, k.b1, k.a1, k.b2, k.a2, k.negStepSize, k.bc2Sqrt, k.eps, k.wd, k.decay);
      w.set(f32.subarray(0, c), i);
    }
  }
}

/** The instance for state arrays outside any arena: all five arrays go through its memory. */
let shared: { fns: AdamFn[]; f32: Float32Array } | null | undefined;

/**
 * The float32 update of `w` in place with gradient `g`, running averages `m`, `v` and (amsgrad)
 * `vmax`, through the SIMD kernel (in `arena` when it holds the running averages); false (nothing
 * done) when WebAssembly SIMD is unavailable.
 * @internal
 */
export function adamSimd(
  w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, k: AdamSimdScalars,
  arena: AdamArena | null = null,
): boolean {
  if (arena !== null && arena.owns(m) && arena.owns(v) && (vmax === null || arena.owns(vmax))) {
    arena.update(w, g, m, v, vmax, k);
    return true;
  }
  if (shared === undefined) shared = instantiate(5 * CH * 4);
  if (shared === null) return false;
  const { f32 } = shared;
  const flags = flagsOf(vmax, k);
  const fn = shared.fns[flags]!;
  const n = w.length;
  for (let i = 0; i < n; i += CH) {
    const c = Math.min(CH, n - i);
    const e = i + c;
    f32.set(w.subarray(i, e), 0);
    f32.set(g.subarray(i, e), CH);
    f32.set(m.subarray(i, e), 2 * CH);
    f32.set(v.subarray(i, e), 3 * CH);
    if (vmax !== null) f32.set(vmax.subarray(i, e), 4 * CH);
    fn(c, 0, CH * 4, CH * 8, CH * 12, CH * 16, flags, k.b1, k.a1, k.b2, k.a2, k.negStepSize, k.bc2Sqrt, k.eps, k.wd, k.decay);
    w.set(f32.subarray(0, c), i);
    m.set(f32.subarray(2 * CH, 2 * CH + c), i);
    v.set(f32.subarray(3 * CH, 3 * CH + c), i);
    if (vmax !== null) vmax.set(f32.subarray(4 * CH, 4 * CH + c), i);
  }
  return true;
}
