/**
 * Reference linear-algebra kernels (readable loops in float64); the arguments are declared in
 * backends/routines/linalg.ts.
 */
import type { LinalgRoutines, OrthogonalArgs } from '../../routines/linalg.js';

/**
 * Reduced QR of the m x n (m >= n) row-major matrix `a` by Householder reflections, in float64.
 * Returns Q (m x n, row-major) with each column multiplied by sign(R[k][k]) (0 when R[k][k] is 0,
 * as `torch.sign` gives), i.e. the Q whose R has a non-negative diagonal.
 * `a` is overwritten.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = []; // unit Householder vectors, v_k has length m - k
  const rdiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const len = m - k;
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      const x = a[(k + i) * n + k]!;
      v[i] = x;
      norm2 += x * x;
    }
    const norm = Math.sqrt(norm2);
    if (norm === 0) {
      rdiag[k] = 0;
      vs.push(v.fill(0));
      continue;
    }
    const alpha = v[0]!;
    const beta = alpha >= 0 ? -norm : norm; // reflect x onto beta * e1, avoiding cancellation
    v[0] = alpha - beta;
    let vn2 = 0;
    for (let i = 0; i < len; i++) vn2 += v[i]! * v[i]!;
    const vn = Math.sqrt(vn2);
    for (let i = 0; i < len; i++) v[i] = v[i]! / vn;
    // A[k:, k:] -= 2 v (v^T A[k:, k:])
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += v[i]! * a[(k + i) * n + j]!;
      dot *= 2;
      for (let i = 0; i < len; i++) a[(k + i) * n + j] = a[(k + i) * n + j]! - dot * v[i]!;
    }
    rdiag[k] = beta;
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} I[:, :n], applied right to left.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    const len = m - k;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += v[i]! * q[(k + i) * n + j]!;
      if (dot === 0) continue;
      dot *= 2;
      for (let i = 0; i < len; i++) q[(k + i) * n + j] = q[(k + i) * n + j]! - dot * v[i]!;
    }
  }
  for (let k = 0; k < n; k++) {
    const s = Math.sign(rdiag[k]!);
    if (s === 1) continue;
    for (let i = 0; i < m; i++) q[i * n + k] = q[i * n + k]! * s;
  }
  return q;
}

/** `nn.init.orthogonal_`'s matrix: gain * Q of the drawn matrix (see OrthogonalArgs). */
function orthogonal({ rows, cols, gain, x, out }: OrthogonalArgs): void {
  // A is m x n with m >= n: the drawn [rows, cols] matrix, transposed when rows < cols.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (tall) a[i * n + j] = x[i * cols + j]!;
      else a[j * n + i] = x[i * cols + j]!;
    }
  }
  const q = householderQ(a, m, n);
  const f = out instanceof Float32Array ? Math.fround : (v: number) => v;
  const g = f(gain);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = tall ? q[i * n + j]! : q[j * n + i]!;
      out[i * cols + j] = f(f(v) * g);
    }
  }
}

/** The js backend's linear-algebra routines. */
export const linalgKernels: Required<LinalgRoutines> = {
  orthogonal,
};
