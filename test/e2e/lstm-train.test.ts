// Training the seed LSTM end to end reproduces PyTorch's loss at every step
// (tools/fixtures/gen_lstm_train.py): Adam, SGD with momentum and clipGradNorm_, and truncated BPTT.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';

const { nn, optim } = torch;
const fx = loadFixture('lstm_train');

class Seed extends nn.Module {
  lstm = new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
  fc = new nn.Linear(128, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.fc.forward(out.select(1, -1));
  }
}

function expectLosses(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((l, i) => {
    expect(Math.abs(l - expected[i]!), `step ${i}: ${l} vs ${expected[i]}`).toBeLessThan(2e-5 * (1 + i) * Math.max(1, Math.abs(expected[i]!)));
  });
}

describe('seed model trains like PyTorch', () => {
  const X = fromFixture(fx.X);
  const Y = fromFixture(fx.Y);
  for (const c of fx.cases.filter((c: any) => c.opt)) {
    it(c.name, () => {
      torch.manualSeed(0);
      const model = new Seed();
      const opt = c.opt === 'adam' ? new optim.Adam(model.parameters(), { lr: 1e-3 }) : new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const losses: number[] = [];
      for (let step = 0; step < c.losses.length; step++) {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(model.forward(X), Y);
        loss.backward();
        if (c.opt === 'sgd') nn.utils.clipGradNorm_(model.parameters(), 0.5);
        opt.step();
        losses.push(loss.item());
      }
      expectLosses(losses, c.losses);
    });
  }
  it('truncated BPTT with detached state', () => {
    const c = fx.cases.find((c: any) => c.name === 'tbptt');
    const XS = fromFixture(fx.XS);
    const YS = fromFixture(fx.YS);
    torch.manualSeed(1);
    const lstm = new nn.LSTM(4, 16, { batchFirst: true });
    const head = new nn.Linear(16, 1);
    const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      let state: [torch.Tensor, torch.Tensor] | undefined;
      for (let k = 0; k < 3; k++) {
        const xs = XS.narrow(1, k * 10, 10);
        const ys = YS.narrow(1, k * 10, 10);
        opt.zeroGrad();
        const [out, next] = lstm.forward(xs, state);
        const loss = nn.functional.mseLoss(head.forward(out), ys);
        loss.backward();
        opt.step();
        state = [next[0].detach(), next[1].detach()];
        losses.push(loss.item());
      }
    }
    expectLosses(losses, c.losses);
  });
});
