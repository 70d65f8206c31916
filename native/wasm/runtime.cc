// Runtime of the WebAssembly build (single-threaded, freestanding). It stands in for what the
// native addon gets from native/threads.cc, native/isa.cc and the C/C++ libraries:
//   - numThreads() == 1, setNumThreads (ignored), parallelFor (serial);
//   - isa(): the SIMD128 kernel table (kernels-wasm.cc); isaSupported(): "wasm-simd128";
//   - scratch / trimScratch: the same per-slot arena as threads.cc, on this file's malloc;
//   - malloc / free: size-classed free lists (4 classes per power of two, 64-byte aligned blocks)
//     over a bump pointer that grows the linear memory; memory is never returned (wasm memory
//     cannot shrink), freed blocks are reused by later requests of the same class;
//   - memcpy / memmove / memset (the bulk-memory instructions);
//   - tlw::exp and tlw::tanh in double precision (within a few ulp of libm; used by the scalar
//     float64 cells of recurrent.cc through the minimal <cmath> in include/).
#include <stddef.h>
#include <stdint.h>

#include "../common.h"

extern "C" unsigned char __heap_base;

// ------------------------------------------------------------------------------------------------
// C library pieces
// ------------------------------------------------------------------------------------------------
extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
  __builtin_memcpy(dst, src, n);  // memory.copy (-mbulk-memory)
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  __builtin_memmove(dst, src, n);  // memory.copy handles overlap
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  __builtin_memset(dst, c, n);  // memory.fill
  return dst;
}

}  // extern "C"

namespace {

constexpr size_t kUnit = 64;      // block granularity and alignment (bytes); also the header size
constexpr int kClasses = 4 * 30;  // enough for 4 GiB in 64-byte units

struct FreeBlock {
  FreeBlock* next;
};
FreeBlock* freeList[kClasses];
uintptr_t heapTop = 0;  // bump pointer (0: not initialised)

// Size class of a block of u units (header included): classes 0..2 hold 1..3 units; above that
// four classes per power of two (u rounded up to m * 2^(e-2), m in 4..7).
int classOf(size_t u) {
  if (u < 4) return (int)u - 1;
  int e = 31 - __builtin_clz((uint32_t)u);  // floor(log2 u), >= 2
  size_t q = (size_t)1 << (e - 2);
  size_t m = (u + q - 1) / q;  // 4..8
  if (m == 8) {
    e++;
    m = 4;
  }
  return 3 + (e - 2) * 4 + (int)(m - 4);
}

size_t unitsOf(int c) {
  if (c < 3) return (size_t)c + 1;
  const int e = (c - 3) / 4 + 2, m = (c - 3) % 4 + 4;
  return (size_t)m << (e - 2);
}

// Grows the linear memory so that [0, end) is addressable; false when it cannot.
bool ensure(uintptr_t end) {
  const uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
  if (end <= have) return true;
  const uintptr_t pages = (end - have + 65535u) / 65536u;
  return __builtin_wasm_memory_grow(0, pages) != (size_t)-1;
}

}  // namespace

extern "C" {

// 64-byte aligned; traps (a JS RuntimeError) when the memory cannot grow: the kernels do not
// check for null.
void* malloc(size_t n) {
  if (heapTop == 0) heapTop = ((uintptr_t)&__heap_base + kUnit - 1) & ~(uintptr_t)(kUnit - 1);
  if (n > ((size_t)1 << 31)) __builtin_trap();
  const size_t units = (n + kUnit - 1) / kUnit + 1;
  const int c = classOf(units);
  unsigned char* block;
  if (freeList[c]) {
    block = reinterpret_cast<unsigned char*>(freeList[c]);
    freeList[c] = freeList[c]->next;
  } else {
    const uintptr_t bytes = unitsOf(c) * kUnit;
    if (heapTop + bytes < heapTop || !ensure(heapTop + bytes)) __builtin_trap();
    block = reinterpret_cast<unsigned char*>(heapTop);
    heapTop += bytes;
  }
  *reinterpret_cast<int*>(block) = c;
  return block + kUnit;
}

void free(void* p) {
  if (!p) return;
  unsigned char* block = static_cast<unsigned char*>(p) - kUnit;
  const int c = *reinterpret_cast<int*>(block);
  FreeBlock* f = reinterpret_cast<FreeBlock*>(block);
  f->next = freeList[c];
  freeList[c] = f;
}

}  // extern "C"

// ------------------------------------------------------------------------------------------------
// exp / tanh (double)
// ------------------------------------------------------------------------------------------------
namespace tlw {
namespace {

double fromBits(uint64_t b) {
  double d;
  __builtin_memcpy(&d, &b, sizeof d);
  return d;
}

// y * 2^k for any k the exp range needs (two steps outside the normal exponent range).
double scale(double y, int k) {
  if (k > 1023) {
    y *= fromBits((uint64_t)(1023 + 1023) << 52);
    k -= 1023;
  } else if (k < -1022) {
    y *= fromBits((uint64_t)1 << 52);  // 2^-1022
    k += 1022;
    if (k < -1022) k = -1022;
  }
  return y * fromBits((uint64_t)(k + 1023) << 52);
}

// e^r - 1 for |r| <= ln(2)/2 (+ a little): Taylor series to r^14 (truncation < 1e-17 relative).
double expm1Small(double r) {
  double p = 1.0 / 87178291200.0;  // 1/14!
  p = p * r + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return r + r * r * p;
}

}  // namespace

double exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return __builtin_inf();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2 (Cody-Waite: ln2hi has trailing zeros, so k * ln2hi is exact)
  const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
  const double k = __builtin_rint(x * 1.44269504088896338700e+00);
  const double r = (x - k * ln2hi) - k * ln2lo;
  return scale(1.0 + expm1Small(r), (int)k);
}

double tanh(double x) {
  const double ax = x < 0 ? -x : x;
  if (!(ax < 22)) return ax != ax ? x : (x < 0 ? -1.0 : 1.0);  // NaN, or tanh = ±1 in double
  if (ax < 0x1p-28) return x;
  // tanh |x| = t / (t + 2) with t = e^{2|x|} - 1
  const double y = ax + ax;
  const double t = y <= 0.35 ? expm1Small(y) : exp(y) - 1.0;
  const double r = t / (t + 2.0);
  return x < 0 ? -r : r;
}

}  // namespace tlw

// ------------------------------------------------------------------------------------------------
// Kernel table, threads, scratch
// ------------------------------------------------------------------------------------------------
namespace tl {

extern const Isa kIsaWasm;  // kernels-wasm.cc

const Isa& isa() { return kIsaWasm; }
const char* isaSupported() { return "wasm-simd128"; }

int numThreads() { return 1; }
void setNumThreads(int) {}

void parallelFor(int ntasks, void (*fn)(void*, int), void* ctx) {
  for (int t = 0; t < ntasks; t++) fn(ctx, t);
}

namespace {
void* slotPtr[kSlots];
size_t slotCap[kSlots];
}  // namespace

void* scratch(ScratchSlot slot, size_t bytes) {
  if (bytes > ((size_t)1 << 31)) __builtin_trap();  // (the growth below would wrap)
  if (bytes > slotCap[slot]) {
    ::free(slotPtr[slot]);
    slotPtr[slot] = nullptr;
    slotCap[slot] = 0;
    size_t cap = bytes + bytes / 4 + 64;
    cap = (cap + 63) & ~(size_t)63;
    slotPtr[slot] = ::malloc(cap);
    slotCap[slot] = cap;
  }
  return slotPtr[slot];
}

void trimScratch(size_t keep) {
  for (int s = 0; s < kSlots; s++) {
    if (slotCap[s] > keep) {
      ::free(slotPtr[s]);
      slotPtr[s] = nullptr;
      slotCap[s] = 0;
    }
  }
}

}  // namespace tl
