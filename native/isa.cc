// Run-time choice of the kernel table from cpuid (GCC/Clang's __builtin_cpu_supports, which also
// checks that the OS saves the wide registers). TORCHLET_NATIVE_ISA=generic|avx2|avx512 forces a
// table (a request the CPU cannot run falls back to the best supported one).
#include <cstdlib>
#include <cstring>

#include "common.h"

namespace tl {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
bool hasAvx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool hasAvx512() {
  return hasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}
#endif

const Isa* choose() {
  const char* want = std::getenv("TORCHLET_NATIVE_ISA");
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  const bool a512 = hasAvx512(), a2 = hasAvx2();
  if (want && std::strcmp(want, "generic") == 0) return &kIsaGeneric;
  if (want && std::strcmp(want, "avx2") == 0 && a2) return &kIsaAvx2;
  if (a512) return &kIsaAvx512;
  if (a2) return &kIsaAvx2;
#else
  (void)want;
#endif
  return &kIsaGeneric;
}

}  // namespace

const Isa& isa() {
  static const Isa* chosen = choose();
  return *chosen;
}

const char* isaSupported() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (hasAvx512()) return "avx512,avx2,generic";
  if (hasAvx2()) return "avx2,generic";
#endif
  return "generic";
}

}  // namespace tl
