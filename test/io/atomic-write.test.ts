/**
 * Saves are atomic: torch.save and safetensors.saveFile write a temporary file in the target's
 * folder, fsync it and rename it over the target. A save that fails (disk full, fsync failing, a
 * file-size limit, the process killed mid-write) leaves the previous checkpoint intact and
 * loadable, and a failure that throws removes the temporary file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { tempPathFor, writeFileAtomic } from '../../src/io/atomic-write.js';

/** The fs module object that the library reaches through process.getBuiltinModule (patchable). */
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'torchlet-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** An ENOSPC error as the OS reports a full disk. */
function enospc(syscall: string): Error {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', syscall });
}

/** Files of a folder whose names look like our temporary files. */
const temps = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.tmp'));

/** Makes the n-th and later writeSync calls write part of their bytes, then fail like a full disk. */
function diskFullAfter(n: number): void {
  const real = fs.writeSync.bind(fs) as (fd: number, b: Uint8Array, off: number, len: number) => number;
  let calls = 0;
  vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, b: Uint8Array, off: number, len: number) => {
    if (++calls < n) return real(fd, b, off, len);
    real(fd, b, off, Math.min(len, 100)); // a partial write lands first, as on a real disk
    throw enospc('write');
  }) as typeof fs.writeSync);
}

describe('atomic saves', () => {
  const big = () => ({ w: torch.randn(256, 256), step: 2 }); // 256 kB

  it('write, replace and load, leaving no temporary file, with the temporary file beside the target', () => {
    const p = join(dir, 'plain.pt');
    torch.save({ step: 1 }, p);
    torch.save(big(), p);
    expect(torch.load(p).step).toBe(2);
    expect(temps(dir)).toEqual([]);
    const t = tempPathFor(p);
    expect(t.startsWith(join(dir, '.plain.pt.'))).toBe(true);
    expect(t.endsWith('.tmp')).toBe(true);
    expect(tempPathFor('model.pt')).toMatch(/^\.model\.pt\.\d+\.\w+\.tmp$/);
    expect(tempPathFor(p)).not.toBe(t);
  });

  it.each([
    ['torch.save', (p: string, v: { w: torch.Tensor; step: number }) => torch.save(v, p), (p: string) => torch.load(p).step.toString()],
    ['safetensors.saveFile', (p: string, v: { w: torch.Tensor; step: number }) => torch.safetensors.saveFile({ w: v.w }, p, { step: String(v.step) }), (p: string) => torch.safetensors.metadata(readFileSync(p))!.step!],
  ])('%s: a full disk leaves the previous file intact and removes the temporary file', (what, saveTo, stepOf) => {
    const p = join(dir, `full-${what}`);
    saveTo(p, { w: torch.ones(2), step: 1 });
    const before = readFileSync(p);
    diskFullAfter(1);
    expect(() => saveTo(p, big())).toThrow(`${what}: cannot write ${p}: ENOSPC: no space left on device, write`);
    vi.restoreAllMocks();
    expect(readFileSync(p)).toEqual(before);
    expect(stepOf(p)).toBe('1');
    expect(temps(dir)).toEqual([]);
  });

  it('a failing fsync or rename leaves the previous file intact and removes the temporary file', () => {
    const p = join(dir, 'fsync.pt');
    torch.save({ step: 1 }, p);
    vi.spyOn(fs, 'fsyncSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    expect(() => torch.save(big(), p)).toThrow(`torch.save: cannot write ${p}: EIO: i/o error, fsync`);
    vi.restoreAllMocks();
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' });
    });
    expect(() => torch.save(big(), p)).toThrow(`torch.save: cannot write ${p}: EXDEV: cross-device link not permitted, rename`);
    vi.restoreAllMocks();
    expect(torch.load(p).step).toBe(1);
    expect(temps(dir)).toEqual([]);
  });

  it('a file-size limit (ulimit -f) fails the save with EFBIG and leaves the previous file intact', () => {
    const sub = mkdtempSync(join(dir, 'fsize-'));
    const p = join(sub, 'model.pt');
    torch.save({ step: 1 }, p);
    const before = readFileSync(p);
    const script = `import * as torch from ${JSON.stringify(join(ROOT, 'src/index.ts'))}; torch.save({ w: torch.randn(1024, 256) }, ${JSON.stringify(p)});`;
    // 64 blocks of 512 bytes: the 1 MB checkpoint cannot be written
    const r = spawnSync('bash', ['-c', `ulimit -f 64 && exec "${process.execPath}" --import tsx --input-type=module -e "$0"`, script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`torch.save: cannot write ${p}: EFBIG: file too large, write`);
    expect(readFileSync(p)).toEqual(before);
    expect(torch.load(p).step).toBe(1);
    expect(readdirSync(sub)).toEqual(['model.pt']);
  }, 130_000);

  it('a process killed while writing leaves the previous checkpoint intact and loadable', async () => {
    const sub = mkdtempSync(join(dir, 'kill-'));
    const p = join(sub, 'model.pt');
    // saves a small checkpoint, says so, then a 256 MB one, which the test kills mid-write
    const script = `import * as torch from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
      torch.save({ step: 1, w: torch.arange(10) }, ${JSON.stringify(p)});
      const w = torch.zeros(64 << 20);
      console.log('saved');
      torch.save({ step: 2, w }, ${JSON.stringify(p)});
      console.log('done');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // wait until the second save's temporary file has bytes in it, then kill the process
    const deadline = Date.now() + 110_000;
    let partial = '';
    while (Date.now() < deadline && !out.includes('done')) {
      const t = out.includes('saved') ? temps(sub) : [];
      if (t.length && statSync(join(sub, t[0]!), { throwIfNoEntry: false })?.size) {
        partial = t[0]!;
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await exited).toBe('SIGKILL');
    expect(partial).not.toBe('');
    expect(out).not.toContain('done');
    const back = torch.load(p);
    expect(back.step).toBe(1);
    expect(back.w.tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the killed process could not clean up: its partial file is there, the checkpoint is not touched
    expect(readdirSync(sub).sort()).toEqual([partial, 'model.pt'].sort());
  }, 130_000);

  it('follows a symbolic link, keeps permissions, and refuses a folder or a missing folder clearly', () => {
    const real = join(dir, 'real.pt');
    const link = join(dir, 'link.pt');
    torch.save({ step: 1 }, real);
    chmodSync(real, 0o640);
    symlinkSync(real, link);
    torch.save({ step: 2 }, link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(torch.load(real).step).toBe(2);
    expect(statSync(real).mode & 0o777).toBe(0o640);
    const folder = join(dir, 'folder.pt');
    mkdirSync(folder);
    expect(() => torch.save({ a: 1 }, folder)).toThrow(`torch.save: cannot write ${folder}: is a directory`);
    const missing = join(dir, 'no', 'such', 'm.pt');
    expect(() => torch.save({ a: 1 }, missing)).toThrow(new RegExp(`^torch\\.save: cannot write ${missing.replace(/[.]/g, '\\.')}: ENOENT`));
    expect(existsSync(join(dir, 'no'))).toBe(false);
    expect(temps(dir)).toEqual([]);
  });

  it('writes text and refuses a path that is not a string', () => {
    const p = join(dir, 'plot.svg');
    writeFileSync(p, 'old');
    writeFileAtomic(p, '<svg/>\n', 'plot');
    expect(readFileSync(p, 'utf8')).toBe('<svg/>\n');
    expect(() => writeFileAtomic('', 'x', 'plot')).toThrow('plot: expected a file path, got an empty string');
  });
});
