import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { logSoftmax, softmax } from '../../src/ops/softmax.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface Args {
  dim: number;
  dtype?: torch.DType;
  transpose?: boolean;
}
interface Case {
  name: string;
  op: 'softmax' | 'log_softmax';
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
  gradcheck: { name: string; op: 'softmax' | 'log_softmax'; x: string; args: Args }[];
}

const fx = loadFixture<Fixture>('softmax');

/** Mirrors `call` in tools/fixtures/gen_reduce.py; methods or the exported functions. */
function call(op: Case['op'], x0: T, a: Args, fn = false): T {
  const x = a.transpose ? x0.t() : x0;
  const opts = a.dtype ? { dtype: a.dtype } : undefined;
  if (fn) return op === 'softmax' ? softmax(x, a.dim, opts) : logSoftmax(x, a.dim, opts);
  return op === 'softmax' ? x.softmax(a.dim, opts) : x.logSoftmax(a.dim, opts);
}

const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-10, 1e-9] : [1e-5, 1e-4]);

function runCase(c: Case, fn: boolean): void {
  const input = fx.inputs[c.x]!;
  if (c.error) {
    let caught: unknown = null;
    try {
      call(c.op, fromFixture(input), c.args, fn);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toBe(c.error.message);
    expect((caught as Error).name).toBe(c.error.type);
    return;
  }
  const floating = input.dtype === 'float32' || input.dtype === 'float64';
  const x = fromFixture(input, floating);
  const y = call(c.op, x, c.args, fn);
  const e = c.outputs![0]!;
  expect(y.dtype).toBe(e.dtype);
  expectClose(y, e, ...tol(e.dtype));
  if (c.grad === undefined) return;
  expect(y.gradFn?.name).toBe(c.gradFn);
  const w = fromFixture(fx.weights[c.weight!]!);
  y.mul(w).sum().backward();
  expectClose(x.grad!, c.grad!, ...tol(c.grad!.dtype));
  if (c.grad2) {
    const x2 = fromFixture(input, true);
    const [g] = torch.autograd.grad(call(c.op, x2, c.args, fn).mul(w).sum(), [x2], { createGraph: true });
    g!.mul(fromFixture(fx.weights[c.weight2!]!)).sum().backward();
    expectClose(x2.grad!, c.grad2, ...tol(c.grad2.dtype));
  }
}

describe(`softmax / logSoftmax match torch ${fx.torch}`, () => {
  it('has the fixture cases', () => {
    expect(fx.cases.length).toBeGreaterThan(90);
  });
  for (const c of fx.cases) it(c.name, () => runCase(c, false));
});

describe('function forms', () => {
  for (const c of fx.cases.filter((_, i) => i % 5 === 0 || _.error)) it(c.name, () => runCase(c, true));
});

describe('gradcheck (float64)', () => {
  for (const g of fx.gradcheck) {
    it(g.name, () => {
      const x = fromFixture(fx.inputs[g.x]!, true);
      expect(gradcheck((t) => call(g.op, t, g.args), [x])).toBe(true);
    });
  }
});

describe('softmax API details', () => {
  it('needs an integer dim', () => {
    const x = torch.zeros(2, 3);
    expect(() => (x as any).softmax()).toThrow(TypeError);
    expect(() => (x as any).logSoftmax(0.5)).toThrow(TypeError);
    expect(() => softmax(null as any, 0)).toThrow(TypeError);
  });

  it('the fused backward (no createGraph) equals the composed one (createGraph)', () => {
    const x = fromFixture(fx.inputs['float64 2x3x4']!, true);
    const w = fromFixture(fx.inputs['float64 2x3x4']!).mul(-0.5).add(0.25); // any fixed weight
    for (const op of ['softmax', 'log_softmax'] as const) {
      for (const dim of [0, 1, 2]) {
        const [fused] = torch.autograd.grad(call(op, x, { dim }).mul(w).sum(), [x]);
        const [composed] = torch.autograd.grad(call(op, x, { dim }).mul(w).sum(), [x], { createGraph: true });
        expectClose(fused!, composed!.detach(), 1e-12, 1e-10);
      }
    }
  });
});
