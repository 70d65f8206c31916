// GEMM driver: splits C = alpha * A @ B + beta * C into cache blocks (GotoBLAS loop order) and
// output blocks for the threads, and runs the packing and macro-kernels of the chosen instruction
// set (kernels.inc). Loop nest of one output block [i0,i1) x [j0,j1):
//
//   for jc in [j0,j1) step NC               column panel of B and C
//     for pc in K step KC                   K slice: pack B[pc:pc+kc, jc:jc+nc] (or use a prepacked panel)
//       for ic in [i0,i1) step MC           row block: pack A[ic:ic+mc, pc:pc+kc]
//         macro-kernel: NR-wide slivers of B x MR-tall slivers of A
//
// Beta applies on the first K slice only; later slices accumulate. beta == 0 never reads C.
// Threads take whole output blocks whose column edges are multiples of NR, so every element of C
// is computed by the same sequence of operations whatever the thread count (K is never split).
#include <algorithm>

#include "common.h"

namespace tl {
namespace {

template <typename T>
const GemmKernels<T>& kern();
template <>
const GemmKernels<float>& kern<float>() { return isa().s; }
template <>
const GemmKernels<double>& kern<double>() { return isa().d; }

// Below this many multiply-adds a product runs on the calling thread only.
constexpr double kParallelWork = 1 << 17;
// Products with at most this many rows (and B columns contiguous) take the unpacked dot kernel.
constexpr int kDotRows = 4;
// Output blocks per thread (more than one, so a thread slowed by another process is compensated).
constexpr int kTasksPerThread = 4;

long roundUp(long x, long q) { return (x + q - 1) / q * q; }

template <typename T>
struct Job {
  int m, n, k;
  T alpha, beta;
  Mat<T> a, b;
  const T* pre;  // prepacked B (layout of prepackB) or null
  long npad;     // its padded column count
  T* c;
  long crs, ccs;
  bool splitN;   // tasks split columns (else rows)
  int step;      // columns (rows) per task
  int ntasks;
};

template <typename T>
void block(const Job<T>& J, int i0, int i1, int j0, int j1) {
  const GemmKernels<T>& K = kern<T>();
  T* pa = static_cast<T*>(scratch(kPackA, sizeof(T) * (size_t)K.mc * K.kc));
  T* pb = J.pre ? nullptr : static_cast<T*>(scratch(kPackB, sizeof(T) * (size_t)K.kc * K.nc));
  for (int jc = j0; jc < j1; jc += K.nc) {
    const int nc = std::min(K.nc, j1 - jc);
    for (int pc = 0; pc < J.k; pc += K.kc) {
      const int kc = std::min(K.kc, J.k - pc);
      const T* panel;
      if (J.pre) {
        panel = J.pre + (long)pc * J.npad + (long)jc * kc;
      } else {
        K.packB(kc, nc, J.b.p + pc * J.b.rs + jc * J.b.cs, J.b.rs, J.b.cs, pb);
        panel = pb;
      }
      const T beta = pc == 0 ? J.beta : T(1);
      for (int ic = i0; ic < i1; ic += K.mc) {
        const int mc = std::min(K.mc, i1 - ic);
        K.packA(mc, kc, J.a.p + ic * J.a.rs + pc * J.a.cs, J.a.rs, J.a.cs, pa);
        K.macro(mc, nc, kc, J.alpha, pa, panel, beta, J.c + ic * J.crs + jc * J.ccs, J.crs, J.ccs);
      }
    }
  }
}

template <typename T>
void scaleC(int m, int n, T beta, T* c, long crs, long ccs) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      T& v = c[i * crs + j * ccs];
      v = beta == 0 ? T(0) : v * beta;
    }
}

template <typename T>
void run(Job<T>& J, bool threaded) {
  const GemmKernels<T>& K = kern<T>();
  const double work = (double)J.m * J.n * J.k;
  int nt = threaded && work >= kParallelWork ? numThreads() : 1;
  if (nt <= 1) {
    block(J, 0, J.m, 0, J.n);
    return;
  }
  // Split the longer side (in register tiles); with a prepacked B, columns are natural.
  const long tilesN = (J.n + K.nr - 1) / K.nr, tilesM = (J.m + K.mr - 1) / K.mr;
  // With a prepacked B, rows split whenever there are enough of them (each task packs only its own
  // A rows and all share B); a short A (a recurrent step) splits columns.
  J.splitN = J.pre ? tilesN >= 2 && tilesM < 8 * nt : tilesN * K.nr >= tilesM * K.mr;
  const long tiles = J.splitN ? tilesN : tilesM;
  const int unit = J.splitN ? K.nr : K.mr;
  // Blocks of at least 4 tiles each (packing overhead), at most kTasksPerThread per thread.
  long ntasks = std::min<long>((long)nt * kTasksPerThread, std::max<long>(1, tiles / 4));
  if (ntasks <= 1) {
    block(J, 0, J.m, 0, J.n);
    return;
  }
  const long per = (tiles + ntasks - 1) / ntasks;
  J.step = (int)(per * unit);
  J.ntasks = (int)((tiles + per - 1) / per);
  auto task = [&J](int t) {
    const int lo = t * J.step;
    if (J.splitN) block(J, 0, J.m, lo, std::min(J.n, lo + J.step));
    else block(J, lo, std::min(J.m, lo + J.step), 0, J.n);
  };
  parallelFor(J.ntasks, task);
}

}  // namespace

template <typename T>
void gemm(int m, int n, int k, T alpha, Mat<T> a, Mat<T> b, T beta, T* c, long crs, long ccs, bool threaded) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scaleC(m, n, beta, c, crs, ccs);
    return;
  }
  const GemmKernels<T>& K = kern<T>();
  // A few rows against a B whose columns are contiguous (x W_ihᵀ, h W_hhᵀ at batch 1): dot
  // products read B in place; packing it would cost as much as the product.
  if (m <= kDotRows && a.cs == 1 && b.rs == 1) {
    const int nt = threaded && (double)m * n * k >= kParallelWork ? numThreads() : 1;
    const int ntasks = nt > 1 ? std::min(nt * kTasksPerThread, (n + 63) / 64) : 1;
    if (ntasks <= 1) {
      K.dot(m, n, k, alpha, a.p, a.rs, b.p, b.cs, beta, c, crs, ccs);
      return;
    }
    const int per = ((n + ntasks - 1) / ntasks + 3) / 4 * 4;
    auto task = [&](int t) {
      const int j0 = t * per, j1 = std::min(n, j0 + per);
      K.dot(m, j1 - j0, k, alpha, a.p, a.rs, b.p + j0 * b.cs, b.cs, beta, c + j0 * ccs, crs, ccs);
    };
    parallelFor((n + per - 1) / per, task);
    return;
  }
  // A very narrow C (n much smaller than the register tile) is computed transposed,
  // Cᵀ = Bᵀ Aᵀ, which only swaps strides: the tile's long side then runs along m.
  if (n * 2 <= K.nr && m > n) {
    gemm<T>(n, m, k, alpha, Mat<T>{b.p, b.cs, b.rs}, Mat<T>{a.p, a.cs, a.rs}, beta, c, ccs, crs, threaded);
    return;
  }
  Job<T> J{m, n, k, alpha, beta, a, b, nullptr, 0, c, crs, ccs, false, 0, 0};
  run(J, threaded);
}

template <typename T>
PackedB<T> prepackB(int k, int n, Mat<T> b, ScratchSlot slot) {
  const GemmKernels<T>& K = kern<T>();
  const long npad = roundUp(n, K.nr);
  T* dst = static_cast<T*>(scratch(slot, sizeof(T) * (size_t)std::max(1L, (long)k * npad)));
  // tasks: (K slice, group of 16 slivers), on the pool when the weight is large
  const int slices = (k + K.kc - 1) / K.kc, per = 16 * K.nr, groups = (int)((n + per - 1) / per);
  auto task = [&](int t) {
    const int pc = (t / groups) * K.kc, j0 = (t % groups) * per;
    const int kc = std::min(K.kc, k - pc);
    K.packB(kc, std::min(per, n - j0), b.p + pc * b.rs + (long)j0 * b.cs, b.rs, b.cs,
            dst + (long)pc * npad + (long)j0 * kc);
  };
  if ((double)k * n >= (1 << 18)) {
    parallelFor(slices * groups, task);
  } else {
    for (int t = 0; t < slices * groups; t++) task(t);
  }
  return PackedB<T>{dst, k, n};
}

template <typename T>
void gemmPacked(int m, T alpha, Mat<T> a, const PackedB<T>& pb, T beta, T* c, long crs, bool threaded) {
  if (m <= 0 || pb.n <= 0) return;
  if (pb.k <= 0) {
    scaleC(m, pb.n, beta, c, crs, 1L);
    return;
  }
  Job<T> J{m, pb.n, pb.k, alpha, beta, a, Mat<T>{nullptr, 0, 0}, pb.p, roundUp(pb.n, kern<T>().nr), c, crs, 1,
           false, 0, 0};
  run(J, threaded);
}

template <typename T>
const GemmKernels<T>& gemmKernels() {
  return kern<T>();
}
template const GemmKernels<float>& gemmKernels<float>();
template const GemmKernels<double>& gemmKernels<double>();

template void gemm<float>(int, int, int, float, Mat<float>, Mat<float>, float, float*, long, long, bool);
template void gemm<double>(int, int, int, double, Mat<double>, Mat<double>, double, double*, long, long, bool);
template PackedB<float> prepackB<float>(int, int, Mat<float>, ScratchSlot);
template PackedB<double> prepackB<double>(int, int, Mat<double>, ScratchSlot);
template void gemmPacked<float>(int, float, Mat<float>, const PackedB<float>&, float, float*, long, bool);
template void gemmPacked<double>(int, double, Mat<double>, const PackedB<double>&, double, double*, long, bool);

}  // namespace tl
