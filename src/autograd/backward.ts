/**
 * The user-facing autograd entry points: `Tensor.backward`, `torch.autograd.grad`, tensor hooks
 * and `retainGrad`.
 */
import { RuntimeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { MethodTable } from '../tensor/methods.js';
import { onesLikeRaw } from './grad-utils.js';
import { type BackwardOptions, runBackward } from './engine.js';
import { checkBool, checkOptions, describeValue } from '../validate.js';

function tensorList(fn: string, name: string, v: unknown): readonly Tensor[] {
  if (v instanceof Tensor) return [v];
  if (!Array.isArray(v)) throw new TypeError(`${fn}: argument '${name}' must be a Tensor or an array of Tensors, got ${describeValue(v)}`);
  v.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${fn}: argument '${name}' must be an array of Tensors, but element ${i} is ${describeValue(t)}`);
  });
  return v as Tensor[];
}

function gradList(fn: string, name: string, v: unknown, n: number): readonly (Tensor | null | undefined)[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new TypeError(`${fn}: argument '${name}' must be an array of Tensors (or nulls), got ${describeValue(v)}`);
  if (v.length !== n) throw new RuntimeError(`${fn}: got ${v.length} entries in '${name}' for ${n} outputs`);
  v.forEach((t, i) => {
    if (t !== null && t !== undefined && !(t instanceof Tensor)) {
      throw new TypeError(`${fn}: argument '${name}' must hold Tensors or nulls, but element ${i} is ${describeValue(t)}`);
    }
  });
  return v as (Tensor | null)[];
}

/** Validates `{ retainGraph, createGraph }` (plus `extra` keys) of a backward call. */
function backwardOptions<O extends BackwardOptions>(fn: string, opts: unknown, extra: string[] = []): O {
  const o = checkOptions<O>(fn, opts, ['retainGraph', 'createGraph', ...extra]);
  if (o.retainGraph !== undefined && o.retainGraph !== null) checkBool(fn, 'retainGraph', o.retainGraph);
  if (o.createGraph !== undefined) checkBool(fn, 'createGraph', o.createGraph);
  return o;
}

function checkGradShape(g: Tensor, out: Tensor, i: number): void {
  if (g.shape.length !== out.shape.length || g.shape.some((s, k) => s !== out.shape[k])) {
    throw new RuntimeError(
      `Mismatch in shape: grad_output[${i}] has a shape of torch.Size([${g.shape.join(', ')}]) and output[${i}] has a shape of torch.Size([${out.shape.join(', ')}]).`,
    );
  }
}

function seedGrads(outputs: readonly Tensor[], grads?: readonly (Tensor | null | undefined)[]): Tensor[] {
  return outputs.map((o, i) => {
    if (!o.requiresGrad) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    const g = grads?.[i];
    if (g) {
      checkGradShape(g, o, i);
      return g;
    }
    if (o.numel() !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
    return onesLikeRaw(o);
  });
}

/**
 * Gradients of `outputs` with respect to `inputs`, without touching `.grad`, like
 * `torch.autograd.grad`.
 * See https://pytorch.org/docs/1.13/generated/torch.autograd.grad.html
 * @example const [dx] = torch.autograd.grad(y.sum(), [x]);
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: BackwardOptions & { gradOutputs?: (Tensor | null)[]; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  const outs = tensorList('grad()', 'outputs', outputs);
  const ins = tensorList('grad()', 'inputs', inputs);
  const o = backwardOptions<BackwardOptions & { gradOutputs?: (Tensor | null)[]; allowUnused?: boolean }>('grad()', opts, ['gradOutputs', 'allowUnused']);
  if (o.allowUnused !== undefined) checkBool('grad()', 'allowUnused', o.allowUnused);
  return runBackward(outs, seedGrads(outs, gradList('grad()', 'gradOutputs', o.gradOutputs, outs.length)), { ...o, inputs: ins });
}

/**
 * Backward from several roots at once, like `torch.autograd.backward`.
 * See https://pytorch.org/docs/1.13/generated/torch.autograd.backward.html
 * @example torch.autograd.backward([loss1, loss2]); // same as loss1.add(loss2).backward()
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors?: (Tensor | null)[],
  opts: BackwardOptions = {},
): void {
  const outs = tensorList('backward()', 'tensors', tensors);
  runBackward(outs, seedGrads(outs, gradList('backward()', 'grad_tensors', gradTensors, outs.length)), backwardOptions('backward()', opts));
}

/**
 * A handle that removes a registered hook.
 * See https://pytorch.org/docs/1.13/generated/torch.Tensor.register_hook.html
 */
export interface RemovableHandle {
  remove(): void;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Computes gradients of this tensor with respect to the graph's leaves and accumulates them
     * into their `.grad`, like `Tensor.backward`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.backward.html
     * @example loss.backward();
     */
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    /**
     * Registers a hook called with this tensor's gradient; it may return a replacement.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.register_hook.html
     * @example const h = x.registerHook((g) => g.clamp(-1, 1)); h.remove();
     */
    registerHook(hook: (grad: Tensor) => Tensor | void | undefined): RemovableHandle;
    /**
     * Keeps the gradient of a non-leaf in `.grad` after backward.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.retain_grad.html
     * @example
     * const w = torch.ones(2, { requiresGrad: true });
     * const h = w.mul(2); h.retainGrad(); h.sum().backward(); h.grad // tensor([1., 1.])
     */
    retainGrad(): void;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const autogradMethods: MethodTable = {
  backward(this: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}) {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      throw new TypeError(`backward(): argument 'gradient' must be a Tensor or null, got ${describeValue(gradient)}`);
    }
    runBackward([this], seedGrads([this], [gradient]), backwardOptions('backward()', opts));
  },
  registerHook(this: Tensor, hook: (g: Tensor) => Tensor | void | undefined): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`register_hook(): expected a function, got ${describeValue(hook)}`);
    if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    let list: ((g: Tensor) => Tensor | void | undefined)[];
    if (this.gradFn) {
      const fn = this.gradFn;
      list = fn.preHooks.get(this.outputNr) ?? [];
      fn.preHooks.set(this.outputNr, list);
    } else list = this._hooks;
    list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  },
  retainGrad(this: Tensor) {
    if (!this.requiresGrad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn) this.gradFn.retained.set(this.outputNr, this);
  },
};
