/**
 * The browser build reads deflated checkpoints: the library bundled as tools/build-browser.ts does
 * (esbuild, platform browser), run in a fresh V8 context with no `process` (so no Node built-ins,
 * like a page), inflates a re-zipped checkpoint with fflate and loads it.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { ZipReader, writeZip } from '../../src/io/zip.js';

const ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

describe('the browser bundle', () => {
  it('loads a deflated checkpoint without Node built-ins, and refuses a corrupt one', async () => {
    const bundle = await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', globalName: 'torch', platform: 'browser', target: 'es2022', write: false, logLevel: 'error' });
    const ctx = vm.createContext({ TextEncoder, TextDecoder, console, performance });
    vm.runInContext(bundle.outputFiles[0]!.text, ctx);
    const w = torch.linspace(-1, 1, 1000).sin();
    const pt = new ZipReader(torch.save({ w, step: 3 }));
    const deflated = writeZip(pt.names().map((name) => ({ name, data: pt.read(name), deflated: zlib.deflateRawSync(pt.read(name)) })));
    const corrupt = deflated.slice();
    const e = new ZipReader(deflated).entries.get('archive/data/0')!;
    corrupt[e.dataOffset] = 0xff; // an invalid block type
    ctx.inputs = [deflated, corrupt];
    const r = vm.runInContext(
      `const copy = (x) => { const b = new Uint8Array(x.length); b.set(x); return b; };
       const v = torch.load(copy(inputs[0]));
       let err = '';
       try { torch.load(copy(inputs[1])); } catch (e) { err = e.name + ': ' + e.message; }
       ({ node: typeof process, step: v.step, w: Array.from(v.w.dataSync()), err });`,
      ctx,
    ) as { node: string; step: number; w: number[]; err: string };
    expect(r.node).toBe('undefined');
    expect(r.step).toBe(3);
    expect(r.w).toEqual(Array.from(w.dataSync()));
    expect(r.err).toBe('FormatError: deflate stream is corrupt (invalid block type)');
  }, 60_000);
});
