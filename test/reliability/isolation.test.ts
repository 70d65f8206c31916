/**
 * Isolation: two models trained concurrently in worker_threads do not disturb each other, and
 * global state (the default generator's seed, grad mode, anomaly mode) is per thread, as in
 * PyTorch (where grad mode is thread-local; torchlet's generator is per thread too: each worker
 * loads its own copy of the module). Each worker must reproduce the single-threaded losses bit
 * for bit while the main thread changes its own seed and grad mode.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { trainSmall, type TrainSmallOptions } from './train-small.js';

interface WorkerResult {
  before: { gradEnabled: boolean; initialSeed: string; anomaly: boolean };
  losses: number[];
  after: { gradEnabled: boolean; initialSeed: string };
}

/**
 * Starts train-worker.ts in a worker thread. The worker registers tsx's loader before importing the
 * TypeScript file (Node 20's `execArgv: ['--import', 'tsx']` does not reach worker threads), so no
 * build step is needed; 'tsx' resolves from the repository root (the working directory of vitest).
 */
function runWorker(opts: TrainSmallOptions): Promise<WorkerResult> {
  const file = new URL('./train-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); }).catch((e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(boot, { eval: true, workerData: opts });
    w.once('message', (m: WorkerResult) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`));
    });
  });
}

const bits = (xs: number[]): string[] => xs.map((x) => Buffer.from(new Float64Array([x]).buffer).toString('hex'));

describe('concurrent training in worker_threads', () => {
  it('two workers reproduce the single-threaded losses bit for bit, and global state is per thread', async () => {
    const steps = 6;
    const refA = trainSmall({ seed: 1, steps });
    const refB = trainSmall({ seed: 2, steps, toggleGradMode: true });
    expect(bits(refA)).not.toEqual(bits(refB));

    // The main thread's global state, set before the workers start and changed while they run.
    torch.manualSeed(999);
    const prevGrad = torch.setGradEnabled(false);
    torch.autograd.setDetectAnomaly(true);
    let results: WorkerResult[];
    try {
      const pending = Promise.all([runWorker({ seed: 1, steps }), runWorker({ seed: 2, steps, toggleGradMode: true })]);
      // Meanwhile, this thread draws random numbers and trains with its own seed.
      torch.manualSeed(12345);
      torch.randn(1000);
      torch.setGradEnabled(true);
      const mine = trainSmall({ seed: 3, steps: 2 });
      expect(mine.every(Number.isFinite)).toBe(true);
      torch.setGradEnabled(false);
      results = await pending;
    } finally {
      torch.setGradEnabled(prevGrad);
      torch.autograd.setDetectAnomaly(false);
    }
    const [a, b] = results;
    expect(bits(a!.losses)).toEqual(bits(refA));
    expect(bits(b!.losses)).toEqual(bits(refB));
    for (const r of results) {
      // Each worker starts from its own defaults, not the main thread's state.
      expect(r.before.gradEnabled).toBe(true);
      expect(r.before.anomaly).toBe(false);
      expect(r.before.initialSeed).toBe('67280421310721'); // PyTorch's default seed
    }
    expect(a!.after.initialSeed).toBe('1');
    expect(b!.after.initialSeed).toBe('2');
    // And the main thread's state was not touched by the workers.
    expect(String(torch.initialSeed())).toBe('3'); // this thread's last manualSeed (in trainSmall), not a worker's
    expect(torch.isGradEnabled()).toBe(true);
  }, 120000);
});
