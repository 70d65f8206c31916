// The device boundary: ops on tensors whose storage belongs to an accelerator run entirely through
// that device's backend (test/helpers/mock-device.ts: opaque buffers, the js kernels behind them)
// and give the CPU's bits; mixing devices raises PyTorch's error; reads back are asynchronous.
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { onDevice, toHostAsync } from '../../src/ops/util.js';
import { mockCalls, useMockDevice } from '../helpers/mock-device.js';

const { nn } = torch;
type T = torch.Tensor;

beforeAll(() => {
  useMockDevice();
  torch.backends.setBackend('js');
  return () => torch.backends.setBackend(null);
});

const dev = (t: T): T => onDevice(t, 'webgpu');

async function expectSame(onDev: T, onHost: T): Promise<void> {
  expect(onDev.storage.device).toBe('webgpu');
  expect(onDev.shape).toEqual(onHost.shape);
  expect(onDev.dtype).toBe(onHost.dtype);
  const back = await toHostAsync(onDev);
  expect(back.storage.device).toBe('cpu');
  expect(Array.from(back.dataSync())).toEqual(Array.from(onHost.dataSync()));
}

describe('ops on a device run through its backend', () => {
  it('element-wise ops with broadcasting and CPU scalars', async () => {
    torch.manualSeed(0);
    const x = torch.randn(3, 4);
    const y = torch.randn(4);
    const f = (a: T, b: T): T => a.mul(2).add(b).exp().sub(a.pow(2)).div(b.abs().add(1)).where(a.gt(0), b.neg());
    await expectSame(f(dev(x), dev(y)), f(x, y));
    expect(mockCalls.get('binary')).toBeGreaterThan(0);
  });

  it('reductions, matmul, softmax and casts', async () => {
    torch.manualSeed(1);
    const a = torch.randn(2, 3, 5);
    const b = torch.randn(5, 4);
    await expectSame(dev(a).sum(1), a.sum(1));
    await expectSame(dev(a).mean([0, 2], true), a.mean([0, 2], true));
    await expectSame(dev(a).amax(-1), a.amax(-1));
    await expectSame(dev(a).matmul(dev(b)), a.matmul(b));
    await expectSame(dev(a).softmax(-1), a.softmax(-1));
    await expectSame(dev(a).logSoftmax(1), a.logSoftmax(1));
    await expectSame(dev(a).double().mul(3), a.double().mul(3));
    await expectSame(dev(a).transpose(0, 2).contiguous(), a.transpose(0, 2).contiguous());
    // a view inside a larger buffer reads back only its own elements
    await expectSame(dev(a).select(0, 1), a.select(0, 1));
  });

  it('a Linear layer forward and backward', async () => {
    torch.manualSeed(2);
    const lin = new nn.Linear(5, 3);
    const x = torch.randn(4, 5);
    const w = dev(lin.weight.detach()).requiresGrad_();
    const b = dev(lin.bias!.detach()).requiresGrad_();
    const xd = dev(x);
    const yd = nn.functional.linear(xd, w, b).tanh();
    const y = lin.forward(x).tanh();
    await expectSame(yd.detach(), y.detach());
    yd.sum().backward();
    y.sum().backward();
    await expectSame(w.grad!, lin.weight.grad!);
    await expectSame(b.grad!, lin.bias!.grad!);
  });
});

describe('crossing devices', () => {
  it("mixing devices raises PyTorch's error", () => {
    const x = dev(torch.ones(3));
    const message = 'Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!';
    expect(() => x.add(torch.ones(3))).toThrow(message);
    expect(() => x.matmul(torch.ones(3, 2))).toThrow(message);
    expect(() => x.copy_(torch.ones(3))).not.toThrow(); // copy_ moves its source, as PyTorch's does
  });

  it('a device tensor refuses synchronous reads and names the asynchronous call', async () => {
    const x = dev(torch.arange(4, { dtype: 'float32' }));
    expect(() => x.dataSync()).toThrow("the elements of a tensor on webgpu are not in host memory: copy it with .to('cpu') first");
    expect(Array.from((await toHostAsync(x)).dataSync())).toEqual([0, 1, 2, 3]);
  });
});
