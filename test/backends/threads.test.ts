/**
 * The native thread pool under misuse, in child processes: when the system refuses threads part-way
 * (an address-space limit set with prlimit, so thread stacks cannot be mapped), setNumThreads fails
 * with a clear error and the pool keeps its previous size and computes the same bits; a default
 * pool that cannot start all its threads keeps those it got; TORCHLET_NUM_THREADS is read only when
 * it is a whole positive number. (Argument validation with PyTorch's messages: native.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAvailable } from '../../src/backends/native/index.js';

/** Runs an ES module snippet with the package's torch as `torch`; returns its last stdout line, parsed. */
function child(code: string, env: Record<string, string | undefined> = {}): any {
  const prelude = "const torch = await import('./src/index.ts'); " +
    "const { createHash } = await import('node:crypto'); const { readFileSync } = await import('node:fs'); " +
    "const { spawnSync } = await import('node:child_process'); " +
    // threaded kernels: a matmul, an LSTM forward and backward (batch 40: split over threads); their bits, hashed
    'const work = () => { torch.manualSeed(0); const a = torch.randn([300, 200]); const b = torch.randn([200, 250]); ' +
    'const lstm = new torch.nn.LSTM(32, 64); const x = torch.randn(5, 40, 32, { requiresGrad: true }); ' +
    'const [y] = lstm.forward(x); y.square().sum().backward(); ' +
    "const h = createHash('sha256'); for (const t of [a.matmul(b), y, x.grad]) h.update(t.dataSync()); return h.digest('hex'); }; " +
    // caps this process's address space at its size now + 512 MB: thread stacks (8 MB each) soon cannot be mapped
    "const limitMemory = () => { const vm = Number(/VmSize:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; " +
    "const r = spawnSync('prlimit', ['--pid', String(process.pid), `--as=${vm + 512 * 2 ** 20}`]); " +
    "if (r.status !== 0) throw new Error('prlimit failed: ' + r.stderr); }; ";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', prelude + code], {
    env: { ...process.env, TORCHLET_BACKEND: 'native', ...env },
    encoding: 'utf8',
    timeout: 120_000, // a pool that hangs fails here
  });
  expect(r.error, 'child process').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const prlimit = process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

describe.runIf(isAvailable() && prlimit)('native thread pool when the system refuses threads', () => {
  it('setNumThreads fails with a clear error; the pool keeps its size, works and resizes later', () => {
    const out = child(`
      torch.setNumThreads(2);
      const before = work();
      limitMemory();
      let error = null;
      try { torch.setNumThreads(1024); } catch (e) { error = [e.name, e.message]; }
      const after = torch.getNumThreads();
      const same = work() === before;
      torch.setNumThreads(3);
      const three = [torch.getNumThreads(), work() === before];
      torch.setNumThreads(1);
      const one = [torch.getNumThreads(), work() === before];
      console.log(JSON.stringify({ error, after, same, three, one }));`);
    expect(out.error[0]).toBe('RuntimeError');
    expect(out.error[1]).toMatch(
      /^set_num_threads\(1024\): the system refused to start thread \d+ of 1024 \(.+\); the pool keeps its previous 2 threads$/);
    expect(out.after).toBe(2);
    expect(out.same).toBe(true);
    expect(out.three).toEqual([3, true]);
    expect(out.one).toEqual([1, true]);
  });

  it('a default pool (TORCHLET_NUM_THREADS) that cannot start every thread keeps those it got', () => {
    const out = child(`
      const asked = torch.getNumThreads();
      limitMemory();
      const first = work();
      const got = torch.getNumThreads();
      torch.setNumThreads(1);
      console.log(JSON.stringify({ asked, got, same: work() === first }));`, { TORCHLET_NUM_THREADS: '1024' });
    expect(out.asked).toBe(1024);
    expect(out.got).toBeGreaterThan(1);
    expect(out.got).toBeLessThan(1024);
    expect(out.same).toBe(true);
  });
});

describe.runIf(isAvailable())('native thread pool: TORCHLET_NUM_THREADS', () => {
  it('a whole positive number sets the default; anything else leaves the CPU count', () => {
    const cpus = child('console.log(JSON.stringify(torch.getNumThreads()));', { TORCHLET_NUM_THREADS: undefined, OMP_NUM_THREADS: undefined });
    expect(cpus).toBeGreaterThanOrEqual(1);
    expect(child('console.log(JSON.stringify(torch.getNumThreads()));', { TORCHLET_NUM_THREADS: '3' })).toBe(3);
    for (const bad of ['0', '3x', '1e9']) {
      expect(child('console.log(JSON.stringify(torch.getNumThreads()));', { TORCHLET_NUM_THREADS: bad, OMP_NUM_THREADS: undefined }), bad).toBe(cpus);
    }
    expect(child('console.log(JSON.stringify(torch.getNumThreads()));', { TORCHLET_NUM_THREADS: '99999' })).toBe(1024);
  });
});
