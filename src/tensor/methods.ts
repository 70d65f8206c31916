/**
 * `Tensor` methods as tables. Each ops file declares its methods' types (module augmentation of
 * `Tensor`) next to the functions and exports a `MethodTable`; ops/methods.ts, which every entry
 * point imports, installs all of them at once, so no method depends on which file was imported
 * first. This file holds the type and the methods that are not ops: printing.
 */
import { formatTensor } from './print.js';
import type { Tensor } from './tensor.js';

/** Methods to define on `Tensor.prototype`, by name. */
export type MethodTable = Record<string, (this: Tensor, ...args: any[]) => unknown>;

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

/** Printing: `toString()` and Node's `util.inspect` (console.log). @internal */
export const printMethods: MethodTable = { toString: show, [Symbol.for('nodejs.util.inspect.custom')]: show };
