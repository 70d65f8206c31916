/**
 * The norm routines of the backend interface: their named arguments (contiguous arrays unless a
 * member says otherwise). The js reference is backends/js/kernels/norm.ts; compiled backends may
 * implement any of them (routine() in backends/routine.ts falls back to the reference).
 */

/** The norm members of `Backend`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NormRoutines {}
