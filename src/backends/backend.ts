/**
 * The backend boundary. Every numeric kernel runs behind this interface. It imports nothing from
 * ops/ or nn/. Primitive kernels take strided views; fused routines take contiguous arrays.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';

/** A strided window onto a typed array: element (i0, i1, ...) is `data[offset + sum(ik * strides[k])]`. */
export interface View {
  readonly data: TypedArray;
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

/** Options of the batched matrix product `out = alpha * a @ b + beta * out`. */
export interface GemmOptions {
  alpha: number;
  beta: number;
}

/** A compute backend. The js backend implements every member; faster ones override what they can. */
export interface Backend {
  readonly name: 'js' | 'wasm' | 'native' | 'webgpu';
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
}

/** Thrown when a backend lacks a routine. */
export class BackendCapabilityError extends Error {
  constructor(routine: string, backend: string) {
    super(`routine '${routine}' is not supported in ${backend} backend`);
    this.name = 'BackendCapabilityError';
  }
}
