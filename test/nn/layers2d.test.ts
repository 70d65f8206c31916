/**
 * The convolutional layers as modules against PyTorch 1.13 (tools/fixtures/gen_conv2d.py ->
 * fixtures/conv2d.json modules and seeded, fixtures/layers2d.json): nn.Conv2d (every padding
 * mode), ConvTranspose1d/2d (outputSize), the 2-D and adaptive pools, GroupNorm, Upsample,
 * Unflatten (printing, state dicts, forward and gradients), seeded initialisation, BatchNorm2d's
 * running statistics (momentum null = cumulative average) and the channel dropouts' draws.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

const { nn } = torch;
const F = torch.nn.functional;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Opts = Record<string, any>;
interface ModuleCase {
  ctor: string; args: any[]; options: Opts; forwardArgs: any[]; repr: string; stateDict: Record<string, Enc>;
  input: Enc; out: Enc; indices?: Enc; w?: Enc; grads?: Enc; paramGrads?: Record<string, Enc | null>;
}
const conv = loadFixture<{ torch: string; modules: ModuleCase[]; seeded: { seed: number; ctor: string; args: any[]; options: Opts; stateDict: Record<string, Enc> }[] }>('conv2d');
interface BatchNormCase {
  options: Opts; repr: string; init: Record<string, Enc>;
  steps: { input: Enc; out: Enc; w: Enc; grads: (Enc | null)[]; stateDict: Record<string, Enc> }[];
  eval: { input: Enc; out: Enc };
}
interface DropoutCase { ctor: string; p: number; seed: number; repr: string; input: Enc; out: Enc; after: Enc; w?: Enc; grads?: Enc[] }
interface ErrorCase {
  name: string; fn?: string; module?: string; input: number[] | null; dtype: torch.DType; requiresGrad?: boolean; args?: any[]; options: Opts;
  weight?: number[] | null; weightDtype?: torch.DType; bias?: number[] | null; biasDtype?: torch.DType; ctorArgs?: any[]; forwardArgs?: any[];
  error: { type: string; message: string };
}
const layers = loadFixture<{ cases: BatchNormCase[]; dropout: DropoutCase[]; errors: ErrorCase[] }>('layers2d');

/** The module a fixture describes (options with torchlet's names). */
function makeModule(ctor: string, args: any[], options: Opts): Module {
  const C = (nn as unknown as Record<string, new (...a: any[]) => Module>)[ctor]!;
  if (ctor.startsWith('Upsampl')) return new C(options);
  if (ctor === 'Unflatten') return new C(...args);
  return Object.keys(options).length ? new C(...args, options) : new C(...args);
}

describe(`nn conv2d layers match torch ${conv.torch}`, () => {
  conv.modules.forEach((c, i) => {
    it(`${i}: ${c.repr} on [${c.input.shape.join(', ')}]`, () => {
      const m = makeModule(c.ctor, c.args, c.options);
      expect(String(m)).toBe(c.repr);
      const sd: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(c.stateDict)) sd[k] = fromFixture(v);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(sd));
      m.loadStateDict(sd);
      const x = fromFixture(c.input, true);
      const res = (m.forward as (...a: unknown[]) => torch.Tensor | [torch.Tensor, torch.Tensor])(x, ...c.forwardArgs);
      const out = Array.isArray(res) ? res[0] : res;
      if (c.indices) {
        expect(Array.isArray(res)).toBe(true);
        expectClose((res as [torch.Tensor, torch.Tensor])[1], c.indices, 0, 0);
      }
      expectClose(out, c.out, 3e-5, 1e-5);
      if (!c.w) return;
      out.mul(fromFixture(c.w)).sum().backward();
      expectClose(x.grad!, c.grads!, 3e-5, 1e-5);
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.paramGrads![name]!, 3e-5, 1e-5);
    });
  });

  for (const s of conv.seeded) {
    it(`torch.manualSeed(${s.seed}); new nn.${s.ctor}(${JSON.stringify(s.args).slice(1, -1)}, ${JSON.stringify(s.options)}) draws PyTorch's weights`, () => {
      torch.manualSeed(s.seed);
      const m = makeModule(s.ctor, s.args, s.options);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(s.stateDict));
      for (const [k, v] of Object.entries(s.stateDict)) expectClose(sd[k]!, fromFixture(v), 0, 0);
    });
  }

  it('exposes PyTorch-named parameters and hyper-parameters', () => {
    const m = new nn.Conv2d(4, 6, [3, 2], { groups: 2, bias: false, stride: 2 });
    expect(m.weight.shape).toEqual([6, 2, 3, 2]);
    expect(m.bias).toBeNull();
    expect([m.inChannels, m.outChannels, m.kernelSize, m.stride, m.padding, m.dilation, m.groups, m.paddingMode, m.transposed]).toEqual([
      4, 6, [3, 2], [2, 2], [0, 0], [1, 1], 2, 'zeros', false,
    ]);
    const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, outputPadding: 1, stride: 2 });
    expect(t.weight.shape).toEqual([4, 3, 3, 3]);
    expect(t.outputPadding).toEqual([1, 1]);
    expect(new nn.Conv2d(2, 2, 3, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });
});

describe('nn.BatchNorm2d matches torch (running statistics, momentum null, eval)', () => {
  for (const c of layers.cases) {
    it(`${c.repr}`, () => {
      const m = new nn.BatchNorm2d(3, c.options);
      expect(String(m)).toBe(c.repr);
      const init: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(c.init)) init[k] = fromFixture(v);
      m.loadStateDict(init);
      for (const step of c.steps) {
        m.zeroGrad();
        const x = fromFixture(step.input, true);
        const out = m.forward(x);
        expectClose(out, step.out, 2e-5, 1e-5);
        out.mul(fromFixture(step.w)).sum().backward();
        expectClose(x.grad!, step.grads[0]!, 5e-5, 1e-4);
        [m.weight, m.bias].forEach((p, i) => {
          if (p) expectClose(p.grad!, step.grads[i + 1]!, 5e-5, 1e-4);
        });
        const sd = m.stateDict();
        for (const [k, v] of Object.entries(step.stateDict)) expectClose(sd[k]!, v, 1e-6, 1e-6);
      }
      m.eval();
      expectClose(m.forward(fromFixture(c.eval.input)), c.eval.out, 2e-5, 1e-5);
    });
  }

  it('rejects input that is not 4-D', () => {
    expect(() => new nn.BatchNorm2d(3).forward(torch.zeros(2, 3, 4))).toThrow('expected 4D input (got 3D input)');
  });
});

describe('nn.Dropout1d / Dropout2d draw PyTorch\'s channel masks', () => {
  for (const c of layers.dropout) {
    it(`${c.repr} on ${c.input.dtype} [${c.input.shape.join(', ')}] (seed ${c.seed})`, () => {
      const x = fromFixture(c.input, true);
      torch.manualSeed(c.seed);
      const m = makeModule(c.ctor, [c.p], {});
      expect(String(m)).toBe(c.repr);
      const out = m.forward(x) as torch.Tensor;
      expectClose(out, fromFixture(c.out), 0, 0);
      // the generator has advanced exactly as PyTorch's
      expectClose(torch.rand(3), fromFixture(c.after), 0, 0);
      if (c.w) {
        out.mul(fromFixture(c.w)).sum().backward();
        expectClose(x.grad!, fromFixture(c.grads![0]!), 0, 0);
      }
      m.eval();
      // (an unbatched input goes through unsqueeze/squeeze views in eval mode too, as in PyTorch)
      if (c.ctor === 'Dropout1d' && x.dim() === 2) expectClose(m.forward(x) as torch.Tensor, x, 0, 0);
      else expect(m.forward(x)).toBe(x);
    });
  }
});

/** The functional call an error case names. */
const CALLS: Record<string, (x: torch.Tensor, w: torch.Tensor | null, b: torch.Tensor | null, args: any[], o: Opts) => unknown> = {
  conv2d: (x, w, b, _a, o) => F.conv2d(x, w!, b, o),
  convTranspose1d: (x, w, b, _a, o) => F.convTranspose1d(x, w!, b, o),
  convTranspose2d: (x, w, b, _a, o) => F.convTranspose2d(x, w!, b, o),
  maxPool2d: (x, _w, _b, a, o) => F.maxPool2d(x, a[0], o),
  avgPool2d: (x, _w, _b, a, o) => F.avgPool2d(x, a[0], o),
  adaptiveAvgPool1d: (x, _w, _b, a) => F.adaptiveAvgPool1d(x, a[0]),
  adaptiveAvgPool2d: (x, _w, _b, a) => F.adaptiveAvgPool2d(x, a[0]),
  adaptiveMaxPool1d: (x, _w, _b, a) => F.adaptiveMaxPool1d(x, a[0]),
  adaptiveMaxPool2d: (x, _w, _b, a) => F.adaptiveMaxPool2d(x, a[0]),
  interpolate: (x, _w, _b, _a, o) => F.interpolate(x, o),
  pad: (x, _w, _b, a) => F.pad(x, a[0], a[1], a[2] ?? 0),
  groupNorm: (x, w, b, a) => F.groupNorm(x, a[0], w, b),
  dropout1d: (x, _w, _b, a) => F.dropout1d(x, a[0]),
  dropout2d: (x, _w, _b, a) => F.dropout2d(x, a[0]),
};

describe('errors match torch', () => {
  for (const c of layers.errors) {
    it(`${c.fn ?? c.module}: ${c.name}`, () => {
      const mk = (shape: number[], dtype: torch.DType, rg = false): torch.Tensor => {
        const t = torch.zeros(shape, { dtype });
        return rg ? t.requiresGrad_() : t;
      };
      const input = c.input ? mk(c.input, c.dtype, c.requiresGrad) : null;
      let call: () => unknown;
      if (c.fn) {
        const w = c.weight ? mk(c.weight, c.weightDtype!) : null;
        const b = c.bias ? mk(c.bias, c.biasDtype!) : null;
        call = () => CALLS[c.fn!]!(input!, w, b, c.args!, c.options);
      } else {
        call = () => {
          const m = makeModule(c.module!, c.ctorArgs!, c.options);
          if (input) (m.forward as (...a: unknown[]) => unknown)(input, ...c.forwardArgs!);
        };
      }
      expectError(call, c.error);
    });
  }
});

describe('functional forms and gradcheck (float64)', () => {
  const r = (...s: number[]): torch.Tensor => torch.randn(s, { dtype: 'float64', requiresGrad: true });

  it('F.groupNorm with and without affine parameters', () => {
    torch.manualSeed(11);
    expect(torch.autograd.gradcheck((x, w, b) => F.groupNorm(x!, 2, w!, b!, 1e-5), [r(2, 4, 3, 2), r(4), r(4)])).toBe(true);
    expect(torch.autograd.gradcheck((x) => F.groupNorm(x!, 3), [r(2, 6, 5)])).toBe(true);
  });

  it('F.dropout2d / dropout1d: the same draws as the modules, masks per channel', () => {
    const x = torch.ones(3, 4, 2, 2);
    torch.manualSeed(3);
    const a = F.dropout2d(x, 0.5);
    torch.manualSeed(3);
    const b = new nn.Dropout2d(0.5).forward(x);
    expectClose(a, b, 0, 0);
    // each (sample, channel) plane is all zeros or all 2s
    const planes = a.reshape([12, 4]).tolist() as number[][];
    for (const p of planes) expect(new Set(p).size).toBe(1);
    expect(F.dropout2d(x, { p: 0.5, training: false })).toBe(x);
    expect(F.dropout1d(torch.ones(2, 3), 0)).toBeInstanceOf(torch.Tensor);
  });

  it('double backward through the conv and pool ops is refused', () => {
    const x = r(1, 2, 5, 5);
    const y = F.conv2d(x, r(3, 2, 3, 3)).sum();
    expect(() => torch.autograd.grad([y], [x], { createGraph: true })).toThrow('double backward through conv2d is not supported');
    const z = F.maxPool2d(x, 2).sum();
    expect(() => torch.autograd.grad([z], [x], { createGraph: true })).toThrow('double backward through max_pool2d is not supported');
  });
});
