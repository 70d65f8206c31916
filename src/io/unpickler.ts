/**
 * A restricted pickle reader, the counterpart of PyTorch's `weights_only=True` unpickler.
 *
 * It understands every opcode of pickle protocols 0-5 that can describe tensors and plain
 * containers, and resolves `GLOBAL` / `STACK_GLOBAL` only against a fixed allow-list of the
 * functions PyTorch uses to rebuild tensors and containers. Nothing named in a file is ever looked
 * up or called: an allowed global becomes a tag, and `REDUCE` on a tag runs our own code for it.
 * Anything else (`os.system`, `builtins.eval`, arbitrary classes, `INST`/`OBJ`, extension codes)
 * throws an `UnpicklingError` naming it.
 *
 * Every read is bounds-checked, the stack and marks are checked like CPython's, and sizes are
 * capped by the bytes actually present, so corrupt input ends in a clear error, not a crash.
 */
import { ByteReader, latin1Decode, utf8Decode } from './bytes.js';
import { RawStorage, RawTensor, checkGeometry } from './dtypes.js';

/**
 * A pickle that is malformed or asks for something torchlet refuses to do (like Python's).
 * See https://docs.python.org/3/library/pickle.html#pickle.UnpicklingError
 * @example try { torch.load(bytes); } catch (e) { if (e instanceof torch.UnpicklingError) console.error('refused:', e.message); }
 */
export class UnpicklingError extends Error {
  /** Always `'UnpicklingError'`. */
  override name = 'UnpicklingError';
}

/** A Python tuple while unpickling (converted to a JS array at the end). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python dict or `OrderedDict` while unpickling; keys keep insertion order. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** Attributes set by `BUILD` (PyTorch stores a state_dict's `_metadata` this way). */
  readonly attrs = new Map<string, unknown>();
  constructor(readonly ordered: boolean) {}
}

/** An allowed global, resolved to a tag (never to anything callable). */
export class PyGlobal {
  constructor(
    readonly kind: GlobalKind,
    readonly path: string,
  ) {}
}

type GlobalKind =
  | 'OrderedDict'
  | 'rebuild_tensor_v2'
  | 'rebuild_tensor'
  | 'rebuild_parameter'
  | 'rebuild_parameter_with_state'
  | 'rebuild_from_type_v2'
  | 'Parameter'
  | 'Tensor'
  | 'Size'
  | 'set'
  | 'frozenset'
  | 'codecs_encode'
  | 'storage';

/**
 * The allow-list: exactly what PyTorch's `torch.save` emits for tensors, parameters and
 * containers. Python 2 module names (`__builtin__`) are mapped first, as Python 3 does.
 */
const ALLOWED = new Map<string, GlobalKind>([
  ['collections.OrderedDict', 'OrderedDict'],
  ['torch._utils._rebuild_tensor_v2', 'rebuild_tensor_v2'],
  ['torch._utils._rebuild_tensor', 'rebuild_tensor'],
  ['torch._utils._rebuild_parameter', 'rebuild_parameter'],
  ['torch._utils._rebuild_parameter_with_state', 'rebuild_parameter_with_state'],
  ['torch._tensor._rebuild_from_type_v2', 'rebuild_from_type_v2'],
  ['torch.nn.parameter.Parameter', 'Parameter'],
  ['torch.Tensor', 'Tensor'],
  ['torch.Size', 'Size'],
  ['builtins.set', 'set'],
  ['builtins.frozenset', 'frozenset'],
  ['_codecs.encode', 'codecs_encode'],
  ...['Float', 'Double', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].map((t) => [`torch.${t}Storage`, 'storage'] as [string, GlobalKind]),
]);

/** The globals `torch.load` accepts, as `module.name` (for docs and `inspect`). */
export const ALLOWED_GLOBALS: readonly string[] = [...ALLOWED.keys()];

/** Loads a storage for a persistent id `('storage', storage_type, key, location, numel)`. */
export type PersistentLoad = (storageClass: string, key: string, location: string, numel: number) => RawStorage;

const OP_NAMES: Record<number, string> = { 0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4' };

/** Python 2 module names that protocol 0-2 pickles use, as Python 3 reads them (a subset of `_compat_pickle`). */
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', commands: 'subprocess' };

function refuseGlobal(module: string, name: string, written = module): never {
  const as = written !== module ? ` (written as ${written}.${name})` : '';
  throw new UnpicklingError(
    `Unsupported global: GLOBAL ${module}.${name}${as} is not an allowed global. torch.load only rebuilds tensors and containers ` +
      `(like PyTorch's weights_only=True) and never calls anything named in a file.`,
  );
}

function typeOf(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PyGlobal) return v.path;
  if (v instanceof RawTensor) return 'Tensor';
  if (v instanceof RawStorage) return 'Storage';
  if (v instanceof Set) return 'set';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int or float';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Python's two's-complement little-endian long as a number (bigint when beyond 2^53). */
function decodeLong(b: Uint8Array): number | bigint {
  const n = b.length;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    if (b[n - 1]! & 0x80) v -= 2 ** (8 * n);
    return v;
  }
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += b[i]!.toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return normInt(v);
}

/** A bigint as a number when it is exact, else kept as bigint. */
export function normInt(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

function parseIntText(s: string): number | bigint {
  const t = s.endsWith('L') ? s.slice(0, -1) : s;
  if (!/^[+-]?\d+$/.test(t)) throw new UnpicklingError(`invalid integer literal in pickle: ${JSON.stringify(s.slice(0, 40))}`);
  return normInt(BigInt(t));
}

/** Python's `float(text)` for protocol 0 `FLOAT`: decimal literals plus inf and nan. */
function parseFloatText(s: string): number {
  const t = s.trim().toLowerCase();
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
  if (m) return m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw new UnpicklingError(`invalid float literal in pickle: ${JSON.stringify(s.slice(0, 40))}`);
  return Number(t);
}

/** Python 2 `STRING` literals: a quoted repr with simple escapes. */
function parseStringRepr(s: string): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) throw new UnpicklingError('the STRING opcode argument must be quoted');
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

/** `raw-unicode-escape` (protocol 0 `UNICODE`): Latin-1 with \uXXXX and \UXXXXXXXX escapes. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, b?: string) => {
    const cp = parseInt((a ?? b)!, 16);
    if (cp > 0x10ffff) throw new UnpicklingError('invalid \\U escape in UNICODE opcode');
    return String.fromCodePoint(cp);
  });
}

/**
 * Reads a pickle into Python-shaped values (`PyDict`, `PyTuple`, arrays for lists, `Set`,
 * `RawTensor`, strings, numbers, bigints, booleans, null, `Uint8Array` for bytes).
 * Only `persistentLoad` can reach outside the pickle, and only for storages.
 * @example const value = unpickle(bytes, loadStorage);
 */
export function unpickle(bytes: Uint8Array, persistentLoad: PersistentLoad): unknown {
  const r = new ByteReader(bytes, 'pickle');
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();

  const floor = (): number => (marks.length ? marks[marks.length - 1]! : 0);
  const pop = (): unknown => {
    if (stack.length <= floor()) throw new UnpicklingError(`pickle stack underflow at offset ${r.pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length <= floor()) throw new UnpicklingError(`pickle stack underflow at offset ${r.pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const k = marks.pop();
    if (k === undefined) throw new UnpicklingError(`pickle has no MARK before the opcode at offset ${r.pos - 1}`);
    return stack.splice(k);
  };
  const str = (b: Uint8Array): string => utf8Decode(b, 'pickle string');
  const textLine = (): string => latin1Decode(r.line()).replace(/\r$/, '');
  const len32 = (): number => r.u32();
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw new UnpicklingError(`pickle memo has no entry ${i}`);
    return memo.get(i);
  };

  const globalOf = (written: string, name: string): PyGlobal => {
    const module = PY2_MODULES[written] ?? written;
    const path = `${module}.${name}`;
    const kind = ALLOWED.get(path);
    if (kind === undefined) refuseGlobal(module, name, written);
    return new PyGlobal(kind, path);
  };

  for (;;) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case 0x80: {
        // PROTO
        const v = r.u8();
        if (v > 5) throw new UnpicklingError(`unsupported pickle protocol: ${v}`);
        break;
      }
      case 0x95: {
        // FRAME: a length prefix only; frames are read in place
        const n = r.u64();
        if (n > r.remaining) throw new UnpicklingError(`pickle frame of ${n} bytes at offset ${at} exceeds the data`);
        break;
      }
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (stack.length > floor()) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      // ---- numbers
      case 0x49: {
        // INT (text); '00' and '01' are protocol 0's False and True
        const s = textLine();
        stack.push(s === '00' ? false : s === '01' ? true : parseIntText(s));
        break;
      }
      case 0x4a: // BININT
        stack.push(r.i32());
        break;
      case 0x4b: // BININT1
        stack.push(r.u8());
        break;
      case 0x4d: // BININT2
        stack.push(r.u16());
        break;
      case 0x4c: // LONG (text)
        stack.push(parseIntText(textLine()));
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(r.take(r.u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = r.i32();
        if (n < 0) throw new UnpicklingError('LONG pickle has negative byte count');
        if (n > 65536) throw new UnpicklingError(`LONG4 integer of ${n} bytes is too large`);
        stack.push(decodeLong(r.take(n)));
        break;
      }
      case 0x46: {
        // FLOAT (text)
        stack.push(parseFloatText(textLine()));
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(r.f64be());
        break;
      // ---- strings and bytes
      case 0x53: // STRING (text, Python 2 str)
        stack.push(parseStringRepr(textLine()));
        break;
      case 0x54: {
        // BINSTRING
        const n = r.i32();
        if (n < 0) throw new UnpicklingError('BINSTRING pickle has negative byte count');
        stack.push(latin1Decode(r.take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1Decode(r.take(r.u8())));
        break;
      case 0x56: // UNICODE (text)
        stack.push(rawUnicodeEscape(textLine()));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(r.take(len32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(r.take(r.u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(r.take(r.u64())));
        break;
      case 0x42: // BINBYTES
        stack.push(r.take(len32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(r.take(r.u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(r.take(r.u64()).slice());
        break;
      case 0x97: // NEXT_BUFFER
        throw new UnpicklingError('pickle uses out-of-band buffers (NEXT_BUFFER), which torch.load does not provide');
      case 0x98: // READONLY_BUFFER
        top();
        break;
      // ---- constants
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      // ---- containers
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) throw new UnpicklingError(`Can only append to lists, but got ${typeOf(list)}`);
        list.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw new UnpicklingError(`Can only extend lists, but got ${typeOf(list)}`);
        for (const v of items) list.push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict(false));
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2) throw new UnpicklingError('DICT has an odd number of items');
        const d = new PyDict(false);
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        const d = top();
        if (!(d instanceof PyDict)) throw new UnpicklingError(`Can only set items of dicts, but got ${typeOf(d)}`);
        setItem(d, k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        if (!(d instanceof PyDict)) throw new UnpicklingError(`Can only set items of dicts, but got ${typeOf(d)}`);
        if (items.length % 2) throw new UnpicklingError('SETITEMS has an odd number of items');
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new UnpicklingError(`Can only add items to sets, but got ${typeOf(s)}`);
        for (const v of items) s.add(hashable(v));
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark().map(hashable)));
        break;
      // ---- memo
      case 0x67: // GET (text)
        stack.push(memoGet(Number(parseIntText(textLine()))));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(r.u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(r.u32()));
        break;
      case 0x70: {
        // PUT (text)
        const i = parseIntText(textLine());
        if (typeof i !== 'number' || i < 0) throw new UnpicklingError('negative PUT argument');
        memo.set(i, top());
        break;
      }
      case 0x71: // BINPUT
        memo.set(r.u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(r.u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      // ---- the risky operators: globals, calls, object construction
      case 0x63: {
        // GLOBAL
        const module = utf8Decode(r.line(), 'GLOBAL module name');
        const name = utf8Decode(r.line(), 'GLOBAL name');
        stack.push(globalOf(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new UnpicklingError('STACK_GLOBAL requires str');
        stack.push(globalOf(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(reduce(fn, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(newObj(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof PyDict) || kwargs.map.size > 0) throw new UnpicklingError('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(newObj(cls, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x69: {
        // INST: instantiates module.name
        const module = latin1Decode(r.line());
        const name = latin1Decode(r.line());
        refuseGlobal(PY2_MODULES[module] ?? module, name, module);
        break;
      }
      case 0x6f: // OBJ
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new UnpicklingError(`Unsupported pickle opcode ${OP_NAMES[op]} at offset ${at}: it constructs objects outside torch.load's allow-list`);
      // ---- persistent ids: storages only
      case 0x51: // BINPERSID
        stack.push(persistent(pop(), persistentLoad));
        break;
      case 0x50: // PERSID (text)
        stack.push(persistent(textLine(), persistentLoad));
        break;
      default:
        throw new UnpicklingError(`Unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
    }
  }
}

/** Dict keys and set members: bytes and tuples are kept as objects; everything else is a JS primitive. */
function hashable(k: unknown): unknown {
  if (k instanceof PyDict || Array.isArray(k) || k instanceof Set) throw new UnpicklingError(`unhashable type: '${typeOf(k)}'`);
  return k;
}

function setItem(d: PyDict, k: unknown, v: unknown): void {
  d.map.set(hashable(k), v);
}

function persistent(pid: unknown, load: PersistentLoad): RawStorage {
  const items = pid instanceof PyTuple ? pid.items : null;
  const tag = items?.[0] instanceof Uint8Array ? latin1Decode(items[0]) : items?.[0];
  if (!items || tag !== 'storage') {
    throw new UnpicklingError(`Only persistent_load of storage is allowed, but got ${items ? String(tag) : typeOf(pid)}`);
  }
  const [, cls, key, location, numel] = items;
  if (items.length < 5 || !(cls instanceof PyGlobal) || cls.kind !== 'storage') {
    throw new UnpicklingError("a storage's persistent id must be ('storage', torch.<Type>Storage, key, location, numel)");
  }
  const keyStr = key instanceof Uint8Array ? latin1Decode(key) : key;
  const loc = location instanceof Uint8Array ? latin1Decode(location) : location;
  if (typeof keyStr !== 'string' || typeof loc !== 'string') throw new UnpicklingError("a storage's key and location must be str");
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw new UnpicklingError(`a storage's element count must be a non-negative int, got ${String(numel)}`);
  return load(cls.path.slice('torch.'.length), keyStr, loc, numel);
}

function argsOf(args: unknown, fn: string): unknown[] {
  if (!(args instanceof PyTuple)) throw new UnpicklingError(`${fn}: arguments must be a tuple, got ${typeOf(args)}`);
  return args.items;
}

function intTuple(v: unknown, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items) throw new UnpicklingError(`${what} must be a tuple of ints, got ${typeOf(v)}`);
  return items.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new UnpicklingError(`${what} must be a tuple of ints, got an element ${typeof x === 'bigint' ? String(x) : typeOf(x)}`);
    return x;
  });
}

function rebuildTensor(fn: string, a: unknown[]): RawTensor {
  const [storage, offset, size, stride, requiresGrad] = a;
  if (a.length < 4) throw new UnpicklingError(`${fn} expects at least 4 arguments, got ${a.length}`);
  if (!(storage instanceof RawStorage)) throw new UnpicklingError(`${fn}: the first argument must be a storage, got ${typeOf(storage)}`);
  const shape = intTuple(size, `${fn}: size`);
  const strides = intTuple(stride, `${fn}: stride`);
  try {
    checkGeometry(`tensor in ${storage.key}`, storage.numel, offset as number, shape, strides);
  } catch (e) {
    throw new UnpicklingError((e as Error).message);
  }
  return new RawTensor(storage, offset as number, shape, strides, requiresGrad === true, false);
}

function asParameter(data: unknown, requiresGrad: unknown): RawTensor {
  if (!(data instanceof RawTensor)) throw new UnpicklingError(`Parameter data must be a tensor, got ${typeOf(data)}`);
  const rg = requiresGrad === undefined ? true : requiresGrad === true;
  return new RawTensor(data.storage, data.offset, data.shape, data.strides, rg, true);
}

function reduce(fn: unknown, args: unknown): unknown {
  if (!(fn instanceof PyGlobal)) throw new UnpicklingError(`Trying to call reduce for unrecognized function ${typeOf(fn)}`);
  const a = argsOf(args, fn.path);
  switch (fn.kind) {
    case 'OrderedDict': {
      const d = new PyDict(true);
      if (a.length > 0) {
        const pairs = a[0] instanceof PyTuple ? a[0].items : Array.isArray(a[0]) ? a[0] : null;
        if (a.length > 1 || !pairs) throw new UnpicklingError('OrderedDict() takes an optional list of (key, value) pairs');
        for (const p of pairs) {
          if (!(p instanceof PyTuple) || p.items.length !== 2) throw new UnpicklingError('OrderedDict() items must be (key, value) pairs');
          setItem(d, p.items[0], p.items[1]);
        }
      }
      return d;
    }
    case 'rebuild_tensor_v2':
    case 'rebuild_tensor':
      return rebuildTensor(fn.path, a);
    case 'rebuild_parameter':
    case 'rebuild_parameter_with_state':
      if (a.length < 1) throw new UnpicklingError(`${fn.path} expects the tensor data`);
      return asParameter(a[0], a[1]);
    case 'rebuild_from_type_v2': {
      // (func, new_type, args, state): rebuild with func, then retype; Python attributes (state) are dropped
      const [inner, newType, innerArgs] = a;
      // (not itself: nesting it would recurse as deep as the file is long)
      if (!(inner instanceof PyGlobal) || !inner.kind.startsWith('rebuild_') || inner.kind === 'rebuild_from_type_v2') throw new UnpicklingError(`${fn.path}: unsupported rebuild function ${typeOf(inner)}`);
      if (!(newType instanceof PyGlobal) || (newType.kind !== 'Tensor' && newType.kind !== 'Parameter')) throw new UnpicklingError(`${fn.path}: unsupported tensor type ${typeOf(newType)}`);
      const t = reduce(inner, innerArgs);
      if (!(t instanceof RawTensor)) throw new UnpicklingError(`${fn.path}: the rebuild did not produce a tensor`);
      return newType.kind === 'Parameter' ? asParameter(t, t.requiresGrad) : t;
    }
    case 'Size':
      return new PyTuple(intTuple(a[0] ?? new PyTuple([]), 'torch.Size'));
    case 'set':
    case 'frozenset': {
      const items = a.length === 0 ? [] : a[0] instanceof PyTuple ? a[0].items : Array.isArray(a[0]) ? a[0] : a[0] instanceof Set ? [...a[0]] : null;
      if (!items || a.length > 1) throw new UnpicklingError(`${fn.path}() takes an optional list of items`);
      return new Set(items.map(hashable));
    }
    case 'codecs_encode': {
      // how protocol 2 writes bytes: _codecs.encode(text, 'latin1')
      const [text, enc] = a;
      if (typeof text !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new UnpicklingError('_codecs.encode is only accepted as encode(str, "latin1") for bytes');
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 255) throw new UnpicklingError("_codecs.encode: text is not latin1");
        out[i] = c;
      }
      return out;
    }
    default:
      throw new UnpicklingError(`Trying to call reduce for unsupported function ${fn.path}`);
  }
}

function newObj(cls: unknown, args: unknown): unknown {
  if (!(cls instanceof PyGlobal)) throw new UnpicklingError(`NEWOBJ expects a class, got ${typeOf(cls)}`);
  const a = argsOf(args, cls.path);
  if (cls.kind === 'OrderedDict' && a.length === 0) return new PyDict(true);
  if ((cls.kind === 'set' || cls.kind === 'frozenset') && a.length === 0) return new Set();
  if (cls.kind === 'Parameter') return asParameter(a[0], a[1]);
  throw new UnpicklingError(`Can only create new object for OrderedDict, set or nn.Parameter, but got ${cls.path}`);
}

function build(inst: unknown, state: unknown): void {
  if (inst instanceof PyDict && inst.ordered) {
    // OrderedDict.__reduce__ passes instance attributes: a dict, or (dict, slots)
    const s = state instanceof PyTuple ? state.items[0] : state;
    if (s === null) return;
    if (!(s instanceof PyDict)) throw new UnpicklingError(`BUILD state of an OrderedDict must be a dict, got ${typeOf(s)}`);
    for (const [k, v] of s.map) if (typeof k === 'string') inst.attrs.set(k, v);
    return;
  }
  if (inst instanceof RawTensor && inst.isParameter) return; // Parameter.__setstate__: Python attributes are dropped
  throw new UnpicklingError(`Can only build Tensor, parameter or dict objects, but got ${typeOf(inst)}`);
}

/** True for keys a JS object would reorder (canonical array indices). */
function isIndexKey(k: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/** Sets a property even when it is `__proto__` (never touches prototypes). */
export function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Hooks used when converting unpickled values to JS. */
export interface ConvertHooks {
  /** Makes the JS value of a tensor (called once per `RawTensor` object). */
  tensor(t: RawTensor): unknown;
  /** Arrays that were Python tuples are reported here (so `save` can write tuples back). */
  tuple?(a: unknown[]): void;
  /** Objects that were `OrderedDict`s are reported here. */
  orderedDict?(o: object): void;
}

/**
 * Converts unpickled values to plain JS: dicts whose keys are all strings become objects in key
 * order (a `Map` when a key looks like an array index, which objects would reorder), other dicts
 * become `Map`s, tuples and lists arrays, sets `Set`s, bytes `Uint8Array`s, tensors via `hooks`.
 * A state_dict's `_metadata` becomes a non-enumerable property. Iterative, so nesting depth is
 * not limited by the JS call stack; shared references stay shared.
 */
export function toJs(root: unknown, hooks: ConvertHooks): unknown {
  const done = new Map<object, unknown>();
  const work: (() => void)[] = [];
  const conv = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (done.has(v)) return done.get(v);
    if (v instanceof Uint8Array) return v;
    if (v instanceof RawTensor) {
      const t = hooks.tensor(v);
      done.set(v, t);
      return t;
    }
    if (v instanceof PyTuple || Array.isArray(v)) {
      const items = v instanceof PyTuple ? v.items : v;
      const out: unknown[] = new Array(items.length);
      done.set(v, out);
      if (v instanceof PyTuple) hooks.tuple?.(out);
      work.push(() => {
        for (let i = 0; i < items.length; i++) out[i] = conv(items[i]);
      });
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<unknown>();
      done.set(v, out);
      work.push(() => {
        for (const x of v) out.add(conv(x));
      });
      return out;
    }
    if (v instanceof PyDict) {
      let plain = true;
      for (const k of v.map.keys()) if (typeof k !== 'string' || isIndexKey(k)) plain = false;
      const out: Record<string, unknown> | Map<unknown, unknown> = plain ? {} : new Map();
      done.set(v, out);
      if (v.ordered) hooks.orderedDict?.(out);
      work.push(() => {
        if (out instanceof Map) for (const [k, x] of v.map) out.set(conv(k), conv(x));
        else for (const [k, x] of v.map) defineKey(out, k as string, conv(x));
        const meta = v.attrs.get('_metadata');
        if (meta !== undefined) Object.defineProperty(out, '_metadata', { value: metadataOf(meta), enumerable: false, writable: true, configurable: true });
      });
      return out;
    }
    if (v instanceof RawStorage) throw new UnpicklingError(`a bare storage (${v.key}) outside a tensor cannot be loaded`);
    if (v instanceof PyGlobal) throw new UnpicklingError(`the pickle returns the global ${v.path} itself, which torch.load cannot give back`);
    throw new UnpicklingError(`cannot convert ${typeOf(v)}`);
  };
  const out = conv(root);
  while (work.length) work.pop()!();
  return out;
}

/**
 * A state_dict's `_metadata` (`{module_prefix: {version: n}}`) as plain objects, whatever the
 * keys look like: `Module.loadStateDict` indexes it by prefix ('0', '1.fc', ...).
 */
function metadataOf(meta: unknown): Record<string, unknown> | null {
  if (!(meta instanceof PyDict)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of meta.map) {
    if (typeof k !== 'string' || !(v instanceof PyDict)) continue;
    const entry: Record<string, unknown> = {};
    for (const [kk, vv] of v.map) if (typeof kk === 'string' && (typeof vv === 'number' || typeof vv === 'string' || typeof vv === 'boolean' || vv === null)) defineKey(entry, kk, vv);
    defineKey(out, k, entry);
  }
  return out;
}
