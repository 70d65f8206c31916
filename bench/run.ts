/**
 * `npm run bench`: the workloads of issue 5 on each available backend, as a table of medians
 * (warm-up first; min and max shown). `npm run bench -- --compare` also runs PyTorch
 * (/usr/bin/python3 with torch, bench/torch-peer.py) in the same run, alternating batches of
 * torchlet and PyTorch repetitions, PyTorch once with 1 thread and once with 2 (OMP_WAIT_POLICY=
 * PASSIVE), and prints torchlet's time / the better PyTorch time.
 *
 *   W1 seed inference   LSTM(64->128, 2 layers, batchFirst) + Linear(128->10) on the last step, x [32,10,64], noGrad
 *   W2 seed training    W1 + cross-entropy vs random labels, backward, one Adam step
 *   W3 large inference  LSTM(256->512, 2 layers), x [64,100,256] (batchFirst), noGrad; also GFLOPS
 *   W4 large training   W3's LSTM + Linear(512->10) on the last step, x [64,50,256], one Adam step
 *   W5 streaming        LSTM(128->128), batch 1, one step with the state carried (µs per step)
 *   W6 char-LM training Embedding(65,64) -> LSTM(64->256, 2 layers) -> Linear(256->65) every step, B 32, T 64
 *
 * Options: --compare, --quick (fewer repetitions), --only W1,W3, --backends native,js.
 * onnxruntime-node is not compared yet (it would be a benchmark-only dependency; see issue 5).
 * Timings on a shared 2-core machine are noisy: compare medians from the same run only.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import { isAvailable, info, reason } from '../src/backends/native/index.js';
import { setBackend } from '../src/backends/registry.js';
import { getNumThreads } from '../src/backends/threads.js';

type T = torch.Tensor;
const { nn, optim } = torch;

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('--quick');
const COMPARE = flag('--compare');
const ONLY = opt('--only')?.split(',');
const BACKENDS = (opt('--backends') ?? 'native,js').split(',').filter((b) => b === 'js' || isAvailable());

interface Workload {
  name: string;
  what: string;
  /** Multiply-adds x 2 of one run (for GFLOPS), or 0. */
  flops: number;
  /** Builds the model and inputs on the active backend; returns one run. */
  build(): () => void;
  /** Target seconds of timed runs per batch, and repetition bounds. */
  reps: [min: number, max: number];
  unit: 'ms' | 'us';
}

/** LSTM FLOPs of one forward: per layer T*B*(I+H)*4H multiply-adds. */
function lstmFlops(T: number, B: number, I: number, H: number, layers: number): number {
  let f = 0;
  for (let l = 0; l < layers; l++) f += 2 * T * B * ((l === 0 ? I : H) + H) * 4 * H;
  return f;
}

function lastStep(y: T): T {
  // y [B,T,H] -> y[:, -1]
  return y.select(1, y.shape[1]! - 1);
}

const WORKLOADS: Workload[] = [
  {
    name: 'W1', what: 'seed inference', flops: lstmFlops(10, 32, 64, 128, 2), reps: [30, 400], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
      const fc = new nn.Linear(128, 10);
      const x = torch.randn(32, 10, 64);
      return () => torch.noGrad(() => fc.forward(lastStep(lstm.forward(x)[0])));
    },
  },
  {
    name: 'W2', what: 'seed training', flops: 0, reps: [20, 200], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
      const fc = new nn.Linear(128, 10);
      const x = torch.randn(32, 10, 64);
      const y = torch.randint(0, 10, [32]);
      const opt = new optim.Adam([...lstm.parameters(), ...fc.parameters()], { lr: 1e-3 });
      return () => {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(fc.forward(lastStep(lstm.forward(x)[0])), y);
        loss.backward();
        opt.step();
      };
    },
  },
  {
    name: 'W3', what: 'large inference', flops: lstmFlops(100, 64, 256, 512, 2), reps: [5, 30], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(256, 512, { numLayers: 2, batchFirst: true });
      const x = torch.randn(64, 100, 256);
      return () => torch.noGrad(() => lstm.forward(x));
    },
  },
  {
    name: 'W4', what: 'large training', flops: 0, reps: [5, 30], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(256, 512, { numLayers: 2, batchFirst: true });
      const fc = new nn.Linear(512, 10);
      const x = torch.randn(64, 50, 256);
      const y = torch.randint(0, 10, [64]);
      const opt = new optim.Adam([...lstm.parameters(), ...fc.parameters()], { lr: 1e-3 });
      return () => {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(fc.forward(lastStep(lstm.forward(x)[0])), y);
        loss.backward();
        opt.step();
      };
    },
  },
  {
    name: 'W5', what: 'streaming step', flops: 0, reps: [500, 5000], unit: 'us',
    build() {
      torch.manualSeed(0);
      const lstm = new nn.LSTM(128, 128, { batchFirst: true });
      const x = torch.randn(1, 1, 128);
      let state: [T, T] = [torch.zeros(1, 1, 128), torch.zeros(1, 1, 128)];
      return () => {
        state = torch.noGrad(() => lstm.forward(x, state)[1]);
      };
    },
  },
  {
    name: 'W6', what: 'char-LM training', flops: 0, reps: [3, 30], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const emb = new nn.Embedding(65, 64);
      const lstm = new nn.LSTM(64, 256, { numLayers: 2, batchFirst: true });
      const fc = new nn.Linear(256, 65);
      const tok = torch.randint(0, 65, [32, 64]);
      const y = torch.randint(0, 65, [32 * 64]);
      const opt = new optim.Adam([...emb.parameters(), ...lstm.parameters(), ...fc.parameters()], { lr: 1e-3 });
      return () => {
        opt.zeroGrad();
        const out = lstm.forward(emb.forward(tok))[0];
        const loss = nn.functional.crossEntropy(fc.forward(out).reshape(-1, 65), y);
        loss.backward();
        opt.step();
      };
    },
  },
].filter((w) => !ONLY || ONLY.includes(w.name)) as Workload[];

// ------------------------------------------------------------------------------------------------
// Timing
// ------------------------------------------------------------------------------------------------

/** Runs fn until `seconds` have passed and at least `min` (at most `max`) runs; returns ms per run. */
function timeBatch(fn: () => void, seconds: number, min: number, max: number): number[] {
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < max && (ts.length < min || performance.now() - start < seconds * 1e3)) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

interface Stat {
  med: number;
  min: number;
  max: number;
  n: number;
}

function stat(xs: number[]): Stat {
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

// ------------------------------------------------------------------------------------------------
// PyTorch peer
// ------------------------------------------------------------------------------------------------

class TorchPeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  version = '';

  constructor() {
    const script = fileURLToPath(new URL('./torch-peer.py', import.meta.url));
    this.proc = spawn('/usr/bin/python3', [script], { env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async next(): Promise<any> {
    const r = await this.lines.next();
    if (r.done) throw new Error('the PyTorch peer exited');
    return JSON.parse(r.value);
  }

  async ready(): Promise<void> {
    this.version = (await this.next()).ready;
  }

  async run(w: string, threads: number, reps: number): Promise<number[]> {
    this.proc.stdin.write(`${JSON.stringify({ w, threads, reps })}\n`);
    return (await this.next()).times;
  }

  close(): void {
    this.proc.stdin.end();
  }
}

function torchAvailable(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------

function fmt(ms: number, unit: 'ms' | 'us'): string {
  return unit === 'us' ? `${(ms * 1e3).toFixed(1)} µs` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  console.log(`torchlet bench: backends ${BACKENDS.join(', ')}; native ${isAvailable() ? `${info()!.isa}, ${getNumThreads()} threads` : `unavailable (${reason()})`}`);
  let peer: TorchPeer | null = null;
  if (COMPARE) {
    if (torchAvailable()) {
      peer = new TorchPeer();
      await peer.ready();
      console.log(`PyTorch ${peer.version} (/usr/bin/python3), 1 and 2 threads, OMP_WAIT_POLICY=PASSIVE`);
    } else {
      console.log('--compare: /usr/bin/python3 has no torch; comparing nothing');
    }
  }
  const rows: string[][] = [];
  for (const w of WORKLOADS) {
    // Fast workloads alternate in many short rounds, so load from other processes hits all alike.
    const rounds = QUICK ? 2 : w.reps[0] >= 20 ? 10 : 3;
    const runs = new Map<string, () => void>();
    for (const b of BACKENDS) {
      setBackend(b);
      const fn = w.build();
      fn(); // warm-up (JIT, scratch buffers)
      fn();
      runs.set(b, fn);
    }
    const times = new Map<string, number[]>();
    const add = (k: string, xs: number[]) => times.set(k, [...(times.get(k) ?? []), ...xs]);
    const budget = (QUICK ? 0.5 : 2) / rounds;
    // Alternate: each round runs every contender once, so slow phases of the machine hit all.
    for (let r = 0; r < rounds; r++) {
      for (const b of BACKENDS) {
        setBackend(b);
        const [min, max] = w.reps;
        const slow = b === 'js' && (w.name === 'W3' || w.name === 'W4' || w.name === 'W6');
        add(b, timeBatch(runs.get(b)!, budget, slow ? 1 : Math.ceil(min / rounds), Math.ceil(max / rounds)));
      }
      if (peer) {
        const n = Math.max(1, Math.ceil(w.reps[0] / rounds));
        add('torch1', await peer.run(w.name, 1, n));
        add('torch2', await peer.run(w.name, 2, n));
      }
    }
    setBackend(null);
    const torchBest = peer ? Math.min(median(times.get('torch1')!), median(times.get('torch2')!)) : NaN;
    for (const [k, xs] of times) {
      const s = stat(xs);
      const isTorch = k.startsWith('torch');
      const gflops = w.flops ? `${(w.flops / (s.med * 1e6)).toFixed(0)}` : '';
      const ratio = peer && !isTorch ? (s.med / torchBest).toFixed(2) : '';
      const name = isTorch ? `pytorch ${k.slice(5)}t` : k;
      rows.push([w.name, w.what, name, fmt(s.med, w.unit), fmt(s.min, w.unit), fmt(s.max, w.unit), String(s.n), gflops, ratio]);
    }
  }
  peer?.close();
  const head = ['work', 'what', 'backend', 'median', 'min', 'max', 'runs', 'GFLOPS', peer ? 'ratio vs best torch' : ''];
  const all = [head, ...rows];
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(width[c]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
