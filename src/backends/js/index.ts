/**
 * The pure TypeScript backend: implements every member of `Backend`, runs everywhere, and is the
 * reference that faster backends are checked against.
 */
import type { Backend } from '../backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { binary, copy, unary, where } from './kernels/elementwise.js';
import { reduce, scan, softmax, softmaxBackward } from './kernels/reduce.js';
import { gemm } from './kernels/gemm.js';
import { put, take } from './kernels/indexing.js';
import { conv1dBackward, conv1dForward, pool1dBackward, pool1dForward } from './kernels/conv1d.js';
import { conv2dKernels } from './kernels/conv2d.js';
import { pool2dKernels } from './kernels/pool2d.js';
import { upsampleKernels } from './kernels/upsample.js';
import { lstmBackward, lstmForward } from './kernels/lstm.js';
import { gruBackward, gruForward } from './kernels/gru.js';
import { rnnBackward, rnnForward } from './kernels/rnn.js';
import { embeddingKernels } from './kernels/embedding.js';
import { fillKernels } from './kernels/fill.js';
import { linalgKernels } from './kernels/linalg.js';
import { lossKernels } from './kernels/loss.js';
import { normKernels } from './kernels/norm.js';
import { optimKernels } from './kernels/optim.js';
import { sortKernels } from './kernels/sort.js';
import { blasKernels } from './kernels/blas.js';
import { ctcKernels } from './kernels/ctc.js';
import { samplingKernels } from './kernels/sampling.js';
import { guardReducedFloat } from './kernels/reduced-float.js';

/** The fused routines, each refusing float16/bfloat16 arrays or widening them (kernels/reduced-float.ts). */
const fusedRoutines = guardReducedFloat({
  conv1dForward,
  conv1dBackward,
  pool1dForward,
  pool1dBackward,
  ...conv2dKernels,
  ...pool2dKernels,
  ...upsampleKernels,
  lstmForward,
  lstmBackward,
  gruForward,
  gruBackward,
  rnnForward,
  rnnBackward,
  ...normKernels,
  ...embeddingKernels,
  tileRows: fillKernels.tileRows,
  ...lossKernels,
  ...linalgKernels,
  ...optimKernels,
  ...sortKernels,
  ...blasKernels,
  ...samplingKernels,
  ...ctcKernels,
});

/** The js backend singleton. */
export const jsBackend: Backend = {
  name: 'js',
  device: 'cpu',
  alloc: allocArray,
  copy,
  unary,
  binary,
  where,
  reduce,
  gemm,
  take,
  put,
  softmax,
  softmaxBackward,
  scan,
  fill: fillKernels.fill,
  ...fusedRoutines,
};
