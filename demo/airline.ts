/**
 * `npm run demo`: an LSTM learns the monthly airline passenger series (Box & Jenkins series G,
 * 1949-1960), holding out the last 24 months, and is compared with the seasonal-naive forecast.
 *
 * Run: npm run demo [-- --epochs 200 --seed 0 --out-dir demo-output]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as asciichart from 'asciichart';
import { Command, InvalidArgumentError } from 'commander';
import { readSeries } from '../src/cli/lib/csv.js';
import { forecast, oneStepFit, rmse, seasonalNaive, trainForecaster } from '../src/cli/lib/forecaster.js';
import { TrainingProgress, terminalChart } from '../src/cli/lib/progress.js';
import { lineChartSvg } from '../src/cli/lib/svg-plot.js';

const here = dirname(fileURLToPath(import.meta.url));
const posInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const program = new Command('npm run demo')
  .description('Train an LSTM on the airline passenger series and forecast the last 24 months.')
  .option('--epochs <n>', 'training epochs', posInt, 200)
  .option('--seed <n>', 'random seed', (v) => Number(v), 0)
  .option('--out-dir <dir>', 'where the plots go', 'demo-output')
  .showHelpAfterError();
const opts = program.parse().opts<{ epochs: number; seed: number; outDir: string }>();

const out = process.stdout;
const tty = Boolean(out.isTTY);
const bold = (s: string): string => (tty ? `\x1b[1m${s}\x1b[22m` : s);
const HOLDOUT = 24;

const series = readSeries(join(here, '..', 'examples', 'data', 'airline-passengers.csv'), 'passengers');
const train = series.values.slice(0, -HOLDOUT);
const test = series.values.slice(-HOLDOUT);
const label = (i: number): string => series.labels[Math.round(i)] ?? '';
const arch = { column: 'passengers', window: 24, horizon: 12, hidden: 48, layers: 2, dropout: 0 };

out.write(`${bold('torchlet demo')}: monthly airline passengers (thousands), ${label(0)} to ${label(series.values.length - 1)}\n`);
out.write(`training on ${label(0)}..${label(train.length - 1)} (${train.length} months), holding out ${label(train.length)}..${label(series.values.length - 1)} (${HOLDOUT} months)\n`);
out.write(`model: nn.LSTM(1, ${arch.hidden}, num_layers=${arch.layers}) + nn.Linear(${arch.hidden}, ${arch.horizon}) on log values relative to the window's last; window ${arch.window}, Adam lr 5e-3, seed ${opts.seed}\n\n`);

const progress = new TrainingProgress({ stream: out, totalEpochs: opts.epochs, valLabel: 'val RMSE' });
const result = await trainForecaster(train, arch, {
  epochs: opts.epochs,
  lr: 5e-3,
  batchSize: 16,
  valSplit: 0.2,
  seed: opts.seed,
  patience: 0,
  onEpoch: (r) => progress.update(r),
});
progress.stop();
const seconds = progress.elapsed();

const pred = forecast(result.model, train, HOLDOUT);
const naiveOrigin = seasonalNaive(train, HOLDOUT);
const naiveLastYear = test.map((_, h) => series.values[train.length + h - 12]);
const rows: [string, number][] = [
  ['LSTM (24 months ahead from ' + label(train.length - 1) + ')', rmse(pred, test)],
  ["seasonal naive: last year's actual value", rmse(naiveLastYear, test)],
  ['seasonal naive: ' + label(train.length - 1).slice(0, 4) + ' repeated', rmse(naiveOrigin, test)],
];
out.write(`\ntrained ${result.losses.length} epochs in ${seconds.toFixed(1)} s; best validation RMSE ${result.bestValRmse.toFixed(2)} at epoch ${result.bestEpoch} (weights kept)\n\n`);
out.write(bold(`test RMSE on ${label(train.length)}..${label(series.values.length - 1)} (thousands of passengers)`) + '\n');
for (const [name, v] of rows) out.write(`  ${name.padEnd(44)} ${v.toFixed(2).padStart(7)}\n`);
const beats = rows[0][1] < rows[1][1] && rows[0][1] < rows[2][1];
out.write(beats ? `the LSTM beats the seasonal-naive baseline (${((1 - rows[0][1] / rows[1][1]) * 100).toFixed(0)}% lower RMSE)\n` : 'the LSTM did NOT beat the seasonal-naive baseline\n');

// plots
const dir = resolve(opts.outDir);
mkdirSync(dir, { recursive: true });
const idx = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const fit = oneStepFit(result.model, train);
const forecastSvg = lineChartSvg({
  title: 'Airline passengers: LSTM forecast of the held-out 24 months',
  yLabel: 'passengers (thousands)',
  xTicks: idx(0, series.values.length / 12).map((y) => y * 12),
  xTickFormat: (x) => label(x).slice(0, 4),
  shade: { from: train.length - 0.5, to: series.values.length - 0.5, label: 'held out' },
  series: [
    { label: 'history (training data)', x: idx(0, train.length), y: train, color: '#222222' },
    { label: 'one-step fit', x: fit.x, y: fit.y, color: '#ff7f0e', strokeWidth: 1.5 },
    { label: 'held-out truth', x: idx(train.length, HOLDOUT), y: test, color: '#222222', dashed: true },
    { label: 'seasonal naive (last year)', x: idx(train.length, HOLDOUT), y: naiveLastYear, color: '#999999', dashed: true, strokeWidth: 1.5 },
    { label: `LSTM forecast (RMSE ${rows[0][1].toFixed(1)})`, x: idx(train.length - 1, HOLDOUT + 1), y: [train[train.length - 1], ...pred], color: '#d62728', strokeWidth: 2.5 },
  ],
});
const epochs = idx(1, result.losses.length);
const lossSvg = lineChartSvg({
  title: 'Training loss (MSE on the relative scale)',
  xLabel: 'epoch',
  yLabel: 'loss (log scale)',
  logY: true,
  legend: 'right',
  vlines: [{ x: result.bestEpoch, label: `best epoch ${result.bestEpoch}` }],
  series: [
    { label: 'training', x: epochs, y: result.losses, color: '#1f77b4' },
    { label: 'validation', x: epochs, y: result.valLosses, color: '#ff7f0e' },
  ],
});
const show = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
const forecastPath = join(dir, 'airline-forecast.svg');
const lossPath = join(dir, 'airline-loss.svg');
writeFileSync(forecastPath, forecastSvg);
writeFileSync(lossPath, lossSvg);
out.write(`\nplots written:\n  ${show(forecastPath)}  (history, fit, forecast and held-out truth)\n  ${show(lossPath)}  (loss curves)\n`);

const legend = tty ? `held-out truth (${asciichart.blue}blue${asciichart.reset}) and LSTM forecast (${asciichart.red}red${asciichart.reset})` : 'held-out truth and LSTM forecast (coloured on a terminal)';
out.write(`\n${bold(`${label(train.length)}..${label(series.values.length - 1)}`)}: ${legend}\n`);
out.write(terminalChart([test, pred], { height: 12, tty, decimals: 0 }) + '\n');
