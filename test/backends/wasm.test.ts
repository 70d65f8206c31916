/**
 * The WebAssembly SIMD backend against the js reference kernels, as test/backends/native.test.ts
 * checks the native one: gemm on odd sizes that hit vector tails and blocking edges (every
 * transpose, broadcast batches, offsets, strided and gathered operands, alpha/beta, beta = 0 over
 * NaN), the fused LSTM / GRU / RNN forward and backward (packed, projection, reverse, empty
 * sequence, float32 and float64), memory reuse across calls of changing sizes, and the registry:
 * TORCHLET_BACKEND=wasm selects it, and without WebAssembly (or SIMD) resolution falls back to js.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import {
  type LstmBackwardArgs,
  type LstmForwardArgs,
  type View,
  gruWorkspaceSize,
  lstmWorkspaceSize,
  rnnWorkspaceSize,
} from '../../src/backends/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { info, isAvailable, reason, wasmBackend } from '../../src/backends/wasm/index.js';
import { registeredBackends } from '../../src/backends/registry.js';
import { WASM_SOURCES_SHA256 } from '../../src/backends/wasm/binary.js';
import { NONFINITE_CASES, type Poke, type Runners, expectNonFiniteGemmLikeJs, expectNonFiniteRecurrentLikeJs } from '../helpers/nonfinite-cases.js';
import { type Ctor, type FA, type RCase, BIG_LSTM, DTYPES, ODD, PCASES, RCASES, TRANS, label, randArr, rng, rows, tol } from '../helpers/recurrent-cases.js';

function child(code: string, env: Record<string, string | undefined>, flags: string[] = []): unknown {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('wasm module', () => {
  it('instantiates here (Node has WebAssembly SIMD) and reports its kernels', () => {
    expect(reason()).toBe('');
    expect(isAvailable()).toBe(true);
    expect(info()!.isa).toBe('wasm-simd128');
    expect(registeredBackends()).toContain('wasm');
  });

  it('TORCHLET_BACKEND=wasm selects it; ranks between js and native', () => {
    const code = "const b = await import('./src/backends/public.ts'); " +
      'console.log(JSON.stringify([b.current(), b.registeredBackends()]));';
    const [cur, names] = child(code, { TORCHLET_BACKEND: 'wasm' }) as [string, string[]];
    expect(cur).toBe('wasm');
    expect(names.indexOf('wasm')).toBeGreaterThan(names.indexOf('native'));
    expect(names.indexOf('wasm')).toBeLessThan(names.indexOf('js'));
  });

  it('without WebAssembly, resolution falls back to js and says why', () => {
    const code = "const b = await import('./src/backends/public.ts'); " +
      'console.log(JSON.stringify([b.current(), b.backendFailures().get("wasm")]));';
    expect(child(code, { TORCHLET_BACKEND: 'wasm' }, ['--no-expose-wasm'])).toEqual([
      'js', 'cannot instantiate the WebAssembly SIMD module: WebAssembly is not available',
    ]);
  });

  it('without SIMD (the module does not compile), resolution falls back to js', () => {
    // A runtime without SIMD128 rejects the module with a CompileError at `new WebAssembly.Module`.
    const code = 'WebAssembly.Module = function () { throw new WebAssembly.CompileError("invalid simd opcode"); }; ' +
      "const b = await import('./src/backends/public.ts'); const t = await import('./src/index.ts'); " +
      'const y = t.matmul(t.ones([2, 3]), t.ones([3, 2])); ' +
      'console.log(JSON.stringify([b.current(), b.backendFailures().get("wasm"), Array.from(y.dataSync())]));';
    expect(child(code, { TORCHLET_BACKEND: 'wasm' })).toEqual([
      'js',
      'cannot instantiate the WebAssembly SIMD module: invalid simd opcode',
      [3, 3, 3, 3],
    ]);
  });
});

/** Runs fn, failing if the wasm backend fell back to a js kernel (which would make a comparison vacuous). */
function noFallback<R>(be: typeof jsBackend, fn: () => R): R {
  if (be !== wasmBackend) return fn();
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

// ------------------------------------------------------------------------------------------------
// gemm
// ------------------------------------------------------------------------------------------------

interface Spec {
  trans?: boolean;
  bcast?: boolean;
  offset?: number;
  /** Stored inside a matrix this many times wider, every `wide`-th column used (the gathered path). */
  wide?: number;
  /** Rows stored in reverse (a negative row stride). */
  flip?: boolean;
}

function operand(C: Ctor, nb: number, rows: number, cols: number, s: Spec, r: () => number): View {
  const stored = s.bcast ? 1 : nb;
  const offset = s.offset ?? 0;
  const w = s.wide ?? 1;
  const data = randArr(C, offset + stored * rows * cols * w + 2, r);
  const bs = s.bcast ? 0 : rows * cols * w;
  let strides = s.trans ? [bs, w, rows * w] : [bs, cols * w, w];
  let off = offset;
  if (s.flip) {
    off += (rows - 1) * strides[1]!;
    strides = [strides[0]!, -strides[1]!, strides[2]!];
  }
  return { data, shape: [nb, rows, cols], strides, offset: off };
}

/** Runs js and wasm on copies of the same output; returns both and a per-element error bound. */
function gemmPair(
  C: Ctor, nb: number, m: number, n: number, k: number, sa: Spec, sb: Spec, alpha: number, beta: number, seed: number,
  nanOut = false, transOut = false,
): { js: FA; got: FA; bound: Float64Array } {
  const r = rng(seed);
  const a = operand(C, nb, m, k, sa, r);
  const b = operand(C, nb, k, n, sb, r);
  const off = 3;
  const base = randArr(C, off + nb * m * n + 3, r);
  if (nanOut) base.fill(NaN);
  const js = base.slice();
  const got = base.slice();
  // out contiguous, or (transOut) each batch's matrix stored column-major
  const view = (d: FA): View => ({ data: d, shape: [nb, m, n], strides: transOut ? [m * n, 1, m] : [m * n, n, 1], offset: off });
  jsBackend.gemm(a, b, view(js), { alpha, beta });
  noFallback(wasmBackend, () => wasmBackend.gemm(a, b, view(got), { alpha, beta }));
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
        const idx = off + bi * m * n + (transOut ? j * m + i : i * n + j);
        const old = nanOut || beta === 0 ? 0 : Math.abs(beta * base[idx]!);
        bound[idx] = (Math.abs(alpha) * s + old) * eps * (2 * k + 4) + 1e-300;
      }
    }
  }
  return { js, got, bound };
}

function expectGemmClose(res: { js: FA; got: FA; bound: Float64Array }, label: string): void {
  for (let i = 0; i < res.js.length; i++) {
    const d = Math.abs(res.js[i]! - res.got[i]!);
    if (!(d <= res.bound[i]!) && !(Number.isNaN(res.js[i]!) && Number.isNaN(res.got[i]!))) {
      expect.fail(`${label}: element ${i}: js ${res.js[i]} wasm ${res.got[i]} (bound ${res.bound[i]})`);
    }
  }
}

describe('wasm gemm vs js', () => {
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

    it(`${dn}: blocking edges (several K slices, column panels, row blocks)`, () => {
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
        [40, 9, 9, 9, {}, {}, 1, 0],
        [5, 1, 1, 1, { bcast: true }, { bcast: true }, 3, -1],
      ];
      for (const [nb, m, n, k, sa, sb, alpha, beta] of cases) {
        expectGemmClose(gemmPair(C, nb, m, n, k, sa, sb, alpha, beta, seed++), `${dn} ${nb}x${m}x${n}x${k}`);
      }
      const nan = gemmPair(C, 2, 33, 17, 65, {}, {}, 1, 0, seed, true);
      expect(nan.got.slice(3, 3 + 2 * 33 * 17).some(Number.isNaN)).toBe(false);
      expectGemmClose(nan, `${dn} beta=0 over NaN`);
    });

    it(`${dn}: gathered operands (every 9th column of a wide matrix), negative strides, strided out`, () => {
      let seed = 300;
      const cases: [number, number, number, number, Spec, Spec, number, number, boolean][] = [
        [1, 13, 17, 19, { wide: 9 }, {}, 1, 0, false],
        [2, 13, 17, 19, {}, { wide: 9, trans: true }, 1, 0.5, false],
        [3, 8, 5, 33, { wide: 9, trans: true, offset: 2 }, { wide: 9, bcast: true }, -1, 0, false],
        [2, 11, 7, 6, { flip: true }, { flip: true, trans: true }, 1, 0, false],
        [2, 11, 7, 6, { wide: 9, flip: true }, {}, 1, 2, false],
        [2, 12, 9, 7, {}, {}, 1, 0, true], // column-major out, beta = 0
        [2, 12, 9, 7, { trans: true }, {}, 0.5, -1, true],
      ];
      for (const [nb, m, n, k, sa, sb, alpha, beta, transOut] of cases) {
        const res = gemmPair(C, nb, m, n, k, sa, sb, alpha, beta, seed++, false, transOut);
        expectGemmClose(res, `${dn} ${nb}x${m}x${n}x${k} ${JSON.stringify([sa, sb, transOut])}`);
      }
    });

    it(`${dn}: inf and NaN operands: 0 * inf is NaN and NaN spreads, as js (no product skipped, beta = 0 reads nothing)`, () => {
      expectNonFiniteGemmLikeJs(C, (a, b, out) => noFallback(wasmBackend, () => wasmBackend.gemm(a, b, out, { alpha: 1, beta: 0 })), dn);
    });

    it(`${dn}: K = 0 scales by beta; empty products are no-ops`, () => {
      const out = new C([1, 2, 3, 4]);
      const a = { data: new C(0), shape: [1, 2, 0], strides: [0, 0, 1], offset: 0 };
      const b = { data: new C(0), shape: [1, 0, 2], strides: [0, 2, 1], offset: 0 };
      noFallback(wasmBackend, () =>
        wasmBackend.gemm(a, b, { data: out, shape: [1, 2, 2], strides: [4, 2, 1], offset: 0 }, { alpha: 1, beta: 2 }));
      expect(Array.from(out)).toEqual([2, 4, 6, 8]);
      const e = new C([5]);
      wasmBackend.gemm({ data: new C(0), shape: [1, 0, 3], strides: [0, 3, 1], offset: 0 }, { data: new C(6), shape: [1, 3, 2], strides: [0, 2, 1], offset: 0 },
        { data: e, shape: [1, 0, 2], strides: [0, 2, 1], offset: 0 }, { alpha: 1, beta: 0 });
      expect(Array.from(e)).toEqual([5]);
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
      wasmBackend.gemm(a, b, { data: o2, shape: [1, 17, 19], strides: [0, 19, 1], offset: 0 }, { alpha: 1, beta: 0 });
      expect(Array.from(o2)).toEqual(Array.from(o1));
    }
  });

  it('bad views raise the js errors instead of reaching wasm memory', () => {
    const a = { data: new Float32Array(4), shape: [1, 2, 3], strides: [0, 3, 1], offset: 0 };
    const b = { data: new Float32Array(6), shape: [1, 3, 2], strides: [0, 2, 1], offset: 0 };
    const out = { data: new Float32Array(4), shape: [1, 2, 2], strides: [0, 2, 1], offset: 0 };
    expect(() => wasmBackend.gemm(a, b, out, { alpha: 1, beta: 0 })).toThrow(/reaches outside its data/);
  });

  it('the I/O block is reused and regrown across calls of changing sizes (results stay right)', () => {
    let seed = 400;
    const before = info()!.memoryBytes;
    for (const s of [8, 300, 5, 600, 17, 1]) {
      expectGemmClose(gemmPair(Float32Array, 1, s, s, s, {}, {}, 1, 0, seed++), `size ${s}`);
    }
    expect(info()!.memoryBytes).toBeGreaterThanOrEqual(before);
  });
});

// ------------------------------------------------------------------------------------------------
// Fused recurrent layers
// ------------------------------------------------------------------------------------------------

type Outs = Record<string, FA>;

function runLstm(be: typeof jsBackend, C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  return noFallback(be, () => runLstm1(be, C, c, seed, edit));
}

function runLstm1(be: typeof jsBackend, C: Ctor, c: RCase, seed: number, edit?: Poke): Outs {
  const r = rng(seed);
  const H = c.H;
  const P = c.P ?? 0;
  const R = P > 0 ? P : H;
  const G = 4 * H;
  const N = rows(c);
  const bias = c.bias ?? true;
  const geo = { T: c.T, B: c.B, I: c.I, H, P, reverse: c.reverse ?? false, batchSizes: c.packed ? Int32Array.from(c.packed) : null };
  const x = randArr(C, N * c.I, r);
  const h0 = randArr(C, c.B * R, r);
  const c0 = randArr(C, c.B * H, r);
  edit?.({ x, h0, c0 });
  const wIh = randArr(C, G * c.I, r, 0.5);
  const wHh = randArr(C, G * R, r, 0.5);
  const bIh = bias ? randArr(C, G, r) : null;
  const bHh = bias ? randArr(C, G, r) : null;
  const wHr = P > 0 ? randArr(C, P * H, r, 0.5) : null;
  const dy = randArr(C, N * R, r);
  const dhN = randArr(C, c.B * R, r);
  const dcN = randArr(C, c.B * H, r);
  const o: Outs = { y: new C(N * R), hN: new C(c.B * R), cN: new C(c.B * H), ws: new C(lstmWorkspaceSize(N, H, P)) };
  const fwd: LstmForwardArgs = { ...geo, x, h0, c0, wIh, wHh, bIh, bHh, wHr, y: o.y!, hN: o.hN!, cN: o.cN!, ws: o.ws };
  be.lstmForward!(fwd);
  // backward accumulates into non-zero gradients
  const g: Outs = {
    dx: randArr(C, N * c.I, rng(seed + 1)), dh0: new C(c.B * R), dc0: new C(c.B * H), dwIh: new C(G * c.I),
    dwHh: new C(G * R), dbIh: randArr(C, G, rng(seed + 2)), dbHh: new C(G),
  };
  if (P > 0) g.dwHr = new C(P * H);
  const bwd: LstmBackwardArgs = { ...geo, x, c0, wIh, wHh, wHr, ws: o.ws!, dy, dhN, dcN, dx: g.dx, dh0: g.dh0,
    dc0: g.dc0, dwIh: g.dwIh, dwHh: g.dwHh, dbIh: g.dbIh, dbHh: g.dbHh, dwHr: g.dwHr ?? null };
  be.lstmBackward!(bwd);
  // forward without a workspace (inference) must give the same outputs
  const y2 = new C(N * R);
  be.lstmForward!({ ...fwd, y: y2, hN: new C(c.B * R), cN: new C(c.B * H), ws: null });
  // backward with only some gradients in and out
  const dx2 = new C(N * c.I);
  const dwHh2 = new C(G * R);
  be.lstmBackward!({ ...geo, x, c0, wIh, wHh, wHr, ws: o.ws!, dy: null, dhN, dcN: null, dx: dx2, dh0: null,
    dc0: null, dwIh: null, dwHh: dwHh2, dbIh: null, dbHh: null, dwHr: null });
  return { ...o, ...g, yNoWs: y2, dx2, dwHh2 };
}

/**
 * |got - want| <= atol * max(1, max |want|) + rtol * |want| per element. The absolute part scales
 * with the array's largest value: a gradient summed over many rows with cancellation carries the
 * rounding of its largest terms (float32 Elman RNN weight gradients round apart by ~1e-4 of their
 * scale between any two kernels, js vs native included, with no bug on either side).
 */
function expectAllClose(got: Outs, want: Outs, atol: number, rtol: number, label: string): void {
  for (const k of Object.keys(want)) {
    const a = got[k]!;
    const b = want[k]!;
    expect(a.length, `${label} ${k} length`).toBe(b.length);
    let scale = 1;
    for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i]! - b[i]!) <= atol * scale + rtol * Math.abs(b[i]!))) {
        expect.fail(`${label} ${k}[${i}]: wasm ${a[i]} js ${b[i]}`);
      }
    }
  }
}

describe('wasm fused LSTM vs js (forward + backward)', () => {
  for (const [dn, C] of DTYPES) {
    for (const c of [...RCASES, ...BIG_LSTM, ...PCASES]) {
      it(`${dn} ${label(c)}`, () => {
        const [atol, rtol] = tol(C);
        const want = runLstm(jsBackend, C, c, 11);
        const got = runLstm(wasmBackend, C, c, 11);
        expectAllClose(got, want, atol, rtol, `${dn} ${label(c)}`);
        expect(Array.from(got.yNoWs!)).toEqual(Array.from(got.y!));
      });
    }
  }

  it('an array passed for two arguments (hN is h0) behaves as in place', () => {
    const c = { T: 3, B: 2, I: 4, H: 5 };
    const run = (be: typeof jsBackend): Outs => {
      const r = rng(21);
      const G = 4 * c.H;
      const h = randArr(Float64Array, c.B * c.H, r);
      const cc = randArr(Float64Array, c.B * c.H, r);
      const y = new Float64Array(c.T * c.B * c.H);
      noFallback(be, () => be.lstmForward!({ T: c.T, B: c.B, I: c.I, H: c.H, P: 0, reverse: false, x: randArr(Float64Array, c.T * c.B * c.I, r),
        h0: h, c0: cc, wIh: randArr(Float64Array, G * c.I, r), wHh: randArr(Float64Array, G * c.H, r), bIh: null, bHh: null,
        y, hN: h, cN: cc, ws: null }));
      return { h, cc, y };
    };
    expectAllClose(run(wasmBackend), run(jsBackend), 1e-12, 1e-10, 'aliased state');
  });

  it('lengths or types the kernels do not take run on the js kernel', () => {
    const spy = vi.spyOn(jsBackend, 'lstmForward');
    try {
      const a = { T: 1, B: 1, I: 1, H: 1, P: 0, reverse: false, x: new Float32Array(1), h0: new Float32Array(1),
        c0: new Float32Array(1), wIh: new Float32Array(4), wHh: new Float64Array(4), y: new Float32Array(1),
        hN: new Float32Array(1), cN: new Float32Array(1) };
      wasmBackend.lstmForward!(a);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
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
  const g: Outs = { dx: new C(N * c.I), dh0: randArr(C, c.B * H, rng(seed + 1)), dwIh: new C(G * c.I), dwHh: new C(G * H), dbIh: new C(G), dbHh: new C(G) };
  const fwd = { ...geo, x, h0, wIh, wHh, bIh, bHh, y: o.y!, hN: o.hN!, ws: o.ws! };
  const bwd = { ...geo, x, wIh, wHh, ws: o.ws!, dy, dhN, dx: g.dx, dh0: g.dh0, dwIh: g.dwIh, dwHh: g.dwHh, dbIh: g.dbIh, dbHh: g.dbHh };
  const y2 = new C(N * H);
  if (kind === 'gru') {
    be.gruForward!(fwd);
    be.gruBackward!(bwd);
    be.gruForward!({ ...fwd, y: y2, hN: new C(c.B * H), ws: null });
  } else {
    be.rnnForward!({ ...fwd, nonlinearity: kind });
    be.rnnBackward!({ ...bwd, nonlinearity: kind });
    be.rnnForward!({ ...fwd, y: y2, hN: new C(c.B * H), ws: null, nonlinearity: kind });
  }
  return { ...o, ...g, yNoWs: y2 };
}

describe('wasm fused GRU / RNN vs js (forward + backward)', () => {
  for (const [dn, C] of DTYPES) {
    for (const kind of ['gru', 'tanh', 'relu'] as const) {
      for (const c of RCASES) {
        it(`${kind} ${dn} ${label(c)}`, () => {
          const [atol, rtol] = tol(C);
          expectAllClose(runGruRnn(wasmBackend, kind, C, c, 5), runGruRnn(jsBackend, kind, C, c, 5), atol, rtol, `${kind} ${label(c)}`);
        });
      }
    }
  }
});

// inf, -inf, NaN and 1e38 in the input or an initial state: the same NaNs and infinities as js
// (and so as PyTorch, test/backends/nonfinite.test.ts).
describe('wasm vs js: non-finite inputs and states', () => {
  for (const [dn, C] of DTYPES) {
    for (const c of NONFINITE_CASES) {
      it(`${dn} ${label(c)}`, () => {
        const run: Runners = {
          lstm: (compiled, edit) => runLstm(compiled ? wasmBackend : jsBackend, C, c, 23, edit),
          gruRnn: (kind, compiled, edit) => runGruRnn(compiled ? wasmBackend : jsBackend, kind, C, c, 29, edit),
        };
        expectNonFiniteRecurrentLikeJs(C, c, run);
      });
    }
  }
});

describe('the committed module', () => {
  it('was built from the current C++ sources (else: npm run build:wasm, needs clang and lld)', async () => {
    // The build script hashes every file it compiles; a stale module would run old kernels.
    const build = (await import(new URL('../../native/wasm/build.mjs', import.meta.url).href)) as { sourcesSha(): string };
    expect(WASM_SOURCES_SHA256).toBe(build.sourcesSha());
  });
});
