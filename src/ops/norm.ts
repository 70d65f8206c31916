/**
 * Layer norm and batch norm as fused ops over the backend's norm routines (statistics and weight
 * gradients in float64, like PyTorch's CPU kernels). Argument checks live in nn/functional.ts.
 * Deviation: the backward is not itself differentiable (no double backward).
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { routine } from '../backends/routine.js';
import { emptyTensor, wrapArray } from '../tensor/create.js';
import { type FloatArray } from '../tensor/dtype.js';
import { type Tensor, shapeNumel } from '../tensor/tensor.js';
import { dense, denseInPlace } from './util.js';

/** What the norms' backward needs beyond the saved x (and weight, when given). */
interface NormState {
  /** Per-row (layer norm) or per-channel (batch norm) means. */
  mean: Float64Array;
  /** Per-row or per-channel 1/sqrt(var + eps). */
  rstd: Float64Array;
  /** Shapes of the weight and bias (null when absent). */
  wShape: readonly number[] | null;
  bShape: readonly number[] | null;
}

/** The state of a norm's forward: its statistics and the affine parameters' shapes. */
function normState(mean: Float64Array, rstd: Float64Array, weight: Tensor | null, bias: Tensor | null): NormState {
  return { mean, rstd, wShape: weight?.shape ?? null, bShape: bias?.shape ?? null };
}

/** The weight and bias gradients (float64, as computed) in the slots whose input needs one. */
function affineGrads(ctx: OpCtx<NormState>, gw: Float64Array, gb: Float64Array): (Tensor | null)[] {
  return [
    ctx.wShape && ctx.needsInputGrad[1] ? wrapArray(gw, ctx.wShape, 'float64') : null,
    ctx.bShape && ctx.needsInputGrad[2] ? wrapArray(gb, ctx.bShape, 'float64') : null,
  ];
}

/**
 * `native_layer_norm(x, weight, bias, n, eps)`: normalises each run of the last `n` elements
 * (M = numel / n rows), then scales by `weight` and shifts by `bias` (each [n] or null).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.layer_norm.html
 * @example layerNormOp(x, w, b, x.size(-1), 1e-5)
 */
export const layerNormOp = defineOp({
  name: 'native_layer_norm',
  nodeName: 'NativeLayerNormBackward0',
  forward(ctx: OpCtx<NormState & { N: number }>, x: Tensor, weight: Tensor | null, bias: Tensor | null, n: number, eps: number) {
    const xc = x.contiguous();
    const wc = weight?.contiguous() ?? null;
    const m = n === 0 ? 0 : xc.numel() / n;
    const y = emptyTensor(x.shape, x.dtype);
    const mean = new Float64Array(m);
    const rstd = new Float64Array(m);
    routine('layerNormForward')({
      M: m, N: n, eps, x: dense(xc), weight: wc ? dense(wc) : null, bias: bias ? dense(bias) : null,
      y: y.storage.data as FloatArray, mean, rstd,
    });
    ctx.save(xc, ...(wc ? [wc] : []));
    Object.assign(ctx, normState(mean, rstd, weight, bias), { N: n });
    return y;
  },
  backward(ctx, [gy]) {
    const [xc, wc] = ctx.saved as [Tensor, Tensor | undefined];
    const n = ctx.N;
    const gx = emptyTensor(xc.shape, xc.dtype);
    const gw = new Float64Array(n);
    const gb = new Float64Array(n);
    routine('layerNormBackward')({
      M: ctx.mean.length, N: n, x: dense(xc), weight: wc ? dense(wc) : null, mean: ctx.mean, rstd: ctx.rstd,
      gy: dense(gy!), gx: gx.storage.data as FloatArray, gWeight: gw, gBias: gb,
    });
    return [gx, ...affineGrads(ctx, gw, gb)];
  },
  inputs: (x: Tensor, weight: Tensor | null, bias: Tensor | null, ..._rest: unknown[]) => [x, weight, bias],
});

/** Running statistics of batch norm (either may be absent). */
export interface RunningStats {
  mean: Tensor | null;
  var: Tensor | null;
}

/**
 * `native_batch_norm(x, weight, bias, stats, training, momentum, eps)`: x is [N, C, *],
 * normalised per channel over N and the trailing dims. In training the batch statistics are used
 * and the running statistics (when given) are updated in place (unbiased variance); otherwise
 * the running statistics are used.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html
 * @example batchNormOp(x, w, b, { mean: rm, var: rv }, true, 0.1, 1e-5)
 */
export const batchNormOp = defineOp({
  name: 'native_batch_norm',
  nodeName: 'NativeBatchNormBackward0',
  forward(
    ctx: OpCtx<NormState & { training: boolean }>,
    x: Tensor, weight: Tensor | null, bias: Tensor | null, stats: RunningStats, training: boolean, momentum: number, eps: number,
  ) {
    const c = x.shape[1]!;
    const xc = x.contiguous();
    const wc = weight?.contiguous() ?? null;
    const y = emptyTensor(x.shape, x.dtype);
    const mean = new Float64Array(c);
    const rstd = new Float64Array(c);
    // training updates the running statistics in place (written back below); evaluation reads them
    const rm = stats.mean && denseInPlace(stats.mean);
    const rv = stats.var && denseInPlace(stats.var);
    routine('batchNormForward')({
      N: x.shape[0]!, C: c, L: shapeNumel(x.shape.slice(2)), eps, training, momentum,
      x: dense(xc), weight: wc ? dense(wc) : null, bias: bias ? dense(bias) : null,
      runningMean: (rm?.data ?? null) as FloatArray | null, runningVar: (rv?.data ?? null) as FloatArray | null, y: y.storage.data as FloatArray, mean, invstd: rstd,
    });
    if (training) {
      for (const [r, t] of [[rm, stats.mean], [rv, stats.var]] as const) {
        if (!r || !t) continue;
        r.writeBack();
        t._vc.version++;
      }
    }
    ctx.save(xc, ...(wc ? [wc] : []));
    Object.assign(ctx, normState(mean, rstd, weight, bias), { training });
    return y;
  },
  backward(ctx, [gy]) {
    const [xc, wc] = ctx.saved as [Tensor, Tensor | undefined];
    const c = xc.shape[1]!;
    const gx = emptyTensor(xc.shape, xc.dtype);
    const gw = new Float64Array(c);
    const gb = new Float64Array(c);
    routine('batchNormBackward')({
      N: xc.shape[0]!, C: c, L: shapeNumel(xc.shape.slice(2)), training: ctx.training,
      x: dense(xc), weight: wc ? dense(wc) : null, mean: ctx.mean, invstd: ctx.rstd,
      gy: dense(gy!), gx: gx.storage.data as FloatArray, gWeight: gw, gBias: gb,
    });
    return [gx, ...affineGrads(ctx, gw, gb)];
  },
  inputs: (x: Tensor, weight: Tensor | null, bias: Tensor | null, ..._rest: unknown[]) => [x, weight, bias],
});
