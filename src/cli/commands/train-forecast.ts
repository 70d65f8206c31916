/**
 * `torchlet train-forecast --csv FILE --column NAME [...]`: trains an LSTM forecaster on one column
 * of a CSV file, keeps the epoch with the lowest validation loss (early stopping), reports its
 * validation RMSE beside the seasonal-naive (or naive) baseline's, saves it as safetensors with
 * its config in the metadata, and writes loss and fit plots.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { safetensors } from '../../io/index.js';
import { readSeries } from '../lib/csv.js';
import { CliError } from '../lib/errors.js';
import { type Transform, autoTransform, baselineRmse, forecast, forecastMetadata, oneStepFit, trainForecaster } from '../lib/forecaster.js';
import { type CliContext, displayPath, fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber, requireFile, seed, writeOutput } from '../lib/options.js';
import { type OutStream, TrainingProgress, terminalChart } from '../lib/progress.js';
import { lineChartSvg } from '../lib/svg-plot.js';
import { futureLabels, seasonalPeriod, yearTicks } from '../lib/time-axis.js';
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
  /** Seasonal period of the baseline (0: naive); default from the row labels. */
  season?: number;
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
  const quiet: OutStream = o.quiet ? { write: () => true } : out;
  out.write(`series ${JSON.stringify(o.column)} from ${o.csv}: ${series.values.length} values (${series.labels[0]} .. ${series.labels[series.labels.length - 1]}), transform ${transform}\n`);
  // the training loss and the validation loss are the same quantity (MSE of the scaled values), the one early stopping watches
  const progress = new TrainingProgress({ stream: quiet, totalEpochs: o.epochs, valLabel: 'val loss' });
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
      monitor: 'loss',
      onEpoch: (e) => progress.update({ ...e, val: e.valLoss }),
    });
  } finally {
    progress.stop();
  }
  const stop = r.stoppedEarly ? `stopped early after ${r.losses.length} epochs (no better validation loss for ${o.patience})` : `trained ${r.losses.length} epochs`;
  out.write(`${stop} in ${progress.elapsed().toFixed(1)} s (${r.trainWindows} training, ${r.valWindows} validation windows)\n`);
  if (r.valWindows > 0) {
    const period = o.season ?? seasonalPeriod(series.labels);
    const base = baselineRmse(series.values, r.valStarts, o.window, o.horizon, period || null);
    const name = period ? `seasonal-naive baseline (the value ${period} steps earlier)` : 'naive baseline (the last value)';
    const verdict = r.bestValRmse < base ? `${((1 - r.bestValRmse / base) * 100).toFixed(0)}% lower than the baseline` : 'the model does NOT beat the baseline';
    out.write(`best epoch ${r.bestEpoch} (lowest validation loss ${r.bestValLoss.toPrecision(4)}): validation RMSE ${fmtRmse(r.bestValRmse)}, ${name} ${fmtRmse(base)}; ${verdict}\n`);
  } else {
    out.write(`best epoch ${r.bestEpoch} (lowest training loss ${r.losses[r.bestEpoch - 1]!.toPrecision(4)}; no validation with --val-split 0)\n`);
  }

  const outPath = resolve(o.out);
  mkdirSync(dirname(outPath), { recursive: true });
  const training = { epochs: r.losses.length, bestEpoch: r.bestEpoch, bestValRmse: r.bestValRmse, lr: o.lr, batchSize: o.batchSize, valSplit: o.valSplit, seed: o.seed, csv: o.csv };
  writeOutput(outPath, safetensors.save(r.model.stateDict(), forecastMetadata(r.model.cfg, training)));
  out.write(`saved the best checkpoint to ${displayPath(outPath)} (config in its safetensors metadata)\n`);

  if (o.plots) {
    const paths = plotPaths(outPath);
    const epochs = r.losses.map((_, i) => i + 1);
    writeOutput(
      paths.loss,
      lineChartSvg({
        title: `Loss: LSTM forecaster of ${o.column}`,
        xLabel: 'epoch',
        yLabel: 'MSE of the scaled values (log axis)',
        xInteger: true,
        logY: true,
        legend: 'right',
        vlines: [{ x: r.bestEpoch, label: `best epoch ${r.bestEpoch}${r.valWindows ? ' (lowest validation loss)' : ''}` }],
        series: [
          { label: 'training', x: epochs, y: r.losses, color: '#1f77b4' },
          ...(r.valWindows ? [{ label: 'validation (early stopping)', x: epochs, y: r.valLosses, color: '#ff7f0e' }] : []),
        ],
      }),
    );
    const n = series.values.length;
    const fit = oneStepFit(r.model, series.values);
    const ahead = forecast(r.model, series.values, o.horizon);
    const valFrom = n - Math.round(n * o.valSplit);
    const labels = [...series.labels, ...futureLabels(series.labels[n - 1]!, o.horizon)];
    const years = yearTicks(labels);
    writeOutput(
      paths.fit,
      lineChartSvg({
        title: `${o.column}: one-step fit and the next ${o.horizon} values`,
        xTicks: years?.ticks,
        xTickFormat: years?.format ?? ((x) => labels[Math.round(x)] ?? ''),
        xInteger: true,
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
    const chart = terminalChart([r.losses, r.valLosses], { height: 8, tty: Boolean(out.isTTY), decimals: 3 });
    out.write(`\ntraining${r.valWindows ? ' and validation' : ''} loss by epoch:\n${chart}\n`);
  }
}

/** An RMSE with 4 significant digits (no exponent for ordinary magnitudes). */
const fmtRmse = (v: number): string => String(Number(v.toPrecision(4)));

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
      .option('--patience <n>', 'early stopping: epochs without a better validation loss (0: off)', nonNegativeInt, 50)
      .option('--seed <n>', 'random seed (weights, shuffling)', seed, 0)
      .option('--transform <t>', 'log (multiplicative series), none, or auto (log when all values > 0)', oneOf('auto', 'log', 'none'), 'auto')
      .option('--out <file>', 'checkpoint to write', 'model.safetensors')
      .option('--season <n>', "the baseline's seasonal period (default: 12 for monthly labels like 1949-01, 4 quarterly, 7 daily; 0: the naive baseline)", nonNegativeInt)
      .option('--no-plots', 'do not write the SVG plots (<out>.loss.svg, <out>.fit.svg)')
      .option('--quiet', 'no progress lines and no terminal chart')
      .addHelpText(
        'after',
        '\nExample:\n  torchlet train-forecast --csv examples/data/airline-passengers.csv --column passengers --epochs 100 --out airline.safetensors',
      )
      .action((o: TrainForecastOptions) => trainForecastCommand(o, ctx));
  },
};
