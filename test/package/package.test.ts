/**
 * What `npm pack` ships, and that a consumer can use it: builds the package into a temporary
 * folder (tsc with tsconfig.build.json, the files package.json lists), packs it with
 * `npm pack --json` (as `npm publish` would, minus the prepack build) and checks the file list:
 * the licence files, no source map that points at a file not shipped, no WebAssembly file that
 * nothing uses, every `exports` target present. Then installs the tarball (with its dependencies,
 * from npm's cache) into a fresh consumer folder and loads it from CommonJS (`require('torchlet')`, the same instance as `import`), from an
 * ES module (with the wasm module loaded from the `torchlet/torchlet.wasm` export), and from
 * CommonJS on a Node.js without require(esm), which must fail with a message saying what to do.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_SHA256 } from '../../src/backends/wasm/binary.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  files: string[];
  exports: Record<string, string | Record<string, string>>;
};
const tmp = mkdtempSync(join(tmpdir(), 'torchlet-pack-'));
const pkgDir = join(tmp, 'pkg');
const consumer = join(tmp, 'consumer');
let files: string[] = [];

function run(cmd: string, args: string[], cwd: string, flags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const node = cmd === 'node';
  const r = spawnSync(node ? process.execPath : cmd, node ? [...flags, ...args] : args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TORCHLET_BACKEND: '' },
    shell: !node && process.platform === 'win32',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  mkdirSync(pkgDir);
  cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
  for (const f of PKG.files) {
    if (f.startsWith('!') || f === 'dist') continue;
    if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(pkgDir, f), { recursive: true });
  }
  // what `npm run build` (prepack) emits; type errors are the typecheck's business, the emit is ours
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  run('node', [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkgDir, 'dist')], ROOT);
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], pkgDir);
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  // as a consumer installs it: the tarball and its dependencies (from npm's cache, which the
  // repository's own install filled), no install scripts (npm 11 runs none without approval)
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const installed = run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(tmp, info.filename)], consumer);
  expect(installed.status, installed.stderr).toBe(0);
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the library, its CommonJS entry, the licence files and the prebuilt binaries', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'THIRD_PARTY_NOTICES', 'dist/index.js', 'dist/index.d.ts', 'cjs/index.cjs', 'bin/torchlet.js']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|tools|bench|examples|dist\/browser)\//.test(f))).toEqual([]);
  });

  it('has no source map that points at a file it does not ship', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    const dangling: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(pkgDir, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      map.sources.forEach((s, i) => {
        const target = normalize(join(dirname(m), map.sourceRoot ?? '', s)).split('\\').join('/');
        if (!files.includes(target) && typeof map.sourcesContent?.[i] !== 'string') dangling.push(`${m} -> ${s}`);
      });
    }
    expect(dangling).toEqual([]);
  });

  it('every exports target is shipped, and every .wasm is exported and is the inlined module', () => {
    const targets = Object.values(PKG.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const t of targets) expect(files, t).toContain(t.replace(/^\.\//, ''));
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    expect(wasm).toEqual(['prebuilds/wasm/torchlet.wasm']);
    expect(PKG.exports['./torchlet.wasm']).toBe('./prebuilds/wasm/torchlet.wasm');
    expect(createHash('sha256').update(readFileSync(join(pkgDir, wasm[0]!))).digest('hex')).toBe(WASM_SHA256);
  });
});

describe('the packed package in a consumer project', () => {
  it("require('torchlet') works from CommonJS and gives the instance `import` gives", () => {
    writeFileSync(
      join(consumer, 'main.cjs'),
      `const torch = require('torchlet');
const x = torch.ones(2, 3).mul(2);
import('torchlet').then((esm) => {
  console.log(JSON.stringify([x.shape, Array.from(x.sum().dataSync()), esm.Tensor === torch.Tensor, typeof torch.nn.LSTM]));
});
`,
    );
    const r = run('node', ['main.cjs'], consumer);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([[2, 3], [12], true, 'function']);
  });

  it('without require(esm), require fails with a message that says to use import()', () => {
    const r = run('node', ['-e', "require('torchlet')"], consumer, ['--no-experimental-require-module']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      `torchlet is an ES module and this Node.js (${process.version}) cannot load it with require(). ` +
        "Use `const torch = await import('torchlet')` (or `import * as torch from 'torchlet'` in an ES module), " +
        "or run Node.js >= 20.19 or >= 22.12, where require('torchlet') works.",
    );
  });

  it("imports from an ES module and loads the wasm module from the 'torchlet/torchlet.wasm' export", () => {
    writeFileSync(
      join(consumer, 'main.mjs'),
      `import * as torch from 'torchlet';
const url = import.meta.resolve('torchlet/torchlet.wasm');
torch.backends.wasm.setWasmPath(url);
await torch.backends.wasm.preload();
torch.backends.setBackend('wasm');
const y = torch.matmul(torch.ones(2, 3), torch.ones(3, 2));
console.log(JSON.stringify([torch.backends.current(), torch.backends.wasm.info().source === url, Array.from(y.dataSync())]));
`,
    );
    const r = run('node', ['main.mjs'], consumer);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['wasm', true, [3, 3, 3, 3]]);
  });
});
