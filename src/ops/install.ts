/**
 * Attaches op functions to `Tensor.prototype` as methods. Each ops file declares its methods'
 * types (module augmentation of `Tensor`) next to the functions, and installs them here.
 */
import { Tensor } from '../tensor/tensor.js';

/** Defines non-enumerable methods on Tensor.prototype. */
export function installMethods(methods: Record<string, (this: Tensor, ...args: any[]) => unknown>): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
