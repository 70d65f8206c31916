/**
 * Differentiable backwards for fused ops. A fused op's backward (one kernel, no graph) cannot be
 * differentiated again; when its backward runs with grad mode on (`createGraph`), it hands
 * `differentiableVjp` a composite of the same math from tensor ops, and gets gradients that are
 * themselves recorded, like PyTorch's `_thnn_differentiable_lstm_cell_backward` path.
 *
 * The vector-Jacobian product runs inside one recorded op (a "cut"): the composite is evaluated
 * on detached leaf copies of the op's inputs and of the incoming gradients, so differentiating it
 * walks only the composite's own graph, never the graph upstream of the op's inputs (which an
 * autograd.grad on the real inputs would also run, once per fused op below it). The cut's backward
 * differentiates that inner graph; with grad mode on again it is itself a cut of the vector-Jacobian
 * product, so every order of derivative is recorded.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { enableGrad, isGradEnabled } from '../autograd/grad-mode.js';
import { runBackward } from '../autograd/engine.js';
import { emptyTensor } from '../tensor/create.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** A function of optional tensors to optional tensors (null: absent input, or no output). */
export type TensorListFn = (xs: readonly (Tensor | null)[]) => (Tensor | null)[];

/** `g` (or zeros when absent) as the seed of output `o`'s gradient, in `o`'s dtype. */
function seedFor(o: Tensor, g: Tensor | null | undefined): Tensor {
  if (!g) return emptyTensor(o.shape, o.dtype, o.storage.device);
  return g.dtype === o.dtype ? g : g.to(o.dtype);
}

/**
 * Gradients of `outs` (seeded with `gOuts`) with respect to the inputs `xs[i]`, i in `wrt`, as
 * one array per input slot (null outside `wrt`, for an absent input, or where unused).
 */
function vjp(
  outs: readonly (Tensor | null)[], gOuts: readonly (Tensor | null | undefined)[], xs: readonly (Tensor | null)[],
  wrt: readonly number[], createGraph: boolean,
): (Tensor | null)[] {
  const res = new Array<Tensor | null>(xs.length).fill(null);
  const roots: Tensor[] = [];
  const seeds: Tensor[] = [];
  outs.forEach((o, k) => {
    if (o?.requiresGrad) {
      roots.push(o);
      seeds.push(seedFor(o, gOuts[k]));
    }
  });
  const want = wrt.filter((i) => xs[i]?.requiresGrad);
  if (roots.length === 0 || want.length === 0) return res;
  const grads = runBackward(roots, seeds, {
    inputs: want.map((i) => xs[i]!), allowUnused: true, createGraph, retainGraph: true,
  });
  want.forEach((i, k) => (res[i] = grads[k]!));
  return res;
}

/** `f`'s vector-Jacobian product: (xs..., gOuts...) → gradients of f's outputs w.r.t. xs[i], i in `wrt` (recorded). */
function vjpFn(f: TensorListFn, nIn: number, wrt: readonly number[]): TensorListFn {
  return (args) => {
    const xs = args.slice(0, nIn);
    return vjp(f(xs), args.slice(nIn), xs, wrt, true);
  };
}

interface CutState {
  f: TensorListFn;
  /** The op's inputs (the originals, for a recorded backward). */
  args: readonly (Tensor | null)[];
  /** The leaf copies f ran on, and f's outputs over them (the inner graph). */
  leaves: (Tensor | null)[];
  inner: (Tensor | null)[];
  /** Positions of f's non-null outputs (the op's outputs). */
  present: number[];
}

const cutOp = defineOp({
  name: 'differentiable_backward',
  nodeName: 'DifferentiableBackward0',
  inputs: (_f: TensorListFn, args: readonly (Tensor | null)[], _out: { present: number[] }) => [...args],
  forward(ctx: OpCtx<CutState>, f: TensorListFn, args: readonly (Tensor | null)[], out: { present: number[] }): Tensor[] {
    const leaves = args.map((t) => (t && isFloating(t.dtype) ? t.detach().requiresGrad_() : t));
    const inner = enableGrad(() => f(leaves));
    const present: number[] = [];
    inner.forEach((o, i) => o && present.push(i));
    out.present = present;
    if (ctx.needsInputGrad.some(Boolean)) {
      ctx.save(...args.filter((t): t is Tensor => t !== null));
      Object.assign(ctx, { f, args, leaves, inner, present });
    }
    return present.map((i) => inner[i]!.detach());
  },
  backward(ctx, gOuts) {
    void ctx.saved; // the freed-graph and in-place checks
    const g = new Array<Tensor | null>(ctx.inner.length).fill(null);
    ctx.present.forEach((i, k) => (g[i] = gOuts[k] ?? null));
    const n = ctx.args.length;
    const wrt: number[] = [];
    for (let i = 0; i < n; i++) if (ctx.needsInputGrad[i]) wrt.push(i);
    if (isGradEnabled()) return differentiableVjp(ctx.f, ctx.args, g, wrt);
    return vjp(ctx.inner, g, ctx.leaves, wrt, false);
  },
});

/**
 * The vector-Jacobian product of `f` at `xs` with output gradients `gOuts`: the gradients of f's
 * outputs with respect to `xs[i]` for i in `wrt` (null elsewhere), computed so that they are
 * differentiable again with respect to `xs` and `gOuts` (any order). `f` must be a composite of
 * differentiable ops; a fused op's backward calls this when grad mode is on.
 * See https://pytorch.org/docs/1.13/notes/extending.html#double-backward
 * @example
 * // in a fused op's backward, when a graph of the backward is requested:
 * if (isGradEnabled()) return differentiableVjp((xs) => [xs[0]!.tanh()], [x], [gy], [0]);
 */
export function differentiableVjp(
  f: TensorListFn, xs: readonly (Tensor | null)[], gOuts: readonly (Tensor | null | undefined)[], wrt: readonly number[],
): (Tensor | null)[] {
  const n = xs.length;
  const out = { present: [] as number[] };
  const outs = cutOp(vjpFn(f, n, wrt), [...xs, ...gOuts.map((g) => g ?? null)], out);
  // the cut returns the non-null gradients only; put them back in their slots
  const res = new Array<Tensor | null>(n).fill(null);
  out.present.forEach((i, k) => (res[i] = outs[k]!));
  return res;
}
