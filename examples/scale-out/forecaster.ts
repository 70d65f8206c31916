/**
 * What the three steps of the scale-out example share (ddp_continue.py has the same in Python):
 * the training windows of the airline series, the model and one epoch of training.
 *
 * The data: the monthly airline passengers of 1949-1960 (examples/data/airline-passengers.csv),
 * min-max scaled to [0, 1] and cut into 132 windows of 12 months, each with the next month as
 * its target. The model: a one-layer LSTM of 16 units and a Linear head on its last output.
 */
import { readFileSync } from 'node:fs';
import * as torch from '../../src/index.js';

const { nn } = torch;

/** Months per input window. */
export const WINDOW = 12;
/** LSTM units. */
export const HIDDEN = 16;
/** Windows per optimizer step (DDP splits them over its processes). */
export const BATCH = 16;
/** Adam's learning rate. */
export const LR = 0.01;

/** The windows `x` ([132, 12, 1]) and their next months `y` ([132, 1]). */
export function airlineWindows(): { x: torch.Tensor; y: torch.Tensor } {
  const csv = readFileSync(new URL('../data/airline-passengers.csv', import.meta.url), 'utf8');
  const values = csv.trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const scaled = values.map((v) => (v - lo) / (hi - lo));
  const windows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i + WINDOW < scaled.length; i++) {
    windows.push(scaled.slice(i, i + WINDOW));
    targets.push(scaled[i + WINDOW]!);
  }
  return { x: torch.tensor(windows).unsqueeze(-1), y: torch.tensor(targets).unsqueeze(-1) };
}

/** An LSTM forecaster: 12 months in, the next month out. Its state_dict keys are `lstm.*` and `fc.*`. */
export class Forecaster extends nn.Module {
  lstm = new nn.LSTM(1, HIDDEN, { batchFirst: true });
  fc = new nn.Linear(HIDDEN, 1);

  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.fc.forward(out.select(1, -1));
  }
}

/** A shuffled loader of the windows; `seed` fixes the order (PyTorch's DataLoader makes the same draws). */
export function trainLoader(seed: number): torch.utils.data.DataLoader<torch.Tensor[]> {
  const { x, y } = airlineWindows();
  const generator = new torch.Generator().manualSeed(seed);
  return new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), { batchSize: BATCH, shuffle: true, generator });
}

/** One epoch of MSE training; returns each step's loss. */
export function trainEpoch(model: Forecaster, optimizer: Pick<torch.optim.Adam, 'zeroGrad' | 'step'>, loader: Iterable<torch.Tensor[]>): number[] {
  const criterion = new nn.MSELoss();
  const losses: number[] = [];
  model.train();
  for (const [xb, yb] of loader) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(xb!), yb!);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return losses;
}

/** The mean of a list of losses. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
