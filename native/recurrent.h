// Arguments of the fused recurrent kernels (recurrent.cc): one struct per routine, its members in
// the order of the routine's descriptor in src/backends/routines/recurrent.ts (routines.h fills
// them from the TypeScript side's block, member by member; see there for the member types allowed).
// Null pointers are absent optionals. `steps` is the TypeScript field T (T is the element type here).
#pragma once
#include <cstdint>

namespace tl {

// The geometry every recurrent kernel reads (built from the routine's struct by geom()).
struct Geom {
  int steps, B, I, H, P;  // P: LSTM projection size (0 = none)
  bool reverse;
  const int32_t* batchSizes;  // packed batch sizes (length steps) or null
};

template <typename T>
struct LstmFwd {
  int steps, B, I, H, P;
  bool reverse;
  const int32_t* batchSizes;
  const T *x, *h0, *c0, *wIh, *wHh, *bIh, *bHh, *wHr;
  T *y, *hN, *cN, *ws;
};

template <typename T>
struct LstmBwd {
  int steps, B, I, H, P;
  bool reverse;
  const int32_t* batchSizes;
  const T *x, *c0, *wIh, *wHh, *wHr, *ws, *dy, *dhN, *dcN;
  T *dx, *dh0, *dc0, *dwIh, *dwHh, *dbIh, *dbHh, *dwHr;
};

template <typename T>
struct GruFwd {
  int steps, B, I, H;
  bool reverse;
  const int32_t* batchSizes;
  const T *x, *h0, *wIh, *wHh, *bIh, *bHh;
  T *y, *hN, *ws;
};

template <typename T>
struct GruBwd {
  int steps, B, I, H;
  bool reverse;
  const int32_t* batchSizes;
  const T *x, *wIh, *wHh, *ws, *dy, *dhN;
  T *dx, *dh0, *dwIh, *dwHh, *dbIh, *dbHh;
};

// The Elman RNN: the GRU's arguments plus the nonlinearity.
enum Nonlinearity { kTanh = 0, kRelu = 1 };

template <typename T>
struct RnnFwd {
  int steps, B, I, H;
  bool reverse;
  const int32_t* batchSizes;
  int nonlinearity;  // Nonlinearity
  const T *x, *h0, *wIh, *wHh, *bIh, *bHh;
  T *y, *hN, *ws;
};

template <typename T>
struct RnnBwd {
  int steps, B, I, H;
  bool reverse;
  const int32_t* batchSizes;
  int nonlinearity;  // Nonlinearity
  const T *x, *wIh, *wHh, *ws, *dy, *dhN;
  T *dx, *dh0, *dwIh, *dwHh, *dbIh, *dbHh;
};

// The geometry of a routine's arguments (P = 0 for GRU and RNN).
template <typename A>
Geom geom(const A& a, int P = 0) {
  return Geom{a.steps, a.B, a.I, a.H, P, a.reverse, a.batchSizes};
}

template <typename T> void lstmForward(const LstmFwd<T>& a);
template <typename T> void lstmBackward(const LstmBwd<T>& a);
template <typename T> void gruForward(const GruFwd<T>& a);
template <typename T> void gruBackward(const GruBwd<T>& a);
template <typename T> void rnnForward(const RnnFwd<T>& a);
template <typename T> void rnnBackward(const RnnBwd<T>& a);

}  // namespace tl
