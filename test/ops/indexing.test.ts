// The indexing family against PyTorch fixtures (tools/fixtures/gen_indexing.py): x[...] and
// x[...] = v, gather/scatter, index_select/index_add/index_fill, masked_select, nonzero, take/put,
// index_put, tril/triu. Values, dtypes, views, gradients, exact errors, plus float64 gradchecks.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as ix from '../../src/ops/indexing.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };

const fx = loadFixture<{ torch: string; cases: any[]; getitem: any[]; setitem: any[] }>('indexing');
const FLOAT = new Set(['float32', 'float64']);

/** A fixture tensor, as a leaf that requires grad when asked and floating. */
function leaf(e: Enc, grad = false): T {
  return fromFixture(e, grad && FLOAT.has(e.dtype));
}

/** Exact comparison of values and dtype (indexing moves elements; sums are compared loosely). */
function expectTensor(actual: T, expected: Enc, atol = 0, rtol = 0): void {
  expect(actual.dtype).toBe(expected.dtype);
  expectClose(actual, expected, atol, rtol);
}

function item(spec: any): ix.IndexItem {
  if ('int' in spec) return spec.int;
  if ('float' in spec) return spec.float;
  if ('slice' in spec) return spec.slice;
  if ('sliceObj' in spec) return spec.sliceObj;
  if ('ellipsis' in spec) return '...';
  if ('none' in spec) return null;
  if ('bool' in spec) return spec.bool;
  if ('tensor' in spec) return fromFixture(spec.tensor);
  if ('list' in spec) return spec.list;
  throw new Error(`unknown item ${JSON.stringify(spec)}`);
}

function prepare(x: T, pre: string | undefined): T {
  if (pre === 't01') return x.transpose(0, 1);
  if (pre === 'step') return x.slice(1, null, null, 2);
  return x;
}

describe(`x.index(...) matches torch ${fx.torch} x[...]`, () => {
  it('has the fixture cases', () => expect(fx.getitem.length).toBeGreaterThan(100));
  for (const c of fx.getitem) {
    it(c.name, () => {
      const x = leaf(c.x, true);
      const src = prepare(x, c.pre);
      const items = c.items.map(item);
      if (c.error) {
        expectError(() => src.index(...items), c.error);
        return;
      }
      const out = src.index(...items);
      expectTensor(out, c.out);
      expect(out.storage === x.storage, 'shares storage (a view)').toBe(c.isView);
      if (c.grad) {
        out.mul(fromFixture(c.w)).sum().backward();
        expectTensor(x.grad ?? torch.zerosLike(x), c.grad, 1e-12, 1e-12);
      }
    });
  }
});

describe(`x.setIndex_(items, v) matches torch ${fx.torch} x[...] = v`, () => {
  it('has the fixture cases', () => expect(fx.setitem.length).toBeGreaterThan(25));
  for (const c of fx.setitem) {
    it(c.name, () => {
      const x = leaf(c.x, true);
      const v = c.value.t ? leaf(c.value.t, c.value.grad) : c.value.v;
      const y = x.clone();
      const items = c.items.map(item);
      if (c.error) {
        expectError(() => y.setIndex_(items, v), c.error);
        return;
      }
      expect(y.setIndex_(items, v)).toBe(y);
      expectTensor(y, c.out);
      if (c.grad) {
        y.mul(fromFixture(c.w)).sum().backward();
        expectTensor(x.grad!, c.grad, 1e-6, 1e-6);
        if (c.valueGrad) expectTensor((v as T).grad!, c.valueGrad, 1e-5, 1e-5);
      }
    });
    it(`${c.name} (no grad: direct write)`, () => {
      const y = fromFixture(c.x);
      const v = c.value.t ? fromFixture(c.value.t) : c.value.v;
      const items = c.items.map(item);
      const before = y.version;
      if (c.error) {
        expectError(() => torch.noGrad(() => y.setIndex_(items, v)), c.error);
        return;
      }
      torch.noGrad(() => y.setIndex_(items, v));
      expectTensor(y, c.out);
      if (c.items.length !== 1 || c.items[0].bool !== false) expect(y.version).toBeGreaterThan(before);
    });
  }
});

type Fn = (a: any[], o: any) => any;
const OPS: Record<string, Fn> = {
  gather: (a) => ix.gather(a[0], a[1], a[2]),
  scatter: (a) => ix.scatter(a[0], a[1], a[2], a[3]),
  scatterAdd: (a) => ix.scatterAdd(a[0], a[1], a[2], a[3]),
  indexSelect: (a) => ix.indexSelect(a[0], a[1], a[2]),
  indexAdd: (a, o) => ix.indexAdd(a[0], a[1], a[2], a[3], o),
  indexFill: (a) => ix.indexFill(a[0], a[1], a[2], a[3]),
  maskedSelect: (a) => ix.maskedSelect(a[0], a[1]),
  nonzero: (a, o) => ix.nonzero(a[0], o),
  argwhere: (a) => ix.argwhere(a[0]),
  take: (a) => ix.take(a[0], a[1]),
  put: (a, o) => ix.put(a[0], a[1], a[2], o),
  indexPut: (a, o) => ix.indexPut(a[0], a[1], a[2], o),
  tril: (a) => ix.tril(a[0], a[1]),
  triu: (a) => ix.triu(a[0], a[1]),
};

/** The same calls as Tensor methods (out of place). */
const METHODS: Record<string, Fn> = {
  gather: (a) => a[0].gather(a[1], a[2]),
  scatter: (a) => a[0].scatter(a[1], a[2], a[3]),
  scatterAdd: (a) => a[0].scatterAdd(a[1], a[2], a[3]),
  indexSelect: (a) => a[0].indexSelect(a[1], a[2]),
  indexAdd: (a, o) => a[0].indexAdd(a[1], a[2], a[3], o),
  indexFill: (a) => a[0].indexFill(a[1], a[2], a[3]),
  maskedSelect: (a) => a[0].maskedSelect(a[1]),
  nonzero: (a, o) => a[0].nonzero(o),
  argwhere: (a) => a[0].argwhere(),
  take: (a) => a[0].take(a[1]),
  put: (a, o) => a[0].put(a[1], a[2], o),
  indexPut: (a, o) => a[0].indexPut(a[1], a[2], o),
  tril: (a) => a[0].tril(a[1]),
  triu: (a) => a[0].triu(a[1]),
};

/** The in-place variants, applied to a clone of the first argument. */
const INPLACE: Record<string, Fn> = {
  scatter: (a) => a[0].scatter_(a[1], a[2], a[3]),
  scatterAdd: (a) => a[0].scatterAdd_(a[1], a[2], a[3]),
  indexAdd: (a, o) => a[0].indexAdd_(a[1], a[2], a[3], o),
  indexFill: (a) => a[0].indexFill_(a[1], a[2], a[3]),
  put: (a, o) => a[0].put_(a[1], a[2], o),
  indexPut: (a, o) => a[0].indexPut_(a[1], a[2], o),
  tril: (a) => a[0].tril_(a[1]),
  triu: (a) => a[0].triu_(a[1]),
};

/** Builds the arguments; `leaves` collects the tensors that require grad, in fixture order. */
function args(specs: any[], leaves: T[]): any[] {
  return specs.map((s) => {
    if ('t' in s) {
      const t = leaf(s.t, s.grad);
      if (s.grad) leaves.push(t);
      return t;
    }
    if ('tensors' in s) return args(s.tensors, leaves);
    return s.v;
  });
}

function checkOutput(out: any, c: any): void {
  if (Array.isArray(c.out)) {
    expect(out).toHaveLength(c.out.length);
    c.out.forEach((e: Enc, i: number) => expectTensor(out[i], e));
  } else expectTensor(out, c.out, 1e-6, 1e-6);
}

function checkGrads(out: T, c: any, leaves: T[]): void {
  if (!c.grads) return;
  out.mul(fromFixture(c.w)).sum().backward();
  c.grads.forEach((g: Enc | null, i: number) => {
    if (g) expectTensor(leaves[i]!.grad ?? torch.zerosLike(leaves[i]!), g, 1e-6, 1e-6);
    else expect(leaves[i]!.grad).toBeNull();
  });
}

describe(`indexing ops match torch ${fx.torch}`, () => {
  it('has the fixture cases', () => expect(fx.cases.length).toBeGreaterThan(150));
  for (const c of fx.cases) {
    it(c.name, () => {
      const leaves: T[] = [];
      const a = args(c.args, leaves);
      if (c.error) {
        expectError(() => OPS[c.op]!(a, c.opts ?? {}), c.error);
        return;
      }
      const out = OPS[c.op]!(a, c.opts ?? {});
      checkOutput(out, c);
      checkGrads(out, c, leaves);
    });
    if (c.error) continue;
    it(`${c.name} (method)`, () => {
      const leaves: T[] = [];
      const a = args(c.args, leaves);
      const out = METHODS[c.op]!(a, c.opts ?? {});
      checkOutput(out, c);
      checkGrads(out, c, leaves);
    });
    const inplace = INPLACE[c.op];
    if (inplace) {
      it(`${c.name} (in place)`, () => {
        const leaves: T[] = [];
        const a = args(c.args, leaves);
        const self = a[0] as T;
        const y = self.clone();
        expect(inplace([y, ...a.slice(1)], c.opts ?? {})).toBe(y);
        checkOutput(y, c);
        checkGrads(y, c, leaves);
      });
    }
  }
});

describe('index items (torchlet API)', () => {
  const x = torch.arange(24).reshape(2, 3, 4);

  it('string and object slices are the same', () => {
    const a = x.index(':', '1:-1', '::2');
    const b = x.index({}, { start: 1, stop: -1 }, { step: 2 });
    const c = x.index({ start: null, stop: null, step: null }, ' 1 : -1 ', '0::2');
    expect(a.tolist()).toEqual(b.tolist());
    expect(a.tolist()).toEqual(c.tolist());
    expect(a.shape).toEqual([2, 1, 2]);
  });

  it('rejects malformed strings and slice objects', () => {
    expect(() => x.index('1')).toThrow(TypeError);
    expect(() => x.index('a:b')).toThrow("invalid index string 'a:b'");
    expect(() => x.index('1:2:3:4')).toThrow(TypeError);
    expect(() => x.index({ start: 0.5 })).toThrow('slice indices must be integers or None');
    expect(() => x.index({ begin: 1 } as never)).toThrow("unknown slice field 'begin'");
    expect(() => x.index(undefined as never)).toThrow('(got undefined)');
    expect(() => x.index([0.5])).toThrow('tensors used as indices must be long, byte or bool tensors');
  });

  it('basic indexing returns views that write through', () => {
    const y = torch.zeros(3, 4);
    y.index(1, '1:3').fill_(7);
    y.index('...', -1).fill_(1);
    expect(y.tolist()).toEqual([
      [0, 0, 0, 1],
      [0, 7, 7, 1],
      [0, 0, 0, 1],
    ]);
  });

  it('advanced indexing copies', () => {
    const y = torch.zeros(3);
    y.index([0, 1]).fill_(5);
    expect(y.tolist()).toEqual([0, 0, 0]);
  });

  it('records PyTorch grad_fn names', () => {
    const w = torch.ones(3, 4, { requiresGrad: true });
    const idx = torch.tensor([0, 2]);
    expect(w.index(idx).gradFn!.name).toBe('IndexBackward0');
    expect(w.index(w.gt(0)).gradFn!.name).toBe('IndexBackward0');
    expect(w.gather(0, torch.tensor([[0]])).gradFn!.name).toBe('GatherBackward0');
    expect(w.scatter(0, torch.tensor([[0]]), torch.ones(1, 1)).gradFn!.name).toBe('ScatterBackward0');
    expect(w.scatter(0, torch.tensor([[0]]), 1).gradFn!.name).toBe('ScatterBackward1');
    expect(w.scatterAdd(0, torch.tensor([[0]]), torch.ones(1, 1)).gradFn!.name).toBe('ScatterAddBackward0');
    expect(w.indexSelect(0, idx).gradFn!.name).toBe('IndexSelectBackward0');
    expect(w.indexAdd(0, idx, torch.ones(2, 4)).gradFn!.name).toBe('IndexAddBackward0');
    expect(w.indexFill(0, idx, 1).gradFn!.name).toBe('IndexFillBackward0');
    expect(w.maskedSelect(w.gt(0)).gradFn!.name).toBe('MaskedSelectBackward0');
    expect(w.indexPut([idx], torch.tensor(1, { dtype: 'float32' })).gradFn!.name).toBe('IndexPutBackward0');
    expect(w.take(idx).gradFn!.name).toBe('TakeBackward0');
    expect(w.tril().gradFn!.name).toBe('TrilBackward0');
    expect(w.triu().gradFn!.name).toBe('TriuBackward0');
  });

  it('in-place ops refuse a leaf that requires grad, like PyTorch', () => {
    const w = torch.ones(3, { requiresGrad: true });
    expect(() => w.setIndex_([0], 2)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.indexFill_(0, torch.tensor([0]), 2)).toThrow('a leaf Variable that requires grad');
  });

  it('setIndex_ bumps the version so stale saved tensors are caught', () => {
    const w = torch.ones(3, { requiresGrad: true });
    const y = w.mul(2);
    const z = y.mul(y);
    y.setIndex_([0], 5);
    expect(() => z.sum().backward()).toThrow('modified by an inplace operation');
  });

  it('indexPut_ without autograd writes into a view', () => {
    const y = torch.zeros(2, 3);
    y.index(1).indexPut_([torch.tensor([0, 2])], 4);
    expect(y.tolist()).toEqual([
      [0, 0, 0],
      [4, 0, 4],
    ]);
  });

  it('validates untyped arguments', () => {
    const y = torch.zeros(2, 3);
    expect(() => ix.gather(y, 0.5, torch.tensor([[0]]))).toThrow(TypeError);
    expect(() => ix.gather(y, 0, [[0]] as never)).toThrow('index must be a Tensor');
    expect(() => ix.indexAdd(y, 0, torch.tensor([0]), torch.ones(1, 3), { alpha: 'x' as never })).toThrow('alpha must be a number');
    expect(() => ix.indexPut(y, [null as never], 1)).toThrow('expected Tensor as element 0 in argument 0, but got NoneType');
    expect(() => ix.indexPut(y, [], 1)).toThrow('index_put_(): expected at least one index tensor');
    expect(() => ix.tril(y, 1.5)).toThrow('diagonal must be an integer');
    expect(() => y.setIndex_(0 as never, 1)).toThrow('items must be an array');
    expect(() => y.setIndex_([0], 'a' as never)).toThrow('value must be a Tensor or a number');
  });

  it('nonzero of a 0-d tensor has no columns', () => {
    expect(ix.nonzero(torch.tensor(3)).shape).toEqual([1, 0]);
  });
});

describe('gradcheck (float64)', () => {
  const f64 = (data: number[], shape: number[]): T =>
    torch.tensor(data, { dtype: 'float64' }).reshape(shape).detach().requiresGrad_();
  const seq = (n: number, shape: number[], scale = 0.37): T =>
    f64(
      Array.from({ length: n }, (_, i) => Math.sin(i * scale + 0.3) * 1.7),
      shape,
    );
  const L = (v: number[] | number[][]): T => torch.tensor(v);

  const CASES: [string, (...xs: T[]) => T, T[]][] = [
    ['index basic', (x) => x.index(1, '::2', null, -1), [seq(24, [2, 3, 4])]],
    ['index advanced adjacent', (x) => x.index(':', L([0, 2, 2]), L([[1], [3]])), [seq(24, [2, 3, 4])]],
    ['index advanced non-adjacent', (x) => x.index([1, 0], '1:', [3, 3]), [seq(24, [2, 3, 4])]],
    ['index mask', (x) => x.index(x.gt(0)), [seq(12, [3, 4])]],
    ['index mask and slice', (x) => x.index('...', L([1, 0, 1, 1]).bool()), [seq(12, [3, 4])]],
    ['index non-contiguous', (x) => x.transpose(0, 1).index([2, 0], 1), [seq(12, [3, 4])]],
    [
      'setIndex_ advanced',
      (x, v) => {
        const y = x.clone();
        y.setIndex_([[0, 2], '1:'], v);
        return y;
      },
      [seq(12, [3, 4]), seq(3, [3])],
    ],
    [
      'setIndex_ basic',
      (x, v) => {
        const y = x.clone();
        y.setIndex_(['...', 1], v);
        return y;
      },
      [seq(12, [3, 4]), seq(1, [1])],
    ],
    ['gather', (x) => x.gather(1, L([[0, 0, 2], [1, 3, 3], [2, 2, 0]])), [seq(12, [3, 4])]],
    ['scatter src', (x, s) => x.scatter(0, L([[2, 0, 1], [0, 1, 2]]), s), [seq(12, [3, 4]), seq(6, [2, 3])]],
    ['scatter src larger than index', (x, s) => x.scatter(1, L([[1], [0]]), s), [seq(6, [2, 3]), seq(6, [2, 3])]],
    ['scatter value', (x) => x.scatter(1, L([[1], [0], [3]]), 2.5), [seq(12, [3, 4])]],
    ['scatterAdd', (x, s) => x.scatterAdd(1, L([[0, 0, 3], [1, 1, 1]]), s), [seq(8, [2, 4]), seq(6, [2, 3])]],
    ['indexSelect', (x) => x.indexSelect(1, L([3, 0, 3])), [seq(12, [3, 4])]],
    ['indexAdd', (x, s) => x.indexAdd(0, L([2, 0, 2]), s, { alpha: -1.5 }), [seq(12, [3, 4]), seq(12, [3, 4])]],
    ['indexAdd broadcast', (x, s) => x.indexAdd(1, L([1, 3]), s), [seq(12, [3, 4]), seq(2, [1, 2])]],
    ['indexFill tensor value', (x, v) => x.indexFill(1, L([0, 2, 0]), v), [seq(12, [3, 4]), seq(1, [])]],
    ['maskedSelect broadcast', (x) => x.maskedSelect(L([[1, 0, 1], [0, 1, 1]]).bool()), [seq(3, [3])]],
    ['take', (x) => x.take(L([[0, -1], [5, 0]])), [seq(6, [2, 3])]],
    ['put', (x, s) => x.put(L([0, -1, 4]), s), [seq(6, [2, 3]), seq(3, [3])]],
    ['put accumulate', (x, s) => x.put(L([0, 0, 4]), s, { accumulate: true }), [seq(6, [2, 3]), seq(3, [3])]],
    ['indexPut', (x, v) => x.indexPut([L([0, 2]), L([1, 1])], v), [seq(12, [3, 4]), seq(2, [2])]],
    ['indexPut accumulate', (x, v) => x.indexPut([L([2, 2, 0])], v, { accumulate: true }), [seq(12, [3, 4]), seq(4, [4])]],
    ['tril', (x) => x.tril(1), [seq(24, [2, 3, 4])]],
    ['triu', (x) => x.triu(-1), [seq(12, [3, 4])]],
  ];

  for (const [name, fn, inputs] of CASES) {
    it(name, () => {
      expect(gradcheck(fn, inputs)).toBe(true);
    });
  }

  it('double backward through gather (its scatter-add backward is differentiable)', () => {
    const x = seq(6, [2, 3]);
    const c = seq(6, [2, 3], 0.91).detach();
    const idx = L([[0, 0, 2], [1, 2, 2]]);
    // g = d/dx sum(gather(x)^2) = scatter_add(2 gather(x)); d/dx sum(c * g) = scatter_add(2 gather(c))
    const [g] = torch.autograd.grad(x.gather(1, idx).square().sum(), [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    const [gg] = torch.autograd.grad(g!.mul(c).sum(), [x]);
    const expected = torch.zeros(2, 3, { dtype: 'float64' }).scatterAdd(1, idx, c.gather(1, idx).mul(2));
    expectClose(gg!, expected, 1e-12, 1e-12);
  });
});
