/**
 * Soak test (issue 7, item 3): trains the seed model for many steps, then runs many streaming
 * inference steps, printing resident memory (RSS) and the JS heap at intervals. Memory must level
 * off: a leak shows as RSS / heapUsed growing with the step count instead of plateauing.
 *
 *   npm run soak                                  # 20,000 training + 100,000 inference steps
 *   npm run soak -- --train 2000 --infer 20000    # a shorter run
 *   npm run soak -- --every 500 --gc              # report every 500 steps, forcing a GC first
 *
 * The seed model: LSTM(64 -> 128, 2 layers, batchFirst) + Linear(128 -> 10) on x [32, 10, 64],
 * cross-entropy, Adam(lr 1e-3). Streaming inference: an LSTMCell-sized step through the same
 * LSTM with T = 1, carrying [h, c] under `torch.noGrad`, batch 1.
 *
 * Not a CI test (it runs for a long time); the exit code is non-zero only on errors, or with
 * `--check` when the second half of a phase grows more than the allowed slack.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as torch from '../src/index.js';

const { nn, optim } = torch;

const { values: args } = parseArgs({
  options: {
    train: { type: 'string', default: '20000' },
    infer: { type: 'string', default: '100000' },
    every: { type: 'string' },
    gc: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    slack: { type: 'string', default: '64' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log('usage: npm run soak -- [--train N=20000] [--infer N=100000] [--every N] [--gc] [--check] [--slack MB=64]');
  process.exit(0);
}

function count(name: string, v: string | undefined, def: number): number {
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${String(v)}`);
    process.exit(2);
  }
  return n;
}

const trainSteps = count('train', args.train, 20000);
const inferSteps = count('infer', args.infer, 100000);
const trainEvery = count('every', args.every, Math.max(1, Math.round(trainSteps / 20)));
const inferEvery = args.every === undefined ? Math.max(1, Math.round(inferSteps / 20)) : trainEvery;
const slackMB = Number(args.slack);

// A GC before each reading makes heapUsed comparable between readings (opt-in: it costs time).
let gc: (() => void) | null = null;
if (args.gc) {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
}

const MB = 1024 * 1024;
interface Reading {
  phase: string;
  step: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}
const readings: Reading[] = [];

function report(phase: string, step: number, extra = ''): void {
  gc?.();
  const m = process.memoryUsage();
  const r: Reading = { phase, step, rss: m.rss / MB, heapUsed: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB };
  readings.push(r);
  const f = (x: number): string => x.toFixed(1).padStart(8);
  console.log(`${phase.padEnd(6)} step ${String(step).padStart(7)}  rss ${f(r.rss)} MB  heapUsed ${f(r.heapUsed)} MB  arrayBuffers ${f(r.arrayBuffers)} MB${extra}`);
}

class Seed extends nn.Module {
  lstm = new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
  fc = new nn.Linear(128, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.fc.forward(out.select(1, -1));
  }
}

torch.manualSeed(0);
const model = new Seed();
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const X = torch.randn(32, 10, 64);
const Y = torch.randint(0, 10, [32]);

console.log(`soak: ${trainSteps} training steps, ${inferSteps} streaming inference steps (node ${process.version}${gc ? ', gc before each reading' : ''})`);
report('start', 0);
const t0 = performance.now();
for (let step = 1; step <= trainSteps; step++) {
  opt.zeroGrad();
  const l = nn.functional.crossEntropy(model.forward(X), Y);
  l.backward();
  opt.step();
  const loss = l.item();
  if (step % trainEvery === 0 || step === trainSteps) {
    report('train', step, `  loss ${loss.toFixed(5)}  ${((performance.now() - t0) / step).toFixed(1)} ms/step`);
  }
}

model.eval();
const t1 = performance.now();
let state: [torch.Tensor, torch.Tensor] | undefined;
let checksum = 0;
for (let step = 1; step <= inferSteps; step++) {
  torch.noGrad(() => {
    const x = torch.randn(1, 1, 64); // batch 1, T = 1: one streaming step
    const [out, next] = model.lstm.forward(x, state);
    state = next;
    checksum += model.fc.forward(out.select(1, -1)).dataSync()[0]!;
  });
  if (step % inferEvery === 0 || step === inferSteps) {
    report('infer', step, `  ${(((performance.now() - t1) / step) * 1000).toFixed(0)} us/step`);
  }
}
report('end', trainSteps + inferSteps, `  checksum ${checksum.toFixed(3)}`);

/** Growth of a phase's readings between the middle and the end (MB): ~0 when memory levels off. */
function growth(phase: string, key: 'rss' | 'heapUsed'): number {
  const rs = readings.filter((r) => r.phase === phase);
  if (rs.length < 4) return 0;
  const mid = rs[Math.floor(rs.length / 2)]!;
  return rs[rs.length - 1]![key] - mid[key];
}

const summary = (['train', 'infer'] as const).map((p) => `${p}: rss ${growth(p, 'rss').toFixed(1)} MB, heapUsed ${growth(p, 'heapUsed').toFixed(1)} MB`);
console.log(`growth over the second half of each phase: ${summary.join('; ')}`);
if (args.check) {
  const bad = (['train', 'infer'] as const).filter((p) => growth(p, 'rss') > slackMB || growth(p, 'heapUsed') > slackMB);
  if (bad.length) {
    console.error(`memory kept growing in: ${bad.join(', ')} (slack ${slackMB} MB)`);
    process.exit(1);
  }
}
