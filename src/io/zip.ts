/**
 * A minimal zip reader and writer for PyTorch checkpoints.
 *
 * Reading: the central directory (zip64 included, which PyTorch always writes), entries stored
 * (method 0, what PyTorch writes) or deflated (method 8, inflate.ts: native zlib on Node, fflate
 * in browsers), CRC-32 checked. Sizes come from the central directory because PyTorch's local
 * headers use data descriptors (sizes 0 in the local header). Deflated entries may not declare
 * more than {@link maxInflatedDefault} bytes in all (a deflate bomb is refused before anything
 * is allocated).
 *
 * Writing: stored entries whose data starts on a 64-byte boundary (PyTorch pads the local
 * header's extra field with an "FB" record the same way, so storages can be memory-mapped and
 * viewed as typed arrays), plus zip64 end records, as PyTorch writes them.
 */
import { ByteReader, ByteWriter, FormatError, crc32, latin1Decode, utf8Decode, utf8Encode } from './bytes.js';
import { inflateRaw } from './inflate.js';

/** One file in a zip archive, as the central directory describes it. */
export interface ZipEntry {
  /** Path inside the archive. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  /** CRC-32 of the uncompressed data. */
  crc: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** Bytes after decompression. */
  size: number;
  /** Offset of the entry's data in the archive. */
  dataOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

/** Options of {@link ZipReader}. */
export interface ZipReaderOptions {
  /**
   * The most bytes that the deflated entries may inflate to, in all (default
   * {@link maxInflatedDefault}). Stored entries do not count: they are views of the archive.
   */
  maxInflatedBytes?: number;
}

/**
 * The default limit on the bytes that an archive's deflated entries may inflate to, in all:
 * 16 times the archive's size, and at least 256 MiB. Model weights compress little (float
 * weights to about 90% of their size), so real checkpoints stay far below it, while a deflate bomb
 * (a small file that expands into gigabytes) is refused.
 */
export function maxInflatedDefault(archiveBytes: number): number {
  return Math.max(256 * 2 ** 20, 16 * archiveBytes);
}

/** True when `bytes` starts like a zip archive (a local header or an empty archive's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Parses a zip archive's directory; `read(name)` returns an entry's bytes (a view for stored
 * entries, no copy).
 * @example const z = new ZipReader(bytes); z.read('archive/data.pkl');
 */
export class ZipReader {
  readonly bytes: Uint8Array;
  /** Entries by name, in central-directory order. */
  readonly entries = new Map<string, ZipEntry>();

  constructor(bytes: Uint8Array, opts: ZipReaderOptions = {}) {
    this.bytes = bytes;
    const maxInflated = opts.maxInflatedBytes ?? maxInflatedDefault(bytes.length);
    if (!(maxInflated >= 0)) throw new TypeError(`maxInflatedBytes must be a number >= 0, got ${String(opts.maxInflatedBytes)}`);
    let inflated = 0;
    const r = new ByteReader(bytes, 'zip archive');
    const eocd = findEocd(bytes);
    if (eocd < 0) throw new FormatError('not a valid zip archive: no end of central directory record (the file is truncated or not a zip)');
    r.pos = eocd + 10;
    let count = r.u16();
    let cdSize = r.u32();
    let cdOffset = r.u32();
    let cdLimit = eocd;
    // zip64: a locator just before the end record points at the zip64 end record
    if (eocd >= 20 && new DataView(bytes.buffer, bytes.byteOffset + eocd - 20, 4).getUint32(0, true) === SIG_EOCD64_LOCATOR) {
      r.pos = eocd - 20 + 8;
      const off64 = r.u64();
      if (off64 + 56 > eocd - 20) throw new FormatError('zip archive has a corrupt zip64 end record locator');
      r.pos = off64;
      if (r.u32() !== SIG_EOCD64) throw new FormatError('zip archive has a corrupt zip64 end record');
      r.pos = off64 + 32;
      count = r.u64();
      cdSize = r.u64();
      cdOffset = r.u64();
      cdLimit = off64;
    }
    if (cdOffset + cdSize > cdLimit) throw new FormatError('zip archive central directory lies outside the file (truncated?)');
    if (count * 46 > cdSize) throw new FormatError(`zip archive declares ${count} entries in a ${cdSize}-byte central directory`);
    r.pos = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (r.pos + 46 > end) throw new FormatError('zip archive central directory is truncated');
      if (r.u32() !== SIG_CENTRAL) throw new FormatError(`zip archive central directory entry ${i} has a bad signature`);
      r.pos += 4; // versions
      const flags = r.u16();
      const method = r.u16();
      r.pos += 4; // time, date
      const crc = r.u32();
      let compressedSize = r.u32();
      let size = r.u32();
      const nameLen = r.u16();
      const extraLen = r.u16();
      const commentLen = r.u16();
      r.pos += 8; // disk, attributes
      let localOffset = r.u32();
      if (r.pos + nameLen + extraLen + commentLen > end) throw new FormatError('zip archive central directory is truncated');
      const nameBytes = r.take(nameLen);
      const name = flags & 0x800 ? utf8Decode(nameBytes, 'zip entry name') : latin1Decode(nameBytes);
      const extra = new ByteReader(r.take(extraLen), `zip extra field of ${name}`);
      r.pos += commentLen;
      while (extra.remaining >= 4) {
        const id = extra.u16();
        const len = extra.u16();
        const body = new ByteReader(extra.take(len), `zip64 extra field of ${name}`);
        if (id !== 1) continue;
        if (size === U32_MAX) size = body.u64();
        if (compressedSize === U32_MAX) compressedSize = body.u64();
        if (localOffset === U32_MAX) localOffset = body.u64();
      }
      if (flags & 1) throw new FormatError(`zip entry ${name} is encrypted`);
      if (method !== 0 && method !== 8) throw new FormatError(`zip entry ${name} uses compression method ${method}; only stored (0) and deflate (8) are supported`);
      if (localOffset + 30 > bytes.length) throw new FormatError(`zip entry ${name} has a local header outside the file`);
      const lr = new ByteReader(bytes, 'zip local header', localOffset);
      if (lr.u32() !== SIG_LOCAL) throw new FormatError(`zip entry ${name} has a bad local header signature`);
      lr.pos = localOffset + 26;
      const dataOffset = localOffset + 30 + lr.u16() + lr.u16();
      if (dataOffset + compressedSize > bytes.length) throw new FormatError(`zip entry ${name} extends past the end of the file (truncated?)`);
      if (this.entries.has(name)) throw new FormatError(`zip archive has two entries named ${name}`);
      if (method === 8) {
        // DEFLATE expands at most ~1032x; refuse declared sizes beyond that instead of allocating them.
        if (size > compressedSize * 1032 + 1024) throw new FormatError(`zip entry ${name} declares ${size} bytes from ${compressedSize} compressed bytes, which deflate cannot produce`);
        inflated += size;
        if (inflated > maxInflated) {
          throw new FormatError(
            `zip archive's deflated entries inflate to more than ${maxInflated} bytes (${bytes.length} bytes in the file): refused as a possible deflate bomb; ` +
              'if the file is trusted, raise the maxInflatedBytes option',
          );
        }
      }
      this.entries.set(name, { name, method, crc, compressedSize, size, dataOffset });
    }
  }

  /** Entry names in archive order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** True when the archive has an entry with this name. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's uncompressed bytes, CRC-checked. Stored entries are views of the archive. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new FormatError(`zip archive has no entry ${name}`);
    const raw = this.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.size !== e.compressedSize) throw new FormatError(`zip entry ${name} is stored but its sizes differ (${e.compressedSize} vs ${e.size})`);
      data = raw;
    } else {
      data = inflateRaw(raw, e.size);
    }
    if (crc32(data) !== e.crc) throw new FormatError(`zip entry ${name} is corrupt (CRC-32 mismatch)`);
    return data;
  }
}

function findEocd(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + 22 + dv.getUint16(i + 20, true) <= bytes.length) return i;
  }
  return -1;
}

/** A file to put in an archive. */
export interface ZipFile {
  name: string;
  /** The file's bytes. */
  data: Uint8Array;
  /**
   * The same bytes compressed as a raw DEFLATE stream (e.g. by `zlib.deflateRawSync(data)`): the
   * entry is then written deflated (method 8), as tools that re-zip checkpoints write them.
   */
  deflated?: Uint8Array;
}

/**
 * Writes stored entries (deflated ones when a file brings its `deflated` bytes) with each entry's
 * data aligned to `align` bytes, then the central directory and zip64 + classic end records (like
 * PyTorch's writer).
 * @example writeZip([{ name: 'archive/version', data: utf8Encode('3\n') }]);
 */
export function writeZip(files: readonly ZipFile[], align = 64): Uint8Array {
  const names = files.map((f) => utf8Encode(f.name));
  const body = files.map((f) => f.deflated ?? f.data);
  const crcs = files.map((f) => crc32(f.data));
  const method = (f: ZipFile): number => (f.deflated ? 8 : 0);
  const big = (i: number): boolean => files[i]!.data.length >= U32_MAX || body[i]!.length >= U32_MAX;
  // lay out first so the archive is allocated once (checkpoints can be large)
  const offsets: number[] = [];
  const pads: number[] = [];
  let pos = 0;
  files.forEach((_f, i) => {
    const headerEnd = pos + 30 + names[i]!.length + (big(i) ? 20 : 0) + 4;
    const pad = (align - (headerEnd % align)) % align;
    offsets.push(pos);
    pads.push(pad);
    pos = headerEnd + pad + body[i]!.length;
  });
  const cd = new ByteWriter(256 + files.length * 96);
  files.forEach((f, i) => {
    const size64 = big(i);
    const off64 = offsets[i]! >= U32_MAX;
    cd.u32(SIG_CENTRAL);
    cd.u16(45);
    cd.u16(size64 || off64 ? 45 : 20);
    cd.u16(0x800);
    cd.u16(method(f));
    cd.u32(0); // time, date: 0 like PyTorch, so output is deterministic
    cd.u32(crcs[i]!);
    cd.u32(size64 ? U32_MAX : body[i]!.length);
    cd.u32(size64 ? U32_MAX : f.data.length);
    cd.u16(names[i]!.length);
    cd.u16((size64 ? 16 : 0) + (off64 ? 8 : 0) + (size64 || off64 ? 4 : 0));
    cd.u16(0);
    cd.u16(0);
    cd.u16(0);
    cd.u32(0);
    cd.u32(off64 ? U32_MAX : offsets[i]!);
    cd.bytes(names[i]!);
    if (size64 || off64) {
      cd.u16(1);
      cd.u16((size64 ? 16 : 0) + (off64 ? 8 : 0));
      if (size64) {
        cd.u64(f.data.length);
        cd.u64(body[i]!.length);
      }
      if (off64) cd.u64(offsets[i]!);
    }
  });
  const cdBytes = cd.finish();
  const cdOffset = pos;
  const total = pos + cdBytes.length + 56 + 20 + 22;
  const out = new Uint8Array(total);
  const w = new DataView(out.buffer);
  files.forEach((f, i) => {
    let p = offsets[i]!;
    const size64 = big(i);
    w.setUint32(p, SIG_LOCAL, true);
    w.setUint16(p + 4, size64 ? 45 : 20, true);
    w.setUint16(p + 6, 0x800, true);
    w.setUint16(p + 8, method(f), true);
    w.setUint32(p + 14, crcs[i]!, true);
    w.setUint32(p + 18, size64 ? U32_MAX : body[i]!.length, true);
    w.setUint32(p + 22, size64 ? U32_MAX : f.data.length, true);
    w.setUint16(p + 26, names[i]!.length, true);
    w.setUint16(p + 28, (size64 ? 20 : 0) + 4 + pads[i]!, true);
    out.set(names[i]!, p + 30);
    p += 30 + names[i]!.length;
    if (size64) {
      w.setUint16(p, 1, true);
      w.setUint16(p + 2, 16, true);
      setU64(w, p + 4, f.data.length);
      setU64(w, p + 12, body[i]!.length);
      p += 20;
    }
    // PyTorch's padding record: id "FB", then filler bytes
    out[p] = 0x46;
    out[p + 1] = 0x42;
    w.setUint16(p + 2, pads[i]!, true);
    out.fill(0x5a, p + 4, p + 4 + pads[i]!);
    p += 4 + pads[i]!;
    out.set(body[i]!, p);
  });
  let p = cdOffset;
  out.set(cdBytes, p);
  p += cdBytes.length;
  const eocd64 = p;
  w.setUint32(p, SIG_EOCD64, true);
  setU64(w, p + 4, 44);
  w.setUint16(p + 12, 45, true);
  w.setUint16(p + 14, 45, true);
  setU64(w, p + 24, files.length);
  setU64(w, p + 32, files.length);
  setU64(w, p + 40, cdBytes.length);
  setU64(w, p + 48, cdOffset);
  p += 56;
  w.setUint32(p, SIG_EOCD64_LOCATOR, true);
  setU64(w, p + 8, eocd64);
  w.setUint32(p + 16, 1, true);
  p += 20;
  w.setUint32(p, SIG_EOCD, true);
  w.setUint16(p + 8, Math.min(files.length, 0xffff), true);
  w.setUint16(p + 10, Math.min(files.length, 0xffff), true);
  w.setUint32(p + 12, Math.min(cdBytes.length, U32_MAX), true);
  w.setUint32(p + 16, Math.min(cdOffset, U32_MAX), true);
  return out;
}

function setU64(w: DataView, p: number, v: number): void {
  w.setUint32(p, v % 0x100000000, true);
  w.setUint32(p + 4, Math.floor(v / 0x100000000), true);
}
