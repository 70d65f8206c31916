/**
 * `torchlet train-text --text FILE [...]`: trains a character-level LSTM language model on a text
 * file, printing samples as it learns, and saves the best checkpoint (validation loss) as
 * safetensors with its vocabulary and config in the metadata.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import * as torch from '../../index.js';
import { safetensors } from '../../io/index.js';
import { charLmMetadata, sample, trainCharLm } from '../lib/char-lm.js';
import { CliError } from '../lib/errors.js';
import { type CliContext, displayPath, fraction, nonNegativeInt, positiveInt, positiveNumber, requireFile, seed, writeOutput } from '../lib/options.js';
import { TrainingProgress, terminalChart } from '../lib/progress.js';
import { lineChartSvg } from '../lib/svg-plot.js';
import type { CliCommand } from '../program.js';

/** Options of `train-text`. */
export interface TrainTextOptions {
  text: string;
  embed: number;
  hidden: number;
  layers: number;
  dropout: number;
  seqLen: number;
  batchSize: number;
  epochs: number;
  lr: number;
  valSplit: number;
  patience: number;
  seed: number;
  sampleEvery: number;
  sampleLength: number;
  temperature: number;
  out: string;
  plots: boolean;
}

/** Runs the command. */
export async function trainTextCommand(o: TrainTextOptions, ctx: CliContext): Promise<void> {
  requireFile(o.text, '--text');
  let text: string;
  try {
    text = readFileSync(o.text, 'utf8');
  } catch (e) {
    throw new CliError(`--text ${o.text}: ${(e as Error).message}`);
  }
  if (text.length === 0) throw new CliError(`--text ${o.text}: the file is empty`);
  const out = ctx.stdout;
  // training and validation loss both in bits per character
  const progress = new TrainingProgress({ stream: out, totalEpochs: o.epochs, lossLabel: 'train bits/char', valLabel: 'val bits/char' });
  const LN2 = Math.LN2;
  const r = await trainCharLm(
    text,
    { embed: o.embed, hidden: o.hidden, layers: o.layers, dropout: o.dropout },
    {
      epochs: o.epochs,
      seqLen: o.seqLen,
      batchSize: o.batchSize,
      lr: o.lr,
      valSplit: o.valSplit,
      seed: o.seed,
      patience: o.patience,
      onEpoch: (e) => {
        progress.update({ epoch: e.epoch, loss: e.loss / LN2, val: e.val / LN2, steps: e.steps });
        if (o.sampleEvery > 0 && e.epoch % o.sampleEvery === 0) {
          // sampling draws from the generator: save and restore it so training is unaffected
          const rng = torch.getRngState();
          const s = sample(e.model, firstChar(text), o.sampleLength, o.temperature);
          torch.setRngState(rng);
          progress.log(`--- sample after epoch ${e.epoch} ---\n${s}\n---`);
        }
      },
    },
  ).finally(() => progress.stop());
  const bpc = r.valLosses[r.bestEpoch - 1] / LN2;
  const train = r.losses[r.bestEpoch - 1] / LN2;
  out.write(
    `${r.stoppedEarly ? 'stopped early after' : 'trained'} ${r.losses.length} epochs in ${progress.elapsed().toFixed(1)} s; vocabulary ${r.model.cfg.vocab.length} characters; ` +
      (Number.isFinite(bpc)
        ? `best epoch ${r.bestEpoch}: validation ${bpc.toFixed(3)} bits/char (training ${train.toFixed(3)})\n`
        : `best epoch ${r.bestEpoch}: training ${train.toFixed(3)} bits/char (no validation with --val-split 0)\n`),
  );
  const outPath = resolve(o.out);
  mkdirSync(dirname(outPath), { recursive: true });
  writeOutput(outPath, safetensors.save(r.model.stateDict(), charLmMetadata(r.model.cfg, { epochs: r.losses.length, bestEpoch: r.bestEpoch, seqLen: o.seqLen, lr: o.lr, seed: o.seed, text: o.text })));
  out.write(`saved the best checkpoint to ${displayPath(outPath)}\n`);
  if (o.plots) {
    const lossPath = outPath.replace(/\.safetensors$/i, '') + '.loss.svg';
    const epochs = r.losses.map((_, i) => i + 1);
    writeOutput(
      lossPath,
      lineChartSvg({
        title: 'Character model: loss in bits per character',
        xLabel: 'epoch',
        xInteger: true,
        yLabel: 'bits/char',
        legend: 'right',
        vlines: [{ x: r.bestEpoch, label: `best epoch ${r.bestEpoch}` }],
        series: [
          { label: 'training', x: epochs, y: r.losses.map((v) => v / LN2), color: '#1f77b4' },
          { label: 'validation', x: epochs, y: r.valLosses.map((v) => v / LN2), color: '#ff7f0e' },
        ],
      }),
    );
    out.write(`plot: ${displayPath(lossPath)}\n`);
  }
  torch.manualSeed(o.seed);
  out.write(`\nsample (temperature ${o.temperature}):\n${sample(r.model, firstChar(text), o.sampleLength, o.temperature)}\n`);
  if (r.losses.length > 1) {
    const chart = terminalChart([r.losses.map((v) => v / LN2), r.valLosses.map((v) => v / LN2)], { height: 6, tty: Boolean(out.isTTY), decimals: 2 });
    out.write(`\ntraining${Number.isFinite(bpc) ? ' and validation' : ''} loss (bits/char) by epoch:\n${chart}\n`);
  }
}

function firstChar(text: string): string {
  return Array.from(text)[0];
}

/** The `train-text` subcommand. */
export const trainText: CliCommand = {
  name: 'train-text',
  register(program: Command, ctx: CliContext) {
    program
      .command('train-text')
      .description('train a character-level LSTM language model on a text file; prints samples as it learns')
      .requiredOption('--text <file>', 'UTF-8 text file to learn')
      .option('--embed <n>', 'character embedding size', positiveInt, 32)
      .option('--hidden <n>', 'LSTM hidden size', positiveInt, 128)
      .option('--layers <n>', 'LSTM layers', positiveInt, 1)
      .option('--dropout <p>', 'dropout between LSTM layers', fraction, 0)
      .option('--seq-len <n>', 'characters per training sequence', positiveInt, 64)
      .option('--batch-size <n>', 'sequences per batch', positiveInt, 32)
      .option('--epochs <n>', 'maximum passes over the text', positiveInt, 20)
      .option('--lr <x>', 'Adam learning rate', positiveNumber, 0.003)
      .option('--val-split <f>', 'fraction of the text (its end) used to validate', fraction, 0.1)
      .option('--patience <n>', 'early stopping: epochs without a better validation loss (0: off)', nonNegativeInt, 5)
      .option('--seed <n>', 'random seed', seed, 0)
      .option('--sample-every <n>', 'print a sample every n epochs (0: never)', nonNegativeInt, 5)
      .option('--sample-length <n>', 'characters per printed sample', positiveInt, 200)
      .option('--temperature <t>', 'sampling temperature for the printed samples', positiveNumber, 0.8)
      .option('--out <file>', 'checkpoint to write', 'char-lm.safetensors')
      .option('--no-plots', 'do not write the loss plot (<out>.loss.svg)')
      .addHelpText('after', '\nExample:\n  torchlet train-text --text README.md --epochs 10 --out readme.safetensors')
      .action((o: TrainTextOptions) => trainTextCommand(o, ctx));
  },
};
