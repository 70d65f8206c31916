// The native backend's matmul and fused recurrent kernels give the same bits for any thread count
// (they split work by independent outputs only). Runs where the native addon loads; the always-on
// check that it loads on linux-x64 is in test/backends/native.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const native = torch.backends.native.isAvailable();

function run(threads: number, fn: () => torch.Tensor[]): Float32Array[] {
  torch.setNumThreads(threads);
  return fn().map((t) => t.dataSync() as Float32Array);
}

describe.runIf(native)('native results do not depend on the thread count', () => {
  const before = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(before));
  it('matmul (square, skinny, batched, transposed)', () => {
    const g = new torch.Generator().manualSeed(5);
    const a = torch.randn([257, 129], { generator: g });
    const b = torch.randn([129, 301], { generator: g });
    const c = torch.randn([7, 33, 65], { generator: g });
    const d = torch.randn([65, 47], { generator: g });
    const fn = () => [a.matmul(b), c.matmul(d), b.t().matmul(a.t()), a.narrow(0, 0, 3).matmul(b)];
    const one = run(1, fn);
    for (const n of [2, 3]) {
      const many = run(n, fn);
      many.forEach((m, i) => expect(Buffer.from(m.buffer).equals(Buffer.from(one[i]!.buffer)), `output ${i}, ${n} threads`).toBe(true));
    }
  });
  it('LSTM forward and backward', () => {
    const fn = () => {
      torch.manualSeed(0);
      const lstm = new torch.nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
      const x = torch.randn(32, 10, 64, { requiresGrad: true });
      const [y] = lstm.forward(x);
      y.square().sum().backward();
      return [y, x.grad!, ...lstm.parameters().map((p) => p.grad!)];
    };
    const one = run(1, fn);
    const two = run(2, fn);
    two.forEach((m, i) => expect(Buffer.from(m.buffer).equals(Buffer.from(one[i]!.buffer)), `tensor ${i}`).toBe(true));
  });
});
