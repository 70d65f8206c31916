/**
 * Installs every `Tensor` method, from one place (the counterpart of tfjs's
 * `register_all_chained_ops.ts`). Each ops file exports its table and installs nothing itself;
 * every entry point (src/index.ts, and each nn/, optim/, io/ module that calls tensor methods)
 * imports this file, so the methods exist whatever was imported first. No ops file imports it
 * (an ops file that did would form an import cycle with the tables below).
 */
import { autogradMethods } from '../autograd/backward.js';
import { type MethodTable, printMethods } from '../tensor/methods.js';
import { Tensor } from '../tensor/tensor.js';
import { convertMethods } from './convert.js';
import { elementwiseMethods } from './elementwise.js';
import { indexingMethods } from './indexing.js';
import { inplaceMethods } from './inplace.js';
import { maskedMethods } from './masked.js';
import { matmulMethods } from './matmul.js';
import { medianMethods } from './median.js';
import { movementMethods } from './movement.js';
import { randomMethods } from './random.js';
import { reduceMethods } from './reduce.js';
import { reorderMethods } from './reorder.js';
import { scanMethods } from './scan.js';
import { samplingMethods } from './sampling.js';
import { softmaxMethods } from './softmax.js';
import { sortMethods } from './sort.js';
import { uniqueMethods } from './unique.js';

const tables: readonly MethodTable[] = [
  elementwiseMethods,
  movementMethods,
  convertMethods,
  reduceMethods,
  inplaceMethods,
  matmulMethods,
  randomMethods,
  samplingMethods,
  softmaxMethods,
  sortMethods,
  medianMethods,
  reorderMethods,
  uniqueMethods,
  scanMethods,
  maskedMethods,
  indexingMethods,
  autogradMethods,
  printMethods,
];

for (const table of tables) {
  for (const key of Reflect.ownKeys(table)) {
    const value = (table as Record<string | symbol, unknown>)[key];
    Object.defineProperty(Tensor.prototype, key, { value, writable: true, configurable: true, enumerable: false });
  }
}
