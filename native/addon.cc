// Node-API entry points of the native backend. Map of the folder:
//   addon.cc          this file: argument unpacking (zero-copy: kernels work on the typed arrays'
//                     own memory), dtype dispatch, module exports
//   common.h          shared declarations: kernel tables, thread pool, scratch arena, GEMM API
//   kernels.inc       GEMM packing / micro-kernels and vectorised float cells, one source compiled
//                     per instruction set by kernels-generic.cc, kernels-avx2.cc, kernels-avx512.cc
//   isa.cc            run-time choice of the kernel table (cpuid)
//   gemm.cc           blocked, threaded GEMM driver
//   routines.h        the fused routines' table: each routine's argument struct filled from the
//                     TypeScript descriptor's fields (run() here, tl_run in wasm/entry.cc)
//   recurrent.h/.cc   fused LSTM / GRU / RNN layers (forward and backward through time)
//   optim.h/.cc       optimizer updates (Adam / AdamW)
//   threads.cc        persistent thread pool and per-thread scratch
//   build.mjs         builds with node-gyp and installs the binary (npm install / build:native)
// The TypeScript side (src/backends/native/index.ts, src/backends/kernel-args.ts) validates
// everything: these functions trust their arguments (shapes, lengths, dtypes), as the js kernels do.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "common.h"
#include "routines.h"

namespace {

enum class DT { F32, F64, Other };

// Scratch kept on the calling thread between calls (packing buffers and small-layer work arrays
// stay; a long sequence's gates buffer is freed).
constexpr size_t kKeepScratch = 16u << 20;

struct Arr {
  void* p = nullptr;
  DT dt = DT::Other;
};

// The data pointer of a typed array (including its byte offset); null for null/undefined (the
// TypeScript side passes nothing else: one Node-API call per array, no type query first).
Arr arr(napi_env env, napi_value v) {
  Arr r;
  napi_typedarray_type type;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, nullptr, &data, nullptr, nullptr) != napi_ok) return r;
  r.p = data;
  r.dt = type == napi_float32_array ? DT::F32 : type == napi_float64_array ? DT::F64 : DT::Other;
  return r;
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

// One routine's arguments as run() receives them (routines.h): field i is nums[i] when a number and
// the typed array arrays[i] when an array (null or undefined for an absent optional).
struct CallArgs {
  napi_env env;
  const double* nums;
  const napi_value* arrays;
  double number(int i) const { return nums[i]; }
  void* pointer(int i) const { return arr(env, arrays[i]).p; }
};

// Most fields a routine has (routines.h; the TypeScript side passes one argument per field).
constexpr size_t kMaxFields = 40;

// run(id, f64, nums, ...fields): routine `id` of routines.h (element type double when f64), its
// numbers in the Float64Array nums and its arrays as the arguments after it, in the order of the
// routine's descriptor (src/backends/routines/*.ts).
napi_value Run(napi_env env, napi_callback_info info) try {
  size_t argc = 3 + kMaxFields;
  napi_value argv[3 + kMaxFields];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);  // (fills missing arguments with undefined)
  int32_t id = -1;
  bool f64 = false;
  napi_get_value_int32(env, argv[0], &id);
  napi_get_value_bool(env, argv[1], &f64);
  const CallArgs args{env, static_cast<const double*>(arr(env, argv[2]).p), argv + 3};
  if (!tl::routines::run(id, args, f64)) {
    napi_throw_range_error(env, nullptr, "torchlet native: no such routine");
    return nullptr;
  }
  tl::trimScratch(kKeepScratch);
  return nullptr;
} catch (const std::exception& e) {
  napi_throw_error(env, nullptr, e.what());
  return nullptr;
}

// setNumThreads(n): n a whole number in [1, tl::kMaxThreads] (src/backends/threads.ts validates it
// with PyTorch's messages first); throws when the system refuses a thread (the pool stays as it was).
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const double n = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  if (!(n >= 1 && n <= tl::kMaxThreads) || n != (double)(int)n) {
    throw Napi::RangeError::New(info.Env(), "setNumThreads expects a whole number in [1, " +
                                                std::to_string(tl::kMaxThreads) + "]");
  }
  try {
    tl::setNumThreads((int)n);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
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
  raw("run", Run);
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("isa", Napi::String::New(env, tl::isa().name));
  exports.Set("isaSupported", Napi::String::New(env, tl::isaSupported()));
  exports.Set("routines", Napi::String::New(env, tl::routines::signatures<CallArgs>()));
  exports.Set("abi", Napi::Number::New(env, 3));
  return exports;
}

}  // namespace

NODE_API_MODULE(torchlet, Init)
