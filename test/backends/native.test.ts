/**
 * The native backend against the js reference kernels: gemm on odd sizes that hit vector tails
 * and blocking edges (every transpose, broadcast batches, offsets, alpha/beta, beta = 0 over NaN),
 * the fused LSTM / GRU / RNN forward and backward (packed, projection, reverse, float32 and
 * float64), and thread-count independence. The js backend is the oracle (it is itself checked
 * against PyTorch in test/ops/rnn.test.ts and test/backends/js/gemm.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type LstmBackwardArgs,
  type LstmForwardArgs,
  type View,
  gruWorkspaceSize,
  lstmWorkspaceSize,
  rnnWorkspaceSize,
} from '../../src/backends/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { info, isAvailable, nativeBackend, reason } from '../../src/backends/native/index.js';
import { MAX_THREADS, getNumThreads, setNumThreads } from '../../src/backends/threads.js';
import { current, native } from '../../src/backends/public.js';
import { RuntimeError } from '../../src/errors.js';
import { decode, loadFixture } from '../helpers/fixtures.js';
import { NONFINITE_CASES, type Poke, type Runners, expectNonFiniteGemmLikeJs, expectNonFiniteRecurrentLikeJs } from '../helpers/nonfinite-cases.js';
import { type Ctor, type FA, type RCase, BIG_LSTM, DTYPES, ODD, PCASES, RCASES, TRANS, label, randArr, rng, rows, tol } from '../helpers/recurrent-cases.js';

const prebuilt = `prebuilds/${process.platform}-${process.arch}/torchlet.node`;

describe('native addon', () => {
  it('loads on linux-x64 when the prebuilt binary is present (a broken binary fails here, not silently)', () => {
    const forcedOther = process.env.TORCHLET_BACKEND !== undefined && process.env.TORCHLET_BACKEND !== 'native';
    if (`${process.platform}-${process.arch}` === 'linux-x64' && existsSync(prebuilt) && !forcedOther) {
      expect(reason()).toBe('');
      expect(isAvailable()).toBe(true);
      expect(native.isAvailable()).toBe(true);
      expect(current()).toBe('native');
    } else {
      // Reported plainly: which binary is missing or why it did not load.
      console.log(`native backend not available here: ${reason()}`);
      expect(typeof reason()).toBe('string');
    }
  });

  it('TORCHLET_BACKEND=js forces the js backend and says why (the fallback path)', () => {
    const code = "const b = await import('./src/backends/public.ts'); " +
      'console.log(JSON.stringify([b.current(), b.native.isAvailable(), b.native.reason(), b.getNumThreads()]));';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, TORCHLET_BACKEND: 'js' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual(['js', false, 'disabled by TORCHLET_BACKEND=js', 1]);
  });

  it('reports its binary and instruction set', () => {
    const i = info();
    if (!isAvailable()) {
      expect(i).toBeNull();
      return;
    }
    expect(i!.path).toMatch(/torchlet\.node$/);
    expect(['avx512', 'avx2', 'generic']).toContain(i!.isa);
    expect(i!.supported.split(',')).toContain(i!.isa);
  });

  it('setNumThreads / getNumThreads', () => {
    const before = getNumThreads();
    expect(before).toBeGreaterThanOrEqual(1);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    setNumThreads(before);
    expect(getNumThreads()).toBe(before);
    // PyTorch's errors, from tools/fixtures/gen_backends.py
    for (const c of loadFixture('backends').cases as { value: unknown; error: { type: string; message: string } }[]) {
      expect(c.error.type).toBe('RuntimeError');
      const v = decode(c.value) as number;
      expect(() => setNumThreads(v)).toThrow(RuntimeError);
      expect(() => setNumThreads(v)).toThrow(c.error.message);
    }
    expect(getNumThreads()).toBe(before);
  });

  it('setNumThreads refuses more than MAX_THREADS (PyTorch wraps 2 ** 40 to 0 and 2 ** 32 + 2 to 2 threads)', () => {
    const before = getNumThreads();
    expect(MAX_THREADS).toBe(1024);
    for (const n of [2 ** 40, 2 ** 32 + 2, 2 ** 31, MAX_THREADS + 1, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]) {
      expect(() => setNumThreads(n)).toThrow(RuntimeError);
      expect(() => setNumThreads(n)).toThrow(`set_num_threads expects at most 1024 threads (torchlet's limit), but got ${n}`);
    }
    expect(getNumThreads()).toBe(before);
  });
});

// ------------------------------------------------------------------------------------------------
// gemm
// ------------------------------------------------------------------------------------------------

interface Spec {
  trans?: boolean;
  bcast?: boolean;
  offset?: number;
}

function operand(C: Ctor, nb: number, rows: number, cols: number, s: Spec, r: () => number): View {
  const stored = s.bcast ? 1 : nb;
  const offset = s.offset ?? 0;
  const data = randArr(C, offset + stored * rows * cols + 2, r);
  const bs = s.bcast ? 0 : rows * cols;
  return { data, shape: [nb, rows, cols], strides: s.trans ? [bs, 1, rows] : [bs, cols, 1], offset };
}

/** Runs js and native on copies of the same output; returns both and a per-element error bound. */
function gemmPair(
  C: Ctor, nb: number, m: number, n: number, k: number, sa: Spec, sb: Spec, alpha: number, beta: number, seed: number,
  nanOut = false,
): { js: FA; nat: FA; bound: Float64Array } {
  const r = rng(seed);
  const a = operand(C, nb, m, k, sa, r);
  const b = operand(C, nb, k, n, sb, r);
  const off = 3;
  const base = randArr(C, off + nb * m * n + 3, r);
  if (nanOut) base.fill(NaN);
  const js = base.slice();
  const nat = base.slice();
  const view = (d: FA): View => ({ data: d, shape: [nb, m, n], strides: [m * n, n, 1], offset: off });
  jsBackend.gemm(a, b, view(js), { alpha, beta });
  noFallback(nativeBackend, () => nativeBackend.gemm(a, b, view(nat), { alpha, beta }));
  // |alpha| sum |a||b| + |beta c|, times a float32/64 accumulation bound
  const eps = C === Float32Array ? 2 ** -23 : 2 ** -52;
  const bound = new Float64Array(js.length);
  for (let bi = 0; bi < nb; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a.data[a.offset + bi * a.strides[0]! + i * a.strides[1]! + p * a.strides[2]!]!;
          const bv = b.data[b.offset + bi * b.strides[0]! + p * b.strides[1]! + j * b.strides[2]!]!;
          s += Math.abs(av * bv);
        }
        const idx = off + bi * m * n + i * n + j;
        const old = nanOut || beta === 0 ? 0 : Math.abs(beta * base[idx]!);
        bound[idx] = (Math.abs(alpha) * s + old) * eps * (2 * k + 4) + 1e-300;
      }
    }
  }
  return { js, nat, bound };
}

function expectGemmClose(res: { js: FA; nat: FA; bound: Float64Array }, label: string): void {
  let worst = -1;
  for (let i = 0; i < res.js.length; i++) {
    const d = Math.abs(res.js[i]! - res.nat[i]!);
    if (!(d <= res.bound[i]!) && !(Number.isNaN(res.js[i]!) && Number.isNaN(res.nat[i]!))) {
      worst = i;
      break;
    }
  }
  if (worst >= 0) {
    expect.fail(`${label}: element ${worst}: js ${res.js[worst]} native ${res.nat[worst]} (bound ${res.bound[worst]})`);
  }
}

describe.runIf(isAvailable())('native gemm vs js', () => {
  for (const [dn, C] of DTYPES) {
    it(`${dn}: odd sizes along each dim, every transpose`, () => {
      let seed = 1;
      for (const s of ODD) {
        const shapes: [number, number, number][] = [[s, s, s], [s, 17, 33], [33, s, 7], [5, 65, s], [s, 2, 129]];
        for (const [m, n, k] of shapes) {
          for (const [ta, tb] of TRANS) {
            const res = gemmPair(C, 1, m, n, k, { trans: ta }, { trans: tb }, 1, 0, seed++);
            expectGemmClose(res, `${dn} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`);
          }
        }
      }
    });

    it(`${dn}: blocking edges (several K slices, column panels, row blocks), threaded`, () => {
      const shapes: [number, number, number][] = [[200, 130, 600], [13, 2100, 20], [300, 40, 257], [97, 95, 513], [64, 2048, 129]];
      let seed = 100;
      for (const [m, n, k] of shapes) {
        for (const [ta, tb] of TRANS) {
          const res = gemmPair(C, 1, m, n, k, { trans: ta }, { trans: tb }, 1, 0, seed++);
          expectGemmClose(res, `${dn} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`);
        }
      }
    });

    it(`${dn}: batches, broadcast (stride 0) a or b, offsets, alpha / beta, beta = 0 over NaN`, () => {
      let seed = 200;
      const cases: [number, number, number, number, Spec, Spec, number, number][] = [
        [3, 7, 5, 9, {}, {}, 1, 0],
        [4, 17, 33, 31, { offset: 3 }, { bcast: true }, 1, 0], // folded into one tall product
        [4, 17, 33, 31, { trans: true }, { bcast: true, trans: true }, 0.5, 1],
        [3, 16, 5, 129, { bcast: true }, { offset: 7 }, -2, 0.25],
        [2, 65, 63, 15, {}, { trans: true }, 1, 1],
        [40, 9, 9, 9, {}, {}, 1, 0], // many small products (a task per batch)
        [5, 1, 1, 1, { bcast: true }, { bcast: true }, 3, -1],
      ];
      for (const [nb, m, n, k, sa, sb, alpha, beta] of cases) {
        expectGemmClose(gemmPair(C, nb, m, n, k, sa, sb, alpha, beta, seed++), `${dn} ${nb}x${m}x${n}x${k}`);
      }
      const nan = gemmPair(C, 2, 33, 17, 65, {}, {}, 1, 0, seed, true);
      expect(nan.nat.slice(3, 3 + 2 * 33 * 17).some(Number.isNaN)).toBe(false);
      expectGemmClose(nan, `${dn} beta=0 over NaN`);
    });

    it(`${dn}: inf and NaN operands: 0 * inf is NaN and NaN spreads, as js (no product skipped, beta = 0 reads nothing)`, () => {
      expectNonFiniteGemmLikeJs(C, (a, b, out) => noFallback(nativeBackend, () => nativeBackend.gemm(a, b, out, { alpha: 1, beta: 0 })), dn);
    });

    it(`${dn}: K = 0 scales by beta; empty products are no-ops`, () => {
      const out = new C([1, 2, 3, 4]);
      const a = { data: new C(0), shape: [1, 2, 0], strides: [0, 0, 1], offset: 0 };
      const b = { data: new C(0), shape: [1, 0, 2], strides: [0, 2, 1], offset: 0 };
      nativeBackend.gemm(a, b, { data: out, shape: [1, 2, 2], strides: [4, 2, 1], offset: 0 }, { alpha: 1, beta: 2 });
      expect(Array.from(out)).toEqual([2, 4, 6, 8]);
    });
  }

  it('int32 and int64 (Float64Array) stay exact', () => {
    const r = rng(7);
    const ints = (n: number, C: Int32ArrayConstructor | Float64ArrayConstructor) => {
      const a = new C(n);
      for (let i = 0; i < n; i++) a[i] = Math.floor(r() * 2001) - 1000;
      return a;
    };
    for (const C of [Int32Array, Float64Array] as const) {
      const a = { data: ints(17 * 33, C), shape: [1, 17, 33], strides: [0, 33, 1], offset: 0 };
      const b = { data: ints(33 * 19, C), shape: [1, 33, 19], strides: [0, 1, 33], offset: 0 };
      const o1 = new C(17 * 19);
      const o2 = new C(17 * 19);
      jsBackend.gemm(a, b, { data: o1, shape: [1, 17, 19], strides: [0, 19, 1], offset: 0 }, { alpha: 1, beta: 0 });
      nativeBackend.gemm(a, b, { data: o2, shape: [1, 17, 19], strides: [0, 19, 1], offset: 0 }, { alpha: 1, beta: 0 });
      expect(Array.from(o2)).toEqual(Array.from(o1));
    }
  });

  it('bad views raise the js errors instead of reaching native memory', () => {
    const a = { data: new Float32Array(4), shape: [1, 2, 3], strides: [0, 3, 1], offset: 0 };
    const b = { data: new Float32Array(6), shape: [1, 3, 2], strides: [0, 2, 1], offset: 0 };
    const out = { data: new Float32Array(4), shape: [1, 2, 2], strides: [0, 2, 1], offset: 0 };
    expect(() => nativeBackend.gemm(a, b, out, { alpha: 1, beta: 0 })).toThrow(/reaches outside its data/);
  });
});

// ------------------------------------------------------------------------------------------------
// Fused recurrent layers
// ------------------------------------------------------------------------------------------------

/** Random LSTM inputs (and upstream gradients), fresh outputs per call. */
function lstmInputs(C: Ctor, c: RCase, seed: number) {
  const r = rng(seed);
  const H = c.H;
  const P = c.P ?? 0;
  const R = P > 0 ? P : H;
  const G = 4 * H;
  const N = rows(c);
  const bias = c.bias ?? true;
  return {
    geo: { T: c.T, B: c.B, I: c.I, H, P, reverse: c.reverse ?? false, batchSizes: c.packed ? Int32Array.from(c.packed) : null },
    x: randArr(C, N * c.I, r), h0: randArr(C, c.B * R, r), c0: randArr(C, c.B * H, r),
    wIh: randArr(C, G * c.I, r, 0.5), wHh: randArr(C, G * R, r, 0.5),
    bIh: bias ? randArr(C, G, r) : null, bHh: bias ? randArr(C, G, r) : null,
    wHr: P > 0 ? randArr(C, P * H, r, 0.5) : null,
    dy: randArr(C, N * R, r), dhN: randArr(C, c.B * R, r), dcN: randArr(C, c.B * H, r),
    N, R, G,
  };
}

type Outs = Record<string, FA>;

/** Runs fn, failing if the native backend fell back to a js kernel (which would make a comparison vacuous). */
function noFallback<R>(be: typeof jsBackend, fn: () => R): R {
  if (be !== nativeBackend) return fn();
  const names = ['gemm', 'lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward'] as const;
  const spies = names.map((k) => vi.spyOn(jsBackend, k));
  try {
    const r = fn();
    names.forEach((k, i) => expect(spies[i], `js ${k} fallback`).not.toHaveBeenCalled());
    return r;
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

function runLstm(be: typeof jsBackend, C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  return noFallback(be, () => runLstm1(be, C, c, seed, edit));
}

function runLstm1(be: typeof jsBackend, C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  const a = lstmInputs(C, c, seed);
  edit?.(a);
  const { N, R, G, geo } = a;
  const H = c.H;
  const P = geo.P;
  const o: Outs = {
    y: new C(N * R), hN: new C(c.B * R), cN: new C(c.B * H), ws: new C(lstmWorkspaceSize(N, H, P)),
  };
  const fwd: LstmForwardArgs = { ...geo, x: a.x, h0: a.h0, c0: a.c0, wIh: a.wIh, wHh: a.wHh, bIh: a.bIh, bHh: a.bHh,
    wHr: a.wHr, y: o.y!, hN: o.hN!, cN: o.cN!, ws: o.ws };
  be.lstmForward!(fwd);
  // backward accumulates into non-zero gradients
  const g: Outs = {
    dx: randArr(C, N * c.I, rng(seed + 1)), dh0: new C(c.B * R), dc0: new C(c.B * H), dwIh: new C(G * c.I),
    dwHh: new C(G * R), dbIh: new C(G), dbHh: new C(G),
  };
  if (P > 0) g.dwHr = new C(P * H);
  const bwd: LstmBackwardArgs = { ...geo, x: a.x, c0: a.c0, wIh: a.wIh, wHh: a.wHh, wHr: a.wHr, ws: o.ws!,
    dy: a.dy, dhN: a.dhN, dcN: a.dcN, dx: g.dx, dh0: g.dh0, dc0: g.dc0, dwIh: g.dwIh, dwHh: g.dwHh,
    dbIh: g.dbIh, dbHh: g.dbHh, dwHr: g.dwHr ?? null };
  be.lstmBackward!(bwd);
  // forward without a workspace (inference) must give the same outputs
  const y2 = new C(N * R);
  be.lstmForward!({ ...fwd, y: y2, hN: new C(c.B * R), cN: new C(c.B * H), ws: null });
  return { ...o, ...g, yNoWs: y2 };
}

function expectAllClose(got: Outs, want: Outs, atol: number, rtol: number, label: string): void {
  for (const k of Object.keys(want)) {
    const a = got[k]!;
    const b = want[k]!;
    expect(a.length, `${label} ${k} length`).toBe(b.length);
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!))) {
        expect.fail(`${label} ${k}[${i}]: native ${a[i]} js ${b[i]}`);
      }
    }
  }
}

describe.runIf(isAvailable())('native fused LSTM vs js (forward + backward)', () => {
  for (const [dn, C] of DTYPES) {
    for (const c of [...RCASES, ...BIG_LSTM, ...PCASES]) {
      it(`${dn} ${label(c)}`, () => {
        const [atol, rtol] = tol(C);
        const want = runLstm(jsBackend, C, c, 11);
        const got = runLstm(nativeBackend, C, c, 11);
        expectAllClose(got, want, atol, rtol, `${dn} ${label(c)}`);
        expect(Array.from(got.yNoWs!)).toEqual(Array.from(got.y!));
      });
    }
  }
});

/** GRU (gates 3) or RNN (gates 1, tanh or relu) forward + backward on one backend. */
function runGruRnn(be: typeof jsBackend, kind: 'gru' | 'tanh' | 'relu', C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  return noFallback(be, () => runGruRnn1(be, kind, C, c, seed, edit));
}

function runGruRnn1(be: typeof jsBackend, kind: 'gru' | 'tanh' | 'relu', C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  const r = rng(seed);
  const H = c.H;
  const G = (kind === 'gru' ? 3 : 1) * H;
  const N = rows(c);
  const bias = c.bias ?? true;
  const geo = { T: c.T, B: c.B, I: c.I, H, reverse: c.reverse ?? false, batchSizes: c.packed ? Int32Array.from(c.packed) : null };
  const x = randArr(C, N * c.I, r);
  const h0 = randArr(C, c.B * H, r);
  edit?.({ x, h0 });
  const wIh = randArr(C, G * c.I, r, 0.5);
  const wHh = randArr(C, G * H, r, 0.5);
  const bIh = bias ? randArr(C, G, r) : null;
  const bHh = bias ? randArr(C, G, r) : null;
  const dy = randArr(C, N * H, r);
  const dhN = randArr(C, c.B * H, r);
  const wsLen = kind === 'gru' ? gruWorkspaceSize(N, H) : rnnWorkspaceSize(N, H);
  const o: Outs = { y: new C(N * H), hN: new C(c.B * H), ws: new C(wsLen) };
  const g: Outs = { dx: new C(N * c.I), dh0: new C(c.B * H), dwIh: new C(G * c.I), dwHh: new C(G * H), dbIh: new C(G), dbHh: new C(G) };
  const fwd = { ...geo, x, h0, wIh, wHh, bIh, bHh, y: o.y!, hN: o.hN!, ws: o.ws! };
  const bwd = { ...geo, x, wIh, wHh, ws: o.ws!, dy, dhN, dx: g.dx, dh0: g.dh0, dwIh: g.dwIh, dwHh: g.dwHh, dbIh: g.dbIh, dbHh: g.dbHh };
  if (kind === 'gru') {
    be.gruForward!(fwd);
    be.gruBackward!(bwd);
  } else {
    be.rnnForward!({ ...fwd, nonlinearity: kind });
    be.rnnBackward!({ ...bwd, nonlinearity: kind });
  }
  return { ...o, ...g };
}

describe.runIf(isAvailable())('native fused GRU / RNN vs js (forward + backward)', () => {
  for (const [dn, C] of DTYPES) {
    for (const kind of ['gru', 'tanh', 'relu'] as const) {
      for (const c of RCASES) {
        it(`${kind} ${dn} ${label(c)}`, () => {
          const [atol, rtol] = tol(C);
          expectAllClose(runGruRnn(nativeBackend, kind, C, c, 5), runGruRnn(jsBackend, kind, C, c, 5), atol, rtol, `${kind} ${label(c)}`);
        });
      }
    }
  }
});

// inf, -inf, NaN and 1e38 in the input or an initial state: the same NaNs and infinities as js
// (and so as PyTorch, test/backends/nonfinite.test.ts), single- and multi-threaded.
describe.runIf(isAvailable())('native vs js: non-finite inputs and states', () => {
  const saved = isAvailable() ? getNumThreads() : 1;
  afterAll(() => setNumThreads(saved));
  for (const [dn, C] of DTYPES) {
    for (const c of NONFINITE_CASES) {
      for (const threads of [1, 2]) {
        it(`${dn} ${label(c)} threads ${threads}`, () => {
          setNumThreads(threads);
          const run: Runners = {
            lstm: (compiled, edit) => runLstm(compiled ? nativeBackend : jsBackend, C, c, 23, edit),
            gruRnn: (kind, compiled, edit) => runGruRnn(compiled ? nativeBackend : jsBackend, kind, C, c, 29, edit),
          };
          expectNonFiniteRecurrentLikeJs(C, c, run);
        });
      }
    }
  }
});

// A seeded random sweep over shapes the fixed cases do not pick: batch sizes around the per-thread
// split (8 rows per thread) and the register tile, hidden sizes off the vector width, packed and
// reverse, projections, no bias, both dtypes, 1-3 threads; every output and gradient against js.
describe.runIf(isAvailable())('native vs js: random recurrent sweep', () => {
  const saved = isAvailable() ? getNumThreads() : 1;
  afterAll(() => setNumThreads(saved));
  const r = rng(2026);
  const pick = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const cases: (RCase & { threads: number; dtype: number })[] = [];
  for (let i = 0; i < 48; i++) {
    const T = pick(1, 9);
    const B = [1, 2, 7, 8, 15, 16, 17, 24, 31, 33, 47, 48, 49, 70][pick(0, 13)]!;
    const H = pick(1, 75);
    const c: RCase & { threads: number; dtype: number } = {
      T, B, I: pick(0, 40), H, threads: pick(1, 3), dtype: pick(0, 1),
      reverse: r() < 0.5, bias: r() < 0.8,
      P: r() < 0.2 && H > 1 ? pick(1, H - 1) : undefined,
    };
    if (r() < 0.35) {
      const bs = Array.from({ length: T }, () => pick(1, B)).sort((a, b) => b - a);
      bs[0] = B;
      c.packed = bs;
    }
    cases.push(c);
  }
  // The js kernels sum in double; native float32 sums in float32, so a gradient that cancels over
  // many rows differs by float32 rounding of its largest terms: the absolute tolerance scales with
  // each array's largest value (float64 is held to the fixed cases' tolerance).
  const close = (got: Outs, want: Outs, C: Ctor, what: string): void => {
    const [atol, rtol] = tol(C);
    for (const k of Object.keys(want)) {
      let scale = 1;
      if (C === Float32Array) for (const v of want[k]!) scale = Math.max(scale, Math.abs(v));
      expectAllClose({ [k]: got[k]! }, { [k]: want[k]! }, atol * scale, rtol, what);
    }
  };
  for (const c of cases) {
    const [dn, C] = DTYPES[c.dtype]!;
    it(`${dn} ${label(c)} threads ${c.threads}`, () => {
      setNumThreads(c.threads);
      close(runLstm(nativeBackend, C, c, 17), runLstm(jsBackend, C, c, 17), C, `lstm ${label(c)}`);
      if (!c.P) {
        for (const kind of ['gru', 'tanh'] as const) {
          close(runGruRnn(nativeBackend, kind, C, c, 19), runGruRnn(jsBackend, kind, C, c, 19), C, `${kind} ${label(c)}`);
        }
      }
    });
  }
});

describe.runIf(isAvailable())('native results do not depend on the thread count', () => {
  const saved = isAvailable() ? getNumThreads() : 1;
  afterAll(() => setNumThreads(saved));
  // Large enough that the step GEMMs, the pointwise rows and the weight-gradient GEMMs all split.
  const big: RCase[] = [
    { T: 4, B: 64, I: 48, H: 300 },
    { T: 3, B: 150, I: 20, H: 70, reverse: true },
    { T: 4, B: 64, I: 40, H: 100, packed: [64, 50, 33, 7], reverse: true },
    { T: 5, B: 40, I: 300, H: 60, packed: [40, 40, 31, 17, 16] },
    { T: 4, B: 64, I: 40, H: 260, P: 130, packed: [64, 50, 33, 7], reverse: true },
  ];
  for (const [dn, C] of DTYPES) {
    for (const c of big) {
      it(`LSTM ${dn} ${label(c)}: 1 vs 2 vs 3 threads bit-identical`, () => {
        setNumThreads(1);
        const one = runLstm(nativeBackend, C, c, 3);
        setNumThreads(2);
        const two = runLstm(nativeBackend, C, c, 3);
        setNumThreads(3);
        const three = runLstm(nativeBackend, C, c, 3);
        for (const k of Object.keys(one)) {
          expect(Array.from(two[k]!), k).toEqual(Array.from(one[k]!));
          expect(Array.from(three[k]!), k).toEqual(Array.from(one[k]!));
        }
      });
    }
    it(`GRU ${dn}: 1 vs 2 threads bit-identical`, () => {
      const c = { T: 3, B: 64, I: 50, H: 300 };
      setNumThreads(1);
      const one = runGruRnn(nativeBackend, 'gru', C, c, 9);
      setNumThreads(2);
      const two = runGruRnn(nativeBackend, 'gru', C, c, 9);
      for (const k of Object.keys(one)) expect(Array.from(two[k]!), k).toEqual(Array.from(one[k]!));
    });
  }
});
