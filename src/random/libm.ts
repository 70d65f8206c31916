/**
 * Scalar replicas of the floating-point math that PyTorch 1.13's CPU random kernels call, so
 * that torchlet's generator reproduces PyTorch's numbers.
 *
 * - {@link fma} / {@link fmaf}: exact fused multiply-add (binary64 / binary32). PyTorch's AVX2
 *   kernels are compiled with FMA contraction, so `x * range + from` in `uniform_` and
 *   `val * std + mean` in `normal_` are single-rounded.
 * - {@link log64}: the double-precision `log` of Arm's optimized-routines (Szabolcs Nagy, 2018;
 *   MIT, see THIRD_PARTY_NOTICES): its algorithm, its 128-entry table and its polynomials, with
 *   the fused multiply-adds that GCC contracts when it builds that code for x86-64 with FMA.
 *   glibc has shipped this code as its `log` since 2.28, so on x86-64 Linux this is bit for bit
 *   the `log` that libtorch calls for float64 normals, exponentials and multinomial sampling.
 *   (V8's `Math.log` differs in the last bit for a few percent of inputs.)
 * - {@link sin64}, {@link cos64}: correctly rounded sine and cosine, torchlet's own derivation
 *   (constants computed at first use from Machin's formula and Taylor series). They give the
 *   same bits as the system `sin`/`cos` that libtorch calls wherever that library rounds
 *   correctly; glibc's `sin`/`cos` (errors up to about 0.55 ulp) round the other way on
 *   roughly 1.4 in 1000 of the generator's angles, where float64 normals then differ from
 *   PyTorch's in the last bits (tools/verify-libm.ts measures this).
 * - {@link avxLogf}, {@link avxSincosf}: scalar replicas of the single-precision `log256_ps` /
 *   `sincos256_ps` (cephes polynomials, via Julien Pommier's sse_mathfun and Giovanni
 *   Garberoglio's avx_mathfun, zlib licence) that PyTorch's AVX2 `normal_fill_16_AVX2` uses for
 *   float32 tensors of 16 or more elements, with GCC's FMA contraction applied the way the AVX2
 *   build does.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Bit access
// ---------------------------------------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32f = new Uint32Array(f32.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/** High 32 bits of a double's IEEE-754 representation (as an unsigned int). */
export function hiWord(x: number): number {
  f64[0] = x;
  return u32[HI];
}

/** Low 32 bits of a double's IEEE-754 representation (as an unsigned int). */
export function loWord(x: number): number {
  f64[0] = x;
  return u32[LO];
}

function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[LO] = lo >>> 0;
  return f64[0];
}

/** IEEE-754 bits of a float32 value. */
export function floatBits(x: number): number {
  f32[0] = x;
  return u32f[0];
}

/** The float32 value with the given bits. */
export function floatFromBits(bits: number): number {
  u32f[0] = bits >>> 0;
  return f32[0];
}

/**
 * Round `s` to odd: `s` is RN(exact) and `err` = exact - s (nonzero). If `s` has an even
 * significand, step one ulp toward the exact value (that neighbour is odd).
 */
function toOdd(s: number, err: number): number {
  f64[0] = s;
  let lo = u32[LO];
  if ((lo & 1) !== 0) return s;
  let hi = u32[HI];
  if (s > 0 === err > 0) {
    lo = lo + 1; // magnitude up; lo is even so there is no carry
  } else if (lo === 0) {
    lo = 0xffffffff;
    hi = hi - 1;
  } else {
    lo = lo - 1;
  }
  return fromWords(hi, lo);
}

const SPLITTER = 134217729; // 2^27 + 1

/**
 * Exact fused multiply-add `RN(a * b + c)` in binary64 (Boldo & Melquiond's emulation with
 * round-to-odd). Exact for finite operands whose product does not underflow (|a*b| > 2^-969)
 * or overflow; otherwise it falls back to `a * b + c`.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (p === 0 || c === 0 || !Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  const ap = Math.abs(p);
  if (ap < 1.5e-292 || ap > 1e300 || Math.abs(a) > 1e300 || Math.abs(b) > 1e300) return p + c;
  // Dekker two-product: a*b = p + e exactly.
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  // two-sum: c + p = th + tl exactly.
  const th = c + p;
  let bb = th - c;
  const tl = c - (th - bb) + (p - bb);
  // v = RO(tl + e)
  let v = tl + e;
  bb = v - tl;
  const ve = tl - (v - bb) + (e - bb);
  if (ve !== 0) v = toOdd(v, ve);
  return th + v;
}

/**
 * Exact single-precision fused multiply-add `RN32(a * b + c)` for float32 operands. The product
 * of two floats is exact in binary64, and the binary64 sum s = RN64(p + c) rounds to the same
 * float as the exact sum unless s is exactly halfway between two floats (the binary64 rounding
 * may have moved the exact sum onto the midpoint); only then the sign of the sum's rounding
 * error (two-sum) decides.
 */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  const r = Math.fround(s);
  const t = r + 2 * (s - r); // when s is halfway between two floats: the other one
  // s is a float, or no midpoint (the common cases, kept small so that callers inline them)
  return r === s || (Math.fround(t) !== t && r - r === 0) ? r : fmafMidpoint(a * b, c, s, r);
}

/** {@link fmaf} when s = RN64(p + c) is halfway between two floats, or overflowed to r = ±inf. */
function fmafMidpoint(p: number, c: number, s: number, r: number): number {
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (r === Infinity || r === -Infinity) {
    // only the midpoint between FLT_MAX and 2^128 can round the wrong way
    if (Math.abs(s) !== 3.4028235677973366e38) return r;
    return err === 0 || err > 0 === s > 0 ? r : Math.sign(s) * 3.4028234663852886e38;
  }
  if (r !== r) return r; // NaN
  const t = r + 2 * (s - r); // the float on s's other side
  return err === 0 || err > 0 !== t > r ? r : t;
}

// ---------------------------------------------------------------------------------------------
// log: Arm optimized-routines' log (MIT), FMA-contracted as in glibc's x86-64 FMA build
// ---------------------------------------------------------------------------------------------

// Arm optimized-routines math/log_data.c (Copyright (c) 2018, Arm Limited, MIT): ln2hi/ln2lo,
// poly (LOG_POLY_ORDER = 6), poly1 (LOG_POLY1_ORDER = 12) and tab (LOG_TABLE_BITS = 7).
const LN2HI = 0.6931471805598903;
const LN2LO = 5.497923018708371e-14;
const LA = [-0.5000000000000001, 0.33333333331825593, -0.2499999999622955, 0.20000304511814496, -0.16667054827627667];
const LB = [
  -0.5, 0.3333333333333352, -0.24999999999998432, 0.19999999999320328, -0.16666666669929706, 0.14285715076560868,
  -0.12499997863982555, 0.11110712032936046, -0.10000486757818193, 0.09181994006195467, -0.08328363062289341,
];
const LOG_INVC = [
  1.4504249240398293, 1.442253508327276, 1.4341736174350004, 1.426183816329995, 1.4182825527052965,
  1.4104682921759335, 1.4027396147468003, 1.3950954438932313, 1.3875338232485754, 1.3800539211058593,
  1.3726542695419708, 1.3653332798446802, 1.358090204587874, 1.3509234892132138, 1.3438320840699889,
  1.3368146974742003, 1.329870114677736, 1.322997339161106, 1.316195352741367, 1.3094628125672239,
  1.3027990455471041, 1.2962024229438942, 1.2896726275815547, 1.2832080305745537, 1.276807885983376,
  1.2704714060687552, 1.2641976054949482, 1.257985357514882, 1.2518337750655457, 1.2457421919097305,
  1.2397094966625508, 1.2337348463589233, 1.2278176973028803, 1.2219570190618474, 1.2161519732977757,
  1.2104018095009725, 1.204705805718973, 1.1990631185441964, 1.1934733004462308, 1.1879350812847385,
  1.1824481322833125, 1.1770114976921955, 1.1716248121809465, 1.1662869231674715, 1.1609977486762766,
  1.1557563220795803, 1.1505619105480347, 1.1454138888505974, 1.140311877374656, 1.1352550225747513,
  1.1302429094831266, 1.1252747693068048, 1.1203501571039876, 1.1154683327680124, 1.1106291463292157,
  1.1058315813301596, 1.1010752177696026, 1.0963597137952512, 1.0916844827550398, 1.0870487291277784,
  1.082452357388312, 1.0778948225025884, 1.0733751731601076, 1.068893585073351, 1.0644491706655506,
  1.0600414846328305, 1.0556701316181605, 1.051334750556926, 1.0470347288442157, 1.0427699229652954,
  1.0385395013738175, 1.034343418940345, 1.0301811073173315, 1.026052043621297, 1.0219561082336197,
  1.0178926505784922, 1.0138614436244586, 1.0098620186501341, 1.0058938559734134, 1.00195696235014,
  0.9961089923088509, 0.9884170338185201, 0.9808429191005297, 0.9733840169987446, 0.9660377568876556,
  0.9588014945307369, 0.9516728569073111, 0.9446494635965822, 0.9377288993026223, 0.9309091073790681,
  0.924187681612722, 0.9175626765599192, 0.9110320403624034, 0.9045935839762024, 0.8982456375922825,
  0.8919860966782501, 0.8858131121185129, 0.879725075760676, 0.8737201372634685, 0.8677966405782273,
  0.8619528050060739, 0.8561872354420692, 0.8504983927816893, 0.8448844572790304, 0.8393442741575965,
  0.8338762249349438, 0.8284789320557778, 0.8231510800065832, 0.8178913903778707, 0.8126984007245374,
  0.8075710029460227, 0.8025078881160415, 0.7975077379364331, 0.792569604966373, 0.7876923641254114,
  0.7828746724940998, 0.7781155388790811, 0.7734139557869777, 0.7687687179914933, 0.7641790698041854,
  0.7596438763692399, 0.7551621951078668, 0.7507331780216866, 0.7463557196361751, 0.7420289364869653,
  0.7377521537065876, 0.7335242966002608, 0.729344777457841,
];
// Arm's tab[i].logc: log(c) rounded to double, where LOG_INVC[i] = 1/c (see log_data.c).
const LOG_LOGC = [
  -0.3718565645633589, -0.36620682668944937, -0.3605888069791945, -0.3550022171419869, -0.34944666968829097,
  -0.3439217713603284, -0.3384271921261188, -0.332962831494342, -0.32752794345742586, -0.32212257167088865,
  -0.3167462884799761, -0.3113985598928366, -0.3060794515165526, -0.300788424667644, -0.2955252968476998,
  -0.29028969275850613, -0.2850812793277555, -0.27989987391470095, -0.27474526621870154, -0.2696169863701243,
  -0.26451506180308115, -0.2594387762767383, -0.2543884090981692, -0.24936321635129843, -0.24436312405975968,
  -0.23938801747897287, -0.23443761696705678, -0.22951151871518505, -0.2246094963439873, -0.21973149037705753,
  -0.2148770752847895, -0.210046029103637, -0.20523836373934046, -0.20045368751368642, -0.1956917537758045,
  -0.19095237845203883, -0.18623539250290833, -0.18154051731551135, -0.1768677957431919, -0.17221657406412305,
  -0.16758697765942543, -0.16297859687290384, -0.15839151377804228, -0.15382513241456763, -0.14927976358922024,
  -0.14475495398119165, -0.14025044090817573, -0.1357660466685502, -0.1313018016355727, -0.12685731518763532,
  -0.1224325737671279, -0.11802724521862729, -0.11364127671663482, -0.10927434611278386, -0.10492665324943573,
  -0.10059761422644442, -0.09628717309055901, -0.09199534069557558, -0.08772190036688698, -0.08346643613867855,
  -0.07922916827544668, -0.0750099004750382, -0.07080805133352897, -0.06662408085151128, -0.06245745471915143,
  -0.0583080438042316, -0.05417576112313327, -0.050060547896805474, -0.045962101199052086, -0.04188056008865715,
  -0.03781540056183985, -0.03376684757915882, -0.029734619131772888, -0.025718470239212365, -0.021718543925430822,
  -0.01773446126981071, -0.013766252464051831, -0.009813706322574944, -0.005876555150052809, -0.0019550499938532084,
  0.0038985973556009412, 0.011650571286395461, 0.019342955478919066, 0.0269766014846482, 0.034552359728422744,
  0.04207121767183253, 0.049533940950141186, 0.056941358295944156, 0.06429439168346107, 0.0715936354946507,
  0.07884010933776153, 0.08603438905970506, 0.09317721180013905, 0.10026951462748457, 0.10731170956330516,
  0.11430473320717738, 0.12124928503033061, 0.12814583422959913, 0.1349951636851756, 0.1417978768189414,
  0.14855476039031146, 0.1552661937658968, 0.16193275688146969, 0.16855539792220497, 0.1751343179947753,
  0.1816702989864325, 0.18816387146023317, 0.1946155228479256, 0.20102572579389744, 0.2073952090795501,
  0.21372429840596396, 0.2200135945981856, 0.22626374162859975, 0.23247494747693054, 0.23864766620658884,
  0.24478265647405806, 0.25088025827324145, 0.2569408552510595, 0.26296511155101143, 0.2689531327189343,
  0.27490553924610595, 0.2808227248478943, 0.286704979267256, 0.29255295645509705, 0.2983670386142876,
  0.30414734587282055, 0.30989455774829366, 0.31560871301871884,
];

const NEAR1_LO = 1 - 0.0625; // 1 - 0x1p-4
const NEAR1_HI = 1 + 0.064697265625; // 1 + 0x1.09p-4
const TWO27 = 134217728;

/**
 * Natural log: Arm optimized-routines' `log` (math/log.c, the HAVE_FAST_FMA variant) with GCC's
 * FMA contraction, which is also glibc's x86-64 `log` since 2.28 (error below 0.52 ulp).
 *
 * @example log64(2) // 0.6931471805599453
 */
export function log64(x: number): number {
  if (x >= NEAR1_LO && x < NEAR1_HI) {
    if (x === 1) return 0;
    const r = x - 1;
    const p21 = fma(r, LB[2], LB[1]);
    const p54 = fma(r, LB[5], LB[4]);
    const r2 = r * r;
    const p87 = fma(r, LB[8], LB[7]);
    const q1 = fma(r2, LB[3], p21);
    const q2 = fma(r2, LB[6], p54);
    const r3 = r * r2;
    let q3 = fma(r2, LB[9], p87);
    q3 = fma(r3, LB[10], q3);
    const q = fma(q3, r3, q2);
    const poly = fma(q, r3, q1);
    const t = fma(r, TWO27, r);
    const rhi = fma(-TWO27, r, t);
    const rhi2 = rhi * rhi;
    const rlo = r - rhi;
    const hi = fma(rhi2, LB[0], r);
    let lo = fma(rhi2, LB[0], r - hi);
    lo = fma(LB[0] * rlo, r + rhi, lo);
    const y = fma(poly, r3, lo);
    return hi + y;
  }
  let ixHi = hiWord(x);
  const ixLo = loWord(x);
  const top = ixHi >>> 16;
  if (top - 0x0010 >= 0x7ff0 - 0x0010 || top < 0x0010) {
    if (x === 0) return -Infinity;
    if (x === Infinity) return x;
    if (!(x > 0)) return NaN;
    // subnormal: scale into the normal range, then undo it in the exponent
    const xs = x * 4503599627370496; // 2^52
    ixHi = (hiWord(xs) - (52 << 20)) >>> 0;
    return logCore(ixHi, loWord(xs));
  }
  return logCore(ixHi, ixLo);
}

function logCore(ixHi: number, ixLo: number): number {
  const tmpHi = (ixHi - 0x3fe60000) | 0; // ix - OFF (OFF's low word is 0)
  const i = (tmpHi >>> 13) & 127;
  const k = tmpHi >> 20;
  const z = fromWords((ixHi - (tmpHi & 0xfff00000)) >>> 0, ixLo);
  const invc = LOG_INVC[i];
  const logc = LOG_LOGC[i];
  const kd = k;
  const w = fma(kd, LN2HI, logc);
  const r = fma(z, invc, -1);
  const t1 = fma(r, LA[2], LA[1]);
  const hi = r + w;
  const r2 = r * r;
  const lo = fma(kd, LN2LO, w - hi + r);
  const r3 = r * r2;
  const t2 = fma(r, LA[4], LA[3]);
  const lo2 = fma(r2, LA[0], lo);
  const p = fma(t2, r2, t1);
  const y = fma(r3, p, lo2);
  return y + hi;
}

// ---------------------------------------------------------------------------------------------
// sin / cos: correctly rounded binary64 (torchlet's own derivation)
// ---------------------------------------------------------------------------------------------
//
// Every constant below is computed at first use from its mathematical definition: pi from
// Machin's formula in BigInt fixed point, the table from the Taylor series of sin and cos at
// 2^-10 and exact rotations, the polynomial coefficients are Taylor's (+-1/n!). Nothing is
// taken from another library.
//
// Fast path (|x| < 2^20): x = k pi/2 + r, |r| <= pi/4 (+ a hair), with pi/2 in five 33-bit
// pieces so that every k * piece is exact and r comes out as a double-double rh + rl whose
// error is below 2^-104 |r| + 2^-143. Then r = c + t with c = i/1024 the nearest table point
// and |t| <= 2^-11, and
//   sin(c + t) = S cos t + C sin t,   cos(c + t) = C cos t - S sin t,
// with S, C the double-double sin(c), cos(c). The leading product (C t, or S t for the cosine)
// is exact (Dekker's two-product); the remaining terms are below 2^-21 of the result and are
// summed in double. The total error is below 2^-70.5 of the result (the largest parts are the
// rounding of S (cos t - 1) and of that sum, each about 2^-72; the largest seen in 400 000
// exact comparisons is 2^-73.5), so the rounding test with 2^-68 |result| (more than twice the
// bound, plus 2^-140 for the argument reduction) decides the correctly rounded result for all
// but about 1 call in 20 000. Those, and |x| >= 2^20, go to an exact evaluation in BigInt fixed
// point (256 bits, more if its own rounding test fails; about 20 us), so every result is the
// correctly rounded sin / cos. tools/verify-libm.ts checks both paths against exact values.

const TAB_STEP = 1 / 1024;
const TAB_LEN = 806; // i/1024 for i = 0..805 covers |r| <= pi/4 + 2^-11
const VELTKAMP = 134217729; // 2^27 + 1
const TWO_M68 = 2 ** -68;
const TWO_M140 = 2 ** -140;
const TWO_M26 = 2 ** -26;
const TWO_M27 = 2 ** -27;
const FAST_LIMIT = 1048576; // 2^20: |k| < 2^20, so k times a 33-bit piece of pi/2 is exact
const INV_PIO2 = 2 / Math.PI; // only chooses k; any k with |r| <= pi/4 + 2^-11 works
// Taylor coefficients of sin t - t and cos t - 1 (|t| <= 2^-11: the next terms are below 2^-100).
const S3 = -1 / 6;
const S5 = 1 / 120;
const S7 = -1 / 5040;
const C2 = -1 / 2;
const C4 = 1 / 24;
const C6 = -1 / 720;

// Per table point i: sin hi, sin lo, the Veltkamp halves of sin hi, then the same four for cos.
let sinCosTab: Float64Array | null = null;
// pi/2 = PIO2[0] + ... + PIO2[4] + O(2^-164); each piece is an integer below 2^33 times a power of 2.
const PIO2 = new Float64Array(5);

let piCache: { bits: number; value: bigint } | null = null;

/**
 * @internal pi * 2^bits within 2 (Machin: pi = 16 atan(1/5) - 4 atan(1/239), with 32 or more
 * guard bits). Also used for SLEEF's 1/(2 pi) table in src/backends/js/kernels/sleef-f32.ts.
 * @example piFixed(4) // 50n (pi * 16 = 50.27)
 */
export function piFixed(bits: number): bigint {
  if (piCache === null || piCache.bits < bits + 32) {
    const g = bits + 64;
    const one = 1n << BigInt(g);
    const atanInv = (n: bigint): bigint => {
      const n2 = n * n;
      let power = one / n;
      let sum = power;
      for (let k = 3n, sign = -1n; power !== 0n; k += 2n, sign = -sign) {
        power /= n2;
        sum += (sign * power) / k;
      }
      return sum; // each term truncated: error below the number of terms (< g)
    };
    piCache = { bits: g, value: 16n * atanInv(5n) - 4n * atanInv(239n) };
  }
  return piCache.value >> BigInt(piCache.bits - bits);
}

/** sin and cos of r * 2^-f (|r * 2^-f| < 1) in f-bit fixed point, each within 4 * 30 units. */
function fixedSinCos(r: bigint, f: bigint): [bigint, bigint] {
  const r2 = (r * r) >> f;
  let s = r;
  let sinSum = r;
  let c = 1n << f;
  let cosSum = c;
  for (let n = 1n; s !== 0n || c !== 0n; n++) {
    s = -((s * r2) >> f) / (2n * n * (2n * n + 1n));
    c = -((c * r2) >> f) / ((2n * n - 1n) * (2n * n));
    sinSum += s;
    cosSum += c;
  }
  return [sinSum, cosSum];
}

function veltkampHi(a: number): number {
  const t = VELTKAMP * a;
  return t - (t - a);
}

function initSinCos(): Float64Array {
  // pi/2 in 33-bit pieces: pi * 2^200 has 202 bits, so pi/2 = v * 2^-201.
  const v = piFixed(200);
  for (let j = 0, shift = 169; j < 5; j++, shift -= 33) {
    const piece = (v >> BigInt(shift)) & 0x1ffffffffn;
    PIO2[j] = Number(piece) * 2 ** (shift - 201);
  }
  // sin, cos of i/1024 by rotation in 200-bit fixed point (error below 2^-180).
  const f = 200n;
  const scale = 2 ** -200;
  const [sd, cd] = fixedSinCos(1n << (f - 10n), f);
  const tab = new Float64Array(8 * TAB_LEN);
  let s = 0n;
  let c = 1n << f;
  const put = (at: number, x: bigint): void => {
    const hi = Number(x); // BigInt -> Number rounds to nearest
    tab[at] = hi * scale;
    tab[at + 1] = Number(x - BigInt(hi)) * scale;
    tab[at + 2] = veltkampHi(tab[at]);
    tab[at + 3] = tab[at] - tab[at + 2];
  };
  for (let i = 0; i < TAB_LEN; i++) {
    put(8 * i, s);
    put(8 * i + 4, c);
    const s2 = (s * cd + c * sd) >> f;
    c = (c * cd - s * sd) >> f;
    s = s2;
  }
  sinCosTab = tab;
  return tab;
}

/**
 * @internal The fast path of {@link sin64} (cosine = false) / {@link cos64}: the correctly
 * rounded result for finite x with 2^-27 <= |x| < 2^20, or NaN when its rounding test cannot
 * decide (then the callers use {@link exactSinCos}). Exported for tools/verify-libm.ts.
 * @example fastSinCos(1, false) // 0.8414709848078965
 */
export function fastSinCos(x: number, cosine: boolean): number {
  const tab = sinCosTab ?? initSinCos();
  // Argument reduction: r = x - k pi/2 as rh + rl.
  const k = Math.round(x * INV_PIO2);
  let rh = x - k * PIO2[0]; // exact: a multiple of ulp(x) below 1 in magnitude
  let q = k * PIO2[1];
  let s = rh - q;
  let bb = s - rh;
  let rl = rh - (s - bb) - (q + bb); // two-sum error
  rh = s;
  q = k * PIO2[2];
  s = rh - q;
  bb = s - rh;
  rl += rh - (s - bb) - (q + bb);
  rh = s;
  rl -= k * PIO2[3] + k * PIO2[4];
  s = rh + rl;
  bb = s - rh;
  rl = rh - (s - bb) + (rl - bb);
  rh = s;
  let neg = false;
  if (rh < 0) {
    rh = -rh;
    rl = -rl;
    neg = true;
  }
  // sin x = sin r, cos r, -sin r, -cos r and cos x = cos r, -sin r, -cos r, sin r for k mod 4 = 0..3.
  const n = (k + (cosine ? 1 : 0)) & 3;
  const useCos = (n & 1) === 1;
  const negate = useCos ? n === 3 : (n === 2) !== neg;
  // r = c + t, t = th + tl
  const i = Math.round(rh * 1024);
  const j = 8 * i;
  const d = rh - i * TAB_STEP; // exact: zero or a multiple of ulp(rh) larger than |rl|
  const th = d + rl;
  const tl = rl - (th - d);
  const z = th * th;
  const sg = th * z * (S3 + z * (S5 + z * S7)); // sin t - t
  const cm = z * (C2 + z * (C4 + z * C6)) - th * tl; // cos t - 1
  const u = VELTKAMP * th;
  const tH = u - (u - th);
  const tL = th - tH;
  // sin(c + t) = S (1 + cm) + C (t + sg) and cos(c + t) = C (1 + cm) - S (t + sg): with
  // A = S, B = C for the sine and A = C, B = -S for the cosine, A + A cm + B (t + sg).
  const a = useCos ? j + 4 : j;
  const b = useCos ? j : j + 4;
  const sb = useCos ? -1 : 1;
  const ah = tab[a];
  const bh = sb * tab[b];
  const bhH = sb * tab[b + 2];
  const bhL = sb * tab[b + 3];
  const p = bh * th;
  const pe = bhH * tH - p + bhH * tL + bhL * tH + bhL * tL; // bh th = p + pe exactly (Dekker)
  const h = ah + p; // fast two-sum: |p| <= 2^-11 <= ah unless ah = sin 0 = 0
  const lo = p - (h - ah) + pe + (tab[a + 1] + ah * cm + bh * (tl + sg) + sb * tab[b + 1] * th);
  const e = Math.abs(h) * TWO_M68 + TWO_M140;
  const y = h + (lo + e);
  if (y !== h + (lo - e)) return NaN;
  return negate ? -y : y;
}

const fbits = new Float64Array(1);
const fwords = new Uint32Array(fbits.buffer);

/**
 * @internal sin (cosine = false) or cos of a finite x with |x| >= 2^-27, correctly rounded, in
 * BigInt fixed point: the slow path of {@link sin64} / {@link cos64}. Exported for
 * tools/verify-libm.ts.
 * @example exactSinCos(1e300, false) // -0.8178819121159085
 */
export function exactSinCos(x: number, cosine: boolean): number {
  fbits[0] = Math.abs(x);
  const hi = fwords[HI];
  const mant = (BigInt((hi & 0xfffff) | 0x100000) << 32n) | BigInt(fwords[LO]);
  const ex = (hi >>> 20) - 1075; // |x| = mant * 2^ex
  for (let prec = 256; ; prec += 256) {
    const w = prec + Math.max(0, ex + 53) + 64;
    const halfPi = piFixed(w + 8) >> 9n; // pi/2 * 2^w within 2
    const xf = mant << BigInt(ex + w); // ex + w >= -79 + 256
    const k = (2n * xf + halfPi) / (2n * halfPi);
    const r = (xf - k * halfPi) >> BigInt(w - prec); // within 2 units of 2^-prec
    const [sr, cr] = fixedSinCos(r, BigInt(prec));
    const n = Number(k & 3n) + (cosine ? 1 : 0);
    let v = (n & 1) === 1 ? cr : sr;
    if ((n & 2) !== 0) v = -v;
    if (!cosine && x < 0) v = -v;
    const err = 1024n;
    const a = Number(v - err);
    if (a === Number(v + err) || prec >= 768) {
      // scale by 2^-prec in two exact steps (the result is far above the subnormal range)
      return a * 2 ** -(prec >> 1) * 2 ** -(prec - (prec >> 1));
    }
  }
}

/** sin64 / cos64 past their tiny-argument shortcuts. */
function sinOrCos(x: number, cosine: boolean): number {
  const ax = Math.abs(x);
  if (ax < FAST_LIMIT) {
    const y = fastSinCos(x, cosine);
    if (y === y) return y;
  } else if (!(ax < Infinity)) {
    return NaN;
  }
  return exactSinCos(x, cosine);
}

/**
 * sin(x), correctly rounded (the binary64 number nearest to the exact sine) for every double.
 * torchlet's float64 normal samples use it (Box-Muller's sine half).
 *
 * @example sin64(Math.PI / 6) // 0.49999999999999994
 */
export function sin64(x: number): number {
  return Math.abs(x) < TWO_M26 ? x : sinOrCos(x, false);
}

/**
 * cos(x), correctly rounded (the binary64 number nearest to the exact cosine) for every double.
 * torchlet's float64 normal samples (Box-Muller's cosine half) and cosine schedules use it.
 *
 * @example cos64(Math.PI / 3) // 0.5000000000000001
 */
export function cos64(x: number): number {
  return Math.abs(x) < TWO_M27 ? 1 : sinOrCos(x, true);
}

// ---------------------------------------------------------------------------------------------
// AVX2 single-precision log / sincos (cephes via sse_mathfun / avx_mathfun)
// ---------------------------------------------------------------------------------------------

const fr = Math.fround;
const C_SQRTHF = fr(0.7071067811865476) // 0.707106781186547524;
const C_LOG_P = [
  fr(7.0376836292e-2), fr(-1.1514610310e-1), fr(1.1676998740e-1), fr(-1.2420140846e-1), fr(1.4249322787e-1),
  fr(-1.6668057665e-1), fr(2.0000714765e-1), fr(-2.4999993993e-1), fr(3.3333331174e-1),
];
const C_LOG_Q1 = fr(-2.12194440e-4);
const C_LOG_Q2 = fr(0.693359375);
const C_DP1 = fr(-0.78515625);
const C_DP2 = fr(-2.4187564849853515625e-4);
const C_DP3 = fr(-3.774894977445941e-8) // -3.77489497744594108e-8;
const C_SIN_P0 = fr(-1.9515295891e-4);
const C_SIN_P1 = fr(8.3321608736e-3);
const C_SIN_P2 = fr(-1.6666654611e-1);
const C_COS_P0 = fr(2.443315711809948e-5);
const C_COS_P1 = fr(-1.388731625493765e-3);
const C_COS_P2 = fr(4.166664568298827e-2);
const C_FOPI = fr(1.27323954473516); // 4/pi
const MIN_NORM_POS = floatFromBits(0x00800000);

/**
 * Natural log of a positive float32, bit-identical to PyTorch's AVX2 `log256_ps` (one lane).
 * Returns NaN for x <= 0.
 */
export function avxLogf(xIn: number): number {
  if (!(xIn > 0)) return NaN;
  let x = xIn < MIN_NORM_POS ? MIN_NORM_POS : xIn;
  const bits = floatBits(x);
  const expo = (bits >>> 23) - 0x7f;
  x = floatFromBits((bits & ~0x7f800000) | 0x3f000000); // mantissa in [0.5, 1)
  let e = fr(expo + 1);
  const small = x < C_SQRTHF;
  const tmp = small ? x : 0;
  x = fr(x - 1);
  if (small) e = fr(e - 1);
  x = fr(x + tmp);
  const z = fr(x * x);
  let y = C_LOG_P[0];
  for (let i = 1; i < 9; i++) y = fmaf(y, x, C_LOG_P[i]);
  y = fr(y * x);
  // y * z + e * q1: GCC fuses the first product and rounds the second
  y = fmaf(y, z, fr(e * C_LOG_Q1));
  y = fr(y - z * 0.5);
  x = fr(x + y);
  x = fmaf(e, C_LOG_Q2, x);
  return x;
}

/**
 * sin and cos of a float32, bit-identical to PyTorch's AVX2 `sincos256_ps` (one lane). Writes
 * [sin, cos] into `out`.
 */
export function avxSincosf(xIn: number, out: Float32Array | Float64Array): void {
  const negIn = xIn < 0 || Object.is(xIn, -0);
  let x = Math.abs(xIn);
  const yScaled = fr(x * C_FOPI);
  let j = Math.trunc(yScaled) | 0; // cvttps (inputs here are far below 2^31)
  j = (j + 1) & ~1;
  const y = fr(j);
  const swapSin = (j & 4) !== 0;
  const polyMask = (j & 2) === 0;
  x = fmaf(y, C_DP1, x);
  x = fmaf(y, C_DP2, x);
  x = fmaf(y, C_DP3, x);
  const cosNeg = (~(j - 2) & 4) !== 0;
  const sinNeg = negIn !== swapSin;
  const z = fr(x * x);
  let yc = fmaf(C_COS_P0, z, C_COS_P1);
  yc = fmaf(yc, z, C_COS_P2);
  yc = fr(yc * z);
  // yc * z - z * 0.5: fused, with the (exact) z * 0.5 as the addend
  yc = fmaf(yc, z, -(z * 0.5));
  yc = fr(yc + 1);
  let ys = fmaf(C_SIN_P0, z, C_SIN_P1);
  ys = fmaf(ys, z, C_SIN_P2);
  ys = fr(ys * z);
  ys = fmaf(ys, x, x);
  // polyMask selects the sine polynomial for sin (and the cosine polynomial for cos)
  let s = polyMask ? ys + 0 : yc + 0;
  let c = polyMask ? yc + 0 : ys + 0;
  if (sinNeg) s = -s;
  if (cosNeg) c = -c;
  out[0] = s;
  out[1] = c;
}
