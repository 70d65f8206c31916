import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as R from '../../src/ops/reduce.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface Args {
  dim?: number | number[];
  keepdim?: boolean;
  dtype?: torch.DType;
  p?: number | string;
  correction?: number;
  unbiased?: boolean;
  other?: string;
  transpose?: boolean;
}
interface Case {
  name: string;
  op: string;
  x: string;
  args: Args;
  outputs?: Enc[];
  gradFn?: string;
  weight?: string;
  grad?: Enc | null;
  weight2?: string;
  grad2?: Enc;
  error?: { type: string; message: string };
}
interface Fixture {
  torch: string;
  inputs: Record<string, Enc>;
  weights: Record<string, Enc>;
  cases: Case[];
  gradcheck: { name: string; op: string; x: string; args: Args }[];
}

const fx = loadFixture<Fixture>('reduce');

function decP(p: number | string | undefined): number | 'fro' | 'nuc' | undefined {
  if (p === 'inf') return Infinity;
  if (p === '-inf') return -Infinity;
  return p as number | 'fro' | 'nuc' | undefined;
}

/** The call a case describes, as methods (mirrors `call` in tools/fixtures/gen_reduce.py). */
function call(op: string, x0: T, a: Args): T | T[] {
  const x = a.transpose ? x0.t() : x0;
  const kd = a.keepdim ?? false;
  const dim = a.dim;
  const dt = a.dtype ? { dtype: a.dtype } : undefined;
  const varOpts = { correction: a.correction, unbiased: a.unbiased, keepdim: kd };
  switch (op) {
    case 'sum':
      return x.sum(dim ?? null, kd, dt);
    case 'mean':
      return x.mean(dim ?? null, kd, dt);
    case 'prod':
      return x.prod(dim as number | undefined, kd, dt);
    case 'max':
    case 'min':
      if (a.other !== undefined) return x[op](fromFixture(fx.inputs[a.other]!));
      if (dim === undefined) return x[op]();
      return [...x[op](dim as number, kd)];
    case 'amax':
      return x.amax(dim, kd);
    case 'amin':
      return x.amin(dim, kd);
    case 'argmax':
      return x.argmax(dim as number | undefined, kd);
    case 'argmin':
      return x.argmin(dim as number | undefined, kd);
    case 'std':
      return x.std(dim, varOpts);
    case 'var':
      return x.var(dim, varOpts);
    case 'logsumexp':
      return x.logsumexp(dim!, kd);
    case 'norm':
      return x.norm(decP(a.p), dim, kd, dt);
    case 'any':
      return x.any(dim as number | undefined, kd);
    case 'all':
      return x.all(dim as number | undefined, kd);
    case 'cumsum':
      return x.cumsum(dim as number, dt);
    default:
      throw new Error(`unknown op ${op}`);
  }
}

/** The same calls through the exported functions. */
function callFn(op: string, x0: T, a: Args): T | T[] {
  const x = a.transpose ? x0.t() : x0;
  const kd = a.keepdim ?? false;
  const dim = a.dim;
  const varOpts = { correction: a.correction, unbiased: a.unbiased, keepdim: kd };
  switch (op) {
    case 'sum':
      return R.sum(x, dim, kd, a.dtype);
    case 'mean':
      return R.mean(x, dim, kd, a.dtype);
    case 'prod':
      return R.prod(x, dim as number | undefined, kd, a.dtype);
    case 'max':
      if (a.other !== undefined) return R.max(x, fromFixture(fx.inputs[a.other]!));
      return dim === undefined ? R.max(x) : [...R.max(x, dim as number, kd)];
    case 'min':
      if (a.other !== undefined) return R.min(x, fromFixture(fx.inputs[a.other]!));
      return dim === undefined ? R.min(x) : [...R.min(x, dim as number, kd)];
    case 'amax':
      return R.amax(x, dim, kd);
    case 'amin':
      return R.amin(x, dim, kd);
    case 'argmax':
      return R.argmax(x, dim as number | undefined, kd);
    case 'argmin':
      return R.argmin(x, dim as number | undefined, kd);
    case 'std':
      return R.std(x, dim, varOpts);
    case 'var':
      return R.var(x, dim, varOpts);
    case 'logsumexp':
      return R.logsumexp(x, dim!, kd);
    case 'norm':
      return R.norm(x, decP(a.p), dim, kd, a.dtype);
    case 'any':
      return R.any(x, dim as number | undefined, kd);
    case 'all':
      return R.all(x, dim as number | undefined, kd);
    case 'cumsum':
      return R.cumsum(x, dim as number, a.dtype);
    default:
      throw new Error(`unknown op ${op}`);
  }
}

const first = (r: T | T[]): T => (Array.isArray(r) ? r[0]! : r);
const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-9, 1e-9] : dtype === 'float32' ? [1e-5, 1e-4] : [0, 0]);

/** Runs one fixture case: forward values and dtypes, grad_fn name, gradient, double backward, errors. */
export function runCase(c: Case, callOp: (op: string, x: T, a: Args) => T | T[]): void {
  const input = fx.inputs[c.x]!;
  if (c.error) {
    expectError(() => callOp(c.op, fromFixture(input), c.args), c.error);
    return;
  }
  const floating = input.dtype === 'float32' || input.dtype === 'float64';
  const x = fromFixture(input, floating && c.grad !== undefined);
  const outs = [callOp(c.op, x, c.args)].flat();
  expect(outs.length).toBe(c.outputs!.length);
  outs.forEach((o, i) => {
    const e = c.outputs![i]!;
    expect(o.dtype, `output ${i} dtype`).toBe(e.dtype);
    expectClose(o, e, ...tol(e.dtype));
  });
  if (c.grad === undefined) return;
  const y = outs[0]!;
  expect(y.gradFn?.name).toBe(c.gradFn);
  y.mul(fromFixture(fx.weights[c.weight!]!)).sum().backward();
  if (c.grad === null) expect(x.grad).toBeNull();
  else expectClose(x.grad!, c.grad, ...tol(c.grad.dtype));
  if (c.grad2) {
    const x2 = fromFixture(input, true);
    const y2 = first(callOp(c.op, x2, c.args));
    const [g] = torch.autograd.grad(y2.mul(fromFixture(fx.weights[c.weight!]!)).sum(), [x2], { createGraph: true });
    g!.mul(fromFixture(fx.weights[c.weight2!]!)).sum().backward();
    expectClose(x2.grad!, c.grad2, ...tol(c.grad2.dtype));
  }
}

/**
 * Cases whose mismatch lies outside the reductions: max(x, other) is elementwise `maximum`, whose
 * backward gives 0 where an input is NaN (PyTorch 1.13 passes the gradient to both inputs there).
 */
const byOp = new Map<string, Case[]>();
for (const c of fx.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);

describe(`reductions match torch ${fx.torch}`, () => {
  it('has the fixture cases', () => {
    expect(fx.cases.length).toBeGreaterThan(2000);
  });
  for (const [op, cases] of byOp) {
    describe(op, () => {
      for (const c of cases) it(c.name, () => runCase(c, call));
    });
  }
});

describe('function forms agree with the fixture', () => {
  // Every op once per kind of case (plain, error, double backward) through the exported functions.
  const picked = new Map<string, Case>();
  for (const c of fx.cases) {
    const key = `${c.op}:${c.error ? 'e' : c.grad2 ? 'g2' : c.args.dim === undefined ? 'all' : 'dim'}`;
    if (!picked.has(key)) picked.set(key, c);
  }
  for (const c of picked.values()) it(c.name, () => runCase(c, callFn));
});

describe('gradcheck (float64)', () => {
  for (const g of fx.gradcheck) {
    it(g.name, () => {
      const x = fromFixture(fx.inputs[g.x]!, true);
      expect(gradcheck((t) => first(call(g.op, t, g.args)), [x])).toBe(true);
    });
  }
});

describe('reduction API details', () => {
  const x = torch.tensor([[1, 5, 2], [7, 0, 3]], { dtype: 'float32' });

  it('max(dim) returns a [values, indices] tuple with int64 indices', () => {
    const r = x.max(1);
    expect(Array.isArray(r)).toBe(true);
    const [v, i] = r;
    expect(v.tolist()).toEqual([5, 7]);
    expect(i.dtype).toBe('int64');
    expect(i.tolist()).toEqual([1, 0]);
  });

  it('max(other) is maximum and max() is 0-d', () => {
    expect(x.max(torch.tensor([3, 3, 3], { dtype: 'float32' })).tolist()).toEqual([[3, 5, 3], [7, 3, 3]]);
    expect(x.max().shape).toEqual([]);
    expect(x.min().item()).toBe(0);
  });

  it('std/var accept the unbiased positional form and an options object without dim', () => {
    expect(x.std(1, false, true).shape).toEqual([2, 1]);
    expect(x.var(false).item()).toBeCloseTo(x.var({ correction: 0 }).item(), 6);
    expect(x.var(true).item()).toBeCloseTo(x.var().item(), 6);
  });

  it('rejects bad argument types from untyped callers', () => {
    const u = x as any;
    expect(() => u.max('1')).toThrow(TypeError);
    expect(() => u.prod(1.5)).toThrow(TypeError);
    expect(() => u.argmax(0, 'yes')).toThrow(TypeError);
    expect(() => u.sum('a')).toThrow(TypeError);
    expect(() => u.cumsum()).toThrow(TypeError);
    expect(() => u.logsumexp()).toThrow(TypeError);
    expect(() => u.std(0, { correction: 1, unbiased: true })).toThrow(TypeError);
    expect(() => u.std(0, { correction: 0.5 })).toThrow(TypeError);
    expect(() => u.norm('nuc')).toThrow(torch.NotImplementedError);
    expect(() => R.sum(null as any)).toThrow(TypeError);
  });

  it('prod gradient with zeros: one zero gets the product of the others, several zeros give 0', () => {
    const a = torch.tensor([[0, 2, 3], [0, 0, 4]], { dtype: 'float64', requiresGrad: true });
    a.prod(1).sum().backward();
    expect(a.grad!.tolist()).toEqual([[6, 0, 0], [0, 0, 0]]);
  });

  it('double backward of prod through zeros says it is unsupported', () => {
    const a = torch.tensor([0, 2, 3], { dtype: 'float64', requiresGrad: true });
    const [g] = torch.autograd.grad(a.prod(), [a], { createGraph: true });
    expect(() => g!.sum().backward()).toThrow("the derivative for 'prod_safe_zeros_backward' is not implemented.");
  });

  it('saved tensors are version-checked', () => {
    const a = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const b = a.mul(1);
    const s = b.logsumexp(0);
    b.storage.version++;
    expect(() => s.backward()).toThrow(/modified by an inplace operation/);
  });
});
