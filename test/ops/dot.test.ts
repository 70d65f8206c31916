// torch.dot and 1-D matmul give PyTorch's bits (tools/fixtures/gen_dot.py -> fixtures/dot.json):
// floating dots are summed in the BLAS order PyTorch's CPU uses.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

const fx = loadFixture('dot');

describe('dot', () => {
  for (const c of fx.cases) {
    it(`${c.a.dtype} n=${c.a.shape[0]}`, () => {
      const grads = c.ga !== undefined;
      const a = fromFixture(c.a, grads);
      const b = fromFixture(c.b, grads);
      const y = torch.dot(a, b);
      expectClose(y, c.dot, 0, 0);
      expectClose(a.matmul(b), c.matmul, 0, 0);
      if (grads) {
        expect(y.gradFn?.name).toBe(c.gradFn);
        const [ga, gb] = torch.autograd.grad([y.mul(1.5)], [a, b]);
        expectClose(ga!, c.ga, 0, 0);
        expectClose(gb!, c.gb, 0, 0);
      }
    });
  }

  it("raises PyTorch's errors", () => {
    const e = fx.errors;
    expectError(() => torch.dot(torch.ones(3), torch.ones(3, { dtype: 'float64' })), e.dtypes);
    expectError(() => torch.matmul(torch.ones(3, { dtype: 'int64' }), torch.ones(3)), e.matmulDtypes);
    expectError(() => torch.dot(torch.ones(3), torch.ones(4)), e.sizes);
    expectError(() => torch.dot(torch.ones(3, 1), torch.ones(3)), e.dims);
  });
});
