/**
 * Byte-level helpers shared by the zip, pickle and safetensors code: a bounds-checked reader, a
 * growable writer, UTF-8 and CRC-32. Every read checks its bounds and throws a `FormatError`
 * naming what was being read, so corrupt input never surfaces as a bare `RangeError`.
 */

import { nodeBuiltin } from './platform.js';

/**
 * A malformed or truncated file (zip, pickle or safetensors).
 * No PyTorch counterpart: PyTorch reports corrupt files as `RuntimeError`s from its zip reader.
 * @example try { torch.safetensors.load(bytes); } catch (e) { if (e instanceof torch.FormatError) console.error('corrupt file:', e.message); }
 */
export class FormatError extends Error {
  /** Always `'FormatError'`. */
  override name = 'FormatError';
}

const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true });
const UTF8_ENCODER = new TextEncoder();

/** Decodes UTF-8, throwing a `FormatError` (naming `what`) on invalid sequences. */
export function utf8Decode(bytes: Uint8Array, what: string): string {
  try {
    return UTF8_DECODER.decode(bytes);
  } catch {
    throw new FormatError(`${what} is not valid UTF-8`);
  }
}

/** Encodes a string as UTF-8. */
export function utf8Encode(s: string): Uint8Array {
  return UTF8_ENCODER.encode(s);
}

/** Decodes bytes as Latin-1 (one char per byte), as Python 2 strings in pickles are read. */
export function latin1Decode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** True when this platform stores typed-array elements little-endian (every current JS engine). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A little-endian cursor over bytes; each read is bounds-checked. */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  /** What is being read, for error messages ("pickle", "zip central directory"). */
  readonly what: string;

  constructor(bytes: Uint8Array, what: string, pos = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.what = what;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` more bytes can be read. */
  need(n: number): void {
    if (!(n >= 0) || n > this.bytes.length - this.pos) {
      throw new FormatError(`${this.what} is truncated: needed ${n} byte(s) at offset ${this.pos}, ${Math.max(this.bytes.length - this.pos, 0)} left`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit integer; throws when it exceeds 2^53 (no file of ours is that big). */
  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    if (hi >= 0x200000) throw new FormatError(`${this.what}: 64-bit size at offset ${this.pos - 8} is too large`);
    return hi * 0x100000000 + lo;
  }

  f64be(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Bytes up to (not including) the next `\n`, which is consumed. */
  line(): Uint8Array {
    const i = this.bytes.indexOf(0x0a, this.pos);
    if (i < 0) throw new FormatError(`${this.what} is truncated: expected a newline after offset ${this.pos}`);
    const out = this.bytes.subarray(this.pos, i);
    this.pos = i + 1;
    return out;
  }
}

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.grow(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.grow(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.grow(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  i32(v: number): void {
    this.grow(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  u64(v: number): void {
    this.u32(v % 0x100000000);
    this.u32(Math.floor(v / 0x100000000));
  }

  f64be(v: number): void {
    this.grow(8);
    this.view.setFloat64(this.length, v, false);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** The written bytes (a view of the internal buffer). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

// CRC-32 (IEEE, reflected, as zip uses), slicing-by-8 tables for speed on big checkpoints.
const CRC_TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!;
    for (let k = 1; k < 8; k++) {
      c = t[0]![c & 0xff]! ^ (c >>> 8);
      t[k]![n] = c >>> 0;
    }
  }
  return t;
})();

let nativeCrc32: ((data: Uint8Array, crc: number) => number) | null | undefined;

/**
 * CRC-32 of `data`, continuing from `crc` (0 to start): Node's native `zlib.crc32` where it
 * exists (Node >= 20.15), else {@link crc32Js}.
 */
export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc32 === undefined) {
    const z = nodeBuiltin<{ crc32?: (data: Uint8Array, crc: number) => number }>('node:zlib');
    nativeCrc32 = typeof z?.crc32 === 'function' ? z.crc32 : null;
  }
  return nativeCrc32 ? nativeCrc32(data, crc) : crc32Js(data, crc);
}

/** CRC-32 of `data` in JavaScript (browsers), continuing from `crc` (0 to start). */
export function crc32Js(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ c;
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
