/**
 * 2-D and transposed convolutions against PyTorch 1.13 (tools/fixtures/gen_conv2d.py ->
 * fixtures/conv2d.json): F.conv2d / convTranspose1d / convTranspose2d values and gradients,
 * nn.Conv2d / ConvTranspose1d / ConvTranspose2d (padding modes, outputSize, reprs, seeded init),
 * exact error messages, float64 gradcheck, and the two code paths (direct loops, im2col + gemm)
 * checked against each other. Runs on the active backend (npm test runs it on all three).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { conv2d, convTranspose1d, convTranspose2d } from '../../src/ops/conv2d.js';
import { routine } from '../../src/backends/routine.js';
import type { Conv2dGeometry } from '../../src/backends/routines/conv2d.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Opts = Record<string, any>;
interface ConvCase { name: string; dims?: number; options: Opts; input: Enc; weight: Enc; bias: Enc | null; out: Enc; w?: Enc; grads?: (Enc | null)[] }
const fx = loadFixture<{ torch: string; cases: ConvCase[]; transposed: ConvCase[] }>('conv2d');

/** Loss of (out * w).sum() and backward. */
function backwardWith(out: torch.Tensor, w: Enc): void {
  out.mul(fromFixture(w)).sum().backward();
}

function tolerances(dtype: string): [number, number] {
  return dtype === 'float64' ? [1e-12, 1e-10] : [3e-5, 1e-5];
}

function runCase(c: ConvCase, f: (x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | null) => torch.Tensor): void {
  const grad = c.grads !== undefined;
  const x = fromFixture(c.input, grad);
  const w = fromFixture(c.weight, grad);
  const b = c.bias ? fromFixture(c.bias, grad) : null;
  const out = f(x, w, b);
  const [atol, rtol] = tolerances(c.input.dtype);
  expect(out.dtype).toBe(c.out.dtype);
  expectClose(out, c.out, atol, rtol);
  if (!grad) return;
  if (out.numel() > 0 && x.dim() === w.dim()) expect(out.gradFn?.name).toBe('ConvolutionBackward0');
  backwardWith(out, c.w!);
  [x, w, b].forEach((t, i) => {
    if (t) expectClose(t.grad!, c.grads![i]!, atol, rtol);
  });
}

describe(`F.conv2d matches torch ${fx.torch}`, () => {
  for (const c of fx.cases) it(c.name, () => runCase(c, (x, w, b) => conv2d(x, w, b, c.options)));
});

describe('F.convTranspose1d / convTranspose2d match torch', () => {
  for (const c of fx.transposed) {
    it(c.name, () => runCase(c, (x, w, b) => (c.dims === 1 ? convTranspose1d(x, w, b, c.options) : convTranspose2d(x, w, b, c.options))));
  }
});

describe('gradcheck (float64)', () => {
  const r = (...s: number[]): torch.Tensor => torch.randn(s, { dtype: 'float64', requiresGrad: true });
  const cases: [string, number[], number[], Opts][] = [
    ['plain', [2, 2, 5, 4], [3, 2, 3, 2], {}],
    ['stride (2, 1) padding 1', [2, 2, 6, 5], [3, 2, 3, 3], { stride: [2, 1], padding: 1 }],
    ['dilation 2 padding (2, 1)', [1, 2, 7, 6], [2, 2, 3, 2], { dilation: 2, padding: [2, 1] }],
    ['groups 2 stride 2 dilation (1, 2)', [2, 4, 7, 8], [4, 2, 2, 2], { groups: 2, stride: 2, dilation: [1, 2], padding: 1 }],
    ['same even kernel', [1, 2, 5, 4], [2, 2, 4, 2], { padding: 'same' }],
    ['unbatched', [2, 4, 5], [3, 2, 2, 2], { padding: 1 }],
    ['gemm path', [1, 3, 12, 12], [8, 3, 3, 3], { padding: 1 }],
  ];
  for (const [name, xs, ws, o] of cases) {
    it(`conv2d ${name}`, () => {
      torch.manualSeed(1);
      const [x, w, b] = [r(...xs), r(...ws), r(ws[0]!)];
      expect(gradcheck((a, bw, bb) => conv2d(a!, bw!, bb!, o), [x, w, b])).toBe(true);
    });
  }
  const tcases: [string, number[], number[], Opts][] = [
    ['1d stride 2 output padding 1', [2, 2, 4], [2, 3, 3], { stride: 2, outputPadding: 1, padding: 1 }],
    ['1d groups 2 dilation 2', [1, 4, 5], [4, 1, 2], { groups: 2, dilation: 2 }],
    ['2d stride (2, 3) padding 1 output padding (1, 2)', [1, 2, 3, 4], [2, 2, 3, 3], { stride: [2, 3], padding: 1, outputPadding: [1, 2] }],
    ['2d groups 2 dilation 2', [2, 4, 3, 3], [4, 1, 2, 2], { groups: 2, dilation: 2 }],
    ['2d gemm path', [1, 8, 8, 8], [8, 4, 3, 3], { stride: 2 }],
  ];
  for (const [name, xs, ws, o] of tcases) {
    it(`convTranspose ${name}`, () => {
      torch.manualSeed(2);
      const [x, w, b] = [r(...xs), r(...ws), r(ws[1]! * (o.groups ?? 1))];
      const f = xs.length === 3 ? convTranspose1d : convTranspose2d;
      expect(gradcheck((a, bw, bb) => f(a!, bw!, bb!, o), [x, w, b])).toBe(true);
    });
  }
});

describe('the im2col + gemm path equals the direct loops', () => {
  const shapes: [string, Conv2dGeometry][] = [
    ['3x3 padding 1', { N: 3, C: 6, H: 13, W: 11, O: 8, KH: 3, KW: 3, Ho: 13, Wo: 11, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 }],
    ['dilated same (shifted planes)', { N: 2, C: 6, H: 12, W: 10, O: 8, KH: 3, KW: 5, Ho: 12, Wo: 10, strideH: 1, strideW: 1, padH: 2, padW: 4, dilationH: 2, dilationW: 2, groups: 1 }],
    ['valid 1x4 (row copies)', { N: 2, C: 5, H: 9, W: 16, O: 8, KH: 1, KW: 4, Ho: 9, Wo: 13, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 }],
    ['strided dilated groups', { N: 2, C: 8, H: 17, W: 15, O: 12, KH: 3, KW: 2, Ho: 8, Wo: 6, strideH: 2, strideW: 2, padH: 1, padW: 0, dilationH: 2, dilationW: 3, groups: 2 }],
  ];
  for (const [name, g] of shapes) {
    it(name, () => {
      torch.manualSeed(5);
      const x = torch.randn([g.N, g.C, g.H, g.W], { requiresGrad: true });
      const w = torch.randn([g.O, g.C / g.groups, g.KH, g.KW], { requiresGrad: true });
      const b = torch.randn([g.O], { requiresGrad: true });
      const opts = { stride: [g.strideH, g.strideW], padding: [g.padH, g.padW], dilation: [g.dilationH, g.dilationW], groups: g.groups };
      const y = conv2d(x, w, b, opts); // large enough for the gemm path
      expect(y.shape).toEqual([g.N, g.O, g.Ho, g.Wo]);
      const gy = torch.randn(y.shape);
      y.backward(gy);
      const yd = new Float32Array(y.numel());
      routine('conv2dForward')({ ...g, x: x.dataSync() as Float32Array, w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array, y: yd });
      expectClose(y, torch.tensor(yd).reshape(y.shape), 1e-4, 1e-5);
      const [gx, gw, gb] = [new Float32Array(x.numel()), new Float32Array(w.numel()), new Float32Array(g.O)];
      routine('conv2dBackward')({ ...g, x: x.dataSync() as Float32Array, w: w.dataSync() as Float32Array, gy: gy.dataSync() as Float32Array, gx, gw, gb });
      expectClose(x.grad!, torch.tensor(gx).reshape(x.shape), 1e-4, 1e-5);
      expectClose(w.grad!, torch.tensor(gw).reshape(w.shape), 1e-3, 1e-5);
      expectClose(b.grad!, torch.tensor(gb), 1e-3, 1e-5);
    });
  }
});
