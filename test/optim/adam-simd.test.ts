import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { type AdamScalars, adamKernel } from '../../src/optim/adam.js';
import { AdamArena, adamSimd } from '../../src/optim/adam-simd.js';
import { isAvailable as nativeAvailable } from '../../src/backends/native/index.js';
import { nativeBackend } from '../../src/backends/native/index.js';
import { backend } from '../../src/backends/registry.js';

// The WebAssembly SIMD and native Adam kernels against the scalar loop they replace: bit-identical results,
// including subnormals, zeros, NaN and infinities, every option, lengths that are not multiples
// of 4 or of the chunk size, and state held in an arena.

/** A deterministic float32 stream mixing ordinary values with subnormals, zeros and huge ones. */
function values(n: number, scale: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    a[i] = (rnd() - 0.5) * scale * (r < 0.03 ? 1e-40 : r < 0.06 ? 1e30 : r < 0.08 ? 0 : 1);
  }
  return a;
}

function scalars(o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean; maximize: boolean; step: number }): AdamScalars {
  const f = Math.fround;
  return {
    f32: true,
    sign: o.maximize ? -1 : 1,
    decoupled: o.decoupled,
    decay: f(1 - o.lr * o.wd),
    wd: f(o.wd),
    b1: f(o.b1),
    a1: f(1 - o.b1),
    b2: f(o.b2),
    a2: f(1 - o.b2),
    negStepSize: f(-(o.lr / (1 - o.b1 ** o.step))),
    bc2Sqrt: f(Math.sqrt(1 - o.b2 ** o.step)),
    eps: f(o.eps),
  };
}

function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(b.length).toBe(a.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      expect({ i, got: b[i], want: a[i] }).toEqual({ i, got: a[i], want: a[i] });
    }
  }
}

const OPTIONS = [
  { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: false, maximize: false, ams: false },
  { lr: 0.1, b1: 0.8, b2: 0.5, eps: 1e-45, wd: 0.01, decoupled: false, maximize: true, ams: true },
  { lr: 0.05, b1: 0.9, b2: 0.99, eps: 1e-6, wd: 0.1, decoupled: true, maximize: false, ams: false },
  { lr: 0.3, b1: 0.5, b2: 0.9, eps: 1e-8, wd: 0.2, decoupled: true, maximize: true, ams: true },
];

describe('Adam SIMD kernel', () => {
  for (const [oi, o] of OPTIONS.entries()) {
    it(`matches the scalar loop bit for bit (options ${oi})`, () => {
      for (const n of [1, 3, 4, 5, 3071, 3072, 3073, 7000]) {
        const w0 = values(n, 2, 1 + n);
        const g0 = values(n, 1e-2, 2 + n);
        g0[0] = Number.NaN;
        if (n > 2) g0[2] = Infinity;
        const ref = { w: w0.slice(), m: new Float32Array(n), v: new Float32Array(n), x: o.ams ? new Float32Array(n) : null };
        const got = { w: w0.slice(), m: new Float32Array(n), v: new Float32Array(n), x: o.ams ? new Float32Array(n) : null };
        const arena = AdamArena.create(4 * (n + 4));
        expect(arena).not.toBeNull();
        const inArena = { w: w0.slice(), m: arena!.alloc(n)!, v: arena!.alloc(n)!, x: o.ams ? arena!.alloc(n)! : null };
        for (let step = 1; step <= 3; step++) {
          const g = step === 1 ? g0 : values(n, 1e-2, step * 7 + n);
          const k = scalars({ ...o, step });
          adamKernel(ref.w, g, ref.m, ref.v, ref.x, k);
          expect(adamSimd(got.w, g, got.m, got.v, got.x, k)).toBe(true);
          expect(adamSimd(inArena.w, g, inArena.m, inArena.v, inArena.x, k, arena)).toBe(true);
        }
        for (const t of [got, inArena]) {
          expectSameBits(ref.w, t.w);
          expectSameBits(ref.m, t.m);
          expectSameBits(ref.v, t.v);
          if (ref.x) expectSameBits(ref.x, t.x!);
        }
      }
    });
  }

  it('optim.Adam / AdamW trajectories equal the scalar loop, state in an arena or not', () => {
    for (const Opt of [torch.optim.Adam, torch.optim.AdamW]) {
      for (const n of [100, 70001]) {
        // n = 70001 is over the arena threshold; its state then lives in WebAssembly memory
        const w0 = values(n, 1, 5);
        const p = torch.tensor(Array.from(w0), { dtype: 'float32' }).requiresGrad_();
        const opt = new Opt([p], { lr: 0.01, weightDecay: 0.1, amsgrad: true });
        const ref = { w: w0.slice(), m: new Float32Array(n), v: new Float32Array(n), x: new Float32Array(n) };
        for (let step = 1; step <= 4; step++) {
          const g = values(n, 1e-2, 11 + step);
          p.grad = torch.tensor(Array.from(g), { dtype: 'float32' });
          opt.step();
          const decoupled = Opt === torch.optim.AdamW;
          adamKernel(ref.w, g, ref.m, ref.v, ref.x, scalars({ lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1, decoupled, maximize: false, step }));
        }
        expectSameBits(ref.w, p.dataSync() as Float32Array);
        const st = opt.state.get(p)!;
        // a view into the arena (unless the backend has its own kernel on ordinary arrays)
        if (n > 65536 && backend().adamStep === undefined) expect(st.exp_avg.data.byteOffset).toBeGreaterThan(0);
        expectSameBits(ref.m, st.exp_avg.dataSync() as Float32Array);
        expectSameBits(ref.v, st.exp_avg_sq.dataSync() as Float32Array);
        expectSameBits(ref.x, st.max_exp_avg_sq!.dataSync() as Float32Array);
      }
    }
  });
});

function toK(k: AdamScalars): Float64Array {
  return Float64Array.from([k.sign, k.decoupled ? 1 : 0, k.decay, k.wd, k.b1, k.a1, k.b2, k.a2, k.negStepSize, k.bc2Sqrt, k.eps]);
}

describe.runIf(nativeAvailable())('native Adam kernel (vectorised, threaded in blocks of 16384)', () => {
  for (const [oi, o] of OPTIONS.entries()) {
    it(`matches the scalar loop bit for bit (options ${oi})`, () => {
      for (const n of [1, 3, 7, 8, 9, 17, 16383, 16384, 40001]) {
        const w0 = values(n, 2, 3 + n);
        const g0 = values(n, 1e-2, 4 + n);
        g0[0] = Number.NaN;
        if (n > 2) g0[2] = -Infinity;
        if (n > 5) g0[5] = -0;
        const ref = { w: w0.slice(), m: new Float32Array(n), v: new Float32Array(n), x: o.ams ? new Float32Array(n) : null };
        const got = { w: w0.slice(), m: new Float32Array(n), v: new Float32Array(n), x: o.ams ? new Float32Array(n) : null };
        for (let step = 1; step <= 3; step++) {
          const g = step === 1 ? g0 : values(n, 1e-2, step * 5 + n);
          const k = scalars({ ...o, step });
          adamKernel(ref.w, g, ref.m, ref.v, ref.x, k);
          expect(nativeBackend.adamStep!(got.w, g, got.m, got.v, got.x, toK(k))).toBe(true);
        }
        expectSameBits(ref.w, got.w);
        expectSameBits(ref.m, got.m);
        expectSameBits(ref.v, got.v);
        if (ref.x) expectSameBits(ref.x, got.x!);
      }
    });
  }
  it('declines arrays it cannot take (the optimizer then runs its own loop)', () => {
    const a = new Float32Array(4);
    expect(nativeBackend.adamStep!(a, new Float32Array(3), a, a, null, new Float64Array(11))).toBe(false);
    expect(nativeBackend.adamStep!(a, new Float64Array(4) as unknown as Float32Array, a, a, null, new Float64Array(11))).toBe(false);
  });
});
