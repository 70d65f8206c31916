// Arguments of the optim routines the compiled backends implement (optim.cc): one struct per
// routine, its members in the order of the routine's descriptor in src/backends/routines/optim.ts
// (routines.h fills them from the TypeScript side's block). Float32 only: the TypeScript side hands
// float64 to the js reference.
#pragma once

namespace tl {

// One Adam / AdamW update of n elements in place (AdamStepArgs): the Python scalars as given.
struct AdamStep {
  int n;
  float* param;
  const float* grad;
  float *expAvg, *expAvgSq, *maxExpAvgSq;  // maxExpAvgSq null without amsgrad
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupledWeightDecay, maximize;
  double stepSize, biasCorrection2Sqrt;
};

// The scalars of an Adam update as a float32 kernel sees them (PyTorch converts each Python float
// to float): adamScalars() in optim.cc.
struct AdamScalars {
  float sign, decay, wd, b1, a1, b2, a2, negStepSize, bc2Sqrt, eps;
  bool decoupled;
};

AdamScalars adamScalars(const AdamStep& a);
void adamStep(const AdamStep& a);

}  // namespace tl
