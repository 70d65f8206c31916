/**
 * Step 3 of 3: load the checkpoint that PyTorch saved under DDP (step 2) back into torchlet and
 * keep training. See README.md in this folder.
 *
 * DDP's `state_dict()` names every weight `module.<name>` (DDP keeps the model as its `module`), so
 * the keys are stripped with `torch.nn.modules.utils.consumePrefixInStateDictIfPresent`, PyTorch's
 * `consume_prefix_in_state_dict_if_present`, before `loadStateDict`. Without it `loadStateDict`
 * fails as PyTorch's does: "Missing key(s) in state_dict: "lstm.weight_ih_l0", ... Unexpected
 * key(s) in state_dict: "module.lstm.weight_ih_l0", ...". Adam's state (its moments and step
 * count) comes back with `optimizer.loadStateDict`, so training continues where PyTorch stopped.
 *
 * Run from the repository root:
 *   node --import tsx examples/scale-out/train-resume.ts [--epochs 3] [--dir scale-out-output]
 * It reads scale-out-output/ddp.pt and writes scale-out-output/resumed.pt, the same kind of
 * checkpoint as start.pt (which PyTorch can continue again).
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as torch from '../../src/index.js';
import { Forecaster, LR, mean, trainEpoch, trainLoader } from './forecaster.js';

export interface TrainResumeOptions {
  /** Epochs to train (default 3). */
  epochs?: number;
  /** Folder of ddp.pt and resumed.pt (default `scale-out-output`). */
  dir?: string;
  /** The checkpoint to resume (default `<dir>/ddp.pt`). */
  checkpoint?: string;
  /** Whether to write `<dir>/resumed.pt` (default true). */
  save?: boolean;
  log?: (line: string) => void;
}

export interface TrainResumeResult {
  /** The epochs the checkpoint had done. */
  startEpoch: number;
  /** The loss of every step after resuming. */
  losses: number[];
  model: Forecaster;
  optimizer: torch.optim.Adam;
}

/** Loads a (DDP) training checkpoint, restores the model and Adam, and trains `epochs` more epochs. */
export function main(opts: TrainResumeOptions = {}): TrainResumeResult {
  const { epochs = 3, dir = 'scale-out-output', save = true, log = console.log } = opts;
  const checkpoint = opts.checkpoint ?? join(dir, 'ddp.pt');
  const ck = torch.load(checkpoint);
  // 'module.lstm.weight_ih_l0' -> 'lstm.weight_ih_l0' (a checkpoint without the prefix is left as it is)
  torch.nn.modules.utils.consumePrefixInStateDictIfPresent(ck.model, 'module.');
  const model = new Forecaster();
  model.loadStateDict(ck.model);
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: LR });
  optimizer.loadStateDict(ck.optimizer);
  const startEpoch = Number(ck.epoch);
  const steps = optimizer.state.get(model.fc.weight)!.step.item();
  log(`resumed ${checkpoint}: epoch ${startEpoch}, Adam step ${steps}, PyTorch's last loss ${Number(ck.loss).toFixed(6)}`);
  const losses: number[] = [];
  let last: number[] = [];
  for (let epoch = startEpoch; epoch < startEpoch + epochs; epoch++) {
    last = trainEpoch(model, optimizer, trainLoader(epoch)); // epoch e shuffles with seed e, as in step 1
    losses.push(...last);
    log(`epoch ${epoch + 1}: loss ${mean(last).toFixed(6)}`);
  }
  if (save) {
    const path = join(dir, 'resumed.pt');
    torch.save({ model: model.stateDict(), optimizer: optimizer.stateDict(), epoch: startEpoch + epochs, loss: last.length > 0 ? mean(last) : ck.loss }, path);
    log(`saved ${path} (epoch ${startEpoch + epochs})`);
  }
  return { startEpoch, losses, model, optimizer };
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, dir: { type: 'string' } } });
  main({ epochs: values.epochs === undefined ? undefined : Number(values.epochs), dir: values.dir });
}
