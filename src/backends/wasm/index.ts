/**
 * The WebAssembly SIMD backend: the native backend's C++ kernels (packed, register-blocked sgemm /
 * dgemm, the fused LSTM / GRU / RNN layers and the float32 Adam update: native/gemm.cc,
 * recurrent.cc, optim.cc and kernels.inc) compiled to wasm32 with 128-bit SIMD, single-threaded (native/wasm/, built by
 * `npm run build:wasm`; the module ships as base64 in ./binary.ts, so it needs no fs and bundles
 * as plain JavaScript). It runs where the native addon does not: browsers, workers, platforms
 * without a prebuilt binary.
 *
 * Tensors stay in ordinary typed arrays (the js backend's storage); each call copies its operands
 * into the module's linear memory (one reusable block, grown as needed) and the results back.
 * Everything but gemm and those fused routines is the js backend's; the fused routines are called
 * through their descriptors (kernel-args.ts): one generic call per routine. Arguments the kernels do
 * not take (integer arrays, views outside their data, odd lengths) run on the js kernel, which
 * also raises the errors, exactly as in the native backend; a trap inside the module (out of
 * memory) also falls back to the js kernel.
 *
 * Instantiation is synchronous and lazy (the first `backend()` resolution that reaches 'wasm', or
 * `isAvailable()`); it throws, and the registry falls back to js, when WebAssembly or its SIMD
 * extension is missing. A browser main thread may refuse a synchronous compile: `preload()` there
 * compiles asynchronously first. `setWasmPath(url)` makes `preload()` fetch the module from a URL
 * (the package's `torchlet/torchlet.wasm`, served by the page) instead of decoding the inlined
 * copy, as onnxruntime-web's `env.wasm.wasmPaths` and tfjs's `setWasmPaths` do.
 */
import type { Backend, GemmOptions, View } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { Kind, type RoutineDescriptor, RoutineCall, gemmFits, routineIds, span } from '../kernel-args.js';
import { COMPILED_ROUTINES, compiledBackend } from '../compiled.js';
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import { WASM_BASE64, WASM_SHA256 } from './binary.js';

/** The module's exports (native/wasm/entry.cc). Pointers are byte addresses (i32, read as unsigned). */
interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly __stack_pointer: WebAssembly.Global;
  __wasm_call_ctors(): void;
  tl_malloc(bytes: number): number;
  tl_free(ptr: number): void;
  tl_trim(keep: number): void;
  tl_isa(): number;
  tl_abi(): number;
  tl_gemm(f64: number, params: number, a: number, b: number, c: number): void;
  /** The routines of native/routines.h, `"name:signature;..."` in id order (a NUL-terminated string). */
  tl_routines(): number;
  /** Runs routine `id` on the block of its fields' values (doubles: numbers, or addresses of arrays). */
  tl_run(id: number, f64: number, block: number): void;
}

/** The ABI version native/wasm/entry.cc exports. */
const ABI = 2;
/** Kernel scratch kept in the module between calls (as the native addon keeps 16 MiB). */
const KEEP_SCRATCH = 16 << 20;
/** Fields of a routine's argument block at most (one double each; gemm's block has 18). */
const MAX_FIELDS = 64;
/** The fused routines the module runs, checked against its table when it is instantiated. */

let wasm: Exports | null | undefined; // undefined: not tried yet
/** The module's routine ids by name. */
let ids = new Map<string, number>();
let why = 'not loaded yet';
let isaName = '';
let compiled: WebAssembly.Module | null = null;
/** Where the module's bytes come from: a URL or file path set by setWasmPath, or null (the inlined copy). */
let wasmPath: string | null = null;
/** Where the compiled module came from ('inline' or the path), for info(). */
let compiledFrom = '';

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const code = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) code[alphabet.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61) len--; // '='
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    acc = (acc << 6) | code[s.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

function compile(): WebAssembly.Module {
  if (typeof WebAssembly === 'undefined' || typeof WebAssembly.Module !== 'function') {
    throw new Error('WebAssembly is not available');
  }
  if (compiled) return compiled;
  if (wasmPath !== null) throw new Error(`the module is set to load from ${wasmPath} (setWasmPath): await torch.backends.wasm.preload() first`);
  // A CompileError here means no SIMD128 (or bulk memory): the module uses both.
  compiled = new WebAssembly.Module(decodeBase64(WASM_BASE64));
  compiledFrom = 'inline';
  return compiled;
}

type NodeProcess = { getBuiltinModule?: (id: string) => unknown };

/**
 * The bytes at `path`: on Node.js a `file:` URL or a file path is read from disk; anything else
 * (http(s) URLs, and in a browser relative URLs, resolved against the page) is fetched.
 */
async function readWasm(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const proc = (globalThis as { process?: NodeProcess }).process;
  let url: URL | null = null;
  try {
    url = new URL(path);
  } catch {
    // not an absolute URL: a path (Node.js) or a URL relative to the page (browsers)
  }
  if (typeof proc?.getBuiltinModule === 'function' && (url === null || url.protocol === 'file:')) {
    const fs = proc.getBuiltinModule('node:fs') as typeof import('node:fs');
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as typeof import('node:url');
    const file = url ? fileURLToPath(url) : path;
    try {
      return new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      throw new Error(`torch.backends.wasm.preload: cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  let res: Response;
  try {
    res = await fetch(path);
  } catch (e) {
    throw new Error(`torch.backends.wasm.preload: cannot fetch ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new Error(`torch.backends.wasm.preload: cannot fetch ${path}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Refuses bytes that are not this version's module (where Web Crypto is available: Node.js, secure pages). */
async function checkWasm(bytes: Uint8Array<ArrayBuffer>, path: string): Promise<void> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return; // the ABI and routine-table checks at instantiation still apply
  const hex = Array.from(new Uint8Array(await subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  if (hex !== WASM_SHA256) {
    throw new Error(
      `torch.backends.wasm.preload: ${path} is not the module of this torchlet version (sha256 ${hex}, expected ${WASM_SHA256}): ` +
        "serve the torchlet.wasm of the installed package (the 'torchlet/torchlet.wasm' export)",
    );
  }
}

/**
 * Loads the WebAssembly module from `url` instead of the copy inlined in the JavaScript (as
 * base64), as onnxruntime-web's `env.wasm.wasmPaths` does: the bytes are then fetched (or, on
 * Node.js, read from a `file:` URL or path) by `await torch.backends.wasm.preload()`, which must
 * run before the first tensor operation; until then the backend is unavailable and resolution
 * falls back to js. The file ships in the package as `torchlet/torchlet.wasm`; it must be the one
 * of the same version (preload checks its sha256). `null` goes back to the inlined copy.
 * See https://pytorch.org/docs/1.13/backends.html
 * @throws Error when the module is already instantiated.
 * @example
 * torch.backends.wasm.setWasmPath('/assets/torchlet.wasm');
 * await torch.backends.wasm.preload();
 */
export function setWasmPath(url: string | URL | null): void {
  if (wasm) throw new Error('torch.backends.wasm.setWasmPath: the module is already instantiated; set the path before the first tensor operation');
  wasmPath = url === null ? null : String(url);
  compiled = null;
  wasm = undefined;
}

/** The NUL-terminated string at address p of the module's memory. */
function cString(e: Exports, p: number): string {
  const bytes = new Uint8Array(e.memory.buffer);
  let end = p >>> 0;
  while (bytes[end] !== 0 && end < bytes.length) end++;
  return String.fromCharCode(...bytes.subarray(p >>> 0, end));
}

/**
 * The module's exports, instantiating it on first call; null (with `reason()` set) when it cannot
 * be used. Internal: the kernels below are its only callers.
 * @example const ok = wasmExports() !== null;
 */
export function wasmExports(): Exports | null {
  if (wasm !== undefined) return wasm;
  wasm = null;
  try {
    const mod = compile();
    const inst = new WebAssembly.Instance(mod, {});
    const e = inst.exports as unknown as Exports;
    if (e.tl_abi() !== ABI) throw new Error(`module ABI ${e.tl_abi()}, expected ${ABI} (rebuild with npm run build:wasm)`);
    e.__wasm_call_ctors();
    isaName = cString(e, e.tl_isa());
    ids = routineIds(cString(e, e.tl_routines()), COMPILED_ROUTINES, 'npm run build:wasm');
    argsPtr = e.tl_malloc(8 * MAX_FIELDS) >>> 0;
    wasm = e;
    why = '';
  } catch (err) {
    why = `cannot instantiate the WebAssembly SIMD module: ${err instanceof Error ? err.message : String(err)}`;
  }
  return wasm;
}

/**
 * Compiles the module asynchronously (for browser main threads, which may refuse a synchronous
 * compile); the backend then instantiates synchronously from the compiled module. If a synchronous
 * attempt already failed, the next resolution retries (`setBackend('wasm')`, or `setBackend(null)`
 * to resolve by priority again). Resolves even when WebAssembly is unavailable (the backend then
 * reports why and js is used). After `setWasmPath(url)` it loads the module from there, and
 * rejects when the file cannot be read or is not this version's module.
 * See https://pytorch.org/docs/stable/backends.html
 * @example await torch.backends.wasm.preload(); torch.backends.setBackend('wasm');
 */
export async function preload(): Promise<void> {
  if (compiled || typeof WebAssembly === 'undefined') return;
  const path = wasmPath;
  let bytes: Uint8Array<ArrayBuffer>;
  if (path === null) bytes = decodeBase64(WASM_BASE64);
  else {
    bytes = await readWasm(path);
    await checkWasm(bytes, path);
  }
  if (wasmPath !== path || compiled) return; // the path changed, or another preload finished first
  try {
    compiled = await WebAssembly.compile(bytes);
    compiledFrom = path ?? 'inline';
    if (wasm === null) wasm = undefined; // retry instantiation from the compiled module
  } catch {
    // (no SIMD) reported by wasmExports() when the backend is resolved
  }
}

/**
 * Whether the WebAssembly SIMD backend can be used here.
 * See https://pytorch.org/docs/stable/backends.html
 * @example if (!torch.backends.wasm.isAvailable()) console.log(torch.backends.wasm.reason());
 */
export function isAvailable(): boolean {
  return wasmExports() !== null;
}

/** Why the wasm backend is not available ('' when it is). @example torch.backends.wasm.reason() */
export function reason(): string {
  wasmExports();
  return why;
}

/**
 * The module's kernels, current linear memory size and where it was loaded from ('inline' or the
 * setWasmPath path), or null when unavailable.
 * @example torch.backends.wasm.info() // { isa: 'wasm-simd128', memoryBytes: 1114112, source: 'inline' }
 */
export function info(): { isa: string; memoryBytes: number; source: string } | null {
  const e = wasmExports();
  return e ? { isa: isaName, memoryBytes: e.memory.buffer.byteLength, source: compiledFrom } : null;
}

// ------------------------------------------------------------------------------------------------
// The module's memory: views (renewed when the memory grows), the argument block and one reusable
// I/O block that holds a call's arrays.
// ------------------------------------------------------------------------------------------------

let argsPtr = 0;
let ioPtr = 0;
let ioCap = 0;
let buffer: ArrayBuffer | null = null;
let i32 = new Int32Array(0);
let f32 = new Float32Array(0);
let f64 = new Float64Array(0);

function views(): void {
  const b = wasm!.memory.buffer;
  if (b === buffer) return;
  buffer = b;
  i32 = new Int32Array(b);
  f32 = new Float32Array(b);
  f64 = new Float64Array(b);
}

/** Largest array (bytes) a call may hand the module or make it allocate; bigger calls run on js. */
const MAX_BYTES = 2 ** 30;

/** The I/O block's address, grown (by a quarter more) to at least `bytes`. */
function reserve(bytes: number): number {
  if (bytes > ioCap) {
    const e = wasm!;
    if (ioPtr) e.tl_free(ioPtr);
    ioPtr = 0;
    ioCap = 0;
    const cap = Math.ceil((bytes * 1.25 + 64) / 64) * 64;
    // (the module's malloc takes at most 2 GiB; guarded() turns this into a js fallback)
    if (cap > 2 ** 31) throw new WebAssembly.RuntimeError('torchlet wasm: call too large for the module memory');
    ioPtr = e.tl_malloc(cap) >>> 0; // traps (RuntimeError) when the memory cannot grow
    ioCap = cap;
  }
  return ioPtr;
}

/** The view of the module's memory for arrays of x's type. */
function heapOf(x: TypedArray): TypedArray {
  return x instanceof Float32Array ? f32 : x instanceof Float64Array ? f64 : i32;
}

// One call's arrays: each distinct array (an array passed twice shares one region) gets a region
// of the I/O block; IN regions are filled before the call, OUT regions copied back after it.
const IN = 1;
const OUT = 2;
const slotArr: (TypedArray | null)[] = [];
const slotLen: number[] = [];
const slotMode: number[] = [];
const slotPtr: number[] = [];
let nslots = 0;

/** Adds an array (first `len` elements) to the call; returns its slot, or -1 for null. */
function slot(arr: TypedArray | null | undefined, len: number, mode: number): number {
  if (arr === null || arr === undefined) return -1;
  for (let s = 0; s < nslots; s++) {
    if (slotArr[s] === arr) {
      slotLen[s] = Math.max(slotLen[s]!, len);
      slotMode[s]! |= mode;
      return s;
    }
  }
  slotArr[nslots] = arr;
  slotLen[nslots] = len;
  slotMode[nslots] = mode;
  return nslots++;
}

/** Lays the slots out in the I/O block and copies the IN ones in. */
function place(): void {
  let bytes = 0;
  for (let s = 0; s < nslots; s++) bytes += Math.ceil((slotLen[s]! * slotArr[s]!.BYTES_PER_ELEMENT) / 64) * 64 + 64;
  const base = reserve(bytes);
  views();
  let p = base;
  for (let s = 0; s < nslots; s++) {
    const a = slotArr[s]!;
    const len = slotLen[s]!;
    slotPtr[s] = p;
    if (slotMode[s]! & IN && len > 0) heapOf(a).set(len === a.length ? a : a.subarray(0, len), p / a.BYTES_PER_ELEMENT);
    p += Math.ceil((len * a.BYTES_PER_ELEMENT) / 64) * 64 + 64;
  }
}

/** Copies the OUT slots back and forgets the call's arrays. */
function finish(): void {
  views();
  for (let s = 0; s < nslots; s++) {
    const a = slotArr[s]!;
    const len = slotLen[s]!;
    if (slotMode[s]! & OUT && len > 0) {
      const e = a.BYTES_PER_ELEMENT;
      a.set(heapOf(a).subarray(slotPtr[s]! / e, slotPtr[s]! / e + len));
    }
    slotArr[s] = null;
  }
  nslots = 0;
}

function ptrOf(s: number): number {
  return s < 0 ? 0 : slotPtr[s]!;
}

/**
 * Runs a module call; a trap (out of memory) resets the call and reports false (the caller falls
 * back to js). A trap leaves the module's shadow stack pointer where the trapping frame had it:
 * it is restored, so repeated traps cannot exhaust the stack.
 */
function guarded(fn: () => void): boolean {
  const e = wasm!;
  const sp = e.__stack_pointer.value;
  try {
    fn();
    return true;
  } catch (err) {
    e.__stack_pointer.value = sp;
    for (let s = 0; s < nslots; s++) slotArr[s] = null;
    nslots = 0;
    if (err instanceof WebAssembly.RuntimeError) return false;
    throw err;
  } finally {
    e.tl_trim(KEEP_SCRATCH);
  }
}

// ------------------------------------------------------------------------------------------------
// gemm
// ------------------------------------------------------------------------------------------------

/**
 * How an operand [nb, r, c] reaches the module: its data span copied as is (offset and strides
 * kept), or, when the view uses little of its span (a column of a wide matrix), gathered into a
 * dense copy (rows or columns contiguous as in the view; a broadcast batch stays stride 0).
 */
interface Operand {
  gather: boolean;
  lo: number;
  len: number;
  offset: number;
  strides: [number, number, number];
}

function operand(v: View): Operand {
  const [nb, r, c] = v.shape as [number, number, number];
  const [s0, s1, s2] = v.strides as [number, number, number];
  if (nb * r * c === 0) return { gather: false, lo: 0, len: 0, offset: 0, strides: [s0, s1, s2] };
  const [lo, hi] = span(v)!;
  const stored = (s0 === 0 ? 1 : nb) * r * c;
  if (hi - lo + 1 <= 4 * stored + 64) return { gather: false, lo, len: hi - lo + 1, offset: v.offset - lo, strides: [s0, s1, s2] };
  const rowMajor = Math.abs(s2) <= Math.abs(s1);
  return { gather: true, lo: 0, len: stored, offset: 0, strides: [s0 === 0 ? 0 : r * c, rowMajor ? c : 1, rowMajor ? 1 : r] };
}

/** Writes a gathered operand into the heap at element `dst`. */
function gatherInto(heap: FloatArray, dst: number, v: View, o: Operand): void {
  const [nb, r, c] = v.shape as [number, number, number];
  const [s0, s1, s2] = v.strides as [number, number, number];
  const [d0, d1, d2] = o.strides;
  const src = v.data;
  for (let b = 0; b < (s0 === 0 ? 1 : nb); b++) {
    for (let i = 0; i < r; i++) {
      let si = v.offset + b * s0 + i * s1;
      let di = dst + b * d0 + i * d1;
      for (let j = 0; j < c; j++, si += s2, di += d2) heap[di] = src[si]!;
    }
  }
}

const gemmParams = new Float64Array(18);

function gemm(a: View, b: View, out: View, o: GemmOptions): void {
  const C = out.data;
  // Anything else (integers, empty products, bad views) takes the js kernel, which also raises
  // the errors for bad arguments.
  const ok = wasmExports() !== null && gemmFits(a, b, out);
  if (!ok) return jsBackend.gemm(a, b, out, o);
  const [nb, m, k] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  const e = C.BYTES_PER_ELEMENT;
  const oa = operand(a);
  const ob = operand(b);
  // out: its span goes in and comes back; it need not go in when beta = 0 and the view is the
  // plain contiguous layout (every element of the span is overwritten, none is read).
  const [lo, hi] = span(out)!;
  const cs = out.strides;
  const dense = (m === 1 || cs[1] === n) && (n === 1 || cs[2] === 1) && (nb === 1 || cs[0] === m * n);
  const alignUp = (x: number): number => Math.ceil(x / 64) * 64 + 64;
  const pa = alignUp(18 * 8);
  const pb = pa + alignUp(oa.len * e);
  const pc = pb + alignUp(ob.len * e);
  const total = pc + alignUp((hi - lo + 1) * e);
  const run = (): void => {
    const base = reserve(total);
    views();
    const heap = C instanceof Float32Array ? f32 : f64;
    for (const [v, op, at] of [[a, oa, pa], [b, ob, pb]] as const) {
      const dst = (base + at) / e;
      if (op.gather) gatherInto(heap, dst, v, op);
      else if (op.len > 0) heap.set((v.data as FloatArray).subarray(op.lo, op.lo + op.len), dst);
    }
    if (o.beta !== 0 || !dense) heap.set(C.subarray(lo, hi + 1), (base + pc) / e);
    const p = gemmParams;
    p[0] = nb; p[1] = m; p[2] = k; p[3] = n;
    p[4] = oa.offset; p[5] = oa.strides[0]; p[6] = oa.strides[1]; p[7] = oa.strides[2];
    p[8] = ob.offset; p[9] = ob.strides[0]; p[10] = ob.strides[1]; p[11] = ob.strides[2];
    p[12] = out.offset - lo; p[13] = cs[0]!; p[14] = cs[1]!; p[15] = cs[2]!;
    p[16] = o.alpha; p[17] = o.beta;
    f64.set(p, base / 8);
    wasm!.tl_gemm(C instanceof Float64Array ? 1 : 0, base, base + pa, base + pb, base + pc);
    views();
    const res = C instanceof Float32Array ? f32 : f64;
    C.set(res.subarray((base + pc) / e, (base + pc) / e + hi - lo + 1), lo);
  };
  if (!guarded(run)) jsBackend.gemm(a, b, out, o);
}

// ------------------------------------------------------------------------------------------------
// Fused routines: one generic call per descriptor (routines/recurrent.ts, routines/optim.ts)
// ------------------------------------------------------------------------------------------------

/** Elements per chunk of an element-wise routine: its arrays (5 x 16 KiB for Adam) stay in cache between copies. */
const CHUNK = 4096;

/** How an array field's region is copied: in before the call, out after it, or both. */
const MODES: Record<number, number> = { [Kind.Ints]: IN, [Kind.In]: IN, [Kind.Out]: OUT, [Kind.InOut]: IN | OUT };

/**
 * A fused routine in the module: each array field gets a region of the I/O block (its elements
 * the descriptor's length), the argument block gets one double per field in the descriptor's
 * order (a number, or a region's address), and `tl_run` fills the routine's C++ struct from it
 * (native/routines.h). An element-wise routine goes through in chunks. Arguments the kernel does
 * not take, sizes past the module's bounds and traps run on the js reference.
 */
function fused<A>(d: RoutineDescriptor<A>): (a: A) => void {
  const call = new RoutineCall(d);
  // the js reference, looked up at each call (a test's spy on it is seen)
  const js = (a: A): void => (jsBackend as unknown as Record<string, (a: A) => void>)[d.name]!(a);
  const { fields, chunk } = d;
  const { sizes, lens, nums, args } = call;
  const slots = new Int32Array(fields.length);
  // per field: its copy mode (arrays), or 0 (a number: nums[i]), or -1 - index (a size)
  const modes = Int32Array.from(fields, (f) => (f.kind >= Kind.Ints ? MODES[f.kind]! : f.kind === Kind.Size ? -1 - f.lenA : 0));
  /** One module call, the arrays from element `from` on (chunks) or whole (from < 0). */
  const once = (id: number, dbl: number, from: number): void => {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[i]!;
      if (mode <= 0) continue;
      const arr = args[3 + i] as TypedArray | null;
      const len = from < 0 ? lens[i]! : sizes[chunk]!;
      slots[i] = arr === null ? -1 : slot(from < 0 ? arr : arr.subarray(from, from + len), len, mode);
    }
    place();
    const base = argsPtr / 8;
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[i]!;
      f64[base + i] = mode > 0 ? ptrOf(slots[i]!) : mode < 0 ? sizes[-1 - mode]! : nums[i]!;
    }
    wasm!.tl_run(id, dbl, argsPtr);
    finish();
  };
  // the current call's routine id and element type (set before `all` runs: no closure per call)
  let id = -1;
  let dbl = 0;
  const all = (): void => {
    if (chunk < 0) return once(id, dbl, -1);
    const n = sizes[chunk]!;
    for (let i = 0; i < n; i += CHUNK) {
      sizes[chunk] = Math.min(CHUNK, n - i);
      once(id, dbl, i);
    }
  };
  return (a: A): void => {
    dbl = call.prepare(a);
    if (dbl < 0 || !wasmExports() || (d.scratch !== null && d.scratch(sizes) * 8 >= MAX_BYTES)) {
      call.release();
      return js(a);
    }
    if (id < 0) id = ids.get(d.name)!;
    const ok = guarded(all);
    call.release();
    if (!ok) js(a);
  };
}

/**
 * The wasm backend object: the js backend with the module's kernels over it.
 * @example wasmBackend.gemm(a, b, out, { alpha: 1, beta: 0 });
 */
export const wasmBackend: Backend = compiledBackend('wasm', gemm, fused);

/**
 * The registry's factory (src/backends/registry.ts): the backend, or throws why it cannot run here.
 * @example const b = initWasmBackend(); // throws where WebAssembly SIMD is missing
 */
export function initWasmBackend(): Backend {
  if (!wasmExports()) throw new Error(why);
  return wasmBackend;
}
