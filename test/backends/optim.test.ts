/**
 * The optim routines of the compiled backends against the js reference (backends/js/kernels/optim.ts):
 * bit-identical results for every option, including subnormals, zeros, NaN and infinities, lengths
 * that are not multiples of the vector width or of the native kernel's block (16384), float64
 * (which the compiled kernels hand to the reference), and the optimizer running the active
 * backend's routine.
 */
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { isAvailable as nativeAvailable, nativeBackend } from '../../src/backends/native/index.js';
import { isAvailable as wasmAvailable, wasmBackend } from '../../src/backends/wasm/index.js';
import { backend } from '../../src/backends/registry.js';
import type { AdamStepArgs } from '../../src/backends/routines/optim.js';
import type { Backend } from '../../src/backends/backend.js';
import type { FloatArray } from '../../src/tensor/dtype.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** A deterministic stream mixing ordinary values with subnormals, zeros and huge ones. */
function values(C: Ctor, n: number, scale: number, seed: number): FloatArray {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const a = new C(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    a[i] = (rnd() - 0.5) * scale * (r < 0.03 ? 1e-40 : r < 0.06 ? 1e30 : r < 0.08 ? 0 : 1);
  }
  return a;
}

/** Equal bit patterns (any NaN equals any NaN). */
function expectSameBits(want: FloatArray, got: FloatArray): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(want[i], got[i]) && !(Number.isNaN(want[i]) && Number.isNaN(got[i]))) {
      expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
    }
  }
}

const OPTIONS = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false, amsgrad: false },
  { lr: 0.1, beta1: 0.8, beta2: 0.5, eps: 1e-45, weightDecay: 0.01, decoupledWeightDecay: false, maximize: true, amsgrad: true },
  { lr: 0.05, beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupledWeightDecay: true, maximize: false, amsgrad: false },
  { lr: 0.3, beta1: 0.5, beta2: 0.9, eps: 1e-8, weightDecay: 0.2, decoupledWeightDecay: true, maximize: true, amsgrad: true },
];

const COMPILED: [string, Backend, boolean][] = [
  ['native', nativeBackend, nativeAvailable()],
  ['wasm', wasmBackend, wasmAvailable()],
];

/** Three Adam steps on the reference and on `be`, from the same start; the two must agree bit for bit. */
function adamPair(be: Backend, C: Ctor, n: number, o: (typeof OPTIONS)[number]): void {
  const w0 = values(C, n, 2, 3 + n);
  const g0 = values(C, n, 1e-2, 4 + n);
  g0[0] = Number.NaN;
  if (n > 2) g0[2] = -Infinity;
  if (n > 5) g0[5] = -0;
  const state = (): { param: FloatArray; expAvg: FloatArray; expAvgSq: FloatArray; maxExpAvgSq: FloatArray | null } => ({
    param: w0.slice(),
    expAvg: new C(n),
    expAvgSq: new C(n),
    maxExpAvgSq: o.amsgrad ? new C(n) : null,
  });
  const ref = state();
  const got = state();
  for (let step = 1; step <= 3; step++) {
    const grad = step === 1 ? g0 : values(C, n, 1e-2, step * 5 + n);
    const scalars = {
      lr: o.lr,
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      weightDecay: o.weightDecay,
      decoupledWeightDecay: o.decoupledWeightDecay,
      maximize: o.maximize,
      stepSize: o.lr / (1 - o.beta1 ** step),
      biasCorrection2Sqrt: Math.sqrt(1 - o.beta2 ** step),
    };
    jsBackend.adamStep!({ ...ref, grad, ...scalars });
    be.adamStep!({ ...got, grad, ...scalars } satisfies AdamStepArgs);
  }
  expectSameBits(ref.param, got.param);
  expectSameBits(ref.expAvg, got.expAvg);
  expectSameBits(ref.expAvgSq, got.expAvgSq);
  if (ref.maxExpAvgSq) expectSameBits(ref.maxExpAvgSq, got.maxExpAvgSq!);
}

const LENGTHS = [1, 3, 4, 5, 7, 8, 9, 17, 3071, 16383, 16384, 40001];

for (const [name, be, ok] of COMPILED) {
  describe.skipIf(!ok)(`adamStep [${name}]${ok ? '' : ' (skipped: not available)'}`, () => {
    for (const [oi, o] of OPTIONS.entries()) {
      it(`matches the js reference bit for bit, float32 (options ${oi})`, () => {
        const spy = vi.spyOn(jsBackend, 'adamStep');
        try {
          for (const n of LENGTHS) adamPair(be, Float32Array, n, o);
          expect(spy, 'the compiled kernel ran (no js fallback)').toHaveBeenCalledTimes(3 * LENGTHS.length);
        } finally {
          spy.mockRestore();
        }
      });
    }

    it('hands float64 and mismatched arrays to the js reference', () => {
      for (const o of OPTIONS) for (const n of [1, 5, 17]) adamPair(be, Float64Array, n, o);
      const spy = vi.spyOn(jsBackend, 'adamStep');
      try {
        const a = new Float32Array(4);
        const args = { param: a, grad: new Float32Array(3), expAvg: a.slice(), expAvgSq: a.slice(), maxExpAvgSq: null, ...OPTIONS[0]!, stepSize: 1, biasCorrection2Sqrt: 1 };
        be.adamStep!(args);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });
  });
}

describe('optimizers run the active backend routine', () => {
  it(`optim.Adam / AdamW trajectories equal the js reference [${backend().name}]`, () => {
    for (const Opt of [torch.optim.Adam, torch.optim.AdamW]) {
      for (const n of [100, 70001]) {
        const w0 = values(Float32Array, n, 1, 5);
        const p = torch.tensor(w0, { dtype: 'float32' }).requiresGrad_();
        const opt = new Opt([p], { lr: 0.01, weightDecay: 0.1, amsgrad: true });
        const ref = { param: w0.slice(), expAvg: new Float32Array(n), expAvgSq: new Float32Array(n), maxExpAvgSq: new Float32Array(n) };
        for (let step = 1; step <= 4; step++) {
          const grad = values(Float32Array, n, 1e-2, 11 + step);
          p.grad = torch.tensor(grad, { dtype: 'float32' });
          opt.step();
          jsBackend.adamStep!({
            ...ref, grad, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1,
            decoupledWeightDecay: Opt === torch.optim.AdamW, maximize: false,
            stepSize: 0.01 / (1 - 0.9 ** step), biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** step),
          });
        }
        expectSameBits(ref.param, p.dataSync() as Float32Array);
        const st = opt.state.get(p)!;
        expectSameBits(ref.expAvg, st.exp_avg.dataSync() as Float32Array);
        expectSameBits(ref.expAvgSq, st.exp_avg_sq.dataSync() as Float32Array);
        expectSameBits(ref.maxExpAvgSq, st.max_exp_avg_sq!.dataSync() as Float32Array);
      }
    }
  });
});
