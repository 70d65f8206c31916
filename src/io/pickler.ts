/**
 * A protocol-2 pickle writer for `torch.save`, emitting exactly the opcodes Python's own pickler
 * writes for tensors and containers at protocol 2 (PyTorch's default). Those opcodes are the ones
 * PyTorch's `weights_only=True` loaders understand: 1.13's, plus `BINFLOAT` for Python floats,
 * which 1.13's restricted loader lacks (so it cannot read any float, even from its own files)
 * while PyTorch 2.x reads it.
 *
 * Tensors are written as `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
 * requires_grad, OrderedDict())`, parameters as `_rebuild_parameter(tensor, requires_grad,
 * OrderedDict())`; storages are persistent ids `('storage', torch.<T>Storage, key, 'cpu', numel)`
 * whose bytes the caller stores as `data/<key>`. Tensors sharing a storage share the key.
 */
import { ByteWriter, utf8Encode } from './bytes.js';

/** What the pickler needs to know about a tensor. */
export interface TensorRecord {
  /** Identity of the storage (tensors with the same object share one `data/<key>` record). */
  storage: object;
  /** `FloatStorage`, `LongStorage`, ... */
  storageClass: string;
  /** Elements in the storage. */
  storageNumel: number;
  /** Little-endian bytes of the whole storage (called once per storage). */
  storageBytes(): Uint8Array;
  offset: number;
  shape: readonly number[];
  strides: readonly number[];
  requiresGrad: boolean;
  isParameter: boolean;
}

/** How the pickler recognises special values. */
export interface PickleHooks {
  /** A tensor's record, or undefined when `v` is not a tensor. */
  tensor(v: object): TensorRecord | undefined;
  /** True for arrays to write as tuples. */
  isTuple(a: unknown[]): boolean;
  /** True for objects to write as `collections.OrderedDict`. */
  isOrderedDict(o: object): boolean;
  /** Explains why a value cannot be saved (returns the message). */
  unsupported(v: unknown): string;
}

/** A storage to store as `data/<key>`. */
export interface StorageOut {
  key: string;
  bytes: Uint8Array;
}

const BATCH = 1000;

/**
 * Pickles `obj` (protocol 2) and collects the storages its tensors reference.
 * @example const { pickle, storages } = pickleObject(stateDict, hooks);
 */
export function pickleObject(obj: unknown, hooks: PickleHooks): { pickle: Uint8Array; storages: StorageOut[] } {
  const w = new ByteWriter(4096);
  const memo = new Map<unknown, number>();
  const inProgress = new Set<object>();
  const storageKeys = new Map<object, string>();
  const storages: StorageOut[] = [];

  const put = (key: unknown): void => {
    const i = memo.size;
    memo.set(key, i);
    if (i < 256) {
      w.u8(0x71); // BINPUT
      w.u8(i);
    } else {
      w.u8(0x72); // LONG_BINPUT
      w.u32(i);
    }
  };
  const get = (key: unknown): boolean => {
    const i = memo.get(key);
    if (i === undefined) return false;
    if (i < 256) {
      w.u8(0x68); // BINGET
      w.u8(i);
    } else {
      w.u8(0x6a); // LONG_BINGET
      w.u32(i);
    }
    return true;
  };
  const global = (module: string, name: string): void => {
    const key = `\0global:${module}.${name}`;
    if (get(key)) return;
    w.u8(0x63); // GLOBAL
    w.bytes(utf8Encode(`${module}\n${name}\n`));
    put(key);
  };
  const str = (s: string): void => {
    const key = `\0str:${s}`;
    if (get(key)) return;
    const b = utf8Encode(s);
    w.u8(0x58); // BINUNICODE
    w.u32(b.length);
    w.bytes(b);
    put(key);
  };
  const int = (v: number | bigint): void => {
    if (typeof v === 'number' && v >= 0 && v < 256) {
      w.u8(0x4b); // BININT1
      w.u8(v);
    } else if (typeof v === 'number' && v >= 0 && v < 65536) {
      w.u8(0x4d); // BININT2
      w.u16(v);
    } else if (v >= -2147483648 && v <= 2147483647) {
      w.u8(0x4a); // BININT
      w.i32(Number(v));
    } else {
      // LONG1: minimal two's-complement little-endian bytes, as Python's encode_long
      let x = BigInt(v);
      const bytes: number[] = [];
      while (true) {
        const b = Number(x & 0xffn);
        bytes.push(b);
        x >>= 8n;
        if ((x === 0n && !(b & 0x80)) || (x === -1n && b & 0x80)) break;
      }
      if (bytes.length > 255) throw new TypeError(`torch.save: integer ${String(v)} is too large to save`);
      w.u8(0x8a);
      w.u8(bytes.length);
      for (const b of bytes) w.u8(b);
    }
  };
  const emptyOrderedDict = (): void => {
    global('collections', 'OrderedDict');
    w.u8(0x29); // EMPTY_TUPLE
    w.u8(0x52); // REDUCE
  };
  const tupleEnd = (n: number): void => {
    if (n === 1) w.u8(0x85);
    else if (n === 2) w.u8(0x86);
    else if (n === 3) w.u8(0x87);
    else w.u8(0x74); // TUPLE (after a MARK)
  };
  const intTuple = (xs: readonly number[]): void => {
    if (xs.length === 0) {
      w.u8(0x29);
      return;
    }
    if (xs.length > 3) w.u8(0x28);
    for (const x of xs) int(x);
    tupleEnd(xs.length);
  };

  const tensor = (rec: TensorRecord): void => {
    global('torch._utils', '_rebuild_tensor_v2');
    w.u8(0x28); // MARK (the 6 arguments)
    // persistent id ('storage', torch.<T>Storage, key, 'cpu', numel)
    let key = storageKeys.get(rec.storage);
    if (key === undefined) {
      key = String(storageKeys.size);
      storageKeys.set(rec.storage, key);
      storages.push({ key, bytes: rec.storageBytes() });
    }
    w.u8(0x28);
    str('storage');
    global('torch', rec.storageClass);
    str(key);
    str('cpu');
    int(rec.storageNumel);
    w.u8(0x74);
    w.u8(0x51); // BINPERSID
    int(rec.offset);
    intTuple(rec.shape);
    intTuple(rec.strides);
    w.u8(rec.requiresGrad && !rec.isParameter ? 0x88 : 0x89);
    emptyOrderedDict();
    w.u8(0x74); // TUPLE
    w.u8(0x52); // REDUCE
  };

  const save = (v: unknown): void => {
    if (v === null || v === undefined) {
      w.u8(0x4e); // NONE
      return;
    }
    if (typeof v === 'boolean') {
      w.u8(v ? 0x88 : 0x89);
      return;
    }
    if (typeof v === 'bigint') {
      int(v);
      return;
    }
    if (typeof v === 'number') {
      // integral doubles are Python ints (JS has one number type); -0, fractions, inf, nan are floats
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) int(v);
      else {
        w.u8(0x47); // BINFLOAT
        w.f64be(v);
      }
      return;
    }
    if (typeof v === 'string') {
      str(v);
      return;
    }
    if (typeof v !== 'object') throw new TypeError(hooks.unsupported(v));
    if (get(v)) return;
    if (inProgress.has(v)) throw new TypeError('torch.save: cannot save a tuple that contains itself');

    const rec = hooks.tensor(v);
    if (rec) {
      if (rec.isParameter) {
        global('torch._utils', '_rebuild_parameter');
        tensor(rec);
        w.u8(rec.requiresGrad ? 0x88 : 0x89);
        emptyOrderedDict();
        w.u8(0x87); // TUPLE3
        w.u8(0x52); // REDUCE
      } else tensor(rec);
      put(v);
      return;
    }
    if (v instanceof Uint8Array) {
      // protocol 2 bytes: _codecs.encode(latin1 text, 'latin1')
      global('_codecs', 'encode');
      let s = '';
      for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
      const b = utf8Encode(s);
      w.u8(0x58);
      w.u32(b.length);
      w.bytes(b);
      str('latin1');
      w.u8(0x86);
      w.u8(0x52);
      put(v);
      return;
    }
    if (Array.isArray(v)) {
      if (hooks.isTuple(v)) {
        inProgress.add(v);
        if (v.length === 0) w.u8(0x29);
        else {
          if (v.length > 3) w.u8(0x28);
          for (const x of v) save(x);
          tupleEnd(v.length);
        }
        inProgress.delete(v);
        put(v);
        return;
      }
      w.u8(0x5d); // EMPTY_LIST
      put(v);
      for (let i = 0; i < v.length; i += BATCH) {
        const n = Math.min(BATCH, v.length - i);
        if (n > 1) w.u8(0x28);
        for (let k = i; k < i + n; k++) save(v[k]);
        w.u8(n > 1 ? 0x65 : 0x61); // APPENDS / APPEND
      }
      return;
    }
    if (v instanceof Set) {
      // protocol 2 writes sets as set([items]); PyTorch 2.x's weights_only loader allows builtins.set (1.13's does not)
      global('builtins', 'set');
      w.u8(0x5d);
      put([]);
      const items = [...v];
      if (items.length > 0) {
        if (items.length > 1) w.u8(0x28);
        for (const x of items) {
          if (x !== null && typeof x === 'object' && !Array.isArray(x)) throw new TypeError('torch.save: set members must be strings, numbers, booleans, null or tuples (arrays)');
          save(x);
        }
        w.u8(items.length > 1 ? 0x65 : 0x61);
      }
      w.u8(0x85);
      w.u8(0x52);
      put(v);
      return;
    }
    let entries: [unknown, unknown][];
    if (v instanceof Map) entries = [...v.entries()];
    else if (isPlainObject(v)) entries = Object.entries(v);
    else throw new TypeError(hooks.unsupported(v));
    const meta = (v as { _metadata?: unknown })._metadata;
    const hasMeta = !(v instanceof Map) && meta !== undefined && !Object.prototype.propertyIsEnumerable.call(v, '_metadata');
    if (hasMeta || hooks.isOrderedDict(v)) emptyOrderedDict();
    else w.u8(0x7d); // EMPTY_DICT
    put(v);
    for (let i = 0; i < entries.length; i += BATCH) {
      const n = Math.min(BATCH, entries.length - i);
      if (n > 1) w.u8(0x28);
      for (let k = i; k < i + n; k++) {
        const [key, val] = entries[k]!;
        if (key !== null && typeof key === 'object' && !Array.isArray(key)) throw new TypeError('torch.save: dict keys must be strings, numbers, booleans, null or tuples (arrays)');
        save(key);
        save(val);
      }
      w.u8(n > 1 ? 0x75 : 0x73); // SETITEMS / SETITEM
    }
    if (hasMeta) {
      // OrderedDict.__reduce__ state: {'_metadata': ...}, applied by BUILD (as PyTorch's state_dict pickles)
      w.u8(0x7d);
      put({});
      str('_metadata');
      save(meta);
      w.u8(0x73);
      w.u8(0x62); // BUILD
    }
  };

  w.u8(0x80);
  w.u8(2); // PROTO 2
  save(obj);
  w.u8(0x2e); // STOP
  return { pickle: w.finish(), storages };
}

/** True for `{...}` objects (prototype Object.prototype or null). */
export function isPlainObject(v: object): v is Record<string, unknown> {
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}
