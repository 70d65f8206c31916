/**
 * The native backend: a Node-API addon (C++ sources in native/ at the repository root) with packed,
 * register-blocked sgemm / dgemm (AVX-512, AVX2+FMA or portable micro-kernels, picked from cpuid
 * at load time), the fused LSTM / GRU / RNN layers and a persistent thread pool. It works in place
 * on the tensors' typed arrays (zero-copy). Every other kernel is the js backend's, on the same
 * memory (STYLE.md section 2).
 *
 * Loading is lazy and never throws: the first `backend()` resolution (or `isAvailable()`) tries, in
 * order, `prebuilds/<platform>-<arch>/torchlet.node` (shipped in the package) and
 * `build/Release/torchlet.node` (built by `npm install` in a checkout, or by `npm run build:native`).
 * If neither loads — not Node.js, no binary for this platform, `TORCHLET_BACKEND` naming another
 * backend — the js backend is used and `reason()` says why. To compile the addon for another
 * platform: `npm run build:native` in the package folder (needs a C++17 compiler and python3).
 *
 * This module touches no Node.js API at import time (browser bundles import it harmlessly): it
 * reaches `node:module` through `process.getBuiltinModule` when first asked.
 */
import type {
  Backend,
  GemmOptions,
  GruBackwardArgs,
  GruForwardArgs,
  LstmBackwardArgs,
  LstmForwardArgs,
  RnnBackwardArgs,
  RnnForwardArgs,
  RnnGeometry,
  View,
} from '../backend.js';
import { jsBackend } from '../js/index.js';
import { registerBackend } from '../registry.js';
import { gruLikeBackwardFits, gruLikeForwardFits, inBounds, isFloat, lstmBackwardFits, lstmForwardFits, rnnRows } from '../kernel-args.js';
import type { FloatArray } from '../../tensor/dtype.js';
import type { AdamStepArgs } from '../routines/optim.js';

type F = FloatArray | null;

/** The addon's exports (native/addon.cc). */
interface Addon {
  readonly abi: number;
  readonly isa: string;
  readonly isaSupported: string;
  gemm(a: FloatArray, b: FloatArray, out: FloatArray, params: Float64Array): void;
  lstmForward(ints: Int32Array, bs: Int32Array | null, x: FloatArray, h0: FloatArray, c0: FloatArray, wIh: FloatArray,
    wHh: FloatArray, bIh: F, bHh: F, wHr: F, y: FloatArray, hN: FloatArray, cN: FloatArray, ws: F): void;
  lstmBackward(ints: Int32Array, bs: Int32Array | null, x: FloatArray, c0: FloatArray, wIh: FloatArray, wHh: FloatArray,
    wHr: F, ws: FloatArray, dy: F, dhN: F, dcN: F, dx: F, dh0: F, dc0: F, dwIh: F, dwHh: F, dbIh: F, dbHh: F, dwHr: F): void;
  gruForward(ints: Int32Array, bs: Int32Array | null, relu: boolean, x: FloatArray, h0: FloatArray, wIh: FloatArray,
    wHh: FloatArray, bIh: F, bHh: F, y: FloatArray, hN: FloatArray, ws: F): void;
  gruBackward(ints: Int32Array, bs: Int32Array | null, relu: boolean, x: FloatArray, wIh: FloatArray, wHh: FloatArray,
    ws: FloatArray, dy: F, dhN: F, dx: F, dh0: F, dwIh: F, dwHh: F, dbIh: F, dbHh: F): void;
  rnnForward: Addon['gruForward'];
  rnnBackward: Addon['gruBackward'];
  adam(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, k: Float64Array): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
}

/** The ABI version native/addon.cc exports; a binary from another version is not used. */
const ABI = 2;

let addon: Addon | null | undefined; // undefined: not tried yet
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
  const errors: string[] = [];
  for (const rel of candidates) {
    try {
      const m = req(root + rel) as Addon;
      if (m.abi !== ABI) throw new Error(`ABI ${String(m.abi)}, expected ${ABI} (rebuild with npm run build:native)`);
      addon = m;
      loadedFrom = rel;
      why = '';
      return m;
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      errors.push(`${rel}: ${msg}`);
    }
  }
  why = `no loadable binary (${errors.join('; ')}); build one with \`npm run build:native\` (needs a C++17 compiler and python3)`;
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
  const A = a.data;
  const B = b.data;
  const C = out.data;
  const ok =
    isFloat(C) && A.constructor === C.constructor && B.constructor === C.constructor &&
    a.shape.length === 3 && b.shape.length === 3 && out.shape.length === 3 &&
    b.shape[0] === a.shape[0] && b.shape[1] === a.shape[2] && out.shape[0] === a.shape[0] &&
    out.shape[1] === a.shape[1] && out.shape[2] === b.shape[2] &&
    a.shape[0]! * a.shape[1]! * b.shape[2]! > 0 && inBounds(a) && inBounds(b) && inBounds(out) &&
    Math.max(a.shape[1]!, a.shape[2]!, b.shape[2]!) < 2 ** 31;
  // Anything else (integers, empty products, bad views) takes the js kernel, which also raises
  // the errors for bad arguments.
  if (!ok) return jsBackend.gemm(a, b, out, o);
  const p = gemmParams;
  p[0] = a.shape[0]!; p[1] = a.shape[1]!; p[2] = a.shape[2]!; p[3] = b.shape[2]!;
  p[4] = a.offset; p[5] = a.strides[0]!; p[6] = a.strides[1]!; p[7] = a.strides[2]!;
  p[8] = b.offset; p[9] = b.strides[0]!; p[10] = b.strides[1]!; p[11] = b.strides[2]!;
  p[12] = out.offset; p[13] = out.strides[0]!; p[14] = out.strides[1]!; p[15] = out.strides[2]!;
  p[16] = o.alpha; p[17] = o.beta;
  nativeAddon()!.gemm(A as FloatArray, B as FloatArray, C, p);
}

const ints = new Int32Array(6);

/** Fills `ints` and returns N (rows), or -1 when the geometry is unusable natively. */
function geometry(g: RnnGeometry, P: number): number {
  const N = rnnRows(g, P);
  if (N < 0) return -1;
  ints[0] = g.T; ints[1] = g.B; ints[2] = g.I; ints[3] = g.H; ints[4] = P; ints[5] = g.reverse ? 1 : 0;
  return N;
}

function lstmForward(a: LstmForwardArgs): void {
  const N = geometry(a, a.P);
  if (N < 0 || !lstmForwardFits(a, N)) {
    return jsBackend.lstmForward!(a);
  }
  nativeAddon()!.lstmForward(ints, a.batchSizes ?? null, a.x, a.h0, a.c0, a.wIh, a.wHh, a.bIh ?? null,
    a.bHh ?? null, a.wHr ?? null, a.y, a.hN, a.cN, a.ws ?? null);
}

function lstmBackward(a: LstmBackwardArgs): void {
  const N = geometry(a, a.P);
  if (N < 0 || !lstmBackwardFits(a, N)) {
    return jsBackend.lstmBackward!(a);
  }
  nativeAddon()!.lstmBackward(ints, a.batchSizes ?? null, a.x, a.c0, a.wIh, a.wHh, a.wHr ?? null, a.ws,
    a.dy ?? null, a.dhN ?? null, a.dcN ?? null, a.dx ?? null, a.dh0 ?? null, a.dc0 ?? null, a.dwIh ?? null,
    a.dwHh ?? null, a.dbIh ?? null, a.dbHh ?? null, a.dwHr ?? null);
}

/** GRU (gates = 3) and Elman RNN (gates = 1) forward. */
function recurrentForward(kind: 'gru' | 'rnn', a: GruForwardArgs & { nonlinearity?: string }): void {
  const N = geometry(a, 0);
  const js = kind === 'gru' ? jsBackend.gruForward! : (jsBackend.rnnForward! as (x: GruForwardArgs) => void);
  if (N < 0 || !gruLikeForwardFits(kind, a, N)) {
    return js(a);
  }
  const f = kind === 'gru' ? nativeAddon()!.gruForward : nativeAddon()!.rnnForward;
  f(ints, a.batchSizes ?? null, a.nonlinearity === 'relu', a.x, a.h0, a.wIh, a.wHh, a.bIh ?? null, a.bHh ?? null,
    a.y, a.hN, a.ws ?? null);
}

function recurrentBackward(kind: 'gru' | 'rnn', a: GruBackwardArgs & { nonlinearity?: string }): void {
  const N = geometry(a, 0);
  const js = kind === 'gru' ? jsBackend.gruBackward! : (jsBackend.rnnBackward! as (x: GruBackwardArgs) => void);
  if (N < 0 || !gruLikeBackwardFits(kind, a, N)) {
    return js(a);
  }
  const f = kind === 'gru' ? nativeAddon()!.gruBackward : nativeAddon()!.rnnBackward;
  f(ints, a.batchSizes ?? null, a.nonlinearity === 'relu', a.x, a.wIh, a.wHh, a.ws, a.dy ?? null, a.dhN ?? null,
    a.dx ?? null, a.dh0 ?? null, a.dwIh ?? null, a.dwHh ?? null, a.dbIh ?? null, a.dbHh ?? null);
}

const adamK = new Float64Array(11);

/**
 * Adam / AdamW on the addon for float32 arrays of equal length (vectorised, on the thread pool; bit
 * for bit the js reference); anything else runs the js reference.
 */
function adamStep(a: AdamStepArgs): void {
  const w = a.param;
  const n = w.length;
  const f32 = (x: FloatArray | null): boolean => x === null || (x instanceof Float32Array && x.length === n);
  if (!(w instanceof Float32Array) || !f32(a.grad) || !f32(a.expAvg) || !f32(a.expAvgSq) || !f32(a.maxExpAvgSq)) {
    return jsBackend.adamStep!(a);
  }
  // the kernel's scalars (common.h Isa::adam), rounded to float32 on the C++ side
  const k = adamK;
  k[0] = a.maximize ? -1 : 1; k[1] = a.decoupledWeightDecay ? 1 : 0; k[2] = 1 - a.lr * a.weightDecay;
  k[3] = a.weightDecay; k[4] = a.beta1; k[5] = 1 - a.beta1; k[6] = a.beta2; k[7] = 1 - a.beta2;
  k[8] = -a.stepSize; k[9] = a.biasCorrection2Sqrt; k[10] = a.eps;
  nativeAddon()!.adam(w, a.grad as Float32Array, a.expAvg as Float32Array, a.expAvgSq as Float32Array,
    a.maxExpAvgSq as Float32Array | null, k);
}

/** The native backend object: the js backend with the native kernels over it. */
export const nativeBackend: Backend = {
  ...jsBackend,
  name: 'native',
  gemm,
  lstmForward,
  lstmBackward,
  gruForward: (a: GruForwardArgs) => recurrentForward('gru', a),
  gruBackward: (a: GruBackwardArgs) => recurrentBackward('gru', a),
  rnnForward: (a: RnnForwardArgs) => recurrentForward('rnn', a),
  rnnBackward: (a: RnnBackwardArgs) => recurrentBackward('rnn', a),
  adamStep,
};

registerBackend(
  'native',
  () => {
    if (!nativeAddon()) throw new Error(why);
    return nativeBackend;
  },
  10,
);
