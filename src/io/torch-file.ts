/**
 * `torch.load` and `torch.save` for PyTorch's zip checkpoint format (PyTorch >= 1.6):
 *
 * ```
 * <root>/data.pkl     the pickled object; tensors refer to storages by persistent id
 * <root>/data/<key>   each storage's raw little-endian bytes
 * <root>/byteorder    "little" or "big" (PyTorch >= 2.0 writes it; absent means little)
 * <root>/version      "3"
 * ```
 *
 * Loading never executes anything from the file: the pickle goes through the allow-list
 * unpickler (unpickler.ts), like PyTorch's `weights_only=True`.
 */
import { Storage, Tensor } from '../tensor/tensor.js';
import { Parameter } from '../nn/parameter.js';
import { isFloating } from '../tensor/dtype.js';
import { FormatError, latin1Decode, utf8Decode, utf8Encode } from './bytes.js';
import { RawStorage, RawTensor, STORAGE_CLASS_DTYPE, STORED, decodeStorage, encodeStorage, swapBytes } from './dtypes.js';
import { readFileBytes, writeFileBytes } from './fs.js';
import { type PickleHooks, type TensorRecord, pickleObject } from './pickler.js';
import { UnpicklingError, toJs, unpickle } from './unpickler.js';
import { ZipReader, looksLikeZip, writeZip } from './zip.js';

/** Options of `torch.load`. */
export interface LoadOptions {
  /**
   * Copy tensor data out of the input bytes (default true for bytes, false for a path, whose
   * buffer is private). With `copy: false`, float32, float64, int32 and bool tensors view the
   * input buffer directly where alignment allows, and writing to them writes to the buffer.
   */
  copy?: boolean;
  /**
   * For archives re-zipped with compression: the most bytes their deflated entries may inflate
   * to, in all (default: 16 times the file's size, at least 256 MiB). Larger expansions are
   * refused as possible deflate bombs. torch.save's own files are uncompressed and never hit it.
   */
  maxInflatedBytes?: number;
}

/** Arrays loaded from Python tuples: `save` writes them back as tuples. */
const TUPLES = new WeakSet<unknown[]>();
/** Objects loaded from `OrderedDict`s: `save` writes them back as `OrderedDict`s. */
const ORDERED = new WeakSet<object>();

/** What a checkpoint holds, with tensors still in their file dtype (for `inspect` and `convert`). */
export interface RawCheckpoint {
  /** The object, with `RawTensor` leaves (converted like `load` does otherwise). */
  value: unknown;
  /** The archive's root folder name. */
  root: string;
  /** Byte order of the storages as written ('little' unless the file says otherwise). */
  byteorder: 'little' | 'big';
}

const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Says what a non-zip file is, as an error. */
function notZip(bytes: Uint8Array): never {
  if (bytes.length === 0) throw new FormatError('torch.load: the file is empty');
  if (LEGACY_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new FormatError(
      "torch.load: this is PyTorch's legacy (pre-1.6, non-zip) serialization format, which torchlet does not read. " +
        'Re-save it with PyTorch >= 1.6: torch.save(torch.load(f), f2)',
    );
  }
  if (bytes.length >= 262 && latin1Decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new FormatError("torch.load: this is PyTorch's tar-based serialization format (PyTorch < 0.4), which torchlet does not read");
  }
  if (bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) {
    throw new FormatError('torch.load: this is a bare pickle stream, not a torch.save zip archive');
  }
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) {
    throw new FormatError('torch.load: this looks like a safetensors file; use torch.safetensors.load');
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FormatError(`torch.load: not a PyTorch checkpoint (expected a zip archive; the file starts with ${head})`);
}

/**
 * Reads a checkpoint into JS values with `RawTensor` leaves (the file's dtypes, no conversion).
 * @example const { value } = readCheckpoint(bytes);
 */
export function readCheckpoint(bytes: Uint8Array, opts: Pick<LoadOptions, 'maxInflatedBytes'> = {}): RawCheckpoint {
  const { value, root, byteorder } = readPickled(bytes, opts);
  return {
    value: withCleanErrors(() => toJs(value, { tensor: (t) => t, tuple: (a) => TUPLES.add(a), orderedDict: (o) => ORDERED.add(o) })),
    root,
    byteorder,
  };
}

/** Reads a checkpoint's pickle into Python-shaped values (`PyDict`, `PyTuple`, `RawTensor`...). */
function readPickled(bytes: Uint8Array, opts: Pick<LoadOptions, 'maxInflatedBytes'>): RawCheckpoint {
  return withCleanErrors(() => {
    if (!looksLikeZip(bytes)) notZip(bytes);
    const zip = new ZipReader(bytes, { maxInflatedBytes: opts.maxInflatedBytes });
    const pkl = zip.names().find((n) => /^[^/]*\/data\.pkl$/.test(n));
    if (pkl === undefined) {
      throw new FormatError(`torch.load: the zip archive has no <root>/data.pkl, so it was not written by torch.save (entries: ${zip.names().slice(0, 5).join(', ')}${zip.entries.size > 5 ? ', ...' : ''})`);
    }
    const root = pkl.slice(0, -'/data.pkl'.length);
    if (zip.has(`${root}/constants.pkl`) || zip.names().some((n) => n.startsWith(`${root}/code/`))) {
      throw new FormatError('torch.load: this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; torchlet does not run TorchScript');
    }
    let byteorder: 'little' | 'big' = 'little';
    if (zip.has(`${root}/byteorder`)) {
      const b = utf8Decode(zip.read(`${root}/byteorder`), 'byteorder record').trim();
      if (b !== 'little' && b !== 'big') throw new FormatError(`torch.load: unknown byteorder record "${b.slice(0, 20)}"`);
      byteorder = b;
    }
    const storages = new Map<string, RawStorage>();
    const loadStorage = (cls: string, key: string, _location: string, numel: number): RawStorage => {
      const dtype = STORAGE_CLASS_DTYPE.get(cls);
      if (dtype === undefined) throw new UnpicklingError(`unsupported storage type torch.${cls}`);
      const cached = storages.get(key);
      if (cached) {
        if (cached.dtype !== dtype) throw new FormatError(`storage ${key} is used both as ${cached.dtype} and ${dtype}`);
        return cached;
      }
      const name = `${root}/data/${key}`;
      if (!zip.has(name)) throw new FormatError(`torch.load: the archive has no record ${name} for a storage`);
      const itemsize = STORED[dtype].itemsize;
      let data = zip.read(name);
      if (data.length < numel * itemsize) {
        throw new FormatError(`torch.load: storage record ${name} has ${data.length} bytes; its ${numel} ${dtype} elements need ${numel * itemsize}`);
      }
      data = data.subarray(0, numel * itemsize);
      if (byteorder === 'big' && itemsize > 1) data = swapBytes(data, itemsize);
      const s = new RawStorage(dtype, data, `data/${key}`);
      storages.set(key, s);
      return s;
    };
    const value = unpickle(zip.read(pkl), loadStorage);
    return { value, root, byteorder };
  });
}

/** Runs `fn`, turning internal JS errors (RangeError, TypeError from corrupt data) into FormatErrors. */
function withCleanErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FormatError || e instanceof UnpicklingError) throw e;
    if (e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) {
      throw new FormatError(`torch.load: corrupt or unsupported file (${e.message})`, { cause: e });
    }
    throw e;
  }
}

function asBytes(src: unknown, what: string): Uint8Array {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  throw new TypeError(`${what}: expected a file path or bytes (Uint8Array), got ${src === null ? 'null' : typeof src}`);
}

/** Converts a checkpoint's values to torchlet values (tensors, shared storages kept shared). */
export function toTorchlet(value: unknown, copy: boolean): unknown {
  const decoded = new Map<RawStorage, Storage>();
  return toJs(value, {
    tensor(raw: RawTensor): Tensor {
      let storage = decoded.get(raw.storage);
      if (!storage) {
        storage = new Storage(decodeStorage(raw.storage, copy));
        decoded.set(raw.storage, storage);
      }
      const dtype = raw.dtype;
      const t = new Tensor(storage, raw.shape, raw.strides, raw.offset, dtype);
      if (raw.isParameter) return new Parameter(t, raw.requiresGrad && isFloating(dtype));
      if (raw.requiresGrad && isFloating(dtype)) t._requiresGrad = true;
      return t;
    },
    tuple: (a) => TUPLES.add(a),
    orderedDict: (o) => ORDERED.add(o),
  });
}

/**
 * Loads an object saved with PyTorch's `torch.save` (zip format, PyTorch >= 1.6) from a file
 * path (Node) or bytes, like `torch.load(f, weights_only=True, map_location='cpu')`.
 *
 * - Tensors become torchlet Tensors; views that shared a storage in PyTorch share one here;
 *   `nn.Parameter`s stay Parameters and `requires_grad` is kept.
 * - float16 and bfloat16 are widened to float32; int16, int8 and uint8 to int32 (all exact);
 *   int64 tensors must hold values within ±2^53 (torchlet's int64 is float64-backed).
 * - Dicts whose keys are all strings become plain objects in key order (a `Map` when a key looks
 *   like an array index, which objects would reorder); other dicts (an optimizer's `state`,
 *   keyed by ints) become `Map`s. Tuples and lists become arrays, sets `Set`s, bytes
 *   `Uint8Array`s, Python ints beyond 2^53 `bigint`s. A state_dict's `_metadata` is kept as a
 *   non-enumerable property, as `Module.stateDict()` produces it.
 * - Only the globals needed to rebuild tensors and containers are accepted; anything else (for
 *   example `os.system`) throws an `UnpicklingError` naming it. Nothing in the file is executed.
 *
 * See https://pytorch.org/docs/1.13/generated/torch.load.html
 * @example
 * model.loadStateDict(torch.load('model.pt'));
 * const sd = torch.load(new Uint8Array(await (await fetch('model.pt')).arrayBuffer()));
 */
export function load(pathOrBytes: string | Uint8Array | ArrayBuffer, opts: LoadOptions = {}): any {
  const fromPath = typeof pathOrBytes === 'string';
  const bytes = fromPath ? readFileBytes(pathOrBytes, 'torch.load') : asBytes(pathOrBytes, 'torch.load');
  const { value } = readPickled(bytes, opts);
  return withCleanErrors(() => toTorchlet(value, opts.copy ?? !fromPath));
}

/** Describes torchlet tensors and raw file tensors to the pickler. */
export const PICKLE_HOOKS: PickleHooks = {
  tensor(v: object): TensorRecord | undefined {
    if (v instanceof Tensor) {
      const storage = v.storage;
      return {
        storage,
        storageClass: STORED[v.dtype].storageClass,
        storageNumel: storage.data.length,
        storageBytes: () => encodeStorage(storage.data, v.dtype),
        offset: v.offset,
        shape: v.shape,
        strides: v.strides,
        requiresGrad: v.requiresGrad,
        isParameter: v instanceof Parameter,
      };
    }
    if (v instanceof RawTensor) {
      return {
        storage: v.storage,
        storageClass: STORED[v.dtype].storageClass,
        storageNumel: v.storage.numel,
        storageBytes: () => v.storage.bytes,
        offset: v.offset,
        shape: v.shape,
        strides: v.strides,
        requiresGrad: v.requiresGrad,
        isParameter: v.isParameter,
      };
    }
    return undefined;
  },
  isTuple: (a) => TUPLES.has(a),
  isOrderedDict: (o) => ORDERED.has(o),
  unsupported(v: unknown): string {
    // a module is a callable object: named by its class, with the hint
    const isModule = typeof v === 'function' && typeof (v as { stateDict?: unknown }).stateDict === 'function';
    const name = (typeof v === 'object' && v !== null) || isModule ? ((v as object).constructor?.name ?? 'object') : typeof v;
    const hint = isModule || (typeof v === 'object' && v !== null && typeof (v as { stateDict?: unknown }).stateDict === 'function') ? '; save its stateDict() instead' : '';
    return `torch.save: cannot save a value of type ${name}${hint} (supported: tensors, plain objects, Maps, arrays, Sets, strings, numbers, bigints, booleans, null, Uint8Array)`;
  },
};

/** Options of `torch.save`. */
export interface SaveOptions {
  /** Name of the archive's root folder (default `'archive'`, as PyTorch 2.x writes). */
  root?: string;
}

/**
 * Saves an object in PyTorch's zip format, readable by PyTorch 1.13 and 2.x with
 * `torch.load(f, weights_only=True)`. Writes `path` when given (Node), else returns the bytes.
 * The write is atomic: a temporary file in the same folder, flushed to disk, then renamed over
 * `path`, so a save that fails part-way (disk full, killed) leaves the previous file intact.
 * Tensors that share storage are saved sharing it; Parameters stay Parameters. Numbers that are
 * integers (and not -0) are written as Python ints, other numbers as floats; arrays are lists
 * (tuples when they were loaded from tuples); plain objects and `Map`s are dicts (`OrderedDict`
 * for a `stateDict()` or a loaded `OrderedDict`).
 *
 * Note: PyTorch 1.13's `weights_only=True` loader has no opcode for Python floats, so it
 * refuses any file with a float in it (an optimizer's `lr`, for one), including PyTorch's own;
 * PyTorch 2.x reads them, and so does `weights_only=False`.
 * See https://pytorch.org/docs/1.13/generated/torch.save.html
 * @example
 * torch.save(model.stateDict(), 'model.pt');
 * const bytes = torch.save({ step: 3, weights: w });
 */
export function save(obj: unknown, path?: undefined, opts?: SaveOptions): Uint8Array;
export function save(obj: unknown, path: string, opts?: SaveOptions): void;
export function save(obj: unknown, path?: string, opts: SaveOptions = {}): Uint8Array | void {
  const bytes = saveBytes(obj, opts.root ?? 'archive');
  if (path === undefined) return bytes;
  writeFileBytes(path, bytes, 'torch.save');
}

/** The bytes of a checkpoint holding `obj`. */
export function saveBytes(obj: unknown, root = 'archive'): Uint8Array {
  if (!/^[A-Za-z0-9_.-]+$/.test(root)) throw new TypeError(`torch.save: invalid archive root name ${JSON.stringify(root)}`);
  const { pickle, storages } = pickleObject(obj, PICKLE_HOOKS);
  return writeZip([
    { name: `${root}/data.pkl`, data: pickle },
    { name: `${root}/byteorder`, data: utf8Encode('little') },
    ...storages.map((s) => ({ name: `${root}/data/${s.key}`, data: s.bytes })),
    { name: `${root}/version`, data: utf8Encode('3\n') },
  ]);
}
