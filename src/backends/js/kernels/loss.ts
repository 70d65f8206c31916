/**
 * Reference loss kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/loss.ts.
 */
import type { LossRoutines } from '../../routines/loss.js';

/** The js backend's loss routines. */
export const lossKernels: Required<LossRoutines> = {};
