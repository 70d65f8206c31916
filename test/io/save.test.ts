import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { load, save } from '../../src/io/index.js';
import { PyTuple, unpickle } from '../../src/io/unpickler.js';
import { ZipReader } from '../../src/io/zip.js';
import { RawStorage, STORAGE_CLASS_DTYPE, STORED } from '../../src/io/dtypes.js';
import { expectValue, fixturePath } from './helpers.js';

const PYTHON = '/usr/bin/python3';
/** Whether the PyTorch oracle is installed here; without it the committed fixtures cover loading. */
const HAS_TORCH = spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 120_000 }).status === 0;
/** A persistent_load that returns zero-filled storages (for looking at pickles alone). */
const zeroStorage = (cls: string, key: string, _loc: string, numel: number): RawStorage => {
  const dtype = STORAGE_CLASS_DTYPE.get(cls)!;
  return new RawStorage(dtype, new Uint8Array(numel * STORED[dtype].itemsize), key);
};
const ROUNDTRIP = fileURLToPath(new URL('../../tools/fixtures/io_roundtrip.py', import.meta.url));

/** Objects torchlet saves for PyTorch to read (deterministic). */
function objects(): { files: Record<string, unknown>; resumed: Record<string, torch.Tensor> } {
  torch.manualSeed(0);
  const lin = new torch.nn.Linear(3, 2);
  const seq = new torch.nn.Sequential(new torch.nn.Linear(4, 5), new torch.nn.ReLU(), new torch.nn.Linear(5, 2));
  const base = torch.arange(24, { dtype: 'float32' }).reshape(4, 6);
  const p = new torch.nn.Parameter(torch.randn(2, 2));
  const views = {
    base,
    row: base.select(0, 1),
    col: base.select(1, 2),
    t: base.transpose(0, 1),
    narrow: base.narrow(0, 1, 2).narrow(1, 2, 3),
    expand: torch.tensor([7]).expand([3, 4]),
    scalar: base.select(0, 2).select(0, 3),
    other: torch.linspace(-1, 1, 5),
  };
  const nested = {
    ints: [0, 1, 255, 256, 65535, 65536, -1, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -(2 ** 53)],
    big: 2n ** 70n,
    negBig: -(2n ** 64n) - 5n,
    floats: [0.25, -0, Infinity, -Infinity, NaN, 1e-308, 1.5],
    map: new Map<unknown, unknown>([[1, 'one'], [-3, 'minus three'], ['s', null]]),
    list: [base, [torch.ones(2), 3], 'str', true, false, null],
    unicode: 'naïve ✓ 日本 \u{1F600}',
    bytes: new Uint8Array([0, 255, 16, 97]),
    set: new Set([1, 2, 3]),
    dtypes: {
      f64: torch.tensor([1e300, -2.5], { dtype: 'float64' }),
      i64: torch.tensor([0, -1, 2 ** 53, -(2 ** 53)], { dtype: 'int64' }),
      i32: torch.tensor([2 ** 31 - 1, -(2 ** 31)], { dtype: 'int32' }),
      bool: torch.tensor([true, false, true] as never, { dtype: 'bool' }),
      f16: torch.tensor([1.5, -0.1, 65504, 6e-8, Infinity], { dtype: 'float16' }),
      bf16: torch.tensor([1.5, -0.1, 3e38, 1e-39], { dtype: 'bfloat16' }).reshape(2, 2).t(),
      i16: torch.tensor([32767, -32768, 5], { dtype: 'int16' }),
      i8: torch.tensor([127, -128, 0], { dtype: 'int8' }),
      u8: torch.tensor([0, 255, 17], { dtype: 'uint8' }),
    },
    empty: { obj: {}, list: [] as unknown[], tensor: torch.zeros(0, 3) },
    deep: { a: { b: [1, 2, { c: torch.tensor([1, 2, 3], { dtype: 'int64' }) }] } },
  };
  const params = { p, frozen: new torch.nn.Parameter(torch.randn(3), false), rg: torch.randn(2).requiresGrad_(), plain: torch.randn(2), pAgain: p };

  // two Adam steps in torchlet, then a checkpoint that PyTorch resumes for one step
  const model = new torch.nn.Linear(3, 2);
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1 });
  const xs = torch.randn(3, 4, 3);
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    model.forward(xs.select(0, i)).pow(2).sum().backward();
    opt.step();
  }
  const train = { model: model.stateDict(), optimizer: opt.stateDict(), input: xs.select(0, 2) };
  const saved = save(train); // before the next step changes the shared state tensors
  opt.zeroGrad();
  model.forward(xs.select(0, 2)).pow(2).sum().backward();
  opt.step();
  return {
    files: { 'module_linear.pt': lin.stateDict(), 'module_seq.pt': seq.stateDict(), 'views.pt': views, 'nested.pt': nested, 'params.pt': params, 'train.pt': saved },
    resumed: model.stateDict() as Record<string, torch.Tensor>,
  };
}

describe('torch.save', () => {
  it('writes PyTorch\'s zip layout with 64-byte aligned records', () => {
    const bytes = save({ w: torch.ones(2, 2), b: torch.zeros(3, { dtype: 'int64' }) });
    const zip = new ZipReader(bytes);
    expect(zip.names()).toEqual(['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
    for (const e of zip.entries.values()) expect(e.dataOffset % 64).toBe(0);
    expect(new TextDecoder().decode(zip.read('archive/version'))).toBe('3\n');
    expect(new TextDecoder().decode(zip.read('archive/byteorder'))).toBe('little');
    expect(zip.read('archive/data/1').length).toBe(24);
  });

  it('round-trips through its own loader, keeping shared storages, parameters and Python types', () => {
    const { files } = objects();
    for (const [name, obj] of Object.entries(files)) {
      if (obj instanceof Uint8Array) continue;
      const back = load(save(obj as object));
      if (name === 'nested.pt') {
        const n = back as any;
        expect(n.big).toBe(2n ** 70n);
        expect(n.negBig).toBe(-(2n ** 64n) - 5n);
        expect(n.map).toBeInstanceOf(Map);
        expect([...n.map.keys()]).toEqual([1, -3, 's']);
        expect(Object.is(n.floats[1], -0)).toBe(true);
        expect(n.floats[4]).toBeNaN();
        expect(n.set).toEqual(new Set([1, 2, 3]));
        expect(Array.from(n.bytes)).toEqual([0, 255, 16, 97]);
        expect(n.unicode).toBe('naïve ✓ 日本 \u{1F600}');
        expect(n.list[0].storage).toBe(n.list[0].storage);
        expect(n.dtypes.i64.tolist()).toEqual([0, -1, 2 ** 53, -(2 ** 53)]);
        expect(n.dtypes.bool.dtype).toBe('bool');
      }
      if (name === 'views.pt') {
        const v = back as Record<string, torch.Tensor>;
        for (const k of ['row', 'col', 't', 'narrow', 'scalar']) expect(v[k]!.storage).toBe(v.base!.storage);
        expect(v.t!.stride()).toEqual([1, 6]);
        expect(v.narrow!.storageOffset()).toBe(8);
        expect(v.expand!.stride()).toEqual([0, 0]);
        expect(v.narrow!.tolist()).toEqual((files['views.pt'] as any).narrow.tolist());
      }
      if (name === 'params.pt') {
        const v = back as Record<string, torch.Tensor>;
        expect(v.p).toBeInstanceOf(torch.nn.Parameter);
        expect(v.p!.requiresGrad).toBe(true);
        expect(v.frozen).toBeInstanceOf(torch.nn.Parameter);
        expect(v.frozen!.requiresGrad).toBe(false);
        expect(v.rg!.requiresGrad).toBe(true);
        expect(v.rg).not.toBeInstanceOf(torch.nn.Parameter);
        expect(v.pAgain).toBe(v.p);
      }
    }
  });

  it('writes tuples back as tuples and OrderedDicts as OrderedDicts', () => {
    const bytes = save(load(fixturePath('nested.pt')));
    const zip = new ZipReader(bytes);
    const v = unpickle(zip.read('archive/data.pkl'), zeroStorage) as any;
    const list = v.map.get('list') as unknown[];
    expect(list[1]).toBeInstanceOf(PyTuple);
    const sd = unpickle(new ZipReader(save(load(fixturePath('linear.pt')))).read('archive/data.pkl'), zeroStorage) as any;
    expect(sd.ordered).toBe(true);
    expect([...sd.attrs.keys()]).toEqual(['_metadata']);
  });

  it('saves to a path and loads from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlet-io-'));
    try {
      const f = join(dir, 'x.pt');
      expect(save({ a: torch.ones(3) }, f)).toBeUndefined();
      expect(load(f).a.tolist()).toEqual([1, 1, 1]);
      expect(readFileSync(f).subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses values it cannot represent, with what to do instead', () => {
    expect(() => save(() => 1)).toThrow('torch.save: cannot save a value of type function');
    expect(() => save({ m: new torch.nn.Linear(1, 1) })).toThrow('torch.save: cannot save a value of type Linear; save its stateDict() instead');
    expect(() => save({ d: new Date(0) })).toThrow('torch.save: cannot save a value of type Date');
    expect(() => save(new Map([[{}, 1]]))).toThrow('torch.save: dict keys must be strings, numbers, booleans, null or tuples (arrays)');
    expect(() => save({ a: 1 }, '')).toThrow('torch.save: expected a file path, got an empty string');
  });
});

describe.runIf(HAS_TORCH)('PyTorch 1.13 reads what torch.save writes (runs where /usr/bin/python3 has torch)', () => {
  it('loads every file with weights_only=True (floats, sets, bytes: 2.x), into modules and a resumed optimizer', () => {
    const { files, resumed } = objects();
    const dir = mkdtempSync(join(tmpdir(), 'torchlet-io-'));
    try {
      for (const [name, obj] of Object.entries(files)) writeFileSync(join(dir, name), obj instanceof Uint8Array ? obj : save(obj));
      const r = spawnSync(PYTHON, [ROUNDTRIP, dir], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const seen = JSON.parse(r.stdout) as Record<string, any>;
      for (const [name, obj] of Object.entries(files)) {
        const value = obj instanceof Uint8Array ? load(obj) : obj;
        expectValue(value, seen[name].value, name);
      }
      // only files with Python floats, sets or bytes need PyTorch 2.x's loader (an optimizer's lr; nested.pt)
      expect(seen['module_linear.pt'].weightsOnly).toBe(true);
      expect(seen['module_seq.pt'].weightsOnly).toBe(true);
      expect(seen['views.pt'].weightsOnly).toBe(true);
      expect(seen['params.pt'].weightsOnly).toBe(true);
      expect(seen['train.pt'].weightsOnly).toBe('v2');
      expectValue((files['module_linear.pt'] as object), seen['module_linear.pt'].loaded);
      expectValue((files['module_seq.pt'] as object), seen['module_seq.pt'].loaded);
      for (const [k, v] of seen['train.pt'].resumed.__dict__ as [string, any][]) {
        const got = Array.from(resumed[k]!.dataSync());
        v.__tensor__.data.forEach((x: number, i: number) => expect(got[i]).toBeCloseTo(x, 6));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
