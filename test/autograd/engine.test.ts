import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

// The engine hands a leaf its first gradient without a copy when nothing else can reference it
// (a fresh output of a backward), like PyTorch's AccumulateGrad stealing an unshared gradient.
// These cases would go wrong if it took a gradient that is shared.

const vals = (t: torch.Tensor): number[] => Array.from(t.dataSync());

describe('leaf gradient accumulation', () => {
  it('a gradient passed through to two leaves is copied for each', () => {
    const a = torch.tensor([1, 2, 3]).float().requiresGrad_();
    const b = torch.tensor([4, 5, 6]).float().requiresGrad_();
    a.add(b).sum().backward(); // AddBackward returns the same gradient for both inputs
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    a.grad!.add_(1);
    expect(vals(b.grad!)).toEqual([1, 1, 1]);
  });

  it("a leaf's own seed gradient is copied", () => {
    const x = torch.tensor([1, 2]).float().requiresGrad_();
    const g = torch.tensor([3, 4]).float();
    x.backward(g);
    expect(x.grad!.storage).not.toBe(g.storage);
    x.grad!.zero_();
    expect(vals(g)).toEqual([3, 4]);
  });

  it('a seed gradient passed through clone to a leaf is copied', () => {
    const x = torch.tensor([1, 2]).float().requiresGrad_();
    const g = torch.tensor([3, 4]).float();
    x.clone().backward(g); // CloneBackward hands the seed itself to x
    expect(x.grad!.storage).not.toBe(g.storage);
    x.grad!.zero_();
    expect(vals(g)).toEqual([3, 4]);
  });

  it('fresh gradients accumulate correctly over repeated and retained backward passes', () => {
    const w = torch.tensor([[1, 2], [3, 4]]).float().requiresGrad_();
    const x = torch.tensor([[1, 1], [2, 0]]).float();
    const loss = x.matmul(w).mul(w).sum();
    loss.backward(null, { retainGraph: true });
    const first = vals(w.grad!);
    loss.backward();
    expect(vals(w.grad!)).toEqual(first.map((v) => 2 * v));
  });

  it('a gradient a tensor hook has seen is not modified by later accumulation', () => {
    const w = torch.tensor([1, 2]).float().requiresGrad_();
    const seen: torch.Tensor[] = [];
    w.registerHook((g) => {
      seen.push(g);
    });
    const loss = w.mul(w).sum();
    loss.backward(null, { retainGraph: true });
    loss.backward();
    expect(vals(seen[0]!)).toEqual([2, 4]);
    expect(vals(w.grad!)).toEqual([4, 8]);
  });

  it('a leaf used twice in one op gets the sum of both gradients', () => {
    const x = torch.tensor([1, 2, 3]).float().requiresGrad_();
    x.mul(x).sum().backward();
    expect(vals(x.grad!)).toEqual([2, 4, 6]);
  });

  it('gradients of views of one buffer are not shared between leaves', () => {
    const a = torch.tensor([1, 2]).float().requiresGrad_();
    const b = torch.tensor([3, 4]).float().requiresGrad_();
    torch.stack([a, b]).mul(torch.tensor([[1, 2], [3, 4]]).float()).sum().backward();
    expect(vals(a.grad!)).toEqual([1, 2]);
    expect(vals(b.grad!)).toEqual([3, 4]);
    a.grad!.add_(10);
    expect(vals(b.grad!)).toEqual([3, 4]);
  });
});

// Optional inputs keep their slots (OpSpec.inputs): PyTorch 1.13 prints, for
// `F.conv1d(x, w).grad_fn.next_functions` without a bias,
// ((AccumulateGrad, 0), (AccumulateGrad, 0), (None, 0)).
describe('input slots', () => {
  it('an absent bias keeps its slot in the graph, as in PyTorch', () => {
    const x = torch.randn(1, 2, 5).requiresGrad_();
    const w = torch.randn(3, 2, 2).requiresGrad_();
    const y = torch.nn.functional.conv1d(x, w);
    expect(y.gradFn!.name).toBe('ConvolutionBackward0');
    expect(y.gradFn!.nextFunctions.map(([f, n]) => [f?.name ?? null, n])).toEqual([
      ['AccumulateGrad', 0],
      ['AccumulateGrad', 0],
      [null, 0],
    ]);
  });
});
