/**
 * Scalar replicas of the float32 math that PyTorch 1.13's CPU kernels call on an AVX2 machine, so
 * that torchlet's float32 `exp`, `log`, `log1p`, `expm1`, `sin`, `cos`, `tanh`, `erf` and
 * `sigmoid` give PyTorch's bits.
 *
 * - PyTorch's `Vectorized<float>` (AVX2) computes these functions with SLEEF 3.5's 8-lane
 *   single-precision routines: `Sleef_expf8_u10`, `Sleef_logf8_u10`, `Sleef_log1pf8_u10`,
 *   `Sleef_expm1f8_u10`, `Sleef_sinf8_u10`, `Sleef_cosf8_u10`, `Sleef_tanhf8_u10`,
 *   `Sleef_erff8_u10`. The functions below port their algorithms (SLEEF's `sleefsimdsp.c` and
 *   `df.h`, the variant built for AVX2 with FMA: every `vmla` is a fused multiply-add) to scalar
 *   code: every float operation is rounded with `Math.fround`, every fused multiply-add is the
 *   exact {@link fmaf}. SLEEF is (c) Naoki Shibata and contributors 2010-2020, under the Boost
 *   Software License 1.0 (see THIRD_PARTY_NOTICES).
 * - SLEEF's u10 sine and cosine choose their argument reduction per vector of 8 lanes: when any
 *   lane has |x| >= 125 (or is NaN / infinite), all 8 lanes take the Payne-Hanek reduction, which
 *   can round a small lane's result differently. {@link sinf} and {@link cosf} take that choice as
 *   an argument; the unary kernel makes it per group of 8 elements, as PyTorch's loops form them.
 * - PyTorch's scalar `sigmoid` (the tails and non-contiguous loops of `cpu_kernel_vec`) calls
 *   glibc's `expf`, which is Arm optimized-routines' expf (Szabolcs Nagy, MIT, see
 *   THIRD_PARTY_NOTICES): {@link glibcExpf} ports it with the fused multiply-adds of glibc's
 *   x86-64 FMA build.
 *
 * Which build: PyTorch without MKL (torchlet's oracle, Debian's PyTorch 1.13 with its libsleef
 * 3.5.1). Builds with MKL (the x86-64 pip wheels) send contiguous float32 exp, log, log1p, sin,
 * cos, tanh and erf to MKL's VML instead (ATen/cpu/vml.h), whose bits these do not reproduce;
 * expm1, sigmoid and rsqrt take the same path in both.
 *
 * SLEEF's 1/(2 pi) table for the Payne-Hanek reduction and the 2^(i/32) table of expf are
 * computed at first use in BigInt (pi from src/random/libm.ts), following the definitions of
 * SLEEF's `mkrempitab.c` and optimized-routines' `exp2f_data.c`.
 *
 * @module
 */
import * as libm from '../../../random/libm.js';

// Local bindings: calls through a module namespace's getters (as tsx and vitest load modules)
// are not inlined, and these run a dozen times per element.
const fma = libm.fma;
const fmaf = libm.fmaf;
const floatBits = libm.floatBits;
const floatFromBits = libm.floatFromBits;

const F = Math.fround;
const FLT_MIN = 2 ** -126;
const INT_MIN = -2147483648;

// ---------------------------------------------------------------------------------------------
// AVX2 primitives
// ---------------------------------------------------------------------------------------------

/** `_mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT)`: round half to even, the sign of zero kept. */
function rintf(x: number): number {
  if (!(Math.abs(x) < 4503599627370496)) return x; // NaN, infinities and integers
  const r = x + 6755399441055744 - 6755399441055744; // 1.5 * 2^52: exact round half to even
  return r === 0 ? x * 0 : r;
}

/** `_mm256_cvtps_epi32`: round half to even; NaN and out of range give INT_MIN. */
function cvtI(x: number): number {
  return x >= -2147483648 && x < 2147483648 ? rintf(x) | 0 : INT_MIN;
}

/** `_mm256_cvttps_epi32`: truncate; NaN and out of range give INT_MIN. */
function cvttI(x: number): number {
  return x > -2147483649 && x < 2147483648 ? Math.trunc(x) | 0 : INT_MIN;
}

/** `vpow2i_vf_vi2`: the float with exponent field q + 127 (integer arithmetic wraps). */
function pow2i(q: number): number {
  return floatFromBits((q + 0x7f) << 23);
}

/** `vldexp2_vf_vf_vi2`: d * 2^e in two steps. */
function ldexp2(d: number, e: number): number {
  const h = e >> 1;
  return F(F(d * pow2i(h)) * pow2i(e - h));
}

/** `vldexp3_vf_vf_vi2`: adds q to the exponent field (no range checks). */
function ldexp3(d: number, q: number): number {
  return floatFromBits((floatBits(d) + (q << 23)) | 0);
}

/** `vilogb2k_vi2_vf`: the biased exponent field minus 127. */
function ilogb2k(d: number): number {
  return ((floatBits(d) >>> 23) & 0xff) - 0x7f;
}

function isNegZero(x: number): boolean {
  return x === 0 && 1 / x < 0;
}

/** x with its sign bit flipped when y's sign bit is set (`vmulsign_vf_vf_vf`). */
function mulsign(x: number, y: number): number {
  return y < 0 || isNegZero(y) ? -x : x;
}

// ---------------------------------------------------------------------------------------------
// Double-float arithmetic (SLEEF's df.h, FMA variant). Results go to H = [hi, lo].
// ---------------------------------------------------------------------------------------------

/**
 * fmaf(x, y, -s) for s = fround(x * y): x * y - s is exact in binary64, so one fround gives the
 * fused result (and is cheaper).
 */
function fmsExact(x: number, y: number, s: number): number {
  return F(x * y - s);
}

/** fmaf(-x, y, 1) for y = fround(1 / x): x * y is within 2^-23 of 1, so 1 - x * y is exact. */
function oneMinusExact(x: number, y: number): number {
  return F(1 - x * y);
}

// The pair registers: a Float64Array, because module-level `let` doubles are boxed on every write.
const H = new Float64Array(2);

/** dfadd_vf2_vf_vf: x + y (|x| >= |y|). */
function dfaddVV(x: number, y: number): void {
  const s = F(x + y);
  H[0] = s;
  H[1] = F(F(x - s) + y);
}

/** dfadd2_vf2_vf_vf: x + y, any magnitudes. */
function dfadd2VV(x: number, y: number): void {
  const s = F(x + y);
  const v = F(s - x);
  H[0] = s;
  H[1] = F(F(x - F(s - v)) + F(y - v));
}

/** dfadd_vf2_vf2_vf: (xx, xy) + y. */
function dfaddDV(xx: number, xy: number, y: number): void {
  const s = F(xx + y);
  H[0] = s;
  H[1] = F(F(F(xx - s) + y) + xy);
}

/** dfadd2_vf2_vf2_vf: (xx, xy) + y, any magnitudes. */
function dfadd2DV(xx: number, xy: number, y: number): void {
  const s = F(xx + y);
  const v = F(s - xx);
  const t = F(F(xx - F(s - v)) + F(y - v));
  H[0] = s;
  H[1] = F(t + xy);
}

/** dfadd_vf2_vf_vf2: x + (yx, yy). */
function dfaddVD(x: number, yx: number, yy: number): void {
  const s = F(x + yx);
  H[0] = s;
  H[1] = F(F(F(x - s) + yx) + yy);
}

/** dfadd_vf2_vf2_vf2: (xx, xy) + (yx, yy), |x| >= |y|. */
function dfaddDD(xx: number, xy: number, yx: number, yy: number): void {
  const s = F(xx + yx);
  H[0] = s;
  H[1] = F(F(F(F(xx - s) + yx) + xy) + yy);
}

/** dfadd2_vf2_vf2_vf2: (xx, xy) + (yx, yy), any magnitudes. */
function dfadd2DD(xx: number, xy: number, yx: number, yy: number): void {
  const s = F(xx + yx);
  const v = F(s - xx);
  const t = F(F(xx - F(s - v)) + F(yx - v));
  H[0] = s;
  H[1] = F(t + F(xy + yy));
}

/** dfnormalize_vf2_vf2. */
function dfnormalize(xx: number, xy: number): void {
  const s = F(xx + xy);
  H[0] = s;
  H[1] = F(F(xx - s) + xy);
}

/** dfmul_vf2_vf_vf: x * y exactly as a pair. */
function dfmulVV(x: number, y: number): void {
  const s = F(x * y);
  H[0] = s;
  H[1] = fmsExact(x, y, s);
}

/** dfmul_vf2_vf2_vf: (xx, xy) * y. */
function dfmulDV(xx: number, xy: number, y: number): void {
  const s = F(xx * y);
  H[0] = s;
  H[1] = fmaf(xy, y, fmsExact(xx, y, s));
}

/** dfmul_vf2_vf2_vf2: (xx, xy) * (yx, yy). */
function dfmulDD(xx: number, xy: number, yx: number, yy: number): void {
  const s = F(xx * yx);
  H[0] = s;
  H[1] = fmaf(xx, yy, fmaf(xy, yx, fmsExact(xx, yx, s)));
}

/** dfmul_vf_vf2_vf2: (xx, xy) * (yx, yy) as one float. */
function dfmulDDtoF(xx: number, xy: number, yx: number, yy: number): number {
  return fmaf(xx, yx, fmaf(xy, yx, F(xx * yy)));
}

/** dfsqu_vf2_vf2: (xx, xy)^2. */
function dfsqu(xx: number, xy: number): void {
  const s = F(xx * xx);
  H[0] = s;
  H[1] = fmaf(F(xx + xx), xy, fmsExact(xx, xx, s));
}

/** dfrec_vf2_vf2: 1 / (dx, dy). */
function dfrecD(dx: number, dy: number): void {
  const s = F(1 / dx);
  H[0] = s;
  H[1] = F(s * fmaf(-dy, s, oneMinusExact(dx, s)));
}

/** dfdiv_vf2_vf2_vf2: (nx, ny) / (dx, dy). */
function dfdiv(nx: number, ny: number, dx: number, dy: number): void {
  const t = F(1 / dx);
  const s = F(nx * t);
  const u = fmsExact(t, nx, s);
  const v = fmaf(-dy, t, oneMinusExact(dx, t));
  H[0] = s;
  H[1] = fmaf(s, v, fmaf(ny, t, u));
}

// ---------------------------------------------------------------------------------------------
// exp, expm1, tanh (expk2f), erf
// ---------------------------------------------------------------------------------------------

const R_LN2F = F(1.4426950408889634);
const L2UF = F(0.693145751953125);
const L2LF = F(1.428606765330187e-06);

/**
 * `Sleef_expf8_u10` (SLEEF's `xexpf`) for one float32 lane.
 * @example expf(1) // 2.7182817459106445 (float32 e)
 */
export function expf(d: number): number {
  const q = cvtI(F(d * R_LN2F));
  const qf = F(q);
  let s = fmaf(qf, -L2UF, d);
  s = fmaf(qf, -L2LF, s);
  let u = F(0.00019852761761285365);
  u = fmaf(u, s, F(0.0013930435525253415));
  u = fmaf(u, s, F(0.008333360776305199));
  u = fmaf(u, s, F(0.041666485369205475));
  u = fmaf(u, s, F(0.1666666716337204));
  u = fmaf(u, s, 0.5);
  u = F(1 + fmaf(F(s * s), u, s));
  u = ldexp2(u, q);
  if (d < -104) u = 0;
  if (100 < d) u = Infinity;
  return u;
}

/** SLEEF's `expk2f`: e^(dx + dy) as a double-float in H. */
function expk2f(dx: number, dy: number): void {
  const q = cvtI(F(F(dx + dy) * R_LN2F));
  const qf = F(q);
  dfadd2DV(dx, dy, F(qf * -L2UF));
  dfadd2DV(H[0]!, H[1]!, F(qf * -L2LF));
  const sx = H[0]!;
  const sy = H[1]!;
  let u = F(0.1980960224e-3);
  u = fmaf(u, sx, F(0.1394256484e-2));
  u = fmaf(u, sx, F(0.8333456703e-2));
  u = fmaf(u, sx, F(0.4166637361e-1));
  dfmulDV(sx, sy, u);
  dfadd2DV(H[0]!, H[1]!, F(0.16666665941423425));
  dfmulDD(sx, sy, H[0]!, H[1]!);
  dfadd2DV(H[0]!, H[1]!, 0.5);
  const tx = H[0]!;
  const ty = H[1]!;
  dfsqu(sx, sy);
  dfmulDD(H[0]!, H[1]!, tx, ty);
  dfadd2DD(sx, sy, H[0]!, H[1]!);
  dfaddVD(1, H[0]!, H[1]!);
  let rx = ldexp2(H[0]!, q);
  let ry = ldexp2(H[1]!, q);
  if (dx < -104) {
    rx = 0;
    ry = 0;
  }
  H[0] = rx;
  H[1] = ry;
}

/**
 * `Sleef_expm1f8_u10` (SLEEF's `xexpm1f`) for one float32 lane.
 * @example expm1f(1e-3) // 0.0010005001677200198
 */
export function expm1f(a: number): number {
  expk2f(a, 0);
  dfadd2DV(H[0]!, H[1]!, -1);
  let x = F(H[0]! + H[1]!);
  if (a > 88.72283172607422) x = Infinity;
  if (a < F(-16.635532333438686)) x = -1;
  if (isNegZero(a)) x = -0;
  return x;
}

/**
 * `Sleef_tanhf8_u10` (SLEEF's `xtanhf`) for one float32 lane.
 * @example tanhf(0.5) // 0.46211716532707214
 */
export function tanhf(x: number): number {
  const ax = Math.abs(x);
  expk2f(ax, 0);
  const dx = H[0]!;
  const dy = H[1]!;
  dfrecD(dx, dy);
  const ex = H[0]!;
  const ey = H[1]!;
  dfaddDD(dx, dy, -ex, -ey);
  const nx = H[0]!;
  const ny = H[1]!;
  dfaddDD(dx, dy, ex, ey);
  dfdiv(nx, ny, H[0]!, H[1]!);
  let y = F(H[0]! + H[1]!);
  if (ax > F(8.664339742) || y !== y) y = 1;
  y = mulsign(y, x);
  return x !== x ? NaN : y;
}

/**
 * `Sleef_erff8_u10` (SLEEF's `xerff_u1`) for one float32 lane.
 * @example erff(0.5) // 0.5204998850822449
 */
export function erff(s: number): number {
  const a = Math.abs(s);
  const o0 = a < F(1.1);
  const o1 = a < F(2.4);
  const o2 = a < 4;
  const u = o0 ? F(a * a) : a;
  const pick = (c0: number, c1: number, c2: number): number => (o0 ? F(c0) : o1 ? F(c1) : F(c2));
  let t = pick(+0.7089292194e-4, -0.1792667899e-4, -0.9495757695e-5);
  t = fmaf(t, u, pick(-0.7768311189e-3, +0.393763301e-3, +0.2481465926e-3));
  t = fmaf(t, u, pick(+0.5159463733e-2, -0.3949181177e-2, -0.2918176819e-2));
  t = fmaf(t, u, pick(-0.2683781274e-1, +0.244547464e-1, +0.2059706673e-1));
  t = fmaf(t, u, pick(+0.1128318012e0, -0.107099615e0, -0.9901899844e-1));
  dfmulVV(t, u);
  let c = o0 ? -0.37612587600065744 : o1 ? -0.6345889059084104 : -0.6435980505478917;
  dfadd2DD(H[0]!, H[1]!, F(c), F(c - F(c)));
  dfmulDV(H[0]!, H[1]!, u);
  c = o0 ? +1.1283791602105915 : o1 ? -1.128798558266945 : -1.1246148774284557;
  dfadd2DD(H[0]!, H[1]!, F(c), F(c - F(c)));
  dfmulDV(H[0]!, H[1]!, a);
  if (!o0) {
    expk2f(H[0]!, H[1]!);
    dfaddVD(1, -H[0]!, -H[1]!);
  }
  let r = o2 ? F(H[0]! + H[1]!) : 1;
  r = mulsign(r, s);
  return a !== a ? NaN : r;
}

// ---------------------------------------------------------------------------------------------
// log, log1p
// ---------------------------------------------------------------------------------------------

const LN2_HI = F(0.6931471824645996);
const LN2_LO = F(-1.904654323148236e-09);
const TWO64 = 18446744073709551616;

/** The shared end of xlogf_u1 and xlog1pf: (sx, sy) + 2 x + x^3 poly(x^2) for the x in H. */
function logTail(sx: number, sy: number): number {
  const xx = H[0]!;
  const xy = H[1]!;
  const x2 = F(xx * xx);
  let t = F(+0.3027294874);
  t = fmaf(t, x2, F(+0.3996108174));
  t = fmaf(t, x2, F(+0.666669488));
  dfaddDD(sx, sy, F(xx * 2), F(xy * 2));
  dfaddDV(H[0]!, H[1]!, F(F(x2 * xx) * t));
  return F(H[0]! + H[1]!);
}

/**
 * `Sleef_logf8_u10` (SLEEF's `xlogf_u1`) for one float32 lane.
 * @example logf(2) // 0.6931471824645996
 */
export function logf(d0: number): number {
  let d = d0;
  const o = d < FLT_MIN;
  if (o) d = F(d * TWO64);
  let e = ilogb2k(F(d * F(1 / 0.75)));
  const m = ldexp3(d, -e);
  if (o) e -= 64;
  dfmulDV(LN2_HI, LN2_LO, F(e));
  const sx = H[0]!;
  const sy = H[1]!;
  dfadd2VV(-1, m);
  const nx = H[0]!;
  const ny = H[1]!;
  dfadd2VV(1, m);
  dfdiv(nx, ny, H[0]!, H[1]!);
  let r = logTail(sx, sy);
  if (d === Infinity) r = Infinity;
  if (d < 0 || d !== d) r = NaN;
  if (d === 0) r = -Infinity;
  return r;
}

/**
 * `Sleef_log1pf8_u10` (SLEEF's `xlog1pf`) for one float32 lane.
 * @example log1pf(1e-3) // 0.00099950039293617
 */
export function log1pf(d: number): number {
  let dp1 = F(d + 1);
  const o = dp1 < FLT_MIN;
  if (o) dp1 = F(dp1 * TWO64);
  let e = ilogb2k(F(dp1 * F(1 / 0.75)));
  const t0 = ldexp3(1, -e);
  const m = fmaf(d, t0, F(t0 - 1));
  if (o) e -= 64;
  dfmulDV(LN2_HI, LN2_LO, F(e));
  const sx = H[0]!;
  const sy = H[1]!;
  dfaddVV(2, m);
  dfdiv(m, 0, H[0]!, H[1]!);
  let r = logTail(sx, sy);
  if (d > F(1e38)) r = Infinity;
  if (-1 > d || d !== d) r = NaN;
  if (d === -1) r = -Infinity;
  if (isNegZero(d)) r = -0;
  return r;
}

// ---------------------------------------------------------------------------------------------
// sin, cos (u10) and the Payne-Hanek reduction
// ---------------------------------------------------------------------------------------------

const M_1_PI_F = F(0.3183098861837907);
const PI_A2F = F(3.1414794921875);
const PI_B2F = F(0.0001131594181060791);
const PI_C2F = F(1.984187258941006e-09);
const TRIGRANGEMAX2F = 125;
const PI_HI = F(3.1415927410125732);
const PI_LO = F(-8.742277657347586e-08);

let rempitab: Float32Array | null = null;

/**
 * SLEEF's `Sleef_rempitabsp`: for each exponent ex = 2..104 of the argument's unit in the last
 * place, the bits of 1/(2 pi) below 2^-ex (times 2^64 when ex > 67), as four floats (the first
 * three with their two lowest bits cleared), as SLEEF's `mkrempitab.c` defines them.
 */
function rempiTable(): Float32Array {
  const P = 720; // fixed-point bits of 1/(2 pi)
  const rpi = (1n << BigInt(2 * P + 63)) / libm.piFixed(P + 64); // 2^P / (2 pi), within 1
  const tab = new Float32Array(103 * 4);
  const dropLsbs = (x: number): number => floatFromBits(floatBits(x) & 0xfffffffc);
  for (let i = 25; i < 128; i++) {
    const ex = i - 23;
    const scale = i > 90 ? 64 : 0;
    let x = rpi & ((1n << BigInt(P - ex)) - 1n); // frac(2^ex / (2 pi)) / 2^ex, times 2^P
    const toFloat = (v: bigint): number => F(Number(v) * 2 ** (scale - P)); // via the nearest double
    const toFixed = (f: number): bigint => BigInt(f * 2 ** (P - scale)); // exact: f's ulp >= 2^(scale - P)
    for (let k = 0; k < 4; k++) {
      const f = k < 3 ? dropLsbs(toFloat(x)) : toFloat(x);
      tab[(i - 25) * 4 + k] = f;
      x -= toFixed(f);
    }
  }
  rempitab = tab;
  return tab;
}

// rempisubf / rempif results (see H)
const REM = new Float64Array(2); // [quadrant count, reduced value]

/** SLEEF's `rempisubf` (FULL_FP_ROUNDING): x minus its nearest quarter, and 4 x's quarter count mod 4. */
function rempisubf(x: number): void {
  const y = rintf(F(x * 4));
  REM[0] = cvttI(F(y - F(rintf(x) * 4)));
  REM[1] = F(x - F(y * 0.25));
}

/** SLEEF's `rempif`: a = (H[0]! + H[1]!) + REM[0]! * pi/2 (Payne-Hanek); REM[0]! gets the quadrant. */
function rempif(a0: number): void {
  const tab = rempitab ?? rempiTable();
  let ex = ilogb2k(a0) - 25;
  const q0 = ex > 90 - 25 ? -64 : 0;
  const a = ldexp3(a0, q0);
  if (ex < 0) ex = 0;
  const j = ex * 4;
  const t0 = j < tab.length ? tab[j]! : NaN; // NaN and infinities read past the table; masked later
  const t1 = j < tab.length ? tab[j + 1]! : NaN;
  const t2 = j < tab.length ? tab[j + 2]! : NaN;
  const t3 = j < tab.length ? tab[j + 3]! : NaN;
  dfmulVV(a, t0);
  let xy = H[1]!;
  rempisubf(H[0]!);
  let q = REM[0]!;
  dfnormalize(REM[1]!, xy);
  let xx = H[0]!;
  xy = H[1]!;
  dfmulVV(a, t1);
  dfadd2DD(xx, xy, H[0]!, H[1]!);
  xy = H[1]!;
  rempisubf(H[0]!);
  q = (q + REM[0]!) | 0;
  dfnormalize(REM[1]!, xy);
  xx = H[0]!;
  xy = H[1]!;
  dfmulDV(t2, t3, a);
  dfadd2DD(xx, xy, H[0]!, H[1]!);
  dfnormalize(H[0]!, H[1]!);
  dfmulDD(H[0]!, H[1]!, F(PI_HI * 2), F(PI_LO * 2));
  if (Math.abs(a) < F(0.7)) {
    H[0] = a;
    H[1] = 0;
  }
  REM[0] = q;
}

/**
 * Whether SLEEF's u10 sine and cosine take the Payne-Hanek reduction for a vector containing x
 * (|x| >= 125, NaN or infinite).
 * @example trigNeedsPayneHanek(200) // true
 */
export function trigNeedsPayneHanek(x: number): boolean {
  return !(Math.abs(x) < TRIGRANGEMAX2F);
}

/**
 * The Payne-Hanek branch of xsinf_u1 (cosine = false) / xcosf_u1: the reduced argument goes to
 * H (NaN for NaN and infinite d), the quadrant count is returned.
 */
function trigPayneHanek(d: number, cosine: boolean): number {
  rempif(d);
  const rq = REM[0]!;
  const dx = H[0]!;
  const dy = H[1]!;
  const q = cosine ? ((rq & 3) * 2 + (dx > 0 ? 8 : 7)) >> 1 : ((rq & 3) * 2 + (dx > 0 ? 2 : 1)) >> 2;
  if ((rq & 1) === (cosine ? 0 : 1)) {
    // move by -pi/2 toward zero; the sine takes the sign from dx itself, the cosine from dx > 0
    const sign = cosine ? (dx > 0 ? 0 : -1) : dx;
    dfadd2DD(dx, dy, mulsign(F(PI_HI * -0.5), sign), mulsign(F(PI_LO * -0.5), sign));
  } // else H still holds (dx, dy)
  dfnormalize(H[0]!, H[1]!);
  if (d !== d || Math.abs(d) === Infinity) H[0] = NaN;
  return q;
}

/** The shared tail of sinf_u1 / cosf_u1: (sx, sy) * (1 + s^2 * poly(s^2)). */
function sinPoly(sx: number, sy: number): number {
  const tx = sx;
  const ty = sy;
  dfsqu(sx, sy);
  const s2x = H[0]!;
  const s2y = H[1]!;
  let u = F(2.6083159809786594e-06);
  u = fmaf(u, s2x, F(-0.00019810690719168633));
  u = fmaf(u, s2x, F(0.00833307858556509));
  dfaddVV(F(-0.16666659712791443), F(u * s2x));
  dfmulDD(H[0]!, H[1]!, s2x, s2y);
  dfaddVD(1, H[0]!, H[1]!);
  return dfmulDDtoF(tx, ty, H[0]!, H[1]!);
}

/**
 * `Sleef_sinf8_u10` (SLEEF's `xsinf_u1`) for one float32 lane. `payneHanek` is the choice the
 * whole 8-lane vector makes ({@link trigNeedsPayneHanek} of any of its lanes); by default the
 * lane's own.
 * @example sinf(1) // 0.8414709568023682
 */
export function sinf(d: number, payneHanek = trigNeedsPayneHanek(d)): number {
  let q: number;
  let sx: number;
  let sy: number;
  if (!payneHanek) {
    const u = rintf(F(d * M_1_PI_F));
    q = cvtI(u);
    const v = fmaf(u, -PI_A2F, d);
    dfadd2VV(v, F(u * -PI_B2F));
    dfaddDV(H[0]!, H[1]!, F(u * -PI_C2F));
    sx = H[0]!;
    sy = H[1]!;
  } else {
    q = trigPayneHanek(d, false);
    sx = H[0]!;
    sy = H[1]!;
  }
  let u = sinPoly(sx, sy);
  if ((q & 1) === 1) u = -u;
  return isNegZero(d) ? d : u;
}

/**
 * `Sleef_cosf8_u10` (SLEEF's `xcosf_u1`) for one float32 lane; `payneHanek` as in {@link sinf}.
 * @example cosf(1) // 0.5403023362159729
 */
export function cosf(d: number, payneHanek = trigNeedsPayneHanek(d)): number {
  let q: number;
  let sx: number;
  let sy: number;
  if (!payneHanek) {
    const dq = fmaf(rintf(fmaf(d, M_1_PI_F, -0.5)), 2, 1);
    q = cvtI(dq);
    dfadd2VV(d, F(dq * F(-PI_A2F * 0.5)));
    dfadd2DV(H[0]!, H[1]!, F(dq * F(-PI_B2F * 0.5)));
    dfadd2DV(H[0]!, H[1]!, F(dq * F(-PI_C2F * 0.5)));
    sx = H[0]!;
    sy = H[1]!;
  } else {
    q = trigPayneHanek(d, true);
    sx = H[0]!;
    sy = H[1]!;
  }
  const u = sinPoly(sx, sy);
  return (q & 2) === 0 ? -u : u;
}

// ---------------------------------------------------------------------------------------------
// sigmoid
// ---------------------------------------------------------------------------------------------

/**
 * PyTorch's vectorised float32 sigmoid: `(0 - x).exp()`, `+ 1`, `.reciprocal()` on
 * `Vectorized<float>` (SLEEF's expf and a float division).
 * @example sigmoidVecf(0) // 0.5
 */
export function sigmoidVecf(x: number): number {
  return F(1 / F(1 + expf(F(0 - x))));
}

/**
 * PyTorch's scalar float32 sigmoid: `1 / (1 + std::exp(-x))` with glibc's expf.
 * @example sigmoidScalarf(0) // 0.5
 */
export function sigmoidScalarf(x: number): number {
  return F(1 / F(1 + glibcExpf(-x)));
}

// ---------------------------------------------------------------------------------------------
// glibc's expf (Arm optimized-routines), FMA build
// ---------------------------------------------------------------------------------------------

const EXP2F_N = 32;
const INV_LN2_N = 1.4426950408889634 * EXP2F_N; // 0x1.71547652b82fep+0 * N
const EXPF_C0 = 0.05550361559341535 / EXP2F_N / EXP2F_N / EXP2F_N; // 0x1.c6af84b912394p-5 / N^3
const EXPF_C1 = 0.2402284522445722 / EXP2F_N / EXP2F_N; // 0x1.ebfce50fac4f3p-3 / N^2
const EXPF_C2 = 0.6931471806916203 / EXP2F_N; // 0x1.62e42ff0c52d6p-1 / N
const SHIFT = 6755399441055744; // 0x1.8p+52
let exp2fTab: Float64Array | null = null;
const POW2_BIAS = 160;
const POW2D = new Float64Array(2 * POW2_BIAS);
for (let i = 0, v = 2 ** -POW2_BIAS; i < 2 * POW2_BIAS; i++, v *= 2) POW2D[i] = v;

/** 2^m for an integer m in [-160, 160) (a table: `2 **` is a slow call). */
function pow2d(m: number): number {
  return POW2D[m + POW2_BIAS]!;
}

/** 2^(i/32) for i = 0..31, rounded to nearest double (exp2f_data.c's table, without its index offset). */
function exp2fTable(): Float64Array {
  const tab = new Float64Array(EXP2F_N);
  const bits = 120n; // y = floor(2^(i/32) * 2^bits): the largest y with y^32 <= 2^(i + 32 bits)
  for (let i = 0; i < EXP2F_N; i++) {
    const target = 1n << (BigInt(i) + 32n * bits);
    let y = 1n << bits;
    for (let b = bits; b >= 0n; b--) {
      const c = y | (1n << b);
      if (c ** 32n <= target) y = c;
    }
    tab[i] = Number(y) * 2 ** -Number(bits); // nearest double (2^(i/32) is irrational for i > 0)
  }
  exp2fTab = tab;
  return tab;
}

/**
 * glibc's `expf` on x86-64 with FMA (`__expf_fma`, Arm optimized-routines' expf), which
 * PyTorch's scalar float32 kernels call through `std::exp(float)`.
 * @example glibcExpf(1) // 2.7182817459106445
 */
export function glibcExpf(x: number): number {
  const tab = exp2fTab ?? exp2fTable();
  if (!(Math.abs(x) < 88)) {
    if (x === -Infinity) return 0;
    if (x !== x || x === Infinity) return x + x;
    if (x > 88.72283172607422) return Infinity; // 0x1.62e42ep6f
    if (x < -103.972076416015625) return 0; // 0x1.9fe368p6f
  }
  const z = INV_LN2_N * x;
  const kd0 = z + SHIFT;
  const kd = kd0 - SHIFT;
  const k = kd; // an integer in [-150 N, 128 N]
  const r = z - kd;
  const j = k & 31;
  const s = tab[j]! * pow2d((k - j) / EXP2F_N);
  const c = fma(EXPF_C0, r, EXPF_C1);
  const r2 = r * r;
  let y = fma(EXPF_C2, r, 1);
  y = fma(c, r2, y);
  return F(y * s);
}
