/**
 * Reference norm kernels (readable loops over contiguous typed arrays); the arguments are declared
 * in backends/routines/norm.ts.
 */
import type { NormRoutines } from '../../routines/norm.js';

/** The js backend's norm routines. */
export const normKernels: Required<NormRoutines> = {};
