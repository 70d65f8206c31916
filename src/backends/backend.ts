/**
 * The backend boundary. Every numeric kernel runs behind this interface. It imports nothing from
 * ops/ or nn/. Primitive kernels take strided views; fused routines take contiguous arrays.
 */
import type { DType, FloatArray, TypedArray } from '../tensor/dtype.js';
import type { BlasRoutines } from './routines/blas.js';
import type { Conv2dRoutines } from './routines/conv2d.js';
import type { CtcRoutines } from './routines/ctc.js';
import type { EmbeddingRoutines } from './routines/embedding.js';
import type { FillRoutines } from './routines/fill.js';
import type { LinalgRoutines } from './routines/linalg.js';
import type { LossRoutines } from './routines/loss.js';
import type { NormRoutines } from './routines/norm.js';
import type { OptimRoutines } from './routines/optim.js';
import type { RecurrentRoutines } from './routines/recurrent.js';
import type { SamplingRoutines } from './routines/sampling.js';
import type { SortRoutines } from './routines/sort.js';

/**
 * A strided window onto a backend's memory: element (i0, i1, ...) is `data[offset + sum(ik * strides[k])]`.
 * `B` is the memory's type: a host typed array for the CPU backends, an accelerator's buffer handle
 * for its backend. The ops layer builds views with `viewOf` (ops/util.ts) and treats `data` as opaque.
 */
export interface View<B = TypedArray> {
  readonly data: B;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Element-wise ops of one input. `params` carries scalars (e.g. leaky_relu's slope, clamp bounds). */
export type UnaryOp =
  | 'copy'
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'sign'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'trunc'
  | 'reciprocal'
  | 'square'
  | 'erf'
  | 'gelu'
  | 'gelu_tanh'
  | 'logical_not'
  | 'isnan'
  | 'isinf'
  | 'leaky_relu' // params[0] = negative slope
  | 'pow_scalar' // params[0] = exponent
  | 'rpow_scalar' // params[0] = base: base ** x
  | 'clamp' // params[0] = min (or NaN for none), params[1] = max (or NaN for none)
  | 'softplus' // params[0] = beta, params[1] = threshold
  | 'elu'; // params[0] = alpha

/** Element-wise ops of two inputs (already broadcast to the output shape through strides). */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logical_and'
  | 'logical_or'
  | 'logical_xor'
  | 'atan2'
  | 'remainder'
  | 'fmod'
  | 'floor_divide';

/** Reductions over a set of dims. argmax/argmin reduce exactly one dim (or all, flattened). */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all';

/** The softmax family along one dim (fused: row max, exp-sum and normalisation in one kernel). */
export type SoftmaxOp = 'softmax' | 'log_softmax';

/** Running reductions along one dim. */
export type ScanOp = 'cumsum' | 'cumprod';

/** Options of `scan`: scan from the end (`reverse`), and/or exclude the current element (`exclusive`). */
export interface ScanOptions {
  reverse: boolean;
  exclusive: boolean;
}

/** Options of the batched matrix product `out = alpha * a @ b + beta * out`. */
export interface GemmOptions {
  alpha: number;
  beta: number;
}

/**
 * Geometry of a 1-D convolution over contiguous float arrays (letters as in js/kernels/conv1d.ts):
 * x [N,C,L], w [O,C/groups,K], b [O], y [N,O,Lo]. Output l, tap k reads x at l*stride + k*dilation
 * - padding; positions outside [0, L) are zeros, so the right padding is implied by Lo.
 */
export interface Conv1dGeometry {
  N: number;
  C: number;
  L: number;
  O: number;
  K: number;
  Lo: number;
  stride: number;
  /** Left zero padding. */
  padding: number;
  dilation: number;
  groups: number;
}

/** Arguments of `conv1dForward`: y = conv1d(x, w) + b (y overwritten). */
export interface Conv1dForwardArgs extends Conv1dGeometry {
  x: FloatArray;
  w: FloatArray;
  b: FloatArray | null;
  y: FloatArray;
}

/** Arguments of `conv1dBackward`: the non-null gradients gx [N,C,L], gw, gb are overwritten. */
export interface Conv1dBackwardArgs extends Conv1dGeometry {
  x: FloatArray;
  w: FloatArray;
  gy: FloatArray;
  gx: FloatArray | null;
  gw: FloatArray | null;
  gb: FloatArray | null;
}

/**
 * Geometry of a 1-D max or average pool over R = N*C contiguous rows of length L -> Lo.
 * `dilation` is used by max only, `countIncludePad` by avg only.
 */
export interface Pool1dGeometry {
  mode: 'max' | 'avg';
  R: number;
  L: number;
  Lo: number;
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
  countIncludePad: boolean;
}

/** Arguments of `pool1dForward`; max also writes the argmax positions (along L) to `indices`. */
export interface Pool1dForwardArgs extends Pool1dGeometry {
  x: FloatArray;
  y: FloatArray;
  /** int64 storage [R, Lo]; required for max. */
  indices: Float64Array | null;
}

/** Arguments of `pool1dBackward`: gx [R, L] is overwritten. */
export interface Pool1dBackwardArgs extends Pool1dGeometry {
  gy: FloatArray;
  gx: FloatArray;
  /** The forward's argmax positions; required for max. */
  indices: Float64Array | null;
}

// The recurrent routines' arguments live with their family (routines/recurrent.ts); re-exported here.
export type {
  GruBackwardArgs,
  GruForwardArgs,
  LstmBackwardArgs,
  LstmForwardArgs,
  RnnBackwardArgs,
  RnnForwardArgs,
  RnnGeometry,
} from './routines/recurrent.js';
export { gruWorkspaceSize, lstmWorkspaceSize, rnnWorkspaceSize } from './routines/recurrent.js';

/**
 * Where a storage's elements live. `'cpu'`: a host typed array, shared by the js, wasm and native
 * backends (any of them may run on any host storage). An accelerator device (`'webgpu'`) owns
 * opaque buffers that only its own backend reads; data crosses devices only through `Tensor.to()`.
 */
export type Device = 'cpu' | 'webgpu';

/**
 * A compute backend. The js backend implements every member; faster ones override what they can.
 * Members are plain functions (none reads `this`), so a routine can be taken off the object and
 * called. A member that is missing on a host backend falls back to the js reference on the same
 * memory (`routine()` in routine.ts); a missing member on an accelerator is a `BackendCapabilityError`.
 */
export interface Backend extends NormRoutines, LossRoutines, OptimRoutines, EmbeddingRoutines, FillRoutines, RecurrentRoutines, LinalgRoutines, SortRoutines, SamplingRoutines, BlasRoutines, CtcRoutines, Conv2dRoutines {
  readonly name: 'js' | 'wasm' | 'native' | 'webgpu';
  /** The device whose storage this backend computes on. */
  readonly device: Device;
  /** A zero-filled contiguous array. */
  alloc(dtype: DType, numel: number): TypedArray;
  /** Strided copy of `x` into the view `out` (which may be strided), converting element types. */
  copy(x: View, out: View): void;
  /** `out` (contiguous, x's shape) = op(x). */
  unary(op: UnaryOp, x: View, out: View, params?: readonly number[]): void;
  /** `out` (contiguous) = op(a, b); a and b have out's shape (broadcast through zero strides). */
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** `out` (contiguous) = cond ? a : b, all three with out's shape. */
  where(cond: View, a: View, b: View, out: View): void;
  /** Reduce `x` over `dims` (sorted, distinct); `out` is contiguous with the kept dims' shape. */
  reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void;
  /**
   * Batched matrix product over rank-3 views: a [B,M,K], b [B,K,N], out [B,M,N] contiguous.
   * Any strides on a and b (transposes and broadcast batches are strides).
   */
  gemm(a: View, b: View, out: View, o: GemmOptions): void;
  /**
   * Gather by position: `out[i] = x[positions[i]]`, where a position is a row-major element number
   * of x (x, int64 positions and out contiguous). Every indexing op reduces to this or `put`.
   */
  take?(x: View, positions: View, out: View): void;
  /**
   * Scatter by position: `out[positions[i]] = src[i]` in order (a later duplicate wins), or `+=`
   * when `accumulate` (bool out: logical or). All contiguous; src has positions' shape.
   */
  put?(out: View, positions: View, src: View, accumulate: boolean): void;
  /** Fused 1-D convolution forward (contiguous arrays). */
  conv1dForward?(args: Conv1dForwardArgs): void;
  /** Fused 1-D convolution backward (contiguous arrays). */
  conv1dBackward?(args: Conv1dBackwardArgs): void;
  /** 1-D max / average pooling forward (contiguous arrays). */
  pool1dForward?(args: Pool1dForwardArgs): void;
  /** 1-D max / average pooling backward (contiguous arrays). */
  pool1dBackward?(args: Pool1dBackwardArgs): void;
  /** `out` (contiguous, x's shape) = op(x) along `dim`, stabilised by the row max (strided x). */
  softmax?(op: SoftmaxOp, x: View, dim: number, out: View): void;
  /** `out` (contiguous) = gradient of op's input from its output `y` and output gradient `gy` (same shape, strided). */
  softmaxBackward?(op: SoftmaxOp, y: View, gy: View, dim: number, out: View): void;
  /** `out` (contiguous, x's shape) = running sum/product of `x` (strided) along `dim`. */
  scan?(op: ScanOp, x: View, dim: number, out: View, o: ScanOptions): void;
}

/**
 * The host transfers of an accelerator backend (`B` its buffer type): the only way elements cross
 * between host memory and the device. Writes may be synchronous (they are queued); reads are
 * asynchronous, so nothing in torchlet may need a device's values synchronously.
 */
export interface DeviceTransfers<B> {
  /** A new device buffer holding `src`'s elements (`dtype` says how to read them). */
  upload(src: TypedArray, dtype: DType): B;
  /** The first `numel` elements of `buf` copied to a new host array of `dtype`'s array type. */
  download(buf: B, dtype: DType, numel: number): Promise<TypedArray>;
}

/**
 * An accelerator backend: the backend members over its own buffers, plus host transfers. The ops
 * layer is written against the host types; an accelerator's buffers pass through it inside views
 * and routine arguments without being read, which is what `viewOf` and `emptyTensor` guarantee.
 */
export type AcceleratorBackend<B = unknown> = Omit<Backend, 'alloc'> & DeviceTransfers<B> & {
  /** A zero-filled buffer of `numel` elements. */
  alloc(dtype: DType, numel: number): B;
};

/** Thrown when a backend lacks a routine. */
export class BackendCapabilityError extends Error {
  constructor(routine: string, backend: string) {
    super(`routine '${routine}' is not supported in ${backend} backend`);
    this.name = 'BackendCapabilityError';
  }
}
