/**
 * Batched matrix multiply (GEMM) of the js backend, in plain TypeScript and written for speed.
 *
 * Legend of shape letters, used in every name below:
 *   B  batch count;  M  rows of `a` and `out`;  K  the contracted dim;  N  columns of `b` and `out`.
 *   a is [B,M,K], b is [B,K,N], out is [B,M,N]. Lower-case m, n, k are the sizes of one 2-D problem
 *   (after the rewrites described below); mc, kc, nc are the sizes of the current cache block.
 *   A, B, C name the 2-D operands of one problem (C = out). Strides: `ars`/`acs` = A along M / K,
 *   `brs`/`bcs` = B along K / N, `crs`/`ccs` = C along M / N; `sab`/`sbb`/`scb` = batch strides.
 *
 * Dispatch (see `gemm`):
 *   1. Empty problems return; K = 0 only scales `out` by beta (beta = 0 writes zeros).
 *   2. Integer arrays (Int32Array, or anything not Float32Array/Float64Array) take `gemmInt`,
 *      a plain triple loop (int32 wraps like C, as PyTorch does). int64 is stored in a Float64Array
 *      and takes the float path: products and sums of integers are exact in doubles up to 2^53,
 *      in any summation order, so the blocked float kernel is also an exact int64 kernel.
 *   3. A broadcast b (batch stride 0) whose a batches are laid out like one tall matrix is folded
 *      into a single [B*M, K] x [K, N] product, so b is packed once instead of B times.
 *   4. Each 2-D problem: if N is the small side (N <= SKINNY and N < M) the problem is transposed,
 *      C^T = B^T A^T, which is free (only strides swap), so M is the small side of a skinny
 *      problem and N >= 4 whenever M >= 4. Then:
 *        - m <= SKINNY (matrix-vector, the LSTM's [batch, H] x [H, 4H]) or m*n*k < SMALL_WORK:
 *          `gemmDirect`, register-blocked 4x4 / 2x4 / 1x4 / 1x8 kernels reading a and b in place;
 *        - otherwise `gemmPacked`, the blocked kernel below.
 *
 * Blocking scheme of `gemmPacked` (GotoBLAS / BLIS loop order):
 *
 *   for jc in N step NC                      -- column panel of B and C
 *     for pc in K step KC                    -- K slice; pack B[pc:pc+kc, jc:jc+nc] into PB
 *       for ic in M step MC                  -- row block; pack A[ic:ic+mc, pc:pc+kc] into PA
 *         for jr in nc step NR               -- one NR-wide sliver of PB (stays in L1)
 *           for ir in mc step MR             -- one MR-tall sliver of PA (streams from L2)
 *             micro-kernel: MR x NR tile of C (+)= sum over kc of outer products
 *
 *   PA holds the A block as ceil(mc/MR) slivers, each `kc` steps of MR consecutive values (column
 *   p of the sliver), zero-padded past M. PB holds the B panel as ceil(nc/NR) slivers, each `kc`
 *   steps of NR consecutive values (row p of the sliver), zero-padded past N. The micro-kernel thus
 *   reads both operands with unit stride whatever the input strides were (transposes, broadcast
 *   batches, offsets): the strides cost only the packing, O(MK + KN) against O(MNK) of work.
 *   Padded edges let it always run the full MR x NR tile; only the valid part is stored. Beta is
 *   applied on the first K slice only (pc = 0); later slices accumulate (beta = 1). With beta = 0
 *   the old contents of `out` are never read, so NaN there does not leak.
 *
 * Measured choices (Node 20 / V8 11.3, AMD EPYC, one thread; see bench/matmul.ts). In V8 a scalar
 * kernel is instruction-bound, not cache-bound: every typed-array load is an index add with an
 * overflow check, a bounds check and (for typed arrays) a detached-buffer check, and the 16
 * accumulators plus 8 operands exceed the 15 usable XMM registers, so some live on the stack.
 *   - Micro-kernel 4x4: 8 loads per 16 multiply-adds. 4x3, 3x4 and 3x3 are as fast within noise,
 *     2x4, 4x2, 2x6, 4x6, 4x8 and 1x8 are slower (fewer loads per flop vs more spills); unrolling
 *     K by 2 was 2x slower.
 *   - The packing buffers are plain JS arrays of doubles (PACKED_DOUBLE_ELEMENTS), not typed
 *     arrays: their loads skip the detached check and the base-pointer reloads, ~12% faster
 *     (4.6 -> 5.2 GFLOPS at 512) than Float64Array scratch, which in turn matched Float32Array
 *     scratch for float32 inputs. One double buffer pair serves float32 and float64 inputs alike,
 *     so the micro-kernel is monomorphic and all K accumulation is in doubles (float32 results
 *     are rounded to float32 once per K slice of KC terms).
 *   - Block sizes barely matter in this instruction-bound regime: MC x KC from 64..256 x 128..512
 *     all ran within noise of each other; 128 x 256 doubles = 256 KiB keeps the A block in L2.
 *   - gemmDirect beats packing below ~32^3 multiply-adds (a plain dot-product loop did not: it was
 *     3-4x slower than either), and for [M, 256] x [256, 1024] it is faster than packing up to
 *     M = 8 and even at M = 12, as packing B costs about as much as a few rows of product.
 *   - Scratch buffers are module-level, grown on demand, never shrunk, and shared by all calls.
 */
import type { GemmOptions, View } from '../../backend.js';
import { anyReduced, viaFloat32 } from './reduced-float.js';
import type { FloatArray, TypedArray } from '../../../tensor/dtype.js';

/** Micro-tile rows (of A / C). The micro-kernel below is hand-unrolled for MR = NR = 4. */
const MR = 4;
/** Micro-tile columns (of B / C). */
const NR = 4;
/** Rows of A per packed block (a multiple of MR). */
const MC = 128;
/** K-depth of a packed block / panel. */
const KC = 256;
/** Columns of B per packed panel (a multiple of NR). */
const NC = 2048;
/** Below this many multiply-adds (m*n*k) the unpacked direct kernels beat packing. */
const SMALL_WORK = 32 * 32 * 32;
/** Problems whose smaller side (M, or N by transposition) is at most this use the unpacked kernels. */
const SKINNY = 12;

/**
 * Packed A block: ceil(mc/MR)*MR rows x kc; grown on demand, shared by float32 and float64.
 * A plain array of doubles (V8 PACKED_DOUBLE_ELEMENTS), not a Float64Array: see the header.
 */
const packA: number[] = [0.5];
/** Packed B panel: kc x ceil(nc/NR)*NR; grown on demand. */
const packB: number[] = [0.5];
/** The MR x NR accumulator tile handed from the micro-kernel to the store. */
const tile = new Float64Array(MR * NR);

/**
 * Batched matrix product over rank-3 views: `a` [B,M,K], `b` [B,K,N], `out` [B,M,N] (contiguous,
 * offset allowed). Computes `out = alpha * (a @ b) + beta * out`.
 *
 * `a` and `b` may have arbitrary strides: transposed operands and broadcast batches appear as
 * strides, including stride 0. With `beta = 0` the old contents of `out` are ignored (even NaN).
 * The three data arrays have the same type: Float32Array or Float64Array take the blocked fast
 * kernel (accumulating in float64); Int32Array takes an exact, wrapping integer loop; int64 (stored
 * in a Float64Array) is exact through the float64 kernel for magnitudes up to 2^53.
 *
 * @throws RangeError when the views are not rank 3, their shapes do not agree, or a view reaches
 *   outside its data array.
 */
export function gemm(a: View, b: View, out: View, o: GemmOptions): void {
  if (a.shape.length !== 3 || b.shape.length !== 3 || out.shape.length !== 3) {
    throw new RangeError(
      `gemm: expected rank-3 views, got [${a.shape.join(',')}], [${b.shape.join(',')}], [${out.shape.join(',')}]`,
    );
  }
  const [nb, m, k] = a.shape as [number, number, number];
  const n = b.shape[2];
  if (b.shape[0] !== nb || b.shape[1] !== k || out.shape[0] !== nb || out.shape[1] !== m || out.shape[2] !== n) {
    throw new RangeError(
      `gemm: shape mismatch [${a.shape.join(',')}] @ [${b.shape.join(',')}] -> [${out.shape.join(',')}]`,
    );
  }
  if (nb === 0 || m === 0 || n === 0) return;
  if (anyReduced([a, b, out])) {
    // float16/bfloat16: products summed in float, each output rounded once
    checkBounds(a, 'a');
    checkBounds(b, 'b');
    checkBounds(out, 'out');
    viaFloat32([a, b], out, ([wa, wb], wo) => gemm(wa!, wb!, wo!, o));
    return;
  }
  checkBounds(a, 'a');
  checkBounds(b, 'b');
  checkBounds(out, 'out');
  const { alpha, beta } = o;
  const A = a.data;
  const Bd = b.data;
  const C = out.data;
  const [, ars, acs] = a.strides as [number, number, number];
  const [sbb, brs, bcs] = b.strides as [number, number, number];
  const [, crs, ccs] = out.strides as [number, number, number];
  let sab = a.strides[0];
  let scb = out.strides[0];

  if (k === 0) {
    for (let bi = 0; bi < nb; bi++) scaleOut(C, out.offset + bi * scb, m, n, crs, ccs, beta);
    return;
  }
  if (!isFloat(C)) {
    for (let bi = 0; bi < nb; bi++) {
      gemmInt(m, n, k, alpha, beta, A, a.offset + bi * sab, ars, acs, Bd, b.offset + bi * sbb, brs, bcs, C,
        out.offset + bi * scb, crs, ccs);
    }
    return;
  }

  // Fold a broadcast b into one tall product: batch bi of a and out must continue exactly where
  // batch bi-1 ended along M (a's batch stride = M * row stride, and the same for out).
  let batches = nb;
  let rows = m;
  if (nb > 1 && sbb === 0 && sab === m * ars && scb === m * crs) {
    rows = nb * m;
    batches = 1;
    sab = 0;
    scb = 0;
  }
  for (let bi = 0; bi < batches; bi++) {
    const ao = a.offset + bi * sab;
    const bo = b.offset + bi * sbb;
    const co = out.offset + bi * scb;
    if (n <= SKINNY && n < rows) {
      // C^T [n, rows] = B^T [n, k] @ A^T [k, rows]: swap operands, swap each one's two strides.
      gemmFloat(n, rows, k, alpha, beta, Bd, bo, bcs, brs, A, ao, acs, ars, C, co, ccs, crs);
    } else {
      gemmFloat(rows, n, k, alpha, beta, A, ao, ars, acs, Bd, bo, brs, bcs, C, co, crs, ccs);
    }
  }
}

/**
 * Throws unless every element of the view lies inside its data array. Besides
 * catching bad strides early, this keeps an out-of-range read (undefined) from ever reaching the
 * packing buffers, which would turn them into generic arrays and slow every later call.
 */
function checkBounds(v: View, name: string): void {
  if (v.shape.includes(0)) return; // no elements (a and b when K = 0)
  let lo = v.offset;
  let hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const span = (v.shape[d] - 1) * v.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  if (lo < 0 || hi >= v.data.length || !Number.isInteger(lo) || !Number.isInteger(hi)) {
    throw new RangeError(`gemm: view '${name}' reaches outside its data (elements ${lo}..${hi} of ${v.data.length})`);
  }
}

function isFloat(x: TypedArray): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/** One 2-D float problem (k >= 1, m, n >= 1): picks the direct or the packed kernel. */
function gemmFloat(
  m: number, n: number, k: number, alpha: number, beta: number,
  A: TypedArray, ao: number, ars: number, acs: number,
  B: TypedArray, bo: number, brs: number, bcs: number,
  C: FloatArray, co: number, crs: number, ccs: number,
): void {
  if (m <= SKINNY || m * n * k < SMALL_WORK) gemmDirect(m, n, k, alpha, beta, A, ao, ars, acs, B, bo, brs, bcs, C, co, crs, ccs);
  else gemmPacked(m, n, k, alpha, beta, A, ao, ars, acs, B, bo, brs, bcs, C, co, crs, ccs);
}

/** out = beta * out over an m x n window (beta = 0 writes zeros without reading). */
function scaleOut(C: TypedArray, co: number, m: number, n: number, crs: number, ccs: number, beta: number): void {
  for (let i = 0; i < m; i++) {
    const r = co + i * crs;
    if (beta === 0) for (let j = 0; j < n; j++) C[r + j * ccs] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) C[r + j * ccs] *= beta;
  }
}

// ---------------------------------------------------------------------------------------------
// Direct path: no packing; a and b are read in place through their strides. Used for small
// problems and for skinny ones (m <= SKINNY: matrix-vector, the LSTM's [batch, H] x [H, 4H]),
// where packing b would cost as much memory traffic as the product itself. Columns go 4 at a
// time (8 for a single row); rows go 4 / 2 / 1 at a time (m = 7 is 4 + 2 + 1); each kernel keeps
// its accumulators in locals and walks K with one index per operand.
// ---------------------------------------------------------------------------------------------

function gemmDirect(
  m: number, n: number, k: number, alpha: number, beta: number,
  A: TypedArray, ao: number, ars: number, acs: number,
  B: TypedArray, bo: number, brs: number, bcs: number,
  C: FloatArray, co: number, crs: number, ccs: number,
): void {
  if (n < 4) {
    // Fewer than 4 columns (only when m < 4 too, as the caller transposes otherwise): dots.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let pa = ao + i * ars;
        let pb = bo + j * bcs;
        for (let p = 0; p < k; p++) {
          s += A[pa] * B[pb];
          pa += acs;
          pb += brs;
        }
        const idx = co + i * crs + j * ccs;
        C[idx] = beta === 0 ? alpha * s : alpha * s + beta * C[idx];
      }
    }
    return;
  }
  const t = tile;
  if (m === 1 && n >= 8) {
    // Row vector times matrix (also every matrix-vector product, by the caller's transposition):
    // 8 columns per pass, 9 loads per 8 multiply-adds, ~20% faster than 1x4. The storeTile call
    // reads only tile row 0, whose 8 entries fill tile rows 0-1 of the 4-wide layout.
    for (let j0 = 0; j0 < n; j0 += 8) {
      const j = Math.min(j0, n - 8);
      const skip = j0 - j;
      direct1x8(k, A, ao, acs, B, bo + j * bcs, brs, bcs, t);
      storeTile(t, skip, C, co + j0 * ccs, crs, ccs, 1, 8 - skip, alpha, beta);
    }
    return;
  }
  // Column blocks outside, row groups inside: the K x 4 block of B is fetched once and then
  // served from L1 to every row group. A ragged last block is shifted left to end at column n;
  // it recomputes up to 3 columns and stores only the new ones (tile columns skip..3).
  for (let j0 = 0; j0 < n; j0 += 4) {
    const j = Math.min(j0, n - 4);
    const skip = j0 - j;
    const bj = bo + j * bcs;
    const cj = co + j0 * ccs;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      direct4x4(k, A, ao + i * ars, ars, acs, B, bj, brs, bcs, t);
      storeTile(t, skip, C, cj + i * crs, crs, ccs, 4, 4 - skip, alpha, beta);
    }
    if (i + 2 <= m) {
      direct2x4(k, A, ao + i * ars, ars, acs, B, bj, brs, bcs, t);
      storeTile(t, skip, C, cj + i * crs, crs, ccs, 2, 4 - skip, alpha, beta);
      i += 2;
    }
    if (i < m) {
      direct1x4(k, A, ao + i * ars, acs, B, bj, brs, bcs, t);
      storeTile(t, skip, C, cj + i * crs, crs, ccs, 1, 4 - skip, alpha, beta);
    }
  }
}

/** 4 rows of A x 4 columns of B, read in place: t[r*4+c] = sum_p A[r,p] * B[p,c]. */
function direct4x4(
  k: number, A: TypedArray, ai: number, ars: number, acs: number,
  B: TypedArray, bj: number, brs: number, bcs: number, t: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let pa = ai;
  let pb = bj;
  const ar2 = 2 * ars, ar3 = 3 * ars, bc2 = 2 * bcs, bc3 = 3 * bcs;
  for (let p = 0; p < k; p++) {
    const a0 = A[pa], a1 = A[pa + ars], a2 = A[pa + ar2], a3 = A[pa + ar3];
    const b0 = B[pb], b1 = B[pb + bcs], b2 = B[pb + bc2], b3 = B[pb + bc3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += acs;
    pb += brs;
  }
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
}

/** 2 rows of A x 4 columns of B, read in place (tile rows 0-1 of t). */
function direct2x4(
  k: number, A: TypedArray, ai: number, ars: number, acs: number,
  B: TypedArray, bj: number, brs: number, bcs: number, t: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let pa = ai;
  let pb = bj;
  const bc2 = 2 * bcs, bc3 = 3 * bcs;
  for (let p = 0; p < k; p++) {
    const a0 = A[pa], a1 = A[pa + ars];
    const b0 = B[pb], b1 = B[pb + bcs], b2 = B[pb + bc2], b3 = B[pb + bc3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    pa += acs;
    pb += brs;
  }
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
}

/** 1 row of A x 4 columns of B, read in place (tile row 0 of t). */
function direct1x4(
  k: number, A: TypedArray, ai: number, acs: number,
  B: TypedArray, bj: number, brs: number, bcs: number, t: Float64Array,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let pa = ai;
  let pb = bj;
  const bc2 = 2 * bcs, bc3 = 3 * bcs;
  for (let p = 0; p < k; p++) {
    const a0 = A[pa];
    c0 += a0 * B[pb]; c1 += a0 * B[pb + bcs]; c2 += a0 * B[pb + bc2]; c3 += a0 * B[pb + bc3];
    pa += acs;
    pb += brs;
  }
  t[0] = c0; t[1] = c1; t[2] = c2; t[3] = c3;
}

/** 1 row of A x 8 columns of B, read in place (t[0..7]). */
function direct1x8(
  k: number, A: TypedArray, ai: number, acs: number,
  B: TypedArray, bj: number, brs: number, bcs: number, t: Float64Array,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  let pa = ai;
  let pb = bj;
  const bc2 = 2 * bcs, bc3 = 3 * bcs, bc4 = 4 * bcs, bc5 = 5 * bcs, bc6 = 6 * bcs, bc7 = 7 * bcs;
  for (let p = 0; p < k; p++) {
    const a0 = A[pa];
    c0 += a0 * B[pb]; c1 += a0 * B[pb + bcs]; c2 += a0 * B[pb + bc2]; c3 += a0 * B[pb + bc3];
    c4 += a0 * B[pb + bc4]; c5 += a0 * B[pb + bc5]; c6 += a0 * B[pb + bc6]; c7 += a0 * B[pb + bc7];
    pa += acs;
    pb += brs;
  }
  t[0] = c0; t[1] = c1; t[2] = c2; t[3] = c3;
  t[4] = c4; t[5] = c5; t[6] = c6; t[7] = c7;
}

// ---------------------------------------------------------------------------------------------
// Packed path.
// ---------------------------------------------------------------------------------------------

function gemmPacked(
  m: number, n: number, k: number, alpha: number, beta: number,
  A: TypedArray, ao: number, ars: number, acs: number,
  B: TypedArray, bo: number, brs: number, bcs: number,
  C: FloatArray, co: number, crs: number, ccs: number,
): void {
  // Scratch sizes for the largest block this call will pack (edges rounded up to the tile).
  const kcMax = Math.min(k, KC);
  const needA = roundUp(Math.min(m, MC), MR) * kcMax;
  const needB = roundUp(Math.min(n, NC), NR) * kcMax;
  grow(packA, needA);
  grow(packB, needB);
  const pa = packA;
  const pb = packB;
  const t = tile;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelB(kc, nc, B, bo + pc * brs + jc * bcs, brs, bcs, pb);
      const betaEff = pc === 0 ? beta : 1;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packBlockA(mc, kc, A, ao + ic * ars + pc * acs, ars, acs, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const ib = jr * kc; // sliver jr/NR starts at (jr/NR) * NR * kc
          const cj = co + ic * crs + (jc + jr) * ccs;
          for (let ir = 0; ir < mc; ir += MR) {
            micro4x4(kc, pa, ir * kc, pb, ib, t);
            storeTile(t, 0, C, cj + ir * crs, crs, ccs, Math.min(MR, mc - ir), nr, alpha, betaEff);
          }
        }
      }
    }
  }
}

/**
 * Grows a packing buffer to at least `len` elements by pushing doubles, which keeps it a dense
 * array of unboxed doubles (a JS array created with length n would be holey, and one holding only
 * small integers would be SMI-typed; both would slow the micro-kernel's loads).
 */
function grow(buf: number[], len: number): void {
  while (buf.length < len) buf.push(0.5);
}

function roundUp(x: number, q: number): number {
  return Math.ceil(x / q) * q;
}

/**
 * Packs A[0:mc, 0:kc] (A(i, p) = A[off + i*ars + p*acs]) into `dst` as MR-row slivers:
 * dst[s*MR*kc + p*MR + r] = A(s*MR + r, p), zero for rows past mc.
 */
function packBlockA(
  mc: number, kc: number, A: TypedArray, off: number, ars: number, acs: number, dst: number[],
): void {
  let q = 0;
  let i = 0;
  for (; i + MR <= mc; i += MR) {
    let p0 = off + i * ars;
    const r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
    for (let p = 0; p < kc; p++) {
      dst[q] = A[p0];
      dst[q + 1] = A[p0 + r1];
      dst[q + 2] = A[p0 + r2];
      dst[q + 3] = A[p0 + r3];
      q += MR;
      p0 += acs;
    }
  }
  if (i < mc) {
    const rows = mc - i;
    const base = off + i * ars;
    for (let p = 0; p < kc; p++) {
      const col = base + p * acs;
      for (let r = 0; r < MR; r++) dst[q + r] = r < rows ? A[col + r * ars] : 0;
      q += MR;
    }
  }
}

/**
 * Packs B[0:kc, 0:nc] (B(p, j) = B[off + p*brs + j*bcs]) into `dst` as NR-column slivers:
 * dst[s*NR*kc + p*NR + c] = B(p, s*NR + c), zero for columns past nc.
 */
function packPanelB(
  kc: number, nc: number, B: TypedArray, off: number, brs: number, bcs: number, dst: number[],
): void {
  let q = 0;
  let j = 0;
  const c1 = bcs, c2 = 2 * bcs, c3 = 3 * bcs;
  for (; j + NR <= nc; j += NR) {
    let p0 = off + j * bcs;
    for (let p = 0; p < kc; p++) {
      dst[q] = B[p0];
      dst[q + 1] = B[p0 + c1];
      dst[q + 2] = B[p0 + c2];
      dst[q + 3] = B[p0 + c3];
      q += NR;
      p0 += brs;
    }
  }
  if (j < nc) {
    const cols = nc - j;
    const base = off + j * bcs;
    for (let p = 0; p < kc; p++) {
      const row = base + p * brs;
      for (let c = 0; c < NR; c++) dst[q + c] = c < cols ? B[row + c * bcs] : 0;
      q += NR;
    }
  }
}

/**
 * The register-blocked micro-kernel: t (4x4, row-major) = sum over p < kc of the outer product of
 * column p of the A sliver (pa[ia + 4p .. +3]) and row p of the B sliver (pb[ib + 4p .. +3]).
 * 16 accumulators + 8 operands live in locals; one iteration is 8 loads and 16 multiply-adds.
 * Both buffers are always Float64Array, so this function stays monomorphic.
 */
function micro4x4(kc: number, pa: number[], ia: number, pb: number[], ib: number, t: Float64Array): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ia += 4;
    ib += 4;
  }
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
}

/**
 * C[ci + r*crs + c*ccs] = alpha * t[r*NR + t0 + c] + beta * C[...] for r < mr, c < nr (tile
 * columns from t0 on); beta = 0 never reads C.
 */
function storeTile(
  t: Float64Array, t0: number, C: FloatArray, ci: number, crs: number, ccs: number,
  mr: number, nr: number, alpha: number, beta: number,
): void {
  for (let r = 0; r < mr; r++) {
    const row = ci + r * crs;
    const tr = r * NR + t0;
    if (beta === 0) {
      for (let c = 0; c < nr; c++) C[row + c * ccs] = alpha * t[tr + c];
    } else {
      for (let c = 0; c < nr; c++) {
        const idx = row + c * ccs;
        C[idx] = alpha * t[tr + c] + beta * C[idx];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Integer path (slow, exact).
// ---------------------------------------------------------------------------------------------

/**
 * Integer product: Int32Array accumulates with wrapping 32-bit arithmetic (Math.imul), matching
 * PyTorch's int32 overflow; other non-float arrays accumulate in doubles and convert on store.
 * alpha and beta are integers for integer tensors, as PyTorch requires.
 */
function gemmInt(
  m: number, n: number, k: number, alpha: number, beta: number,
  A: TypedArray, ao: number, ars: number, acs: number,
  B: TypedArray, bo: number, brs: number, bcs: number,
  C: TypedArray, co: number, crs: number, ccs: number,
): void {
  const wrap32 = C instanceof Int32Array;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let pa = ao + i * ars;
      let pb = bo + j * bcs;
      if (wrap32) {
        for (let p = 0; p < k; p++) {
          s = (s + Math.imul(A[pa], B[pb])) | 0;
          pa += acs;
          pb += brs;
        }
      } else {
        for (let p = 0; p < k; p++) {
          s += A[pa] * B[pb];
          pa += acs;
          pb += brs;
        }
      }
      const idx = co + i * crs + j * ccs;
      if (wrap32) {
        const v = Math.imul(alpha, s);
        C[idx] = beta === 0 ? v : (v + Math.imul(beta, C[idx])) | 0;
      } else {
        C[idx] = beta === 0 ? alpha * s : alpha * s + beta * C[idx];
      }
    }
  }
}
