// `Tensor.data` is PyTorch's `.data` (tools/fixtures/gen_tensor_data.py -> fixtures/tensor-data.json):
// a history-free tensor sharing the storage and view with its own version counter, and assignment
// that swaps the elements while keeping gradient, history flags and version.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, expectError, loadFixture } from '../helpers/fixtures.js';

const { nn } = torch;
const fx = loadFixture('tensor-data').cases;

describe('reading .data', () => {
  it('shares the storage, drops history and requires_grad, counts its own versions', () => {
    const r = fx.read;
    torch.manualSeed(0);
    const a = torch.randn(3, 4, { requiresGrad: true });
    const d = a.data;
    expect(d).toBeInstanceOf(torch.Tensor);
    expect(d.requiresGrad).toBe(r.requiresGrad);
    expect(d.isLeaf).toBe(r.isLeaf);
    expect(d.gradFn === null).toBe(r.gradFnNone);
    expect(d.base === null).toBe(r.baseNone);
    expect(d.version).toBe(r.versionBefore);
    expect(d.storage).toBe(a.storage);
    d.add_(1);
    expectClose(a, r.a, 0, 0);
    expect(a.version).toBe(r.aVersion);
    expect(d.version).toBe(r.dVersion);
    expect(a.requiresGrad).toBe(r.aRequiresGrad);
  });

  it("of a view is the view's elements, not the storage's", () => {
    const r = fx.read;
    torch.manualSeed(0);
    const a = torch.randn(3, 4, { requiresGrad: true });
    a.data.add_(1);
    const vd = a.t().slice(0, 1).data;
    expectClose(vd, r.view.values, 0, 0);
    expect(vd.strides).toEqual(r.view.stride);
    expect(vd.isContiguous()).toBe(r.view.contiguous);
    expectClose(torch.tensor(vd.tolist()), r.view.copied, 0, 0);
  });

  it('of a non-leaf is a leaf that does not require grad', () => {
    const a = torch.randn(2, { requiresGrad: true });
    const y = a.mul(2);
    expect(y.data.requiresGrad).toBe(fx.read.nonLeaf.requiresGrad);
    expect(y.data.isLeaf).toBe(fx.read.nonLeaf.isLeaf);
  });
});

describe('assigning .data', () => {
  it('takes the new elements, shape and dtype and keeps grad, requires_grad and version', () => {
    const r = fx.assign;
    torch.manualSeed(1);
    const w = torch.randn(3, { requiresGrad: true });
    w.mul(w).sum().backward();
    expectClose(w.grad!, r.gradBefore, 0, 0);
    expect(w.version).toBe(r.versionBefore);
    w.data = torch.arange(4, { dtype: 'float64' }).reshape(2, 2);
    expectClose(w, r.w, 0, 0);
    expect(w.dtype).toBe(r.w.dtype);
    expect(w.requiresGrad).toBe(r.requiresGrad);
    expect(w.isLeaf).toBe(r.isLeaf);
    expectClose(w.grad!, r.grad, 0, 0);
    expect(w.version).toBe(r.versionAfter);
  });

  it("takes a view's geometry and keeps sharing its storage", () => {
    const r = fx.assign;
    const src = torch.arange(12, { dtype: 'float32' }).reshape(3, 4);
    const u = torch.zeros(2);
    u.data = src.t();
    expectClose(u, r.fromView.values, 0, 0);
    expect(u.strides).toEqual(r.fromView.stride);
    expect(u.offset).toBe(r.fromView.offset);
    src.indexPut_([torch.tensor(0), torch.tensor(1)], 100);
    expectClose(u, r.fromViewShares, 0, 0);
  });

  it("raises PyTorch's errors", () => {
    const e = fx.assign.errors;
    expectError(() => {
      torch.zeros(2, { requiresGrad: true }).data = torch.ones(2, { dtype: 'int64' });
    }, e.intForGrad);
    expectError(() => {
      (torch.zeros(2) as { data: unknown }).data = 5;
    }, e.number);
    expectError(() => {
      (torch.zeros(2) as { data: unknown }).data = [1, 2];
    }, e.list);
    const i = torch.zeros(2);
    i.data = torch.ones(3, { dtype: 'int64' });
    expectClose(i, fx.assign.intNoGrad, 0, 0);
    expect(i.dtype).toBe('int64');
  });
});

describe('.data and autograd', () => {
  it('writes through .data escape the version check; writes through detach() do not', () => {
    const r = fx.autograd;
    torch.manualSeed(2);
    const w = torch.randn(4, { requiresGrad: true });
    const y = w.mul(w).sum();
    w.data.mul_(2);
    y.backward();
    expectClose(w, r.throughData.w, 0, 0);
    expectClose(w.grad!, r.throughData.grad, 0, 0);
    const w2 = torch.randn(4, { requiresGrad: true });
    const y2 = w2.mul(w2).sum();
    w2.detach().mul_(2);
    expectError(() => y2.backward(), r.throughDetach);
  });

  it("trains an LSTM with the manual-SGD idiom p.data.add_(p.grad.data, alpha) to PyTorch's losses", () => {
    const r = fx.sgd;
    torch.manualSeed(3);
    const lstm = new nn.LSTM(3, 5);
    const head = new nn.Linear(5, 1);
    const x = torch.randn(6, 2, 3);
    const target = torch.randn(6, 2, 1);
    const params = [...lstm.parameters(), ...head.parameters()];
    const lr = 0.1;
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const [out] = lstm.forward(x);
      const loss = nn.functional.mseLoss(head.forward(out), target);
      losses.push(loss.item());
      for (const p of params) if (p.grad !== null) p.grad.data.zero_();
      loss.backward();
      for (const p of params) {
        p.grad!.data.clamp_(-1, 1);
        p.data.add_(p.grad!.data, { alpha: -lr });
      }
      if (step === 3) head.weight.data = head.weight.data.mul(0.5);
    }
    losses.forEach((l, i) => expect(Math.abs(l - r.losses[i]), `step ${i}`).toBeLessThan(1e-6));
    const state = { ...lstm.stateDict(), ...head.stateDict() };
    for (const [k, v] of Object.entries(r.final)) expectClose(state[k]!, v as never, 1e-6, 1e-5);
  });
});

describe('size(dim) and stride(dim)', () => {
  for (const c of fx.sizeErrors) {
    it(`${c.fn}(${c.dim}) of shape [${c.shape}]`, () => {
      const t = torch.zeros(c.shape);
      const call = (): number => (c.fn === 'size' ? t.size(c.dim) : t.stride(c.dim));
      if (c.error) expectError(call, c.error);
      else expect(typeof call()).toBe('number');
    });
  }
});

describe("views record PyTorch's node names", () => {
  const x = torch.zeros([2, 1, 3], { requiresGrad: true });
  const calls: Record<string, () => torch.Tensor> = {
    view: () => x.view(6),
    'reshape viewable': () => x.reshape(3, 2),
    'reshape copy': () => x.transpose(0, 2).reshape(6),
    flatten: () => x.flatten(),
    'flatten copy': () => x.transpose(0, 2).flatten(),
    squeeze: () => x.squeeze(),
    'squeeze dim': () => x.squeeze(1),
    'squeeze other dim': () => x.squeeze(0),
    unsqueeze: () => x.unsqueeze(0),
  };
  for (const c of fx.viewNames) {
    it(c.name, () => {
      const y = calls[c.name]!();
      expect(y.shape).toEqual(c.shape);
      expect(y.gradFn?.name).toBe(c.gradFn);
    });
  }
});
