/**
 * The native backend: a Node-API addon (C++ sources in native/ at the repository root) with packed,
 * register-blocked sgemm / dgemm (AVX-512, AVX2+FMA or portable micro-kernels, picked from cpuid
 * at load time), the fused LSTM / GRU / RNN layers, the float32 Adam update and a persistent thread
 * pool. It works in place on the tensors' typed arrays (zero-copy). The fused routines are called
 * through their descriptors (kernel-args.ts): one generic call per routine. Every other kernel is
 * the js backend's, on the same memory (ARCHITECTURE.md, "Devices and storage").
 *
 * Loading is lazy and never throws: the first `backend()` resolution (or `isAvailable()`) tries, in
 * order, `prebuilds/<platform>-<arch>/torchlet.node` (shipped in the package) and
 * `build/Release/torchlet.node` (built by `npm install` in a checkout, or by `npm run build:native`).
 * If neither loads — not Node.js, no binary for this platform, `TORCHLET_BACKEND` naming another
 * backend — the js backend is used and `reason()` says why. To compile the addon for another
 * platform: `npm rebuild torchlet` in a project that depends on it, `npm run build:native` in a
 * checkout (either needs a C++17 compiler and python3).
 *
 * This module touches no Node.js API at import time (browser bundles import it harmlessly): it
 * reaches `node:module` through `process.getBuiltinModule` when first asked.
 */
import type { Backend, GemmOptions, View } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { type RoutineDescriptor, RoutineCall, gemmFits, routineIds } from '../kernel-args.js';
import { COMPILED_ROUTINES, compiledBackend } from '../compiled.js';
import type { FloatArray } from '../../tensor/dtype.js';

/** The addon's exports (native/addon.cc). */
interface Addon {
  readonly abi: number;
  readonly isa: string;
  readonly isaSupported: string;
  /** The routines of native/routines.h, `"name:signature;..."` in id order. */
  readonly routines: string;
  gemm(a: FloatArray, b: FloatArray, out: FloatArray, params: Float64Array): void;
  /** Runs routine `id` on `nums` and the arrays after it, one argument per field (RoutineCall.args). */
  run(id: number, f64: boolean, nums: Float64Array, ...arrays: unknown[]): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
}

/** The ABI version native/addon.cc exports; a binary from another version is not used. */
const ABI = 3;

/** The fused routines the addon runs, checked against its table when it loads. */

let addon: Addon | null | undefined; // undefined: not tried yet
/** The addon's routine ids by name. */
let ids = new Map<string, number>();
let why = 'not loaded yet';
let loadedFrom = '';

interface NodeProcess {
  versions?: { node?: string };
  platform?: string;
  arch?: string;
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => any;
}

/** The addon, loading it on first call; null (with `why` set) when it cannot be used. */
export function nativeAddon(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) {
    why = 'not running on Node.js';
    return null;
  }
  const forced = proc.env?.TORCHLET_BACKEND;
  if (forced && forced !== 'native') {
    why = `disabled by TORCHLET_BACKEND=${forced}`;
    return null;
  }
  if (typeof proc.getBuiltinModule !== 'function') {
    why = `needs Node.js >= 20.16 (process.getBuiltinModule); this is ${proc.versions.node}`;
    return null;
  }
  const { createRequire } = proc.getBuiltinModule('node:module') as typeof import('node:module');
  const { fileURLToPath } = proc.getBuiltinModule('node:url') as typeof import('node:url');
  const req = createRequire(import.meta.url);
  // This file is src/backends/native/index.ts (or dist/backends/native/index.js): three levels down.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const candidates = [`prebuilds/${proc.platform}-${proc.arch}/torchlet.node`, 'build/Release/torchlet.node'];
  // the command that rebuilds the addon where this copy lives: a dependency inside a project's
  // node_modules, or a checkout of the repository
  const rebuild = /[\\/]node_modules[\\/]/.test(root) ? 'npm rebuild torchlet' : 'npm run build:native';
  const errors: string[] = [];
  for (const rel of candidates) {
    try {
      const m = req(root + rel) as Addon;
      if (m.abi !== ABI) throw new Error(`ABI ${String(m.abi)}, expected ${ABI} (rebuild with ${rebuild})`);
      ids = routineIds(m.routines, COMPILED_ROUTINES, rebuild);
      addon = m;
      loadedFrom = rel;
      why = '';
      return m;
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      errors.push(`${rel}: ${msg}`);
    }
  }
  why = `no loadable binary (${errors.join('; ')}); build one with \`${rebuild}\` (needs a C++17 compiler and python3)`;
  return null;
}

/**
 * Whether the native backend loaded and can be used.
 * See https://pytorch.org/docs/stable/backends.html
 * @example if (!torch.backends.native.isAvailable()) console.log(torch.backends.native.reason());
 */
export function isAvailable(): boolean {
  return nativeAddon() !== null;
}

/** Why the native backend is not available ('' when it is). @example torch.backends.native.reason() */
export function reason(): string {
  nativeAddon();
  return why;
}

/** Which binary was loaded (relative to the package root) and its kernels, or null when unavailable. */
export function info(): { path: string; isa: string; supported: string } | null {
  const a = nativeAddon();
  return a ? { path: loadedFrom, isa: a.isa, supported: a.isaSupported } : null;
}

// ------------------------------------------------------------------------------------------------
// Kernel wrappers: check what the C++ side trusts (element types, array lengths, views inside
// their arrays) and fall back to the js kernel for anything it does not handle.
// ------------------------------------------------------------------------------------------------

const gemmParams = new Float64Array(18);

function gemm(a: View, b: View, out: View, o: GemmOptions): void {
  // Anything else (integers, empty products, bad views) takes the js kernel, which also raises
  // the errors for bad arguments.
  if (!gemmFits(a, b, out)) return jsBackend.gemm(a, b, out, o);
  const p = gemmParams;
  p[0] = a.shape[0]!; p[1] = a.shape[1]!; p[2] = a.shape[2]!; p[3] = b.shape[2]!;
  p[4] = a.offset; p[5] = a.strides[0]!; p[6] = a.strides[1]!; p[7] = a.strides[2]!;
  p[8] = b.offset; p[9] = b.strides[0]!; p[10] = b.strides[1]!; p[11] = b.strides[2]!;
  p[12] = out.offset; p[13] = out.strides[0]!; p[14] = out.strides[1]!; p[15] = out.strides[2]!;
  p[16] = o.alpha; p[17] = o.beta;
  nativeAddon()!.gemm(a.data as FloatArray, b.data as FloatArray, out.data as FloatArray, p);
}

// ------------------------------------------------------------------------------------------------
// Fused routines: one generic call per descriptor (routines/recurrent.ts, routines/optim.ts)
// ------------------------------------------------------------------------------------------------

/**
 * A fused routine on the addon: `run(id, f64, nums, ...arrays)` with the arguments read by the
 * routine's descriptor (routines.h fills the C++ struct from them); arguments the kernel does not
 * take run on the js reference.
 */
function fused<A>(d: RoutineDescriptor<A>): (a: A) => void {
  const call = new RoutineCall(d);
  // the js reference, looked up at each call (a test's spy on it is seen)
  const js = (a: A): void => (jsBackend as unknown as Record<string, (a: A) => void>)[d.name]!(a);
  const args = call.args;
  let id = -1; // the addon's id of the routine (known once it has loaded)
  return (a: A): void => {
    const f64 = call.prepare(a);
    if (f64 < 0) {
      call.release();
      return js(a);
    }
    const m = nativeAddon()!;
    if (id < 0) id = ids.get(d.name)!;
    args[0] = id;
    args[1] = f64 === 1;
    try {
      Reflect.apply(m.run, m, args);
    } finally {
      call.release();
    }
  };
}

/** The native backend object: the js backend with the native kernels over it. */
export const nativeBackend: Backend = compiledBackend('native', gemm, fused);

/**
 * The registry's loader (src/backends/registry.ts): the backend, or throws why it cannot run here.
 * @example const b = initNativeBackend(); // throws on a platform without the addon
 */
export function initNativeBackend(): Backend {
  if (!nativeAddon()) throw new Error(why);
  return nativeBackend;
}
