/**
 * `nn.Parameter`: a leaf tensor that a Module registers as a learnable parameter.
 */
import '../ops/methods.js';
import { RuntimeError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A Tensor that is a module parameter, like `torch.nn.Parameter`. It shares `data`'s storage
 * (no copy), is a leaf, and requires grad unless told otherwise. Assigning one to a property of an
 * `nn.Module` registers it under the property name.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.parameter.Parameter.html
 * @example
 * this.weight = new nn.Parameter(torch.randn(3, 4));
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requiresGrad = true) {
    const src = data ?? emptyTensor([0], 'float32');
    if (!(src instanceof Tensor)) {
      throw new TypeError(`Parameter(): argument 'data' must be Tensor, not ${typeof src}`);
    }
    super(src.storage, src.shape, src.strides, src.offset, src.dtype);
    this._isParam = true;
    if (requiresGrad && !isFloating(src.dtype)) {
      throw new RuntimeError('Only Tensors of floating point and complex dtype can require gradients');
    }
    this._requiresGrad = Boolean(requiresGrad);
  }

  /** Prints like PyTorch: `Parameter containing:\ntensor(...)`. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

Object.defineProperty(Parameter.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Parameter) {
    return this.toString();
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

/**
 * @internal Replaces the tensor's storage, geometry and dtype with `src`'s while keeping the object
 * (PyTorch's `param.data = src`), so optimizers holding the parameter see the new values. Used by
 * `Module.to` / `double()` / `float()`.
 */
export function setTensorData(t: Tensor, src: Tensor): void {
  const w = t as unknown as Record<'storage' | 'shape' | 'strides' | 'offset' | 'dtype' | 'base', unknown>;
  w.storage = src.storage;
  w.shape = src.shape;
  w.strides = src.strides;
  w.offset = src.offset;
  w.dtype = src.dtype;
  w.base = null;
}
