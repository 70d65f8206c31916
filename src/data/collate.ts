/**
 * PyTorch 1.13's `default_collate` (torch/utils/data/_utils/collate.py): merges a list of samples
 * into a batch, position by position and key by key.
 */
import { RuntimeError } from '../errors.js';
import { stack } from '../ops/movement.js';
import { tensor } from '../tensor/factories.js';
import { Tensor } from '../tensor/tensor.js';
import { describeValue, isPlainObject } from '../validate.js';

/**
 * Collates samples into a batch: tensors are stacked along a new dimension 0; numbers become a
 * 1-D tensor (int64 when every number is an integer, as Python ints; float64 otherwise, as
 * Python floats); booleans a bool tensor; strings stay a list; arrays (Python tuples and lists)
 * are collated per position and plain objects (dicts) per key.
 * Deviation: JavaScript has no int/float distinction, so `[1, 2]` collates to int64 even where
 * Python's `[1.0, 2.0]` would give float64.
 * See https://pytorch.org/docs/1.13/data.html#torch.utils.data.default_collate
 * @example defaultCollate([[x0, 0], [x1, 1]]) // [stack([x0, x1]), tensor([0, 1])]
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch as Tensor[], 0);
  if (typeof elem === 'number') {
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every((v) => Number.isInteger(v)) ? 'int64' : 'float64' });
  }
  if (typeof elem === 'boolean') return tensor(batch as boolean[], { dtype: 'bool' });
  if (typeof elem === 'string') return [...batch];
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n)) {
      throw new RuntimeError('each element in list of batch should be of equal size');
    }
    return Array.from({ length: n }, (_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(
    `default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ${describeValue(elem)}`,
  );
}
