import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Sub = torch.EinsumSubscript;
interface Args {
  sizes?: number[];
  repeats?: number;
  dim?: number;
  outputSize?: number;
  form?: 'repeats';
  dims?: number | number[];
  shifts?: number | number[];
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  eq?: string;
  sublists?: Sub[][];
  out?: Sub[];
  keepdim?: boolean;
  dtype?: torch.DType;
}
interface Case {
  name: string;
  op: string;
  inputs: Enc[];
  args: Args;
  out?: Enc[];
  tuple?: boolean;
  w?: (Enc | null)[];
  grads?: (Enc | null)[];
  backwardError?: { type: string; message: string };
  error?: { type: string; message: string };
}

const fx = loadFixture<{ torch: string; cases: Case[] }>('reorder');

/** The torchlet call a case describes (mirrors `call` in tools/fixtures/gen_reorder.py). */
function call(op: string, xs: T[], a: Args): T | T[] {
  const x = xs[0]!;
  const opts = a.outputSize === undefined ? undefined : { outputSize: a.outputSize };
  switch (op) {
    case 'repeat':
      return x.repeat(...a.sizes!);
    case 'repeat_interleave':
      if (a.form === 'repeats') return torch.repeatInterleave(x, opts);
      return torch.repeatInterleave(x, xs[1] ?? a.repeats!, a.dim, opts);
    case 'flip':
      return torch.flip(x, a.dims!);
    case 'fliplr':
      return torch.fliplr(x);
    case 'flipud':
      return torch.flipud(x);
    case 'roll':
      return a.dims === undefined ? torch.roll(x, a.shifts!) : torch.roll(x, a.shifts!, a.dims);
    case 'unique':
      return torch.unique(x, a.sorted ?? true, a.returnInverse ?? false, a.returnCounts ?? false, a.dim);
    case 'unique_consecutive':
      return torch.uniqueConsecutive(x, a.returnInverse ?? false, a.returnCounts ?? false, a.dim);
    case 'einsum': {
      if (a.sublists) {
        const args: (T | Sub[])[] = xs.flatMap((t, i) => [t, a.sublists![i]!]);
        if (a.out) args.push(a.out);
        return torch.einsum(x, ...args.slice(1));
      }
      return torch.einsum(a.eq!, ...xs);
    }
    case 'median':
    case 'nanmedian': {
      const f = op === 'median' ? torch.median : torch.nanmedian;
      return a.dim === undefined ? f(x) : [...f(x, a.dim, a.keepdim ?? false)];
    }
    case 'mode':
      return [...torch.mode(x, a.dim ?? -1, a.keepdim ?? false)];
    case 'cumprod':
      return torch.cumprod(x, a.dim!, a.dtype);
    case 'masked_scatter':
      return x.maskedScatter(xs[1]!, xs[2]!);
    case 'masked_scatter_':
      return x.clone().maskedScatter_(xs[1]!, xs[2]!);
    case 'where':
      return torch.where(x);
  }
  throw new Error(op);
}

/** Float outputs compare within a tolerance where PyTorch sums in another order; the rest exactly. */
function tolerance(op: string): [number, number] {
  if (op === 'einsum') return [1e-5, 1e-5];
  if (op === 'cumprod') return [1e-6, 1e-6];
  return [0, 0];
}

describe(`repeat, repeatInterleave, flip, roll, unique, einsum, median, mode, cumprod, maskedScatter, where match PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(`${c.name}`, () => {
      const inputs = c.inputs.map((e) => fromFixture(e));
      if (c.error) return expectError(() => call(c.op, inputs, c.args), c.error);
      // floating inputs require grad, as in the generator
      const xs = inputs.map((t) => (t.dtype === 'float32' || t.dtype === 'float64' ? t.detach().requiresGrad_() : t));
      const r = call(c.op, xs, c.args);
      const outs = Array.isArray(r) ? r : [r];
      if (c.op !== 'median' && c.op !== 'nanmedian' && c.op !== 'mode') expect(Array.isArray(r)).toBe(c.tuple);
      expect(outs.length).toBe(c.out!.length);
      const [atol, rtol] = tolerance(c.op);
      outs.forEach((o, i) => {
        expect(o.dtype, `output ${i} dtype`).toBe(c.out![i]!.dtype);
        expectClose(o, c.out![i]!, atol, rtol);
      });
      if (!c.w) return;
      let loss: T | null = null;
      outs.forEach((o, i) => {
        const w = c.w![i];
        if (!w) return;
        const term = o.mul(fromFixture(w)).sum();
        loss = loss === null ? term : loss.add(term);
      });
      if (c.backwardError) return expectError(() => loss!.backward(), c.backwardError);
      loss!.backward();
      c.grads!.forEach((g, i) => {
        if (g) expectClose(xs[i]!.grad!, g, 1e-6, 1e-5);
        else expect(xs[i]!.grad).toBeNull();
      });
    });
  }
});

describe('argument forms and results', () => {
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });

  it('repeat and flip take varargs or one array; methods match the functions', () => {
    expect(x.repeat([2, 1]).tolist()).toEqual(x.repeat(2, 1).tolist());
    expect(torch.repeat(x, 1, 2).tolist()).toEqual(x.repeat([1, 2]).tolist());
    expect(x.flip(0, 1).tolist()).toEqual(x.flip([0, 1]).tolist());
    expect(x.flip(1).tolist()).toEqual(torch.flip(x, 1).tolist());
    expect(x.fliplr().tolist()).toEqual(torch.fliplr(x).tolist());
    expect(x.flipud().tolist()).toEqual(torch.flipud(x).tolist());
    expect(x.roll([1, 1], [0, 1]).tolist()).toEqual(torch.roll(x, [1, 1], [0, 1]).tolist());
    expect(x.repeatInterleave(2, 0).tolist()).toEqual(torch.repeatInterleave(x, 2, 0).tolist());
    expect(x.cumprod(1).tolist()).toEqual(torch.cumprod(x, 1).tolist());
    expect(torch.cumprod(torch.tensor([1, 2]), 0, { dtype: 'float64' }).dtype).toBe('float64');
    expect(x.cumprod(0, { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('repeat, flip and roll copy (a change to the result leaves the input alone) and record PyTorch nodes', () => {
    const y = x.clone().requiresGrad_();
    for (const [r, name] of [
      [y.repeat(1, 1), 'RepeatBackward0'],
      [y.flip([]), 'FlipBackward0'],
      [y.roll(0, 0), 'RollBackward0'],
    ] as const) {
      expect(r.gradFn?.name).toBe(name);
      r.detach().zero_();
    }
    expect(y.detach().tolist()).toEqual(x.tolist());
    expect(y.repeatInterleave(2).gradFn?.name).toBe('IndexSelectBackward0');
    expect(y.cumprod(0).gradFn?.name).toBe('CumprodBackward0');
  });

  it('unique takes positional arguments or an options object, as function or method', () => {
    const u = torch.tensor([3, 1, 3, 2]);
    const [v1, i1, c1] = torch.unique(u, { returnInverse: true, returnCounts: true });
    const [v2, i2, c2] = u.unique(true, true, true);
    expect(v1.tolist()).toEqual([1, 2, 3]);
    expect(v2.tolist()).toEqual(v1.tolist());
    expect(i2.tolist()).toEqual(i1.tolist());
    expect(c2.tolist()).toEqual(c1.tolist());
    expect(u.unique().tolist()).toEqual([1, 2, 3]);
    const [, counts] = u.unique({ returnCounts: true });
    expect(counts.tolist()).toEqual([1, 1, 2]);
    expect(u.uniqueConsecutive({ returnCounts: true })[1].tolist()).toEqual([1, 1, 1, 1]);
    expect(() => torch.unique(u, { return_counts: true } as never)).toThrow(/camelCase/);
  });

  it('einsum takes the operands as one array too', () => {
    const a = torch.randn(2, 3);
    const b = torch.randn(3, 4);
    expectClose(torch.einsum('ij,jk->ik', [a, b]), torch.einsum('ij,jk->ik', a, b), 0, 0);
    expectClose(torch.einsum('ij,jk->ik', a, b), a.matmul(b), 1e-6, 1e-6);
  });

  it('median, nanmedian and mode with a dim are named tuples; torch.where(cond) is a tuple of index tensors', () => {
    for (const r of [x.median(1), x.nanmedian(0, true), x.mode(), torch.median(x, -1)]) {
      const [v, i] = r;
      expect(r.values).toBe(v);
      expect(r.indices).toBe(i);
      expect(i.dtype).toBe('int64');
    }
    expect(x.median().dim()).toBe(0);
    const [rows, cols] = torch.where(x.gt(2));
    expect(rows!.tolist()).toEqual([0, 1, 1, 1]);
    expect(cols!.tolist()).toEqual([2, 0, 1, 2]);
    expect(torch.where(x.gt(2), x, 0).tolist()).toEqual([[0, 0, 3], [4, 5, 6]]);
    expect(() => (torch.where as (...a: unknown[]) => unknown)(x.gt(2), 1.5)).toThrow(/where\(\) received an invalid combination of arguments - got \(Tensor, float\)/);
  });

  it('maskedScatter_ writes in place, bumps the version, and takes its gradient through the clone', () => {
    const mask = torch.tensor([[true, false, true], [false, true, false]]);
    const t = torch.zeros(2, 3);
    const v = t.storage.version;
    const r = t.maskedScatter_(mask, torch.tensor([1, 2, 3, 4], { dtype: 'float32' }));
    expect(r).toBe(t);
    expect(t.tolist()).toEqual([[1, 0, 2], [0, 3, 0]]);
    expect(t.storage.version).toBeGreaterThan(v);
    expect(() => torch.zeros(2, 3).maskedScatter(mask.to('float32'), torch.ones(6))).toThrow(
      'masked_scatter_ only supports boolean masks, but got mask with dtype Float',
    );
  });
});

describe('gradients', () => {
  const y = torch.tensor([[0.3, -1.2, 2.5, 0.9], [1.7, 0.1, -0.6, 3.1], [-2.2, 0.8, 1.4, -0.4]], { dtype: 'float64', requiresGrad: true });

  it('pass gradcheck (finite differences)', () => {
    expect(gradcheck((t) => t.repeat(2, 1, 3), [y])).toBe(true);
    expect(gradcheck((t) => t.repeatInterleave(torch.tensor([2, 0, 1]), 0), [y])).toBe(true);
    expect(gradcheck((t) => t.flip(0, 1), [y])).toBe(true);
    expect(gradcheck((t) => t.roll([1, -3], [0, 1]), [y])).toBe(true);
    expect(gradcheck((t) => t.roll(5), [y])).toBe(true);
    expect(gradcheck((t) => t.median(1).values, [y])).toBe(true);
    expect(gradcheck((t) => t.nanmedian(0, true).values, [y])).toBe(true);
    expect(gradcheck((t) => t.median(), [y])).toBe(true);
    expect(gradcheck((t) => t.cumprod(1), [y])).toBe(true);
    const z = torch.tensor([[1.5, 0, 2, 0.5, -1], [0, 0.7, 0, 2, 1.1]], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t) => t.cumprod(1), [z])).toBe(true);
    expect(gradcheck((t) => t.cumprod(0), [z])).toBe(true);
    const w = torch.tensor([[0.5, 1.5], [2, -1]], { dtype: 'float64', requiresGrad: true });
    const w4 = torch.randn(4, 4, { dtype: 'float64' });
    expect(gradcheck((a, b) => torch.einsum('ij,jk->ik', a, b), [y.t().detach().requiresGrad_(), torch.randn(3, 2, { dtype: 'float64', requiresGrad: true })])).toBe(true);
    expect(gradcheck((a) => torch.einsum('ii->i', a), [w])).toBe(true);
    expect(gradcheck((a, b) => torch.einsum('bi,bj,ij->b', a, b, w4), [y, y.add(1).detach().requiresGrad_()])).toBe(true);
    const mask = torch.tensor([[true, false, true, false], [false, false, true, true], [true, false, false, false]]);
    expect(gradcheck((a, s) => a.maskedScatter(mask, s), [y, torch.randn(8, { dtype: 'float64', requiresGrad: true })])).toBe(true);
  });

  it('the backward of cumprod is differentiable, with and without zeros (double backward by finite differences)', () => {
    const z = torch.tensor([1.5, 0, 2, 0.5, 0, 3], { dtype: 'float64', requiresGrad: true });
    // the gradient as a function of the input, recorded even under gradcheck's finite differences
    const g = (t: T): T =>
      torch.enableGrad(() => torch.autograd.grad(t.cumprod(0).mul(torch.arange(6, { dtype: 'float64' })).sum(), [t], { createGraph: true })[0]!);
    expect(gradcheck((t) => g(t), [z])).toBe(true);
    const r = torch.tensor([1.5, 0.3, 2, 0.5, -1, 3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t) => g(t), [r])).toBe(true);
    // the recorded (quadratic) backward gives the same first derivative as the plain one
    const plain = torch.autograd.grad(z.cumprod(0).mul(torch.arange(6, { dtype: 'float64' })).sum(), [z])[0]!;
    expectClose(g(z), plain, 1e-12, 1e-12);
  });
});
