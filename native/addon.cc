// Node-API entry points of the native backend. Map of the folder:
//   addon.cc          this file: argument unpacking (zero-copy: kernels work on the typed arrays'
//                     own memory), dtype dispatch, module exports
//   common.h          shared declarations: kernel tables, thread pool, scratch arena, GEMM API
//   kernels.inc       GEMM packing / micro-kernels and vectorised float cells, one source compiled
//                     per instruction set by kernels-generic.cc, kernels-avx2.cc, kernels-avx512.cc
//   isa.cc            run-time choice of the kernel table (cpuid)
//   gemm.cc           blocked, threaded GEMM driver
//   recurrent.h/.cc   fused LSTM / GRU / RNN layers (forward and backward through time)
//   threads.cc        persistent thread pool and per-thread scratch
//   build.mjs         builds with node-gyp and installs the binary (npm install / build:native)
// The TypeScript side (src/backends/native/index.ts) validates everything: these functions trust
// their arguments (shapes, lengths, dtypes), as the js kernels do.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "common.h"
#include "recurrent.h"

namespace {

enum class DT { F32, F64, Other };

// Scratch kept on the calling thread between calls (packing buffers and small-layer work arrays
// stay; a long sequence's gates buffer is freed).
constexpr size_t kKeepScratch = 16u << 20;

struct Arr {
  void* p = nullptr;
  DT dt = DT::Other;
};

// The data pointer of a typed array (including its byte offset); null for null/undefined.
Arr arr(napi_env env, napi_value v) {
  Arr r;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) return r;
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok) {
    throw std::invalid_argument("torchlet native: expected a typed array or null");
  }
  r.p = data;
  r.dt = type == napi_float32_array ? DT::F32 : type == napi_float64_array ? DT::F64 : DT::Other;
  return r;
}

template <typename T>
T* ptr(napi_env env, napi_value v) {
  return static_cast<T*>(arr(env, v).p);
}

// gemm(a, b, out, p) with p = Float64Array [nb, m, k, n, aOff, as0, as1, as2, bOff, bs0, bs1, bs2,
// cOff, cs0, cs1, cs2, alpha, beta] (offsets and strides in elements). out = alpha a@b + beta out.
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
  long sa = as0, sc = cs0;
  // A broadcast b (batch stride 0) over a and out laid out like one tall matrix: one product.
  if (nb > 1 && bs0 == 0 && as0 == m * as1 && cs0 == m * cs1) {
    rows = (int)(nb * m);
    batches = 1;
  }
  const double work = (double)rows * n * k;
  auto one = [&](long bi, bool threaded) {
    tl::gemm<T>(rows, n, k, alpha, tl::Mat<T>{A + aOff + bi * sa, as1, as2}, tl::Mat<T>{B + bOff + bi * bs0, bs1, bs2},
                beta, C + cOff + bi * sc, cs1, cs2, threaded);
  };
  if (batches == 1 || work >= (1 << 17)) {
    for (long bi = 0; bi < batches; bi++) one(bi, true);
  } else {
    // many small products: one task per batch (each product single-threaded)
    auto task = [&](int bi) { one(bi, false); };
    if (batches * work >= (1 << 17) && batches < 0xfffff) tl::parallelFor((int)batches, task);
    else for (long bi = 0; bi < batches; bi++) one(bi, false);
  }
}

napi_value Gemm(napi_env env, napi_callback_info info) try {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const Arr a = arr(env, argv[0]), b = arr(env, argv[1]), c = arr(env, argv[2]);
  const double* p = static_cast<const double*>(arr(env, argv[3]).p);
  if (a.dt != c.dt || b.dt != c.dt || c.dt == DT::Other) {
    napi_throw_type_error(env, nullptr, "torchlet native gemm: a, b and out must all be Float32Array or Float64Array");
    return nullptr;
  }
  if (c.dt == DT::F32) gemmBatched<float>((float*)a.p, (float*)b.p, (float*)c.p, p);
  else gemmBatched<double>((double*)a.p, (double*)b.p, (double*)c.p, p);
  tl::trimScratch(kKeepScratch);
  return nullptr;
} catch (const std::exception& e) {
  napi_throw_error(env, nullptr, e.what());
  return nullptr;
}

// adam(w, g, m, v, vmax | null, k): one float32 Adam/AdamW update in place (common.h Isa::adam),
// n = w.length elements, split over the pool in blocks (elements are independent).
napi_value Adam(napi_env env, napi_callback_info info) try {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  size_t n = 0;
  void* data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[0], &type, &n, &data, &ab, &off) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "torchlet native adam: expected Float32Array");
    return nullptr;
  }
  float* w = static_cast<float*>(data);
  const float* g = ptr<float>(env, argv[1]);
  float* m = ptr<float>(env, argv[2]);
  float* v = ptr<float>(env, argv[3]);
  float* vmax = ptr<float>(env, argv[4]);
  const double* k = ptr<double>(env, argv[5]);
  constexpr long kBlock = 1 << 14;
  const long blocks = ((long)n + kBlock - 1) / kBlock;
  auto task = [&](int b) {
    const long i0 = (long)b * kBlock, len = std::min<long>(kBlock, (long)n - i0);
    tl::isa().adam(len, w + i0, g + i0, m + i0, v + i0, vmax ? vmax + i0 : nullptr, k);
  };
  if (blocks > 1 && blocks < 0xfffff) tl::parallelFor((int)blocks, task);
  else if (n > 0) task(0);
  return nullptr;
} catch (const std::exception& e) {
  napi_throw_error(env, nullptr, e.what());
  return nullptr;
}

// Geometry from an Int32Array [T, B, I, H, P, reverse] and batchSizes (Int32Array or null).
tl::Geom geom(napi_env env, napi_value ints, napi_value batchSizes) {
  const int32_t* g = ptr<int32_t>(env, ints);
  return tl::Geom{g[0], g[1], g[2], g[3], g[4], g[5] != 0, ptr<const int32_t>(env, batchSizes)};
}

template <size_t N>
struct Args {
  napi_value v[N];
  size_t n = N;
  Args(napi_env env, napi_callback_info info) { napi_get_cb_info(env, info, &n, v, nullptr, nullptr); }
};

// lstmForward(ints, batchSizes, x, h0, c0, wIh, wHh, bIh, bHh, wHr, y, hN, cN, ws)
template <typename T>
void lstmF(napi_env env, const napi_value* v) {
  tl::LstmFwd<T> a{geom(env, v[0], v[1]), ptr<T>(env, v[2]), ptr<T>(env, v[3]), ptr<T>(env, v[4]),
                   ptr<T>(env, v[5]), ptr<T>(env, v[6]), ptr<T>(env, v[7]), ptr<T>(env, v[8]),
                   ptr<T>(env, v[9]), ptr<T>(env, v[10]), ptr<T>(env, v[11]), ptr<T>(env, v[12]),
                   ptr<T>(env, v[13])};
  tl::lstmForward<T>(a);
}
// lstmBackward(ints, batchSizes, x, c0, wIh, wHh, wHr, ws, dy, dhN, dcN, dx, dh0, dc0, dwIh, dwHh,
//              dbIh, dbHh, dwHr)
template <typename T>
void lstmB(napi_env env, const napi_value* v) {
  tl::LstmBwd<T> a{geom(env, v[0], v[1]), ptr<T>(env, v[2]),  ptr<T>(env, v[3]),  ptr<T>(env, v[4]),
                   ptr<T>(env, v[5]),     ptr<T>(env, v[6]),  ptr<T>(env, v[7]),  ptr<T>(env, v[8]),
                   ptr<T>(env, v[9]),     ptr<T>(env, v[10]), ptr<T>(env, v[11]), ptr<T>(env, v[12]),
                   ptr<T>(env, v[13]),    ptr<T>(env, v[14]), ptr<T>(env, v[15]), ptr<T>(env, v[16]),
                   ptr<T>(env, v[17]),    ptr<T>(env, v[18])};
  tl::lstmBackward<T>(a);
}
// gruForward / rnnForward(ints, batchSizes, relu, x, h0, wIh, wHh, bIh, bHh, y, hN, ws)
template <typename T>
tl::GruFwd<T> gruFArgs(napi_env env, const napi_value* v) {
  bool relu = false;
  napi_get_value_bool(env, v[2], &relu);
  return tl::GruFwd<T>{geom(env, v[0], v[1]), relu, ptr<T>(env, v[3]), ptr<T>(env, v[4]), ptr<T>(env, v[5]),
                       ptr<T>(env, v[6]), ptr<T>(env, v[7]), ptr<T>(env, v[8]), ptr<T>(env, v[9]),
                       ptr<T>(env, v[10]), ptr<T>(env, v[11])};
}
// gruBackward / rnnBackward(ints, batchSizes, relu, x, wIh, wHh, ws, dy, dhN, dx, dh0, dwIh, dwHh, dbIh, dbHh)
template <typename T>
tl::GruBwd<T> gruBArgs(napi_env env, const napi_value* v) {
  bool relu = false;
  napi_get_value_bool(env, v[2], &relu);
  return tl::GruBwd<T>{geom(env, v[0], v[1]), relu, ptr<T>(env, v[3]), ptr<T>(env, v[4]), ptr<T>(env, v[5]),
                       ptr<T>(env, v[6]), ptr<T>(env, v[7]), ptr<T>(env, v[8]), ptr<T>(env, v[9]),
                       ptr<T>(env, v[10]), ptr<T>(env, v[11]), ptr<T>(env, v[12]), ptr<T>(env, v[13]),
                       ptr<T>(env, v[14])};
}

// The element type of a recurrent call is that of x (the argument at index `xi`).
bool isF64(napi_env env, napi_value x) { return arr(env, x).dt == DT::F64; }

#define TL_ENTRY(NAME, NARGS, XI, BODY)                                \
  napi_value NAME(napi_env env, napi_callback_info info) try {         \
    Args<NARGS> A(env, info);                                          \
    const napi_value* v = A.v;                                         \
    const bool f64 = isF64(env, v[XI]);                                \
    BODY;                                                              \
    tl::trimScratch(kKeepScratch);                                     \
    return nullptr;                                                    \
  } catch (const std::exception& e) {                                  \
    napi_throw_error(env, nullptr, e.what());                          \
    return nullptr;                                                    \
  }

TL_ENTRY(LstmForward, 14, 2, if (f64) lstmF<double>(env, v); else lstmF<float>(env, v))
TL_ENTRY(LstmBackward, 19, 2, if (f64) lstmB<double>(env, v); else lstmB<float>(env, v))
TL_ENTRY(GruForward, 12, 3, if (f64) tl::gruForward<double>(gruFArgs<double>(env, v)); else tl::gruForward<float>(gruFArgs<float>(env, v)))
TL_ENTRY(GruBackward, 15, 3, if (f64) tl::gruBackward<double>(gruBArgs<double>(env, v)); else tl::gruBackward<float>(gruBArgs<float>(env, v)))
TL_ENTRY(RnnForward, 12, 3, if (f64) tl::rnnForward<double>(gruFArgs<double>(env, v)); else tl::rnnForward<float>(gruFArgs<float>(env, v)))
TL_ENTRY(RnnBackward, 15, 3, if (f64) tl::rnnBackward<double>(gruBArgs<double>(env, v)); else tl::rnnBackward<float>(gruBArgs<float>(env, v)))

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  tl::setNumThreads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), tl::numThreads()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto raw = [&](const char* name, napi_callback cb) {
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
    exports.Set(name, Napi::Value(env, fn));
  };
  raw("gemm", Gemm);
  raw("adam", Adam);
  raw("lstmForward", LstmForward);
  raw("lstmBackward", LstmBackward);
  raw("gruForward", GruForward);
  raw("gruBackward", GruBackward);
  raw("rnnForward", RnnForward);
  raw("rnnBackward", RnnBackward);
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("isa", Napi::String::New(env, tl::isa().name));
  exports.Set("isaSupported", Napi::String::New(env, tl::isaSupported()));
  exports.Set("abi", Napi::Number::New(env, 2));
  return exports;
}

}  // namespace

NODE_API_MODULE(torchlet, Init)
