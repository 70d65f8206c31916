/**
 * Graph nodes. A Node is one recorded op: its backward function, the edges to the nodes that
 * produced its inputs, the saved tensors (with the versions they had when saved), and hooks.
 */
import { RuntimeError } from '../errors.js';
import { legacyTypeName, type DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** An edge to the node (and its output index) that produced an input. */
export interface Edge {
  node: Node;
  nr: number;
}

/** Shape and dtype of an input, used to reduce broadcast gradients and cast them back. */
export interface InputMeta {
  shape: readonly number[];
  dtype: DType;
}

interface SavedEntry {
  t: Tensor;
  version: number;
  /** node name and output index of the saved tensor at save time, for the error message */
  producer: string | null;
  producerNr: number;
}

/** Per-op context: saved tensors and arbitrary data the backward needs. */
export class Ctx {
  /** @internal */
  _saved: SavedEntry[] | null = [];
  /** @internal */
  _node: Node | null = null;
  /** @internal */
  _freed = false;
  /** Which tensor inputs need a gradient (aligned with the op's tensor inputs). */
  needsInputGrad: boolean[] = [];

  /** Saves tensors for backward; in-place changes to them before backward raise an error. */
  save(...ts: Tensor[]): void {
    if (!this._saved) this._saved = [];
    for (const t of ts) {
      this._saved.push({ t, version: t._vc.version, producer: t.gradFn ? t.gradFn.name : null, producerNr: t.outputNr });
    }
  }

  /** The saved tensors, checked against in-place modification. */
  get saved(): Tensor[] {
    if (this._freed || !this._saved) {
      throw new RuntimeError(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
      );
    }
    for (const s of this._saved) {
      if (s.t._vc.version !== s.version) {
        const desc = `[${legacyTypeName(s.t.dtype)} [${s.t.shape.join(', ')}]]`;
        const which = s.producer !== null ? `, which is output ${s.producerNr} of ${s.producer},` : '';
        throw new RuntimeError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ${desc}${which} is at version ${s.t._vc.version}; expected version ${s.version} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
        );
      }
    }
    return this._saved.map((s) => s.t);
  }

  /** @internal names the node as producer of saved tensors that are its own outputs. */
  _markOutputs(node: Node): void {
    if (!this._saved) return;
    for (const s of this._saved) {
      if (s.t.gradFn === node) {
        s.producer = node.name;
        s.producerNr = s.t.outputNr;
      }
    }
  }

  /** @internal frees saved tensors after backward (unless retainGraph). */
  _release(): void {
    this._saved = null;
    this._freed = true;
  }
}

/**
 * The context an op's forward and backward share: the saved tensors (`save` / `saved`, checked
 * against in-place changes) plus the op's own typed record `S` of what else its backward needs
 * (shapes, dims, options), declared by annotating the forward's `ctx` parameter:
 * `forward(ctx: OpCtx<{ dims: number[] }>, x: Tensor)` makes `ctx.dims` typed in both functions.
 */
export type OpCtx<S extends object = object> = Ctx & S;

/** Backward function: gradients of the outputs in, gradients of the op's inputs out (one per input slot). */
export type BackwardFn<S extends object = object> = (ctx: OpCtx<S>, grads: (Tensor | null)[]) => (Tensor | null | undefined)[];

/**
 * A recorded op in the autograd graph (PyTorch's `grad_fn`).
 * See https://pytorch.org/docs/1.13/notes/autograd.html
 * @example const y = x.mul(2); y.gradFn?.name // 'MulBackward0'; y.gradFn?.nextFunctions
 */
export class Node {
  /** PyTorch-style name, e.g. `AddBackward0`, `AccumulateGrad`. */
  readonly name: string;
  /** Edges per tensor input (null where the input needs no grad). */
  readonly next: (Edge | null)[];
  /** Metadata of each tensor input. */
  readonly inputMeta: InputMeta[];
  /** Number of outputs. */
  numOutputs: number;
  /** Shapes/dtypes of outputs, used to make zero gradients for unused outputs. */
  outputMeta: InputMeta[] = [];
  /** @internal */
  readonly ctx: Ctx;
  /** @internal */
  readonly fn: BackwardFn<any> | null;
  /** For AccumulateGrad nodes: the leaf. */
  readonly variable: Tensor | null;
  /** Hooks on non-leaf outputs, keyed by output index (run on the incoming gradient). */
  preHooks: Map<number, ((g: Tensor) => Tensor | void | undefined)[]> = new Map();
  /** Output indexes whose gradient is retained into the tensor's `.grad` (retainGrad). */
  retained: Map<number, Tensor> = new Map();
  /** Stack at creation, recorded in anomaly mode. */
  trace: string | null = null;

  constructor(name: string, next: (Edge | null)[], inputMeta: InputMeta[], ctx: Ctx, fn: BackwardFn<any> | null, variable: Tensor | null = null) {
    this.name = name;
    this.next = next;
    this.inputMeta = inputMeta;
    this.ctx = ctx;
    this.fn = fn;
    this.variable = variable;
    this.numOutputs = 1;
  }

  /** The inputs' nodes, like PyTorch's `next_functions`. */
  get nextFunctions(): [Node | null, number][] {
    return this.next.map((e) => (e ? [e.node, e.nr] : [null, 0]));
  }
}

/** The edge for a tensor that requires grad: its grad_fn, or its (cached) AccumulateGrad node. */
export function gradientEdge(t: Tensor): Edge | null {
  if (t.gradFn) return { node: t.gradFn, nr: t.outputNr };
  if (!t._requiresGrad) return null;
  if (!t._accNode) t._accNode = new Node('AccumulateGrad', [], [], new Ctx(), null, t);
  return { node: t._accNode, nr: 0 };
}
