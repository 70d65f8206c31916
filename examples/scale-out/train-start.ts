/**
 * Step 1 of 3: train the forecaster for a few epochs in torchlet and save a training checkpoint
 * `{ model, optimizer, epoch, loss }` that PyTorch's `torch.load` reads (step 2 continues it
 * under DDP). See README.md in this folder.
 *
 * Run from the repository root:
 *   node --import tsx examples/scale-out/train-start.ts [--epochs 3] [--dir scale-out-output]
 * It writes scale-out-output/start.pt.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as torch from '../../src/index.js';
import { Forecaster, LR, mean, trainEpoch, trainLoader } from './forecaster.js';

export interface TrainStartOptions {
  /** Epochs to train (default 3). */
  epochs?: number;
  /** Folder of the checkpoint (default `scale-out-output`). */
  dir?: string;
  /** The seed of the initial weights (default 0). */
  seed?: number;
  log?: (line: string) => void;
}

export interface TrainStartResult {
  /** The loss of every step. */
  losses: number[];
  /** The checkpoint written. */
  path: string;
}

/** Trains `epochs` epochs from a fresh model and saves `{ model, optimizer, epoch, loss }` to `<dir>/start.pt`. */
export function main(opts: TrainStartOptions = {}): TrainStartResult {
  const { epochs = 3, dir = 'scale-out-output', seed = 0, log = console.log } = opts;
  torch.manualSeed(seed);
  const model = new Forecaster();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: LR });
  const losses: number[] = [];
  let last: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    last = trainEpoch(model, optimizer, trainLoader(epoch)); // epoch e shuffles with seed e
    losses.push(...last);
    log(`epoch ${epoch + 1}: loss ${mean(last).toFixed(6)}`);
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'start.pt');
  // the usual PyTorch training checkpoint; `epoch` counts the epochs done
  torch.save({ model: model.stateDict(), optimizer: optimizer.stateDict(), epoch: epochs, loss: mean(last) }, path);
  log(`saved ${path} (epoch ${epochs})`);
  return { losses, path };
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, dir: { type: 'string' } } });
  main({ epochs: values.epochs === undefined ? undefined : Number(values.epochs), dir: values.dir });
}
