/**
 * `masked_scatter` (and its in-place form) and the one-argument form of `torch.where`. Both are
 * composed from indexing ops (nonzero, put, where), so their gradients come from those ops:
 * masked_scatter's input gets the gradient where the mask is false, its source the gradient of
 * the positions it filled (zeros for the source elements left over), as PyTorch's
 * MaskedScatterBackward0 gives.
 */
import { RuntimeError } from '../errors.js';
import { scalarTypeName } from '../tensor/dtype.js';
import { zeros } from '../tensor/factories.js';
import type { MethodTable } from '../tensor/methods.js';
import { Tensor } from '../tensor/tensor.js';
import { where as whereElementwise } from './elementwise.js';
import { nonzero, put } from './indexing.js';
import { applyInPlace } from './inplace.js';
import { expand } from './movement.js';
import { type TensorLike, broadcastShapes, checkTensor } from './util.js';

function checkScatterArgs(x: Tensor, mask: Tensor, source: Tensor): void {
  checkTensor('input', x);
  checkTensor('mask', mask);
  checkTensor('source', source);
  if (x.dtype !== source.dtype) {
    throw new RuntimeError(
      `masked_scatter: expected self and source to have same dtypes but got${scalarTypeName(x.dtype)} and ${scalarTypeName(source.dtype)}`,
    );
  }
  // Deviation: PyTorch 1.13 reads a non-bool mask's bytes as uint8 (so a float mask of ones selects
  // nothing); torchlet refuses it with the message later PyTorch versions give.
  if (mask.dtype !== 'bool') {
    throw new RuntimeError(`masked_scatter_ only supports boolean masks, but got mask with dtype ${scalarTypeName(mask.dtype)}`);
  }
}

/** `x` (already of the broadcast shape) with `source`'s leading elements where `mask` is true. */
function scatterInto(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  const positions = nonzero(mask.reshape(-1)).reshape(-1);
  const count = positions.numel();
  if (source.numel() < count) throw new RuntimeError('Number of elements of source < number of ones in mask');
  const filled = put(zeros([x.numel()], { dtype: x.dtype }), positions, source.reshape(-1).narrow(0, 0, count));
  return whereElementwise(mask, filled.reshape(x.shape), x);
}

/**
 * A copy of `x` (broadcast with `mask`) with the elements of `source`, taken in order, written
 * where the bool `mask` is true, like `Tensor.masked_scatter`. `source` needs at least as many
 * elements as the mask has true values and `x`'s dtype. Differentiable in `x` and `source`.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_scatter_.html
 * @example torch.maskedScatter(torch.zeros(2, 2), torch.tensor([[true, false], [false, true]]), torch.tensor([1., 2.]))
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkTensor('input', x);
  checkTensor('mask', mask);
  const shape = broadcastShapes(mask.shape, x.shape);
  checkScatterArgs(x, mask, source);
  return scatterInto(expand(x, shape), expand(mask, shape), source);
}

/** The mask of an in-place op broadcast to self's shape, with ATen's expand_inplace messages. */
function maskFor(self: Tensor, mask: Tensor): Tensor {
  if (mask.dim() > self.dim()) {
    throw new RuntimeError(
      `expand(CPU${scalarTypeName(mask.dtype)}Type{[${mask.shape.join(', ')}]}, size=[${self.shape.join(', ')}]): the number of sizes provided (${self.dim()}) must be greater or equal to the number of dimensions in the tensor (${mask.dim()})`,
    );
  }
  return expand(mask, self.shape);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * A copy with `source`'s elements written in order where `mask` is true, like
     * `Tensor.masked_scatter`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_scatter.html
     * @example x.maskedScatter(x.gt(0), torch.zeros(x.numel()))
     */
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    /**
     * In-place `maskedScatter` (the mask broadcasts to this tensor's shape), like
     * `Tensor.masked_scatter_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_scatter_.html
     * @example x.maskedScatter_(x.lt(0), torch.zeros(x.numel()))
     */
    maskedScatter_(mask: Tensor, source: Tensor): this;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const maskedMethods: MethodTable = {
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor) {
    return maskedScatter(this, mask, source);
  },
  maskedScatter_(this: Tensor, mask: Tensor, source: Tensor) {
    checkScatterArgs(this, mask, source);
    const m = maskFor(this, mask);
    return applyInPlace(this, (s) => scatterInto(s, m, source), [source]);
  },
};

/** The Python type name of an argument, for PyTorch's overload error. */
function pyType(v: unknown): string {
  if (v instanceof Tensor) return 'Tensor';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return v === null ? 'NoneType' : typeof v;
}

/**
 * `torch.where(condition)`: the indices of the nonzero elements of `condition`, one int64 tensor
 * per dim (`torch.nonzero(condition, { asTuple: true })`). `torch.where(condition, input, other)`:
 * `input` where the bool `condition` is true and `other` elsewhere, with broadcasting and type
 * promotion (numbers allowed).
 * See https://pytorch.org/docs/1.13/generated/torch.where.html
 * @example const [rows, cols] = torch.where(x.gt(0)); torch.where(x.gt(0), x, 0)
 */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor;
export function where(condition: Tensor, input?: TensorLike, other?: TensorLike): Tensor | Tensor[] {
  if (input === undefined && other === undefined) {
    checkTensor('condition', condition);
    return nonzero(condition, { asTuple: true });
  }
  if (input === undefined || other === undefined) {
    const got = [condition, input ?? other].map(pyType).join(', ');
    throw new TypeError(
      `where() received an invalid combination of arguments - got (${got}), but expected one of:\n` +
        ' * (Tensor condition)\n * (Tensor condition, Tensor input, Tensor other, *, Tensor out)\n' +
        ' * (Tensor condition, Number self, Tensor other)\n * (Tensor condition, Tensor input, Number other)\n' +
        ' * (Tensor condition, Number self, Number other)\n',
    );
  }
  return whereElementwise(condition, input, other);
}
