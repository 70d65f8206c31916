// No behaviour depends on import order: whichever module a program imports first, every Tensor
// method exists and the backend is resolved by priority (native where the addon loads). Each case
// runs in a fresh Node process, so nothing another test imported can help it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAvailable } from '../../src/backends/native/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs `body` as an ES module in a fresh process (tsx for the TypeScript sources); returns its stdout. */
function fresh(body: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TORCHLET_BACKEND: '' },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

/** A check that methods from every ops file work on a tensor the entry module made. */
const METHODS = ['reshape', 'sum', 'add_', 'matmul', 'softmax', 'indexSelect', 'backward', 'uniform_', 'mul'];

describe('import order', () => {
  const entries: [string, string][] = [
    ['src/index.ts', "const m = await import('./src/index.ts'); const t = m.zeros(2, 3);"],
    ['src/nn/functional.ts', "const F = await import('./src/nn/functional.ts'); const t = F.relu((await import('./src/tensor/create.ts')).emptyTensor([2, 3], 'float32'));"],
    ['src/nn/functional-loss.ts', "await import('./src/nn/functional-loss.ts'); const t = (await import('./src/tensor/create.ts')).emptyTensor([2, 3], 'float32');"],
    ['src/optim/index.ts', "await import('./src/optim/index.ts'); const t = (await import('./src/tensor/create.ts')).emptyTensor([2, 3], 'float32');"],
    ['src/io/index.ts', "await import('./src/io/index.ts'); const t = (await import('./src/tensor/create.ts')).emptyTensor([2, 3], 'float32');"],
    ['src/nn/modules/rnn.ts', "const { LSTM } = await import('./src/nn/modules/rnn.ts'); const t = new LSTM(3, 2).weight_ih_l0.detach();"],
  ];
  for (const [entry, make] of entries) {
    it(`every Tensor method exists when ${entry} is imported first`, () => {
      const out = fresh(`${make} console.log(JSON.stringify(${JSON.stringify(METHODS)}.map((k) => typeof t[k])));`);
      expect(JSON.parse(out)).toEqual(METHODS.map(() => 'function'));
    });
  }

  it('the backend is chosen by priority whichever module resolves it first', () => {
    const want = isAvailable() ? 'native' : 'wasm';
    // ops/ alone never imports torch.backends (src/backends/public.ts) or the native module by name
    const out = fresh("const { backend } = await import('./src/ops/util.ts'); console.log(backend().name);");
    expect(out).toBe(want);
  });
});
