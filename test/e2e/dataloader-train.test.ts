// A DataLoader-based PyTorch training program ported line by line
// (tools/fixtures/gen_e2e_dataloader.py -> fixtures/e2e_dataloader.json): randomSplit, a shuffled
// DataLoader, LSTM dropout, clipGradNorm_, Adam, train()/eval() and a noGrad validation pass must
// reproduce PyTorch's split, every training loss, every gradient norm and every validation loss.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { loadFixture } from '../helpers/fixtures.js';

const { nn, optim } = torch;
const { DataLoader, TensorDataset, randomSplit } = torch.utils.data;
const fx = loadFixture('e2e_dataloader');
const SEQ = 12;

function load(): { windows: number[][]; targets: number[] } {
  const csv = readFileSync(fileURLToPath(new URL('../../examples/data/airline-passengers.csv', import.meta.url)), 'utf8');
  const values = csv.trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const scaled = values.map((v) => (v - lo) / (hi - lo));
  const windows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < scaled.length - SEQ; i++) {
    windows.push(scaled.slice(i, i + SEQ));
    targets.push(scaled[i + SEQ]!);
  }
  return { windows, targets };
}

class Forecaster extends nn.Module {
  lstm = new nn.LSTM(1, 32, { numLayers: 2, batchFirst: true, dropout: 0.2 });
  fc = new nn.Linear(32, 1);
  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.fc.forward(out.select(1, -1));
  }
}

function expectSeries(name: string, actual: number[], expected: number[], tol: number): void {
  expect(actual.length, name).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    expect(Math.abs(v - e), `${name}[${i}]: ${v} vs ${e}`).toBeLessThanOrEqual(tol * (1 + i) * Math.max(1, Math.abs(e)));
  });
}

describe('a DataLoader training program ported from PyTorch', () => {
  it('gives the same split, training losses, gradient norms and validation losses', () => {
    const { windows, targets } = load();
    torch.manualSeed(0);
    const X = torch.tensor(windows).unsqueeze(-1);
    const y = torch.tensor(targets).unsqueeze(-1);
    const ds = new TensorDataset(X, y);
    const [trainDs, valDs] = randomSplit(ds, [0.8, 0.2]) as [torch.utils.data.Subset<torch.Tensor[]>, torch.utils.data.Subset<torch.Tensor[]>];
    expect(trainDs.indices).toEqual(fx.trainIndices);
    const trainLoader = new DataLoader(trainDs, { batchSize: 16, shuffle: true });
    const valLoader = new DataLoader(valDs, { batchSize: 32 });
    const model = new Forecaster();
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const criterion = new nn.MSELoss();
    const trainLosses: number[] = [];
    const valLosses: number[] = [];
    const gradNorms: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      model.train();
      for (const [xb, yb] of trainLoader) {
        opt.zeroGrad();
        const loss = criterion.forward(model.forward(xb!), yb!);
        loss.backward();
        gradNorms.push(nn.utils.clipGradNorm_(model.parameters(), 1.0).item());
        opt.step();
        trainLosses.push(loss.item());
      }
      model.eval();
      let total = 0;
      torch.noGrad(() => {
        for (const [xb, yb] of valLoader) total += criterion.forward(model.forward(xb!), yb!).item() * xb!.shape[0]!;
      });
      valLosses.push(total / valDs.length);
    }
    expectSeries('train loss', trainLosses, fx.trainLosses, 2e-6);
    expectSeries('grad norm', gradNorms, fx.gradNorms, 2e-6);
    expectSeries('validation loss', valLosses, fx.valLosses, 2e-5);
    // the same number of draws from the global generator as PyTorch
    expect(Array.from(torch.rand(3).dataSync())).toEqual(fx.after.map((v: number) => Math.fround(v)));
  });
});
