// The optim routines of the compiled backends (arguments in optim.h): drivers over the per-ISA
// kernels of kernels.inc, split into blocks on the thread pool (elements are independent).
#include <algorithm>

#include "common.h"
#include "optim.h"

namespace tl {

// 1 - lr * weight_decay and the other derived values are computed in double as the TypeScript
// reference computes them, then rounded once to float: no contraction into FMAs here.
TL_NO_CONTRACT AdamScalars adamScalars(const AdamStep& a) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  AdamScalars k;
  k.sign = a.maximize ? -1.0f : 1.0f;
  k.decoupled = a.decoupledWeightDecay;
  k.decay = (float)(1.0 - a.lr * a.weightDecay);
  k.wd = (float)a.weightDecay;
  k.b1 = (float)a.beta1;
  k.a1 = (float)(1.0 - a.beta1);
  k.b2 = (float)a.beta2;
  k.a2 = (float)(1.0 - a.beta2);
  k.negStepSize = (float)-a.stepSize;
  k.bc2Sqrt = (float)a.biasCorrection2Sqrt;
  k.eps = (float)a.eps;
  return k;
}

void adamStep(const AdamStep& a) {
  const AdamScalars k = adamScalars(a);
  constexpr long kBlock = 1 << 14;
  const long n = a.n, blocks = (n + kBlock - 1) / kBlock;
  auto task = [&](int b) {
    const long i0 = (long)b * kBlock, len = std::min<long>(kBlock, n - i0);
    isa().adam(len, a.param + i0, a.grad + i0, a.expAvg + i0, a.expAvgSq + i0,
               a.maxExpAvgSq ? a.maxExpAvgSq + i0 : nullptr, k);
  };
  if (blocks > 1 && blocks < 0xfffff) parallelFor((int)blocks, task);
  else if (n > 0) task(0);
}

}  // namespace tl
