// A PyTorch training program ported line by line gives PyTorch's losses: same seed, same init,
// same dropout masks, same optimiser and scheduler (tools/fixtures/gen_e2e.py).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

const { nn, optim } = torch;
const fx = loadFixture('e2e');
const X = fromFixture(fx.X);
const y = fromFixture(fx.y);
const Xr = fromFixture(fx.Xr);
const yr = fromFixture(fx.yr);

function expectLosses(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((l, i) => {
    // float32 training: rounding differences grow slowly over the steps
    expect(Math.abs(l - expected[i]!), `step ${i}: ${l} vs ${expected[i]}`).toBeLessThan(1e-5 * (1 + i) + 1e-5 * Math.abs(expected[i]!));
  });
}

describe('training runs match PyTorch step by step', () => {
  for (const c of fx.cases.filter((c: any) => c.kind === 'classifier')) {
    it(c.name, () => {
      torch.manualSeed(0);
      const layers: torch.nn.Module[] = [new nn.Linear(8, 16), new nn.Tanh()];
      if (c.dropout) layers.push(new nn.Dropout(0.2));
      layers.push(new nn.Linear(16, 3));
      const model = new nn.Sequential(...layers);
      const params = model.parameters();
      const opt =
        c.opt === 'adam'
          ? new optim.Adam(params, { lr: 0.01 })
          : c.opt === 'sgd'
            ? new optim.SGD(params, { lr: 0.1, momentum: 0.9 })
            : c.opt === 'adamw'
              ? new optim.AdamW(params, { lr: 0.01 })
              : new optim.RMSprop(params, { lr: 0.01 });
      const sched = new optim.lrScheduler.StepLR(opt, 10, { gamma: 0.5 });
      const lossFn = new nn.CrossEntropyLoss();
      const losses: number[] = [];
      for (let step = 0; step < 30; step++) {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(X), y);
        loss.backward();
        nn.utils.clipGradNorm_(model.parameters(), 1.0);
        opt.step();
        sched.step();
        losses.push(loss.item());
      }
      expectLosses(losses, c.losses);
      model.eval();
      const final = torch.noGrad(() => model.forward(X.narrow(0, 0, 4)));
      expectClose(final, c.final, 1e-4, 1e-4);
      expect(Object.keys(model.stateDict())).toEqual(c.stateDictKeys);
    });
  }
  it('regressor with LayerNorm, GELU, Adam weight decay and MSE', () => {
    const c = fx.cases.find((c: any) => c.kind === 'regressor');
    torch.manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(8, 32), new nn.LayerNorm(32), new nn.GELU(), new nn.Linear(32, 1));
    const opt = new optim.Adam(model.parameters(), { lr: 0.005, weightDecay: 1e-4 });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(model.forward(Xr), yr);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expectLosses(losses, c.losses);
    expect(Object.keys(model.stateDict())).toEqual(c.stateDictKeys);
  });
});
