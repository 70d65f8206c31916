import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { readCheckpoint } from '../../src/io/index.js';
import { STORED } from '../../src/io/dtypes.js';
import * as st from '../../src/io/safetensors.js';
import { loadFixture } from '../helpers/fixtures.js';
import { expectValue, fixtureBytes, fixturePath } from './helpers.js';

const fx = loadFixture('io');

/** A safetensors file from a header object and data bytes (padding the header as the spec says). */
function file(header: object, data: Uint8Array | number): Uint8Array {
  let h = JSON.stringify(header);
  h += ' '.repeat((8 - (h.length % 8)) % 8);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(new TextEncoder().encode(h), 8);
  out.set(d, 8 + h.length);
  return out;
}

describe('torch.safetensors', () => {
  const want = fx.safetensors['basic.safetensors'];

  it('loads every dtype of a file written per the spec, each as itself', () => {
    expectValue(st.load(fixtureBytes('basic.safetensors')), want.value);
    expectValue(st.loadFile(fixturePath('basic.safetensors')), want.value);
    expect(st.metadata(fixtureBytes('basic.safetensors'))).toEqual(want.metadata);
  });

  it('views the input without copying where aligned, and copies on request', () => {
    const bytes = fixtureBytes('basic.safetensors');
    const sd = st.load(bytes);
    expect(sd.f32!.storage.data.buffer).toBe(bytes.buffer);
    expect(sd.f64!.storage.data.buffer).toBe(bytes.buffer);
    expect(st.load(bytes, { copy: true }).f32!.storage.data.buffer).not.toBe(bytes.buffer);
    // unaligned input still loads (copying)
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    expectValue(st.load(shifted), want.value);
  });

  it('round-trips through save, keeping key order, dtypes and metadata, with aligned data', () => {
    const sd = st.load(fixtureBytes('basic.safetensors'));
    const bytes = st.save(sd, { format: 'pt' });
    const headerLen = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLen) % 8).toBe(0);
    const back = st.load(bytes);
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const k of Object.keys(sd)) {
      expect(back[k]!.dtype).toBe(sd[k]!.dtype);
      expect(back[k]!.tolist()).toEqual(sd[k]!.tolist());
    }
    expect(st.metadata(bytes)).toEqual({ format: 'pt' });
    for (const { bytes: b, dtype } of st.parse(bytes).tensors) expect(b.byteOffset % STORED[dtype].itemsize).toBe(0);
  });

  it('saves non-contiguous views as their elements, from a Map too', () => {
    const base = torch.arange(6, { dtype: 'float32' }).reshape(2, 3);
    const back = st.load(st.save(new Map([['t', base.transpose(0, 1)]])));
    expect(back.t!.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it('keeps file dtypes when converting a raw checkpoint tensor', () => {
    const raw = readCheckpoint(fixtureBytes('dtypes.pt')).value as Record<string, any>;
    const bytes = st.save({ h: raw.float16, u: raw.uint8, t: raw.half2d });
    const parsed = st.parse(bytes);
    expect(parsed.tensors.map((t) => t.dtype)).toEqual(['float16', 'uint8', 'float16']);
    const d = fx.files['dtypes.pt'].value.__dict__ as [string, any][];
    const expected = Object.fromEntries(d.map(([k, v]) => [k, v.__tensor__.data]));
    expect(st.load(bytes).h!.tolist()).toEqual(expected.float16.map((x: unknown) => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x)));
    expect(st.load(bytes).t!.dataSync()).toEqual(Float32Array.from(expected.half2d));
  });

  it('saves to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlet-st-'));
    try {
      st.saveFile({ a: torch.ones(2) }, join(dir, 'a.safetensors'), { k: 'v' });
      expect(st.loadFile(join(dir, 'a.safetensors')).a!.tolist()).toEqual([1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: [string, Uint8Array, string][] = [
    ['too small', new Uint8Array(4), 'safetensors: the file is 4 bytes, too small to hold the 8-byte header size'],
    ['header past the end', file({}, 0).slice(0, 9), 'safetensors: header size 8 exceeds the file (1 bytes after the size field); the file is truncated or not safetensors'],
    ['header too large', Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0]), "safetensors: header size 4294967296 exceeds the format's limit of 100000000 bytes"],
    ['not an object', file([1] as never, 0), 'safetensors: the header must be a JSON object starting with "{"'],
    ['bad JSON', (() => { const f = file({ a: 1 }, 0); f[12] = 0x22; return f; })(), 'safetensors: the header is not valid JSON'],
    ['unsupported dtype', file({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), 'safetensors: tensor "a" has unsupported dtype "F8_E4M3"'],
    ['negative shape', file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0), 'safetensors: tensor "a" has an invalid shape [-1]'],
    ['bad offsets', file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), 'safetensors: tensor "a" has invalid data_offsets [4,0]'],
    ['wrong size', file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), 'safetensors: tensor "a" has 8 bytes, but dtype F32 and shape [3] need 12'],
    ['out of range', file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), 'safetensors: tensor "a" has data_offsets [0, 16] beyond the 8 data bytes'],
    ['overlap', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), 'safetensors: tensor "b" overlaps another tensor (data_offsets [4, 12])'],
    ['hole', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12), 'safetensors: the data has a hole before tensor "b" (bytes 4 to 8 belong to no tensor)'],
    ['trailing bytes', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), 'safetensors: the tensors cover 4 of the 8 data bytes (the rest belongs to no tensor)'],
    ['bad metadata', file({ __metadata__: { a: 1 } }, 0), 'safetensors: __metadata__ values must be strings, but "a" is number'],
    ['I64 beyond 2^53', file({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, Uint8Array.from([1, 0, 0, 0, 0, 0, 0x20, 0])), 'safetensors: int64 value 9007199254740993 (element 0 of storage a) is beyond 2^53'],
  ];
  it.each(bad)('refuses a file with %s', (_name, bytes, message) => {
    expect(() => st.load(bytes)).toThrow(st.SafetensorError);
    expect(() => st.load(bytes)).toThrow(message);
  });

  it('refuses inputs it cannot save or read', () => {
    expect(() => st.save({ a: 1 } as never)).toThrow('safetensors.save: "a" is not a tensor');
    expect(() => st.save({ __metadata__: torch.ones(1) })).toThrow('safetensors.save: "__metadata__" is reserved and cannot name a tensor');
    expect(() => st.save({ a: torch.ones(1) }, { k: 1 } as never)).toThrow('safetensors.save: metadata values must be strings, but "k" is number');
    expect(() => st.load('x' as never)).toThrow('safetensors.load: expected bytes (Uint8Array), got string');
    expect(() => st.loadFile(fixturePath('nope.safetensors'))).toThrow(/safetensors\.loadFile: cannot read .*nope\.safetensors/);
  });
});
