import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, save } from '../../src/io/index.js';
import * as st from '../../src/io/safetensors.js';
import { loadFixture } from '../helpers/fixtures.js';
import { cli as run } from '../cli/helpers.js';
import { expectValue, fixturePath } from './helpers.js';

const fx = loadFixture('io');
const dir = mkdtempSync(join(tmpdir(), 'torchlet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('torchlet inspect', () => {
  it('lists keys, dtypes, shapes, counts and bytes of a .pt file', async () => {
    const r = await run('inspect', fixturePath('lstm.pt'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('PyTorch checkpoint');
    expect(r.out).toMatch(/weight_ih_l0\s+float32\s+\[16, 3\]\s+48\s+192/);
    const tensors = (fx.files['lstm.pt'].value.__dict__ as [string, any][]).map(([, v]) => v.__tensor__);
    const numel = tensors.reduce((a, t) => a + t.data.length, 0);
    expect(r.out.endsWith(`${tensors.length} tensors, ${numel} parameters (elements), ${numel * 4} bytes\n`)).toBe(true);
  });

  it('prints JSON with --json, with the file dtypes (float16 stays float16)', async () => {
    const r = await run('inspect', fixturePath('dtypes.pt'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('pytorch');
    const byKey = Object.fromEntries(j.tensors.map((t: any) => [t.key, t]));
    expect(byKey.float16).toEqual({ key: 'float16', dtype: 'float16', shape: [7], numel: 7, bytes: 14 });
    expect(byKey.half2d.shape).toEqual([4, 3]);
    expect(j.totals.tensors).toBe(11);
  });

  it('shows non-tensor values of an optimizer checkpoint and safetensors metadata', async () => {
    const r = await run('inspect', fixturePath('adam.pt'));
    expect(r.out).toContain('optimizer.param_groups.0.lr = 0.01');
    expect(r.out).toContain('epoch = 2');
    expect(r.out).toMatch(/optimizer\.state\.0\.exp_avg\s+float32\s+\[2, 3\]/);
    const s = await run('inspect', fixturePath('basic.safetensors'));
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/bf16\s+bfloat16\s+\[2, 2\]\s+4\s+8/);
    expect(s.out).toContain('__metadata__.format = "pt"');
  });

  it('fails clearly, with exit code 1 and one "torchlet: error:" naming the file, for missing, unreadable and refused files', async () => {
    const missingPath = join(dir, 'missing.pt');
    expect(await run('inspect', missingPath)).toEqual({ code: 1, out: '', err: `torchlet: error: ${missingPath}: no such file\n` });
    expect(await run('inspect', dir)).toEqual({ code: 1, out: '', err: `torchlet: error: ${dir}: not a regular file\n` });
    const evil = await run('inspect', fixturePath('evil_os_system.pt'));
    expect(evil.code).toBe(1);
    expect(evil.err.startsWith(`torchlet: error: ${fixturePath('evil_os_system.pt')}: Unsupported global: GLOBAL posix.system `)).toBe(true);
    expect(evil.err.endsWith(' (refused: the file tries to run code)\n')).toBe(true);
    const legacy = await run('inspect', fixturePath('legacy.pt'));
    expect(legacy.code).toBe(1);
    expect(legacy.err).toMatch(new RegExp(`^torchlet: error: ${fixturePath('legacy.pt').replace(/[.]/g, '\\.')}: this is PyTorch's legacy \\(pre-1\\.6, non-zip\\) serialization format`));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello world');
    expect((await run('inspect', text)).err).toBe(`torchlet: error: ${text}: neither a PyTorch checkpoint nor a safetensors file (the file starts with 68 65 6c 6c 6f 20 77 6f)\n`);
    // binary noise: the file is named, and nothing is said about UTF-8
    const noise = join(dir, 'random.bin');
    writeFileSync(noise, new Uint8Array(1000).map((_, i) => (i * 151 + 7) & 0xff));
    expect((await run('inspect', noise)).err).toBe(`torchlet: error: ${noise}: neither a PyTorch checkpoint nor a safetensors file (the file starts with 07 9e 35 cc 63 fa 91 28)\n`);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(fixturePath('basic.safetensors')).subarray(0, 60));
    const t = await run('inspect', truncated);
    expect(t.code).toBe(1);
    expect(t.err).toMatch(new RegExp(`^torchlet: error: ${truncated.replace(/[.]/g, '\\.')}: header size \\d+ exceeds the file`));
    for (const r of [evil, legacy, t]) expect(r.err.match(/torchlet:/g)).toHaveLength(1);
  });

  it('reports usage errors with exit code 2', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('frobnicate')).err).toContain("torchlet: error: unknown command 'frobnicate'");
    expect((await run('inspect')).code).toBe(2);
    expect((await run('inspect', 'a', '--yaml')).err).toContain("torchlet: error: unknown option '--yaml'");
    expect((await run('inspect', '--help')).code).toBe(0);
  });
});

describe('torchlet convert', () => {
  it('converts .pt to .safetensors and back, keeping dtypes and values', async () => {
    const sf = join(dir, 'dtypes.safetensors');
    const r = await run('convert', fixturePath('dtypes.pt'), sf);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*dtypes\.safetensors: 11 tensors, \d+ bytes/);
    expect(st.parse(new Uint8Array(readFileSync(sf))).tensors.find((t) => t.name === 'bfloat16')?.dtype).toBe('bfloat16');
    const pt = join(dir, 'back.pt');
    expect((await run('convert', sf, pt)).code).toBe(0);
    const back = load(pt);
    const want = fx.files['dtypes.pt'].value.__dict__ as [string, any][];
    for (const [k, v] of want) {
      const e = v.__tensor__;
      // converted tensors are contiguous copies: compare values, not geometry
      expectValue(back[k].contiguous().reshape(-1), { __tensor__: { ...e, shape: [e.data.length], stride: [1], offset: 0, storageNumel: e.data.length } });
    }
  });

  it('flattens nested checkpoints and notes the values safetensors cannot hold', async () => {
    const sf = join(dir, 'adam.safetensors');
    const r = await run('convert', fixturePath('adam.pt'), sf);
    expect(r.code).toBe(0);
    expect(r.err).toContain('torchlet: note: safetensors holds only tensors; skipped');
    const sd = st.loadFile(sf);
    expect(Object.keys(sd)).toContain('model.weight');
    expect(Object.keys(sd)).toContain('optimizer.state.0.exp_avg_sq');
  });

  it('refuses an output it cannot name (one usage format, exit code 2) and a checkpoint without tensors', async () => {
    const onnx = await run('convert', fixturePath('linear.pt'), join(dir, 'x.onnx'));
    expect(onnx).toEqual({
      code: 2,
      out: '',
      err: `torchlet: error: cannot tell the output format from "${join(dir, 'x.onnx')}": use a .pt, .pth, .bin, .ckpt or .safetensors extension\n(run with --help for usage)\n`,
    });
    // the same ending as commander's own usage errors
    expect((await run('convert', 'a')).err).toBe("torchlet: error: missing required argument 'out'\n(run with --help for usage)\n");
    const empty = join(dir, 'empty.pt');
    writeFileSync(empty, save({ a: 1 }));
    const r = await run('convert', empty, join(dir, 'e.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`torchlet: error: ${empty} holds no tensors to convert\n`);
  });
});
