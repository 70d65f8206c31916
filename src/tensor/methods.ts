/**
 * Tensor methods that are not ops: printing.
 */
import { installMethods } from '../ops/install.js';
import { formatTensor } from './print.js';
import { Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    /**
     * Prints like PyTorch's `print(t)`.
     * See https://pytorch.org/docs/1.13/generated/torch.set_printoptions.html
     * @example String(torch.tensor([1.5, 2])) // 'tensor([1.5000, 2.0000])'
     */
    toString(): string;
  }
}

function show(this: Tensor): string {
  return formatTensor(this.dataSync(), this.shape, this.dtype, {
    requiresGrad: this.isLeaf && this.requiresGrad,
    gradFn: this.gradFn?.name,
  });
}

installMethods({ toString: show });
Object.defineProperty(Tensor.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: show,
  writable: true,
  configurable: true,
  enumerable: false,
});
