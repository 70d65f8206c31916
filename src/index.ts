/**
 * torchlet: PyTorch's tensors, autograd, nn and optim for TypeScript.
 *
 * @example
 * import * as torch from 'torchlet';
 * const { nn, optim } = torch;
 * torch.manualSeed(0);
 * const x = torch.randn(4, 3, { requiresGrad: true });
 * x.mul(x).sum().backward();
 */
import './ops/methods.js';

export { Tensor } from './tensor/tensor.js';
export type { DType, FInfo, IInfo } from './tensor/dtype.js';
export { BFloat16Bits, ByteArray, Float16Bits, finfo, iinfo, promoteTypes } from './tensor/dtype.js';
export { ValueError, RuntimeError, IndexError, NotImplementedError, AssertionError } from './errors.js';
export { device, Device, type DeviceLike, type DeviceType } from './tensor/device.js';
export { isTensor, type ToOptions } from './ops/convert.js';
export * as cuda from './cuda.js';
export {
  tensor,
  zeros,
  ones,
  empty,
  full,
  zerosLike,
  onesLike,
  emptyLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  randperm,
  randLike,
  randnLike,
  type TensorOptions,
  type RandomOptions,
} from './tensor/factories.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, GradModeScope } from './autograd/grad-mode.js';
export { manualSeed, initialSeed, getRngState, setRngState, Generator, defaultGenerator } from './random/generator.js';
export { setPrintOptions } from './tensor/print.js';
export {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  abs,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  relu,
  sign,
  floor,
  ceil,
  round,
  trunc,
  reciprocal,
  square,
  erf,
  maximum,
  minimum,
  atan2,
  remainder,
  fmod,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
  logicalNot,
  isnan,
  isinf,
  maskedFill,
  clamp,
} from './ops/elementwise.js';
export { cat, stack, chunk, split, unbind, permute, transpose, reshape, flatten, unsqueeze, squeeze, narrow, select } from './ops/movement.js';
export {
  sum,
  mean,
  prod,
  max,
  min,
  amax,
  amin,
  argmax,
  argmin,
  std,
  var,
  variance,
  logsumexp,
  norm,
  any,
  all,
  cumsum,
  type VarOptions,
  type Dims,
} from './ops/reduce.js';
export { sort, argsort, msort, topk, kthvalue } from './ops/sort.js';
export { median, nanmedian, mode } from './ops/median.js';
export { repeat, repeatInterleave, flip, fliplr, flipud, roll, type RepeatInterleaveOptions } from './ops/reorder.js';
export { unique, uniqueConsecutive, type UniqueOptions, type UniqueConsecutiveOptions, type UniqueResult } from './ops/unique.js';
export { einsum, type EinsumSubscript } from './ops/einsum.js';
export { cumprod } from './ops/scan.js';
export { where, maskedScatter } from './ops/masked.js';
export { multinomial, type MultinomialOptions } from './ops/sampling.js';
export type { ValuesIndices } from './ops/return-types.js';
export { softmax, logSoftmax, type SoftmaxOptions } from './ops/softmax.js';
export {
  gather,
  scatter,
  scatterAdd,
  indexSelect,
  indexAdd,
  indexFill,
  indexPut,
  maskedSelect,
  nonzero,
  argwhere,
  take,
  put,
  tril,
  triu,
  type IndexItem,
  type Slice,
  type IndexArray,
} from './ops/indexing.js';
export { matmul, mm, bmm, mv, dot, addmm } from './ops/matmul.js';
export * as autograd from './autograd/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export { normExceptDim, _weightNorm } from './nn/utils/weight-norm.js';
export { lstmLayer, gruLayer, rnnLayer, type RnnLayerOptions, type RnnTanhReluLayerOptions } from './ops/rnn.js';
export { load, save, UnpicklingError, FormatError, type LoadOptions, type SaveOptions } from './io/index.js';
export { safetensors } from './io/index.js';
export * as backends from './backends/public.js';
export * as utils from './data/utils.js';
export { setNumThreads, getNumThreads } from './backends/threads.js';
export type { TensorLike } from './ops/util.js';
export type { SizeArgs } from './tensor/factories.js';
export type { Sizes } from './ops/movement.js';
export type { TypedArray, FloatArray } from './tensor/dtype.js';
export type { PrintOptions } from './tensor/print.js';
export { Storage } from './tensor/tensor.js';
export type { View } from './backends/backend.js';
export type { GeneratorOption } from './ops/random.js';
