/**
 * 1-D convolution and pooling against PyTorch 1.13 (tools/fixtures/gen_conv.py -> fixtures/conv.json):
 * F.conv1d / maxPool1d / avgPool1d values and gradients, nn.Conv1d / MaxPool1d / AvgPool1d
 * (padding modes, reprs, seeded init), exact error messages, float64 gradcheck, and the two js
 * conv kernels (direct loops and im2col + gemm) checked against each other.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import type { Conv1dBackwardArgs, Conv1dForwardArgs } from '../../src/backends/backend.js';
import {
  conv1dBackwardDirect,
  conv1dBackwardGemm,
  conv1dForwardDirect,
  conv1dForwardGemm,
} from '../../src/backends/js/kernels/conv1d.js';
import { avgPool1d, conv1d, maxPool1d, pad1d, poolingOutputLength } from '../../src/ops/conv.js';
import { Conv1d } from '../../src/nn/modules/conv.js';
import { AvgPool1d, MaxPool1d } from '../../src/nn/modules/pooling.js';
import { Module } from '../../src/nn/module.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Opts = Record<string, any>;
interface ConvCase { name: string; options: Opts; input: Enc; weight: Enc; bias: Enc | null; out: Enc; w?: Enc; grads?: (Enc | null)[] }
interface PoolCase { name: string; kernelSize: number; options: Opts; input: Enc; out: Enc; indices?: Enc; w?: Enc; grads?: (Enc | null)[] }
interface ModuleCase {
  ctor: 'Conv1d' | 'MaxPool1d' | 'AvgPool1d'; args: number[]; options: Opts; repr: string; stateDict: Record<string, Enc>;
  input: Enc; out: Enc; indices?: Enc; w: Enc; grads: Enc; paramGrads: Record<string, Enc>;
}
interface ErrorCase {
  name: string; fn: string; args: any[]; options: Opts; requiresGrad: boolean; dtype: torch.DType; input?: number[];
  weight?: number[] | null; bias?: number[] | null; weightDtype?: torch.DType; biasDtype?: torch.DType; ctorArgs?: any[];
  error: { type: string; message: string };
}
const fx = loadFixture<{
  torch: string; cases: ConvCase[]; maxpool: PoolCase[]; avgpool: PoolCase[]; modules: ModuleCase[];
  seeded: { seed: number; args: number[]; options: Opts; stateDict: Record<string, Enc> }[]; errors: ErrorCase[];
}>('conv');

const f64 = { dtype: 'float64' as const };

function makeModule(ctor: string, args: any[], options: Opts): Module {
  if (ctor === 'Conv1d') return new Conv1d(args[0], args[1], args[2], options);
  if (ctor === 'MaxPool1d') return new MaxPool1d(args[0], options);
  if (ctor === 'AvgPool1d') return new AvgPool1d(args[0], options);
  throw new Error(ctor);
}

/** Loss of (out * w).sum() and backward. */
function backwardWith(out: torch.Tensor, w: Enc): void {
  out.mul(fromFixture(w)).sum().backward();
}

describe(`F.conv1d matches torch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const grad = c.grads !== undefined;
      const x = fromFixture(c.input, grad);
      const w = fromFixture(c.weight, grad);
      const b = c.bias ? fromFixture(c.bias, grad) : null;
      const out = conv1d(x, w, b, c.options);
      const f32 = c.input.dtype === 'float32';
      const [atol, rtol] = f32 ? [2e-5, 1e-4] : [1e-12, 1e-10];
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, atol, rtol);
      if (!grad) return;
      if (out.numel() > 0 && x.dim() === 3) expect(out.gradFn?.name).toBe('ConvolutionBackward0');
      backwardWith(out, c.w!);
      [x, w, b].forEach((t, i) => {
        if (t) expectClose(t.grad!, c.grads![i]!, atol, rtol);
      });
    });
  }
});

describe('F.maxPool1d / F.avgPool1d match torch', () => {
  for (const c of fx.maxpool) {
    it(`max ${c.name}`, () => {
      const x = fromFixture(c.input, c.grads !== undefined);
      const [out, idx] = maxPool1d(x, c.kernelSize, { ...c.options, returnIndices: true });
      expectClose(out, c.out, 0, 0);
      expect(idx.dtype).toBe('int64');
      expectClose(idx, c.indices!, 0, 0);
      // the plain form (no indices requested) gives the same values
      expectClose(torch.noGrad(() => maxPool1d(x, c.kernelSize, c.options)), c.out, 0, 0);
      if (!c.grads) return;
      backwardWith(maxPool1d(x, c.kernelSize, c.options), c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }
  for (const c of fx.avgpool) {
    it(`avg ${c.name}`, () => {
      const x = fromFixture(c.input, c.grads !== undefined);
      const out = avgPool1d(x, c.kernelSize, c.options);
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, 1e-6, 1e-6);
      if (!c.grads) return;
      backwardWith(out, c.w!);
      expectClose(x.grad!, c.grads[0]!, 1e-6, 1e-6);
    });
  }

  it('output length follows pooling_output_shape, including the ceil_mode rule', () => {
    expect(poolingOutputLength(10, 3, 0, 2, 1, false)).toBe(4);
    expect(poolingOutputLength(10, 3, 0, 2, 1, true)).toBe(5);
    // the last window would start in the right padding: dropped
    expect(poolingOutputLength(5, 2, 1, 3, 1, true)).toBe(2);
    expect(poolingOutputLength(6, 3, 1, 3, 1, true)).toBe(3);
    expect(poolingOutputLength(1, 5, 0, 1, 1, false)).toBe(-3);
  });
});

describe('nn.Conv1d / MaxPool1d / AvgPool1d match torch', () => {
  fx.modules.forEach((c, i) => {
    it(`${i}: ${c.repr} on [${c.input.shape.join(', ')}]`, () => {
      const m = makeModule(c.ctor, c.args, c.options);
      expect(String(m)).toBe(c.repr);
      const sd: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(c.stateDict)) sd[k] = fromFixture(v);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(sd));
      m.loadStateDict(sd);
      const x = fromFixture(c.input, true);
      const res = m.forward(x) as torch.Tensor | [torch.Tensor, torch.Tensor];
      const out = Array.isArray(res) ? res[0] : res;
      if (Array.isArray(res)) expectClose(res[1], c.indices!, 0, 0);
      expectClose(out, c.out, 2e-5, 1e-4);
      backwardWith(out, c.w);
      expectClose(x.grad!, c.grads, 2e-5, 1e-4);
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.paramGrads[name]!, 2e-5, 1e-4);
    });
  });

  for (const s of fx.seeded) {
    it(`torch.manualSeed(${s.seed}); new nn.Conv1d(${s.args.join(', ')}, ${JSON.stringify(s.options)}) draws PyTorch's weights`, () => {
      torch.manualSeed(s.seed);
      const m = new Conv1d(s.args[0]!, s.args[1]!, s.args[2]!, s.options);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(s.stateDict));
      for (const [k, v] of Object.entries(s.stateDict)) expectClose(sd[k]!, v, 0, 0);
    });
  }

  it('exposes PyTorch-named parameters and hyper-parameters', () => {
    const m = new Conv1d(4, 6, 3, { groups: 2, bias: false, stride: 2 });
    expect(m.weight.shape).toEqual([6, 2, 3]);
    expect(m.bias).toBeNull();
    expect(m.parameters().length).toBe(1);
    expect([m.inChannels, m.outChannels, m.kernelSize, m.stride, m.padding, m.dilation, m.groups, m.paddingMode]).toEqual([
      4, 6, [3], [2], [0], [1], 2, 'zeros',
    ]);
    expect(new Conv1d(2, 2, 3, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('MaxPool1d with returnIndices returns [output, indices]', () => {
    const m = new MaxPool1d(2, { returnIndices: true });
    const [y, i] = m.forward(torch.tensor([[1.5, 3, 2, 0]])) as [torch.Tensor, torch.Tensor];
    expect(y.tolist()).toEqual([[3, 2]]);
    expect(i.tolist()).toEqual([[1, 2]]);
  });
});

describe('errors match torch', () => {
  for (const c of fx.errors) {
    it(c.name, () => {
      const mk = (shape: number[], dtype: torch.DType, rg = false): torch.Tensor => {
        const t = torch.zeros(shape, { dtype });
        return rg ? t.requiresGrad_() : t;
      };
      const input = c.input ? mk(c.input, c.dtype, c.requiresGrad) : null;
      let call: () => unknown;
      if (c.fn === 'conv1d') {
        const w = mk(c.weight!, c.weightDtype!);
        const b = c.bias ? mk(c.bias, c.biasDtype!) : null;
        call = () => conv1d(input!, w, b, c.options);
      } else if (c.fn === 'maxPool1d') {
        call = () => maxPool1d(input!, c.args[0], c.options);
      } else if (c.fn === 'avgPool1d') {
        call = () => avgPool1d(input!, c.args[0], c.options);
      } else {
        call = () => {
          const m = makeModule(c.fn, c.ctorArgs!, c.options);
          if (input) m.forward(input);
        };
      }
      let err: unknown = null;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, 'expected an error').toBeInstanceOf(Error);
      expect((err as Error).message).toBe(c.error.message);
      const cls = { ValueError: torch.ValueError, RuntimeError: torch.RuntimeError, NotImplementedError: torch.NotImplementedError }[c.error.type];
      expect(err).toBeInstanceOf(cls!);
    });
  }

  it('rejects wrong argument types from untyped callers', () => {
    const x = torch.zeros(1, 2, 5);
    const w = torch.zeros(3, 2, 2);
    expect(() => conv1d(x, w, null, { stride: 1.5 })).toThrow(TypeError);
    expect(() => conv1d(x, w, null, { groups: '1' as any })).toThrow(TypeError);
    expect(() => conv1d(x, [1, 2] as any)).toThrow(TypeError);
    expect(() => maxPool1d(x, '2' as any)).toThrow(TypeError);
    expect(() => maxPool1d(x, 2, { ceilMode: 1 as any })).toThrow(TypeError);
    expect(() => avgPool1d(x, 2, { padding: 0.5 })).toThrow(TypeError);
    expect(() => new Conv1d(2, 3, 2.5)).toThrow(TypeError);
    expect(() => new Conv1d(-1, 3, 2)).toThrow(RangeError);
  });

  it('double backward is not supported', () => {
    const x = torch.randn([1, 2, 5], { requiresGrad: true });
    const w = torch.randn([3, 2, 2], { requiresGrad: true });
    const y = conv1d(x, w).sum();
    expect(() => torch.autograd.grad([y], [x], { createGraph: true })).toThrow('double backward through conv1d is not supported');
  });
});

describe('gradcheck (float64)', () => {
  const r = (...s: number[]): torch.Tensor => torch.randn(s, { ...f64, requiresGrad: true });
  const convCases: [string, number[], number[], Opts][] = [
    ['plain', [2, 2, 6], [3, 2, 3], {}],
    ['stride 2 padding 1', [2, 2, 7], [3, 2, 3], { stride: 2, padding: 1 }],
    ['dilation 2 padding 2', [1, 2, 8], [2, 2, 3], { dilation: 2, padding: 2 }],
    ['groups 2 stride 3 dilation 2', [2, 4, 11], [4, 2, 2], { groups: 2, stride: 3, dilation: 2, padding: 1 }],
    ['same even kernel', [1, 2, 5], [2, 2, 4], { padding: 'same' }],
    ['unbatched', [2, 5], [3, 2, 2], { padding: 1 }],
    ['gemm path', [1, 3, 24], [8, 3, 3], { padding: 1, stride: 2 }],
  ];
  for (const [name, xs, ws, o] of convCases) {
    it(`conv1d ${name}`, () => {
      torch.manualSeed(1);
      const x = r(...xs);
      const w = r(...ws);
      const b = r(ws[0]!);
      expect(gradcheck((a, bw, bb) => conv1d(a!, bw!, bb!, o), [x, w, b])).toBe(true);
    });
  }
  it('conv1d without bias', () => {
    torch.manualSeed(2);
    expect(gradcheck((a, bw) => conv1d(a!, bw!, null, { padding: 2, dilation: 2 }), [r(2, 2, 6), r(2, 2, 2)])).toBe(true);
  });
  for (const mode of ['reflect', 'replicate', 'circular'] as const) {
    it(`pad1d ${mode} (nn.Conv1d paddingMode)`, () => {
      torch.manualSeed(3);
      expect(gradcheck((a) => pad1d(a!, 2, 1, mode), [r(2, 2, 4)])).toBe(true);
    });
  }
  const poolCases: [string, number, Opts][] = [
    ['k3', 3, {}],
    ['k3 s2 p1 ceil', 3, { stride: 2, padding: 1, ceilMode: true }],
    ['k2 s1 d2', 2, { stride: 1, dilation: 2 }],
  ];
  for (const [name, k, o] of poolCases) {
    it(`maxPool1d ${name}`, () => {
      torch.manualSeed(4);
      // distinct values, so finite differences do not cross a tie
      const x = torch.randperm(18, f64).reshape([2, 9]).mul(0.1).requiresGrad_();
      expect(gradcheck((a) => maxPool1d(a!, k, o), [x])).toBe(true);
    });
  }
  const avgCases: [string, number, Opts][] = [
    ['k3', 3, {}],
    ['k4 s3 p2 ceil', 4, { stride: 3, padding: 2, ceilMode: true }],
    ['k4 s3 p2 ceil exclude pad', 4, { stride: 3, padding: 2, ceilMode: true, countIncludePad: false }],
  ];
  for (const [name, k, o] of avgCases) {
    it(`avgPool1d ${name}`, () => {
      torch.manualSeed(5);
      expect(gradcheck((a) => avgPool1d(a!, k, o), [r(2, 2, 10)])).toBe(true);
    });
  }
});

describe('js conv1d kernels: direct loops and im2col + gemm agree', () => {
  const configs = [
    // N, C, L, O, K, S, P, D, G
    [2, 3, 11, 4, 3, 1, 0, 1, 1],
    [3, 6, 17, 9, 4, 2, 3, 2, 3],
    [1, 16, 13, 16, 1, 1, 0, 1, 1], // pointwise: gemm reads x directly
    [2, 4, 9, 8, 3, 3, 4, 1, 4], // depthwise-multiplier, padding > kernel
    [2, 8, 31, 24, 5, 1, 2, 3, 2],
    [0, 3, 5, 4, 3, 1, 0, 1, 1],
  ];
  for (const [N, C, L, O, K, S, P, D, G] of configs as number[][]) {
    it(`N${N} C${C} L${L} O${O} K${K} S${S} P${P} D${D} G${G}`, () => {
      torch.manualSeed(6);
      const Lo = Math.floor((L! + 2 * P! - D! * (K! - 1) - 1) / S!) + 1;
      const geo = { N: N!, C: C!, L: L!, O: O!, K: K!, Lo, stride: S!, padding: P!, dilation: D!, groups: G! };
      const arr = (n: number): Float64Array => torch.randn([n], f64).dataSync() as Float64Array;
      const x = arr(N! * C! * L!);
      const w = arr((O! * C! * K!) / G!);
      const b = arr(O!);
      const gy = arr(N! * O! * Lo);
      const fwd = (f: (a: Conv1dForwardArgs) => void): Float64Array => {
        const y = new Float64Array(N! * O! * Lo).fill(NaN);
        f({ ...geo, x, w, b, y });
        return y;
      };
      const bwd = (f: (a: Conv1dBackwardArgs) => void): Float64Array[] => {
        const gx = new Float64Array(x.length).fill(NaN);
        const gw = new Float64Array(w.length).fill(NaN);
        const gb = new Float64Array(O!).fill(NaN);
        f({ ...geo, x, w, gy, gx, gw, gb });
        return [gx, gw, gb];
      };
      const close = (a: Float64Array, e: Float64Array): void => {
        expect(a.length).toBe(e.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(e[i]!)));
      };
      close(fwd(conv1dForwardGemm), fwd(conv1dForwardDirect));
      const [ax, aw, ab] = bwd(conv1dBackwardGemm);
      const [ex, ew, eb] = bwd(conv1dBackwardDirect);
      close(ax!, ex!);
      close(aw!, ew!);
      close(ab!, eb!);
    });
  }
});

describe('layouts', () => {
  it('non-contiguous input and weight give the same result', () => {
    torch.manualSeed(7);
    const x = torch.randn(2, 5, 3); // [N, L, C] -> transpose to [N, C, L]
    const w = torch.randn(3, 4, 2); // [K?] permuted below
    const xt = x.transpose(1, 2);
    const wt = w.permute([1, 0, 2]); // [4, 3, 2]
    const a = conv1d(xt, wt, null, { padding: 1 });
    const b = conv1d(xt.contiguous(), wt.contiguous(), null, { padding: 1 });
    expectClose(a, b, 0, 0);
    const p = maxPool1d(xt, 2);
    expectClose(p, maxPool1d(xt.contiguous(), 2), 0, 0);
  });

  it('unbatched input keeps its rank', () => {
    const m = new Conv1d(3, 4, 3, { padding: 'same' });
    expect(m.forward(torch.zeros(3, 7)).shape).toEqual([4, 7]);
    expect(avgPool1d(torch.zeros(3, 7), 2).shape).toEqual([3, 3]);
  });
});
