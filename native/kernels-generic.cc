// The portable kernels: baseline target of the architecture (SSE2 on x86-64, NEON on arm64).
#define TL_VBYTES 16
#define TL_SMR 4
#define TL_SNV 2
#define TL_DMR 4
#define TL_DNV 2
#define TL_SKC 256
#define TL_DKC 256
#define TL_MC 96
#define TL_NC 2048
#define TL_TABLE kIsaGeneric
#define TL_NAME "generic"
#include "kernels.inc"
