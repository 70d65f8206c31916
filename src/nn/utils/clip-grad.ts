/**
 * Gradient clipping, like `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_` (PyTorch 1.13).
 * Both change `.grad` in place and skip parameters without a gradient.
 */
import { checkOptions, describeValue, isPlainObject } from '../../validate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { RuntimeError } from '../../errors.js';
import { scalarTensor } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import { pyFloat } from '../../format.js';
import { routine } from '../../backends/routine.js';
import type { FloatArray } from '../../tensor/dtype.js';
import { dense } from '../../ops/util.js';

/** Options of {@link clipGradNorm_} (the keyword arguments after `max_norm`). */
export interface ClipGradNormOptions {
  /** Order of the norm: a number, `Infinity` or `'inf'` (default 2). */
  normType?: number | 'inf';
  /** Throw when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(parameters: Tensor | Iterable<Tensor>, fn: string): Tensor[] {
  if (parameters instanceof Tensor) parameters = [parameters];
  if (parameters === null || typeof parameters !== 'object' || typeof (parameters as any)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${fn}(): parameters must be a Tensor or an iterable of Tensors`);
  }
  const grads: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`${fn}(): parameters must be Tensors, got ${p === null ? 'null' : typeof p}`);
    if (p.grad !== null) grads.push(p.grad);
  }
  return grads;
}

/** `torch.linalg.vector_norm(x, p)` of all elements, in float64. */
function vectorNorm(x: FloatArray, p: number): number {
  const out = new Float64Array(1);
  routine('vectorNorm')({ x, p, out });
  return out[0]!;
}

/**
 * Scales the gradients of `parameters` so that their total `normType`-norm (over all gradients
 * together) is at most `maxNorm`, like `torch.nn.utils.clip_grad_norm_`. Returns the total norm
 * before clipping, as a 0-d tensor.
 * See https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
 * @example
 * loss.backward();
 * const total = nn.utils.clipGradNorm_(model.parameters(), 1.0);
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType: number | 'inf' | ClipGradNormOptions = 2,
  errorIfNonfinite = false,
): Tensor {
  if (isPlainObject(normType)) {
    const o = checkOptions<ClipGradNormOptions>('clip_grad_norm_()', normType, ['normType', 'errorIfNonfinite']);
    errorIfNonfinite = o.errorIfNonfinite ?? false;
    normType = o.normType ?? 2;
  }
  if (typeof errorIfNonfinite !== 'boolean') {
    throw new TypeError(`clip_grad_norm_(): argument 'error_if_nonfinite' must be a boolean, got ${describeValue(errorIfNonfinite)}`);
  }
  const grads = gradsOf(parameters, 'clip_grad_norm_');
  if (typeof maxNorm !== 'number') throw new TypeError(`clip_grad_norm_(): max_norm must be a number, got ${describeValue(maxNorm)}`);
  const p = normType === 'inf' ? Infinity : normType;
  if (typeof p !== 'number') throw new TypeError(`clip_grad_norm_(): norm_type must be a number or 'inf', got ${describeValue(normType)}`);
  if (grads.length === 0) return scalarTensor(0, 'float32');
  // Per-gradient norms are tensors of the gradient's dtype in PyTorch: round them like one.
  const dtype = grads[0]!.dtype;
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const norms = Float64Array.from(grads, (g) => round(vectorNorm(dense(g), p)));
  const total = p === Infinity ? round(vectorNorm(norms, Infinity)) : round(vectorNorm(norms, p));
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RuntimeError(
      `The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
    );
  }
  // clip_coef = max_norm / (total_norm + 1e-6), clamped to 1.0: float32 tensor arithmetic
  const coef = round(round(maxNorm) / round(total + round(1e-6)));
  const clamped = Number.isNaN(coef) ? NaN : Math.min(coef, 1.0);
  const c = scalarTensor(clamped, dtype);
  noGrad(() => {
    for (const g of grads) g.mul_(c);
  });
  return scalarTensor(total, dtype);
}

/**
 * Clamps every gradient of `parameters` to `[-clipValue, clipValue]` in place, like
 * `torch.nn.utils.clip_grad_value_`.
 * See https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const grads = gradsOf(parameters, 'clip_grad_value_');
  if (typeof clipValue !== 'number') throw new TypeError(`clip_grad_value_(): clip_value must be a number, got ${describeValue(clipValue)}`);
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}
