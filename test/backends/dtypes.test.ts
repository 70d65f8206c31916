// The new dtypes on every backend: the compiled backends (native addon, wasm module) take
// float32/float64 only, so int8/uint8/int16 and float16/bfloat16 work must reach the js kernels
// (same results on each backend, PyTorch's from tools/fixtures/gen_dtypes.py) and the fused
// routines must refuse float16/bfloat16 arrays rather than read their bit patterns as numbers.
import { expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { decode, loadFixture } from '../helpers/fixtures.js';
import { describeEachBackend } from '../helpers/backends.js';

type Enc = { dtype: torch.DType; shape: number[]; data: unknown[]; bits?: number[] };
const fx = loadFixture('dtypes');

function tensorOf(e: Enc): torch.Tensor {
  if (e.bits !== undefined) {
    const t = torch.zeros(e.bits.length, { dtype: e.dtype });
    (t.storage.data as Uint16Array).set(e.bits);
    return t.reshape(e.shape);
  }
  return torch.tensor(decode(e.data) as number[], { dtype: e.dtype }).reshape(e.shape);
}

function expectSame(t: torch.Tensor, e: Enc): void {
  expect(t.dtype).toBe(e.dtype);
  expect(t.shape).toEqual(e.shape);
  if (e.bits !== undefined) {
    const c = t.contiguous();
    expect(Array.from(c.storage.data.subarray(c.offset, c.offset + c.numel()))).toEqual(e.bits);
  } else expect(Array.from(t.dataSync(), Number)).toEqual(decode(e.data));
}

const caseOf = (section: 'intArith' | 'reducedArith', dtype: string, op: string): { result: Enc } =>
  (fx[section].cases as { dtype: string; op: string; result: Enc }[]).find((c) => c.dtype === dtype && c.op === op && c.result)!;

describeEachBackend('new dtypes reach the js kernels', () => {
  it('int8 / uint8 / int16 matmul wraps around as PyTorch', () => {
    for (const d of ['int8', 'uint8', 'int16']) {
      const { a, b } = fx.intArith.inputs[d] as { a: Enc; b: Enc };
      expectSame(tensorOf(a).reshape(2, 4).matmul(tensorOf(b).reshape(4, 2)), caseOf('intArith', d, 'matmul').result);
    }
  });

  it('bfloat16 matmul, linear and sum give PyTorch bits', () => {
    const { a, b } = fx.reducedArith.inputs.bfloat16 as { a: Enc; b: Enc };
    const x = tensorOf(a);
    const y = tensorOf(b);
    expectSame(x.matmul(y.t()), caseOf('reducedArith', 'bfloat16', 'matmul').result);
    expectSame(torch.nn.functional.linear(x, y, y.select(0, 0).narrow(0, 0, 4)), caseOf('reducedArith', 'bfloat16', 'linear').result);
    expectSame(x.sum(1), caseOf('reducedArith', 'bfloat16', 'sum_dim').result);
  });

  it('fused routines refuse float16/bfloat16 with a clear error', () => {
    const x = torch.ones(2, 3, { dtype: 'bfloat16' });
    expect(() => torch.nn.functional.layerNorm(x, [3])).toThrow(`"layerNormForward" not implemented for 'BFloat16'`);
    const lstm = new torch.nn.LSTM(3, 2).bfloat16();
    expect(lstm.weight_ih_l0.dtype).toBe('bfloat16');
    expect(() => lstm.forward(x.view(1, 2, 3))).toThrow(/bfloat16/);
    const sgd = new torch.optim.SGD([torch.ones(2, { dtype: 'float16', requiresGrad: true })], { lr: 0.1 });
    const p = sgd.paramGroups[0]!.params[0]!;
    p.grad = torch.ones(2, { dtype: 'float16' });
    expect(() => sgd.step()).toThrow(`not implemented for 'Half'`);
  });
});
