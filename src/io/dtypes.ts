/**
 * The element types found in checkpoint files, their names in PyTorch's pickles and in
 * safetensors headers, and conversions between file bytes and torchlet's typed arrays.
 *
 * Every file dtype is a torchlet dtype and loads as itself: float16 and bfloat16 as their bit
 * patterns (`Float16Bits`, `BFloat16Bits`), so a loaded tensor saves back byte for byte. int64
 * values beyond 2^53 cannot be held exactly and are refused with an error. `RawTensor` keeps a
 * file's tensor as its bytes, for `inspect` and `convert`.
 */
import { BFloat16Bits, ByteArray, type DType, Float16Bits, type TypedArray } from '../tensor/dtype.js';
import { FormatError, LITTLE_ENDIAN } from './bytes.js';

/** A dtype as stored in a file (every torchlet dtype). */
export type StoredDType = DType;

interface StoredInfo {
  /** Bytes per element. */
  itemsize: number;
  /** PyTorch's legacy storage class (`torch.FloatStorage`). */
  storageClass: string;
  /** safetensors' dtype code. */
  safetensors: string;
}

/** Facts about every dtype a file may hold. */
export const STORED: Readonly<Record<StoredDType, StoredInfo>> = {
  float32: { itemsize: 4, storageClass: 'FloatStorage', safetensors: 'F32' },
  float64: { itemsize: 8, storageClass: 'DoubleStorage', safetensors: 'F64' },
  float16: { itemsize: 2, storageClass: 'HalfStorage', safetensors: 'F16' },
  bfloat16: { itemsize: 2, storageClass: 'BFloat16Storage', safetensors: 'BF16' },
  int64: { itemsize: 8, storageClass: 'LongStorage', safetensors: 'I64' },
  int32: { itemsize: 4, storageClass: 'IntStorage', safetensors: 'I32' },
  int16: { itemsize: 2, storageClass: 'ShortStorage', safetensors: 'I16' },
  int8: { itemsize: 1, storageClass: 'CharStorage', safetensors: 'I8' },
  uint8: { itemsize: 1, storageClass: 'ByteStorage', safetensors: 'U8' },
  bool: { itemsize: 1, storageClass: 'BoolStorage', safetensors: 'BOOL' },
};

/** `'FloatStorage'` -> `'float32'`, for every storage class above. */
export const STORAGE_CLASS_DTYPE: ReadonlyMap<string, StoredDType> = new Map(
  (Object.keys(STORED) as StoredDType[]).map((d) => [STORED[d].storageClass, d]),
);

/** `'F32'` -> `'float32'`, for every safetensors code above. */
export const SAFETENSORS_DTYPE: ReadonlyMap<string, StoredDType> = new Map(
  (Object.keys(STORED) as StoredDType[]).map((d) => [STORED[d].safetensors, d]),
);

/** A storage read from a file: little-endian element bytes in their original dtype. */
export class RawStorage {
  constructor(
    /** Element type. */
    readonly dtype: StoredDType,
    /** The elements' bytes, little-endian. */
    readonly bytes: Uint8Array,
    /** Where it came from (`data/3`), for messages. */
    readonly key: string,
  ) {}

  /** Number of elements. */
  get numel(): number {
    return this.bytes.length / STORED[this.dtype].itemsize;
  }
}

/** A tensor as a file describes it: a strided view of a `RawStorage`, in the file's dtype. */
export class RawTensor {
  constructor(
    readonly storage: RawStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    /** `requires_grad` as saved. */
    readonly requiresGrad: boolean,
    /** Saved as an `nn.Parameter`. */
    readonly isParameter: boolean,
  ) {}

  get dtype(): StoredDType {
    return this.storage.dtype;
  }

  numel(): number {
    let n = 1;
    for (const s of this.shape) n *= s;
    return n;
  }

  /** The view's elements in row-major order, as little-endian bytes (a view when contiguous). */
  contiguousBytes(): Uint8Array {
    const size = STORED[this.dtype].itemsize;
    const n = this.numel();
    const src = this.storage.bytes;
    if (isContiguous(this.shape, this.strides)) return src.subarray(this.offset * size, (this.offset + n) * size);
    const out = new Uint8Array(n * size);
    forEachOffset(this.shape, this.strides, this.offset, (off, i) => out.set(src.subarray(off * size, off * size + size), i * size));
    return out;
  }
}

/** True when strides are row-major for the shape (size-1 dims ignored). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

function forEachOffset(shape: readonly number[], strides: readonly number[], offset: number, fn: (off: number, i: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = offset;
  for (let i = 0; i < n; i++) {
    fn(off, i);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Checks that a view lies inside its storage: integer sizes, strides and offset, none negative,
 * and the last element within `storageNumel`. Throws a `FormatError` naming `what` otherwise.
 */
export function checkGeometry(what: string, storageNumel: number, offset: number, shape: readonly number[], strides: readonly number[]): void {
  const isIdx = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!isIdx(offset)) throw new FormatError(`${what}: storage offset ${String(offset)} is not a non-negative integer`);
  if (shape.length !== strides.length) throw new FormatError(`${what}: size has ${shape.length} dims but stride has ${strides.length}`);
  let last = offset;
  let numel = 1;
  for (let d = 0; d < shape.length; d++) {
    if (!isIdx(shape[d])) throw new FormatError(`${what}: size ${String(shape[d])} is not a non-negative integer`);
    if (!isIdx(strides[d])) throw new FormatError(`${what}: stride ${String(strides[d])} is not a non-negative integer`);
    numel *= shape[d]!;
    if (shape[d]! > 0) last += (shape[d]! - 1) * strides[d]!;
  }
  if (!Number.isSafeInteger(numel)) throw new FormatError(`${what}: size [${shape.join(', ')}] has too many elements`);
  if (numel > 0 && last >= storageNumel) {
    throw new FormatError(`${what}: a view of size [${shape.join(', ')}], stride [${strides.join(', ')}] at offset ${offset} reaches element ${last}, but the storage has ${storageNumel} elements`);
  }
}

/** Reverses the byte order of each `itemsize`-byte element (for big-endian files). */
export function swapBytes(bytes: Uint8Array, itemsize: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += itemsize) for (let k = 0; k < itemsize; k++) out[i + k] = bytes[i + itemsize - 1 - k]!;
  return out;
}

/**
 * A file storage's elements as the typed array torchlet uses for its dtype. With `copy` false and
 * the bytes suitably aligned, every dtype but int64 shares memory with `bytes` (bool only when
 * every byte is 0 or 1).
 */
export function decodeStorage(raw: RawStorage, copy: boolean): TypedArray {
  if (!LITTLE_ENDIAN) throw new FormatError('torchlet reads checkpoint files on little-endian platforms only');
  const { bytes, dtype } = raw;
  const n = raw.numel;
  const size = STORED[dtype].itemsize;
  const aligned = bytes.byteOffset % size === 0;
  // a view of the bytes, or of an aligned copy of them
  const view = <T>(C: new (b: ArrayBufferLike, o: number, n: number) => T): T => (!copy && aligned ? new C(bytes.buffer, bytes.byteOffset, n) : new C(bytes.slice().buffer, 0, n));
  // An aligned source copy (a fresh buffer) lets the int64 path below run on any input.
  const src = (): Uint8Array => (aligned ? bytes : bytes.slice());
  switch (dtype) {
    case 'float32':
      return view(Float32Array);
    case 'float64':
      return view(Float64Array);
    case 'int32':
      return view(Int32Array);
    case 'float16':
      return view(Float16Bits);
    case 'bfloat16':
      return view(BFloat16Bits);
    case 'int16':
      return view(Int16Array);
    case 'int8':
      return view(Int8Array);
    case 'uint8':
      return view(ByteArray);
    case 'bool': {
      let clean = true;
      for (let i = 0; i < n; i++) if (bytes[i]! > 1) clean = false;
      if (clean) return view(Uint8Array);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0;
      return out;
    }
    case 'int64': {
      const w = new Int32Array(src().buffer, aligned ? bytes.byteOffset : 0, n * 2);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const lo = w[2 * i]! >>> 0;
        const hi = w[2 * i + 1]!;
        if (hi > 0x200000 || hi < -0x200000 || (hi === 0x200000 && lo !== 0)) {
          const big = (BigInt(hi) << 32n) + BigInt(lo);
          throw new FormatError(
            `int64 value ${big} (element ${i} of storage ${raw.key}) is beyond 2^53: torchlet's int64 tensors are float64-backed and cannot hold it exactly`,
          );
        }
        out[i] = hi * 4294967296 + lo;
      }
      return out;
    }
    default:
      return dtype satisfies never;
  }
}

/** A torchlet storage array as little-endian bytes of its file dtype (a view except for int64). */
export function encodeStorage(data: TypedArray, dtype: DType): Uint8Array {
  if (!LITTLE_ENDIAN) throw new FormatError('torchlet writes checkpoint files on little-endian platforms only');
  if (dtype !== 'int64') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  const out = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    const hi = Math.floor(v / 4294967296);
    out[2 * i] = (v - hi * 4294967296) | 0;
    out[2 * i + 1] = hi;
  }
  return new Uint8Array(out.buffer);
}
