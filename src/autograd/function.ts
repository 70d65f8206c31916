/**
 * `defineOp`: one autograd op = a forward and a backward side by side. The forward runs with
 * recording off and returns fresh tensors (or views); when any tensor input requires grad and
 * grad mode is on, a Node is recorded and attached to the floating outputs.
 */
import { isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, isGradEnabled, setGradEnabled } from './grad-mode.js';
import { type BackwardFn, Ctx, Node, gradientEdge } from './node.js';

/** What an op declares: its aten name, forward and backward. */
export interface OpSpec<A extends unknown[], R extends Tensor | Tensor[]> {
  /** aten name, lowercase: 'tanh', 'addmm', 'lstm'. */
  name: string;
  /** Node name shown as grad_fn; defaults to PascalCase(name) + 'Backward0'. */
  nodeName?: string;
  /** Computes the outputs; tensor arguments (and arrays of tensors) are the op's inputs. */
  forward(ctx: Ctx, ...args: A): R;
  /** Gradients of the tensor inputs (in argument order) from the gradients of the outputs. */
  backward: BackwardFn;
}

/** Marks an op as having no gradient, like PyTorch's `output_differentiability: [False]`. */
export function notDifferentiable(name: string): BackwardFn {
  return () => {
    throw new Error(`the derivative for '${name}' is not implemented.`);
  };
}

function pascal(name: string): string {
  return name
    .split('_')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : ''))
    .join('');
}

function collectInputs(args: readonly unknown[]): Tensor[] {
  const inputs: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) inputs.push(a);
    else if (Array.isArray(a)) for (const e of a) if (e instanceof Tensor) inputs.push(e);
  }
  return inputs;
}

/** Defines an op; the returned function records the graph when needed. */
export function defineOp<A extends unknown[], R extends Tensor | Tensor[]>(spec: OpSpec<A, R>): (...args: A) => R {
  const nodeName = spec.nodeName ?? `${pascal(spec.name)}Backward0`;
  return (...args: A): R => {
    const inputs = collectInputs(args);
    let needsGrad = false;
    if (isGradEnabled()) for (const t of inputs) if (t.requiresGrad) needsGrad = true;
    const ctx = new Ctx();
    ctx.needsInputGrad = inputs.map((t) => needsGrad && t.requiresGrad);
    const prev = setGradEnabled(false);
    let out: R;
    try {
      out = spec.forward(ctx, ...args);
    } finally {
      setGradEnabled(prev);
    }
    const outs: Tensor[] = Array.isArray(out) ? out : [out as Tensor];
    if (!needsGrad) {
      ctx._release();
      return out;
    }
    const node = new Node(
      nodeName,
      inputs.map((t) => (t.requiresGrad ? gradientEdge(t) : null)),
      inputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
      ctx,
      spec.backward,
    );
    ctx._node = node;
    node.numOutputs = outs.length;
    node.outputMeta = outs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
    if (isAnomalyEnabled()) node.trace = new Error().stack ?? null;
    outs.forEach((o, i) => {
      if (!isFloating(o.dtype)) return;
      if (inputs.includes(o)) throw new Error(`internal: op '${spec.name}' returned its input`);
      o.gradFn = node;
      o.outputNr = i;
    });
    ctx._markOutputs(node);
    return out;
  };
}
