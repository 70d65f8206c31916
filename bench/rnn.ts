/**
 * LSTM benchmark of the fused js kernels (src/ops/rnn.ts lstmLayer) against PyTorch's CPU nn.LSTM.
 * Each configuration is a 2-layer stack (layer 0: I -> H, layer 1: H -> H), float32, time-major:
 *   small  I=64,  H=128, T=10,  B=32   forward (no grad) and forward+backward (y.sum())
 *   large  I=256, H=512, T=100, B=64   forward (no grad) only
 * Times are medians after warm-up. PyTorch runs in an inline /usr/bin/python3 script with
 * torch.set_num_threads(1) and (2); the ratio column is ours / PyTorch (lower is better).
 *
 * Run: npx tsx bench/rnn.ts            (set BENCH_QUICK=1 for fewer repetitions)
 */
import { execFileSync } from 'node:child_process';
import * as torch from '../src/index.js';
import { lstmLayer } from '../src/ops/rnn.js';

const QUICK = process.env.BENCH_QUICK === '1';

interface Config {
  name: string;
  I: number;
  H: number;
  T: number;
  B: number;
  backward: boolean;
  warmup: number;
  runs: number;
}

const CONFIGS: Config[] = [
  { name: 'small I=64 H=128 T=10 B=32', I: 64, H: 128, T: 10, B: 32, backward: true, warmup: QUICK ? 1 : 5, runs: QUICK ? 3 : 21 },
  { name: 'large I=256 H=512 T=100 B=64', I: 256, H: 512, T: 100, B: 64, backward: false, warmup: 1, runs: QUICK ? 1 : 3 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function timeIt(fn: () => void, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Median ms of ours: [forward, forward+backward or NaN]. */
function timeOurs(c: Config): [number, number] {
  torch.manualSeed(0);
  const k = 1 / Math.sqrt(c.H);
  const param = (...s: number[]): torch.Tensor => torch.rand(s).mul(2 * k).sub(k).requiresGrad_();
  const layers = [c.I, c.H].map((inSize) => ({
    wIh: param(4 * c.H, inSize),
    wHh: param(4 * c.H, c.H),
    bIh: param(4 * c.H),
    bHh: param(4 * c.H),
  }));
  const x = torch.randn(c.T, c.B, c.I);
  const h0 = torch.zeros(c.B, c.H);
  const c0 = torch.zeros(c.B, c.H);
  const forward = (): torch.Tensor => {
    let y = x;
    for (const l of layers) [y] = lstmLayer(y, h0, c0, l.wIh, l.wHh, l.bIh, l.bHh);
    return y;
  };
  const fwd = timeIt(() => void torch.noGrad(forward), c.warmup, c.runs);
  const both = c.backward
    ? timeIt(() => {
        for (const l of layers) for (const p of Object.values(l)) p.grad = null;
        forward().sum().backward();
      }, c.warmup, c.runs)
    : NaN;
  return [fwd, both];
}

const PY = String.raw`
import json, sys, time, torch
cfgs = json.loads(sys.argv[1])
out = {}
def med(xs):
    s = sorted(xs); h = len(s) // 2
    return s[h] if len(s) % 2 else (s[h - 1] + s[h]) / 2
def timeit(fn, warmup, runs):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); ts.append((time.perf_counter() - t0) * 1e3)
    return med(ts)
for threads in (1, 2):
    torch.set_num_threads(threads)
    for c in cfgs:
        torch.manual_seed(0)
        m = torch.nn.LSTM(c['I'], c['H'], num_layers=2)
        x = torch.randn(c['T'], c['B'], c['I'])
        def fwd():
            with torch.no_grad(): m(x)
        def both():
            m.zero_grad(set_to_none=True); m(x)[0].sum().backward()
        f = timeit(fwd, c['warmup'], c['runs'])
        b = timeit(both, c['warmup'], c['runs']) if c['backward'] else float('nan')
        out[f"{c['name']}|{threads}"] = [f, b]
print(json.dumps(out))
`;

/** PyTorch's medians keyed by `${name}|${threads}`, or null when PyTorch is unavailable. */
function timeTorch(configs: Config[]): Record<string, [number, number]> | null {
  try {
    const txt = execFileSync('/usr/bin/python3', ['-c', PY, JSON.stringify(configs)], {
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(txt.replace(/NaN/g, 'null')) as Record<string, [number, number]>;
  } catch (e) {
    console.log(`PyTorch timing skipped: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

const fmt = (ms: number | null | undefined): string => (ms === null || ms === undefined || Number.isNaN(ms) ? '-' : ms.toFixed(2));
const ratio = (a: number, b: number | null | undefined): string =>
  b === null || b === undefined || Number.isNaN(a) || Number.isNaN(b) ? '-' : (a / b).toFixed(2) + 'x';

const torchTimes = timeTorch(CONFIGS);
console.log('2-layer LSTM, float32, median ms; ratio = ours / torch');
console.log(['config', 'pass', 'ours', 'torch1', 'ratio1', 'torch2', 'ratio2'].join('\t'));
for (const c of CONFIGS) {
  const ours = timeOurs(c);
  const t1 = torchTimes?.[`${c.name}|1`];
  const t2 = torchTimes?.[`${c.name}|2`];
  const passes: [string, number][] = [['forward', 0]];
  if (c.backward) passes.push(['fwd+bwd', 1]);
  for (const [pass, i] of passes) {
    console.log([c.name, pass, fmt(ours[i]), fmt(t1?.[i]), ratio(ours[i]!, t1?.[i]), fmt(t2?.[i]), ratio(ours[i]!, t2?.[i])].join('\t'));
  }
}
