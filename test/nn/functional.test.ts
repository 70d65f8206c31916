/**
 * nn.functional against PyTorch 1.13 (values and gradients), PyTorch's exact error messages for
 * nn, and float64 gradcheck of the differentiable functions.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import type { Enc } from './helpers.js';

const F = nn.F;
const fx = loadFixture<{ functional: any[]; errors: { name: string; type: string; message: string }[] }>('nn');
const r = (...s: number[]): torch.Tensor => torch.randn(s);

const FUNCTIONAL: Record<string, (c: any, xs: torch.Tensor[]) => torch.Tensor> = {
  pad: (c, [x]) => F.pad(x!, c.pad, c.mode ?? 'constant', c.value),
  normalize: (c, [x]) => F.normalize(x!, c.p, c.dim),
  dropout: (c, [x]) => F.dropout(x!, c.p, c.training),
  linear: (_c, [x, w, b]) => F.linear(x!, w!, b),
  batchNormEval: (_c, [x, m, v]) => F.batchNorm(x!, m!.detach(), v!.detach().abs().add(0.5)),
  layerNormPlain: (_c, [x]) => F.layerNorm(x!, [4]),
  embeddingPad: (_c, [w]) => F.embedding(torch.tensor([[0, 2], [2, 1]]), w!, { paddingIdx: 2 }),
};

describe('functional matches PyTorch', () => {
  for (const c of fx.functional) {
    it(c.name, () => {
      const key = c.fn ?? c.name.split(' ')[0];
      const f = FUNCTIONAL[key]!;
      expect(f, key).toBeDefined();
      const xs = c.inputs.map((x: Enc) => fromFixture(x, true));
      const out = f(c, xs);
      expectClose(out, c.output);
      out.mul(fromFixture(c.w)).sum().backward();
      c.inputGrads.forEach((g: Enc | null, i: number) => {
        if (g) expectClose(xs[i]!.grad!, g);
        else expect(xs[i]!.grad).toBeNull();
      });
    });
  }
});

const lin = new nn.Linear(2, 2);
const ERRORS: Record<string, () => unknown> = {
  'layerNorm input shape': () => F.layerNorm(r(2, 4), [3]),
  'layerNorm weight shape': () => F.layerNorm(r(2, 3), [3], torch.ones(4)),
  'layerNorm bias shape': () => F.layerNorm(r(2, 3), [3], null, torch.ones(4)),
  'LayerNorm module input': () => new nn.LayerNorm(3).forward(r(2, 4)),
  'BatchNorm1d one value per channel': () => new nn.BatchNorm1d(3).forward(r(1, 3)),
  'BatchNorm1d one value per channel 3-D': () => new nn.BatchNorm1d(3).forward(r(1, 3, 1)),
  'BatchNorm1d wrong channels': () => new nn.BatchNorm1d(3).forward(r(2, 4)),
  'BatchNorm1d 4-D': () => new nn.BatchNorm1d(3).forward(r(2, 3, 4, 5)),
  'batchNorm eval without stats': () => F.batchNorm(r(2, 3), null, null, null, null, false),
  'batchNorm weight size': () => F.batchNorm(r(2, 3), torch.zeros(3), torch.ones(3), torch.ones(4), null, true),
  'batchNorm bias size': () => F.batchNorm(r(2, 3), torch.zeros(3), torch.ones(3), null, torch.ones(4), { training: true }),
  'embedding float indices': () => F.embedding(torch.tensor([1.5]), r(3, 2)),
  'embedding index too large': () => F.embedding(torch.tensor([3]), r(3, 2)),
  'embedding negative index': () => F.embedding(torch.tensor([-1]), r(3, 2)),
  'Embedding paddingIdx too large': () => new nn.Embedding(3, 2, { paddingIdx: 3 }),
  'Embedding paddingIdx too negative': () => new nn.Embedding(3, 2, { paddingIdx: -4 }),
  'Embedding.fromPretrained 1-D': () => nn.Embedding.fromPretrained(r(3)),
  'Embedding _weight shape': () => new nn.Embedding(3, 2, { _weight: r(2, 2) }),
  'bilinear dims': () => F.bilinear(r(2, 3), r(2, 3, 1), r(4, 3, 3)),
  'bilinear batch': () => F.bilinear(r(2, 3), r(3, 3), r(4, 3, 3)),
  'bilinear input1': () => F.bilinear(r(2, 2), r(2, 3), r(4, 3, 3)),
  'bilinear input2': () => F.bilinear(r(2, 3), r(2, 2), r(4, 3, 3)),
  'bilinear bias': () => F.bilinear(r(2, 3), r(2, 3), r(4, 3, 3), r(5)),
  'Dropout p 1.5': () => new nn.Dropout(1.5),
  'dropout p -0.1': () => F.dropout(r(2), -0.1),
  'gelu approximate': () => F.gelu(r(2), { approximate: 'foo' as 'tanh' }),
  'pad odd': () => F.pad(r(2, 3), [1]),
  'pad too large': () => F.pad(r(2, 3), [1, 1, 1, 1, 1, 1]),
  'linear shapes': () => F.linear(r(2, 4), r(2, 3)),
  'linear shapes 3-D': () => F.linear(r(5, 2, 4), r(2, 3)),
  'Linear module shapes': () => new nn.Linear(3, 2).forward(r(2, 4)),
  'kaiming mode': () => nn.init.kaimingUniform_(torch.empty(3, 3), { mode: 'fan_avg' as 'fan_in' }),
  'xavier 1-D': () => nn.init.xavierUniform_(torch.empty(3)),
  'fan 1-D': () => nn.init.calculateFanInAndFanOut(torch.empty(3)),
  'calculateGain unknown': () => nn.init.calculateGain('foo'),
  'calculateGain bad slope': () => nn.init.calculateGain('leaky_relu', 'x' as unknown as number),
  'orthogonal 1-D': () => nn.init.orthogonal_(torch.empty(3)),
  'Sequential index': () => new nn.Sequential(new nn.ReLU()).get(3),
  'ModuleList index': () => new nn.ModuleList([new nn.ReLU()]).get(-3),
  'ModuleList forward': () => new nn.ModuleList([new nn.ReLU()]).forward(torch.ones(1)),
  'Module forward': () => new nn.Module().forward(torch.ones(1)),
  'registerBuffer dot': () => new nn.Module().registerBuffer('a.b', null),
  'registerBuffer empty': () => new nn.Module().registerBuffer('', null),
  'registerParameter dot': () => new nn.Module().registerParameter('a.b', null),
  'registerParameter existing attribute': () => new nn.Linear(2, 2).registerParameter('training', null),
  'registerBuffer existing attribute': () => new nn.Linear(2, 2).registerBuffer('forward', null),
  'addModule existing attribute': () => new nn.Linear(2, 2).addModule('weight', new nn.ReLU()),
  'addModule dot': () => new nn.Module().addModule('a.b', new nn.ReLU()),
  'addModule not a module': () => new nn.Module().addModule('a', 3 as unknown as nn.Module),
  'assign tensor to parameter': () => ((lin as any).weight = torch.ones(2)),
  'assign tensor to child': () => ((new nn.Sequential(new nn.ReLU()) as any)['0'] = torch.ones(2)),
  'assign non-tensor to buffer': () => ((new nn.BatchNorm1d(2) as any).running_mean = 3),
  'registerParameter tensor': () => lin.registerParameter('w2', new nn.Parameter(torch.ones(2)).mul(2) as nn.Parameter),
  'registerBuffer non-tensor': () => lin.registerBuffer('b2', 3 as unknown as torch.Tensor),
  'Parameter int': () => new nn.Parameter(torch.tensor([1, 2])),
  'getSubmodule missing': () => lin.getSubmodule('foo'),
  'getSubmodule not module': () => lin.getSubmodule('weight'),
  'to int64': () => lin.to('int64'),
  'train non-bool': () => lin.train('x' as unknown as boolean),
};

describe('errors match PyTorch', () => {
  for (const e of fx.errors) {
    it(e.name, () => {
      const f = ERRORS[e.name];
      expect(f, e.name).toBeDefined();
      let caught: unknown = null;
      try {
        f!();
      } catch (err) {
        caught = err;
      }
      expect(caught, 'no error thrown').toBeInstanceOf(Error);
      expect((caught as Error).message).toBe(e.message);
      expect((caught as Error).name).toBe(e.type);
    });
  }
});

describe('gradcheck (float64)', () => {
  const d = (...s: number[]): torch.Tensor => torch.randn(s, { dtype: 'float64', requiresGrad: true });
  const gc = (fn: (...xs: torch.Tensor[]) => torch.Tensor, xs: torch.Tensor[]): void => {
    expect(torch.autograd.gradcheck(fn, xs)).toBe(true);
  };

  it('linear (2-D, 3-D, no bias)', () => {
    gc((x, w, b) => F.linear(x, w, b), [d(3, 4), d(2, 4), d(2)]);
    gc((x, w) => F.linear(x, w), [d(2, 2, 3), d(2, 3)]);
  });

  it('bilinear', () => {
    gc((a, b, w, bias) => F.bilinear(a, b, w, bias), [d(3, 2), d(3, 3), d(2, 2, 3), d(2)]);
    gc((a, b, w) => F.bilinear(a, b, w), [d(2, 2, 2), d(2, 2, 1), d(3, 2, 1)]);
  });

  it('layerNorm (affine, no affine, 2 normalized dims)', () => {
    gc((x, w, b) => F.layerNorm(x, [4], w, b), [d(3, 4), d(4), d(4)]);
    gc((x) => F.layerNorm(x, [4]), [d(2, 4)]);
    gc((x, w) => F.layerNorm(x, [2, 3], w, null, 1e-3), [d(2, 2, 3), d(2, 3)]);
  });

  it('batchNorm training and eval, (N,C) and (N,C,L)', () => {
    gc((x, w, b) => F.batchNorm(x, null, null, w, b, true), [d(4, 3), d(3), d(3)]);
    gc((x, w, b) => F.batchNorm(x, null, null, w, b, true), [d(2, 3, 3), d(3), d(3)]);
    gc((x) => F.batchNorm(x, null, null, null, null, true), [d(3, 2)]);
    const rm = torch.randn([3], { dtype: 'float64' });
    const rv = torch.rand([3], { dtype: 'float64' }).add(0.5);
    gc((x, w, b) => F.batchNorm(x, rm, rv, w, b, false), [d(2, 3, 2), d(3), d(3)]);
  });

  it('embedding', () => {
    // paddingIdx and scaleGradByFreq alter the gradient on purpose; the fixtures cover them.
    gc((w) => F.embedding(torch.tensor([[0, 2, 2], [1, 3, 0]]), w), [d(4, 2)]);
  });

  it('pad, normalize, dropout with a fixed seed', () => {
    gc((x) => F.pad(x, [1, -1, 2, 1], 'constant', 0.5), [d(2, 3, 3)]);
    gc((x) => F.normalize(x, 2, 1), [d(3, 4)]);
    gc((x) => F.normalize(x, 1, 0), [d(3, 4)]);
    gc((x) => {
      torch.manualSeed(3);
      return F.dropout(x, 0.4);
    }, [d(3, 5)]);
  });

  it('activations', () => {
    gc((x) => F.leakyRelu(x, 0.2), [d(2, 3)]);
    gc((x) => F.elu(x, 0.7), [d(2, 3)]);
    gc((x) => F.softplus(x, 2, 1), [d(2, 3)]);
    gc((x) => F.gelu(x), [d(2, 3)]);
    gc((x) => F.gelu(x, 'tanh'), [d(2, 3)]);
    gc((x) => F.logSoftmax(x, 1), [d(2, 3)]);
    gc((x) => F.softmax(x, 0), [d(2, 3)]);
  });

  it('modules in float64', () => {
    const bl = new nn.Bilinear(2, 3, 2).double();
    gc((a, b) => bl.forward(a, b), [d(2, 2), d(2, 3)]);
    const ln = new nn.LayerNorm(3).double();
    gc((x) => ln.forward(x), [d(2, 3)]);
  });
});

describe('functional behaviour', () => {
  it('dropout accepts an options object; inplace returns the input', () => {
    const x = torch.ones(4, 4);
    expect(F.dropout(x, { p: 0.5, training: false })).toBe(x);
    torch.manualSeed(0);
    const y = torch.ones(2, 3);
    expect(F.dropout(y, { p: 0.5, inplace: true })).toBe(y);
  });

  it('softmax without dim uses PyTorch\'s implicit choice', () => {
    const x = torch.randn(2, 3);
    expectClose(F.softmax(x), x.softmax(1));
    const z = torch.randn(2, 3, 4);
    expectClose(F.logSoftmax(z), z.logSoftmax(0));
  });
});
