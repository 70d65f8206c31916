/**
 * `torch.backends.wasm.setWasmPath(url)`: the module is loaded from a file or URL by `preload()`
 * instead of the copy inlined in the JavaScript (onnxruntime-web's `env.wasm.wasmPaths`). Runs in a
 * fresh Node process (the module state is per process): a file URL and a plain path load, a file of
 * another build and a missing file are refused with a message naming them, and the path cannot
 * change once the module is instantiated. The file that ships (prebuilds/wasm/torchlet.wasm, the
 * package's `torchlet/torchlet.wasm` export) is the inlined module.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WASM_BASE64, WASM_BYTES, WASM_SHA256 } from '../../src/backends/wasm/binary.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WASM = join(ROOT, 'prebuilds', 'wasm', 'torchlet.wasm');
const tmp = mkdtempSync(join(tmpdir(), 'torchlet-wasm-path-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs an ES module body in a fresh process (tsx, the sources; `torch` and `wasm` in scope); returns its last JSON line. */
function fresh(body: string): any {
  const code = "const torch = await import('./src/index.ts'); const wasm = torch.backends.wasm; " +
    'const err = async (f) => { try { await f(); return null; } catch (e) { return e.message; } }; ' + body;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TORCHLET_BACKEND: '' },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('torch.backends.wasm.setWasmPath', () => {
  it('the shipped torchlet.wasm is the inlined module', () => {
    const bytes = readFileSync(WASM);
    expect(bytes.length).toBe(WASM_BYTES);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(WASM_SHA256);
    expect(Buffer.from(WASM_BASE64, 'base64').equals(bytes)).toBe(true);
  });

  it('loads the module from a file URL on preload(), not from the inlined copy', () => {
    const url = pathToFileURL(WASM).href;
    const out = fresh(`
      wasm.setWasmPath(${JSON.stringify(url)});
      const before = [wasm.isAvailable(), wasm.reason()];
      await wasm.preload();
      torch.backends.setBackend('wasm');
      const y = torch.matmul(torch.arange(6).reshape(2, 3).float(), torch.ones(3, 2));
      const late = await err(() => wasm.setWasmPath(null));
      console.log(JSON.stringify([before, torch.backends.current(), wasm.info().source, Array.from(y.dataSync()), late]));`);
    expect(out).toEqual([
      [false, `cannot instantiate the WebAssembly SIMD module: the module is set to load from ${url} (setWasmPath): await torch.backends.wasm.preload() first`],
      'wasm',
      url,
      [3, 3, 12, 12],
      'torch.backends.wasm.setWasmPath: the module is already instantiated; set the path before the first tensor operation',
    ]);
  });

  it('accepts a plain file path on Node.js', () => {
    const out = fresh(`wasm.setWasmPath(${JSON.stringify(WASM)}); await wasm.preload(); console.log(JSON.stringify([wasm.isAvailable(), wasm.info().source]));`);
    expect(out).toEqual([true, WASM]);
  });

  it('refuses a module of another build and a missing file, naming them; null goes back to the inlined copy', () => {
    const other = join(tmp, 'other.wasm');
    const bytes = readFileSync(WASM);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(other, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const missing = join(tmp, 'missing.wasm');
    const out = fresh(`
      wasm.setWasmPath(${JSON.stringify(other)});
      const a = await err(() => wasm.preload());
      wasm.setWasmPath(${JSON.stringify(missing)});
      const b = await err(() => wasm.preload());
      wasm.setWasmPath(null);
      await wasm.preload();
      console.log(JSON.stringify([a, b, wasm.isAvailable(), wasm.info().source]));`);
    expect(out[0]).toBe(
      `torch.backends.wasm.preload: ${other} is not the module of this torchlet version (sha256 ${sha}, expected ${WASM_SHA256}): ` +
        "serve the torchlet.wasm of the installed package (the 'torchlet/torchlet.wasm' export)",
    );
    expect(out[1]).toMatch(new RegExp(`^torch\\.backends\\.wasm\\.preload: cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
    expect(out.slice(2)).toEqual([true, 'inline']);
  });
});
