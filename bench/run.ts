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
 * With --compare the inference workloads (W1, W3, W5) also run on onnxruntime-node (bench/'s own
 * dependency, `npm ci --prefix bench`; see bench/peers.ts; CPU execution provider, graph optimisations on, intraOpNumThreads 1 and 2): bench/
 * export_onnx.py exports the same models from PyTorch to ONNX into bench/.cache/onnx (re-exported
 * when the script changes), torchlet's time is printed as a ratio of the better onnxruntime time,
 * and once per run torchlet (on the exporter's weights), onnxruntime and PyTorch are checked to
 * compute the same outputs. W3's peak memory is then measured beside onnxruntime's (bench/memory.ts).
 *
 * Options: --compare, --quick (fewer repetitions), --only W1,W3, --backends native,wasm,js.
 * Timings on a shared 2-core machine are noisy: compare medians from the same run only.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import { isAvailable, info, reason } from '../src/backends/native/index.js';
import { setBackend } from '../src/backends/registry.js';
import { isAvailable as wasmAvailable } from '../src/backends/wasm/index.js';
import { getNumThreads } from '../src/backends/threads.js';
import { memoryTable } from './memory.js';
import { ORT_INSTALL, type OrtModule, type OrtSession, type OrtTensor, importOrt, ortEntry } from './peers.js';

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
const BACKENDS = (opt('--backends') ?? 'native,wasm,js').split(',')
  .filter((b) => b === 'js' || (b === 'wasm' ? wasmAvailable() : isAvailable()));

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
  /**
   * Inference workloads exported to ONNX by bench/export_onnx.py: builds the same model on the
   * exporter's state dicts ({lstm, fc?}) and returns it as a function of the ONNX inputs, in the
   * ONNX outputs' order (for the check that torchlet and onnxruntime compute the same thing).
   */
  onnx?: (state: Record<string, Record<string, T>>) => (inputs: T[]) => T[];
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

/** W1/W2's model: LSTM(64->128, 2 layers, batchFirst) + Linear(128->10) on the last step. */
function seedModel(): { lstm: torch.nn.LSTM; fc: torch.nn.Linear } {
  return { lstm: new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true }), fc: new nn.Linear(128, 10) };
}

/** W3's LSTM(256->512, 2 layers, batchFirst). */
function largeLstm(): torch.nn.LSTM {
  return new nn.LSTM(256, 512, { numLayers: 2, batchFirst: true });
}

/** W5's LSTM(128->128, batchFirst). */
function streamLstm(): torch.nn.LSTM {
  return new nn.LSTM(128, 128, { batchFirst: true });
}

const ALL_WORKLOADS: Workload[] = [
  {
    name: 'W1', what: 'seed inference', flops: lstmFlops(10, 32, 64, 128, 2), reps: [30, 400], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const { lstm, fc } = seedModel();
      const x = torch.randn(32, 10, 64);
      return () => torch.noGrad(() => fc.forward(lastStep(lstm.forward(x)[0])));
    },
    onnx(state) {
      const { lstm, fc } = seedModel();
      lstm.loadStateDict(state.lstm!);
      fc.loadStateDict(state.fc!);
      return ([x]) => torch.noGrad(() => [fc.forward(lastStep(lstm.forward(x!)[0]))]);
    },
  },
  {
    name: 'W2', what: 'seed training', flops: 0, reps: [20, 200], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const { lstm, fc } = seedModel();
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
      const lstm = largeLstm();
      const x = torch.randn(64, 100, 256);
      return () => torch.noGrad(() => lstm.forward(x));
    },
    onnx(state) {
      const lstm = largeLstm();
      lstm.loadStateDict(state.lstm!);
      return ([x]) => torch.noGrad(() => [lstm.forward(x!)[0]]);
    },
  },
  {
    name: 'W4', what: 'large training', flops: 0, reps: [5, 30], unit: 'ms',
    build() {
      torch.manualSeed(0);
      const lstm = largeLstm();
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
      const lstm = streamLstm();
      const x = torch.randn(1, 1, 128);
      let state: [T, T] = [torch.zeros(1, 1, 128), torch.zeros(1, 1, 128)];
      return () => {
        state = torch.noGrad(() => lstm.forward(x, state)[1]);
      };
    },
    onnx(state) {
      const lstm = streamLstm();
      lstm.loadStateDict(state.lstm!);
      return ([x, h0, c0]) => torch.noGrad(() => lstm.forward(x!, [h0!, c0!])[1]);
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
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => !ONLY || ONLY.includes(w.name));

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

/** timeBatch for an asynchronous run (onnxruntime-node's `session.run`). */
async function timeBatchAsync(fn: () => Promise<unknown>, seconds: number, min: number, max: number): Promise<number[]> {
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < max && (ts.length < min || performance.now() - start < seconds * 1e3)) {
    const t0 = performance.now();
    await fn();
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
// onnxruntime-node peer
// ------------------------------------------------------------------------------------------------

const ORT_THREADS = [1, 2];
const EXPORTER = fileURLToPath(new URL('./export_onnx.py', import.meta.url));
/** Not committed (.gitignore); rewritten when bench/export_onnx.py changes. */
const ONNX_DIR = fileURLToPath(new URL('./.cache/onnx/', import.meta.url));
/** Largest |difference| accepted between torchlet, onnxruntime and PyTorch on the same weights. */
const SAME_TOL = 1e-4;

interface OnnxManifest {
  script_sha256: string;
  torch: string;
  workloads: Record<string, { inputs: string[]; outputs: string[]; carry?: Record<string, string> }>;
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

/** The exported models (exporting them unless the cache matches the exporter), or why there are none. */
function exportOnnx(): OnnxManifest | string {
  const digest = createHash('sha256').update(readFileSync(EXPORTER)).digest('hex');
  const path = join(ONNX_DIR, 'manifest.json');
  const cached = (): OnnxManifest | null => {
    if (!existsSync(path)) return null;
    const m = JSON.parse(readFileSync(path, 'utf8')) as OnnxManifest;
    return m.script_sha256 === digest ? m : null;
  };
  const m = cached();
  if (m) return m;
  const r = spawnSync('/usr/bin/python3', [EXPORTER, ONNX_DIR], { encoding: 'utf8' });
  if (r.error) return `cannot run /usr/bin/python3 (${r.error.message})`;
  if (r.status !== 0) return `bench/export_onnx.py failed: ${lastLine(r.stderr)}`;
  return cached() ?? 'bench/export_onnx.py wrote no current manifest';
}

/** onnxruntime-node and the exported models, or one line saying why not. */
async function loadOnnx(): Promise<{ ort: OrtModule; manifest: OnnxManifest } | string> {
  let ort: OrtModule;
  try {
    ort = await importOrt();
  } catch (e) {
    return lastLine(String((e as Error).message ?? e));
  }
  if (!torchAvailable()) return 'the ONNX models are exported from PyTorch, and /usr/bin/python3 has no torch';
  const manifest = exportOnnx();
  return typeof manifest === 'string' ? manifest : { ort, manifest };
}

/** One exported workload: a session per thread count on the same feeds. */
class OnnxModel {
  private constructor(
    private readonly sessions: Map<number, OrtSession>,
    private readonly feeds: Record<string, OrtTensor>,
    private readonly spec: OnnxManifest['workloads'][string],
  ) {}

  static async create(ort: OrtModule, file: string, spec: OnnxManifest['workloads'][string], inputs: T[]): Promise<OnnxModel> {
    const sessions = new Map<number, OrtSession>();
    for (const n of ORT_THREADS) {
      sessions.set(n, await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: n,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      }));
    }
    const feeds: Record<string, OrtTensor> = {};
    spec.inputs.forEach((name, i) => {
      const t = inputs[i]!;
      feeds[name] = new ort.Tensor('float32', t.dataSync() as Float32Array, [...t.shape]);
    });
    return new OnnxModel(sessions, feeds, spec);
  }

  /** The outputs (in the manifest's order) on the current feeds. */
  async outputs(threads: number): Promise<Float32Array[]> {
    const r = await this.sessions.get(threads)!.run(this.feeds);
    return this.spec.outputs.map((name) => r[name]!.data as Float32Array);
  }

  /** One timed run: like torchlet's workload, carries the recurrent state (W5) into the next run. */
  async step(threads: number): Promise<void> {
    const r = await this.sessions.get(threads)!.run(this.feeds);
    for (const [out, inp] of Object.entries(this.spec.carry ?? {})) this.feeds[inp] = r[out] as OrtTensor;
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Runs the exporter's weights and input through onnxruntime, through torchlet on each backend and
 * compares both with PyTorch's output; returns the line to print and whether all agree.
 */
async function checkSame(w: Workload, model: OnnxModel, ck: { state: any; inputs: T[]; outputs: T[] }): Promise<[string, boolean]> {
  const ref = ck.outputs.map((t) => t.dataSync());
  const diff = (xs: ArrayLike<number>[], ys: ArrayLike<number>[]) => Math.max(...xs.map((x, i) => maxAbsDiff(x, ys[i]!)));
  const onnx = await model.outputs(ORT_THREADS[0]!);
  const parts = [`onnxruntime ${diff(onnx, ref).toExponential(1)}`];
  let worst = diff(onnx, ref);
  for (const b of BACKENDS) {
    setBackend(b);
    const out = w.onnx!(ck.state)(ck.inputs).map((t) => t.dataSync());
    const [vsTorch, vsOnnx] = [diff(out, ref), diff(out, onnx)];
    worst = Math.max(worst, vsTorch, vsOnnx);
    parts.push(`torchlet ${b} ${vsTorch.toExponential(1)} (vs onnxruntime ${vsOnnx.toExponential(1)})`);
  }
  setBackend(null);
  const ok = worst <= SAME_TOL;
  return [`${w.name} same weights and input, max |output - PyTorch's|: ${parts.join(', ')}: ${ok ? 'same computation' : `MISMATCH (> ${SAME_TOL})`}`, ok];
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
  if (!COMPARE) {
    console.log(`peers: --compare also times PyTorch (/usr/bin/python3) and onnxruntime-node (${ortEntry() ? 'installed in bench/' : `not installed: ${ORT_INSTALL}`})`);
  }
  if (COMPARE) {
    if (torchAvailable()) {
      peer = new TorchPeer();
      await peer.ready();
      console.log(`PyTorch ${peer.version} (/usr/bin/python3), 1 and 2 threads, OMP_WAIT_POLICY=PASSIVE`);
    } else {
      console.log('--compare: /usr/bin/python3 has no torch; no PyTorch timings');
    }
  }
  let onnx: { ort: OrtModule; manifest: OnnxManifest } | null = null;
  if (COMPARE && WORKLOADS.some((w) => w.onnx)) {
    const r = await loadOnnx();
    if (typeof r === 'string') console.log(`--compare: no onnxruntime timings: ${r}`);
    else {
      onnx = r;
      console.log(`onnxruntime-node ${r.ort.env.versions.node} (CPU, graph optimisations all), intraOpNumThreads 1 and 2; ` +
        `models exported by PyTorch ${r.manifest.torch} (bench/export_onnx.py -> bench/.cache/onnx)`);
    }
  }
  let anyOnnx = false;
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
    const spec = w.onnx && onnx?.manifest.workloads[w.name];
    let model: OnnxModel | null = null;
    let same = true;
    if (onnx && spec) {
      const ck = torch.load(join(ONNX_DIR, `${w.name}.pt`));
      model = await OnnxModel.create(onnx.ort, join(ONNX_DIR, `${w.name}.onnx`), spec, ck.inputs);
      let line: string;
      [line, same] = await checkSame(w, model, ck);
      console.log(line);
      for (const n of ORT_THREADS) for (let i = 0; i < 2; i++) await model.step(n); // warm-up
      anyOnnx = true;
    }
    // Alternate: each round runs every contender once, so slow phases of the machine hit all.
    for (let r = 0; r < rounds; r++) {
      for (const b of BACKENDS) {
        setBackend(b);
        const [min, max] = w.reps;
        const slow = b === 'js' && (w.name === 'W3' || w.name === 'W4' || w.name === 'W6');
        add(b, timeBatch(runs.get(b)!, budget, slow ? 1 : Math.ceil(min / rounds), Math.ceil(max / rounds)));
      }
      if (model) {
        const [min, max] = w.reps;
        for (const n of ORT_THREADS) {
          add(`onnxruntime ${n}t`, await timeBatchAsync(() => model.step(n), budget, Math.ceil(min / rounds), Math.ceil(max / rounds)));
        }
      }
      if (peer) {
        const n = Math.max(1, Math.ceil(w.reps[0] / rounds));
        add('torch1', await peer.run(w.name, 1, n));
        add('torch2', await peer.run(w.name, 2, n));
      }
    }
    setBackend(null);
    await model?.release();
    const best = (keys: string[]) => Math.min(...keys.map((k) => median(times.get(k)!)));
    const torchBest = peer ? best(['torch1', 'torch2']) : NaN;
    const onnxBest = model ? best(ORT_THREADS.map((n) => `onnxruntime ${n}t`)) : NaN;
    for (const [k, xs] of times) {
      const s = stat(xs);
      const isTorch = k.startsWith('torch');
      const isTorchlet = !isTorch && !k.startsWith('onnxruntime');
      const gflops = w.flops ? `${(w.flops / (s.med * 1e6)).toFixed(0)}` : '';
      const ratio = peer && isTorchlet ? (s.med / torchBest).toFixed(2) : '';
      const vsOnnx = model && isTorchlet ? `${(s.med / onnxBest).toFixed(2)}${same ? '' : ' (outputs differ!)'}` : '';
      const name = isTorch ? `pytorch ${k.slice(5)}t` : k;
      rows.push([w.name, w.what, name, fmt(s.med, w.unit), fmt(s.min, w.unit), fmt(s.max, w.unit), String(s.n), gflops, ratio, vsOnnx]);
    }
  }
  peer?.close();
  const head = ['work', 'what', 'backend', 'median', 'min', 'max', 'runs', 'GFLOPS', peer ? 'ratio vs best torch' : '', anyOnnx ? 'vs onnxruntime' : ''];
  const keep = head.map((h) => h !== '');
  const all = [head, ...rows].map((r) => r.filter((_, c) => keep[c]));
  const width = all[0]!.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(width[c]!)).join(' | ')} |`;
  console.log(line(all[0]!));
  console.log(`|${width.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const r of all.slice(1)) console.log(line(r));
  // W3's peak memory beside onnxruntime's (each in a fresh process; bench/memory.ts)
  if (COMPARE && anyOnnx && WORKLOADS.some((w) => w.name === 'W3')) memoryTable();
}

await main();
