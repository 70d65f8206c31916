// Exports of the WebAssembly module (src/backends/wasm/index.ts is the only caller). Map of the
// build: native/gemm.cc and native/recurrent.cc (shared with the native addon, compiled as they
// are), kernels-wasm.cc (native/kernels.inc at 128-bit vectors), runtime.cc (single-threaded
// stand-ins for threads.cc / isa.cc and the C library), include/ (minimal freestanding C++
// headers), this file (argument unpacking, like native/addon.cc).
//
// Every array argument is a pointer into this module's memory (the TypeScript side copies the
// typed arrays in and the results out); 0 is an absent optional. Like the addon, these functions
// trust their arguments: index.ts validates them.
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "../recurrent.h"

extern "C" {
void* malloc(size_t n);
void free(void* p);
}

#define TL_EXPORT(name) __attribute__((export_name(name)))

namespace {

// gemm params (doubles): [nb, m, k, n, aOff, as0, as1, as2, bOff, bs0, bs1, bs2, cOff, cs0, cs1, cs2,
// alpha, beta], offsets and strides in elements: out = alpha a @ b + beta out (addon.cc's layout).
template <typename T>
void gemmBatched(T* A, T* B, T* C, const double* p) {
  const long nb = (long)p[0];
  const int m = (int)p[1], k = (int)p[2], n = (int)p[3];
  const long aOff = (long)p[4], as0 = (long)p[5], as1 = (long)p[6], as2 = (long)p[7];
  const long bOff = (long)p[8], bs0 = (long)p[9], bs1 = (long)p[10], bs2 = (long)p[11];
  const long cOff = (long)p[12], cs0 = (long)p[13], cs1 = (long)p[14], cs2 = (long)p[15];
  const T alpha = (T)p[16], beta = (T)p[17];
  long batches = nb;
  int rows = m;
  // A broadcast b (batch stride 0) over a and out laid out like one tall matrix: one product.
  if (nb > 1 && bs0 == 0 && as0 == m * as1 && cs0 == m * cs1) {
    rows = (int)(nb * m);
    batches = 1;
  }
  for (long bi = 0; bi < batches; bi++) {
    tl::gemm<T>(rows, n, k, alpha, tl::Mat<T>{A + aOff + bi * as0, as1, as2}, tl::Mat<T>{B + bOff + bi * bs0, bs1, bs2},
                beta, C + cOff + bi * cs0, cs1, cs2, false);
  }
}

// Recurrent args (int32): [T, B, I, H, P, reverse, batchSizes, relu, pointers...].
tl::Geom geom(const int32_t* v) {
  return tl::Geom{v[0], v[1], v[2], v[3], v[4], v[5] != 0, reinterpret_cast<const int32_t*>((uintptr_t)(uint32_t)v[6])};
}

template <typename T>
T* P(const int32_t* v, int i) {
  return reinterpret_cast<T*>((uintptr_t)(uint32_t)v[i]);
}

// pointers: x, h0, c0, wIh, wHh, bIh, bHh, wHr, y, hN, cN, ws
template <typename T>
void lstmF(const int32_t* v) {
  const int32_t* q = v + 8;
  tl::LstmFwd<T> a{geom(v), P<T>(q, 0), P<T>(q, 1), P<T>(q, 2), P<T>(q, 3), P<T>(q, 4), P<T>(q, 5),
                   P<T>(q, 6), P<T>(q, 7), P<T>(q, 8), P<T>(q, 9), P<T>(q, 10), P<T>(q, 11)};
  tl::lstmForward<T>(a);
}

// pointers: x, c0, wIh, wHh, wHr, ws, dy, dhN, dcN, dx, dh0, dc0, dwIh, dwHh, dbIh, dbHh, dwHr
template <typename T>
void lstmB(const int32_t* v) {
  const int32_t* q = v + 8;
  tl::LstmBwd<T> a{geom(v),     P<T>(q, 0),  P<T>(q, 1),  P<T>(q, 2),  P<T>(q, 3),  P<T>(q, 4),
                   P<T>(q, 5),  P<T>(q, 6),  P<T>(q, 7),  P<T>(q, 8),  P<T>(q, 9),  P<T>(q, 10),
                   P<T>(q, 11), P<T>(q, 12), P<T>(q, 13), P<T>(q, 14), P<T>(q, 15), P<T>(q, 16)};
  tl::lstmBackward<T>(a);
}

// pointers: x, h0, wIh, wHh, bIh, bHh, y, hN, ws
template <typename T>
tl::GruFwd<T> gruF(const int32_t* v) {
  const int32_t* q = v + 8;
  return tl::GruFwd<T>{geom(v),    v[7] != 0,  P<T>(q, 0), P<T>(q, 1), P<T>(q, 2), P<T>(q, 3),
                       P<T>(q, 4), P<T>(q, 5), P<T>(q, 6), P<T>(q, 7), P<T>(q, 8)};
}

// pointers: x, wIh, wHh, ws, dy, dhN, dx, dh0, dwIh, dwHh, dbIh, dbHh
template <typename T>
tl::GruBwd<T> gruB(const int32_t* v) {
  const int32_t* q = v + 8;
  return tl::GruBwd<T>{geom(v),    v[7] != 0,  P<T>(q, 0), P<T>(q, 1), P<T>(q, 2), P<T>(q, 3),  P<T>(q, 4),
                       P<T>(q, 5), P<T>(q, 6), P<T>(q, 7), P<T>(q, 8), P<T>(q, 9), P<T>(q, 10), P<T>(q, 11)};
}

}  // namespace

extern "C" {

TL_EXPORT("tl_malloc") void* tlMalloc(size_t n) { return malloc(n); }
TL_EXPORT("tl_free") void tlFree(void* p) { free(p); }
// Frees kernel scratch blocks larger than keep bytes (after each call, as the addon does).
TL_EXPORT("tl_trim") void tlTrim(size_t keep) { tl::trimScratch(keep); }
// The kernel table's name, NUL-terminated.
TL_EXPORT("tl_isa") const char* tlIsa() { return tl::isa().name; }
// ABI version of these exports (src/backends/wasm/index.ts checks it).
TL_EXPORT("tl_abi") int tlAbi() { return 1; }

TL_EXPORT("tl_gemm") void tlGemm(int f64, const double* p, void* a, void* b, void* c) {
  if (f64) gemmBatched<double>((double*)a, (double*)b, (double*)c, p);
  else gemmBatched<float>((float*)a, (float*)b, (float*)c, p);
}

// One float32 Adam/AdamW update of n elements in place (common.h Isa::adam; k as there).
TL_EXPORT("tl_adam") void tlAdam(const double* k, int n, float* w, const float* g, float* m, float* v, float* vmax) {
  tl::isa().adam(n, w, g, m, v, vmax, k);
}

TL_EXPORT("tl_lstm_forward") void tlLstmForward(int f64, const int32_t* v) {
  if (f64) lstmF<double>(v);
  else lstmF<float>(v);
}
TL_EXPORT("tl_lstm_backward") void tlLstmBackward(int f64, const int32_t* v) {
  if (f64) lstmB<double>(v);
  else lstmB<float>(v);
}
TL_EXPORT("tl_gru_forward") void tlGruForward(int f64, const int32_t* v) {
  if (f64) tl::gruForward<double>(gruF<double>(v));
  else tl::gruForward<float>(gruF<float>(v));
}
TL_EXPORT("tl_gru_backward") void tlGruBackward(int f64, const int32_t* v) {
  if (f64) tl::gruBackward<double>(gruB<double>(v));
  else tl::gruBackward<float>(gruB<float>(v));
}
TL_EXPORT("tl_rnn_forward") void tlRnnForward(int f64, const int32_t* v) {
  if (f64) tl::rnnForward<double>(gruF<double>(v));
  else tl::rnnForward<float>(gruF<float>(v));
}
TL_EXPORT("tl_rnn_backward") void tlRnnBackward(int f64, const int32_t* v) {
  if (f64) tl::rnnBackward<double>(gruB<double>(v));
  else tl::rnnBackward<float>(gruB<float>(v));
}

}  // extern "C"
