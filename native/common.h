// Shared declarations of the native backend (see addon.cc for the map of the files).
//
// Kernels compiled once per instruction set (kernels.inc, included by kernels-*.cc with different
// compiler flags) are reached only through an `Isa` table of function pointers, picked once at
// load time from cpuid (isa.cc). Everything else (drivers, threads, N-API glue) is plain C++
// compiled for the baseline target, so the addon loads and runs on any CPU of its architecture.
#pragma once
#include <cstddef>
#include <cstdint>

// Arithmetic whose every rounding must stay (bit-identity with the js reference): no contraction
// into FMAs (clang also needs `#pragma clang fp contract(off)` inside the function).
#if defined(__clang__)
#define TL_NO_CONTRACT
#else
#define TL_NO_CONTRACT __attribute__((optimize("fp-contract=off")))
#endif

namespace tl {

struct AdamScalars;

// Packed-GEMM pieces of one instruction set for element type T (float or double).
// Layouts (GotoBLAS / BLIS):
//   packed A block: ceil(mc/MR) slivers, sliver s holds kc columns of MR values:
//     dst[s*MR*kc + p*MR + r] = A(s*MR + r, p), zero past mc.
//   packed B panel: ceil(nc/NR) slivers, sliver s holds kc rows of NR values:
//     dst[s*NR*kc + p*NR + c] = B(p, s*NR + c), zero past nc.
template <typename T>
struct GemmKernels {
  int mr, nr;      // register tile
  int mc, kc, nc;  // cache blocks (mc multiple of mr, nc multiple of nr)
  void (*packA)(int mc, int kc, const T* a, long rs, long cs, T* dst);
  void (*packB)(int kc, int nc, const T* b, long rs, long cs, T* dst);
  // C[mc, nc] = alpha * PA @ PB + beta * C (beta == 0: C is not read); C(i, j) = c[i*crs + j*ccs].
  void (*macro)(int mc, int nc, int kc, T alpha, const T* pa, const T* pb, T beta, T* c, long crs, long ccs);
  // Unpacked path for a few rows: C[m,n] = alpha * A @ Btᵀ + beta * C, with A rows (lda) and Bt
  // rows (ldb, Bt = Bᵀ [n,k]) contiguous along k; each element is one vector dot product.
  void (*dot)(int m, int n, int k, T alpha, const T* a, long lda, const T* bt, long ldb, T beta, T* c, long crs,
              long ccs);
};

// Pointwise recurrent cells for float (vectorised); double uses the scalar versions in recurrent.cc.
struct CellKernels {
  // One LSTM row: g [4H] pre-activations in, activations i|f|g|o out (in place);
  // c [H] holds c_{t-1} in and c_t out; h [H] gets o * tanh(c_t).
  void (*lstm)(int H, float* g, float* c, float* h);
  // n units of one LSTM row backward: acts (i|f|g|o, gate q at acts + q*H), c [n] = c_t,
  // cp [n] = c_{t-1}, dh [n] = dL/d(o*tanh c); dc [n] carried in (dL/dc_t from later) and out
  // (dL/dc_{t-1}); dg (gate q at dg + q*H) pre-activation gradients.
  void (*lstmBack)(int n, int H, const float* acts, const float* c, const float* cp, const float* dh, float* dc,
                   float* dg);
  // Element-wise tanh in place (Elman RNN and GRU's n gate use the same approximation).
  void (*tanhInPlace)(int n, float* x);
  // One GRU row: gi [3H] input side (x W_ihᵀ + b), gh [3H] hidden side (h W_hhᵀ, no bias),
  // bhn [H] (b_hn or null), hp [H] = h_{t-1}; writes h [H] and, when ws != null, ws [4H] = r|z|n|ghn.
  void (*gru)(int H, const float* gi, const float* gh, const float* bhn, const float* hp, float* h, float* ws);
  // n hidden units of one LSTM row with the pre-activations given in parts: gate q's is
  // x[q][j] + r[q][j] + bias[q][j] (x or bias null: none). acts[q] (null: not kept) gets the
  // activations and may be x[q]; c [n] carries c_{t-1} in and c_t out; h [n] gets o * tanh(c_t).
  // (The fused forward step, recurrent.cc.)
  void (*lstmSum)(int n, const float* const* x, const float* const* r, const float* const* bias,
                  float* const* acts, float* c, float* h);
};

struct Isa {
  const char* name;
  GemmKernels<float> s;
  GemmKernels<double> d;
  CellKernels cells;
  // Adam/AdamW float32 update of n elements in place (kernels.inc: bit for bit the js reference
  // adamStep); vmax null without amsgrad.
  void (*adam)(long n, float* w, const float* g, float* m, float* v, float* vmax, const AdamScalars& k);
};

extern const Isa kIsaGeneric;
#if defined(__x86_64__) || defined(_M_X64)
extern const Isa kIsaAvx2;
extern const Isa kIsaAvx512;
#endif

// The instruction set chosen at load time (or forced by TORCHLET_NATIVE_ISA=generic|avx2|avx512).
const Isa& isa();
// Names of the instruction sets this CPU supports, best first, e.g. "avx512,avx2,generic".
const char* isaSupported();

// ------------------------------------------------------------------------------------------------
// Threads (threads.cc): one persistent pool; the caller's thread is worker 0.
// ------------------------------------------------------------------------------------------------
// Most threads a pool may have (torch.setNumThreads' bound, src/backends/threads.ts MAX_THREADS).
constexpr int kMaxThreads = 1024;
int numThreads();
// Starts or stops workers so the pool has n threads (the caller's included), n in [1, kMaxThreads].
// Throws std::runtime_error, the pool as it was, when the system refuses a thread part-way.
void setNumThreads(int n);
// Runs fn(ctx, task) for task in [0, ntasks) on up to numThreads() threads and returns when all
// are done. Tasks must write disjoint outputs. A call made while the pool is busy (another JS
// thread, or a nested call) runs its tasks serially on the caller.
void parallelFor(int ntasks, void (*fn)(void* ctx, int task), void* ctx);
template <typename F>
void parallelFor(int ntasks, F& f) {
  parallelFor(ntasks, [](void* c, int t) { (*static_cast<F*>(c))(t); }, &f);
}

// ------------------------------------------------------------------------------------------------
// Scratch memory (threads.cc): per calling thread, per slot, 64-byte aligned, grown on demand and
// never shrunk, so steady-state kernel calls allocate nothing.
// ------------------------------------------------------------------------------------------------
enum ScratchSlot {
  kPackA, kPackB, kPrepack0, kPrepack1, kPrepack2, kWork0, kWork1, kWork2, kWork3, kWork4, kStepA, kStepX, kStepOut, kBias,
  kSlots
};
void* scratch(ScratchSlot slot, size_t bytes);
// Frees this thread's scratch slots larger than `keep` bytes (called after each top-level kernel,
// so a one-off large call, e.g. the [T*B, 4H] gates of a long sequence, does not pin its memory).
void trimScratch(size_t keep);

// ------------------------------------------------------------------------------------------------
// GEMM (gemm.cc)
// ------------------------------------------------------------------------------------------------
// One strided 2-D operand: element (i, j) is p[i*rs + j*cs].
template <typename T>
struct Mat {
  const T* p;
  long rs, cs;
};

// C[m,n] = alpha * A[m,k] @ B[k,n] + beta * C, threaded over output blocks (the K order of every
// element is fixed, so the result does not depend on the thread count). beta == 0 ignores C.
template <typename T>
void gemm(int m, int n, int k, T alpha, Mat<T> a, Mat<T> b, T beta, T* c, long crs, long ccs, bool threaded = true);

// The packing and micro-kernels of the chosen instruction set for T (for drivers that fuse their
// own work around the GEMM blocks, like the recurrent step in recurrent.cc).
template <typename T>
const GemmKernels<T>& gemmKernels();

// B[k,n] packed once for many products with the same right operand (a recurrent weight).
template <typename T>
struct PackedB {
  const T* p = nullptr;
  int k = 0, n = 0;
};
template <typename T>
PackedB<T> prepackB(int k, int n, Mat<T> b, ScratchSlot slot);
// C[m,n] = alpha * A @ PB + beta * C with a prepacked B.
template <typename T>
void gemmPacked(int m, T alpha, Mat<T> a, const PackedB<T>& pb, T beta, T* c, long crs, bool threaded = true);

}  // namespace tl
