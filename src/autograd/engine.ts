/**
 * The backward engine: walks the recorded graph from the roots in dependency order, sums the
 * gradients that meet at a node, reduces broadcast gradients back to each input's shape, runs
 * hooks, accumulates into leaves' `.grad`, and frees saved tensors unless `retainGraph`.
 */
import { RuntimeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, runInBackward, setGradEnabled } from './grad-mode.js';
import { type Edge, type Node, gradientEdge } from './node.js';
import { sumToShape, addGrad, cloneGrad, castGrad, nonFiniteKind } from './grad-utils.js';

/** Options of a backward pass. */
export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/**
 * Runs backward from `roots` with seed gradients `grads`. With `inputs`, returns their gradients
 * instead of accumulating into `.grad` (torch.autograd.grad).
 */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly Tensor[],
  opts: BackwardOptions & { inputs?: readonly Tensor[]; allowUnused?: boolean },
): (Tensor | null)[] {
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const createGraph = opts.createGraph ?? false;
  const rootEdges: Edge[] = roots.map((r, i) => {
    const e = r.requiresGrad ? gradientEdge(r) : null;
    if (!e) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return e;
  });

  // Capture points for autograd.grad: (node, output index) of each input.
  const capture = new Map<Node, Map<number, number>>();
  const captured: (Tensor | null)[] = [];
  if (opts.inputs) {
    opts.inputs.forEach((t, i) => {
      const e = gradientEdge(t);
      if (!e) throw new RuntimeError('One of the differentiated Tensors does not require grad');
      let m = capture.get(e.node);
      if (!m) capture.set(e.node, (m = new Map()));
      m.set(e.nr, i);
      captured.push(null);
    });
  }

  // Dependency counts over the reachable graph.
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack: Node[] = rootEdges.map((e) => e.node);
  for (const n of stack) seen.add(n);
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }

  const buffers = new Map<Node, (Tensor | null)[]>();
  // Gradients nothing else references (fresh outputs of a backward, or sums): a leaf's first
  // gradient can be one of these as is, where PyTorch's AccumulateGrad steals a gradient whose
  // use count says it is unshared; any other is cloned.
  const owned = new Set<Tensor>();
  const put = (e: Edge, g: Tensor, own: boolean): void => {
    let b = buffers.get(e.node);
    if (!b) buffers.set(e.node, (b = new Array<Tensor | null>(e.node.numOutputs).fill(null)));
    const prev = b[e.nr];
    if (prev) {
      owned.delete(prev);
      b[e.nr] = addGrad(prev, g);
      if (!createGraph) owned.add(b[e.nr]!);
    } else {
      b[e.nr] = g;
      if (own) owned.add(g);
    }
  };
  const prevMode = setGradEnabled(createGraph);
  try {
    rootEdges.forEach((e, i) => put(e, grads[i]!, false));
    const ready: Node[] = [];
    for (const e of rootEdges) if (!deps.get(e.node) && !ready.includes(e.node)) ready.push(e.node);
    while (ready.length) {
      const node = ready.pop()!;
      const gradsIn = buffers.get(node) ?? new Array<Tensor | null>(node.numOutputs).fill(null);
      buffers.delete(node);
      // Hooks and retained gradients of non-leaf outputs.
      for (let k = 0; k < gradsIn.length; k++) {
        let g = gradsIn[k];
        if (!g) continue;
        const hooks = node.preHooks.get(k);
        if (hooks) for (const h of hooks) g = h(g) ?? g;
        gradsIn[k] = g;
        const keep = node.retained.get(k);
        if (keep && !opts.inputs) keep.grad = keep.grad ? addGrad(keep.grad, g) : cloneGrad(g, createGraph);
        const cap = capture.get(node)?.get(k);
        if (cap !== undefined) captured[cap] = g;
      }
      if (node.variable) {
        // a leaf reached only through null gradients (e.g. norm with p = 0) keeps grad null
        const g = gradsIn[0];
        if (!opts.inputs && g) accumulate(node.variable, g, createGraph, owned.has(g) && node.preHooks.size === 0);
      } else if (node.fn) {
        const out = isAnomalyEnabled() ? runInBackward(() => node.fn!(node.ctx, gradsIn)) : node.fn(node.ctx, gradsIn);
        if (isAnomalyEnabled()) checkBackwardAnomaly(node, out);
        for (let i = 0; i < node.next.length; i++) {
          const e = node.next[i];
          const raw = out[i];
          if (!e || !raw) continue;
          const g = castGrad(sumToShape(raw, node.inputMeta[i]!.shape), node.inputMeta[i]!.dtype);
          put(e, g, !createGraph && e.node.variable !== null && isOwned(g, i, out, gradsIn, node));
        }
        if (!retain) node.ctx._release();
      }
      for (const g of gradsIn) if (g) owned.delete(g);
      for (const e of node.next) {
        if (!e) continue;
        const d = deps.get(e.node)! - 1;
        deps.set(e.node, d);
        if (d === 0) ready.push(e.node);
      }
    }
  } finally {
    setGradEnabled(prevMode);
  }
  if (opts.inputs && !opts.allowUnused) {
    captured.forEach((g) => {
      if (!g) {
        throw new RuntimeError(
          'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
        );
      }
    });
  }
  return captured;
}

/**
 * Anomaly mode, backward: PyTorch's `Function 'LogBackward0' returned nan values in its 0th output.`
 * Deviation: infinities are reported too (`returned inf values`); PyTorch checks only for NaN.
 * The error's `cause` carries the stack of the forward call that created the node.
 */
function checkBackwardAnomaly(node: Node, out: readonly (Tensor | null | undefined)[]): void {
  let firstInf = -1;
  for (let i = 0; i < out.length; i++) {
    const g = out[i];
    if (!g || (g.dtype !== 'float32' && g.dtype !== 'float64')) continue;
    const kind = nonFiniteKind(g);
    if (kind === 'nan') throw anomalyError(node, `Function '${node.name}' returned nan values in its ${i}th output.`);
    if (kind === 'inf' && firstInf < 0) firstInf = i;
  }
  if (firstInf >= 0) throw anomalyError(node, `Function '${node.name}' returned inf values in its ${firstInf}th output.`);
}

function anomalyError(node: Node, message: string): RuntimeError {
  const cause = new Error(`forward call that created ${node.name}`);
  if (node.trace) cause.stack = node.trace;
  return new RuntimeError(message, { cause });
}

/**
 * Whether output `i` of a backward, `g`, is referenced by nothing but the engine: a dense tensor
 * with storage of its own, not an incoming gradient, a saved tensor or another output (or a view
 * of one). Such a gradient can become a leaf's `.grad` without a copy.
 */
function isOwned(g: Tensor, i: number, out: readonly (Tensor | null | undefined)[], gradsIn: readonly (Tensor | null)[], node: Node): boolean {
  if (g.base !== null || g.requiresGrad || !g.isContiguous()) return false;
  const st = g.storage;
  for (const t of gradsIn) if (t && t.storage === st) return false;
  for (let j = 0; j < out.length; j++) if (j !== i && out[j] && out[j]!.storage === st) return false;
  const saved = node.ctx._saved;
  if (saved) for (const s of saved) if (s.t.storage === st) return false;
  return true;
}

function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean, owned: boolean): void {
  if (leaf._hooks.length > 0) {
    owned = false; // a hook may keep what it is given
    for (const h of leaf._hooks) g = h(g) ?? g;
  }
  if (!leaf.grad) leaf.grad = owned && !createGraph ? g : cloneGrad(g, createGraph);
  else leaf.grad = addGrad(leaf.grad, g, !createGraph);
}
