// AVX-512 kernels (compiled with -mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma; used only when
// cpuid reports AVX-512F/DQ/VL/BW). 12 x 32 float tile (24 of the 32 zmm registers as
// accumulators), 12 x 16 for double.
#define TL_VBYTES 64
#define TL_SMR 12
#define TL_SNV 2
#define TL_DMR 12
#define TL_DNV 2
#define TL_SKC 256
#define TL_DKC 256
#define TL_MC 96
#define TL_NC 2048
#define TL_TABLE kIsaAvx512
#define TL_NAME "avx512"
#include "kernels.inc"
