/**
 * Convolutional front end of a CNN-LSTM (issue 15) on each available backend against PyTorch's CPU:
 *
 *   x [16, 1, 64, 64] -> Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2)
 *                     -> Conv2d(16, 32, 3, padding=1) -> ReLU -> MaxPool2d(2)   -> [16, 32, 16, 16]
 *
 * timed as inference (noGrad) and as a training step's compute (forward, out.sum().backward()
 * into the input and both convolutions' parameters). Times are medians after warm-up. PyTorch
 * runs in an inline /usr/bin/python3 script, once with torch.set_num_threads(1) and once with 2
 * (OMP_WAIT_POLICY=PASSIVE); the ratio is torchlet's time / the better PyTorch time.
 *
 * With --layers, also times each layer's inference forward alone (torchlet on each backend,
 * PyTorch with 1 thread), to show where the time goes.
 *
 * Run: node --import tsx bench/conv2d.ts   (BENCH_QUICK=1: fewer repetitions; --backends native,js; --layers)
 * Timings on a shared 2-core machine are noisy: compare medians from the same run only.
 */
import { execFileSync } from 'node:child_process';
import * as torch from '../src/index.js';
import { isAvailable } from '../src/backends/native/index.js';
import { setBackend } from '../src/backends/registry.js';
import { isAvailable as wasmAvailable } from '../src/backends/wasm/index.js';

const { nn } = torch;
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP = QUICK ? 2 : 5;
const RUNS = QUICK ? 5 : 21;
const argv = process.argv.slice(2);
const backendsArg = argv.includes('--backends') ? argv[argv.indexOf('--backends') + 1]! : 'native,wasm,js';
const BACKENDS = backendsArg.split(',').filter((b) => b === 'js' || (b === 'wasm' ? wasmAvailable() : isAvailable()));

const N = 16;
const SIZE = 64;

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

const LAYERS = argv.includes('--layers');
const LAYER_NAMES = ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2'];

function frontEnd(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
  );
}

/** Median ms of each layer's inference forward on its own input, on the active backend. */
function timeLayers(): number[] {
  torch.manualSeed(0);
  const model = frontEnd();
  let h = torch.randn(N, 1, SIZE, SIZE);
  return torch.noGrad(() => [...model.children()].map((m) => {
    const input = h;
    const t = timeIt(() => m.forward(input), WARMUP, RUNS);
    h = m.forward(input) as torch.Tensor;
    return t;
  }));
}

/** Median ms of torchlet on the active backend: [inference, forward+backward]. */
function timeOurs(): [number, number] {
  torch.manualSeed(0);
  const model = frontEnd();
  const x = torch.randn(N, 1, SIZE, SIZE);
  const xg = x.clone().requiresGrad_();
  const fwd = (): void => {
    torch.noGrad(() => model.forward(x));
  };
  const both = (): void => {
    model.zeroGrad();
    xg.grad = null;
    (model.forward(xg) as torch.Tensor).sum().backward();
  };
  return [timeIt(fwd, WARMUP, RUNS), timeIt(both, WARMUP, RUNS)];
}

const PY = String.raw`
import json, os, sys, time
import torch
warmup, runs, n, size = (int(v) for v in sys.argv[1:5])
def timeit(fn):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return ts[len(ts) // 2]
out = {}
for threads in (1, 2):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn
    m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    x = torch.randn(n, 1, size, size)
    xg = x.clone().requires_grad_()
    def fwd():
        with torch.no_grad(): m(x)
    def both():
        m.zero_grad(set_to_none=True); xg.grad = None; m(xg).sum().backward()
    out[str(threads)] = [timeit(fwd), timeit(both)]
    if threads == 1 and os.environ.get('BENCH_LAYERS') == '1':
        layers = []
        with torch.no_grad():
            h = x
            for mod in m:
                inp = h
                layers.append(timeit(lambda: mod(inp)))
                h = mod(inp)
        out['layers'] = layers
print(json.dumps(out))
`;

/** PyTorch's medians per thread count, or null when PyTorch is unavailable. */
function timeTorch(): Record<string, number[]> | null {
  try {
    const txt = execFileSync('/usr/bin/python3', ['-c', PY, String(WARMUP), String(RUNS), String(N), String(SIZE)], {
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', BENCH_LAYERS: LAYERS ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(txt) as Record<string, number[]>;
  } catch (e) {
    console.log(`PyTorch timing skipped: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

const fmt = (ms: number | undefined): string => (ms === undefined ? '-' : ms.toFixed(2));

const theirs = timeTorch();
const ours = new Map<string, [number, number]>();
const layers = new Map<string, number[]>();
for (const b of BACKENDS) {
  setBackend(b as 'native' | 'wasm' | 'js');
  ours.set(b, timeOurs());
  if (LAYERS) layers.set(b, timeLayers());
}
setBackend(null);
console.log(`CNN front end, x [${N}, 1, ${SIZE}, ${SIZE}], float32, median ms; ratio = torchlet / best PyTorch`);
const t1 = theirs?.['1'];
const t2 = theirs?.['2'];
console.log(`PyTorch ${t1 ? `1 thread: ${fmt(t1[0])} / ${fmt(t1[1])}, 2 threads: ${fmt(t2![0])} / ${fmt(t2![1])} (inference / fwd+bwd)` : 'not available'}`);
console.log(['backend', 'pass', 'torchlet', 'PyTorch', 'ratio'].join('\t'));
for (const [b, t] of ours) {
  ['inference', 'fwd+bwd'].forEach((pass, i) => {
    const best = t1 && t2 ? Math.min(t1[i]!, t2[i]!) : undefined;
    console.log([b, pass, fmt(t[i]), fmt(best), best ? `${(t[i]! / best).toFixed(2)}x` : '-'].join('\t'));
  });
}
if (LAYERS) {
  console.log('\nper layer, inference, median ms');
  console.log(['layer', ...BACKENDS, 'PyTorch 1 thread'].join('\t'));
  LAYER_NAMES.forEach((name, i) => console.log([name, ...BACKENDS.map((b) => fmt(layers.get(b)![i])), fmt(theirs?.['layers']?.[i])].join('\t')));
}
