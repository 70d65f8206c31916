/**
 * Reference optim kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/optim.ts.
 */
import type { OptimRoutines } from '../../routines/optim.js';

/** The js backend's optim routines. */
export const optimKernels: Required<OptimRoutines> = {};
