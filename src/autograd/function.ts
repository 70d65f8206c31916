/**
 * `defineOp`: one autograd op = a forward and a backward side by side. The forward runs with
 * recording off and returns fresh tensors (or views); when any tensor input requires grad and
 * grad mode is on, a Node is recorded and attached to the floating outputs.
 */
import { RuntimeError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, isGradEnabled, isInBackward, setGradEnabled } from './grad-mode.js';
import { type BackwardFn, Ctx, Node, type OpCtx, gradientEdge } from './node.js';
import { nonFiniteKind } from './grad-utils.js';

/**
 * What an op declares: its aten name, forward and backward, and `S`, the typed record of
 * non-tensor values the forward leaves in `ctx` for the backward (see `OpCtx`).
 */
export interface OpSpec<A extends unknown[], R extends Tensor | Tensor[], S extends object = object> {
  /** aten name, lowercase: 'tanh', 'addmm', 'lstm'. */
  name: string;
  /** Node name shown as grad_fn; defaults to PascalCase(name) + 'Backward0'. */
  nodeName?: string;
  /**
   * The op's input slots, in the order the backward returns their gradients. An optional input
   * that is absent keeps its slot as null (it needs no gradient), so the backward's result
   * positions never shift. Default: the tensor arguments (and tensors in array arguments), in
   * argument order, skipping everything else.
   */
  inputs?: (...args: A) => (Tensor | null)[];
  /** Computes the outputs. */
  forward(ctx: OpCtx<S>, ...args: A): R;
  /** Gradients of the input slots (in order) from the gradients of the outputs. */
  backward: BackwardFn<S>;
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

/**
 * Anomaly mode, forward: the first op whose floating outputs hold NaN or an infinity while all its
 * tensor inputs are finite is reported by name (an op that only passes on non-finite values it
 * was given is not the one to blame). Runs only when anomaly detection is on.
 */
function checkForwardAnomaly(name: string, inputs: readonly (Tensor | null)[], outs: readonly Tensor[]): void {
  let kind: 'nan' | 'inf' | null = null;
  for (const o of outs) {
    if (!isFloating(o.dtype)) continue;
    const k = nonFiniteKind(o);
    if (k === 'nan' || (k === 'inf' && kind === null)) kind = k;
  }
  if (kind === null) return;
  for (const t of inputs) if (t && isFloating(t.dtype) && nonFiniteKind(t) !== null) return;
  throw new RuntimeError(`anomaly detected: '${name}' produced ${kind} values in its output`);
}

/** The metadata of an absent optional input's slot (its edge is null, so nothing reads it). */
const ABSENT = Object.freeze({ shape: Object.freeze([]) as readonly number[], dtype: 'float32' as const });

/** Defines an op; the returned function records the graph when needed. */
export function defineOp<A extends unknown[], R extends Tensor | Tensor[], S extends object = object>(spec: OpSpec<A, R, S>): (...args: A) => R {
  const nodeName = spec.nodeName ?? `${pascal(spec.name)}Backward0`;
  const slots = spec.inputs;
  return (...args: A): R => {
    const inputs: (Tensor | null)[] = slots ? slots(...args) : collectInputs(args);
    let needsGrad = false;
    if (isGradEnabled()) for (const t of inputs) if (t?.requiresGrad) needsGrad = true;
    const ctx = new Ctx() as OpCtx<S>;
    ctx.needsInputGrad = inputs.map((t) => needsGrad && t !== null && t.requiresGrad);
    const prev = setGradEnabled(false);
    let out: R;
    try {
      out = spec.forward(ctx, ...args);
    } finally {
      setGradEnabled(prev);
    }
    const outs: Tensor[] = Array.isArray(out) ? out : [out as Tensor];
    if (isAnomalyEnabled() && !isInBackward()) checkForwardAnomaly(spec.name, inputs, outs);
    if (!needsGrad) {
      ctx._release();
      return out;
    }
    const node = new Node(
      nodeName,
      inputs.map((t) => (t?.requiresGrad ? gradientEdge(t) : null)),
      inputs.map((t) => (t ? { shape: t.shape, dtype: t.dtype } : ABSENT)),
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
