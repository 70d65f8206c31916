/**
 * The CLI never prints garbage or internal errors: tiny temperatures sample like greedy decoding,
 * a diverged training run stops with a clear message and saves nothing, every error has one
 * `torchlet: error:` prefix and names its file, a checkpoint of the wrong kind says which one is
 * needed, `--version` works, and every output file is written atomically (a failed write leaves
 * the previous file intact).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { ROOT, TINY_FORECAST, TINY_TEXT, cli, spawnNode, writeInputs } from './helpers.js';

const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const dir = mkdtempSync(join(tmpdir(), 'torchlet-cli-errors-'));
const { csv, text } = writeInputs(dir);
const forecaster = join(dir, 'sales.safetensors');
const charModel = join(dir, 'chars.safetensors');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  expect((await cli('train-forecast', '--csv', csv, '--column', 'sales', ...TINY_FORECAST, '--no-plots', '--out', forecaster)).code).toBe(0);
  expect((await cli('train-text', '--text', text, ...TINY_TEXT, '--no-plots', '--out', charModel)).code).toBe(0);
}, 120_000);

/** Temporary files (ours end in .tmp) left in the test folder. */
const temps = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('no garbage', () => {
  it('sample with a tiny temperature decodes greedily (no NaN), for every temperature down to the smallest double', async () => {
    const greedy = await cli('sample', '--model', charModel, '--prime', 'the ', '--length', '40', '--temperature', '0');
    expect(greedy.code).toBe(0);
    expect(greedy.out).toMatch(/^the [ .acdeghlmnost]{40}\n$/);
    for (const t of ['1e-300', '5e-324', '1e-45', '1e-10']) {
      const r = await cli('sample', '--model', charModel, '--prime', 'the ', '--length', '40', '--temperature', t, '--seed', '5');
      expect({ t, ...r }).toEqual({ t, code: 0, out: greedy.out, err: '' });
    }
    // a huge temperature samples near-uniformly from the vocabulary: still characters, no error
    const hot = await cli('sample', '--model', charModel, '--prime', 'the ', '--length', '40', '--temperature', '1e300');
    expect(hot.out).toMatch(/^the [ .acdeghlmnost]{40}\n$/);
  });

  it.each([
    ['train-forecast', ['--csv', csv, '--column', 'sales', ...TINY_FORECAST]],
    ['train-text', ['--text', text, ...TINY_TEXT]],
  ])('%s --lr 1e300 stops with "training diverged", saves nothing and keeps the previous checkpoint', async (cmd, args) => {
    const out = join(dir, `diverged-${cmd}.safetensors`);
    const r0 = await cli(cmd, ...args, '--out', out);
    expect(r0.code).toBe(0);
    const before = readFileSync(out);
    const r = await cli(cmd, ...args, '--lr', '1e300', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^torchlet: error: training diverged at epoch [12]: loss is NaN; nothing was saved \(try a smaller --lr\)\n$/);
    expect(r.out).not.toContain('saved');
    expect(r.out).not.toContain('NaN');
    expect(readFileSync(out)).toEqual(before);
    const fresh = join(dir, `diverged-new-${cmd}.safetensors`);
    expect((await cli(cmd, ...args, '--lr', '1e300', '--out', fresh)).code).toBe(1);
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(fresh.replace('.safetensors', '.loss.svg'))).toBe(false);
  });

  it('has --version and -V', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await cli('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    expect((await cli('-V')).out).toBe(`${version}\n`);
    expect((await cli('--help')).out).toContain('-V, --version');
  });
});

describe('errors: one prefix, the file named, the right checkpoint asked for', () => {
  it('forecast and sample with a checkpoint of another kind say which checkpoint they need', async () => {
    const pt = join(dir, 'x.pt');
    torch.save({ w: torch.ones(2) }, pt);
    let r = await cli('forecast', '--model', pt, '--csv', csv, '--steps', '2');
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `torchlet: error: --model ${pt}: not a checkpoint written by torchlet train-forecast (it is a PyTorch checkpoint written by torch.save); forecast needs the .safetensors file that torchlet train-forecast --out writes\n`,
    });
    const empty = join(dir, 'empty.pt');
    writeFileSync(empty, '');
    r = await cli('forecast', '--model', empty, '--csv', csv, '--steps', '2');
    expect(r.err).toBe(
      `torchlet: error: --model ${empty}: not a checkpoint written by torchlet train-forecast (not a safetensors file: the file is 0 bytes, too small to hold the 8-byte header size); forecast needs the .safetensors file that torchlet train-forecast --out writes\n`,
    );
    r = await cli('sample', '--model', pt);
    expect(r.err).toContain('not a checkpoint written by torchlet train-text (it is a PyTorch checkpoint written by torch.save); sample needs the .safetensors file that torchlet train-text --out writes');
    r = await cli('forecast', '--model', charModel, '--csv', csv, '--steps', '2');
    expect(r.err).toBe(`torchlet: error: ${charModel} is not a torchlet forecaster checkpoint (its safetensors metadata has no format "torchlet-forecast"; train one with torchlet train-forecast)\n`);
  });

  it('inspect names a file that is not a checkpoint, and no message repeats the prefix', async () => {
    const noise = join(dir, 'noise.bin');
    writeFileSync(noise, Uint8Array.from({ length: 4096 }, (_, i) => (i * 197 + 11) & 0xff));
    const runs = [
      await cli('inspect', noise),
      await cli('inspect', join(dir, 'gone.pt')),
      await cli('convert', noise, join(dir, 'n.safetensors')),
      await cli('convert', forecaster, join(dir, 'n.onnx')),
      await cli('forecast', '--model', join(dir, 'gone.safetensors'), '--csv', csv, '--steps', '1'),
      await cli('train-forecast', '--csv', csv, '--column', 'nope'),
      await cli('sample', '--model', charModel, '--prime', 'xyz'),
    ];
    expect(runs[0]!.err).toBe(`torchlet: error: ${noise}: neither a PyTorch checkpoint nor a safetensors file (the file starts with 0b d0 95 5a 1f e4 a9 6e)\n`);
    expect(runs[1]!.err).toBe(`torchlet: error: ${join(dir, 'gone.pt')}: no such file\n`);
    for (const r of runs) {
      expect(r.code).toBeGreaterThan(0);
      expect(r.err).toMatch(/^torchlet: error: /);
      expect(r.err.match(/torchlet:/g)).toHaveLength(1);
    }
  });

  it('runs as a process: --version, and an error exit code', () => {
    const v = spawnNode(['bin/torchlet.js', '--version']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+/);
    const r = spawnNode(['bin/torchlet.js', 'sample', '--model', join(dir, 'x.pt')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^torchlet: error: --model \S+x\.pt: not a checkpoint written by torchlet train-text/);
  });
});

describe('atomic outputs', () => {
  /** Makes every write fail like a full disk, after writing a few bytes. */
  function diskFull(): void {
    const real = fs.writeSync.bind(fs) as (fd: number, b: Uint8Array, off: number, len: number) => number;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, b: Uint8Array, off: number, len: number): number => {
      real(fd, b, off, Math.min(len, 10));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as typeof fs.writeSync);
  }

  it.each([
    ['train-forecast --out', (out: string) => ['train-forecast', '--csv', csv, '--column', 'sales', ...TINY_FORECAST, '--no-plots', '--seed', '3', '--out', out]],
    ['train-text --out', (out: string) => ['train-text', '--text', text, ...TINY_TEXT, '--no-plots', '--seed', '3', '--out', out]],
    ['convert', (out: string) => ['convert', forecaster, out.replace('.safetensors', '.pt')]],
    ['forecast --plot', (out: string) => ['forecast', '--model', forecaster, '--csv', csv, '--steps', '3', '--plot', out.replace('.safetensors', '.svg')]],
  ])('%s: a full disk fails clearly and leaves the previous file intact, with no temporary file', async (what, argv) => {
    const name = join(dir, `atomic-${what.split(' ')[0]}.safetensors`);
    const args = argv(name);
    const target = args[args.length - 1]!;
    writeFileSync(target, 'previous contents');
    diskFull();
    const r = await cli(...args);
    vi.restoreAllMocks();
    expect(r.code).toBe(1);
    expect(r.err.split('\n').filter((l) => l.startsWith('torchlet: error:'))).toEqual([`torchlet: error: cannot write ${target}: ENOSPC: no space left on device, write`]);
    expect(r.err.endsWith(`torchlet: error: cannot write ${target}: ENOSPC: no space left on device, write\n`)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('previous contents');
    expect(temps()).toEqual([]);
    // and the same command succeeds once the disk has room
    expect((await cli(...args)).code).toBe(0);
    expect(readFileSync(target, 'utf8')).not.toBe('previous contents');
    expect(temps()).toEqual([]);
  });
});
