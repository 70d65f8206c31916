/**
 * Matmul benchmark of the js backend's gemm kernel: square float32 products (256, 512, 1024) timed
 * as the median of several runs after warm-up, printed as ms and GFLOPS (2*n^3 / time), next to
 * PyTorch's single-threaded torch.mm when `/usr/bin/python3 -c 'import torch'` works. Also times
 * float64 and the LSTM-shaped skinny products ([batch, H] x [H, 4H]) for reference.
 *
 * Run: npx tsx bench/matmul.ts            (set BENCH_QUICK=1 for fewer repetitions)
 */
import { execFileSync } from 'node:child_process';
import type { View } from '../src/backends/backend.js';
import { gemm } from '../src/backends/js/kernels/gemm.js';

const SIZES = [256, 512, 1024];
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP_MS = QUICK ? 100 : 500;

/** Runs to time per size (after warm-up): fewer for the slow large sizes. */
function repsFor(n: number): { warmup: number; runs: number } {
  if (QUICK) return { warmup: 1, runs: 3 };
  return n <= 256 ? { warmup: 10, runs: 31 } : n <= 512 ? { warmup: 4, runs: 15 } : { warmup: 2, runs: 7 };
}

/** Median and minimum of the timings (ms). The minimum shows the kernel on a quiet machine. */
interface Timing {
  ms: number;
  min: number;
}

function summarize(xs: number[]): Timing {
  const s = [...xs].sort((x, y) => x - y);
  const h = s.length >> 1;
  return { ms: s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2, min: s[0] };
}

function view(data: Float32Array | Float64Array, rows: number, cols: number, transposed = false): View {
  return { data, shape: [1, rows, cols], strides: transposed ? [rows * cols, 1, rows] : [rows * cols, cols, 1], offset: 0 };
}

function randomArray(f64: boolean, len: number): Float32Array | Float64Array {
  const x = f64 ? new Float64Array(len) : new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Median and minimum milliseconds of `out = a @ b` for [m,k] x [k,n] (b stored transposed if `bT`). */
function timeGemm(m: number, k: number, n: number, f64: boolean, warmup: number, runs: number, bT = false): Timing {
  const a = view(randomArray(f64, m * k), m, k);
  const b = view(randomArray(f64, k * n), k, n, bT);
  const out = view(f64 ? new Float64Array(m * n) : new Float32Array(m * n), m, n);
  const o = { alpha: 1, beta: 0 };
  // Warm up for `warmup` calls and at least WARMUP_MS, so V8 has tiered the kernel up to TurboFan.
  const w0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - w0 < WARMUP_MS; i++) gemm(a, b, out, o);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    gemm(a, b, out, o);
    ts.push(performance.now() - t0);
  }
  return summarize(ts);
}

const gflops = (m: number, k: number, n: number, ms: number): number => (2 * m * k * n) / (ms * 1e6);

/** GFLOPS of single-threaded torch.mm (float32) per size, or null when PyTorch is unavailable. */
function torchGflops(sizes: number[]): Map<number, number> | null {
  const py = '/usr/bin/python3';
  try {
    execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    return null;
  }
  const script = `
import sys, time, torch
torch.set_num_threads(1)
for n in [int(s) for s in sys.argv[1:]]:
    a = torch.rand(n, n); b = torch.rand(n, n)
    runs = 31 if n <= 256 else 15 if n <= 512 else 7
    for _ in range(5): torch.mm(a, b)
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); torch.mm(a, b); ts.append(time.perf_counter() - t0)
    ts.sort()
    print(n, 2 * n ** 3 / ts[len(ts) // 2] / 1e9)
`;
  // torch.set_num_threads(1) does not reach the BLAS library's own thread pool (Debian's torch
  // calls OpenBLAS, which then ran on 2 threads here), so pin those through the environment too.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const text = execFileSync(py, ['-c', script, ...sizes.map(String)], { encoding: 'utf8', timeout: 600_000, env });
  const res = new Map<number, number>();
  for (const line of text.trim().split('\n')) {
    const [n, g] = line.trim().split(/\s+/).map(Number);
    res.set(n, g);
  }
  return res;
}

function pad(s: string | number, w: number): string {
  return String(s).padStart(w);
}

function main(): void {
  console.log('torchlet js gemm, one thread; median (and min) of timed runs after warm-up');
  const ours = new Map<number, Timing>();
  for (const n of SIZES) {
    const { warmup, runs } = repsFor(n);
    ours.set(n, timeGemm(n, n, n, false, warmup, runs));
  }
  const torch = torchGflops(SIZES);
  console.log('\nfloat32 square n |  median ms | GFLOPS (best) | torch.mm 1 thread GFLOPS | torchlet/torch');
  for (const n of SIZES) {
    const { ms, min } = ours.get(n)!;
    const gf = gflops(n, n, n, ms);
    const tg = torch?.get(n);
    const tcol = tg === undefined ? 'n/a' : tg.toFixed(2);
    const ratio = tg === undefined ? 'n/a' : (gf / tg).toFixed(3);
    console.log(
      `${pad(n, 16)} | ${pad(ms.toFixed(2), 10)} | ${pad(`${gf.toFixed(2)} (${gf2(n, n, n, min)})`, 13)} | ${pad(tcol, 24)} | ${pad(ratio, 14)}`,
    );
  }
  if (torch === null) console.log('(PyTorch not importable by /usr/bin/python3: comparison skipped)');

  console.log('\nfloat64 square n |  median ms | GFLOPS (best)');
  for (const n of SIZES.slice(0, 2)) {
    const { warmup, runs } = repsFor(n);
    const { ms, min } = timeGemm(n, n, n, true, warmup, runs);
    console.log(`${pad(n, 16)} | ${pad(ms.toFixed(2), 10)} | ${pad(`${gf2(n, n, n, ms)} (${gf2(n, n, n, min)})`, 13)}`);
  }

  console.log('\nfloat32 LSTM-shaped [batch,H] x [H,4H], H = 256 | b layout | median ms | GFLOPS (best)');
  for (const batch of [1, 4, 8, 16, 32]) {
    for (const bT of [false, true]) {
      const { ms, min } = timeGemm(batch, 256, 1024, false, QUICK ? 3 : 30, QUICK ? 5 : 101, bT);
      console.log(
        `${pad(`batch ${batch}`, 48)} | ${pad(bT ? 'W^T' : 'W', 8)} | ${pad(ms.toFixed(3), 9)} | ${pad(`${gf2(batch, 256, 1024, ms)} (${gf2(batch, 256, 1024, min)})`, 13)}`,
      );
    }
  }
}

function gf2(m: number, k: number, n: number, ms: number): string {
  return gflops(m, k, n, ms).toFixed(2);
}

main();
