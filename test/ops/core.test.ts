// Core ops against PyTorch fixtures (tools/fixtures/gen_core.py): values, dtypes, gradients, errors.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
const fx = loadFixture('core');

const CREATE: Record<string, () => T> = {
  'arange 5': () => torch.arange(5),
  'arange 1 4 0.5': () => torch.arange(1, 4, 0.5),
  'arange -1 1 0.3': () => torch.arange(-1, 1, 0.3),
  'arange 10 0 -3': () => torch.arange(10, 0, -3),
  'linspace 0 1 5': () => torch.linspace(0, 1, 5),
  'linspace -3 7.5 11': () => torch.linspace(-3, 7.5, 11),
  'linspace 0.1 0.9 7': () => torch.linspace(0.1, 0.9, 7),
  'eye 3': () => torch.eye(3),
  'eye 2 4': () => torch.eye(2, 4),
  'full int': () => torch.full([2, 2], 7),
  'full float': () => torch.full([2], 1.5),
  'full bool': () => torch.full([2], true),
  zeros: () => torch.zeros(2, 3),
  'ones int32': () => torch.ones(2, { dtype: 'int32' }),
  'tensor ints': () => torch.tensor([[1, 2], [3, 4]]),
  'tensor floats': () => torch.tensor([1, 2.5]),
  'tensor bools': () => torch.tensor([true, false]),
  'linspace f64': () => torch.linspace(0, 1, 7, { dtype: 'float64' }),
  'arange float dtype': () => torch.arange(3, { dtype: 'float32' }),
};

function run(c: any, xs: T[]): T {
  const p = c.params;
  const [a, b] = xs as [T, T];
  switch (c.op) {
    case 'atan2':
      return a.atan2(b);
    case 'logical_and':
      return a.logicalAnd(b);
    case 'logical_or':
      return a.logicalOr(b);
    case 'logical_xor':
      return a.logicalXor(b);
    case 'logical_not':
      return a.logicalNot();
    case 'floor_divide':
      return a.floorDivide(b);
    case 'rsub':
      return torch.sub(p.scalar, a);
    case 'rdiv':
      return torch.div(p.scalar, a);
    case 'rpow':
      return torch.pow(p.scalar, a);
    case 'where':
      return torch.where(a, b, xs[2]!);
    case 'where_scalar':
      return torch.where(a, b, p.other);
    case 'masked_fill':
      return a.maskedFill(b, p.value);
    case 'clamp':
      return a.clamp(p.min, p.max);
    case 'view':
      return a.view(p.shape);
    case 'reshape_noncontig':
      return a.permute(p.perm).reshape(p.shape);
    case 'permute':
      return a.permute(p.dims);
    case 'transpose':
      return a.transpose(p.dims[0], p.dims[1]);
    case 't':
      return a.t();
    case 'select':
      return a.select(p.dim, p.index);
    case 'narrow':
      return a.narrow(p.dim, p.start, p.length);
    case 'expand':
      return a.expand(p.shape);
    case 'unsqueeze':
      return a.unsqueeze(p.dim);
    case 'squeeze':
      return a.squeeze();
    case 'squeeze_dim':
      return a.squeeze(p.dim);
    case 'flatten':
      return a.flatten(p.start, p.end);
    case 'unflatten':
      return a.unflatten(p.dim, p.sizes);
    case 'contiguous':
      return a.permute(p.perm).contiguous();
    case 'slice_step':
      return a.slice(p.dim, p.start, p.stop, p.step);
    case 'cat':
      return torch.cat(xs, p.dim);
    case 'stack':
      return torch.stack(xs, p.dim);
    case 'matmul_tt':
      return a.t().matmul(b.t());
    case 'sum':
      return a.sum(p.dim, p.keepdim);
    case 'mean':
      return a.mean(p.dim, p.keepdim);
    case 'create':
      return CREATE[p.which]!();
    default: {
      const m = (a as any)[c.op];
      if (typeof m !== 'function') throw new Error(`no method ${c.op}`);
      return m.call(a, ...xs.slice(1));
    }
  }
}

function inputsOf(c: any, grad: boolean): T[] {
  return c.inputs.map((i: any) => {
    if ('scalar' in i) return i.scalar;
    const t = fromFixture(i);
    return grad && t.isFloatingPoint() ? t.requiresGrad_() : t;
  });
}

describe('core ops match PyTorch', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const grad = !!c.grads;
      const xs = inputsOf(c, grad);
      if (c.op === 'chunk' || c.op === 'split') {
        const parts = c.op === 'chunk' ? xs[0]!.chunk(c.params.chunks, c.params.dim) : xs[0]!.split(c.params.split, c.params.dim);
        expect(parts.length).toBe(c.outs.length);
        parts.forEach((p, i) => {
          expectClose(p, c.outs[i]);
          expect(p.storage).toBe(xs[0]!.storage); // views share storage
        });
        return;
      }
      const out = run(c, xs);
      expect(out.dtype).toBe(c.out.dtype);
      const f32 = out.dtype === 'float32';
      expectClose(out, c.out, f32 ? 1e-5 : 1e-12, f32 ? 1e-5 : 1e-10);
      if (grad) {
        const w = fromFixture(c.w);
        out.mul(w).sum().backward();
        c.grads.forEach((g: any, i: number) => {
          if (g === null) return;
          expectClose(xs[i]!.grad!, g, f32 ? 1e-4 : 1e-10, f32 ? 1e-4 : 1e-9);
        });
      }
    });
  }
});

describe('errors match PyTorch', () => {
  const z = torch.zeros(2, 3);
  const ERR: Record<string, () => unknown> = {
    'view bad': () => z.view(5),
    'view noncontig': () => z.t().view(6),
    'permute len': () => z.permute(0),
    'permute dup': () => z.permute(0, 0),
    'transpose dim': () => z.transpose(0, 2),
    'select range': () => z.select(1, 3),
    'narrow range': () => z.narrow(1, 2, 2),
    'expand size': () => z.expand(3, 3),
    'expand few': () => z.expand(3),
    'unsqueeze dim': () => z.unsqueeze(3),
    'view two infer': () => z.view(-1, -1),
    'reshape bad': () => z.reshape(4, -1),
    'cat sizes': () => torch.cat([z, torch.zeros(3, 3)], 1),
    'cat empty': () => torch.cat([]),
    'stack sizes': () => torch.stack([z, torch.zeros(3, 3)]),
    'chunk zero': () => z.chunk(0),
    'split zero': () => z.split(0),
    'unflatten bad': () => z.unflatten(1, [2, 2]),
    'flatten order': () => z.flatten(1, 0),
    'mm shapes': () => torch.mm(z, z),
    'mm vec': () => torch.mm(z, torch.zeros(3)),
    'bmm 2d': () => torch.bmm(z, z),
    'bmm shapes': () => torch.bmm(torch.zeros(2, 2, 3), torch.zeros(2, 2, 3)),
    'matmul 1d': () => torch.matmul(torch.zeros(3), torch.zeros(4)),
    'matmul 0d': () => torch.matmul(torch.zeros([]), torch.zeros(3)),
    'matmul batch': () => torch.matmul(torch.zeros(2, 2, 3), torch.zeros(3, 2, 3)),
    'sum dim': () => z.sum(2),
    broadcast: () => z.add(torch.zeros(3, 2)),
    'inplace broadcast': () => z.add_(torch.zeros(3, 3)),
    'inplace cast': () => torch.zeros(3, { dtype: 'int64' }).add_(1.5),
    'item many': () => z.item(),
    'requires_grad int': () => torch.zeros(3, { dtype: 'int64' }).requiresGrad_(),
    'where cond': () => torch.where(torch.zeros(3) as any, torch.zeros(3), torch.ones(3)),
    'negative size': () => torch.zeros(-1),
    'randint range': () => torch.randint(5, 2, [3]),
    'arange step': () => torch.arange(0, 5, 0),
    'arange sign': () => torch.arange(5, 0, 1),
    'mean int': () => torch.tensor([1, 2]).mean(),
    'masked_fill_ mask wider': () => torch.zeros(1, 3, 4).maskedFill_(torch.ones([2, 1, 4], { dtype: 'bool' }), 1.0),
  };
  for (const e of fx.errors) {
    it(e.name, () => {
      const fn = ERR[e.name];
      expect(fn, `no torchlet call for ${e.name}`).toBeDefined();
      expect(fn!).toThrow(e.message);
    });
  }
});

describe('autograd semantics match PyTorch', () => {
  const msg = Object.fromEntries(fx.autogradErrors.map((e: any) => [e.name, e.message])) as Record<string, string>;
  it('in-place on a leaf that requires grad', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => leaf.add_(1)).toThrow(msg['leaf inplace']);
  });
  it('in-place change of a saved tensor', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    const y = leaf.sigmoid();
    y.mul_(2);
    expect(() => y.sum().backward()).toThrow(msg.version);
  });
  it('second backward without retainGraph', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    const z = leaf.exp().sum();
    z.backward();
    expect(() => z.backward()).toThrow(msg['second backward']);
  });
  it('retainGraph allows a second backward and accumulates', () => {
    const leaf = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const z = leaf.mul(leaf).sum();
    z.backward(null, { retainGraph: true });
    z.backward();
    expect(Array.from(leaf.grad!.dataSync())).toEqual([4, 8, 12]);
  });
  it('backward of a tensor without grad', () => {
    expect(() => torch.zeros(3).backward()).toThrow(msg['no grad']);
  });
  it('implicit gradient only for scalars', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => leaf.mul(2).backward()).toThrow(msg.nonscalar);
  });
  it('autograd.grad with an unused input', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => torch.autograd.grad(leaf.mul(2).sum(), [torch.zeros(3, { requiresGrad: true })])).toThrow(msg.unused);
  });
  it('requiresGrad_(false) on a non-leaf', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => leaf.mul(2).requiresGrad_(false)).toThrow(msg['nonleaf requires_grad']);
  });
  it('gradient shape mismatch', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => leaf.mul(2).backward(torch.ones(2))).toThrow(msg['grad shape']);
  });
  it('autograd.grad returns gradients without touching .grad', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const [g] = torch.autograd.grad(x.pow(3).sum(), [x]);
    expect(Array.from(g!.dataSync())).toEqual([3, 12]);
    expect(x.grad).toBeNull();
  });
  it('createGraph gives second derivatives', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const [g] = torch.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
    const [h] = torch.autograd.grad(g!.sum(), [x]);
    expect(Array.from(h!.dataSync())).toEqual([6, 12]);
  });
  it('hooks see and replace gradients', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(3);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(Array.from(g.dataSync()));
      return g.mul(2);
    });
    const h = x.registerHook((g) => g.add(1));
    y.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(Array.from(x.grad!.dataSync())).toEqual([7, 7]);
    h.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([3, 3]);
  });
  it('retainGrad keeps a non-leaf gradient', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    y.mul(y).sum().backward();
    expect(Array.from(y.grad!.dataSync())).toEqual([4, 8]);
  });
  it('noGrad and enableGrad', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = torch.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(x.detach().requiresGrad).toBe(false);
    expect(x.detach().storage).toBe(x.storage);
  });
  it('views share storage and see in-place writes', () => {
    const x = torch.zeros(2, 3);
    const v = x.select(1, -1);
    v.fill_(5);
    expect(x.tolist()).toEqual([
      [0, 0, 5],
      [0, 0, 5],
    ]);
    expect(x.t().isContiguous()).toBe(false);
    expect(x.view(3, 2).storage).toBe(x.storage);
    expect(x.t().reshape(6).storage).not.toBe(x.storage);
  });
  it('in-place ops on non-leaves rebase history', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(1);
    y.mul_(x);
    y.add_(1);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4]);
  });
});

describe('gradcheck covers the core differentiable ops', () => {
  const d = (shape: number[], lo = -1, hi = 1) =>
    torch.rand(shape, { dtype: 'float64' }).mul(hi - lo).add(lo).requiresGrad_();
  const unary: [string, (x: T) => T, number, number][] = [
    ['neg', (x) => x.neg(), -1, 1],
    ['abs', (x) => x.abs(), 0.1, 1],
    ['exp', (x) => x.exp(), -1, 1],
    ['log', (x) => x.log(), 0.5, 2],
    ['log1p', (x) => x.log1p(), 0, 1],
    ['expm1', (x) => x.expm1(), -1, 1],
    ['sqrt', (x) => x.sqrt(), 0.5, 2],
    ['rsqrt', (x) => x.rsqrt(), 0.5, 2],
    ['sin', (x) => x.sin(), -2, 2],
    ['cos', (x) => x.cos(), -2, 2],
    ['tanh', (x) => x.tanh(), -2, 2],
    ['sigmoid', (x) => x.sigmoid(), -2, 2],
    ['relu', (x) => x.relu(), 0.1, 1],
    ['reciprocal', (x) => x.reciprocal(), 0.5, 2],
    ['square', (x) => x.square(), -1, 1],
    ['erf', (x) => x.erf(), -2, 2],
    ['pow scalar', (x) => x.pow(2.5), 0.5, 2],
    ['rpow', (x) => torch.pow(2, x), -1, 1],
    ['clamp', (x) => x.clamp(-0.5, 0.5), -0.4, 0.4],
    ['sum', (x) => x.sum(1), -1, 1],
    ['maskedFill', (x) => x.maskedFill(x.gt(0.2), 3), -1, 1],
    ['leakyRelu', (x) => torch.nn.functional.leakyRelu(x, 0.1), 0.1, 1],
    ['gelu', (x) => torch.nn.functional.gelu(x), -2, 2],
    ['gelu tanh', (x) => torch.nn.functional.gelu(x, { approximate: 'tanh' }), -2, 2],
    ['softplus', (x) => torch.nn.functional.softplus(x), -2, 2],
    ['elu', (x) => torch.nn.functional.elu(x), 0.1, 2],
    ['remainder', (x) => x.remainder(0.7), 0.1, 0.6],
    ['fmod', (x) => x.fmod(0.7), 0.1, 0.6],
    ['mean', (x) => x.mean([0, 1], true), -1, 1],
    ['view', (x) => x.view(-1), -1, 1],
    ['permute', (x) => x.permute(1, 0).mul(x.t()), -1, 1],
    ['select', (x) => x.select(1, -1), -1, 1],
    ['narrow', (x) => x.narrow(1, 1, 2), -1, 1],
    ['slice', (x) => x.slice(1, 0, 3, 2), -1, 1],
    ['expand', (x) => x.narrow(0, 0, 1).expand(4, 3), -1, 1],
    ['chunk', (x) => x.chunk(2, 1)[1]!, -1, 1],
    ['contiguous', (x) => x.t().contiguous(), -1, 1],
  ];
  for (const [name, fn, lo, hi] of unary) {
    it(name, () => {
      expect(torch.autograd.gradcheck(fn, [d([2, 3], lo, hi)], { atol: 1e-5 })).toBe(true);
    });
  }
  const binary: [string, (a: T, b: T) => T, number][] = [
    ['add', (a, b) => a.add(b), -1],
    ['sub', (a, b) => a.sub(b, { alpha: 2 }), -1],
    ['mul', (a, b) => a.mul(b), -1],
    ['div', (a, b) => a.div(b), 0.5],
    ['pow', (a, b) => a.pow(b), 0.5],
    ['maximum', (a, b) => a.maximum(b), -1],
    ['minimum', (a, b) => a.minimum(b), -1],
    ['atan2', (a, b) => a.atan2(b), 0.5],
    ['where', (a, b) => torch.where(a.gt(b), a, b), -1],
    ['cat', (a, b) => torch.cat([a, b], 0), -1],
    ['stack', (a, b) => torch.stack([a, b], 1), -1],
    ['matmul', (a, b) => a.matmul(b.t()), -1],
  ];
  for (const [name, fn, lo] of binary) {
    it(name, () => {
      expect(torch.autograd.gradcheck(fn, [d([2, 3], lo, 2), d([name === 'matmul' ? 4 : 2, 3], lo, 2)])).toBe(true);
    });
  }
  it('casts pass gradients through in the input dtype', () => {
    const x = d([3]);
    x.float().mul(2).sum().backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 2, 2]);
  });
  it('broadcast matmul', () => {
    expect(torch.autograd.gradcheck((a, b) => a.matmul(b), [d([2, 1, 2, 3]), d([3, 3, 2])])).toBe(true);
  });
  it('broadcast add', () => {
    expect(torch.autograd.gradcheck((a, b) => a.mul(b), [d([2, 1, 3]), d([4, 1])])).toBe(true);
  });
});
