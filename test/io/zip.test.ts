import * as zlib from 'node:zlib';
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, crc32, crc32Js, utf8Encode } from '../../src/io/bytes.js';
import * as torch from '../../src/index.js';
import { load, save } from '../../src/io/index.js';
import { inflateRaw, inflateRawNode, inflateRawPortable } from '../../src/io/inflate.js';
import { ZipReader, maxInflatedDefault, writeZip } from '../../src/io/zip.js';

/** Both decoders: node:zlib (what Node uses) and fflate (what browsers use). */
const DECODERS: [string, (input: Uint8Array, size: number) => Uint8Array][] = [
  ['node:zlib', (input, size) => inflateRawNode(zlib, input, size)],
  ['fflate', inflateRawPortable],
];

/** Text-like data (long repeats, for dynamic Huffman blocks and back-references) plus noise. */
function sample(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = i % 1000 < 600 ? 97 + ((i * 7) % 13) : s >>> 24;
  }
  return out;
}

describe('zip and inflate', () => {
  it('computes the standard CRC-32 check value, natively and in JavaScript alike', () => {
    for (const f of [crc32, crc32Js]) {
      expect(f(utf8Encode('123456789'))).toBe(0xcbf43926);
      expect(f(new Uint8Array(0))).toBe(0);
      const d = sample(100_003, 5);
      expect(f(d.subarray(40_000), f(d.subarray(0, 40_000)))).toBe(zlib.crc32(d));
    }
  });

  describe.each(DECODERS)('%s', (_name, inflate) => {
    it.each([
      ['stored blocks', { level: 0 }],
      ['fast', { level: 1 }],
      ['best', { level: 9 }],
      ['fixed Huffman', { level: 6, strategy: constants.Z_FIXED }],
      ['run-length', { level: 6, strategy: constants.Z_RLE }],
    ])('inflates zlib output (%s)', (_kind, opts) => {
      for (const n of [0, 1, 300, 70_000]) {
        const data = sample(n, n + 1);
        const out = inflate(deflateRawSync(data, opts), n);
        expect(out).toEqual(data);
        // a buffer of its own (fflate's has one spare byte), so storages can view it
        expect(out.byteOffset).toBe(0);
        expect(out.buffer.byteLength - n).toBeLessThanOrEqual(1);
      }
    });

    it('refuses truncated, oversized and corrupt deflate streams', () => {
      const data = sample(5000, 3);
      const z = deflateRawSync(data, { level: 9 });
      expect(() => inflate(z.subarray(0, z.length >> 1), 5000)).toThrow(FormatError);
      expect(() => inflate(z.subarray(0, z.length >> 1), 5000)).toThrow(/^deflate stream is corrupt \(unexpected (end of file|EOF)\)$/);
      expect(() => inflate(new Uint8Array(0), 0)).toThrow(/^deflate stream is corrupt \(unexpected (end of file|EOF)\)$/);
      expect(() => inflate(z, 4000)).toThrow('deflate stream inflates to more than the declared 4000 bytes');
      expect(() => inflate(z, 6000)).toThrow('deflate stream inflated to 5000 bytes, the zip declares 6000');
      expect(() => inflate(Uint8Array.from([0xff, 0xff]), 10)).toThrow('deflate stream is corrupt (invalid block type)');
      // a stored block longer than the declared size
      expect(() => inflate(Uint8Array.from([1, 5, 0, 0xfa, 0xff, 1, 2, 3, 4, 5]), 3)).toThrow('deflate stream inflates to more than the declared 3 bytes');
      // a bomb: 64 MB of zeros (64 kB compressed) declared as 1 kB allocates 1 kB and stops
      const bomb = deflateRawSync(new Uint8Array(64 << 20), { level: 9 });
      expect(() => inflate(bomb, 1024)).toThrow('deflate stream inflates to more than the declared 1024 bytes');
    });
  });

  it('uses node:zlib on Node', () => {
    const data = sample(1000, 9);
    expect(inflateRaw(deflateRawSync(data), 1000)).toEqual(data);
    expect(() => inflateRaw(Uint8Array.from([0xff, 0xff]), 10)).toThrow('deflate stream is corrupt (invalid block type)');
  });

  it('reads and writes deflated entries, and torch.load reads re-zipped checkpoints', () => {
    const x = sample(10_000, 4);
    const z = writeZip([{ name: 'a/x', data: x, deflated: deflateRawSync(x) }, { name: 'a/y', data: x }]);
    const r = new ZipReader(z);
    expect([r.entries.get('a/x')!.method, r.entries.get('a/y')!.method]).toEqual([8, 0]);
    expect(r.entries.get('a/x')!.compressedSize).toBe(deflateRawSync(x).length);
    expect(r.read('a/x')).toEqual(x);
    expect(r.read('a/y')).toEqual(x);
    const pt = new ZipReader(save({ w: torch.linspace(-1, 1, 1000).sin(), step: 3 }));
    const rezipped = writeZip(pt.names().map((name) => ({ name, data: pt.read(name), deflated: deflateRawSync(pt.read(name)) })));
    expect(rezipped.length).toBeLessThan(pt.bytes.length);
    expect(load(rezipped)).toEqual(load(pt.bytes));
  });

  it('refuses deflate bombs before allocating: 1032x per entry, and a limit on all entries together', () => {
    const zeros = deflateRawSync(new Uint8Array(1 << 24), { level: 9 }); // 16 MiB -> ~16 kB
    const declare = (z: Uint8Array, name: string, size: number): Uint8Array => {
      // rewrite the declared (uncompressed) size in the central directory
      const r = new ZipReader(z);
      const out = z.slice();
      const dv = new DataView(out.buffer);
      const cd = out.length - 22 - 20 - 56 - (46 + name.length); // one entry without extras, just before the end records
      expect(dv.getUint32(cd, true)).toBe(0x02014b50);
      dv.setUint32(cd + 24, size, true);
      expect(r.entries.get(name)!.size).not.toBe(size);
      return out;
    };
    const one = writeZip([{ name: 'z', data: new Uint8Array(1 << 24), deflated: zeros }]);
    expect(new ZipReader(one).read('z').length).toBe(1 << 24);
    expect(() => new ZipReader(declare(one, 'z', zeros.length * 1032 + 2000))).toThrow(/^zip entry z declares \d+ bytes from \d+ compressed bytes, which deflate cannot produce$/);
    // 16 MiB from ~16 kB: within the per-entry bound, beyond an explicit total limit
    expect(() => new ZipReader(one, { maxInflatedBytes: 1 << 20 })).toThrow(
      `zip archive's deflated entries inflate to more than 1048576 bytes (${one.length} bytes in the file): refused as a possible deflate bomb; if the file is trusted, raise the maxInflatedBytes option`,
    );
    expect(() => new ZipReader(one, { maxInflatedBytes: -1 })).toThrow('maxInflatedBytes must be a number >= 0, got -1');
    // the default: 16x the file, at least 256 MiB; 20 entries of 16 MiB each from ~330 kB exceed it
    expect(maxInflatedDefault(1000)).toBe(256 * 2 ** 20);
    expect(maxInflatedDefault(100e6)).toBe(1600e6);
    const many = writeZip(Array.from({ length: 20 }, (_, i) => ({ name: `z${i}`, data: new Uint8Array(1 << 24), deflated: zeros })));
    expect(() => new ZipReader(many)).toThrow(/refused as a possible deflate bomb/);
    expect(() => load(many)).toThrow(/refused as a possible deflate bomb/);
    expect(new ZipReader(many, { maxInflatedBytes: Infinity }).read('z19').length).toBe(1 << 24);
  });

  it('writes archives that it reads back, and rejects damaged directories', () => {
    const files = [{ name: 'a/x', data: sample(100, 1) }, { name: 'a/ü', data: new Uint8Array(0) }];
    const z = writeZip(files);
    const r = new ZipReader(z);
    expect(r.names()).toEqual(['a/x', 'a/ü']);
    expect(r.read('a/x')).toEqual(files[0]!.data);
    expect(() => r.read('nope')).toThrow('zip archive has no entry nope');
    expect(() => new ZipReader(z.subarray(0, z.length - 10))).toThrow('not a valid zip archive: no end of central directory record');
    const bad = z.slice();
    bad[r.entries.get('a/x')!.dataOffset - 1] ^= 0xff; // the last byte of the FB padding: harmless
    expect(new ZipReader(bad).read('a/x')).toEqual(files[0]!.data);
  });
});
