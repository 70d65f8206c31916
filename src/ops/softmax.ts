/**
 * softmax and log_softmax along one dim, each a single fused op: the forward is one kernel (row max,
 * exp-sum, normalisation), and so is the backward unless a differentiable gradient is requested
 * (`createGraph`), in which case the backward is composed from ops so double backward works.
 */
import { checkOptions, describeValue } from '../validate.js';
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import type { SoftmaxOp } from '../backends/backend.js';
import { RuntimeError } from '../errors.js';
import { type DType, DTYPES, isFloating } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor, normDim } from '../tensor/tensor.js';
import { routine } from '../backends/routine.js';
import { scalarTypeName } from '../tensor/dtype.js';
import { checkTensor, viewOf, backendOf } from './util.js';

/** Options of softmax / logSoftmax: the input is cast to `dtype` first, like PyTorch's `dtype=`. */
export interface SoftmaxOptions {
  dtype?: DType;
}

function defSoftmax(op: SoftmaxOp) {
  return defineOp({
    name: op === 'softmax' ? '_softmax' : '_log_softmax',
    nodeName: op === 'softmax' ? 'SoftmaxBackward0' : 'LogSoftmaxBackward0',
    forward(ctx: OpCtx<{ dim: number }>, x: Tensor, dim: number) {
      const y = emptyTensor(x.shape, x.dtype, x.storage.device);
      routine('softmax', backendOf(x))(op, viewOf(x), dim, viewOf(y));
      ctx.save(y);
      ctx.dim = dim;
      return y;
    },
    backward(ctx, [gy]) {
      const [y] = ctx.saved as [Tensor];
      const dim = ctx.dim;
      if (!isGradEnabled()) {
        const gx = emptyTensor(y.shape, y.dtype, y.storage.device);
        routine('softmaxBackward', backendOf(y, gy))(op, viewOf(y), viewOf(gy!), dim, viewOf(gx));
        return [gx];
      }
      // createGraph: the same formulas from differentiable ops.
      if (op === 'softmax') {
        const gyy = gy!.mul(y);
        return [gyy.sub(y.mul(gyy.sum(dim, true)))];
      }
      return [gy!.sub(y.exp().mul(gy!.sum(dim, true)))];
    },
  });
}
const softmaxOp = defSoftmax('softmax');
const logSoftmaxOp = defSoftmax('log_softmax');

function run(op: SoftmaxOp, x: Tensor, dim: number, opts: SoftmaxOptions | undefined): Tensor {
  const name = op === 'softmax' ? 'softmax' : 'log_softmax';
  checkTensor('input', x);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TypeError(`${name}(): argument 'dim' must be int, got ${describeValue(dim)}`);
  }
  const d = normDim(dim, x.dim());
  const dtype = checkOptions<SoftmaxOptions>(`${name}()`, opts, ['dtype']).dtype;
  if (dtype !== undefined && !DTYPES.includes(dtype)) throw new TypeError(`dtype must be one of ${DTYPES.join(', ')}, got ${describeValue(dtype)}`);
  const src = dtype && dtype !== x.dtype ? x.to(dtype) : x;
  if (!isFloating(src.dtype)) {
    // PyTorch parity: 1.13 has no integer softmax kernels (pass `dtype` to promote); the kernel named
    // in the message depends on whether dim is the last one.
    const kernel = d === Math.max(x.dim() - 1, 0) ? `${name}_lastdim_kernel_impl` : 'softmax_kernel_impl';
    throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(src.dtype)}'`);
  }
  return (op === 'softmax' ? softmaxOp : logSoftmaxOp)(src, d);
}

/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably (the row max is subtracted), like `torch.softmax`.
 * A row that is all -inf gives NaN, as in PyTorch.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmax.html
 * @example torch.softmax(logits, -1)
 */
export function softmax(x: Tensor, dim: number, opts?: SoftmaxOptions): Tensor {
  return run('softmax', x, dim, opts);
}

/**
 * log(softmax(x)) along `dim` as one fused, stable op, like `torch.log_softmax`. Integer inputs need
 * `{ dtype }` (PyTorch 1.13 raises for them too).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.log_softmax.html
 * @example torch.logSoftmax(logits, 1)
 */
export function logSoftmax(x: Tensor, dim: number, opts?: SoftmaxOptions): Tensor {
  return run('log_softmax', x, dim, opts);
}

// ---------------------------------------------------------------- methods

import type { MethodTable } from '../tensor/methods.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Softmax along `dim`, like `Tensor.softmax`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.softmax.html
     * @example const probs = logits.softmax(-1);
     */
    softmax(dim: number, opts?: SoftmaxOptions): Tensor;
    /**
     * Log-softmax along `dim`, like `Tensor.log_softmax`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.log_softmax.html
     * @example const logp = logits.logSoftmax(1);
     */
    logSoftmax(dim: number, opts?: SoftmaxOptions): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const softmaxMethods: MethodTable = {
  softmax(this: Tensor, dim: number, opts?: SoftmaxOptions) {
    return softmax(this, dim, opts);
  },
  logSoftmax(this: Tensor, dim: number, opts?: SoftmaxOptions) {
    return logSoftmax(this, dim, opts);
  },
};
