/**
 * Memory: saved tensors are released after backward unless `retainGraph` (PyTorch's
 * `release_variables()`), so a training loop that keeps a reference to its last loss does not
 * keep the step's activations alive; the garbage collector then frees them (checked with WeakRef
 * after a forced GC). The long-running check is `npm run soak` (scripts/soak.ts).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import type { Node } from '../../src/autograd/node.js';
import { expectClose } from '../helpers/fixtures.js';

const { nn } = torch;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Every node reachable from `root` (its grad_fn graph). */
function nodes(root: torch.Tensor): Node[] {
  const out: Node[] = [];
  const seen = new Set<Node>();
  const stack = root.gradFn ? [root.gradFn] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(n);
    for (const [next] of n.nextFunctions) if (next) stack.push(next);
  }
  return out;
}

/** Builds x -> a = 2x -> exp(a) -> sum, returning the loss and a WeakRef to `a` (saved only by exp's ctx). */
function graph(): { x: torch.Tensor; loss: torch.Tensor; a: WeakRef<torch.Tensor> } {
  const x = torch.randn(256, 256, { requiresGrad: true });
  const a = x.mul(2);
  const loss = a.exp().sum();
  return { x, loss, a: new WeakRef(a) };
}

/** Trains a small MLP for `steps` steps, registering each step's hidden activation; returns the last loss. */
function train(steps: number, registry: FinalizationRegistry<number>): torch.Tensor {
  torch.manualSeed(0);
  const l1 = new nn.Linear(16, 32);
  const l2 = new nn.Linear(32, 4);
  const opt = new torch.optim.SGD([...l1.parameters(), ...l2.parameters()], { lr: 0.01 });
  let last: torch.Tensor | null = null;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const hidden = l1.forward(torch.randn(8, 16));
    registry.register(hidden, i);
    const loss = l2.forward(hidden.tanh()).pow(2).mean();
    loss.backward();
    opt.step();
    last = loss;
  }
  return last!;
}

async function collect(): Promise<void> {
  // Two rounds with a turn of the event loop between them: WeakRef targets are kept alive until
  // the end of the current job, and FinalizationRegistry callbacks run after it.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('saved tensors are released after backward', () => {
  it('every node of the graph drops its saved tensors (ctx._saved is null)', () => {
    const x = torch.randn(4, 3, { requiresGrad: true });
    const w = torch.randn(3, 5, { requiresGrad: true });
    const loss = x.matmul(w).tanh().sigmoid().log().mul(x.sum()).sum();
    const ns = nodes(loss).filter((n) => n.name !== 'AccumulateGrad');
    expect(ns.length).toBeGreaterThan(4);
    expect(ns.some((n) => (n.ctx._saved?.length ?? 0) > 0)).toBe(true);
    loss.backward();
    for (const n of ns) {
      expect(n.ctx._saved, n.name).toBeNull();
      expect(n.ctx._freed, n.name).toBe(true);
    }
    // PyTorch's error when backward runs through the freed graph again.
    expect(() => loss.backward()).toThrow(/Trying to backward through the graph a second time/);
  });

  it('retainGraph keeps them for a second backward, and the next backward frees them', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const loss = x.exp().mul(x).sum();
    loss.backward(null, { retainGraph: true });
    const ns = nodes(loss).filter((n) => n.name !== 'AccumulateGrad');
    expect(ns.every((n) => n.ctx._saved !== null)).toBe(true);
    loss.backward();
    expect(ns.every((n) => n.ctx._saved === null)).toBe(true);
    expectClose(x.grad!, x.exp().mul(x.add(1)).mul(2));
  });

  it('torch.autograd.grad frees them too, unless retainGraph or createGraph', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const loss = x.sin().sum();
    const ns = nodes(loss).filter((n) => n.name !== 'AccumulateGrad');
    torch.autograd.grad(loss, [x], { retainGraph: true });
    expect(ns.every((n) => n.ctx._saved !== null)).toBe(true);
    torch.autograd.grad(loss, [x]);
    expect(ns.every((n) => n.ctx._saved === null)).toBe(true);
  });

  it('the fused LSTM frees its workspace after backward', () => {
    torch.manualSeed(0);
    const lstm = new nn.LSTM(4, 8, { numLayers: 2 });
    const [out] = lstm.forward(torch.randn(5, 3, 4));
    const loss = out.sum();
    const ns = nodes(loss).filter((n) => n.name !== 'AccumulateGrad');
    expect(ns.some((n) => /lstm/i.test(n.name) && (n.ctx._saved?.length ?? 0) > 0)).toBe(true);
    loss.backward();
    for (const n of ns) expect(n.ctx._saved, n.name).toBeNull();
  });

  it('the garbage collector reclaims an activation once backward has run, while the loss is still referenced', async () => {
    const { loss, a } = graph();
    await collect();
    expect(a.deref(), 'alive before backward: exp saved it').toBeDefined();
    loss.backward();
    await collect();
    expect(a.deref(), 'freed after backward').toBeUndefined();
    expect(loss.gradFn).not.toBeNull(); // the graph itself is still referenced
  });

  it('with retainGraph the activation stays alive until the graph is dropped', async () => {
    // The graph is held only through `holder`, so that dropping it leaves no stale local behind.
    const holder: { g: ReturnType<typeof graph> | null } = { g: graph() };
    const a = holder.g!.a;
    holder.g!.loss.backward(null, { retainGraph: true });
    await collect();
    expect(a.deref()).toBeDefined();
    holder.g = null; // drop the graph
    await collect();
    expect(a.deref()).toBeUndefined();
  });

  it('a FinalizationRegistry sees the activations of many training steps collected', async () => {
    const steps = 20;
    let finalized = 0;
    const registry = new FinalizationRegistry(() => finalized++);
    const last = train(steps, registry); // in its own (synchronous) frame: no stale locals here
    await collect();
    await collect();
    expect(last.gradFn).not.toBeNull(); // the last loss (and its graph) is still referenced
    // Every step's hidden activation is collectable, including the last one's (backward freed it).
    expect(finalized).toBe(steps);
  });
});
