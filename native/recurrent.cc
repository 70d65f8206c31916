// Fused LSTM, GRU and Elman RNN layers (one direction over a whole sequence): the same algorithm,
// workspace layout and packed-sequence semantics as src/backends/js/kernels/lstm.ts, gru.ts and
// rnn.ts, which hold the full derivation; read those first.
//
// Legend: T steps (`steps`), B batch rows, I input, H hidden, P projection (R = P or H), G gate rows
// (4H, 3H, H); N rows of x / y / ws (T*B, or sum(batchSizes) when packed); step t owns rows
// off[t] .. off[t] + bs[t] - 1.
//
// What differs from the js reference, all for speed:
//   - the recurrent weights are packed once per call (prepackB) and reused by every step's GEMM;
//   - float activations are vectorised (kernels.inc: vexp / vtanh, within ~1e-7 of libm);
//     double uses libm like the reference;
//   - the per-row pointwise work runs on the thread pool when a step is large enough.
// Determinism: every parallel region splits independent outputs (GEMM output blocks, batch rows,
// bias-gradient columns) and no reduction order depends on the split, so results do not depend on
// the thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "common.h"
#include "recurrent.h"

namespace tl {
namespace {

// Pointwise work (elements) below which a step's rows run on the calling thread.
constexpr long kRowWork = 16384;

template <typename T>
struct Cells;

template <>
struct Cells<float> {
  static void lstm(int H, float* g, float* c, float* h) { isa().cells.lstm(H, g, c, h); }
  static void lstmBack(int n, int H, const float* a, const float* c, const float* cp, const float* dh, float* dc,
                       float* dg) {
    isa().cells.lstmBack(n, H, a, c, cp, dh, dc, dg);
  }
  static void lstmSum(int n, const float* const* x, const float* const* r, const float* const* bias,
                      float* const* acts, float* c, float* h) {
    isa().cells.lstmSum(n, x, r, bias, acts, c, h);
  }
  static void tanhInPlace(int n, float* x) { isa().cells.tanhInPlace(n, x); }
  static void gru(int H, const float* gi, const float* gh, const float* bhn, const float* hp, float* h, float* ws) {
    isa().cells.gru(H, gi, gh, bhn, hp, h, ws);
  }
};

inline double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Double: scalar libm, the js reference's formulas.
template <>
struct Cells<double> {
  static void lstm(int H, double* g, double* c, double* h) {
    for (int j = 0; j < H; j++) {
      const double i = sig(g[j]), f = sig(g[H + j]), gg = std::tanh(g[2 * H + j]), o = sig(g[3 * H + j]);
      const double cn = f * c[j] + i * gg;
      g[j] = i;
      g[H + j] = f;
      g[2 * H + j] = gg;
      g[3 * H + j] = o;
      c[j] = cn;
      h[j] = o * std::tanh(cn);
    }
  }
  static void lstmBack(int n, int H, const double* a, const double* c, const double* cp, const double* dh, double* dc,
                       double* dg) {
    for (int j = 0; j < n; j++) {
      const double i = a[j], f = a[H + j], gg = a[2 * H + j], o = a[3 * H + j];
      const double tc = std::tanh(c[j]);
      const double dct = dc[j] + dh[j] * o * (1 - tc * tc);
      dg[j] = dct * gg * i * (1 - i);
      dg[H + j] = dct * cp[j] * f * (1 - f);
      dg[2 * H + j] = dct * i * (1 - gg * gg);
      dg[3 * H + j] = dh[j] * tc * o * (1 - o);
      dc[j] = dct * f;
    }
  }
  static void lstmSum(int n, const double* const* x, const double* const* r, const double* const* bias,
                      double* const* acts, double* c, double* h) {
    for (int j = 0; j < n; j++) {
      double pre[4];
      for (int q = 0; q < 4; q++) pre[q] = (x ? x[q][j] : 0.0) + r[q][j] + (bias ? bias[q][j] : 0.0);
      const double i = sig(pre[0]), f = sig(pre[1]), gg = std::tanh(pre[2]), o = sig(pre[3]);
      const double cn = f * c[j] + i * gg;
      if (acts) {
        acts[0][j] = i;
        acts[1][j] = f;
        acts[2][j] = gg;
        acts[3][j] = o;
      }
      c[j] = cn;
      h[j] = o * std::tanh(cn);
    }
  }
  static void tanhInPlace(int n, double* x) {
    for (int j = 0; j < n; j++) x[j] = std::tanh(x[j]);
  }
  static void gru(int H, const double* gi, const double* gh, const double* bhn, const double* hp, double* h,
                  double* ws) {
    for (int j = 0; j < H; j++) {
      const double r = sig(gi[j] + gh[j]);
      const double z = sig(gi[H + j] + gh[H + j]);
      const double ghn = gh[2 * H + j] + (bhn ? bhn[j] : 0);
      const double nn = std::tanh(gi[2 * H + j] + r * ghn);
      h[j] = (1 - z) * nn + z * hp[j];
      if (ws) {
        ws[j] = r;
        ws[H + j] = z;
        ws[2 * H + j] = nn;
        ws[3 * H + j] = ghn;
      }
    }
  }
};

struct Layout {
  std::vector<int> bs, off;
  long N = 0;
  explicit Layout(const Geom& g) : bs(g.steps), off(g.steps) {
    for (int t = 0; t < g.steps; t++) {
      bs[t] = g.batchSizes ? g.batchSizes[t] : g.B;
      off[t] = (int)N;
      N += bs[t];
    }
  }
};

template <typename T>
T* buf(ScratchSlot s, long n) {
  return static_cast<T*>(scratch(s, sizeof(T) * (size_t)std::max(1L, n)));
}

template <typename T>
void copy(T* dst, const T* src, long n) {
  if (n > 0) std::memcpy(dst, src, sizeof(T) * (size_t)n);
}

// f(b) for b in [0, n): on the pool when the step has at least kRowWork elements of work.
template <typename F>
void rows(int n, long work, F f) {
  const int nt = numThreads();
  if (nt <= 1 || n < 2 || work < kRowWork) {
    for (int b = 0; b < n; b++) f(b);
    return;
  }
  const int ntasks = std::min(n, nt * 2);
  const int per = (n + ntasks - 1) / ntasks;
  auto task = [&](int t) {
    const int hi = std::min(n, (t + 1) * per);
    for (int b = t * per; b < hi; b++) f(b);
  };
  parallelFor((n + per - 1) / per, task);
}

// Every row of out [N,G] = bIh + bHh (bHh only on columns < skip). False (nothing written) if both are null.
template <typename T>
bool fillBias(T* out, long N, int G, const T* bIh, const T* bHh, int skip) {
  if (!bIh && !bHh) return false;
  std::vector<T> row(G);
  for (int j = 0; j < G; j++) row[j] = (bIh ? bIh[j] : T(0)) + (bHh && j < skip ? bHh[j] : T(0));
  for (long n = 0; n < N; n++) copy(out + n * G, row.data(), G);
  return true;
}

// dst[j] += column sums of src [N,G] (summed in double, row order fixed; columns split over threads).
template <typename T>
void addColumnSums(const T* src, long N, int G, T* dst) {
  const int per = 256;
  auto task = [&](int t) {
    const int j0 = t * per, j1 = std::min(G, j0 + per);
    double acc[per] = {};
    for (long n = 0; n < N; n++) {
      const T* r = src + n * G;
      for (int j = j0; j < j1; j++) acc[j - j0] += r[j];
    }
    for (int j = j0; j < j1; j++) dst[j] += (T)acc[j - j0];
  };
  const int ntasks = (G + per - 1) / per;
  if ((double)N * G < kRowWork * 4) {
    for (int t = 0; t < ntasks; t++) task(t);
  } else {
    parallelFor(ntasks, task);
  }
}

// The GEMMs after the reverse loop (js rnn.ts weightGrads): dwIh [G,I] += dgᵀ x,
// dwHh [G,R] += dghᵀ hPrev, dx [N,I] += dg wIh.
template <typename T>
void weightGrads(long N, int G, int I, int R, const T* dg, const T* dgh, const T* x, const T* wIh, const T* hPrev,
                 T* dx, T* dwIh, T* dwHh) {
  if (N == 0) return;
  const int n = (int)N;
  if (dwIh) gemm<T>(G, I, n, 1, Mat<T>{dg, 1, G}, Mat<T>{x, I, 1}, 1, dwIh, I, 1);
  if (dwHh) gemm<T>(G, R, n, 1, Mat<T>{dgh, 1, G}, Mat<T>{hPrev, R, 1}, 1, dwHh, R, 1);
  if (dx) gemm<T>(n, I, G, 1, Mat<T>{dg, G, 1}, Mat<T>{wIh, I, 1}, 1, dx, I, 1);
}

// A recurrent weight used as the right operand of every step's GEMM: packed once per call when
// there are several steps; with one step, multiplied in place (gemm's unpacked paths).
template <typename T>
struct StepWeight {
  Mat<T> b;
  int k, n;
  PackedB<T> pb;
  bool packed;
  StepWeight(int k_, int n_, Mat<T> b_, ScratchSlot slot, int steps) : b(b_), k(k_), n(n_), packed(steps > 1) {
    if (packed) pb = prepackB<T>(k, n, b, slot);
  }
  // C[m,n] = A[m,k] @ B + beta * C
  void mul(int m, Mat<T> a, T beta, T* c, long crs) const {
    if (packed) gemmPacked<T>(m, 1, a, pb, beta, c, crs);
    else gemm<T>(m, n, k, 1, a, b, beta, c, crs, 1);
  }
  // The same product on the calling thread only (inside a batch-split region), rows of A
  // contiguous (lda apart); each element's arithmetic is mul's.
  void mulRows(int m, const T* a, long lda, T beta, T* c, long ldc) const {
    if (m <= 0) return;
    if (!packed) {
      gemm<T>(m, n, k, 1, Mat<T>{a, lda, 1}, b, beta, c, ldc, 1, false);
      return;
    }
    const GemmKernels<T>& K = gemmKernels<T>();
    const long mpad = ((long)m + K.mr - 1) / K.mr * K.mr, npad = ((long)n + K.nr - 1) / K.nr * K.nr;
    T* pa = buf<T>(kStepA, mpad * std::max(1, k));
    for (int pc = 0; pc < k; pc += K.kc) {
      const int kc = std::min(K.kc, k - pc);
      K.packA(m, kc, a + pc, lda, 1, pa + mpad * pc);
      K.macro(m, n, kc, T(1), pa + mpad * pc, pb.p + (long)pc * npad, pc == 0 ? beta : T(1), c, ldc, 1);
    }
    if (k == 0) gemm<T>(m, n, 0, 1, Mat<T>{a, lda, 1}, b, beta, c, ldc, 1, false);
  }
};

// Batch split of the recurrent layers (as lstmForwardFused explains): with at least 8 rows per
// thread and several steps, each thread runs the whole sequence for its own block of batch rows.
int splitParts(const Geom& g) {
  const int nt = numThreads();
  return g.steps > 1 && nt > 1 ? std::min(nt, g.B / 8) : 1;
}
// f(b0, b1) for each of `parts` blocks of [0, B), on the pool.
template <typename F>
void eachPart(int parts, int B, F f) {
  auto task = [&](int pi) { f((int)((long)B * pi / parts), (int)((long)B * (pi + 1) / parts)); };
  parallelFor(parts, task);
}

template <typename T>
void addInto(T* dst, const T* src, long n) {
  if (dst)
    for (long k = 0; k < n; k++) dst[k] += src[k];
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// LSTM
// ------------------------------------------------------------------------------------------------

// The forward of an LSTM layer without projection, one parallel region per step.
//
// W_hhᵀ [H, 4H] (and, for batches of at least kFuseRows rows, W_ihᵀ [I, 4H]) is packed once with
// its columns regrouped into chunks of NR hidden units (NR the GEMM register tile's width): chunk
// u holds the NR columns of gate i, then f, g, o for units u*NR .. u*NR+NR-1 (zero columns past
// H), so one task owning chunk u computes all four gates of its units and applies the cell to
// them right away, while they are in cache. Each step packs x_t and h_{t-1} once (shared by every
// task), then runs tasks (chunk, block of rows): the micro-kernels accumulate x_t W_ihᵀ + h_{t-1}
// W_hhᵀ for the task's units into `rec`, and the cell adds the bias and writes c_t, h_t (and the
// activations into the workspace when training). h_t can go straight into the state because every
// task reads h_{t-1} from the packed copy. Nothing of size [T*B, 4H] is written for inference.
// Every element's arithmetic is the same whatever the task split, so results do not depend on the
// thread count.
//
// Small batches (below kFuseRows rows, where per-step products of a few rows would run below the
// micro-kernel's speed) project the input in one GEMM over all steps first, into the workspace or a
// buffer of blocks of steps, and the steps add it. With one step (a streaming call) nothing is
// packed: both products are unpacked GEMMs (matrix-vector at batch 1) and the cell runs on rows.
template <typename T>
void lstmForwardFused(const LstmFwd<T>& a) {
  const Geom g = geom(a, a.P);
  const int H = g.H, I = g.I, B = g.B, G = 4 * H;
  const Layout L(g);
  const long N = L.N;
  const long wsC = N * G, wsHPrev = wsC + N * H;
  const GemmKernels<T>& K = gemmKernels<T>();
  const int NR = K.nr, MR = K.mr;
  constexpr int kFuseRows = 16;

  // bias row bIh + bHh (or none), added by the cell
  T* bias = nullptr;
  if (a.bIh || a.bHh) {
    bias = buf<T>(kBias, G);
    for (int j = 0; j < G; j++) bias[j] = (a.bIh ? a.bIh[j] : T(0)) + (a.bHh ? a.bHh[j] : T(0));
  }
  copy(a.hN, a.h0, (long)B * H);
  copy(a.cN, a.c0, (long)B * H);

  const bool packed = g.steps > 1;
  const bool fuseX = packed && B >= kFuseRows && I > 0;  // x_t W_ihᵀ inside the step
  const int chunks = (H + NR - 1) / NR;
  const long gv = packed ? (long)chunks * 4 * NR : G;  // columns of `rec`
  T* rec = buf<T>(kStepOut, (long)B * gv);

  // Separate input projection (small batches, one step): into the workspace for all rows, or for
  // inference by blocks of about kProjRows rows (whole steps) into a small reused buffer.
  constexpr long kProjRows = 1024;
  const int blockSteps =
      a.ws ? std::max(1, g.steps) : (int)std::max(1L, std::min<long>(g.steps, kProjRows / std::max(1, B)));
  T* gbuf = nullptr;
  long gOff = 0;  // row of x whose projection is at gbuf row 0
  if (!fuseX) gbuf = a.ws ? a.ws : buf<T>(kWork0, (long)std::min<long>(N, (long)blockSteps * B) * G);
  auto project = [&](long r0, long r1) {
    gOff = r0;
    const int m = (int)(r1 - r0);
    if (m > 0) gemm<T>(m, G, I, 1, Mat<T>{a.x + r0 * I, I, 1}, Mat<T>{a.wIh, 1, I}, 0, gbuf, G, 1);
  };

  // A weight Wᵀ (B(p, j) = w[j*k + p], [k, 4H]) packed by K slices of kc rows; slice pc starts at
  // pc * gv and holds its slivers in (chunk, gate) order, sliver s at s * NR * kc.
  auto packGates = [&](const T* w, int k, ScratchSlot slot) {
    T* dst = buf<T>(slot, (long)k * gv);
    const int slices = (k + K.kc - 1) / K.kc;
    auto task = [&](int tk) {
      const int pc = (tk / chunks) * K.kc, u = tk % chunks;
      const int kc = std::min(K.kc, k - pc);
      for (int q = 0; q < 4; q++) {
        const int j0 = q * H + u * NR, wd = std::min(NR, H - u * NR);
        K.packB(kc, wd, w + (long)j0 * k + pc, 1, k, dst + (long)pc * gv + (long)(u * 4 + q) * NR * kc);
      }
    };
    if ((double)k * gv >= (1 << 13)) parallelFor(slices * chunks, task);
    else for (int tk = 0; tk < slices * chunks; tk++) task(tk);
    return dst;
  };
  const T* pw = packed ? packGates(a.wHh, H, kPrepack0) : nullptr;
  const T* pwx = fuseX ? packGates(a.wIh, I, kPrepack1) : nullptr;
  T* pa = packed ? buf<T>(kStepA, ((long)B + MR) * H) : nullptr;
  T* pax = fuseX ? buf<T>(kStepX, ((long)B + MR) * I) : nullptr;
  const int nt = numThreads();

  // the cell on rows [r0, r1) of step (o = its first row) and hidden units [u0, u0 + w); the
  // summed products of row b are at recBase row b - recRow0, gate q at column rcol0 + q * rgate
  auto cell = [&](int o, int r0, int r1, int u0, int w, const T* recBase, int recRow0, long rcol0, long rgate) {
    for (int b = r0; b < r1; b++) {
      const long n = o + b;
      const T* xq[4] = {nullptr, nullptr, nullptr, nullptr};
      T* actq[4] = {nullptr, nullptr, nullptr, nullptr};
      T* proj = gbuf ? gbuf + (n - gOff) * G : nullptr;  // row n's input projection
      T* acts = a.ws ? a.ws + n * G : nullptr;           // row n's activations (workspace)
      const T* rq[4];
      const T* bq[4] = {nullptr, nullptr, nullptr, nullptr};
      for (int q = 0; q < 4; q++) {
        rq[q] = recBase + (long)(b - recRow0) * gv + rcol0 + q * rgate;
        if (proj) xq[q] = proj + q * H + u0;
        if (acts) actq[q] = acts + q * H + u0;
        if (bias) bq[q] = bias + q * H + u0;
      }
      T* c = a.cN + (long)b * H + u0;
      T* h = a.y + n * H + u0;
      Cells<T>::lstmSum(w, proj ? xq : nullptr, rq, bias ? bq : nullptr, acts ? actq : nullptr, c, h);
      if (a.ws) copy(a.ws + wsC + n * H + u0, c, w);
      copy(a.hN + (long)b * H + u0, h, w);
    }
  };

  // Batch split: a row's state depends on that row only, so with enough rows each thread runs the
  // whole sequence for its own block of rows (its own packing, products and cells) and the threads
  // meet once per call instead of once per step.
  const int parts = fuseX && nt > 1 ? std::min(nt, B / 8) : 1;
  if (parts >= 2) {
    auto part = [&](int pi) {
      const int b0 = (int)((long)B * pi / parts), b1 = (int)((long)B * (pi + 1) / parts);
      T* prec = buf<T>(kStepOut, (long)(b1 - b0) * gv);
      T* ppa = buf<T>(kStepA, ((long)(b1 - b0) + MR) * H);
      T* ppx = buf<T>(kStepX, ((long)(b1 - b0) + MR) * I);
      for (int s = 0; s < g.steps; s++) {
        const int t = g.reverse ? g.steps - 1 - s : s;
        const int o = L.off[t], r1 = std::min(b1, L.bs[t]), m = r1 - b0;
        if (m <= 0) continue;  // no live rows of this block at this step (packed input)
        if (a.ws) copy(a.ws + wsHPrev + (long)(o + b0) * H, a.hN + (long)b0 * H, (long)m * H);
        const long mpad = (m + MR - 1) / MR * MR;
        for (int pc = 0; pc < H; pc += K.kc)
          K.packA(m, std::min(K.kc, H - pc), a.hN + (long)b0 * H + pc, H, 1, ppa + mpad * pc);
        for (int pc = 0; pc < I; pc += K.kc)
          K.packA(m, std::min(K.kc, I - pc), a.x + (long)(o + b0) * I + pc, I, 1, ppx + mpad * pc);
        for (int u = 0; u < chunks; u++) {
          T* out = prec + (long)u * 4 * NR;
          for (int pc = 0; pc < I; pc += K.kc) {
            const int kc = std::min(K.kc, I - pc);
            K.macro(m, 4 * NR, kc, T(1), ppx + mpad * pc, pwx + (long)pc * gv + (long)u * 4 * NR * kc,
                    pc == 0 ? T(0) : T(1), out, gv, 1);
          }
          for (int pc = 0; pc < H; pc += K.kc) {
            const int kc = std::min(K.kc, H - pc);
            K.macro(m, 4 * NR, kc, T(1), ppa + mpad * pc, pw + (long)pc * gv + (long)u * 4 * NR * kc, T(1), out, gv,
                    1);
          }
          cell(o, b0, r1, u * NR, std::min(NR, H - u * NR), prec, b0, (long)u * 4 * NR, NR);
        }
      }
    };
    parallelFor(parts, part);
    return;
  }

  for (int s = 0; s < g.steps; s++) {
    const int t = g.reverse ? g.steps - 1 - s : s;
    if (!fuseX && s % blockSteps == 0) {
      // rows of the steps s .. s + blockSteps - 1 (contiguous in x in either direction)
      const int sEnd = std::min(g.steps, s + blockSteps) - 1;
      const int tEnd = g.reverse ? g.steps - 1 - sEnd : sEnd;
      const int tLo = std::min(t, tEnd), tHi = std::max(t, tEnd);
      project(L.off[tLo], (long)L.off[tHi] + L.bs[tHi]);
    }
    const int bt = L.bs[t], o = L.off[t];
    if (bt == 0) continue;
    if (a.ws) copy(a.ws + wsHPrev + (long)o * H, a.hN, (long)bt * H);  // cache h_{t-1}
    if (!packed) {
      gemm<T>(bt, G, H, 1, Mat<T>{a.hN, H, 1}, Mat<T>{a.wHh, 1, H}, 0, rec, G, 1);
      rows(bt, (long)bt * H, [&](int b) { cell(o, b, b + 1, 0, H, rec, 0, 0, H); });
      continue;
    }
    // pack h_{t-1} [bt, H] (and x_t [bt, I]) once: slice pc at pa + mpad * pc
    const long mpad = (bt + MR - 1) / MR * MR;
    for (int pc = 0; pc < H; pc += K.kc) K.packA(bt, std::min(K.kc, H - pc), a.hN + pc, H, 1, pa + mpad * pc);
    if (fuseX)
      for (int pc = 0; pc < I; pc += K.kc)
        K.packA(bt, std::min(K.kc, I - pc), a.x + (long)o * I + pc, I, 1, pax + mpad * pc);
    const int rowBlocks = (bt + K.mc - 1) / K.mc;
    auto task = [&](int tk) {
      const int u = tk % chunks, rb = tk / chunks;
      const int i0 = rb * K.mc, m = std::min(K.mc, bt - i0);
      T* out = rec + (long)i0 * gv + (long)u * 4 * NR;
      if (fuseX)
        for (int pc = 0; pc < I; pc += K.kc) {
          const int kc = std::min(K.kc, I - pc);
          K.macro(m, 4 * NR, kc, T(1), pax + mpad * pc + (long)i0 * kc, pwx + (long)pc * gv + (long)u * 4 * NR * kc,
                  pc == 0 ? T(0) : T(1), out, gv, 1);
        }
      for (int pc = 0; pc < H; pc += K.kc) {
        const int kc = std::min(K.kc, H - pc);
        K.macro(m, 4 * NR, kc, T(1), pa + mpad * pc + (long)i0 * kc, pw + (long)pc * gv + (long)u * 4 * NR * kc,
                pc == 0 && !fuseX ? T(0) : T(1), out, gv, 1);
      }
      cell(o, i0, i0 + m, u * NR, std::min(NR, H - u * NR), rec, 0, (long)u * 4 * NR, NR);
    };
    const int ntasks = chunks * rowBlocks;
    if (nt > 1 && ntasks > 1 && (double)bt * gv * (H + (fuseX ? I : 0)) >= 65536) {
      parallelFor(ntasks, task);
    } else {
      for (int tk = 0; tk < ntasks; tk++) task(tk);
    }
  }
}

template <typename T>
void lstmForward(const LstmFwd<T>& a) {
  if (a.P == 0) {
    lstmForwardFused(a);
    return;
  }
  const Geom g = geom(a, a.P);
  const int H = g.H, P = g.P, I = g.I, B = g.B, G = 4 * H, R = P > 0 ? P : H;
  const Layout L(g);
  const long N = L.N;
  const long wsC = N * G, wsHPrev = wsC + N * H, wsHc = wsHPrev + N * R;
  T* gates = a.ws ? a.ws : buf<T>(kWork0, N * G);
  T* hcScratch = P > 0 && !a.ws ? buf<T>(kWork1, (long)B * H) : nullptr;

  // 1. gates = b_ih + b_hh, then gates += x W_ihᵀ for all rows (one GEMM).
  const bool hasBias = fillBias(gates, N, G, a.bIh, a.bHh, G);
  if (N > 0) gemm<T>((int)N, G, I, 1, Mat<T>{a.x, I, 1}, Mat<T>{a.wIh, 1, I}, hasBias ? 1 : 0, gates, G, 1);

  copy(a.hN, a.h0, (long)B * R);
  copy(a.cN, a.c0, (long)B * H);
  const StepWeight<T> whh(R, G, Mat<T>{a.wHh, 1, R}, kPrepack0, g.steps);  // W_hhᵀ [R,G]
  const StepWeight<T> whr(H, P, Mat<T>{a.wHr, 1, H}, kPrepack1, P > 0 ? g.steps : 0);  // W_hrᵀ [H,P]

  for (int s = 0; s < g.steps; s++) {
    const int t = g.reverse ? g.steps - 1 - s : s;
    const int bt = L.bs[t], o = L.off[t];
    if (a.ws) copy(a.ws + wsHPrev + (long)o * R, a.hN, (long)bt * R);  // cache h_{t-1}
    // 2. gates[t] += h_{t-1} W_hhᵀ
    whh.mul(bt, Mat<T>{a.hN, R, 1}, 1, gates + (long)o * G, G);
    // 3. pointwise: activations in place, c' into cN (and ws), h' into y and the state (or hc)
    T* hc = P > 0 ? (a.ws ? a.ws + wsHc + (long)o * H : hcScratch) : nullptr;
    rows(bt, (long)bt * H, [&](int b) {
      const long n = o + b;
      T* c = a.cN + (long)b * H;
      T* h = hc ? hc + (long)b * H : a.y + n * H;
      Cells<T>::lstm(H, gates + n * G, c, h);
      if (a.ws) copy(a.ws + wsC + n * H, c, H);
      if (!hc) copy(a.hN + (long)b * H, h, H);
    });
    // 4. projection: y[t] = hc W_hrᵀ; the live state rows take it.
    if (P > 0) {
      whr.mul(bt, Mat<T>{hc, H, 1}, 0, a.y + (long)o * R, R);
      copy(a.hN, a.y + (long)o * R, (long)bt * R);
    }
  }
}

// The backward of an LSTM layer without projection, one parallel region per step. Region s
// (processing steps in reverse) runs tasks (chunk of NR hidden units, block of rows) that first
// finish dh for their units from the step processed before, dh = dgates[t'] W_hh (W_hh [4H, H]
// packed once; dgates[t'] packed once per step, shared by the tasks), then add dy[t] and run the
// cell backward on their units, writing the four gates' gradients of those units into dgates[t]
// and the carried dc. A last region finishes dh for dh0. As in the forward, the split changes no
// element's arithmetic.
template <typename T>
void lstmBackwardFused(const LstmBwd<T>& a) {
  const Geom g = geom(a, a.P);
  const int H = g.H, I = g.I, B = g.B, G = 4 * H;
  const Layout L(g);
  const long N = L.N;
  const long wsC = N * G, wsHPrev = wsC + N * H;
  const T* ws = a.ws;
  const GemmKernels<T>& K = gemmKernels<T>();
  const int NR = K.nr, MR = K.mr;

  T* dh = buf<T>(kWork0, (long)B * H);  // carried dL/dh_t
  T* dc = buf<T>(kWork1, (long)B * H);  // carried dL/dc_t
  if (a.dhN) copy(dh, a.dhN, (long)B * H);
  else std::fill(dh, dh + (long)B * H, T(0));
  if (a.dcN) copy(dc, a.dcN, (long)B * H);
  else std::fill(dc, dc + (long)B * H, T(0));
  T* dgates = buf<T>(kWork2, N * G);
  const PackedB<T> pw = prepackB<T>(G, H, Mat<T>{a.wHh, H, 1}, kPrepack0);  // W_hh [G, H]
  T* pa = buf<T>(kStepA, ((long)B + MR) * G);
  const int chunks = (H + NR - 1) / NR;
  const long npad = (long)chunks * NR;
  const int nt = numThreads();

  // Batch split (as in the forward): each thread runs the whole reverse loop for its own rows.
  const int parts = nt > 1 && g.steps > 1 ? std::min(nt, B / 8) : 1;
  if (parts >= 2) {
    auto part = [&](int pi) {
      const int b0 = (int)((long)B * pi / parts), b1 = (int)((long)B * (pi + 1) / parts);
      T* ppa = buf<T>(kStepA, ((long)(b1 - b0) + MR) * G);
      for (int s = g.steps - 1; s >= -1; s--) {
        const int t = s >= 0 ? (g.reverse ? g.steps - 1 - s : s) : -1;
        const int bt = t >= 0 ? L.bs[t] : 0, o = t >= 0 ? L.off[t] : 0;
        const int tn = s + 1 < g.steps ? (g.reverse ? g.steps - 2 - s : s + 1) : -1;
        const int gm = (tn >= 0 ? std::min(b1, L.bs[tn]) : 0) - b0;  // this block's rows of dh the GEMM rewrites
        if (gm > 0) {
          const T* gsrc = dgates + ((long)L.off[tn] + b0) * G;
          const long mpad = (gm + MR - 1) / MR * MR;
          for (int pc = 0; pc < G; pc += K.kc) {
            const int kc = std::min(K.kc, G - pc);
            K.packA(gm, kc, gsrc + pc, G, 1, ppa + mpad * pc);
            K.macro(gm, H, kc, T(1), ppa + mpad * pc, pw.p + (long)pc * npad, pc == 0 ? T(0) : T(1),
                    dh + (long)b0 * H, H, 1);
          }
        }
        const int tp = g.reverse ? t + 1 : t - 1;
        const int prevBt = s > 0 ? L.bs[tp] : 0;
        const long prevC = s > 0 ? wsC + (long)L.off[tp] * H : 0;
        for (int b = b0; b < std::min(b1, bt); b++) {
          const long n = o + b;
          T* dhb = dh + (long)b * H;
          if (a.dy)
            for (int j = 0; j < H; j++) dhb[j] += a.dy[n * H + j];
          const T* cp = b < prevBt ? ws + prevC + (long)b * H : a.c0 + (long)b * H;
          Cells<T>::lstmBack(H, H, ws + n * G, ws + wsC + n * H, cp, dhb, dc + (long)b * H, dgates + n * G);
        }
      }
    };
    parallelFor(parts, part);
  }

  // Region for step s (s == -1: only the final dh). `prevO`, `prevBt`: rows of the step whose
  // gate gradients feed dh (none when s is the first processed step).
  for (int s = parts >= 2 ? -2 : g.steps - 1; s >= -1; s--) {
    const int t = s >= 0 ? (g.reverse ? g.steps - 1 - s : s) : -1;
    const int bt = t >= 0 ? L.bs[t] : 0, o = t >= 0 ? L.off[t] : 0;
    const int tn = s + 1 < g.steps ? (g.reverse ? g.steps - 2 - s : s + 1) : -1;  // step processed before
    const int gbt = tn >= 0 ? L.bs[tn] : 0;  // rows of dh the GEMM rewrites
    const T* gsrc = tn >= 0 ? dgates + (long)L.off[tn] * G : nullptr;
    const int tp = g.reverse ? t + 1 : t - 1;  // the step before t in processing order (c_{t-1})
    const int prevBt = s > 0 ? L.bs[tp] : 0;
    const long prevC = s > 0 ? wsC + (long)L.off[tp] * H : 0;
    const int rowsAll = std::max(bt, gbt);
    if (rowsAll == 0) continue;
    const long mpad = (gbt + MR - 1) / MR * MR;
    if (gbt > 0)
      for (int pc = 0; pc < G; pc += K.kc) K.packA(gbt, std::min(K.kc, G - pc), gsrc + pc, G, 1, pa + mpad * pc);
    const int rowBlocks = (rowsAll + K.mc - 1) / K.mc;
    auto task = [&](int tk) {
      const int u = tk % chunks, rb = tk / chunks;
      const int i0 = rb * K.mc, u0 = u * NR, w = std::min(NR, H - u0);
      const int gm = std::min(K.mc, gbt - i0);  // GEMM rows of this block
      if (gm > 0) {
        T* out = dh + (long)i0 * H + u0;  // a partial last chunk writes only its w valid columns
        for (int pc = 0; pc < G; pc += K.kc) {
          const int kc = std::min(K.kc, G - pc);
          K.macro(gm, w, kc, T(1), pa + mpad * pc + (long)i0 * kc, pw.p + (long)pc * npad + (long)u0 * kc,
                  pc == 0 ? T(0) : T(1), out, H, 1);
        }
      }
      const int r1 = std::min(bt, i0 + K.mc);
      for (int b = i0; b < r1; b++) {
        const long n = o + b;
        T* dhb = dh + (long)b * H + u0;
        if (a.dy)
          for (int j = 0; j < w; j++) dhb[j] += a.dy[n * H + u0 + j];
        const T* cp = b < prevBt ? ws + prevC + (long)b * H + u0 : a.c0 + (long)b * H + u0;
        Cells<T>::lstmBack(w, H, ws + n * G + u0, ws + wsC + n * H + u0, cp, dhb, dc + (long)b * H + u0,
                           dgates + n * G + u0);
      }
    };
    const int ntasks = chunks * rowBlocks;
    if (nt > 1 && ntasks > 1 && (double)rowsAll * G * H >= 65536) {
      parallelFor(ntasks, task);
    } else {
      for (int tk = 0; tk < ntasks; tk++) task(tk);
    }
  }

  addInto(a.dh0, dh, (long)B * H);
  addInto(a.dc0, dc, (long)B * H);
  weightGrads<T>(N, G, I, H, dgates, dgates, a.x, a.wIh, ws + wsHPrev, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dgates, N, G, a.dbIh);
  if (a.dbHh) addColumnSums(dgates, N, G, a.dbHh);
}

template <typename T>
void lstmBackward(const LstmBwd<T>& a) {
  if (a.P == 0) {
    lstmBackwardFused(a);
    return;
  }
  const Geom g = geom(a, a.P);
  const int H = g.H, P = g.P, I = g.I, B = g.B, G = 4 * H, R = P > 0 ? P : H;
  const Layout L(g);
  const long N = L.N;
  const long wsC = N * G, wsHPrev = wsC + N * H, wsHc = wsHPrev + N * R;
  const T* ws = a.ws;

  T* dh = buf<T>(kWork0, (long)B * R);  // carried dL/dh_t
  T* dc = buf<T>(kWork1, (long)B * H);  // carried dL/dc_t
  if (a.dhN) copy(dh, a.dhN, (long)B * R);
  else std::fill(dh, dh + (long)B * R, T(0));
  if (a.dcN) copy(dc, a.dcN, (long)B * H);
  else std::fill(dc, dc + (long)B * H, T(0));
  T* dgates = buf<T>(kWork2, N * G);
  T* dR = P > 0 ? buf<T>(kWork3, N * R) : nullptr;
  T* dhc = P > 0 ? buf<T>(kWork4, (long)B * H) : dh;
  const StepWeight<T> whh(G, R, Mat<T>{a.wHh, R, 1}, kPrepack0, g.steps);  // W_hh [G,R]
  const StepWeight<T> whr(P, H, Mat<T>{a.wHr, H, 1}, kPrepack1, P > 0 ? g.steps : 0);  // W_hr [P,H]

  for (int s = g.steps - 1; s >= 0; s--) {
    const int t = g.reverse ? g.steps - 1 - s : s;
    const int bt = L.bs[t], o = L.off[t];
    const int tp = g.reverse ? t + 1 : t - 1;  // previous step in processing order
    const int prevBt = s > 0 ? L.bs[tp] : 0;
    const long prevC = s > 0 ? wsC + (long)L.off[tp] * H : 0;
    // 1. dr = carried dh + dy[t]
    if (a.dy) addInto(dh, a.dy + (long)o * R, (long)bt * R);
    // 2. through the projection: dhc = dr W_hr (dr kept for dW_hr)
    if (P > 0) {
      copy(dR + (long)o * R, dh, (long)bt * R);
      whr.mul(bt, Mat<T>{dh, R, 1}, 0, dhc, H);
    }
    // 3. pointwise: gate gradients, dc carried
    rows(bt, (long)bt * H, [&](int b) {
      const long n = o + b;
      const T* cp = b < prevBt ? ws + prevC + (long)b * H : a.c0 + (long)b * H;
      Cells<T>::lstmBack(H, H, ws + n * G, ws + wsC + n * H, cp, dhc + (long)b * H, dc + (long)b * H, dgates + n * G);
    });
    // 4. dh_{t-1} = dgates[t] W_hh on the live rows
    whh.mul(bt, Mat<T>{dgates + (long)o * G, G, 1}, 0, dh, R);
  }

  addInto(a.dh0, dh, (long)B * R);
  addInto(a.dc0, dc, (long)B * H);
  weightGrads<T>(N, G, I, R, dgates, dgates, a.x, a.wIh, ws + wsHPrev, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dgates, N, G, a.dbIh);
  if (a.dbHh) addColumnSums(dgates, N, G, a.dbHh);
  if (a.dwHr && N > 0) gemm<T>(P, H, (int)N, 1, Mat<T>{dR, 1, P}, Mat<T>{ws + wsHc, H, 1}, 1, a.dwHr, H, 1);
}

// ------------------------------------------------------------------------------------------------
// GRU (workspace: r|z|n|W_hn h + b_hn [N,4H], then h_{t-1} [N,H])
// ------------------------------------------------------------------------------------------------

template <typename T>
void gruForward(const GruFwd<T>& a) {
  const Geom g = geom(a);
  const int H = g.H, I = g.I, B = g.B, G = 3 * H, W = 4 * H;
  const Layout L(g);
  const long N = L.N;
  const long wsHPrev = N * W;
  T* gi = buf<T>(kWork0, N * G);
  const bool hasBias = fillBias(gi, N, G, a.bIh, a.bHh, 2 * H);
  if (N > 0) gemm<T>((int)N, G, I, 1, Mat<T>{a.x, I, 1}, Mat<T>{a.wIh, 1, I}, hasBias ? 1 : 0, gi, G, 1);
  copy(a.hN, a.h0, (long)B * H);
  T* gh = buf<T>(kWork1, (long)B * G);
  const StepWeight<T> whh(H, G, Mat<T>{a.wHh, 1, H}, kPrepack0, g.steps);  // W_hhᵀ [H,G]
  const T* bhn = a.bHh ? a.bHh + 2 * H : nullptr;
  // row b of step (first row o), its hidden-side products at ghRow
  auto cell = [&](int o, int b, const T* ghRow) {
    const long n = o + b;
    T* h = a.y + n * H;
    Cells<T>::gru(H, gi + n * G, ghRow, bhn, a.hN + (long)b * H, h, a.ws ? a.ws + n * W : nullptr);
    copy(a.hN + (long)b * H, h, H);
  };
  const int parts = splitParts(g);
  if (parts >= 2) {
    eachPart(parts, B, [&](int b0, int b1) {
      T* pgh = buf<T>(kStepOut, (long)(b1 - b0) * G);
      for (int s = 0; s < g.steps; s++) {
        const int t = g.reverse ? g.steps - 1 - s : s;
        const int o = L.off[t], r1 = std::min(b1, L.bs[t]), m = r1 - b0;
        if (m <= 0) continue;
        if (a.ws) copy(a.ws + wsHPrev + (long)(o + b0) * H, a.hN + (long)b0 * H, (long)m * H);
        whh.mulRows(m, a.hN + (long)b0 * H, H, 0, pgh, G);
        for (int b = b0; b < r1; b++) cell(o, b, pgh + (long)(b - b0) * G);
      }
    });
    return;
  }
  for (int s = 0; s < g.steps; s++) {
    const int t = g.reverse ? g.steps - 1 - s : s;
    const int bt = L.bs[t], o = L.off[t];
    if (a.ws) copy(a.ws + wsHPrev + (long)o * H, a.hN, (long)bt * H);
    whh.mul(bt, Mat<T>{a.hN, H, 1}, 0, gh, G);
    rows(bt, (long)bt * H, [&](int b) { cell(o, b, gh + (long)b * G); });
  }
}

template <typename T>
void gruBackward(const GruBwd<T>& a) {
  const Geom g = geom(a);
  const int H = g.H, I = g.I, B = g.B, G = 3 * H, W = 4 * H;
  const Layout L(g);
  const long N = L.N;
  const long wsHPrev = N * W;
  const T* ws = a.ws;
  T* dh = buf<T>(kWork0, (long)B * H);
  if (a.dhN) copy(dh, a.dhN, (long)B * H);
  else std::fill(dh, dh + (long)B * H, T(0));
  T* dgi = buf<T>(kWork1, N * G);
  T* dgh = buf<T>(kWork2, N * G);
  const StepWeight<T> whh(G, H, Mat<T>{a.wHh, H, 1}, kPrepack0, g.steps);  // W_hh [G,H]
  auto cell = [&](int o, int b) {
    const long n = o + b;
    const T* w = ws + n * W;
    const T* hp = ws + wsHPrev + n * H;
    T* di = dgi + n * G;
    T* dg2 = dgh + n * G;
    T* dhr = dh + (long)b * H;
    for (int j = 0; j < H; j++) {
      const T r = w[j], z = w[H + j], nn = w[2 * H + j], ghn = w[3 * H + j];
      const T d = a.dy ? dhr[j] + a.dy[n * H + j] : dhr[j];
      const T dan = d * (1 - z) * (1 - nn * nn);
      const T dar = dan * ghn * r * (1 - r);
      const T daz = d * (hp[j] - nn) * z * (1 - z);
      di[j] = dar;
      di[H + j] = daz;
      di[2 * H + j] = dan;
      dg2[j] = dar;
      dg2[H + j] = daz;
      dg2[2 * H + j] = dan * r;
      dhr[j] = d * z;
    }
  };
  const int parts = splitParts(g);
  if (parts >= 2) {
    eachPart(parts, B, [&](int b0, int b1) {
      for (int s = g.steps - 1; s >= 0; s--) {
        const int t = g.reverse ? g.steps - 1 - s : s;
        const int o = L.off[t], r1 = std::min(b1, L.bs[t]), m = r1 - b0;
        if (m <= 0) continue;
        for (int b = b0; b < r1; b++) cell(o, b);
        whh.mulRows(m, dgh + (long)(o + b0) * G, G, 1, dh + (long)b0 * H, H);
      }
    });
  } else {
    for (int s = g.steps - 1; s >= 0; s--) {
      const int t = g.reverse ? g.steps - 1 - s : s;
      const int bt = L.bs[t], o = L.off[t];
      rows(bt, (long)bt * H, [&](int b) { cell(o, b); });
      whh.mul(bt, Mat<T>{dgh + (long)o * G, G, 1}, 1, dh, H);
    }
  }
  addInto(a.dh0, dh, (long)B * H);
  weightGrads<T>(N, G, I, H, dgi, dgh, a.x, a.wIh, ws + wsHPrev, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dgi, N, G, a.dbIh);
  if (a.dbHh) addColumnSums(dgh, N, G, a.dbHh);
}

// ------------------------------------------------------------------------------------------------
// Elman RNN (workspace: h_{t-1} [N,H], then h_t [N,H])
// ------------------------------------------------------------------------------------------------

template <typename T>
void rnnForward(const RnnFwd<T>& a) {
  const Geom g = geom(a);
  const int H = g.H, I = g.I, B = g.B;
  const Layout L(g);
  const long N = L.N;
  const long wsH = N * H;
  const bool hasBias = fillBias(a.y, N, H, a.bIh, a.bHh, H);
  if (N > 0) gemm<T>((int)N, H, I, 1, Mat<T>{a.x, I, 1}, Mat<T>{a.wIh, 1, I}, hasBias ? 1 : 0, a.y, H, 1);
  copy(a.hN, a.h0, (long)B * H);
  const StepWeight<T> whh(H, H, Mat<T>{a.wHh, 1, H}, kPrepack0, g.steps);
  const int parts = splitParts(g);
  if (parts >= 2) {
    eachPart(parts, B, [&](int b0, int b1) {
      for (int s = 0; s < g.steps; s++) {
        const int t = g.reverse ? g.steps - 1 - s : s;
        const int r1 = std::min(b1, L.bs[t]), m = r1 - b0;
        if (m <= 0) continue;
        const long base = ((long)L.off[t] + b0) * H, len = (long)m * H;
        if (a.ws) copy(a.ws + base, a.hN + (long)b0 * H, len);
        whh.mulRows(m, a.hN + (long)b0 * H, H, 1, a.y + base, H);
        if (a.nonlinearity == kRelu) {
          for (long k = 0; k < len; k++) a.y[base + k] = a.y[base + k] <= 0 ? T(0) : a.y[base + k];
        } else {
          for (int b = 0; b < m; b++) Cells<T>::tanhInPlace(H, a.y + base + (long)b * H);
        }
        copy(a.hN + (long)b0 * H, a.y + base, len);
        if (a.ws) copy(a.ws + wsH + base, a.y + base, len);
      }
    });
    return;
  }
  for (int s = 0; s < g.steps; s++) {
    const int t = g.reverse ? g.steps - 1 - s : s;
    const int bt = L.bs[t], o = L.off[t];
    const long base = (long)o * H, len = (long)bt * H;
    if (a.ws) copy(a.ws + base, a.hN, len);
    whh.mul(bt, Mat<T>{a.hN, H, 1}, 1, a.y + base, H);
    if (a.nonlinearity == kRelu) {  // NaN stays NaN, as PyTorch's relu
      for (long k = 0; k < len; k++) a.y[base + k] = a.y[base + k] <= 0 ? T(0) : a.y[base + k];
    } else {
      rows(bt, len, [&](int b) { Cells<T>::tanhInPlace(H, a.y + base + (long)b * H); });
    }
    copy(a.hN, a.y + base, len);
    if (a.ws) copy(a.ws + wsH + base, a.y + base, len);
  }
}

template <typename T>
void rnnBackward(const RnnBwd<T>& a) {
  const Geom g = geom(a);
  const int H = g.H, I = g.I, B = g.B;
  const Layout L(g);
  const long N = L.N;
  const long wsH = N * H;
  const T* ws = a.ws;
  T* dh = buf<T>(kWork0, (long)B * H);
  if (a.dhN) copy(dh, a.dhN, (long)B * H);
  else std::fill(dh, dh + (long)B * H, T(0));
  T* dpre = buf<T>(kWork1, N * H);
  const StepWeight<T> whh(H, H, Mat<T>{a.wHh, H, 1}, kPrepack0, g.steps);
  // dpre of rows [r0, r1) of step t from the carried dh
  auto pre = [&](int t, int r0, int r1) {
    const long base = (long)L.off[t] * H;
    for (long k = (long)r0 * H; k < (long)r1 * H; k++) {
      const T gk = a.dy ? dh[k] + a.dy[base + k] : dh[k];
      const T h = ws[wsH + base + k];
      dpre[base + k] = a.nonlinearity == kRelu ? (h <= 0 ? T(0) : gk) : gk * (1 - h * h);
    }
  };
  const int parts = splitParts(g);
  if (parts >= 2) {
    eachPart(parts, B, [&](int b0, int b1) {
      for (int s = g.steps - 1; s >= 0; s--) {
        const int t = g.reverse ? g.steps - 1 - s : s;
        const int r1 = std::min(b1, L.bs[t]), m = r1 - b0;
        if (m <= 0) continue;
        pre(t, b0, r1);
        whh.mulRows(m, dpre + ((long)L.off[t] + b0) * H, H, 0, dh + (long)b0 * H, H);
      }
    });
  } else {
    for (int s = g.steps - 1; s >= 0; s--) {
      const int t = g.reverse ? g.steps - 1 - s : s;
      const int bt = L.bs[t];
      pre(t, 0, bt);
      whh.mul(bt, Mat<T>{dpre + (long)L.off[t] * H, H, 1}, 0, dh, H);
    }
  }
  addInto(a.dh0, dh, (long)B * H);
  weightGrads<T>(N, H, I, H, dpre, dpre, a.x, a.wIh, ws, a.dx, a.dwIh, a.dwHh);
  if (a.dbIh) addColumnSums(dpre, N, H, a.dbIh);
  if (a.dbHh) addColumnSums(dpre, N, H, a.dbHh);
}

template void lstmForward<float>(const LstmFwd<float>&);
template void lstmForward<double>(const LstmFwd<double>&);
template void lstmBackward<float>(const LstmBwd<float>&);
template void lstmBackward<double>(const LstmBwd<double>&);
template void gruForward<float>(const GruFwd<float>&);
template void gruForward<double>(const GruFwd<double>&);
template void gruBackward<float>(const GruBwd<float>&);
template void gruBackward<double>(const GruBwd<double>&);
template void rnnForward<float>(const RnnFwd<float>&);
template void rnnForward<double>(const RnnFwd<double>&);
template void rnnBackward<float>(const RnnBwd<float>&);
template void rnnBackward<double>(const RnnBwd<double>&);

}  // namespace tl
