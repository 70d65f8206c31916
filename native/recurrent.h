// Arguments of the fused recurrent kernels (recurrent.cc), mirroring src/backends/backend.ts:
// LstmForwardArgs, LstmBackwardArgs, GruForwardArgs, ... Null pointers are absent optionals.
#pragma once
#include <cstdint>

namespace tl {

struct Geom {
  int steps, B, I, H, P;  // P: LSTM projection size (0 = none)
  bool reverse;
  const int32_t* batchSizes;  // packed batch sizes (length steps) or null
};

template <typename T>
struct LstmFwd {
  Geom g;
  const T *x, *h0, *c0, *wIh, *wHh, *bIh, *bHh, *wHr;
  T *y, *hN, *cN, *ws;
};

template <typename T>
struct LstmBwd {
  Geom g;
  const T *x, *c0, *wIh, *wHh, *wHr, *ws, *dy, *dhN, *dcN;
  T *dx, *dh0, *dc0, *dwIh, *dwHh, *dbIh, *dbHh, *dwHr;
};

// GRU, and the Elman RNN (relu selects its nonlinearity).
template <typename T>
struct GruFwd {
  Geom g;
  bool relu;
  const T *x, *h0, *wIh, *wHh, *bIh, *bHh;
  T *y, *hN, *ws;
};

template <typename T>
struct GruBwd {
  Geom g;
  bool relu;
  const T *x, *wIh, *wHh, *ws, *dy, *dhN;
  T *dx, *dh0, *dwIh, *dwHh, *dbIh, *dbHh;
};

template <typename T> void lstmForward(const LstmFwd<T>& a);
template <typename T> void lstmBackward(const LstmBwd<T>& a);
template <typename T> void gruForward(const GruFwd<T>& a);
template <typename T> void gruBackward(const GruBwd<T>& a);
template <typename T> void rnnForward(const GruFwd<T>& a);
template <typename T> void rnnBackward(const GruBwd<T>& a);

}  // namespace tl
