/**
 * Embedding lookup as a fused op over the backend's embedding routines, and the in-place max-norm
 * renormalisation of looked-up rows. Argument checks live in nn/functional.ts.
 * Deviation: the backward is not itself differentiable (no double backward).
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import type { IndexArray } from '../backends/routines/embedding.js';
import { routine } from '../backends/routine.js';
import { emptyTensor } from '../tensor/create.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { castRaw, denseArray, denseInPlace, viewOf } from './util.js';

/**
 * `embedding(weight, indices, paddingIdx, scaleGradByFreq)`: the rows of `weight` [num, dim] at
 * `indices` (int64 or int32, in range), shaped [...indices.shape, dim]. The gradient of
 * `paddingIdx`'s row (-1: none) stays zero; `scaleGradByFreq` divides each row's gradient by its
 * count in `indices`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding.html
 * @example embeddingOp(weight, torch.tensor([[0, 2]]), -1, false)
 */
export const embeddingOp = defineOp({
  name: 'embedding',
  nodeName: 'EmbeddingBackward0',
  forward(
    ctx: OpCtx<{ indices: IndexArray; num: number; dim: number; paddingIdx: number; scaleGradByFreq: boolean }>,
    weight: Tensor, indices: Tensor, paddingIdx: number, scaleGradByFreq: boolean,
  ) {
    const [num, dim] = weight.shape as [number, number];
    // a private copy: later in-place changes to `indices` do not reach the backward
    const idx = castRaw(indices, indices.dtype).storage.data as IndexArray;
    const out = emptyTensor([...indices.shape, dim], weight.dtype);
    routine('embeddingForward')({ dim, weight: denseArray(weight), indices: idx, out: out.storage.data });
    Object.assign(ctx, { indices: idx, num, dim, paddingIdx, scaleGradByFreq });
    return out;
  },
  backward(ctx, [gy]) {
    const { num, dim } = ctx;
    const gw = emptyTensor([num, dim], gy!.dtype);
    routine('embeddingBackward')({
      num, dim, paddingIdx: ctx.paddingIdx, scaleGradByFreq: ctx.scaleGradByFreq, indices: ctx.indices,
      gy: viewOf(gy!), gWeight: gw.storage.data as FloatArray,
    });
    return [gw, null];
  },
});

/**
 * Scales in place each of `rows` (distinct, ascending) of `weight` [num, dim] whose
 * `normType`-norm exceeds `maxNorm` (no autograd; the caller bumps the version).
 * @example renormRows(weight, Int32Array.of(0, 2), 1, 2)
 */
export function renormRows(weight: Tensor, rows: IndexArray, maxNorm: number, normType: number): void {
  const w = denseInPlace(weight);
  routine('embeddingRenorm')({ dim: weight.shape[1]!, maxNorm, normType, weight: w.data as FloatArray, rows });
  w.writeBack();
}
