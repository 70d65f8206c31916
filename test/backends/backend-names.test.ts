/**
 * Choosing a backend by a name that does not exist is an error that lists the registered ones,
 * whether the name comes from `torch.backends.setBackend` or from the TORCHLET_BACKEND environment
 * variable (which is read on the first tensor operation; each case runs in a fresh process).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `body` (an ES module with `torch` in scope) in a fresh process; returns its last stdout line as JSON. */
function fresh(body: string, backend: string): unknown {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const torch = await import('./src/index.ts'); ${body}`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TORCHLET_BACKEND: backend },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const catchMessage = 'const msg = (f) => { try { f(); return null; } catch (e) { return e.message; } };';

describe('backend names', () => {
  /** The host backends, highest priority first. */
  const listed = 'native, wasm, js';

  it('setBackend with an unknown name throws, listing the registered backends', () => {
    const out = fresh(`${catchMessage} console.log(JSON.stringify(msg(() => torch.backends.setBackend('cuda'))));`, '');
    expect(out).toBe(`backend 'cuda' is not registered (registered: ${listed})`);
  });

  it('TORCHLET_BACKEND with an unknown name fails the first tensor operation, listing the registered backends', () => {
    const out = fresh(`${catchMessage} console.log(JSON.stringify([msg(() => torch.zeros(2)), msg(() => torch.backends.current())]));`, 'gpu');
    const expected = `TORCHLET_BACKEND=gpu: backend 'gpu' is not registered (registered: ${listed})`;
    expect(out).toEqual([expected, expected]);
  });

  it('an empty TORCHLET_BACKEND means no choice, and each registered name is accepted', () => {
    for (const name of ['', ...listed.split(', ')]) {
      const out = fresh("console.log(JSON.stringify(Array.from(torch.ones(2).add(1).dataSync())));", name);
      expect(out, name).toEqual([2, 2]);
    }
  });
});
