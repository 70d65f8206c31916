// WebAssembly SIMD128 kernels: native/kernels.inc compiled for 128-bit vectors (clang
// --target=wasm32 -msimd128, see build.mjs). 4 x 8 float tile (8 accumulators), 4 x 4 for double;
// the JIT maps v128 values onto the host's 16 (x64) or 32 (arm64) vector registers.
#define TL_VBYTES 16
#define TL_SMR 4
#define TL_SNV 2
#define TL_DMR 4
#define TL_DNV 2
#define TL_SKC 256
#define TL_DKC 256
#define TL_MC 96
#define TL_NC 2048
#define TL_TABLE kIsaWasm
#define TL_NAME "wasm-simd128"
#include "../kernels.inc"
