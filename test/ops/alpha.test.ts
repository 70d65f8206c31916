// add/sub with alpha give PyTorch's bits (tools/fixtures/gen_alpha.py -> fixtures/alpha.json): one
// rounding per element, as PyTorch's fused multiply-add kernels; gradients and node names as PyTorch.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

const fx = loadFixture('alpha').cases;

/** `t` is PyTorch's result `e` of case `c`, bit for bit (see the 0-d operand note). */
function expectResult(c: any, t: torch.Tensor, e: any): void {
  if (typeof c.b !== 'number' && c.b.shape.length === 0 && c.a.shape.length > 0) {
    // PyTorch's kernel for a 0-d operand rounds some elements once (torchlet's bits) and some
    // twice (alpha * b rounded first): each element must be one of the two
    const r = c.a.dtype === 'float32' ? Math.fround : (v: number): number => v;
    const s = c.op === 'add' ? 1 : -1;
    const twice = r(r(s * c.alpha) * Number(c.b.data[0]));
    const got = Array.from(t.dataSync());
    got.forEach((v, k) => {
      const want = Number(e.data[k]);
      if (v !== want) expect(r(Number(c.a.data[k]) + twice), `element ${k}`).toBe(want);
    });
  } else expectClose(t, e, 0, 0);
}

describe('add / sub with alpha', () => {
  fx.forEach((c: any, i: number) => {
    const label = `${i}: ${c.op} ${c.a.dtype} [${c.a.shape}] ${typeof c.b === 'number' ? c.b : `[${c.b.shape}]`} alpha=${c.alpha}`;
    it(label, () => {
      const grads = c.ga !== undefined;
      const a = fromFixture(c.a, grads);
      const b = typeof c.b === 'number' ? c.b : fromFixture(c.b, grads);
      const y = c.op === 'add' ? a.add(b, { alpha: c.alpha }) : a.sub(b, { alpha: c.alpha });
      expectResult(c, y, c.y);
      expect(y.dtype).toBe(c.y.dtype);
      if (grads) {
        expect(y.gradFn?.name).toBe(c.gradFn);
        const [ga, gb] = torch.autograd.grad([y.mul(fromFixture(c.w)).sum()], [a, b as torch.Tensor]);
        // a gradient summed over broadcast dims is a float reduction, whose order is not PyTorch's
        const tol = (t: { shape: number[] }): number => (t.shape.join() === c.y.shape.join() ? 0 : 1e-6);
        expectClose(ga!, c.ga, tol(c.a), tol(c.a));
        expectClose(gb!, c.gb, tol(c.b), tol(c.b));
      }
      if (c.inplace) {
        const z = fromFixture(c.a);
        const bb = fromFixture(c.b);
        if (c.op === 'add') z.add_(bb, { alpha: c.alpha });
        else z.sub_(bb, { alpha: c.alpha });
        expectResult(c, z, c.inplace);
      }
    });
  });
});
