// AVX2 + FMA kernels (compiled with -mavx2 -mfma; used only when cpuid reports both).
// 6 x 16 float tile (12 of the 16 ymm registers as accumulators), 6 x 8 for double.
#define TL_VBYTES 32
#define TL_SMR 6
#define TL_SNV 2
#define TL_DMR 6
#define TL_DNV 2
#define TL_SKC 256
#define TL_DKC 256
#define TL_MC 96
#define TL_NC 2048
#define TL_TABLE kIsaAvx2
#define TL_NAME "avx2"
#include "kernels.inc"
