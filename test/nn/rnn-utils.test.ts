// nn.utils.rnn against PyTorch fixtures (tools/fixtures/gen_rnn_utils.py): packing and padding
// values, batch sizes, sort order of enforceSorted: false (ties included), gradients through
// pack -> pad round trips, pad/pack/unpad/unpack of sequence lists, errors, plus float64 gradchecks.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { PackedSequence, sortDescending } from '../../src/nn/utils/rnn.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };

const fx = loadFixture<any>('rnn_utils');
const R = torch.nn.utils.rnn;

function leaf(e: Enc, grad = false): T {
  return fromFixture(e, grad && (e.dtype === 'float32' || e.dtype === 'float64'));
}

/** Exact values and dtype (packing only moves elements). */
function expectTensor(actual: T, expected: Enc): void {
  expect(actual.dtype).toBe(expected.dtype);
  expectClose(actual, expected, 0, 0);
}

function expectOptTensor(actual: T | null, expected: Enc | null): void {
  if (expected === null) expect(actual).toBeNull();
  else expectTensor(actual!, expected);
}

function lengthsOf(spec: any): number[] | T {
  return 'tensor' in spec ? fromFixture(spec.tensor) : spec.list;
}

/** Gradient of sum(out * w) w.r.t. the leaf, given how to get out from it. */
function gradOf(x: T, out: T, w: Enc): T {
  out.mul(fromFixture(w)).sum().backward();
  return x.grad!;
}

describe(`packPaddedSequence / padPackedSequence match torch ${fx.torch}`, () => {
  it('has the fixture cases', () => expect(fx.pack.length).toBeGreaterThan(15));
  for (const c of fx.pack) {
    describe(c.name, () => {
      const grad = c.w !== undefined;
      const run = (): { x: T; p: InstanceType<typeof PackedSequence> } => {
        const x = leaf(c.input, grad);
        const inp = c.pre === 't01' ? x.transpose(0, 1) : x;
        return { x, p: R.packPaddedSequence(inp, lengthsOf(c.lengths), c.options) };
      };
      it('packs values, batch sizes and indices', () => {
        const { p } = run();
        expect(p).toBeInstanceOf(R.PackedSequence);
        expectTensor(p.data, c.data);
        expectTensor(p.batchSizes, c.batchSizes);
        expect(p.batchSizesArray).toEqual(c.batchSizes.data);
        expectOptTensor(p.sortedIndices, c.sortedIndices);
        expectOptTensor(p.unsortedIndices, c.unsortedIndices);
        if (c.dataGradFn) expect(p.data.gradFn?.name).toBe(c.dataGradFn);
      });
      if (grad) {
        it('backpropagates from packed data to the padded input (0 on padding)', () => {
          const { x, p } = run();
          expectClose(gradOf(x, p.data, c.w), c.gradInput, 1e-6, 1e-6);
        });
      }
      for (const pc of c.pads) {
        const label = JSON.stringify(pc.options);
        it(`pads back with ${label}`, () => {
          const { x, p } = run();
          const [padded, lengths] = R.padPackedSequence(p, pc.options);
          expectTensor(padded, pc.padded);
          expectTensor(lengths, pc.lengths);
          if (grad) expectClose(gradOf(x, padded, pc.w), pc.gradInput, 1e-6, 1e-6);
        });
        if (grad) {
          it(`backpropagates from padded output to packed data with ${label}`, () => {
            const { p } = run();
            const d = p.data.detach().clone().requiresGrad_();
            const q = new R.PackedSequence(d, p.batchSizes, p.sortedIndices, p.unsortedIndices);
            const [padded] = R.padPackedSequence(q, pc.options);
            expectClose(gradOf(d, padded, pc.w), pc.gradData, 1e-6, 1e-6);
          });
        }
      }
    });
  }
});

describe(`enforceSorted: false orders ties like torch ${fx.torch} torch.sort(descending=True)`, () => {
  it('matches every recorded permutation (libstdc++ std::sort, heapsort fallback included)', () => {
    expect(fx.sort.length).toBeGreaterThan(30);
    for (const s of fx.sort) expect(sortDescending(s.keys), JSON.stringify(s.keys)).toEqual(s.indices);
  });
});

describe('padSequence', () => {
  for (const c of fx.padSequence) {
    it(c.name, () => {
      const seqs = c.seqs.map((e: Enc) => leaf(e, true));
      const arg = c.asTensor ? torch.stack(seqs) : seqs;
      const out = R.padSequence(arg, c.options);
      expect(out.dtype).toBe(c.out.dtype);
      expectClose(out, c.out, 0, 0);
      if (c.grads) {
        out.mul(fromFixture(c.w)).sum().backward();
        c.grads.forEach((g: Enc | null, i: number) => {
          if (g === null) expect(seqs[i].grad).toBeNull();
          else {
            expect(seqs[i].grad.dtype).toBe(g.dtype);
            expectClose(seqs[i].grad, g, 1e-6, 1e-6);
          }
        });
      }
    });
  }
});

describe('packSequence / unpackSequence', () => {
  for (const c of fx.packSequence) {
    it(c.name, () => {
      const seqs = c.seqs.map((e: Enc) => leaf(e, true));
      const p = R.packSequence(seqs, c.options);
      expectTensor(p.data, c.data);
      expectTensor(p.batchSizes, c.batchSizes);
      expectOptTensor(p.sortedIndices, c.sortedIndices);
      expectOptTensor(p.unsortedIndices, c.unsortedIndices);
      const un = R.unpackSequence(p);
      expect(un.length).toBe(c.unpacked.length);
      un.forEach((u, i) => expectTensor(u, c.unpacked[i]));
      p.data.mul(fromFixture(c.w)).sum().backward();
      seqs.forEach((s: T, i: number) => expectClose(s.grad!, c.grads[i], 1e-6, 1e-6));
    });
  }
});

describe('unpadSequence', () => {
  for (const c of fx.unpad) {
    it(c.name, () => {
      const x = leaf(c.padded, true);
      const before = x.shape.slice();
      const outs = R.unpadSequence(x, lengthsOf(c.lengths), c.options);
      expect(x.shape).toEqual(before); // Deviation from 1.13: the argument is not transposed in place
      expect(outs.length).toBe(c.outs.length);
      outs.forEach((o, i) => expectTensor(o, c.outs[i]));
      let loss = torch.tensor(0);
      outs.forEach((o, i) => (loss = loss.add(o.mul(fromFixture(c.ws[i])).sum())));
      loss.backward();
      expectClose(x.grad!, c.grad, 1e-6, 1e-6);
    });
  }
});

describe('unpackSequence of a hand-built PackedSequence', () => {
  for (const c of fx.unpack) {
    it(c.name, () => {
      const d = leaf(c.data, true);
      const p = new R.PackedSequence(d, fromFixture(c.batchSizes), c.sortedIndices ? fromFixture(c.sortedIndices) : null);
      expectOptTensor(p.unsortedIndices, c.unsortedIndices);
      const outs = R.unpackSequence(p);
      outs.forEach((o, i) => expectTensor(o, c.outs[i]));
      let loss = torch.tensor(0);
      outs.forEach((o, i) => (loss = loss.add(o.mul(fromFixture(c.ws[i])).sum())));
      loss.backward();
      expectClose(d.grad!, c.grad, 1e-6, 1e-6);
    });
  }
});

describe('invertPermutation', () => {
  it('matches torch', () => {
    for (const c of fx.invert) expectTensor(R.invertPermutation(fromFixture(c.perm))!, c.out);
    expect(R.invertPermutation(null)).toBeNull();
  });
});

describe('errors match torch', () => {
  for (const c of fx.errors) {
    it(c.name, () => {
      const call = c.call;
      let fn: () => unknown;
      switch (call.fn) {
        case 'packPaddedSequence':
          fn = () => R.packPaddedSequence(fromFixture(call.input), lengthsOf(call.lengths), call.options);
          break;
        case 'padPackedSequence':
          fn = () => R.padPackedSequence(new R.PackedSequence(fromFixture(call.data), fromFixture(call.batchSizes)), call.options);
          break;
        case 'padSequence':
          fn = () => R.padSequence(call.seqs.map((e: Enc) => fromFixture(e)), call.options);
          break;
        case 'packSequence':
          fn = () => R.packSequence(call.seqs.map((e: Enc) => fromFixture(e)), call.options);
          break;
        case 'invertPermutation':
          fn = () => R.invertPermutation(fromFixture(call.perm));
          break;
        default:
          throw new Error(`unknown call ${call.fn}`);
      }
      expectError(fn, c.error);
    });
  }
  const sortedMsg = fx.errors.find((e: any) => e.name === 'too few lengths').error.message;
  it('enforceSorted: false with too few lengths throws (Deviation: 1.13 silently drops columns)', () => {
    expect(() => R.packPaddedSequence(torch.zeros(4, 3), [4, 2], { enforceSorted: false })).toThrow(sortedMsg);
  });
  it('lengths longer than the padded input throw (Deviation: 1.13 returns a broken PackedSequence)', () => {
    expect(() => R.packPaddedSequence(torch.zeros(4, 3), [5, 2, 1])).toThrow('at most the padded sequence length 4');
  });
  it('validates untyped arguments', () => {
    const x = torch.zeros(3, 2);
    expect(() => R.packPaddedSequence(x, [3.5, 1])).toThrow(TypeError);
    expect(() => R.packPaddedSequence(x, 'ab' as never)).toThrow(TypeError);
    expect(() => R.packPaddedSequence(x, torch.tensor([2.5, 1]))).toThrow(TypeError);
    expect(() => R.packPaddedSequence(x, [3, 1], { batchFirst: 1 as never })).toThrow(TypeError);
    expect(() => R.packPaddedSequence([1, 2] as never, [2])).toThrow(TypeError);
    const p = R.packPaddedSequence(x, [3, 1]);
    expect(() => R.padPackedSequence(p, { totalLength: 4.5 })).toThrow(TypeError);
    expect(() => R.padPackedSequence({} as never)).toThrow(TypeError);
    expect(() => R.padSequence([x, 3] as never)).toThrow(TypeError);
    expect(() => R.padSequence(3 as never)).toThrow('pad_sequence: Expected iterable for input sequences');
    expect(() => R.invertPermutation(torch.tensor([0, 0, 1]))).toThrow('appears twice');
  });
  it('checks the parts of a hand-built PackedSequence (Deviation: PyTorch checks nothing)', () => {
    expect(() => new R.PackedSequence(torch.zeros(3, 2), torch.tensor([2, 2]))).toThrow('sum(batch_sizes) = 4');
    expect(() => new R.PackedSequence(torch.zeros(3), torch.tensor([1, 2]))).toThrow('non-increasing');
    expect(() => new R.PackedSequence(torch.zeros(3), torch.tensor([2, 1], { dtype: 'float32' }))).toThrow('int64');
    expect(() => new R.PackedSequence(torch.zeros(3), [2, 1], torch.tensor([0]))).toThrow('sorted_indices');
    expect(new R.PackedSequence(torch.zeros(3), [2, 1]).batchSizes.dtype).toBe('int64');
  });
});

describe('PackedSequence', () => {
  it('prints like torch', () => {
    for (const r of fx.reprs) {
      const p = R.packSequence(
        r.seqs.map((e: Enc) => fromFixture(e)),
        { enforceSorted: r.enforceSorted },
      );
      expect(p.toString()).toBe(r.str);
    }
  });
  it('to(dtype) converts data only, and returns itself when nothing changes', () => {
    const p = R.packPaddedSequence(torch.randn(3, 2), [3, 1], { enforceSorted: false });
    expect(p.to('float32')).toBe(p);
    expect(p.to('cpu')).toBe(p);
    const q = p.double();
    expect(q.data.dtype).toBe('float64');
    expect(q.batchSizes).toBe(p.batchSizes);
    expect(q.sortedIndices).toBe(p.sortedIndices);
    expect(q.unsortedIndices).toBe(p.unsortedIndices);
    expect(q.float().data.dtype).toBe('float32');
    expect(p.isCuda).toBe(false);
  });
  it('caches batchSizesArray and refreshes it after an in-place change', () => {
    const p = new R.PackedSequence(torch.zeros(3), torch.tensor([2, 1]));
    const a = p.batchSizesArray;
    expect(a).toEqual([2, 1]);
    expect(p.batchSizesArray).toBe(a);
    p.batchSizes.storage.version++; // what an in-place op does
    const b = p.batchSizesArray;
    expect(b).not.toBe(a);
    expect(b).toEqual([2, 1]);
    expect(p.batchSizesArray).toBe(b);
  });
  it('is reachable as torch.nn.utils.rnn', () => {
    expect(typeof torch.nn.utils.rnn.packPaddedSequence).toBe('function');
    expect(typeof torch.nn.utils.rnn.unpackSequence).toBe('function');
  });
});

describe('float64 gradcheck', () => {
  const dbl = (...shape: number[]): T => torch.randn(shape, { dtype: 'float64' }).requiresGrad_();
  it('pack (time-major, sorted)', () => {
    gradcheck((x) => R.packPaddedSequence(x, [3, 2, 1]).data, [dbl(3, 3, 2)]);
  });
  it('pack (batch-first, unsorted, ties, lengths shorter than T)', () => {
    gradcheck((x) => R.packPaddedSequence(x, [2, 3, 2, 1], { batchFirst: true, enforceSorted: false }).data, [dbl(4, 4, 2)]);
  });
  it('pad (batch-first, totalLength, padding value, unsorted)', () => {
    const bs = torch.tensor([3, 2, 1]);
    const si = torch.tensor([1, 2, 0]);
    gradcheck(
      (d) => R.padPackedSequence(new R.PackedSequence(d, bs, si), { batchFirst: true, totalLength: 5, paddingValue: 0.5 })[0],
      [dbl(6, 2)],
    );
  });
  it('pack -> pad round trip', () => {
    gradcheck((x) => R.padPackedSequence(R.packPaddedSequence(x, [1, 3, 2], { enforceSorted: false }))[0], [dbl(3, 3)]);
  });
  it('padSequence (both sides, broadcast)', () => {
    for (const side of ['left', 'right'] as const) {
      gradcheck((a, b, c) => R.padSequence([a!, b!, c!], { paddingSide: side, batchFirst: true }), [dbl(2, 3), dbl(3, 1), dbl(0, 3)]);
    }
  });
  it('double backward through pack (backward of pack is pad and vice versa)', () => {
    const x = dbl(3, 2);
    const p = R.packPaddedSequence(x, [3, 1]);
    const w = torch.randn([4], { dtype: 'float64' });
    const [g] = torch.autograd.grad([p.data.mul(p.data).mul(w).sum()], [x], { createGraph: true });
    g!.sum().backward();
    // d/dx sum(2 * x * w) on packed positions = 2 * w there, 0 on padding
    const [padded] = R.padPackedSequence(new R.PackedSequence(w.mul(2), p.batchSizes));
    expectClose(x.grad!, padded, 1e-12, 0);
  });
});
