/**
 * `torchlet train-forecast --csv FILE --column NAME [...]`: trains an LSTM forecaster on one column
 * of a CSV file, keeps the epoch with the best validation RMSE (early stopping), saves it as
 * safetensors with its config in the metadata, and writes loss and fit plots.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { safetensors } from '../../io/index.js';
import { readSeries } from '../lib/csv.js';
import { CliError } from '../lib/errors.js';
import { type Transform, autoTransform, forecast, forecastMetadata, oneStepFit, trainForecaster } from '../lib/forecaster.js';
import { type CliContext, displayPath, fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber, requireFile, seed } from '../lib/options.js';
import { TrainingProgress, terminalChart } from '../lib/progress.js';
import { lineChartSvg } from '../lib/svg-plot.js';
import type { CliCommand } from '../program.js';

/** Options of `train-forecast` (commander's camelCase keys). */
export interface TrainForecastOptions {
  csv: string;
  column: string;
  window: number;
  horizon: number;
  hidden: number;
  layers: number;
  dropout: number;
  epochs: number;
  lr: number;
  batchSize: number;
  valSplit: number;
  patience: number;
  seed: number;
  transform: Transform | 'auto';
  out: string;
  plots: boolean;
  quiet?: boolean;
}

/** Chart file paths next to the checkpoint: `model.safetensors` -> `model.loss.svg`, `model.fit.svg`. */
export function plotPaths(out: string): { loss: string; fit: string } {
  const stem = out.replace(/\.safetensors$/i, '');
  return { loss: `${stem}.loss.svg`, fit: `${stem}.fit.svg` };
}

/** Runs the command (also called directly by tests). */
export async function trainForecastCommand(o: TrainForecastOptions, ctx: CliContext): Promise<void> {
  requireFile(o.csv, '--csv');
  const series = readSeries(o.csv, o.column);
  if (o.window < 2) throw new CliError('--window must be at least 2');
  const transform = o.transform === 'auto' ? autoTransform(series.values) : o.transform;
  const out = ctx.stdout;
  out.write(`series ${JSON.stringify(o.column)} from ${o.csv}: ${series.values.length} values (${series.labels[0]} .. ${series.labels[series.labels.length - 1]}), transform ${transform}\n`);
  const progress = new TrainingProgress({ stream: out, totalEpochs: o.epochs, valLabel: 'val RMSE' });
  const arch = { column: o.column, window: o.window, horizon: o.horizon, hidden: o.hidden, layers: o.layers, dropout: o.dropout, transform };
  let r;
  try {
    r = await trainForecaster(series.values, arch, {
      epochs: o.epochs,
      lr: o.lr,
      batchSize: o.batchSize,
      valSplit: o.valSplit,
      seed: o.seed,
      patience: o.patience,
      onEpoch: (e) => progress.update(e),
    });
  } finally {
    progress.stop();
  }
  const stop = r.stoppedEarly ? `stopped early after ${r.losses.length} epochs (no improvement for ${o.patience})` : `trained ${r.losses.length} epochs`;
  const metric = Number.isFinite(r.bestValRmse) ? `best validation RMSE ${r.bestValRmse.toPrecision(5)} at epoch ${r.bestEpoch}` : `best training loss at epoch ${r.bestEpoch}`;
  out.write(`${stop} in ${progress.elapsed().toFixed(1)} s (${r.trainWindows} training, ${r.valWindows} validation windows); ${metric}\n`);

  const outPath = resolve(o.out);
  mkdirSync(dirname(outPath), { recursive: true });
  const training = { epochs: r.losses.length, bestEpoch: r.bestEpoch, bestValRmse: r.bestValRmse, lr: o.lr, batchSize: o.batchSize, valSplit: o.valSplit, seed: o.seed, csv: o.csv };
  safetensors.saveFile(r.model.stateDict(), outPath, forecastMetadata(r.model.cfg, training));
  out.write(`saved the best checkpoint to ${displayPath(outPath)} (config in its safetensors metadata)\n`);

  if (o.plots) {
    const paths = plotPaths(outPath);
    const epochs = r.losses.map((_, i) => i + 1);
    writeFileSync(
      paths.loss,
      lineChartSvg({
        title: `Loss: LSTM forecaster of ${o.column}`,
        xLabel: 'epoch',
        yLabel: 'MSE (relative scale, log axis)',
        logY: true,
        legend: 'right',
        vlines: [{ x: r.bestEpoch, label: `best epoch ${r.bestEpoch}` }],
        series: [
          { label: 'training', x: epochs, y: r.losses, color: '#1f77b4' },
          ...(r.valWindows ? [{ label: 'validation', x: epochs, y: r.valLosses, color: '#ff7f0e' }] : []),
        ],
      }),
    );
    const n = series.values.length;
    const fit = oneStepFit(r.model, series.values);
    const ahead = forecast(r.model, series.values, o.horizon);
    const valFrom = n - Math.round(n * o.valSplit);
    writeFileSync(
      paths.fit,
      lineChartSvg({
        title: `${o.column}: one-step fit and the next ${o.horizon} values`,
        xTickFormat: (x) => series.labels[Math.round(x)] ?? `+${Math.round(x) - n + 1}`,
        shade: o.valSplit > 0 ? { from: valFrom - 0.5, to: n - 0.5, label: 'validation' } : undefined,
        series: [
          { label: 'data', x: series.values.map((_, i) => i), y: series.values, color: '#222222' },
          { label: 'one-step fit', x: fit.x, y: fit.y, color: '#ff7f0e', strokeWidth: 1.5 },
          { label: `forecast (${o.horizon} ahead)`, x: [n - 1, ...ahead.map((_, k) => n + k)], y: [series.values[n - 1], ...ahead], color: '#d62728' },
        ],
      }),
    );
    out.write(`plots: ${displayPath(paths.loss)}, ${displayPath(paths.fit)}\n`);
  }
  if (!o.quiet && r.losses.length > 1) {
    out.write('\ntraining loss by epoch:\n' + terminalChart([r.losses], { height: 8, tty: Boolean(out.isTTY), decimals: 3 }) + '\n');
  }
}

/** The `train-forecast` subcommand. */
export const trainForecast: CliCommand = {
  name: 'train-forecast',
  register(program: Command, ctx: CliContext) {
    program
      .command('train-forecast')
      .description('train an LSTM forecaster on one column of a CSV file; saves the best checkpoint (safetensors) and plots')
      .requiredOption('--csv <file>', 'CSV file with a header row')
      .requiredOption('--column <name>', 'the numeric column to forecast')
      .option('--window <n>', 'input window length', positiveInt, 24)
      .option('--horizon <n>', 'values predicted per step', positiveInt, 12)
      .option('--hidden <n>', 'LSTM hidden size', positiveInt, 32)
      .option('--layers <n>', 'LSTM layers', positiveInt, 1)
      .option('--dropout <p>', 'dropout between LSTM layers', fraction, 0)
      .option('--epochs <n>', 'maximum epochs', positiveInt, 200)
      .option('--lr <x>', 'Adam learning rate', positiveNumber, 0.005)
      .option('--batch-size <n>', 'windows per batch', positiveInt, 16)
      .option('--val-split <f>', 'fraction of the series (its end) used to validate', fraction, 0.2)
      .option('--patience <n>', 'early stopping: epochs without a better validation RMSE (0: off)', nonNegativeInt, 50)
      .option('--seed <n>', 'random seed (weights, shuffling)', seed, 0)
      .option('--transform <t>', 'log (multiplicative series), none, or auto (log when all values > 0)', oneOf('auto', 'log', 'none'), 'auto')
      .option('--out <file>', 'checkpoint to write', 'model.safetensors')
      .option('--no-plots', 'do not write the SVG plots (<out>.loss.svg, <out>.fit.svg)')
      .addHelpText(
        'after',
        '\nExample:\n  torchlet train-forecast --csv examples/data/airline-passengers.csv --column passengers --epochs 100 --out airline.safetensors',
      )
      .action((o: TrainForecastOptions) => trainForecastCommand(o, ctx));
  },
};
