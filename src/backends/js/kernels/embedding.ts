/**
 * Reference embedding kernels (readable loops over contiguous typed arrays, except the strided
 * output gradient); the arguments are declared in backends/routines/embedding.ts.
 */
import type {
  EmbeddingBackwardArgs,
  EmbeddingForwardArgs,
  EmbeddingRenormArgs,
  EmbeddingRoutines,
} from '../../routines/embedding.js';

/** out[i, :] = weight[indices[i], :]. */
function embeddingForward(a: EmbeddingForwardArgs): void {
  const { dim, weight: wd, indices: idx, out: od } = a;
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i]! * dim;
    if (dim >= 32) od.set(wd.subarray(src, src + dim) as never, i * dim); // a block copy per row
    else for (let j = 0; j < dim; j++) od[i * dim + j] = wd[src + j]!;
  }
}

/**
 * gWeight[r, :] += gy[i, :] * s for lookup i of row r (r != paddingIdx); s = 1/count(r) with
 * scaleGradByFreq. gy's rows are walked in row-major order of its leading dims with its strides.
 */
function embeddingBackward(a: EmbeddingBackwardArgs): void {
  const { num, dim, paddingIdx: pad, indices: idx, gy: g, gWeight: wd } = a;
  const gd = g.data;
  const nd = g.shape.length;
  const sj = g.strides[nd - 1]!;
  let counts: Float64Array | null = null;
  if (a.scaleGradByFreq) {
    counts = new Float64Array(num);
    for (let i = 0; i < idx.length; i++) counts[idx[i]!]!++;
  }
  const pos = new Array<number>(Math.max(nd - 1, 0)).fill(0); // multi-index of lookup i
  let src = g.offset;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (r !== pad) {
      const s = counts ? 1 / counts[r]! : 1;
      for (let j = 0, q = src; j < dim; j++, q += sj) wd[r * dim + j] += gd[q]! * s;
    }
    for (let d = nd - 2; d >= 0; d--) {
      src += g.strides[d]!;
      if (++pos[d]! < g.shape[d]!) break;
      src -= g.strides[d]! * g.shape[d]!;
      pos[d] = 0;
    }
  }
}

/** Scales each listed row whose p-norm (max |w| for p = inf) exceeds maxNorm down to about maxNorm. */
function embeddingRenorm(a: EmbeddingRenormArgs): void {
  const { dim, maxNorm, normType, weight: wd, rows } = a;
  const f32 = wd instanceof Float32Array;
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * dim;
    let norm: number;
    if (normType === Infinity) {
      norm = 0;
      for (let j = 0; j < dim; j++) norm = Math.max(norm, Math.abs(wd[base + j]!));
    } else {
      let acc = 0;
      for (let j = 0; j < dim; j++) acc += Math.abs(wd[base + j]!) ** normType;
      norm = acc ** (1 / normType);
    }
    if (f32) norm = Math.fround(norm);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      const sc = f32 ? Math.fround(scale) : scale;
      for (let j = 0; j < dim; j++) wd[base + j] = wd[base + j]! * sc;
    }
  }
}

/** The js backend's embedding routines. */
export const embeddingKernels: Required<EmbeddingRoutines> = { embeddingForward, embeddingBackward, embeddingRenorm };
