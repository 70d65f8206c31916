/**
 * `Unflatten`.
 */
import { NotImplementedError } from '../../errors.js';
import { checkInt } from '../../ops/util.js';
import { pyTypeName } from '../../validate.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/**
 * Expands dim `dim` into `unflattenedSize`, like `torch.nn.Unflatten` (the inverse of Flatten; one
 * size may be -1).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Unflatten.html
 * @example new nn.Unflatten(1, [2, 5, 5]).forward(torch.zeros(2, 50)).shape // [2, 2, 5, 5]
 */
export class Unflatten extends Module {
  /** The dim to expand. */
  readonly dim: number;
  /** The sizes it expands into. */
  readonly unflattenedSize: number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (typeof dim === 'string') {
      // Deviation: named tensors (a dim name with ((name, size), ...)) are not implemented.
      throw new NotImplementedError('Unflatten with a named dim is not supported: torchlet has no named tensors');
    }
    if (typeof dim !== 'number') throw new TypeError('invalid argument type for dim parameter');
    this.dim = checkInt('dim', dim);
    if (!Array.isArray(unflattenedSize)) {
      throw new TypeError(`unflattened_size must be a tuple of ints, but found type ${pyTypeName(unflattenedSize)}`);
    }
    unflattenedSize.forEach((e: unknown, i) => {
      if (typeof e !== 'number' || !Number.isInteger(e)) {
        throw new TypeError(`unflattened_size must be tuple of ints, but found element of type ${pyTypeName(e)} at pos ${i}`);
      }
    });
    this.unflattenedSize = [...unflattenedSize];
  }

  /** `input` with dim `dim` split into `unflattenedSize`. */
  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    const s = this.unflattenedSize;
    return `dim=${this.dim}, unflattened_size=${s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`}`;
  }
}
