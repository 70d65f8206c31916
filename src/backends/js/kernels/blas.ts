/**
 * Reference BLAS-1 kernels; the arguments are declared in backends/routines/blas.ts.
 *
 * `dot` replays OpenBLAS 0.3.21's x86-64 `sdot` / `ddot` (kernel/x86_64/sdot.c, ddot.c with the
 * Haswell micro-kernels), which `torch.dot` calls on a CPU with AVX2 and FMA (checked bit for bit
 * against PyTorch 1.13 on lengths 1..1000):
 * - a block of n1 elements (float32: n & -32, float64: n & -16) goes through four vector
 *   accumulators (float32: 4 x 8 lanes, float64: 4 x 4 lanes) updated with fused multiply-adds,
 *   element j of a block into lane j; then each accumulator folds its upper 128 bits onto its lower
 *   ones, the four are added as (a0 + a1) + (a2 + a3), and the lanes by horizontal adds;
 * - float32: the remaining elements are added in double, each product rounded to float first, and
 *   the block's (float) sum is added last; the double total is rounded to float32;
 * - float64: the remaining elements are added to the block's sum one by one, products rounded.
 * OpenBLAS splits lengths over 10000 across threads (how depends on the machine); this is the
 * one-thread order.
 *
 * `axpy` is PyTorch's `add_(x, alpha)`: `fma(x, alpha, y)` per element, alpha rounded to the
 * element type first.
 */
import type { AxpyArgs, BlasRoutines, DotArgs } from '../../routines/blas.js';
import type { FloatArray } from '../../../tensor/dtype.js';
// Scalar fused multiply-adds shared with the generator's bit-exact replicas (dependency-free module).
import { fma, fmaf } from '../../../random/libm.js';

/** sdot: float32 x, y of length n. */
function sdot(x: FloatArray, y: FloatArray, n: number): number {
  const n1 = n - (n % 32);
  let block = 0; // the micro-kernel's float result
  if (n1 > 0) {
    const acc = new Float64Array(32); // register r (0..3) lane l (0..7) is acc[8 * r + l], float32 values
    for (let i = 0; i < n1; i += 32) {
      for (let j = 0; j < 32; j++) acc[j] = fmaf(x[i + j]!, y[i + j]!, acc[j]!);
    }
    const f = Math.fround;
    const lanes = new Float64Array(4);
    for (let l = 0; l < 4; l++) {
      // fold each register's upper half onto its lower half, then (r0 + r1) + (r2 + r3)
      const r0 = f(acc[l]! + acc[4 + l]!);
      const r1 = f(acc[8 + l]! + acc[12 + l]!);
      const r2 = f(acc[16 + l]! + acc[20 + l]!);
      const r3 = f(acc[24 + l]! + acc[28 + l]!);
      lanes[l] = f(f(r0 + r1) + f(r2 + r3));
    }
    block = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!)); // two vhaddps
  }
  let dot = 0; // a C double
  for (let i = n1; i < n; i++) dot += Math.fround(y[i]! * x[i]!);
  return Math.fround(dot + block);
}

/** ddot: float64 x, y of length n. */
function ddot(x: FloatArray, y: FloatArray, n: number): number {
  const n1 = n - (n % 16);
  let dot = 0;
  if (n1 > 0) {
    const acc = new Float64Array(16); // register r (0..3) lane l (0..3) is acc[4 * r + l]
    for (let i = 0; i < n1; i += 16) {
      for (let j = 0; j < 16; j++) acc[j] = fma(x[i + j]!, y[i + j]!, acc[j]!);
    }
    const lanes = [0, 0];
    for (let l = 0; l < 2; l++) {
      const r0 = acc[l]! + acc[2 + l]!;
      const r1 = acc[4 + l]! + acc[6 + l]!;
      const r2 = acc[8 + l]! + acc[10 + l]!;
      const r3 = acc[12 + l]! + acc[14 + l]!;
      lanes[l] = r0 + r1 + (r2 + r3);
    }
    dot = lanes[0]! + lanes[1]!; // vhaddpd
  }
  for (let i = n1; i < n; i++) dot += y[i]! * x[i]!;
  return dot;
}

/** `dot`: out[0] = x · y in OpenBLAS's order. */
function dot({ x, y, out }: DotArgs): void {
  const n = x.length;
  out[0] = x instanceof Float32Array ? sdot(x, y, n) : ddot(x, y, n);
}

/** `axpy`: y[i] = fma(x[i], alpha, y[i]), alpha in the element type. */
function axpy({ alpha, x, y }: AxpyArgs): void {
  const n = x.length;
  if (y instanceof Float32Array) {
    const a = Math.fround(alpha);
    for (let i = 0; i < n; i++) y[i] = fmaf(x[i]!, a, y[i]!);
  } else {
    for (let i = 0; i < n; i++) y[i] = fma(x[i]!, alpha, y[i]!);
  }
}

/** The js backend's BLAS-1 members. */
export const blasKernels: Required<BlasRoutines> = { dot, axpy };
