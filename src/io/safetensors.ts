/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]},
 * "__metadata__": {str: str}}` (padded with spaces so the data starts 8-byte aligned), then the
 * tensors' bytes, little-endian, row-major. Offsets are relative to the data and must tile it
 * exactly: no overlap, no holes, nothing past the end.
 * @example
 * torch.safetensors.saveFile(model.stateDict(), 'model.safetensors');
 * model.loadStateDict(torch.safetensors.loadFile('model.safetensors'));
 * @module
 */
import { Tensor } from '../tensor/tensor.js';
import { wrapArray } from '../tensor/create.js';
import type { TypedArray } from '../tensor/dtype.js';
import { ByteReader, FormatError, utf8Decode, utf8Encode } from './bytes.js';
import { RawStorage, RawTensor, SAFETENSORS_DTYPE, STORED, type StoredDType, decodeStorage, encodeStorage } from './dtypes.js';
import { readFileBytes, writeFileBytes } from './fs.js';
import { defineKey } from './unpickler.js';

/**
 * A malformed safetensors file or an unsavable input (Python's `SafetensorError`).
 * See https://huggingface.co/docs/safetensors
 * @example expect(() => torch.safetensors.load(new Uint8Array(4))).toThrow(torch.safetensors.SafetensorError);
 */
export class SafetensorError extends FormatError {
  /** Always `'SafetensorError'`. */
  override name = 'SafetensorError';
}

/** The spec's limit on the header size. */
const MAX_HEADER = 100_000_000;

/** One tensor of a parsed safetensors file, in its file dtype. */
export interface SafetensorsEntry {
  name: string;
  dtype: StoredDType;
  shape: number[];
  /** Its bytes (a view of the file). */
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** Tensors in header order. */
  tensors: SafetensorsEntry[];
  /** `__metadata__`, or null. */
  metadata: Record<string, string> | null;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses and validates a safetensors file without converting tensor data.
 * See https://huggingface.co/docs/safetensors/index#format
 * @example const { tensors, metadata } = torch.safetensors.parse(bytes); tensors[0].name
 */
export function parse(bytes: Uint8Array): SafetensorsFile {
  const b = asBytes(bytes, 'safetensors.load');
  if (b.length < 8) throw new SafetensorError(`safetensors: the file is ${b.length} bytes, too small to hold the 8-byte header size`);
  const r = new ByteReader(b, 'safetensors header');
  const lo = r.u32();
  const hi = r.u32();
  const n = hi * 4294967296 + lo;
  if (n > MAX_HEADER) throw new SafetensorError(`safetensors: header size ${n} exceeds the format's limit of ${MAX_HEADER} bytes`);
  if (n > b.length - 8) throw new SafetensorError(`safetensors: header size ${n} exceeds the file (${b.length - 8} bytes after the size field); the file is truncated or not safetensors`);
  if (n < 2 || b[8] !== 0x7b) throw new SafetensorError('safetensors: the header must be a JSON object starting with "{"');
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(b.subarray(8, 8 + n), 'safetensors header'));
  } catch (e) {
    throw new SafetensorError(`safetensors: the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorError('safetensors: the header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = b.length - dataStart;
  const tensors: (SafetensorsEntry & { begin: number; end: number })[] = [];
  let metadata: Record<string, string> | null = null;
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new SafetensorError('safetensors: __metadata__ must be an object of strings');
      metadata = {};
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new SafetensorError(`safetensors: __metadata__ values must be strings, but ${JSON.stringify(k)} is ${typeof v}`);
        defineKey(metadata, k, v);
      }
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (t === null || typeof t !== 'object') throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} must be described by an object`);
    const dtype = typeof t.dtype === 'string' ? SAFETENSORS_DTYPE.get(t.dtype) : undefined;
    if (dtype === undefined) throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} has unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${[...SAFETENSORS_DTYPE.keys()].join(', ')})`);
    if (!Array.isArray(t.shape) || !t.shape.every(isIndex)) throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} has an invalid shape ${JSON.stringify(t.shape)}`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !isIndex(off[0]) || !isIndex(off[1]) || off[0] > off[1]) {
      throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end > dataLen) throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} has data_offsets [${begin}, ${end}] beyond the ${dataLen} data bytes`);
    const shape = t.shape as number[];
    const numel = shape.reduce((a, s) => a * s, 1);
    const need = numel * STORED[dtype].itemsize;
    if (end - begin !== need) {
      throw new SafetensorError(`safetensors: tensor ${JSON.stringify(name)} has ${end - begin} bytes, but dtype ${STORED[dtype].safetensors} and shape [${shape.join(', ')}] need ${need}`);
    }
    tensors.push({ name, dtype, shape: shape.slice(), bytes: b.subarray(dataStart + begin, dataStart + end), begin, end });
  }
  // the offsets must tile the data exactly (the spec forbids overlaps and holes)
  const sorted = tensors.slice().sort((x, y) => x.begin - y.begin || x.end - y.end);
  let pos = 0;
  for (const t of sorted) {
    if (t.begin < pos) throw new SafetensorError(`safetensors: tensor ${JSON.stringify(t.name)} overlaps another tensor (data_offsets [${t.begin}, ${t.end}])`);
    if (t.begin > pos) throw new SafetensorError(`safetensors: the data has a hole before tensor ${JSON.stringify(t.name)} (bytes ${pos} to ${t.begin} belong to no tensor)`);
    pos = t.end;
  }
  if (pos !== dataLen) throw new SafetensorError(`safetensors: the tensors cover ${pos} of the ${dataLen} data bytes (the rest belongs to no tensor)`);
  return { tensors: tensors.map(({ name, dtype, shape, bytes }) => ({ name, dtype, shape, bytes })), metadata };
}

function asBytes(src: unknown, what: string): Uint8Array {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  throw new TypeError(`${what}: expected bytes (Uint8Array), got ${src === null ? 'null' : typeof src}`);
}

/** Options of `load` / `loadFile`. */
export interface SafetensorsLoadOptions {
  /**
   * Copy tensor data (default false: tensors of every dtype but int64 view the input buffer where
   * it is aligned, without copying).
   */
  copy?: boolean;
}

/**
 * Loads the tensors of a safetensors file from bytes, in header order, each in its file dtype
 * (F16 float16, BF16 bfloat16, I8 int8, U8 uint8, I16 int16, ...; I64 values within ±2^53).
 * Tensors view `bytes` without copying where alignment allows (pass `{ copy: true }` to copy),
 * except int64. The `__metadata__` strings are available from `metadata(bytes)`.
 * See https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.load
 * @example const sd = torch.safetensors.load(bytes); model.loadStateDict(sd);
 */
export function load(bytes: Uint8Array | ArrayBuffer, opts: SafetensorsLoadOptions = {}): Record<string, Tensor> {
  const f = parse(bytes as Uint8Array);
  const out: Record<string, Tensor> = {};
  try {
    for (const t of f.tensors) {
      const data = decodeStorage(new RawStorage(t.dtype, t.bytes, t.name), opts.copy ?? false);
      defineKey(out, t.name, wrapArray(data, t.shape, t.dtype));
    }
  } catch (e) {
    if (e instanceof FormatError) throw new SafetensorError(`safetensors: ${e.message}`);
    throw e;
  }
  return out;
}

/**
 * Loads a safetensors file from a path (Node).
 * See https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.load_file
 * @example const sd = torch.safetensors.loadFile('model.safetensors');
 */
export function loadFile(path: string, opts: SafetensorsLoadOptions = {}): Record<string, Tensor> {
  return load(readFileBytes(path, 'safetensors.loadFile'), opts);
}

/**
 * The `__metadata__` of a safetensors file, or null.
 * See https://huggingface.co/docs/safetensors/metadata_parsing
 * @example torch.safetensors.metadata(bytes)?.format // 'pt'
 */
export function metadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> | null {
  return parse(bytes as Uint8Array).metadata;
}

/** A tensor's stored elements, row-major (float16/bfloat16 as their bit patterns, unlike `dataSync`). */
function storedElements(t: Tensor): TypedArray {
  const c = t.detach().contiguous();
  return c.storage.data.subarray(c.offset, c.offset + c.numel());
}

/** Tensors to save: torchlet tensors, or raw file tensors (kept in their dtype). */
export type SafetensorsInput = Record<string, Tensor | RawTensor> | Map<string, Tensor | RawTensor>;

/**
 * Serialises tensors to safetensors bytes: each tensor's elements, row-major, in its dtype
 * (float32 -> F32, float64 -> F64, float16 -> F16, bfloat16 -> BF16, int64 -> I64, int32 -> I32,
 * int16 -> I16, int8 -> I8, uint8 -> U8, bool -> BOOL). Header keys keep
 * the given order; the data is laid out widest dtype first so every tensor is aligned.
 * See https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.save
 * @example const bytes = torch.safetensors.save(model.stateDict(), { format: 'pt' });
 */
export function save(tensors: SafetensorsInput, metadata?: Record<string, string> | null): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError(`safetensors.save: expected an object or Map of tensors, got ${tensors === null ? 'null' : typeof tensors}`);
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const items = entries.map(([name, t]) => {
    if (typeof name !== 'string') throw new TypeError('safetensors.save: tensor names must be strings');
    if (name === '__metadata__') throw new SafetensorError('safetensors.save: "__metadata__" is reserved and cannot name a tensor');
    if (t instanceof RawTensor) return { name, dtype: t.dtype, shape: t.shape.slice(), bytes: () => t.contiguousBytes() };
    if (t instanceof Tensor) {
      return { name, dtype: t.dtype, shape: t.shape.slice(), bytes: () => encodeStorage(storedElements(t), t.dtype) };
    }
    throw new TypeError(`safetensors.save: ${JSON.stringify(name)} is not a tensor`);
  });
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object') throw new TypeError('safetensors.save: metadata must be an object of strings');
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`safetensors.save: metadata values must be strings, but ${JSON.stringify(k)} is ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const order = items.map((_, i) => i).sort((a, b) => STORED[items[b]!.dtype].itemsize - STORED[items[a]!.dtype].itemsize || a - b);
  const offsets = new Array<[number, number]>(items.length);
  let pos = 0;
  for (const i of order) {
    const it = items[i]!;
    const n = it.shape.reduce((a, s) => a * s, 1) * STORED[it.dtype].itemsize;
    offsets[i] = [pos, pos + n];
    pos += n;
  }
  items.forEach((it, i) => defineKey(header, it.name, { dtype: STORED[it.dtype].safetensors, shape: it.shape, data_offsets: offsets[i] }));
  let json = utf8Encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) json = utf8Encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + pos);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true);
  dv.setUint32(4, 0, true);
  out.set(json, 8);
  for (const i of order) out.set(items[i]!.bytes(), 8 + json.length + offsets[i]![0]);
  return out;
}

/**
 * Saves tensors to a safetensors file (Node), atomically: a temporary file in the same folder,
 * flushed to disk, then renamed over `path`, so a failed save leaves the previous file intact.
 * See https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.save_file
 * @example torch.safetensors.saveFile(model.stateDict(), 'model.safetensors');
 */
export function saveFile(tensors: SafetensorsInput, path: string, metadata?: Record<string, string> | null): void {
  writeFileBytes(path, save(tensors, metadata), 'safetensors.saveFile');
}
