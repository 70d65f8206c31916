// Exports of the WebAssembly module (src/backends/wasm/index.ts is the only caller). Map of the
// build: native/gemm.cc and native/recurrent.cc (shared with the native addon, compiled as they
// are), kernels-wasm.cc (native/kernels.inc at 128-bit vectors), runtime.cc (single-threaded
// stand-ins for threads.cc / isa.cc and the C library), include/ (minimal freestanding C++
// headers), this file (argument unpacking, like native/addon.cc).
//
// Every array argument is an address in this module's memory (the TypeScript side copies the typed
// arrays in and the results out); 0 is an absent optional. Like the addon, these functions
// trust their arguments: index.ts validates them.
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "../routines.h"

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

// One routine's arguments (routines.h): field i of the block is a number, or an array's address in
// this module's memory (0 for an absent optional).
struct Block {
  const double* v;
  double number(int i) const { return v[i]; }
  void* pointer(int i) const { return reinterpret_cast<void*>((uintptr_t)v[i]); }
};

}  // namespace

extern "C" {

TL_EXPORT("tl_malloc") void* tlMalloc(size_t n) { return malloc(n); }
TL_EXPORT("tl_free") void tlFree(void* p) { free(p); }
// Frees kernel scratch blocks larger than keep bytes (after each call, as the addon does).
TL_EXPORT("tl_trim") void tlTrim(size_t keep) { tl::trimScratch(keep); }
// The kernel table's name, NUL-terminated.
TL_EXPORT("tl_isa") const char* tlIsa() { return tl::isa().name; }
// ABI version of these exports (src/backends/wasm/index.ts checks it).
TL_EXPORT("tl_abi") int tlAbi() { return 2; }

TL_EXPORT("tl_gemm") void tlGemm(int f64, const double* p, void* a, void* b, void* c) {
  if (f64) gemmBatched<double>((double*)a, (double*)b, (double*)c, p);
  else gemmBatched<float>((float*)a, (float*)b, (float*)c, p);
}

// "name:signature;..." of the routines (routines.h), in id order, NUL-terminated.
TL_EXPORT("tl_routines") const char* tlRoutines() { return tl::routines::signatures<Block>(); }
// Runs routine `id` (element type double when f64) on the block of its fields' values (doubles,
// one per field in the order of its TypeScript descriptor).
TL_EXPORT("tl_run") void tlRun(int id, int f64, const double* block) { tl::routines::run(id, Block{block}, f64 != 0); }

}  // extern "C"
