/**
 * `torchlet forecast --model FILE --csv FILE --steps N [--plot out.svg]`: loads a checkpoint
 * written by `train-forecast` and prints the next N values after the series (as CSV on stdout).
 */
import { Command } from 'commander';
import { readCheckpointFile } from '../lib/checkpoint.js';
import { readSeries } from '../lib/csv.js';
import { type ForecastModel, forecast, forecasterFromCheckpoint } from '../lib/forecaster.js';
import { type CliContext, positiveInt, requireFile, writeOutput } from '../lib/options.js';
import { lineChartSvg } from '../lib/svg-plot.js';
import { futureLabels, yearTicks } from '../lib/time-axis.js';
import type { CliCommand } from '../program.js';

/** Options of `forecast`. */
export interface ForecastOptions {
  model: string;
  csv: string;
  column?: string;
  steps: number;
  plot?: string;
}

/** Reads a forecaster checkpoint (safetensors + metadata). */
export function loadForecaster(path: string): ForecastModel {
  const { tensors, metadata } = readCheckpointFile(path, '--model', { writer: 'train-forecast', command: 'forecast' });
  return forecasterFromCheckpoint(metadata, tensors, path);
}

/** Runs the command. */
export async function forecastCommand(o: ForecastOptions, ctx: CliContext): Promise<void> {
  const model = loadForecaster(o.model);
  requireFile(o.csv, '--csv');
  const column = o.column ?? model.cfg.column;
  const series = readSeries(o.csv, column);
  const pred = forecast(model, series.values, o.steps);
  const labels = futureLabels(series.labels[series.labels.length - 1], o.steps);
  ctx.stdout.write(`step,label,${column}\n`);
  pred.forEach((v, k) => ctx.stdout.write(`${k + 1},${labels[k]},${Number(v.toPrecision(6))}\n`));
  if (o.plot) {
    const n = series.values.length;
    const show = Math.min(n, Math.max(4 * o.steps, 48));
    const xs = Array.from({ length: show }, (_, i) => n - show + i);
    const all = [...series.labels, ...labels];
    // year ticks over the rows shown (their indices offset by the hidden start)
    const years = yearTicks(all.slice(n - show));
    writeOutput(
      o.plot,
      lineChartSvg({
        title: `${column}: forecast of the next ${o.steps} values`,
        xTicks: years?.ticks.map((t) => t + n - show),
        xTickFormat: years ? (x) => years.format(x - (n - show)) : (x) => all[Math.round(x)] ?? '',
        xInteger: true,
        shade: { from: n - 0.5, to: n + o.steps - 0.5, label: 'forecast' },
        series: [
          { label: 'data', x: xs, y: xs.map((i) => series.values[i]), color: '#222222' },
          { label: 'forecast', x: [n - 1, ...pred.map((_, k) => n + k)], y: [series.values[n - 1], ...pred], color: '#d62728' },
        ],
      }),
    );
    ctx.stderr.write(`plot written to ${o.plot}\n`);
  }
}

/** The `forecast` subcommand. */
export const forecastCmd: CliCommand = {
  name: 'forecast',
  register(program: Command, ctx: CliContext) {
    program
      .command('forecast')
      .description('forecast the next values of a series with a checkpoint from train-forecast (CSV on stdout)')
      .requiredOption('--model <file>', 'checkpoint written by train-forecast (.safetensors)')
      .requiredOption('--csv <file>', 'CSV file holding the history')
      .option('--column <name>', "the series' column (default: the one the model was trained on)")
      .requiredOption('--steps <n>', 'how many values to forecast', positiveInt)
      .option('--plot <file.svg>', 'also write an SVG plot of the recent history and the forecast')
      .addHelpText('after', '\nExample:\n  torchlet forecast --model airline.safetensors --csv examples/data/airline-passengers.csv --steps 24 --plot next.svg')
      .action((o: ForecastOptions) => forecastCommand(o, ctx));
  },
};
