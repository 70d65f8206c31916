import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/io-commands.js';
import { load, save } from '../../src/io/index.js';
import * as st from '../../src/io/safetensors.js';
import { loadFixture } from '../helpers/fixtures.js';
import { expectValue, fixturePath } from './helpers.js';

const fx = loadFixture('io');
const dir = mkdtempSync(join(tmpdir(), 'torchlet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('torchlet inspect', () => {
  it('lists keys, dtypes, shapes, counts and bytes of a .pt file', () => {
    const r = run('inspect', fixturePath('lstm.pt'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('PyTorch checkpoint');
    expect(r.out).toMatch(/weight_ih_l0\s+float32\s+\[16, 3\]\s+48\s+192/);
    const tensors = (fx.files['lstm.pt'].value.__dict__ as [string, any][]).map(([, v]) => v.__tensor__);
    const numel = tensors.reduce((a, t) => a + t.data.length, 0);
    expect(r.out.endsWith(`${tensors.length} tensors, ${numel} parameters (elements), ${numel * 4} bytes\n`)).toBe(true);
  });

  it('prints JSON with --json, with the file dtypes (float16 stays float16)', () => {
    const r = run('inspect', fixturePath('dtypes.pt'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('pytorch');
    const byKey = Object.fromEntries(j.tensors.map((t: any) => [t.key, t]));
    expect(byKey.float16).toEqual({ key: 'float16', dtype: 'float16', shape: [7], numel: 7, bytes: 14 });
    expect(byKey.half2d.shape).toEqual([4, 3]);
    expect(j.totals.tensors).toBe(11);
  });

  it('shows non-tensor values of an optimizer checkpoint and safetensors metadata', () => {
    const r = run('inspect', fixturePath('adam.pt'));
    expect(r.out).toContain('optimizer.param_groups.0.lr = 0.01');
    expect(r.out).toContain('epoch = 2');
    expect(r.out).toMatch(/optimizer\.state\.0\.exp_avg\s+float32\s+\[2, 3\]/);
    const s = run('inspect', fixturePath('basic.safetensors'));
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/bf16\s+bfloat16\s+\[2, 2\]\s+4\s+8/);
    expect(s.out).toContain('__metadata__.format = "pt"');
  });

  it('fails clearly, with exit code 1, for missing, unreadable and refused files', () => {
    const missing = run('inspect', join(dir, 'missing.pt'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^torchlet: error: torchlet: cannot read .*missing\.pt: ENOENT/);
    const evil = run('inspect', fixturePath('evil_os_system.pt'));
    expect(evil.code).toBe(1);
    expect(evil.err).toContain('Unsupported global: GLOBAL posix.system');
    expect(evil.err).toContain('(refused: the file tries to run code)');
    const legacy = run('inspect', fixturePath('legacy.pt'));
    expect(legacy.code).toBe(1);
    expect(legacy.err).toContain("legacy (pre-1.6, non-zip) serialization format");
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello world');
    expect(run('inspect', text).err).toContain('not a PyTorch checkpoint');
  });

  it('reports usage errors with exit code 2', () => {
    expect(run().code).toBe(2);
    expect(run('frobnicate').err).toContain('torchlet: unknown command "frobnicate"');
    expect(run('inspect').code).toBe(2);
    expect(run('inspect', 'a', '--yaml').err).toContain('unknown option --yaml for inspect');
    expect(run('--help').code).toBe(0);
  });
});

describe('torchlet convert', () => {
  it('converts .pt to .safetensors and back, keeping dtypes and values', () => {
    const sf = join(dir, 'dtypes.safetensors');
    const r = run('convert', fixturePath('dtypes.pt'), sf);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*dtypes\.safetensors: 11 tensors, \d+ bytes/);
    expect(st.parse(new Uint8Array(readFileSync(sf))).tensors.find((t) => t.name === 'bfloat16')?.dtype).toBe('bfloat16');
    const pt = join(dir, 'back.pt');
    expect(run('convert', sf, pt).code).toBe(0);
    const back = load(pt);
    const want = fx.files['dtypes.pt'].value.__dict__ as [string, any][];
    for (const [k, v] of want) {
      const e = v.__tensor__;
      // converted tensors are contiguous copies: compare values, not geometry
      expectValue(back[k].contiguous().reshape(-1), { __tensor__: { ...e, shape: [e.data.length], stride: [1], offset: 0, storageNumel: e.data.length } });
    }
  });

  it('flattens nested checkpoints and notes the values safetensors cannot hold', () => {
    const sf = join(dir, 'adam.safetensors');
    const r = run('convert', fixturePath('adam.pt'), sf);
    expect(r.code).toBe(0);
    expect(r.err).toContain('torchlet: note: safetensors holds only tensors; skipped');
    const sd = st.loadFile(sf);
    expect(Object.keys(sd)).toContain('model.weight');
    expect(Object.keys(sd)).toContain('optimizer.state.0.exp_avg_sq');
  });

  it('refuses an output it cannot name and a checkpoint without tensors', () => {
    expect(run('convert', fixturePath('linear.pt'), join(dir, 'x.onnx')).code).toBe(2);
    const empty = join(dir, 'empty.pt');
    writeFileSync(empty, save({ a: 1 }));
    const r = run('convert', empty, join(dir, 'e.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('holds no tensors to convert');
  });
});
