/**
 * The BLAS-1 routines of the backend interface: their named arguments (contiguous arrays of one
 * element type, float32 or float64). The js reference is backends/js/kernels/blas.ts; compiled
 * backends may implement them (routine() in backends/routine.ts falls back to the reference).
 *
 * Both reproduce the bits of PyTorch 1.13's CPU on an AVX2 machine, for code that must follow
 * PyTorch's floating-point trajectory step by step (optim.LBFGS):
 * - `dot` is `torch.dot`, which calls the BLAS `sdot` / `ddot` (OpenBLAS 0.3.21, Haswell kernels);
 * - `axpy` is `y.add_(x, alpha=alpha)`, whose AVX2 kernel fuses the multiply-add (one rounding).
 */
import type { FloatArray } from '../../tensor/dtype.js';

/** Arguments of `dot`: `out[0] = x · y`. */
export interface DotArgs {
  x: FloatArray;
  /** Same length and element type as x. */
  y: FloatArray;
  /** One element, overwritten (same element type as x). */
  out: FloatArray;
}

/** Arguments of `axpy`: `y[i] = fma(alpha, x[i], y[i])`, y updated in place. */
export interface AxpyArgs {
  /** A Python scalar: rounded to the element type first, as PyTorch's `alpha.to<scalar_t>()`. */
  alpha: number;
  x: FloatArray;
  /** Same length and element type as x; updated in place. */
  y: FloatArray;
}

/** The BLAS-1 members of `Backend`. */
export interface BlasRoutines {
  /** Inner product of two vectors, summed in OpenBLAS's order. */
  dot?(a: DotArgs): void;
  /** `y += alpha * x` with one rounding per element. */
  axpy?(a: AxpyArgs): void;
}
