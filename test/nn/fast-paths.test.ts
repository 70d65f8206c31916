import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { setBackend, backend } from '../../src/backends/registry.js';
import { expFast } from '../../src/backends/js/kernels/loss.js';

// Fast paths of nn.functional. F.linear runs as one fused op (gemm forward, two gemms and a column sum backward, reading an
// input with uncollapsible leading dims in place). Checked here against the composition it
// replaces, matmul(weight.T) + bias, over input layouts, dtypes, both host backends and double
// backward. PyTorch's values are checked by the fixtures in functional.test.ts.

const F = torch.nn.functional;
type T = torch.Tensor;

function composed(x: T, w: T, b: T | null): T {
  const y = x.matmul(w.t());
  return b ? y.add(b) : y;
}

const LAYOUTS: [string, (dt: torch.DType) => T][] = [
  ['2-D', (dt) => torch.randn([7, 5], { dtype: dt })],
  ['3-D contiguous', (dt) => torch.randn([3, 4, 5], { dtype: dt })],
  ['3-D batch-first view of time-major', (dt) => torch.randn([4, 3, 5], { dtype: dt }).transpose(0, 1)],
  ['2-D transposed', (dt) => torch.randn([5, 7], { dtype: dt }).t()],
  ['4-D permuted', (dt) => torch.randn([2, 3, 4, 5], { dtype: dt }).permute([2, 0, 1, 3])],
  ['4-D features strided', (dt) => torch.randn([5, 2, 3, 4], { dtype: dt }).permute([1, 2, 3, 0])],
  ['selected step', (dt) => torch.randn([4, 3, 5], { dtype: dt }).transpose(0, 1).select(1, 2)],
  ['expanded rows', (dt) => torch.randn([1, 5], { dtype: dt }).expand(6, 5)],
  ['3-D expanded', (dt) => torch.randn([4, 1, 5], { dtype: dt }).expand(4, 3, 5)],
];

function maxDiff(a: T, b: T): number {
  return a.sub(b).abs().max().item() as number;
}

describe('F.linear as one fused op', () => {
  for (const be of ['js', backend().name] as const) {
    for (const dt of ['float32', 'float64'] as const) {
      it(`matches matmul + bias, forward and backward (${be}, ${dt})`, () => {
        const prev = backend().name;
        setBackend(be);
        try {
          torch.manualSeed(3);
          const tol = dt === 'float32' ? 1e-5 : 1e-12;
          for (const [name, make] of LAYOUTS) {
            for (const withBias of [true, false]) {
              const x0 = make(dt);
              const w0 = torch.randn([6, 5], { dtype: dt });
              const b0 = torch.randn([6], { dtype: dt });
              const run = (lin: (x: T, w: T, b: T | null) => T) => {
                const x = x0.detach().requiresGrad_();
                const w = w0.clone().requiresGrad_();
                const b = withBias ? b0.clone().requiresGrad_() : null;
                const y = lin(x, w, b);
                return { y, x, w, b };
              };
              const ref = run(composed);
              const got = run((x, w, b) => F.linear(x, w, b));
              const gy = torch.randn(ref.y.shape, { dtype: dt });
              ref.y.mul(gy).sum().backward();
              got.y.mul(gy).sum().backward();
              const what = `${name}, bias ${withBias}`;
              expect(got.y.shape, what).toEqual(ref.y.shape);
              expect(got.y.isContiguous(), what).toBe(true);
              expect(maxDiff(got.y, ref.y), what).toBeLessThan(tol);
              expect(maxDiff(got.x.grad!, ref.x.grad!), what).toBeLessThan(tol);
              expect(maxDiff(got.w.grad!, ref.w.grad!), what).toBeLessThan(tol);
              if (withBias) expect(maxDiff(got.b!.grad!, ref.b!.grad!), what).toBeLessThan(tol);
            }
          }
        } finally {
          setBackend(prev);
        }
      });
    }
  }

  it("gives a batch-first view's gradient the input's own layout", () => {
    const x = torch.randn([4, 3, 5]).transpose(0, 1).requiresGrad_(); // [3, 4, 5], time-major in memory
    const w = torch.randn([6, 5]);
    const y = F.linear(x, w, torch.randn([6]));
    const gy = torch.randn(y.shape);
    const [gx] = torch.autograd.grad([y], [x], { gradOutputs: [gy] }) as T[];
    expect(gx!.strides).toEqual(x.strides);
    expect(maxDiff(gx!, gy.matmul(w))).toBeLessThan(1e-5);
  });

  it('double backward matches the composition', () => {
    torch.manualSeed(5);
    for (const shape of [[3, 4], [2, 3, 4]]) {
      const x0 = torch.randn(shape, { dtype: 'float64' });
      const w0 = torch.randn([2, 4], { dtype: 'float64' });
      const b0 = torch.randn([2], { dtype: 'float64' });
      const res = [composed, (x: T, w: T, b: T | null) => F.linear(x, w, b)].map((lin) => {
        const [x, w, b] = [x0, w0, b0].map((t) => t.clone().requiresGrad_()) as [T, T, T];
        const y = lin(shape.length === 3 ? x.transpose(0, 1) : x, w, b);
        const [gx, gw, gb] = torch.autograd.grad([y.pow(3).sum()], [x, w, b], { createGraph: true }) as T[];
        gx!.sin().sum().add(gw!.pow(2).sum()).add(gb!.pow(2).sum()).backward();
        return [x.grad!, w.grad!, b.grad!];
      });
      res[0]!.forEach((g, i) => expect(maxDiff(g, res[1]![i]!)).toBeLessThan(1e-9 * (1 + (g.abs().max().item() as number))));
    }
  });
});

describe('cross-entropy exp', () => {
  it('expFast is within one ulp of Math.exp and equal at the edges', () => {
    const f64 = new Float64Array(1);
    const i64 = new BigInt64Array(f64.buffer);
    const bits = (v: number): bigint => {
      f64[0] = v;
      return i64[0]!;
    };
    let s = 12345;
    const rnd = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    for (let i = 0; i < 200000; i++) {
      const x = (rnd() - 0.7) * (i % 3 === 0 ? 1420 : i % 3 === 1 ? 40 : 2);
      const d = bits(Math.exp(x)) - bits(expFast(x));
      expect(d >= -1n && d <= 1n).toBe(true);
    }
    for (const x of [0, -0, -708, 708, 709.7, -745, -746, NaN, Infinity, -Infinity, 1e-300, -1e-20]) {
      const d = bits(expFast(x)) - bits(Math.exp(x));
      expect(Object.is(expFast(x), Math.exp(x)) || (d >= -1n && d <= 1n)).toBe(true);
    }
  });
});

describe('embedding backward', () => {
  it('reads a strided output gradient in place, with the same sums as a contiguous one', () => {
    torch.manualSeed(2);
    const w0 = torch.randn([7, 40]);
    const idx = torch.randint(0, 7, [5, 6]);
    const gyTimeMajor = torch.randn([6, 5, 40]);
    const grads = [gyTimeMajor.transpose(0, 1), gyTimeMajor.transpose(0, 1).contiguous()].map((gy) => {
      const w = w0.clone().requiresGrad_();
      F.embedding(idx, w, { paddingIdx: 3 }).backward(gy);
      return w.grad!;
    });
    expect(Array.from(grads[0]!.dataSync())).toEqual(Array.from(grads[1]!.dataSync()));
    expect(Array.from(grads[0]!.select(0, 3).dataSync()).every((v) => v === 0)).toBe(true);
  });
});
