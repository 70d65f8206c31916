/**
 * In-place ops. Each computes its result out of place, then writes it into the tensor's own
 * (possibly strided) memory and bumps the storage version, so saved tensors that were
 * overwritten raise PyTorch's error in backward. Under autograd the tensor takes the new
 * node as its grad_fn (history rebasing); its old value enters the graph through a clone so
 * that the new op never saves memory that it overwrites.
 */
import { isGradEnabled } from '../autograd/grad-mode.js';
import { RuntimeError } from '../errors.js';
import { type DType, isFloating, scalarTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { MethodTable } from '../tensor/methods.js';
import { type TensorLike, asTensor, broadcastShapes, broadcastView, viewOf, backendFor, commonDevice, onDevice } from './util.js';
import { clone } from './movement.js';
import { clamp, maskedFill } from './elementwise.js';
import { checkNumber, checkOptions, describeValue } from '../validate.js';


function castable(from: DType, to: DType): boolean {
  if (isFloating(from) && !isFloating(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

/** Runs `compute` on the tensor's current value and writes the result back into it. */
export function applyInPlace(self: Tensor, compute: (src: Tensor) => Tensor, others: readonly TensorLike[] = []): Tensor {
  const grad = isGradEnabled();
  if (grad && self.isLeaf && self._requiresGrad) {
    throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  const recording = grad && (self.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad));
  if (recording && self.base !== null) {
    // Deviation: PyTorch rebases the base's history (CopySlices); torchlet refuses rather than
    // give the base a wrong gradient.
    throw new RuntimeError(
      'in-place operations on views are not supported by torchlet when autograd records them; use an out-of-place op (torch.cat, torch.where, ...) or torch.noGrad',
    );
  }
  const r = compute(recording ? clone(self) : self);
  if (!castable(r.dtype, self.dtype)) {
    throw new RuntimeError(`result type ${scalarTypeName(r.dtype)} can't be cast to the desired output type ${scalarTypeName(self.dtype)}`);
  }
  const shape = broadcastShapes(self.shape, r.shape);
  if (shape.length !== self.dim() || shape.some((s, i) => s !== self.shape[i])) {
    throw new RuntimeError(
      `output with shape [${self.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
    );
  }
  const device = commonDevice([self, r], true);
  const src = broadcastView(viewOf(onDevice(r, device)), self.shape);
  if (self.dtype === 'int64' && isFloating(r.dtype)) throw new RuntimeError('internal: float into int64');
  backendFor(device).copy(src, viewOf(self));
  self._vc.version++;
  if (recording) {
    self.gradFn = r.gradFn;
    self.outputNr = r.outputNr;
  }
  return self;
}

function valueOpt(fn: string, opts: unknown): number {
  const v = checkOptions<{ value?: unknown }>(fn, opts, ['value']).value;
  return v === undefined ? 1 : checkNumber(fn, 'value', v);
}

/** Fills with a constant (no graph needed when nothing requires grad). */
function fillWith(self: Tensor, value: TensorLike): Tensor {
  if (!(value instanceof Tensor) || !value.requiresGrad) {
    const v = value instanceof Tensor ? value : asTensor(value, self.dtype);
    if (value instanceof Tensor && value.dim() !== 0) {
      throw new RuntimeError(
        `fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`,
      );
    }
    return applyInPlace(self, () => {
      const out = v.dtype === self.dtype ? v : asTensor(v.item(), self.dtype);
      return out;
    });
  }
  return applyInPlace(self, (s) => value.expand(s.shape).mul(1), [value]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * In-place `this += alpha * other`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.add_.html
     * @example p.add_(g, { alpha: -lr }) // SGD step
     */
    add_(other: TensorLike, opts?: { alpha?: number }): this;
    /**
     * In-place `this -= alpha * other`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sub_.html
     * @example x.sub_(x.mean())
     */
    sub_(other: TensorLike, opts?: { alpha?: number }): this;
    /**
     * In-place `this *= other`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mul_.html
     * @example buf.mul_(momentum) // a momentum buffer
     */
    mul_(other: TensorLike): this;
    /**
     * In-place `this /= other`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.div_.html
     * @example x.div_(x.norm())
     */
    div_(other: TensorLike): this;
    /**
     * In-place power.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.pow_.html
     * @example x.pow_(2)
     */
    pow_(e: TensorLike): this;
    /**
     * In-place negation.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.neg_.html
     * @example x.neg_()
     */
    neg_(): this;
    /**
     * In-place exp.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.exp_.html
     * @example x.exp_()
     */
    exp_(): this;
    /**
     * In-place sqrt.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sqrt_.html
     * @example v.sqrt_()
     */
    sqrt_(): this;
    /**
     * In-place tanh.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.tanh_.html
     * @example h.tanh_()
     */
    tanh_(): this;
    /**
     * In-place sigmoid.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sigmoid_.html
     * @example x.sigmoid_()
     */
    sigmoid_(): this;
    /**
     * In-place relu.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.relu_.html
     * @example x.relu_()
     */
    relu_(): this;
    /**
     * In-place abs.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.abs_.html
     * @example x.abs_()
     */
    abs_(): this;
    /**
     * In-place clamp.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.clamp_.html
     * @example g.clamp_(-1, 1)
     */
    clamp_(min?: number | null, max?: number | null): this;
    /**
     * Fills with zeros.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.zero_.html
     * @example w.grad?.zero_()
     */
    zero_(): this;
    /**
     * Fills with a value.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.fill_.html
     * @example torch.empty(3).fill_(7)
     */
    fill_(value: TensorLike): this;
    /**
     * Copies `src` (broadcast, converted) into this tensor.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.copy_.html
     * @example target.copy_(source)
     */
    copy_(src: Tensor): this;
    /**
     * In-place masked fill.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.masked_fill_.html
     * @example scores.maskedFill_(mask, -Infinity)
     */
    maskedFill_(mask: Tensor, value: TensorLike): this;
    /**
     * In-place `this += value * t1 * t2`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.addcmul_.html
     * @example v.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 })
     */
    addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this;
    /**
     * In-place `this += value * t1 / t2`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.addcdiv_.html
     * @example p.addcdiv_(m, v.sqrt().add(eps), { value: -lr })
     */
    addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this;
    /**
     * In-place `this += weight * (end - this)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.lerp_.html
     * @example avg.lerp_(w, 0.01) // exponential moving average
     */
    lerp_(end: Tensor, weight: number): this;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const inplaceMethods: MethodTable = {
  add_(this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
    return applyInPlace(this, (s) => s.add(o, opts), [o]);
  },
  sub_(this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
    return applyInPlace(this, (s) => s.sub(o, opts), [o]);
  },
  mul_(this: Tensor, o: TensorLike) {
    return applyInPlace(this, (s) => s.mul(o), [o]);
  },
  div_(this: Tensor, o: TensorLike) {
    return applyInPlace(this, (s) => s.div(o), [o]);
  },
  pow_(this: Tensor, e: TensorLike) {
    return applyInPlace(this, (s) => s.pow(e), [e]);
  },
  neg_(this: Tensor) {
    return applyInPlace(this, (s) => s.neg());
  },
  exp_(this: Tensor) {
    return applyInPlace(this, (s) => s.exp());
  },
  sqrt_(this: Tensor) {
    return applyInPlace(this, (s) => s.sqrt());
  },
  tanh_(this: Tensor) {
    return applyInPlace(this, (s) => s.tanh());
  },
  sigmoid_(this: Tensor) {
    return applyInPlace(this, (s) => s.sigmoid());
  },
  relu_(this: Tensor) {
    return applyInPlace(this, (s) => s.relu());
  },
  abs_(this: Tensor) {
    return applyInPlace(this, (s) => s.abs());
  },
  clamp_(this: Tensor, min?: number | null, max?: number | null) {
    return applyInPlace(this, (s) => clamp(s, min, max));
  },
  zero_(this: Tensor) {
    return fillWith(this, 0);
  },
  fill_(this: Tensor, v: TensorLike) {
    return fillWith(this, v);
  },
  copy_(this: Tensor, src: Tensor) {
    if (!(src instanceof Tensor)) throw new TypeError(`copy_(): argument 'src' must be Tensor, got ${describeValue(src)}`);
    const shape = broadcastShapes(this.shape, src.shape);
    if (shape.length !== this.dim() || shape.some((s, i) => s !== this.shape[i])) {
      throw new RuntimeError(
        `The size of tensor a (${this.shape[this.dim() - 1] ?? 1}) must match the size of tensor b (${src.shape[src.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(this.dim() - 1, 0)}`,
      );
    }
    // copy_ converts any dtype, like PyTorch (float -> int truncates), and moves a host source to
    // this tensor's device (reading a device into host memory is asynchronous: toHostAsync)
    const device = this.storage.device;
    return applyInPlace(this, () => onDevice(clone(src.expand(this.shape).to(this.dtype)), device), [src]);
  },
  maskedFill_(this: Tensor, mask: Tensor, v: TensorLike) {
    return applyInPlace(this, (s) => maskedFill(s, mask, v), [v]);
  },
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) {
    const v = valueOpt('addcmul_()', opts);
    return applyInPlace(this, (s) => s.add(t1.mul(t2).mul(v)), [t1, t2]);
  },
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) {
    const v = valueOpt('addcdiv_()', opts);
    return applyInPlace(this, (s) => s.add(t1.div(t2).mul(v)), [t1, t2]);
  },
  lerp_(this: Tensor, end: Tensor, w: number) {
    checkNumber('lerp_()', 'weight', w);
    return applyInPlace(this, (s) => s.add(end.sub(s).mul(w)), [end]);
  },
};
