// WebAssembly SIMD128 kernels: native/kernels.inc compiled for 128-bit vectors (clang
// --target=wasm32 -msimd128, see build.mjs). 4 x 8 float tile (8 accumulators), 4 x 4 for double;
// the JIT maps v128 values onto the host's 16 (x64) or 32 (arm64) vector registers.
#include <wasm_simd128.h>
#include <stdint.h>

#include "../optim.h"

namespace {

// Adam / AdamW's vector loop (kernels.inc adamF32, which runs the tail), 4 float lanes per step:
// kernels.inc's generic loop would use 2-float (64-bit) vectors here, which wasm lacks. The same
// roundings lane by lane: a float op rounds once; x + a*b is computed in double (f64x2 halves,
// the product of two floats is exact there) and rounded once; f32x4.max, like Math.max, returns
// NaN when a lane is NaN and +0 for (+0, -0). Returns the number of elements done. (wasm has no
// fused multiply-add, so nothing here can be contracted.)
inline v128_t lowHalf(v128_t a) { return wasm_f64x2_promote_low_f32x4(a); }
inline v128_t highHalf(v128_t a) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(a, a, 2, 3, 2, 3)); }
// rd(a + p * q) lane by lane; p, q doubles (lanes 0-1 in *Lo, 2-3 in *Hi).
inline v128_t fusedAdd(v128_t a, v128_t pLo, v128_t pHi, v128_t qLo, v128_t qHi) {
  const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_add(lowHalf(a), wasm_f64x2_mul(pLo, qLo)));
  const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_add(highHalf(a), wasm_f64x2_mul(pHi, qHi)));
  return wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5);
}

long adamLanes(long n, float* w, const float* g, float* m, float* v, float* vmax, const tl::AdamScalars& k) {
  const v128_t sign = wasm_f32x4_splat(k.sign), decay = wasm_f32x4_splat(k.decay);
  const v128_t wd = wasm_f64x2_splat((double)k.wd), b1 = wasm_f32x4_splat(k.b1);
  const v128_t a1 = wasm_f64x2_splat((double)k.a1), b2 = wasm_f32x4_splat(k.b2);
  const v128_t a2 = wasm_f32x4_splat(k.a2), nss = wasm_f32x4_splat(k.negStepSize);
  const v128_t bc2 = wasm_f32x4_splat(k.bc2Sqrt), eps = wasm_f32x4_splat(k.eps);
  const bool decoupled = k.decoupled, l2 = k.wd != 0;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_f32x4_mul(wasm_v128_load(g + i), sign);
    v128_t wi = wasm_v128_load(w + i);
    if (decoupled) wi = wasm_f32x4_mul(wi, decay);  // AdamW: param.mul_(1 - lr * weight_decay)
    else if (l2) gi = fusedAdd(gi, wd, wd, lowHalf(wi), highHalf(wi));  // Adam: grad.add(param, alpha=wd)
    const v128_t gLo = lowHalf(gi), gHi = highHalf(gi);
    const v128_t mi = fusedAdd(wasm_f32x4_mul(wasm_v128_load(m + i), b1), a1, a1, gLo, gHi);
    const v128_t t = wasm_f32x4_mul(a2, gi);
    const v128_t vi = fusedAdd(wasm_f32x4_mul(wasm_v128_load(v + i), b2), lowHalf(t), highHalf(t), gLo, gHi);
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t s = vi;
    if (vmax) {
      s = wasm_f32x4_max(wasm_v128_load(vmax + i), vi);
      wasm_v128_store(vmax + i, s);
    }
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(s), bc2), eps);
    wasm_v128_store(w + i, wasm_f32x4_add(wi, wasm_f32x4_div(wasm_f32x4_mul(mi, nss), denom)));
  }
  return i;
}

}  // namespace

#define TL_ADAM_LANES adamLanes
#define TL_VBYTES 16
#define TL_SMR 4
#define TL_SNV 2
#define TL_DMR 4
#define TL_DNV 2
#define TL_SKC 256
#define TL_DKC 256
#define TL_MC 96
#define TL_NC 2048
#define TL_TABLE kIsaWasm
#define TL_NAME "wasm-simd128"
#include "../kernels.inc"
