/**
 * `nn.functional`: the functional forms of the layers (losses live in functional-loss.ts).
 *
 * Layer norm and batch norm (ops/norm.ts), embedding (ops/embedding.ts), linear and constant
 * padding are fused ops (forward and backward in one `defineOp`, over backend routines); the rest
 * compose existing ops. This file keeps PyTorch's argument handling.
 * Deviation: the fused ops' backward (except linear's) is not itself differentiable (no double backward).
 * See https://pytorch.org/docs/1.13/nn.functional.html
 * @example
 * const { functional: F } = nn;
 * const y = F.dropout(F.relu(x), 0.1, model.training);
 * @module
 */
import { checkBool, checkNumber, checkOptions, describeValue, isPlainObject, optional } from '../validate.js';
import { pyNum } from '../format.js';
import '../ops/methods.js';
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { IndexError, NotImplementedError, RuntimeError, ValueError } from '../errors.js';
import { defaultGenerator } from '../random/generator.js';
import { isFloating, legacyTypeName, scalarTypeName, type TypedArray } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor, sameShape, shapeNumel } from '../tensor/tensor.js';
import type { View } from '../backends/backend.js';
import { elu as eluOp, gelu as geluOp, geluTanh, leakyRelu as leakyReluOp, softplus as softplusOp } from '../ops/elementwise.js';
import { applyInPlace } from '../ops/inplace.js';
import { padNd } from '../ops/pad.js';
import { drawTensor } from '../ops/random.js';
import { embeddingOp, renormRows } from '../ops/embedding.js';
import { batchNormOp, layerNormOp } from '../ops/norm.js';
import { routine } from '../backends/routine.js';
import { backend, backendOf, checkInt, checkTensor, denseArray, normDim, viewOf } from '../ops/util.js';

/**
 * Python's AssertionError (PyTorch uses `assert` for some argument checks).
 * See https://docs.python.org/3/library/exceptions.html#AssertionError
 * @example expect(() => new nn.Embedding(3, 2, { paddingIdx: 5 })).toThrow(nn.functional.AssertionError);
 */
export class AssertionError extends Error {
  /** Always `'AssertionError'`. */
  override name = 'AssertionError';
}


function sizeStr(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}


// ---------------------------------------------------------------- linear, bilinear

/**
 * `y = x Wᵀ + b`, like `torch.nn.functional.linear`. `input` is [*, in], `weight` [out, in],
 * `bias` [out].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.linear.html
 * @example F.linear(x, w, b)
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('input', input);
  checkTensor('weight', weight);
  if (bias !== undefined && bias !== null) checkTensor('bias', bias);
  const b = bias ?? null;
  const dt = input.dtype;
  if (
    isFloating(dt) && // float16/bfloat16 too: one rounding per output, bias included, as PyTorch's addmm
    input.dim() >= 2 &&
    weight.dim() === 2 &&
    weight.dtype === dt &&
    input.shape[input.dim() - 1] === weight.shape[1] &&
    input.numel() > 0 &&
    weight.numel() > 0 &&
    (b === null || (b.dtype === dt && b.dim() === 1 && b.shape[0] === weight.shape[0]))
  ) {
    return linearOp(input, weight, b);
  }
  // other cases (1-D input, mixed dtypes, broadcast bias, empty): compose, with PyTorch's errors
  const out = input.matmul(weight.t());
  return bias ? out.add(bias) : out;
}

/** Whether the leading dims of `t` (all but the last) collapse into one dim with a single stride. */
function collapsible(t: Tensor): boolean {
  const d = t.dim();
  for (let k = 0; k < d - 2; k++) {
    if (t.shape[k] !== 1 && t.strides[k] !== t.strides[k + 1]! * t.shape[k + 1]!) return false;
  }
  return true;
}

/**
 * `t` [..., n] as a 2-D view [rows, n]: no copy when the leading dims collapse into one stride,
 * else a contiguous copy.
 */
function rows2d(t: Tensor): View {
  const d = t.dim();
  const n = t.shape[d - 1]!;
  const rows = t.numel() / n;
  if (collapsible(t)) return { data: viewOf(t).data, shape: [rows, n], strides: [t.strides[d - 2]!, t.strides[d - 1]!], offset: t.offset };
  const c = t.contiguous();
  return { data: viewOf(c).data, shape: [rows, n], strides: [n, 1], offset: c.offset };
}

/**
 * The order of `t`'s leading dims in memory (outermost first; the last dim stays last): a
 * permutation under which they collapse into one stride, e.g. [1, 0, 2] for an LSTM's batch-first
 * output (a transposed [T, B, H] tensor). Null when there is none (overlapping or gapped layouts).
 */
function memoryOrder(t: Tensor): number[] | null {
  const d = t.dim();
  const lead = Array.from({ length: d - 1 }, (_, i) => i);
  // size-1 dims first (their stride is arbitrary), then by stride, outermost first
  lead.sort((a, b) => (t.shape[a] === 1 ? -1 : 0) - (t.shape[b] === 1 ? -1 : 0) || t.strides[b]! - t.strides[a]! || a - b);
  const perm = [...lead, d - 1];
  return collapsible(t.permute(perm)) ? perm : null;
}

/** A 2-D view [m, n] as the rank-3 view [1, m, n] the backend's gemm takes (transposed when asked). */
function mat(v: View, transpose = false): View {
  const [m, n] = v.shape as [number, number];
  const [s0, s1] = v.strides as [number, number];
  return transpose
    ? { data: v.data, shape: [1, n, m], strides: [0, s1, s0], offset: v.offset }
    : { data: v.data, shape: [1, m, n], strides: [0, s0, s1], offset: v.offset };
}

/**
 * `input @ weight.T + bias` as one op, like PyTorch's `addmm` path of `linear` (the leading dims
 * of input folded into rows): one gemm forward (bias copied into the output first, beta = 1),
 * and backward two gemms and a column sum, with no broadcast gradient left for the engine to reduce.
 * An input whose leading dims do not collapse (an LSTM's batch-first output) is read in place: a
 * batched gemm forward, and backward the rows taken in the input's memory order, so the input's
 * gradient has the input's layout (the LSTM's backward then reads it without a copy).
 * Double backward composes differentiable ops instead.
 */
const linearOp = defineOp({
  name: 'addmm',
  forward(ctx, input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    const k = backendOf(input, weight, bias);
    const d = input.dim();
    const I = input.shape[d - 1]!;
    const N = input.numel() / I;
    const O = weight.shape[0]!;
    const out = emptyTensor([...input.shape.slice(0, -1), O], input.dtype, input.storage.device);
    const od = viewOf(out).data;
    if (bias !== null) routine('tileRows', k)({ row: denseArray(bias), out: od }); // the bias in every row
    const beta = bias !== null ? 1 : 0;
    const w: View = { data: viewOf(weight).data, shape: [O, I], strides: [weight.strides[0]!, weight.strides[1]!], offset: weight.offset };
    if (d === 3 && !collapsible(input)) {
      // batched over dim 0, strides as they are
      const [B, T] = input.shape as [number, number, number];
      const wt = mat(w, true);
      k.gemm(viewOf(input), { ...wt, shape: [B, I, O] }, { data: od, shape: [B, T, O], strides: [T * O, O, 1], offset: 0 }, { alpha: 1, beta });
    } else {
      k.gemm(mat(rows2d(input)), mat(w, true), { data: od, shape: [1, N, O], strides: [N * O, O, 1], offset: 0 }, { alpha: 1, beta });
    }
    ctx.save(input, weight);
    return out;
  },
  backward(ctx, [gy]) {
    const [input, weight] = ctx.saved as [Tensor, Tensor];
    const need = ctx.needsInputGrad;
    const g = gy!;
    if (isGradEnabled()) {
      // double backward: the same products, recorded
      const g2 = g.reshape(-1, weight.shape[0]!);
      return [
        need[0] ? g.matmul(weight) : null,
        need[1] ? g2.t().matmul(input.reshape(-1, input.shape[input.dim() - 1]!)) : null,
        need[2] ? g2.sum(0) : null,
      ];
    }
    const k = backendOf(input, weight, g);
    // rows in the input's memory order (any order works, as long as x and gy agree)
    const perm = collapsible(input) ? null : memoryOrder(input);
    const x = perm ? input.permute(perm) : input;
    const gv = rows2d(perm ? g.permute(perm) : g);
    const [N, O] = gv.shape as [number, number];
    const I = weight.shape[1]!;
    const w: View = { data: viewOf(weight).data, shape: [O, I], strides: [weight.strides[0]!, weight.strides[1]!], offset: weight.offset };
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (need[0]) {
      gx = emptyTensor(x.shape, g.dtype, g.storage.device);
      k.gemm(mat(gv), mat(w), { data: viewOf(gx).data, shape: [1, N, I], strides: [N * I, I, 1], offset: 0 }, { alpha: 1, beta: 0 });
      if (perm) gx = gx.permute(perm.map((_, i) => perm.indexOf(i)));
    }
    if (need[1]) {
      gw = emptyTensor([O, I], g.dtype, g.storage.device);
      k.gemm(mat(gv, true), mat(rows2d(x)), { data: viewOf(gw).data, shape: [1, O, I], strides: [O * I, I, 1], offset: 0 }, { alpha: 1, beta: 0 });
    }
    if (need[2]) {
      gb = emptyTensor([O], g.dtype, g.storage.device);
      k.reduce('sum', gv, [0], { data: viewOf(gb).data, shape: [O], strides: [1], offset: 0 });
    }
    return need.length > 2 ? [gx, gw, gb] : [gx, gw];
  },
});

/**
 * `y[..., o] = x1 W[o] x2ᵀ + b[o]`, like `torch.nn.functional.bilinear`. `input1` is [*, in1],
 * `input2` [*, in2], `weight` [out, in1, in2], `bias` [out].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.bilinear.html
 * @example F.bilinear(x1, x2, w, b)
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('input1', input1);
  checkTensor('input2', input2);
  checkTensor('weight', weight);
  if (input1.dim() !== input2.dim()) {
    throw new RuntimeError(`bilinear(): input dimensions do not match: got ${input1.dim()} and ${input2.dim()}`);
  }
  for (let i = 0; i < input1.dim() - 1; i++) {
    if (input1.shape[i] !== input2.shape[i]) {
      throw new RuntimeError(`bilinear(): input batch dimensions do not match at dim ${i}: got ${input1.shape[i]} and ${input2.shape[i]}`);
    }
  }
  if (weight.dim() !== 3) throw new RuntimeError(`bilinear(): weight must be 3-dimensional, got ${weight.dim()}D`);
  const [out, in1, in2] = weight.shape as [number, number, number];
  const n1 = input1.shape[input1.dim() - 1];
  const n2 = input2.shape[input2.dim() - 1];
  if (n1 !== in1) throw new RuntimeError(`bilinear(): input1 size does not match weight size: got ${n1} but expected ${in1}`);
  if (n2 !== in2) throw new RuntimeError(`bilinear(): input2 size does not match weight size: got ${n2} but expected ${in2}`);
  if (bias && bias.shape[0] !== out) {
    throw new RuntimeError(`bilinear(): bias size does not match weight size: got ${bias.shape[0]} but expected ${out}`);
  }
  const lead = input1.shape.slice(0, -1);
  const b = shapeNumel(lead);
  const x1 = input1.reshape([b, in1]);
  const x2 = input2.reshape([b, in2]);
  // t[b, o, j] = sum_i x1[b, i] W[o, i, j]; y[b, o] = sum_j t[b, o, j] x2[b, j]
  const t = x1.matmul(weight.permute(1, 0, 2).reshape([in1, out * in2])).reshape([b, out, in2]);
  let y = t.mul(x2.unsqueeze(1)).sum(-1);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, out]);
}

// ---------------------------------------------------------------- embedding

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Row whose gradient is always zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up are renormalised in place to this norm when larger. */
  maxNorm?: number | null;
  /** The p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
  /** Divide gradients by the frequency of each index in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients: not supported by torchlet. */
  sparse?: boolean;
}

/** @internal Normalises `paddingIdx` against `num` rows; -1 means none (PyTorch's convention). */
export function normPaddingIdx(paddingIdx: number | null | undefined, num: number): number {
  if (paddingIdx === null || paddingIdx === undefined) return -1;
  if (!Number.isInteger(paddingIdx)) throw new TypeError(`padding_idx must be an integer, got ${describeValue(paddingIdx)}`);
  if (paddingIdx > 0 && paddingIdx >= num) throw new AssertionError('Padding_idx must be within num_embeddings');
  if (paddingIdx < 0) {
    if (paddingIdx < -num) throw new AssertionError('Padding_idx must be within num_embeddings');
    return num + paddingIdx;
  }
  return paddingIdx;
}

function checkIndices(indices: Tensor, num: number): TypedArray {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32') {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${legacyTypeName(indices.dtype)} instead (while checking arguments for embedding)`,
    );
  }
  const idx = indices.dataSync();
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (r < 0 || r >= num) throw new IndexError('index out of range in self');
  }
  return idx;
}

/**
 * Renormalises in place the rows of `weight` named in `indices` whose `normType`-norm exceeds
 * `maxNorm`, like `torch.embedding_renorm_` (no graph is recorded; the version counter is bumped).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding.html
 * @example nn.functional.embeddingRenorm_(emb.weight, torch.tensor([0, 2]), 1.0, 2); // rows 0 and 2 now have norm <= 1
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): Tensor {
  const idx = checkIndices(indices, weight.shape[0]!);
  const rows = Float64Array.from(new Set(idx)).sort();
  renormRows(weight, rows, maxNorm, normType);
  // PyTorch parity: an in-place op bumps the version even when no row changes
  weight._vc.version++;
  return weight;
}

/**
 * Looks up rows of `weight` ([num, dim]) at integer `input` indices, like
 * `torch.nn.functional.embedding`; the result is [...input.shape, dim].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding.html
 * @example F.embedding(torch.tensor([[0, 2]]), weight)
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkTensor('input', input);
  checkTensor('weight', weight);
  opts = checkOptions<EmbeddingOptions>('embedding()', opts, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']);
  optional(opts.maxNorm, null, (v) => checkNumber('embedding()', 'maxNorm', v), true);
  optional(opts.normType, 2, (v) => checkNumber('embedding()', 'normType', v));
  optional(opts.scaleGradByFreq, false, (v) => checkBool('embedding()', 'scaleGradByFreq', v));
  optional(opts.sparse, false, (v) => checkBool('embedding()', 'sparse', v));
  if (opts.sparse) throw new NotImplementedError('torchlet does not support sparse gradients (sparse=True)');
  if (weight.dim() !== 2) throw new RuntimeError(`'weight' must be 2-D`);
  const num = weight.shape[0]!;
  const pad = normPaddingIdx(opts.paddingIdx, num);
  if (opts.maxNorm !== null && opts.maxNorm !== undefined) {
    embeddingRenorm_(weight, input, opts.maxNorm, opts.normType ?? 2);
  } else checkIndices(input, num);
  return embeddingOp(weight, input, pad, opts.scaleGradByFreq ?? false);
}

// ---------------------------------------------------------------- dropout

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true); when false the input is returned. */
  training?: boolean;
  /** Multiply the input in place. */
  inplace?: boolean;
}

/** @internal Validates a dropout probability with PyTorch's message. */
export function checkDropoutP(p: unknown): number {
  if (typeof p !== 'number') throw new TypeError(`dropout probability must be a number, got ${describeValue(p)}`);
  if (Number.isNaN(p)) throw new ValueError('dropout probability has to be between 0 and 1, but got nan');
  if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${pyNum(p)}`);
  return p;
}

/**
 * Zeroes elements with probability `p` and scales the rest by 1/(1-p), like
 * `torch.nn.functional.dropout`. The mask comes from the global generator exactly as PyTorch's
 * CPU kernel draws it, so `torch.manualSeed(s)` gives PyTorch's mask.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout.html
 * @example F.dropout(x, 0.2, this.training)  // or F.dropout(x, { p: 0.2, training: this.training })
 */
export function dropout(input: Tensor, p: number | DropoutOptions = 0.5, training = true, inplace = false): Tensor {
  if (isPlainObject(p)) {
    const o = checkOptions<DropoutOptions>('dropout()', p, ['p', 'training', 'inplace']);
    training = o.training ?? true;
    inplace = o.inplace ?? false;
    p = o.p ?? 0.5;
  }
  checkTensor('input', input);
  const prob = checkDropoutP(p);
  checkBool('dropout()', 'training', training);
  checkBool('dropout()', 'inplace', inplace);
  if (prob === 0 || !training || input.numel() === 0) return input;
  if (!isFloating(input.dtype)) throw new RuntimeError(`dropout is only implemented for floating point tensors, got ${input.dtype}`);
  const mask = drawTensor(input.shape, input.dtype, (a) => defaultGenerator.dropoutMask(a, prob));
  return inplace ? input.mul_(mask) : input.mul(mask);
}

// ---------------------------------------------------------------- layer norm

/**
 * Normalises over the last `normalizedShape.length` dims, then scales and shifts, like
 * `torch.nn.functional.layer_norm`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.layer_norm.html
 * @example F.layerNorm(x, [x.size(-1)], w, b)
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  checkTensor('input', input);
  if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) {
    throw new TypeError(`layer_norm(): argument 'normalized_shape' must be an integer or an array of integers, got ${describeValue(normalizedShape)}`);
  }
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  ns.forEach((s) => checkInt('normalized_shape', s));
  if (weight !== undefined && weight !== null) checkTensor('weight', weight);
  if (bias !== undefined && bias !== null) checkTensor('bias', bias);
  checkNumber('layer_norm()', 'eps', eps);
  const nsStr = `[${ns.join(', ')}]`;
  if (ns.length === 0) throw new RuntimeError('Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []');
  if (weight && !sameShape(weight.shape, ns)) {
    throw new RuntimeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape [${weight.shape.join(', ')}] and normalized_shape = ${nsStr}`);
  }
  if (bias && !sameShape(bias.shape, ns)) {
    throw new RuntimeError(`Expected bias to be of same shape as normalized_shape, but got bias of shape [${bias.shape.join(', ')}] and normalized_shape = ${nsStr}`);
  }
  const off = input.dim() - ns.length;
  if (off < 0 || ns.some((s, i) => input.shape[off + i] !== s)) {
    throw new RuntimeError(`Given normalized_shape=${nsStr}, expected input with shape [*, ${ns.join(', ')}], but got input of size[${input.shape.join(', ')}]`);
  }
  if (!isFloating(input.dtype)) throw new RuntimeError(`"LayerNormKernelImpl" not implemented for '${scalarTypeName(input.dtype)}'`);
  return layerNormOp(input, weight ?? null, bias ?? null, shapeNumel(ns), eps);
}

// ---------------------------------------------------------------- batch norm

/**
 * Batch normalisation over dim 1 of an (N, C, *) input, like `torch.nn.functional.batch_norm`.
 * In training the batch statistics are used and the running statistics (when given) are updated
 * in place with `momentum` (the variance unbiased); otherwise the running statistics are used.
 * The sixth argument may also be an options object `{ training, momentum, eps }`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html
 * @example F.batchNorm(x, runningMean, runningVar, w, b, true, 0.1, 1e-5)
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training: boolean | { training?: boolean; momentum?: number; eps?: number } = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (typeof training === 'object' && training !== null) {
    momentum = training.momentum ?? 0.1;
    eps = training.eps ?? 1e-5;
    training = training.training ?? false;
  }
  checkTensor('input', input);
  if (input.dim() < 2) {
    // Deviation: PyTorch reads a nonexistent dim 1 here and reports a meaningless size.
    throw new ValueError(`batch_norm: expected input with at least 2 dims (got ${input.dim()}D input)`);
  }
  if (training) {
    const size = input.shape;
    if (size[0]! * shapeNumel(size.slice(2)) === 1) {
      throw new ValueError(`Expected more than 1 value per channel when training, got input size ${sizeStr(size)}`);
    }
  }
  const c = input.shape[1]!;
  const check = (name: string, t: Tensor | null | undefined): void => {
    if (t && t.numel() !== c) throw new RuntimeError(`${name} should contain ${c} elements not ${t.numel()}`);
  };
  if (runningMean) check('running_mean', runningMean);
  else if (!training) throw new RuntimeError('running_mean must be defined in evaluation mode');
  if (runningVar) check('running_var', runningVar);
  else if (!training) throw new RuntimeError('running_var must be defined in evaluation mode');
  check('weight', weight);
  check('bias', bias);
  if (!isFloating(input.dtype)) throw new RuntimeError(`"batch_norm" not implemented for '${scalarTypeName(input.dtype)}'`);
  return batchNormOp(input, weight ?? null, bias ?? null, { mean: runningMean, var: runningVar }, training, momentum, eps);
}

// ---------------------------------------------------------------- activations

/**
 * max(x, 0), like `torch.nn.functional.relu`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html
 * @example F.relu(x)
 */
export function relu(input: Tensor, inplace = false): Tensor {
  checkTensor('input', input);
  checkBool('relu()', 'inplace', inplace);
  return inplace ? input.relu_() : input.relu();
}

/**
 * x for x > 0, else negativeSlope * x, like `torch.nn.functional.leaky_relu`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.leaky_relu.html
 * @example F.leakyRelu(x, 0.2)
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, inplace = false): Tensor {
  checkTensor('input', input);
  checkNumber('leaky_relu()', 'negative_slope', negativeSlope);
  checkBool('leaky_relu()', 'inplace', inplace);
  if (inplace) return applyInPlace(input, (s) => leakyReluOp(s, [negativeSlope]));
  return leakyReluOp(input, [negativeSlope]);
}

/**
 * Gaussian error linear unit, like `torch.nn.functional.gelu`; `approximate: 'tanh'` uses the tanh
 * approximation.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.gelu.html
 * @example F.gelu(x, { approximate: 'tanh' })
 */
export function gelu(input: Tensor, opts: { approximate?: 'none' | 'tanh' } | 'none' | 'tanh' = {}): Tensor {
  checkTensor('input', input);
  const approximate = typeof opts === 'string' ? opts : checkOptions<{ approximate?: string }>('gelu()', opts, ['approximate']).approximate ?? 'none';
  if (approximate === 'none') return geluOp(input);
  if (approximate === 'tanh') return geluTanh(input);
  throw new RuntimeError('approximate argument must be either none or tanh.');
}

/**
 * tanh(x), like `torch.nn.functional.tanh`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.tanh.html
 * @example F.tanh(x)
 */
export function tanh(input: Tensor): Tensor {
  checkTensor('input', input);
  return input.tanh();
}

/**
 * 1 / (1 + e^-x), like `torch.nn.functional.sigmoid`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.sigmoid.html
 * @example F.sigmoid(x)
 */
export function sigmoid(input: Tensor): Tensor {
  checkTensor('input', input);
  return input.sigmoid();
}

/**
 * x for x > 0, else alpha * (e^x - 1), like `torch.nn.functional.elu`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.elu.html
 * @example F.elu(x, 1.0)
 */
export function elu(input: Tensor, alpha = 1.0, inplace = false): Tensor {
  checkTensor('input', input);
  checkNumber('elu()', 'alpha', alpha);
  checkBool('elu()', 'inplace', inplace);
  if (inplace) return applyInPlace(input, (s) => eluOp(s, [alpha]));
  return eluOp(input, [alpha]);
}

/**
 * log(1 + e^(beta x)) / beta, linear above `threshold`, like `torch.nn.functional.softplus`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.softplus.html
 * @example F.softplus(x, 1, 20)
 */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor('input', input);
  checkNumber('softplus()', 'beta', beta);
  checkNumber('softplus()', 'threshold', threshold);
  return softplusOp(input, [beta, threshold]);
}

/** PyTorch's implicit softmax dim (with a deprecation warning there): 0 for 0-, 1- and 3-D input, else 1. */
function softmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/**
 * Softmax along `dim`, like `torch.nn.functional.softmax`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmax.html
 * @example F.softmax(logits, -1)
 */
export function softmax(input: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  checkTensor('input', input);
  const d = isPlainObject(dim) ? checkOptions<{ dim?: number | null }>('softmax()', dim, ['dim']).dim : dim;
  return input.softmax(d ?? softmaxDim(input.dim()));
}

/**
 * log(softmax(x)) along `dim`, computed stably, like `torch.nn.functional.log_softmax`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.log_softmax.html
 * @example F.logSoftmax(logits, 1)
 */
export function logSoftmax(input: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  checkTensor('input', input);
  const d = isPlainObject(dim) ? checkOptions<{ dim?: number | null }>('log_softmax()', dim, ['dim']).dim : dim;
  return input.logSoftmax(d ?? softmaxDim(input.dim()));
}

// ---------------------------------------------------------------- pad

/** Geometry of the region shared by the input and the padded output, per dim. */
interface PadRegion {
  src: View;
  dst: View;
}

function padRegion(inShape: readonly number[], outShape: readonly number[], pads: readonly number[], a: View, b: View): PadRegion | null {
  // a is the input-shaped view, b the output-shaped view; returns the overlapping windows.
  const nd = inShape.length;
  const shape: number[] = [];
  let offA = a.offset;
  let offB = b.offset;
  for (let d = 0; d < nd; d++) {
    const k = nd - 1 - d;
    const lo = 2 * k < pads.length ? pads[2 * k]! : 0;
    const hi = 2 * k + 1 < pads.length ? pads[2 * k + 1]! : 0;
    const srcStart = Math.max(0, -lo);
    const dstStart = Math.max(0, lo);
    const len = inShape[d]! - srcStart - Math.max(0, -hi);
    if (len <= 0) return null;
    shape.push(len);
    offA += srcStart * a.strides[d]!;
    offB += dstStart * b.strides[d]!;
  }
  void outShape;
  return {
    src: { data: a.data, shape, strides: a.strides, offset: offA },
    dst: { data: b.data, shape, strides: b.strides, offset: offB },
  };
}

const constantPadOp = defineOp({
  name: 'constant_pad_nd',
  nodeName: 'ConstantPadNdBackward0',
  forward(ctx: OpCtx<{ inShape: readonly number[]; pads: number[] }>, x: Tensor, pads: number[], outShape: number[], value: number) {
    const out = emptyTensor(outShape, x.dtype);
    if (value !== 0) routine('fill')({ out: out.storage.data, value });
    const r = padRegion(x.shape, outShape, pads, viewOf(x), viewOf(out));
    if (r) backend().copy(r.src, r.dst);
    ctx.inShape = x.shape;
    ctx.pads = pads;
    return out;
  },
  backward(ctx, [gy]) {
    const inShape = ctx.inShape;
    const gx = emptyTensor(inShape, gy!.dtype);
    const r = padRegion(inShape, gy!.shape, ctx.pads, viewOf(gx), viewOf(gy!));
    if (r) backend().copy(r.dst, r.src);
    return [gx];
  },
});

/**
 * Pads (or, with negative amounts, crops) the last dims, like `torch.nn.functional.pad`:
 * `pad = [left, right]` for the last dim, then `[top, bottom]` for the one before, and so on.
 * `'reflect'`, `'replicate'` and `'circular'` pad the last dim of 2-D / 3-D input or the last two of 3-D / 4-D input.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
 * @example F.pad(x, [1, 1], 'constant', 0)
 */
export function pad(input: Tensor, padding: readonly number[], mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant', value = 0): Tensor {
  checkTensor('input', input);
  if (!Array.isArray(padding) || padding.some((p) => !Number.isInteger(p))) {
    throw new TypeError(`pad(): argument 'pad' must be a sequence of integers, got ${describeValue(padding)}`);
  }
  checkNumber('pad()', 'value', value);
  if (mode !== 'constant') {
    if (mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') {
      throw new NotImplementedError(`Unrecognised padding mode ${typeof mode === 'string' ? mode : describeValue(mode)}`);
    }
    return padNd(input, padding, mode, value);
  }
  if (padding.length % 2 !== 0) throw new RuntimeError('Padding length must be divisible by 2');
  if (padding.length / 2 > input.dim()) throw new RuntimeError('Padding length too large');
  const nd = input.dim();
  const outShape = input.shape.slice();
  for (let k = 0; k < padding.length / 2; k++) {
    const d = nd - 1 - k;
    const size = input.shape[d]! + padding[2 * k]! + padding[2 * k + 1]!;
    if (size < 0) {
      throw new RuntimeError(
        `The input size ${input.shape[d]}, plus negative padding ${padding[2 * k]} and ${padding[2 * k + 1]} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
      );
    }
    outShape[d] = size;
  }
  return constantPadOp(input, [...padding], outShape, value);
}

// ---------------------------------------------------------------- re-exports

// Convolution and pooling (src/ops/conv.ts), the losses (./functional-loss.ts) and attention
// (./functional-attention.ts) complete `nn.functional`.
export { conv1d, maxPool1d, avgPool1d, type Conv1dOptions, type MaxPool1dOptions, type AvgPool1dOptions } from '../ops/conv.js';
export { conv2d, convTranspose1d, convTranspose2d, type Conv2dOptions } from '../ops/conv2d.js';
export { type ConvTransposeOptions } from '../ops/conv.js';
export {
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  type AdaptiveSize,
  type AdaptiveMaxPoolOptions,
} from '../ops/pool2d.js';
export { interpolate, type InterpolateOptions, type InterpolateMode } from '../ops/upsample.js';
export { groupNorm, dropout1d, dropout2d } from './functional-cnn.js';
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
  ctcLoss,
  type Reduction,
  type LossOptions,
  type SmoothL1LossOptions,
  type HuberLossOptions,
  type NLLLossOptions,
  type CrossEntropyOptions,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
  type KLDivLossOptions,
  type CTCLossOptions,
} from './functional-loss.js';
export {
  multiHeadAttentionForward,
  scaledDotProductAttention,
  type MultiHeadAttentionForwardOptions,
  type ScaledDotProductAttentionOptions,
} from './functional-attention.js';

// ---------------------------------------------------------------- normalize

/**
 * x / max(‖x‖_p, eps) along `dim`, like `torch.nn.functional.normalize`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.normalize.html
 * @example F.normalize(x, 2, 1)
 */
export function normalize(input: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  checkTensor('input', input);
  checkNumber('normalize()', 'p', p);
  checkNumber('normalize()', 'eps', eps);
  normDim(dim, input.dim());
  const absx = input.abs();
  // PyTorch parity: the norm's gradient is 0 where the norm is 0 (masking avoids 0 * inf).
  const powSum = p === 2 ? input.mul(input).sum(dim, true) : absx.pow(p).sum(dim, true);
  const zero = powSum.eq(0);
  const safe = powSum.maskedFill(zero, 1);
  const norm = safe.pow(1 / p).maskedFill(zero, 0);
  return input.div(norm.clamp(eps).expandAs(input));
}
