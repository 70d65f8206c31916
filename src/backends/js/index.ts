/**
 * The pure TypeScript backend: implements every member of `Backend`, runs everywhere, and is the
 * reference that faster backends are checked against.
 */
import type { Backend } from '../backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { binary, copy, unary, where } from './kernels/elementwise.js';
import { reduce } from './kernels/reduce.js';
import { gemm } from './kernels/gemm.js';

/** The js backend singleton. */
export const jsBackend: Backend = {
  name: 'js',
  alloc: allocArray,
  copy,
  unary,
  binary,
  where,
  reduce,
  gemm,
};
