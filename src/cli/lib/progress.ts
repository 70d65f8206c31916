/**
 * Training progress: a live bar on a terminal (cli-progress), plain periodic lines otherwise
 * (CI logs, pipes, tests), and a small terminal chart (asciichart).
 */
import cliProgress from 'cli-progress';
import * as asciichart from 'asciichart';

/** Where command output goes: `process.stdout` or a test's buffer. */
export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The numbers shown for one epoch. */
export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  /** Validation metric (or NaN when there is none). */
  val: number;
  /** Optimizer steps taken so far. */
  steps: number;
}

/** Options of {@link TrainingProgress}. */
export interface ProgressOptions {
  stream: OutStream;
  totalEpochs: number;
  /** Label of the validation metric, e.g. `val RMSE`. */
  valLabel: string;
  /** Label of the training loss (default `loss`), e.g. `train bits/char` to match the validation's unit. */
  lossLabel?: string;
  /** Plain mode: print every this many epochs (default: a tenth of the run). */
  every?: number;
}

const num = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)) : '-');

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

/**
 * Epoch progress: epoch, loss, validation metric, optimizer steps per second and ETA.
 * @example const p = new TrainingProgress({ stream: process.stdout, totalEpochs: 100, valLabel: 'val RMSE' }); p.update({ epoch: 1, loss: 0.5, val: 12, steps: 8 }); p.stop();
 */
export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar | null;
  private readonly start = performance.now();
  private readonly every: number;
  private last: EpochReport | null = null;

  constructor(private readonly o: ProgressOptions) {
    this.every = o.every ?? Math.max(1, Math.round(o.totalEpochs / 10));
    if (o.stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `epoch {value}/{total} {bar} ${o.lossLabel ?? 'loss'} {loss} | ${o.valLabel} {val} | {speed} it/s | ETA {remaining}`,
          stream: o.stream as NodeJS.WritableStream,
          barsize: 24,
          hideCursor: true,
          etaBuffer: 20,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(o.totalEpochs, 0, { loss: '-', val: '-', speed: '-', remaining: '?' });
    } else {
      this.bar = null;
    }
  }

  private line(r: EpochReport, speed: number, eta: number): string {
    return `epoch ${r.epoch}/${this.o.totalEpochs}  ${this.o.lossLabel ?? 'loss'} ${num(r.loss)}  ${this.o.valLabel} ${num(r.val)}  ${speed.toFixed(1)} it/s  ETA ${duration(eta)}`;
  }

  /** Reports a finished epoch. */
  update(r: EpochReport): void {
    this.last = r;
    const secs = (performance.now() - this.start) / 1000;
    const speed = r.steps / Math.max(secs, 1e-9);
    const eta = (secs / r.epoch) * (this.o.totalEpochs - r.epoch);
    if (this.bar) this.bar.update(r.epoch, { loss: num(r.loss), val: num(r.val), speed: speed.toFixed(1), remaining: duration(eta) });
    else if (r.epoch % this.every === 0 || r.epoch === 1 || r.epoch === this.o.totalEpochs) this.o.stream.write(this.line(r, speed, eta) + '\n');
  }

  /** Prints a message above the bar (or as a line). */
  log(msg: string): void {
    if (this.bar) {
      this.o.stream.write('\r\x1b[K' + msg + '\n');
      this.bar.render();
    } else this.o.stream.write(msg + '\n');
  }

  /** Ends the bar; `reason` (e.g. early stopping) is printed after it. */
  stop(reason?: string): void {
    if (this.bar) {
      this.bar.stop();
    } else if (this.last && this.last.epoch % this.every !== 0 && this.last.epoch !== 1 && this.last.epoch !== this.o.totalEpochs) {
      const secs = (performance.now() - this.start) / 1000;
      this.o.stream.write(this.line(this.last, this.last.steps / Math.max(secs, 1e-9), 0) + '\n');
    }
    if (reason) this.o.stream.write(reason + '\n');
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }
}

/** Evenly subsamples a series to at most `n` points (asciichart draws one column per point). */
export function resample(v: readonly number[], n: number): number[] {
  if (v.length <= n) return [...v];
  return Array.from({ length: n }, (_, i) => v[Math.round((i * (v.length - 1)) / (n - 1))]);
}

/** Linearly interpolates a short series to `n` points. */
export function stretch(v: readonly number[], n: number): number[] {
  if (v.length < 2) return [...v];
  return Array.from({ length: n }, (_, i) => {
    const t = (i * (v.length - 1)) / (n - 1);
    const k = Math.min(Math.floor(t), v.length - 2);
    return v[k] + (v[k + 1] - v[k]) * (t - k);
  });
}

/**
 * A small terminal line chart of one or more series (same length), coloured on a terminal. Series
 * with a value that is not finite (no validation, a diverged run) are left out; with none left
 * the chart is empty.
 * @example console.log(terminalChart([[1, 3, 2]], { height: 5, tty: false }));
 */
export function terminalChart(series: readonly (readonly number[])[], o: { height?: number; width?: number; tty?: boolean; decimals?: number } = {}): string {
  const width = o.width ?? 72;
  const data = series.filter((s) => s.length > 0 && s.every(Number.isFinite)).map((s) => (s.length >= width ? resample(s, width) : stretch(s, width)));
  if (data.length === 0) return '';
  const colors = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta];
  const dec = o.decimals ?? 2;
  return asciichart.plot(data, {
    height: o.height ?? 10,
    colors: o.tty ? data.map((_, i) => colors[i % colors.length]) : undefined,
    format: (x: number) => x.toFixed(dec).padStart(9),
  });
}
