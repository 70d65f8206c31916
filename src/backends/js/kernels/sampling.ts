/**
 * Reference sampling kernels; the arguments are declared in backends/routines/sampling.ts.
 */
import {
  MULTINOMIAL_NEGATIVE,
  MULTINOMIAL_NOT_FINITE,
  MULTINOMIAL_OK,
  MULTINOMIAL_SUM_NOT_POSITIVE,
  type MultinomialCdfArgs,
  type MultinomialSearchArgs,
  type SamplingRoutines,
} from '../../routines/sampling.js';

const identity = (v: number): number => v;

/** The reference sampling routines. */
export const samplingKernels: Required<SamplingRoutines> = {
  multinomialCdf({ nDist, nCat, probs, cdf, status }: MultinomialCdfArgs): void {
    // float32 rows accumulate and normalise in float32, as PyTorch's scalar_t loop does
    const round = probs instanceof Float32Array ? Math.fround : identity;
    for (let i = 0; i < nDist; i++) {
      const row = i * nCat;
      let sum = 0;
      for (let j = 0; j < nCat; j++) {
        const v = probs[row + j]!;
        let code = MULTINOMIAL_OK;
        if (!(v >= 0)) code = MULTINOMIAL_NEGATIVE;
        else if (v === Infinity) code = MULTINOMIAL_NOT_FINITE;
        if (code !== MULTINOMIAL_OK) {
          status[0] = i;
          status[1] = code;
          return;
        }
        sum = round(sum + v);
        cdf[row + j] = sum;
      }
      if (!(sum > 0)) {
        status[0] = i;
        status[1] = MULTINOMIAL_SUM_NOT_POSITIVE;
        return;
      }
      for (let j = 0; j < nCat; j++) cdf[row + j] = round(cdf[row + j]! / sum);
      cdf[row + nCat - 1] = 1;
    }
    status[0] = nDist;
    status[1] = MULTINOMIAL_OK;
  },

  multinomialSearch({ nDist, nCat, nSample, cdf, uniforms, out }: MultinomialSearchArgs): void {
    for (let i = 0; i < nDist; i++) {
      const row = i * nCat;
      for (let j = 0; j < nSample; j++) {
        const u = uniforms[i * nSample + j]!;
        let left = 0;
        let right = nCat;
        while (right - left > 0) {
          const mid = left + Math.floor((right - left) / 2);
          if (cdf[row + mid]! < u) left = mid + 1;
          else right = mid;
        }
        out[i * nSample + j] = left;
      }
    }
  },
};
