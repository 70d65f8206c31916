/**
 * PyTorch's `torch.return_types` named tuples (`values, indices` of max/min with a dim, sort, topk,
 * kthvalue): an array `[values, indices]` that also has `.values` and `.indices`.
 */
import type { Tensor } from '../tensor/tensor.js';

/**
 * The result of `max(dim)`, `min(dim)`, `sort`, `topk`, `kthvalue`: destructures as
 * `const [values, indices] = r` and has `r.values` / `r.indices`, like PyTorch's named tuple.
 */
export interface ValuesIndices extends Iterable<Tensor> {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length: 2;
  /** The values (own property; it shadows `Array.prototype.values`). */
  readonly values: Tensor;
  /** The int64 indices. */
  readonly indices: Tensor;
}

/**
 * A frozen 2-array `[values, indices]` with own `values` / `indices` properties.
 * @example const r = valuesIndices(v, i); r.values === r[0]
 */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = [values, indices];
  Object.defineProperties(r, {
    values: { value: values, enumerable: false },
    indices: { value: indices, enumerable: false },
  });
  return Object.freeze(r) as unknown as ValuesIndices;
}
