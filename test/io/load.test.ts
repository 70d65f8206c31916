import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { FormatError, RawTensor, UnpicklingError, load, readCheckpoint, save } from '../../src/io/index.js';
import { unpickle } from '../../src/io/unpickler.js';
import { RawStorage } from '../../src/io/dtypes.js';
import { loadFixture } from '../helpers/fixtures.js';
import { expectValue, fixtureBytes, fixturePath } from './helpers.js';

const fx = loadFixture('io');
/** One byte per char (latin1), for hand-written pickles. */
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const names = Object.keys(fx.files) as string[];

describe('torch.load reads files written by PyTorch 1.13', () => {
  it.each(names)('%s from a path', (name) => {
    expectValue(load(fixturePath(name)), fx.files[name].value);
  });

  it.each(names)('%s from bytes, then saved and loaded again', (name) => {
    const bytes = fixtureBytes(name);
    const copy = bytes.slice();
    const v = load(bytes);
    expectValue(v, fx.files[name].value);
    // loading from bytes copies: writing to a tensor leaves the input alone
    expect(bytes).toEqual(copy);
    expectValue(load(save(v)), fx.files[name].value);
  });

  it('keeps the state_dict _metadata non-enumerable, as Module.stateDict() makes it', () => {
    const sd = load(fixturePath('linear.pt'));
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    expect(Object.getOwnPropertyDescriptor(sd, '_metadata')?.enumerable).toBe(false);
  });

  it('loads state dicts into modules', () => {
    const lin = new torch.nn.Linear(3, 2);
    lin.loadStateDict(load(fixturePath('linear.pt')));
    expectValue(lin.stateDict(), fx.files['linear.pt'].value);
    const seq = new torch.nn.Sequential(new torch.nn.Linear(4, 5), new torch.nn.ReLU(), new torch.nn.Linear(5, 2));
    seq.loadStateDict(load(fixturePath('sequential.pt')));
    expectValue(seq.stateDict(), fx.files['sequential.pt'].value);
  });

  it('resumes an Adam run from a PyTorch checkpoint and matches PyTorch after one more step', () => {
    const ck = load(fixturePath('adam.pt'));
    const model = new torch.nn.Linear(3, 2);
    model.loadStateDict(ck.model);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.5 });
    opt.loadStateDict(ck.optimizer);
    expect(ck.optimizer.state).toBeInstanceOf(Map);
    expect(opt.paramGroups[0]!.lr).toBe(0.01);
    opt.zeroGrad();
    model.forward(torch.tensor(fx.resume.input)).pow(2).sum().backward();
    opt.step();
    const after = fx.resume.after.__dict__ as [string, any][];
    const sd = model.stateDict();
    for (const [k, v] of after) {
      const got = Array.from(sd[k]!.dataSync());
      v.__tensor__.data.forEach((x: number, i: number) => expect(got[i]).toBeCloseTo(x, 6));
    }
  });

  it('loads an SGD state dict (momentum buffers, nesterov) into an optimizer', () => {
    const sd = load(fixturePath('sgd.pt'));
    const m = new torch.nn.Linear(2, 2);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 1 });
    opt.loadStateDict(sd);
    expect(opt.paramGroups[0]!.nesterov).toBe(true);
    expect(opt.paramGroups[0]!.momentum).toBe(0.9);
  });
});

describe('torch.load refuses what it must not run or cannot hold', () => {
  const evil = Object.keys(fx.refused).filter((n) => n.startsWith('evil_'));

  it.each(evil)('%s: refused by name, nothing executed', (name) => {
    const r = fx.refused[name];
    // PyTorch 1.13 with weights_only=True refuses it too
    expect(r.error.type).toBe('UnpicklingError');
    expect(() => load(fixturePath(name))).toThrow(UnpicklingError);
    expect(() => load(fixturePath(name))).toThrow(`Unsupported global: GLOBAL ${r.global}`);
    expect(existsSync(fx.marker)).toBe(false);
  });

  it('names the global for raw pickles too (GLOBAL, STACK_GLOBAL, INST)', () => {
    const g = bytesOf('\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85R.');
    expect(() => unpickle(g, () => { throw new Error('no storages'); })).toThrow('Unsupported global: GLOBAL os.system');
    const sg = bytesOf('\x80\x04\x8c\x08builtins\x8c\x04eval\x93.');
    expect(() => unpickle(sg, () => { throw new Error('no storages'); })).toThrow('Unsupported global: GLOBAL builtins.eval');
    const inst = bytesOf("(S'ls'\nios\nsystem\n.");
    expect(() => unpickle(inst, () => { throw new Error('no storages'); })).toThrow('Unsupported global: GLOBAL os.system');
  });

  it("reads PyTorch 2.x's rebuild forms: _rebuild_from_type_v2 and _rebuild_parameter_with_state", () => {
    const u = (x: string): string => `U${String.fromCharCode(x.length)}${x}`;
    const tensorArgs = `((${u('storage')}ctorch\nFloatStorage\n${u('0')}${u('cpu')}K\x02tQK\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rt`;
    const storage = (_c: string, key: string, _l: string, numel: number): RawStorage => new RawStorage('float32', new Uint8Array(numel * 4), key);
    const fromType = bytesOf(`\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(ctorch._utils\n_rebuild_tensor_v2\nctorch\nTensor\n${tensorArgs}}tR.`);
    const t = unpickle(fromType, storage) as RawTensor;
    expect(t.shape).toEqual([2]);
    expect(t.isParameter).toBe(false);
    const withState = bytesOf(`\x80\x02ctorch._utils\n_rebuild_parameter_with_state\n(ctorch._utils\n_rebuild_tensor_v2\n${tensorArgs}R\x88ccollections\nOrderedDict\n)R}tR.`);
    const p = unpickle(withState, storage) as RawTensor;
    expect(p.isParameter).toBe(true);
    expect(p.requiresGrad).toBe(true);
    const nested = bytesOf(`\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(ctorch._tensor\n_rebuild_from_type_v2\nctorch\nTensor\n)}tR.`);
    expect(() => unpickle(nested, storage)).toThrow('unsupported rebuild function torch._tensor._rebuild_from_type_v2');
  });

  it('refuses the legacy (pre-1.6) format with a clear error', () => {
    expect(fx.refused['legacy.pt'].torch_loads).toBeTruthy();
    expect(() => load(fixturePath('legacy.pt'))).toThrow(FormatError);
    expect(() => load(fixturePath('legacy.pt'))).toThrow("PyTorch's legacy (pre-1.6, non-zip) serialization format");
  });

  it('refuses TorchScript archives', () => {
    expect(() => load(fixturePath('torchscript.pt'))).toThrow('this is a TorchScript archive (torch.jit.save)');
  });

  it('refuses int64 tensor values beyond 2^53, naming the value', () => {
    expect(fx.refused['int64_beyond.pt'].torch_loads).toBeTruthy();
    expect(() => load(fixturePath('int64_beyond.pt'))).toThrow('int64 value 9007199254740993 (element 0 of storage data/1) is beyond 2^53');
  });

  it('says what a file is when it is not a checkpoint', () => {
    expect(() => load(new Uint8Array(0))).toThrow('torch.load: the file is empty');
    expect(() => load(fixtureBytes('basic.safetensors'))).toThrow('this looks like a safetensors file; use torch.safetensors.load');
    expect(() => load(new TextEncoder().encode('hello world'))).toThrow('not a PyTorch checkpoint (expected a zip archive; the file starts with 68 65 6c 6c 6f 20 77 6f)');
    // binary noise (bytes that are not UTF-8 where a tar archive says "ustar")
    const noise = new Uint8Array(1000).map((_, i) => (i * 151 + 7) & 0xff);
    expect(() => load(noise)).toThrow('torch.load: not a PyTorch checkpoint (expected a zip archive; the file starts with 07 9e 35 cc 63 fa 91 28)');
    expect(() => load(fixturePath('does-not-exist.pt'))).toThrow(/torch\.load: cannot read .*does-not-exist\.pt: ENOENT/);
    expect(() => load(42 as never)).toThrow('torch.load: expected a file path or bytes (Uint8Array), got number');
  });

  it('reports the zip layout problems of hand-made archives', () => {
    const z = save({ a: torch.ones(2) });
    const cut = z.slice(0, z.length - 30);
    expect(() => load(cut)).toThrow(FormatError);
    const flipped = z.slice();
    flipped[100] ^= 0xff; // inside data.pkl
    expect(() => load(flipped)).toThrow('zip entry archive/data.pkl is corrupt (CRC-32 mismatch)');
  });

  it('keeps file dtypes in readCheckpoint (for inspect and convert)', () => {
    const { value, root, byteorder } = readCheckpoint(fixtureBytes('dtypes.pt'));
    expect(root).toBe('dtypes');
    expect(byteorder).toBe('little');
    const v = value as Record<string, RawTensor>;
    expect(v.float16!.dtype).toBe('float16');
    expect(v.uint8!.dtype).toBe('uint8');
    expect(readCheckpoint(fixtureBytes('bigendian.pt')).byteorder).toBe('big');
  });

  it('shares the input buffer with copy: false, where aligned', () => {
    const bytes = fixtureBytes('views.pt');
    const v = load(bytes, { copy: false });
    expect(v.base.storage.data.buffer).toBe(bytes.buffer);
    const before = bytes.slice();
    v.base.storage.data[0] = 123;
    expect(bytes).not.toEqual(before);
  });
});
