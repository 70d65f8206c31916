import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, crc32, utf8Encode } from '../../src/io/bytes.js';
import { inflateRaw } from '../../src/io/inflate.js';
import { ZipReader, writeZip } from '../../src/io/zip.js';

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
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(utf8Encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it.each([
    ['stored blocks', { level: 0 }],
    ['fast', { level: 1 }],
    ['best', { level: 9 }],
    ['fixed Huffman', { level: 6, strategy: constants.Z_FIXED }],
    ['run-length', { level: 6, strategy: constants.Z_RLE }],
  ])('inflates zlib output (%s)', (_name, opts) => {
    for (const n of [0, 1, 300, 70_000]) {
      const data = sample(n, n + 1);
      expect(inflateRaw(deflateRawSync(data, opts), n)).toEqual(data);
    }
  });

  it('refuses truncated, oversized and corrupt deflate streams', () => {
    const data = sample(5000, 3);
    const z = deflateRawSync(data, { level: 9 });
    expect(() => inflateRaw(z.subarray(0, z.length >> 1), 5000)).toThrow(FormatError);
    expect(() => inflateRaw(z, 4000)).toThrow('deflate stream inflates to more than the declared 4000 bytes');
    expect(() => inflateRaw(z, 6000)).toThrow('deflate stream inflated to 5000 bytes, the zip declares 6000');
    expect(() => inflateRaw(Uint8Array.from([0xff, 0xff]), 10)).toThrow('deflate stream has an invalid block type');
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
