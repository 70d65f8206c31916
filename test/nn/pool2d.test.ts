/**
 * 2-D and adaptive pooling against PyTorch 1.13 (tools/fixtures/gen_conv2d.py -> fixtures/pool2d.json):
 * F.maxPool2d (indices, ties, NaN, ceil mode, dilation), F.avgPool2d (count_include_pad,
 * divisor_override, int64), F.adaptiveAvgPool1d/2d and F.adaptiveMaxPool1d/2d (None sizes,
 * upsampling sizes, the 1x1 mean path), values and gradients, and float64 gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool2d, maxPool2d } from '../../src/ops/pool2d.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Opts = Record<string, any>;
interface PoolCase { name: string; kernelSize: number | number[]; options: Opts; input: Enc; out: Enc; indices?: Enc; w?: Enc; grads?: (Enc | null)[] }
interface AdaptiveCase { fn: 'avg2d' | 'max2d' | 'avg1d' | 'max1d'; name: string; outputSize: any; input: Enc; out: Enc; indices?: Enc; gradFn: string | null; w?: Enc; grads?: Enc[] }
const fx = loadFixture<{ torch: string; cases: PoolCase[]; avgpool: PoolCase[]; adaptive: AdaptiveCase[] }>('pool2d');

function backwardWith(out: torch.Tensor, w: Enc): void {
  out.mul(fromFixture(w)).sum().backward();
}

describe(`F.maxPool2d matches torch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const x = fromFixture(c.input, c.grads !== undefined);
      const [out, idx] = maxPool2d(x, c.kernelSize, { ...c.options, returnIndices: true });
      expectClose(out, c.out, 0, 0);
      expect(idx.dtype).toBe('int64');
      expectClose(idx, c.indices!, 0, 0);
      expectClose(torch.noGrad(() => maxPool2d(x, c.kernelSize, c.options)), c.out, 0, 0);
      if (!c.grads) return;
      const y = maxPool2d(x, c.kernelSize, c.options);
      if (y.numel() > 0) expect(y.gradFn?.name).toBe('MaxPool2DWithIndicesBackward0');
      backwardWith(y, c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }
});

describe('F.avgPool2d matches torch', () => {
  for (const c of fx.avgpool) {
    it(c.name, () => {
      const x = fromFixture(c.input, c.grads !== undefined);
      const out = avgPool2d(x, c.kernelSize, c.options);
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, 1e-6, 1e-6);
      if (!c.grads) return;
      if (out.numel() > 0) expect(out.gradFn?.name).toBe('AvgPool2DBackward0');
      backwardWith(out, c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }
});

describe('F.adaptive{Avg,Max}Pool{1,2}d match torch', () => {
  for (const c of fx.adaptive) {
    it(c.name, () => {
      const x = fromFixture(c.input, true);
      let out: torch.Tensor;
      let idx: torch.Tensor | null = null;
      if (c.fn === 'avg2d') out = adaptiveAvgPool2d(x, c.outputSize);
      else if (c.fn === 'avg1d') out = adaptiveAvgPool1d(x, c.outputSize);
      else if (c.fn === 'max2d') [out, idx] = adaptiveMaxPool2d(x, c.outputSize, true);
      else [out, idx] = adaptiveMaxPool1d(x, c.outputSize, true);
      expectClose(out, c.out, 1e-6, 1e-6);
      if (idx) {
        expect(idx.dtype).toBe('int64');
        expectClose(idx, c.indices!, 0, 0);
        const plain = c.fn === 'max2d' ? adaptiveMaxPool2d(x, c.outputSize) : adaptiveMaxPool1d(x, c.outputSize);
        expectClose(plain, c.out, 0, 0);
      }
      // (the 1-D pools end in a squeeze, which is a view in torchlet: ViewBackward0, not SqueezeBackward1)
      if (c.fn.endsWith('2d')) expect(out.gradFn?.name).toBe(c.gradFn);
      if (!c.grads) return;
      backwardWith(out, c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }
});

describe('gradcheck (float64)', () => {
  const r = (...s: number[]): torch.Tensor => torch.randn(s, { dtype: 'float64', requiresGrad: true });
  const maxCases: [string, number | number[], Opts][] = [
    ['k2', 2, {}],
    ['k3 s2 p1 ceil', 3, { stride: 2, padding: 1, ceilMode: true }],
    ['k (2, 3) s1 d (2, 1)', [2, 3], { stride: 1, dilation: [2, 1] }],
  ];
  for (const [name, k, o] of maxCases) {
    it(`maxPool2d ${name}`, () => {
      torch.manualSeed(4);
      expect(gradcheck((a) => maxPool2d(a!, k, o), [r(2, 2, 6, 7)])).toBe(true);
    });
  }
  const avgCases: [string, number | number[], Opts][] = [
    ['k2', 2, {}],
    ['k3 s2 p1 ceil exclude pad', 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
    ['k (3, 2) divisor 5', [3, 2], { stride: 1, padding: [1, 0], divisorOverride: 5 }],
  ];
  for (const [name, k, o] of avgCases) {
    it(`avgPool2d ${name}`, () => {
      torch.manualSeed(5);
      expect(gradcheck((a) => avgPool2d(a!, k, o), [r(2, 2, 6, 7)])).toBe(true);
    });
  }
  it('adaptiveAvgPool2d [3, 4] and [8, 5]', () => {
    torch.manualSeed(6);
    expect(gradcheck((a) => adaptiveAvgPool2d(a!, [3, 4]), [r(2, 2, 7, 9)])).toBe(true);
    expect(gradcheck((a) => adaptiveAvgPool2d(a!, [8, 5]), [r(1, 2, 5, 4)])).toBe(true);
  });
  it('adaptiveMaxPool2d and the 1-D pools', () => {
    torch.manualSeed(7);
    expect(gradcheck((a) => adaptiveMaxPool2d(a!, [3, 4]), [r(2, 2, 7, 9)])).toBe(true);
    expect(gradcheck((a) => adaptiveAvgPool1d(a!, 4), [r(2, 3, 10)])).toBe(true);
    expect(gradcheck((a) => adaptiveMaxPool1d(a!, 3), [r(2, 3, 10)])).toBe(true);
  });
});
