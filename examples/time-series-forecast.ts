/**
 * Time-series forecasting with an LSTM: the monthly airline passengers series (Box & Jenkins,
 * series G, 1949-1960, in thousands; examples/data/airline-passengers.csv).
 *
 * The pipeline: log, then the change from the same month a year earlier (the yearly growth rate,
 * Box & Jenkins' own transform for this series), min-max scaling fitted on the training months
 * only, windows of 12 growth rates -> the next one, and an LSTM with a Linear head on the last
 * step. The last 24 months (1959-1960) are held out; each test month is forecast one step ahead
 * from the months before it, as `value 12 months earlier * exp(predicted growth)`. The baseline is
 * the seasonal naive forecast, the value 12 months earlier (growth 0).
 *
 * Most of the LSTM's gain over that baseline is the trend: forecasting every test month with the
 * training months' average growth gives an RMSE of about 15.9, and the LSTM ends near it.
 *
 * Run: npx tsx examples/time-series-forecast.ts   (a few seconds)
 * It prints the training loss and test RMSE every 10 epochs, then the RMSE of the LSTM beside
 * the seasonal naive baseline and a few forecast months.
 *
 * PyTorch (1.13), run from the repository root:
 * ```python
 * import torch
 * import torch.nn as nn
 *
 * torch.manual_seed(0)
 *
 * # Monthly international airline passengers (thousands), 1949-01 .. 1960-12.
 * rows = open('examples/data/airline-passengers.csv').read().strip().split('\n')[1:]
 * series = torch.tensor([float(r.split(',')[1]) for r in rows])
 * TEST, WINDOW = 24, 12
 *
 * # Box & Jenkins' transform for this series: log, then the change from 12 months earlier
 * # (the yearly growth rate). Min-max scaling is fitted on the training months only.
 * growth = series.log()[12:] - series.log()[:-12]  # growth[k] belongs to month k + 12
 * lo, hi = growth[:-TEST].min(), growth[:-TEST].max()
 * scaled = (growth - lo) / (hi - lo)
 *
 * # Windows: the last 12 scaled growth rates -> the next one. The last 24 targets are the test months.
 * x = torch.stack([scaled[i - WINDOW:i] for i in range(WINDOW, len(scaled))]).unsqueeze(-1)
 * y = scaled[WINDOW:]
 * x_train, y_train, x_test = x[:-TEST], y[:-TEST], x[-TEST:]
 * print(f'{len(series)} months; {len(x_train)} training windows; testing on the last {TEST} months')
 *
 * class Forecaster(nn.Module):
 *     def __init__(self, hidden_size):
 *         super().__init__()
 *         self.lstm = nn.LSTM(1, hidden_size, batch_first=True)
 *         self.fc = nn.Linear(hidden_size, 1)
 *
 *     def forward(self, x):
 *         out, _ = self.lstm(x)
 *         return self.fc(out[:, -1, :]).squeeze(-1)
 *
 * def rmse(a, b):
 *     return ((a - b) ** 2).mean().sqrt().item()
 *
 * actual = series[-TEST:]
 * last_year = series[-TEST - 12:-12]
 * baseline = rmse(last_year, actual)  # seasonal naive: the value 12 months earlier
 *
 * model = Forecaster(32)
 * criterion = nn.MSELoss()
 * optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
 * for epoch in range(100):
 *     perm = torch.randperm(len(x_train))
 *     total = 0.0
 *     for i in range(0, len(x_train), 16):
 *         idx = perm[i:i + 16]
 *         optimizer.zero_grad()
 *         loss = criterion(model(x_train[idx]), y_train[idx])
 *         loss.backward()
 *         optimizer.step()
 *         total += loss.item() * len(idx)
 *     if (epoch + 1) % 10 == 0:
 *         with torch.no_grad():
 *             forecast = last_year * (model(x_test) * (hi - lo) + lo).exp()
 *         print(f'epoch {epoch + 1}: train loss {total / len(x_train):.5f}  test RMSE {rmse(forecast, actual):.2f}')
 *
 * with torch.no_grad():
 *     forecast = last_year * (model(x_test) * (hi - lo) + lo).exp()
 * print(f'test RMSE, last {TEST} months (thousands of passengers): LSTM {rmse(forecast, actual):.2f}  seasonal naive {baseline:.2f}')
 * for m in range(TEST - 12, TEST, 3):
 *     print(f'  {rows[len(rows) - TEST + m].split(",")[0]}: actual {actual[m]:.0f}  LSTM {forecast[m]:.0f}  naive {last_year[m]:.0f}')
 * ```
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;

/** Settings of {@link main}; the defaults are the program above. */
export interface TimeSeriesForecastOptions {
  /** Training epochs (default 100). */
  epochs?: number;
  /** LSTM hidden size (default 32). */
  hiddenSize?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link main} measured. */
export interface TimeSeriesForecastResult {
  /** Mean training loss of each epoch. */
  losses: number[];
  /** RMSE of the LSTM's forecasts over the test months, in thousands of passengers. */
  testRmse: number;
  /** RMSE of the seasonal naive forecast (the value 12 months earlier). */
  baselineRmse: number;
}

class Forecaster extends nn.Module {
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;

  constructor(hiddenSize: number) {
    super();
    this.lstm = new nn.LSTM(1, hiddenSize, { batchFirst: true });
    this.fc = new nn.Linear(hiddenSize, 1);
  }

  override forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(x);
    return this.fc.forward(out.select(1, -1)).squeeze(-1); // out[:, -1, :]
  }
}

function rmse(a: Tensor, b: Tensor): number {
  return a.sub(b).pow(2).mean().sqrt().item();
}

/** Reads the series, trains, prints progress and returns the losses and both RMSEs. */
export function main(opts: TimeSeriesForecastOptions = {}): TimeSeriesForecastResult {
  const epochs = opts.epochs ?? 100;
  const log = opts.log ?? console.log;
  torch.manualSeed(0);

  // Monthly international airline passengers (thousands), 1949-01 .. 1960-12.
  const csv = readFileSync(new URL('./data/airline-passengers.csv', import.meta.url), 'utf8');
  const rows = csv.trim().split('\n').slice(1);
  const series = torch.tensor(rows.map((r) => Number(r.split(',')[1])), { dtype: 'float32' }); // JS numbers 112, 118, ... would give int64
  const TEST = 24;
  const WINDOW = 12;

  // Box & Jenkins' transform for this series: log, then the change from 12 months earlier
  // (the yearly growth rate). Min-max scaling is fitted on the training months only.
  const growth = series.log().index('12:').sub(series.log().index(':-12')); // growth[k] belongs to month k + 12
  const [lo, hi] = [growth.index(`:${-TEST}`).min(), growth.index(`:${-TEST}`).max()];
  const scaled = growth.sub(lo).div(hi.sub(lo));

  // Windows: the last 12 scaled growth rates -> the next one. The last 24 targets are the test months.
  const windows: Tensor[] = [];
  for (let i = WINDOW; i < scaled.size(0); i++) windows.push(scaled.index(`${i - WINDOW}:${i}`));
  const x = torch.stack(windows).unsqueeze(-1);
  const y = scaled.index(`${WINDOW}:`);
  const [xTrain, yTrain, xTest] = [x.index(`:${-TEST}`), y.index(`:${-TEST}`), x.index(`${-TEST}:`)];
  log(`${series.size(0)} months; ${xTrain.size(0)} training windows; testing on the last ${TEST} months`);

  const actual = series.index(`${-TEST}:`);
  const lastYear = series.index(`${-TEST - 12}:-12`);
  const baseline = rmse(lastYear, actual); // seasonal naive: the value 12 months earlier

  const model = new Forecaster(opts.hiddenSize ?? 32);
  const criterion = new nn.MSELoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const predict = (): Tensor => torch.noGrad(() => lastYear.mul(model.forward(xTest).mul(hi.sub(lo)).add(lo).exp()));
  const losses: number[] = [];
  const nTrain = xTrain.size(0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = torch.randperm(nTrain);
    let total = 0;
    for (let i = 0; i < nTrain; i += 16) {
      const idx = perm.index(`${i}:${i + 16}`);
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(xTrain.index(idx)), yTrain.index(idx));
      loss.backward();
      optimizer.step();
      total += loss.item() * idx.size(0);
    }
    losses.push(total / nTrain);
    if ((epoch + 1) % 10 === 0) {
      log(`epoch ${epoch + 1}: train loss ${(total / nTrain).toFixed(5)}  test RMSE ${rmse(predict(), actual).toFixed(2)}`);
    }
  }

  const forecast = predict();
  const testRmse = rmse(forecast, actual);
  log(`test RMSE, last ${TEST} months (thousands of passengers): LSTM ${testRmse.toFixed(2)}  seasonal naive ${baseline.toFixed(2)}`);
  for (let m = TEST - 12; m < TEST; m += 3) {
    const month = rows[rows.length - TEST + m]!.split(',')[0];
    const [a, f, n] = [actual, forecast, lastYear].map((t) => t.index(m).item().toFixed(0));
    log(`  ${month}: actual ${a}  LSTM ${f}  naive ${n}`);
  }
  return { losses, testRmse, baselineRmse: baseline };
}

// Run main() when this file is the program (not when a test imports it).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
