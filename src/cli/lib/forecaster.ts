/**
 * An LSTM forecaster for one univariate series, shared by `npm run demo` and
 * `torchlet train-forecast` / `torchlet forecast`.
 *
 * Representation: the series is optionally log-transformed (z = log y, the default for a
 * positive series, so multiplicative seasonality becomes additive), then each window of `window`
 * values is expressed relative to its last value and divided by `scale` (the standard deviation
 * of z's month-to-month changes). The model maps that window to the next `horizon` values on the
 * same relative scale. Being level-free, it extrapolates past the range seen in training, which a
 * model of raw scaled values cannot do on a trending series. Longer forecasts feed predictions
 * back in, `horizon` values at a time.
 */
import * as torch from '../../index.js';
import { CliError } from './errors.js';
import { modelFromCheckpoint } from './checkpoint.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;

/** How the series is transformed before windowing. */
export type Transform = 'log' | 'none';

/** The model's configuration, saved with a checkpoint. */
export interface ForecastConfig {
  /** Name of the series (the CSV column). */
  column: string;
  window: number;
  horizon: number;
  hidden: number;
  layers: number;
  dropout: number;
  transform: Transform;
  /** Divisor of the relative values (fitted on the training part). */
  scale: number;
}

/**
 * `nn.LSTM` (batch first, one input feature) + `nn.Linear` on the last step, `horizon` outputs.
 * @example const m = new ForecastModel(cfg); m.forward(torch.zeros(8, cfg.window)).shape // [8, cfg.horizon]
 */
export class ForecastModel extends nn.Module {
  lstm: torch.nn.LSTM;
  head: torch.nn.Linear;
  constructor(readonly cfg: ForecastConfig) {
    super();
    this.lstm = new nn.LSTM(1, cfg.hidden, { numLayers: cfg.layers, batchFirst: true, dropout: cfg.layers > 1 ? cfg.dropout : 0 });
    this.head = new nn.Linear(cfg.hidden, cfg.horizon);
  }
  /** `x`: [B, window] relative values -> [B, horizon]. */
  override forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(x.unsqueeze(2));
    return this.head.forward(out.select(1, -1));
  }
}

/** Applies the transform (log requires positive values). */
export function transformSeries(values: readonly number[], t: Transform): number[] {
  if (t === 'log') {
    const bad = values.findIndex((v) => !(v > 0));
    if (bad >= 0) throw new CliError(`--transform log needs positive values, but value ${bad + 1} is ${values[bad]}; use --transform none`);
    return values.map(Math.log);
  }
  return [...values];
}

/** Inverse of {@link transformSeries}. */
export function untransform(z: number, t: Transform): number {
  return t === 'log' ? Math.exp(z) : z;
}

/** `log` for a positive series, else `none`. */
export function autoTransform(values: readonly number[]): Transform {
  return values.every((v) => v > 0) ? 'log' : 'none';
}

/** Standard deviation of the first differences (the relative-value scale); 1 when degenerate. */
export function diffScale(z: readonly number[]): number {
  const d = z.slice(1).map((v, i) => v - z[i]);
  if (d.length < 2) return 1;
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  return sd > 1e-12 ? sd : 1;
}

/** Windows as flat arrays: `x` [n, window], `y` [n, horizon], and each window's start index. */
export interface Windows {
  x: Float32Array;
  y: Float32Array;
  starts: number[];
}

/** Cuts windows starting at each index in `starts` (relative to the window's last value, divided by scale). */
export function makeWindows(z: readonly number[], starts: readonly number[], cfg: Pick<ForecastConfig, 'window' | 'horizon' | 'scale'>): Windows {
  const { window: W, horizon: H, scale } = cfg;
  const x = new Float32Array(starts.length * W);
  const y = new Float32Array(starts.length * H);
  starts.forEach((s, n) => {
    const last = z[s + W - 1];
    for (let j = 0; j < W; j++) x[n * W + j] = (z[s + j] - last) / scale;
    for (let k = 0; k < H; k++) y[n * H + k] = (z[s + W + k] - last) / scale;
  });
  return { x, y, starts: [...starts] };
}

/** Root mean squared error. */
export function rmse(pred: readonly number[], truth: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (pred[i] - truth[i]) ** 2;
  return Math.sqrt(s / truth.length);
}

/**
 * Seasonal-naive forecast: each future value is the value one season earlier, repeating the
 * last observed season for horizons beyond it.
 */
export function seasonalNaive(history: readonly number[], steps: number, period = 12): number[] {
  const n = history.length;
  return Array.from({ length: steps }, (_, h) => history[n - period + (h % period)]);
}

/**
 * RMSE of a baseline on the validation windows that a model is scored on: each window's `horizon`
 * targets forecast from the values before them, by the seasonal-naive method (the value one
 * `period` earlier, the last observed season repeated) when `period` is given, else the naive one
 * (the last value repeated; also for a window with less than one season before it).
 * @example baselineRmse(values, result.valStarts, 24, 12, 12)
 */
export function baselineRmse(values: readonly number[], starts: readonly number[], window: number, horizon: number, period: number | null): number {
  const pred: number[] = [];
  const truth: number[] = [];
  for (const s of starts) {
    const history = values.slice(0, s + window);
    const f = period && history.length >= period ? seasonalNaive(history, horizon, period) : Array.from({ length: horizon }, () => history[history.length - 1]);
    pred.push(...f);
    truth.push(...values.slice(s + window, s + window + horizon));
  }
  return rmse(pred, truth);
}

/** Predicts `steps` values after `history` (original units), feeding predictions back in. */
export function forecast(model: ForecastModel, history: readonly number[], steps: number): number[] {
  const cfg = model.cfg;
  if (history.length < cfg.window) throw new CliError(`the series has ${history.length} values, the model needs at least --window ${cfg.window}`);
  const z = transformSeries(history, cfg.transform);
  const out: number[] = [];
  model.eval();
  torch.noGrad(() => {
    while (out.length < steps) {
      const last = z[z.length - 1];
      const xs = z.slice(z.length - cfg.window).map((v) => (v - last) / cfg.scale);
      const pred = model.forward(torch.tensor([xs])).dataSync();
      for (let k = 0; k < cfg.horizon && out.length < steps; k++) {
        const zz = last + pred[k] * cfg.scale;
        z.push(zz);
        out.push(untransform(zz, cfg.transform));
      }
    }
  });
  return out;
}

/** One-step-ahead in-sample fit: the first predicted value of every window, at its position. */
export function oneStepFit(model: ForecastModel, values: readonly number[]): { x: number[]; y: number[] } {
  const cfg = model.cfg;
  const z = transformSeries(values, cfg.transform);
  const starts = Array.from({ length: Math.max(0, z.length - cfg.window) }, (_, i) => i);
  if (starts.length === 0) return { x: [], y: [] };
  const W = cfg.window;
  const x = new Float32Array(starts.length * W);
  starts.forEach((s, n) => {
    for (let j = 0; j < W; j++) x[n * W + j] = (z[s + j] - z[s + W - 1]) / cfg.scale;
  });
  model.eval();
  const pred = torch.noGrad(() => model.forward(torch.tensor(x).view(starts.length, W)).dataSync());
  const H = cfg.horizon;
  return {
    x: starts.map((s) => s + W),
    y: starts.map((s, n) => untransform(z[s + W - 1] + pred[n * H] * cfg.scale, cfg.transform)),
  };
}

/** Training options. */
export interface TrainOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  /** Fraction of the series (its end) whose windows validate. */
  valSplit: number;
  seed: number;
  /** Stop after this many epochs without a better validation metric (0: never). */
  patience: number;
  /**
   * The validation metric that picks the best epoch and stops early: `'loss'` (default), the
   * training loss's MSE on the validation windows, so it is plotted beside the training loss in one
   * unit; or `'rmse'`, the RMSE of the forecasts in the series' units.
   */
  monitor?: 'loss' | 'rmse';
  /** Called after each epoch; may be async (the loop awaits it). */
  onEpoch?: (r: { epoch: number; loss: number; valLoss: number; val: number; steps: number; best: boolean }) => void | Promise<void>;
}

/** What {@link trainForecaster} returns. */
export interface TrainResult {
  model: ForecastModel;
  /** Mean training loss per epoch (MSE on the relative scale). */
  losses: number[];
  /** Validation loss per epoch (the training loss's MSE, on validation windows). */
  valLosses: number[];
  /** Validation RMSE per epoch (original units). */
  valRmse: number[];
  bestEpoch: number;
  /** Validation RMSE at the best epoch (NaN without validation). */
  bestValRmse: number;
  /** Validation loss at the best epoch (NaN without validation). */
  bestValLoss: number;
  stoppedEarly: boolean;
  trainWindows: number;
  valWindows: number;
  /** Start index of each validation window (its targets are `values[s + window .. s + window + horizon - 1]`). */
  valStarts: number[];
}

/**
 * Splits, windows and trains; keeps the weights of the epoch with the best validation metric
 * (`monitor`). Windows whose targets end before the split train; windows whose targets start at
 * or after it validate (the `horizon - 1` windows that straddle it are left out, so no target is
 * seen twice). A training loss that is not finite stops training with an error (a diverged run:
 * the learning rate is too high).
 */
export async function trainForecaster(values: readonly number[], arch: Omit<ForecastConfig, 'scale' | 'transform'> & { transform?: Transform }, o: TrainOptions): Promise<TrainResult> {
  const { window: W, horizon: H } = arch;
  const transform = arch.transform ?? autoTransform(values);
  const z = transformSeries(values, transform);
  const split = z.length - Math.round(z.length * o.valSplit);
  const trainStarts: number[] = [];
  const valStarts: number[] = [];
  for (let s = 0; s + W + H <= z.length; s++) {
    if (s + W + H <= split) trainStarts.push(s);
    else if (s + W >= split) valStarts.push(s);
  }
  if (trainStarts.length === 0 || (o.valSplit > 0 && valStarts.length === 0)) {
    throw new CliError(
      `not enough data: ${values.length} values give ${trainStarts.length} training and ${valStarts.length} validation windows with --window ${W} --horizon ${H} --val-split ${o.valSplit}; use a shorter window or horizon, or a different --val-split`,
    );
  }
  const cfg: ForecastConfig = { ...arch, transform, scale: diffScale(z.slice(0, split)) };
  torch.manualSeed(o.seed);
  const model = new ForecastModel(cfg);
  const tr = makeWindows(z, trainStarts, cfg);
  const va = makeWindows(z, valStarts, cfg);
  const X = torch.tensor(tr.x).view(trainStarts.length, W);
  const Y = torch.tensor(tr.y).view(trainStarts.length, H);
  const Xv = valStarts.length ? torch.tensor(va.x).view(valStarts.length, W) : null;
  const Yv = valStarts.length ? torch.tensor(va.y).view(valStarts.length, H) : null;
  const truthV = valStarts.flatMap((s) => values.slice(s + W, s + W + H));
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const criterion = new nn.MSELoss();
  const losses: number[] = [];
  const valRmse: number[] = [];
  const valLosses: number[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestState: Record<string, Tensor> = cloneState(model);
  let steps = 0;
  let stoppedEarly = false;
  const n = trainStarts.length;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const perm = torch.randperm(n);
    let sum = 0;
    for (let b = 0; b < n; b += o.batchSize) {
      const idx = perm.narrow(0, b, Math.min(o.batchSize, n - b));
      opt.zeroGrad();
      const loss = criterion.forward(model.forward(X.indexSelect(0, idx)), Y.indexSelect(0, idx));
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1.0);
      opt.step();
      sum += loss.item() * idx.shape[0];
      steps++;
    }
    losses.push(sum / n);
    if (!Number.isFinite(sum / n)) throw new CliError(`training diverged at epoch ${epoch}: loss is ${sum / n}; nothing was saved (try a smaller --lr)`);
    let v = NaN;
    let vl = NaN;
    if (Xv && Yv) {
      model.eval();
      const out = torch.noGrad(() => model.forward(Xv));
      vl = criterion.forward(out, Yv).item();
      const p = out.dataSync();
      const pred = valStarts.flatMap((s, i) => Array.from({ length: H }, (_, k) => untransform(z[s + W - 1] + p[i * H + k] * cfg.scale, transform)));
      v = rmse(pred, truthV);
    }
    valRmse.push(v);
    valLosses.push(vl);
    const metric = Xv ? (o.monitor === 'rmse' ? v : vl) : losses[losses.length - 1];
    const improved = metric < best;
    if (improved) {
      best = metric;
      bestEpoch = epoch;
      bestState = cloneState(model);
    }
    await o.onEpoch?.({ epoch, loss: losses[losses.length - 1], valLoss: vl, val: v, steps, best: improved });
    if (o.patience > 0 && epoch - bestEpoch >= o.patience) {
      stoppedEarly = true;
      break;
    }
  }
  model.loadStateDict(bestState);
  model.eval();
  const at = (v: number[]): number => (Xv && bestEpoch > 0 ? v[bestEpoch - 1] : NaN);
  return { model, losses, valLosses, valRmse, bestEpoch, bestValRmse: at(valRmse), bestValLoss: at(valLosses), stoppedEarly, trainWindows: trainStarts.length, valWindows: valStarts.length, valStarts };
}

/** A detached copy of a module's state dict (for keeping the best epoch's weights). */
export function cloneState(m: torch.nn.Module): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(m.stateDict())) out[k] = t.detach().clone();
  return out;
}

/** Safetensors metadata of a forecaster checkpoint. */
export function forecastMetadata(cfg: ForecastConfig, extra: Record<string, unknown> = {}): Record<string, string> {
  return { format: 'torchlet-forecast', config: JSON.stringify(cfg), training: JSON.stringify(extra) };
}

/** Rebuilds a forecaster from checkpoint metadata + tensors. */
export function forecasterFromCheckpoint(meta: Record<string, string> | null, tensors: Record<string, Tensor>, file: string): ForecastModel {
  return modelFromCheckpoint<ForecastConfig, ForecastModel>(meta, tensors, file, { format: 'torchlet-forecast', what: 'forecaster', writer: 'train-forecast', build: (c) => new ForecastModel(c) });
}
