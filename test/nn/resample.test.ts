/**
 * F.interpolate (nearest, linear, bilinear, area; size or scale factor, alignCorners,
 * recomputeScaleFactor) and the non-constant modes of F.pad (reflect, replicate, circular on one
 * or two dims, negative amounts) against PyTorch 1.13 (tools/fixtures/gen_conv2d.py ->
 * fixtures/resample.json): values, gradients and float64 gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { interpolate } from '../../src/ops/upsample.js';
import { pad } from '../../src/nn/functional.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
interface InterpCase { name: string; options: Record<string, any>; input: Enc; out: Enc; gradFn: string | null; w?: Enc; grads?: Enc[] }
interface PadCase { name: string; pad: number[]; mode: 'reflect' | 'replicate' | 'circular'; input: Enc; out: Enc; w?: Enc; grads?: Enc[] }
const fx = loadFixture<{ torch: string; cases: InterpCase[]; pad: PadCase[] }>('resample');

function backwardWith(out: torch.Tensor, w: Enc): void {
  out.mul(fromFixture(w)).sum().backward();
}

describe(`F.interpolate matches torch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const x = fromFixture(c.input, true);
      const out = interpolate(x, c.options);
      const [atol, rtol] = c.input.dtype === 'float64' ? [1e-12, 1e-12] : [2e-6, 1e-6];
      expectClose(out, c.out, atol, rtol);
      // (the 1-D area mode ends in a squeeze, a view in torchlet)
      if (c.gradFn !== null && c.gradFn !== 'SqueezeBackward1') expect(out.gradFn?.name).toBe(c.gradFn);
      if (!c.grads) return;
      backwardWith(out, c.w!);
      expectClose(x.grad!, c.grads[0]!, atol * 4, rtol * 4);
    });
  }
});

describe('F.pad reflect / replicate / circular match torch', () => {
  for (const c of fx.pad) {
    it(c.name, () => {
      const x = fromFixture(c.input, c.grads !== undefined);
      const out = pad(x, c.pad, c.mode);
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, 0, 0);
      if (!c.grads) return;
      backwardWith(out, c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }
});

describe('gradcheck (float64)', () => {
  const r = (...s: number[]): torch.Tensor => torch.randn(s, { dtype: 'float64', requiresGrad: true });
  const cases: [string, number[], Record<string, any>][] = [
    ['nearest 2-D scale 2', [1, 2, 3, 4], { scaleFactor: 2 }],
    ['nearest 2-D size [5, 3]', [1, 2, 3, 4], { size: [5, 3] }],
    ['nearest 1-D scale 1.5', [2, 2, 5], { scaleFactor: 1.5 }],
    ['bilinear size [5, 7]', [1, 2, 3, 4], { size: [5, 7], mode: 'bilinear' }],
    ['bilinear align corners size [2, 6]', [1, 2, 3, 4], { size: [2, 6], mode: 'bilinear', alignCorners: true }],
    ['linear scale 2.5', [2, 2, 4], { scaleFactor: 2.5, mode: 'linear' }],
  ];
  for (const [name, s, o] of cases) {
    it(`interpolate ${name}`, () => {
      torch.manualSeed(8);
      expect(gradcheck((a) => interpolate(a!, o), [r(...s)])).toBe(true);
    });
  }
  for (const mode of ['reflect', 'replicate', 'circular'] as const) {
    it(`pad ${mode} 2-D`, () => {
      torch.manualSeed(9);
      expect(gradcheck((a) => pad(a!, [2, 1, -1, 2], mode), [r(1, 2, 4, 5)])).toBe(true);
    });
  }
});
