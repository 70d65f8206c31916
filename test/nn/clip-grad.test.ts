import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { clipGradNorm_, clipGradValue_ } from '../../src/nn/utils/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface ClipCase {
  name: string;
  fn: 'norm' | 'normSingle' | 'value';
  grads: Enc[];
  withGrad: boolean[];
  maxNorm?: number;
  normType?: number | 'inf' | '-inf';
  errorIfNonfinite?: boolean;
  clipValue?: number;
  total?: Enc | null;
  after?: (Enc | null)[];
  error?: { type: string; message: string };
}
const fx = loadFixture<{ torch: string; clip: ClipCase[] }>('optim');

function params(c: ClipCase): torch.Tensor[] {
  return c.grads.map((g, i) => {
    const p = torch.zeros(g.shape, { requiresGrad: true });
    if (c.withGrad[i]) p.grad = fromFixture(g);
    return p;
  });
}

function normType(t: ClipCase['normType']): number {
  return t === 'inf' ? Infinity : t === '-inf' ? -Infinity : (t as number);
}

describe(`clip_grad matches torch ${fx.torch}`, () => {
  for (const c of fx.clip) {
    it(c.name, () => {
      const ps = params(c);
      const run = () => {
        if (c.fn === 'value') return clipGradValue_(ps, c.clipValue!);
        if (c.fn === 'normSingle') return clipGradNorm_(ps[0]!, c.maxNorm!, normType(c.normType));
        return clipGradNorm_(ps, c.maxNorm!, normType(c.normType), c.errorIfNonfinite ?? false);
      };
      if (c.error) {
        expect(run).toThrow(c.error.message);
        expect(run).toThrow(torch.RuntimeError);
        return;
      }
      const total = run();
      if (c.total) {
        expect(total).toBeInstanceOf(torch.Tensor);
        expectClose(total as torch.Tensor, c.total, 1e-6, 1e-6);
      } else expect(total).toBeUndefined();
      c.after!.forEach((g, i) => {
        if (g === null) expect(ps[i]!.grad).toBeNull();
        else expectClose(ps[i]!.grad!, g, 1e-6, 1e-6);
      });
    });
  }

  it("accepts PyTorch's keyword arguments as an options object and 'inf'", () => {
    const c = fx.clip.find((x) => x.fn === 'norm' && x.normType === 'inf' && x.maxNorm === 1.0 && !x.errorIfNonfinite)!;
    const ps = params(c);
    const total = clipGradNorm_(ps, 1.0, { normType: 'inf' });
    expectClose(total, c.total!, 1e-6, 1e-6);
    c.after!.forEach((g, i) => expectClose(ps[i]!.grad!, g!, 1e-6, 1e-6));
    const bad = fx.clip.find((x) => x.error)!;
    expect(() => clipGradNorm_(params(bad), 1.0, { normType: normType(bad.normType), errorIfNonfinite: true })).toThrow(bad.error!.message);
  });

  it('modifies the gradients in place and bumps their version', () => {
    const c = fx.clip[0]!;
    const ps = params(c);
    const g = ps[0]!.grad!;
    const v = g.version;
    clipGradNorm_(ps, 0.01);
    expect(ps[0]!.grad).toBe(g);
    expect(g.version).toBeGreaterThan(v);
  });

  it('validates its arguments', () => {
    const ps = params(fx.clip[0]!);
    expect(() => clipGradNorm_(ps, 'x' as any)).toThrow(TypeError);
    expect(() => clipGradNorm_([1 as any], 1)).toThrow(TypeError);
    expect(() => clipGradValue_(ps, null as any)).toThrow(TypeError);
  });
});
