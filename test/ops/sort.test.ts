import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface Args {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
  k?: number;
  largest?: boolean;
  sorted?: boolean;
  keepdim?: boolean;
}
interface Case {
  name: string;
  op: 'sort' | 'argsort' | 'msort' | 'topk' | 'kthvalue';
  x: Enc;
  args: Args;
  values?: Enc;
  indices?: Enc;
  w?: Enc;
  grad?: Enc;
  error?: { type: string; message: string };
}

const fx = loadFixture<{ torch: string; cases: Case[] }>('sort');

/** The torchlet call a case describes (mirrors `call` in tools/fixtures/gen_sort.py). */
function call(op: Case['op'], x: T, a: Args): { values?: T; indices?: T } {
  const stable = a.stable === undefined ? {} : { stable: a.stable };
  switch (op) {
    case 'sort':
      return torch.sort(x, a.dim ?? -1, a.descending ?? false, stable);
    case 'argsort':
      return { indices: torch.argsort(x, a.dim ?? -1, a.descending ?? false, stable) };
    case 'msort':
      return { values: torch.msort(x) };
    case 'topk':
      return torch.topk(x, a.k!, a.dim ?? -1, a.largest ?? true, a.sorted ?? true);
    case 'kthvalue':
      return torch.kthvalue(x, a.k!, a.dim ?? -1, a.keepdim ?? false);
  }
}

describe(`sort, argsort, msort, topk, kthvalue match PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      if (c.error) return expectError(() => call(c.op, fromFixture(c.x), c.args), c.error);
      const x = fromFixture(c.x, c.grad !== undefined);
      const r = call(c.op, x, c.args);
      if (c.values) {
        expect(r.values!.dtype).toBe(c.values.dtype);
        expectClose(r.values!, c.values, 0, 0);
      }
      if (c.indices) {
        expect(r.indices!.dtype).toBe('int64');
        expectClose(r.indices!, c.indices, 0, 0);
      }
      if (c.grad) {
        r.values!.mul(fromFixture(c.w!)).sum().backward();
        expectClose(x.grad!, c.grad, 1e-6, 1e-6);
      }
    });
  }
});

describe('named tuples (torch.return_types)', () => {
  const x = torch.tensor([[1, 5, 2], [7, 0, 3]], { dtype: 'float32' });

  it('destructure as [values, indices] and have .values / .indices', () => {
    for (const r of [x.max(1), x.min(1), torch.max(x, 0), x.sort(), x.topk(2), x.kthvalue(1)]) {
      const [v, i] = r;
      expect(r.values).toBe(v);
      expect(r.indices).toBe(i);
      expect(r[0]).toBe(v);
      expect(r.length).toBe(2);
      expect(Array.isArray(r)).toBe(true);
      expect(i.dtype).toBe('int64');
    }
    expect(x.min(0).values.tolist()).toEqual([1, 0, 2]);
    expect(x.max(1).indices.tolist()).toEqual([1, 0]);
    expect(x.sort(1, true).values.tolist()).toEqual([[5, 2, 1], [7, 3, 0]]);
  });

  it('methods match the functions', () => {
    expect(x.argsort(1).tolist()).toEqual([[0, 2, 1], [1, 2, 0]]);
    expect(x.msort().tolist()).toEqual([[1, 0, 2], [7, 5, 3]]);
    expect(x.sort(0, false, { stable: true }).indices.tolist()).toEqual([[0, 1, 0], [1, 0, 1]]);
  });

  it('sort has a SortBackward0 node and a strided input sorts like its copy', () => {
    const y = torch.tensor([[3, 1], [2, 4]], { dtype: 'float64', requiresGrad: true });
    expect(y.sort().values.gradFn?.name).toBe('SortBackward0');
    expect(y.t().sort(1).values.tolist()).toEqual([[2, 3], [1, 4]]);
  });

  it('gradients pass gradcheck, and double backward goes through the same indices', () => {
    // distinct values, so a small perturbation keeps the order
    const y = torch.tensor([[0.3, -1.2, 2.5, 0.9], [1.7, 0.1, -0.6, 3.1], [-2.2, 0.8, 1.4, -0.4]], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t) => t.sort(1, true).values, [y])).toBe(true);
    expect(gradcheck((t) => t.topk(2, 0).values, [y])).toBe(true);
    expect(gradcheck((t) => t.kthvalue(2, 1).values, [y])).toBe(true);
    expect(gradcheck((t) => torch.msort(t), [y])).toBe(true);
    const w = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], { dtype: 'float64' });
    const [g] = torch.autograd.grad(y.sort(1).values.mul(y.sort(1).values).mul(w).sum(), [y], { createGraph: true });
    const [gg] = torch.autograd.grad(g!.sum(), [y]);
    // d/dy sum(2 * sorted(y) * w scattered back) = 2 * w scattered back through the sort
    const expected = torch.zeros([3, 4], { dtype: 'float64' }).scatter(1, y.sort(1).indices, w.mul(2));
    expectClose(gg!, expected, 1e-12, 0);
  });
});
