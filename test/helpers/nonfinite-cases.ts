/**
 * Non-finite values for the compiled backends' parity tests (test/backends/native.test.ts,
 * wasm.test.ts): inf, -inf, NaN and 1e38 put into one element of a recurrent layer's input or
 * initial state, on shapes that reach the compiled kernels' vector tails, fused steps and thread
 * split, and a comparison that holds NaN to NaN and an infinity to the same infinity. (The js
 * reference itself is checked against PyTorch on these values in test/backends/nonfinite.test.ts.)
 */
import { expect } from 'vitest';
import type { View } from '../../src/backends/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { type Ctor, type FA, type RCase, randArr, rng, tol } from './recurrent-cases.js';

export const NONFINITE_VALUES = [Infinity, -Infinity, NaN, 1e38];

/** Shapes: full vectors plus a tail (H 37), a packed batch of 16+ rows (the fused step), a projection. */
export const NONFINITE_CASES: RCase[] = [
  { T: 4, B: 20, I: 7, H: 37 },
  { T: 3, B: 17, I: 5, H: 19, packed: [17, 12, 5], reverse: true },
  { T: 3, B: 5, I: 6, H: 33, P: 16 },
];

/** The inputs a value goes into; c0 only for an LSTM. */
export type Place = 'x' | 'h0' | 'c0';

/** What a test changes in a run's generated inputs before the run. */
export type Poke = (a: Partial<Record<Place, FA>>) => void;

/** One recurrent run (forward, backward, inference forward) on the compiled backend or js: its outputs by name. */
export interface Runners {
  lstm(compiled: boolean, edit: Poke): Record<string, FA>;
  gruRnn(kind: 'gru' | 'tanh' | 'relu', compiled: boolean, edit: Poke): Record<string, FA>;
}

/**
 * Each value of NONFINITE_VALUES in x, h0 and c0 of case c: the compiled backend's LSTM (and GRU
 * and RNN, without a projection) against js's, NaN for NaN and the same infinities.
 */
export function expectNonFiniteRecurrentLikeJs(C: Ctor, c: RCase, run: Runners): void {
  const [atol, rtol] = tol(C);
  for (const v of NONFINITE_VALUES) {
    for (const place of ['x', 'h0', 'c0'] as const) {
      const edit: Poke = (a) => poke(a, place, v, c);
      const what = `${v} in ${place}`;
      expectSameNonFinite(run.lstm(true, edit), run.lstm(false, edit), atol, rtol, `lstm ${what}`);
      if (c.P || place === 'c0') continue;
      for (const kind of ['gru', 'tanh', 'relu'] as const) {
        expectSameNonFinite(run.gruRnn(kind, true, edit), run.gruRnn(kind, false, edit), atol, rtol, `${kind} ${what}`);
      }
    }
  }
}

/**
 * Puts v into one element of a[place]: x in a middle row, h0 in the last batch row (which a packed
 * batch drops first), c0 in the first.
 */
export function poke(a: Partial<Record<Place, FA>>, place: Place, v: number, c: RCase): void {
  const arr = a[place];
  if (!arr || arr.length === 0) return;
  const width = place === 'x' ? c.I : arr.length / c.B; // I, or R / H for a state row
  const row = place === 'x' ? Math.floor(arr.length / width / 2) : place === 'h0' ? c.B - 1 : 0;
  arr[row * width + Math.min(1, width - 1)] = v;
}

/**
 * got against want, array by array: NaN where want is NaN, the same infinity where want is
 * infinite, else within atol * (the array's largest finite |value|, at least 1) + rtol * |want|.
 */
export function expectSameNonFinite(got: Record<string, FA>, want: Record<string, FA>, atol: number, rtol: number, label: string): void {
  for (const k of Object.keys(want)) {
    const a = got[k]!;
    const b = want[k]!;
    expect(a.length, `${label} ${k} length`).toBe(b.length);
    let scale = 1;
    for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      const ok = Number.isNaN(y) ? Number.isNaN(x) : !Number.isFinite(y) ? x === y : Math.abs(x - y) <= atol * scale + rtol * Math.abs(y);
      if (!ok) expect.fail(`${label} ${k}[${i}]: got ${x}, js ${y}`);
    }
  }
}

/** gemm sizes [m, n, k, A transposed]: vector tails, a few rows (the unpacked path), blocking and threads. */
export const NONFINITE_GEMMS: [number, number, number, boolean][] = [
  [7, 5, 9, false], [33, 17, 65, true], [1, 33, 65, false], [3, 64, 129, true], [130, 40, 300, false], [260, 9, 200, true],
];

/**
 * Operands of out [m,n] = a [m,k] @ b [k,n] with inf, -inf and NaN in a and, in b, a row of zeros (but
 * one column) and scattered zeros under them: 0 * inf must give NaN (no product is skipped), a NaN
 * must reach its whole row, and an infinity times non-zeros stays infinite. `out()` is a fresh
 * output of NaN (beta = 0 must not read it).
 */
export function nonFiniteGemm(C: Ctor, m: number, n: number, k: number, transA: boolean): { a: View; b: View; out: () => View } {
  const r = rng(m * 1000 + n * 10 + k);
  const ad = randArr(C, m * k, r);
  const at = (i: number, p: number): number => (transA ? p * m + i : i * k + p);
  ad[at(Math.min(1, m - 1), Math.min(1, k - 1))] = Infinity;
  ad[at(Math.min(2, m - 1), Math.min(3, k - 1))] = -Infinity;
  ad[at(m - 1, 0)] = NaN;
  const bd = randArr(C, k * n, r);
  for (let j = 1; j < n; j++) bd[Math.min(1, k - 1) * n + j] = 0; // under the inf: NaN but column 0
  for (let j = 0; j < n; j += 3) bd[Math.min(3, k - 1) * n + j] = 0; // under the -inf: every 3rd column
  const a: View = { data: ad, shape: [1, m, k], strides: transA ? [0, 1, m] : [0, k, 1], offset: 0 };
  const b: View = { data: bd, shape: [1, k, n], strides: [0, n, 1], offset: 0 };
  return { a, b, out: () => ({ data: new C(m * n).fill(NaN), shape: [1, m, n], strides: [m * n, n, 1], offset: 0 }) };
}

/**
 * Every NONFINITE_GEMMS case through `gemm` (out = a @ b, beta = 0 over a NaN output) and js's:
 * the same values, NaNs and infinities (and the cases do make both).
 */
export function expectNonFiniteGemmLikeJs(C: Ctor, gemm: (a: View, b: View, out: View) => void, label: string): void {
  const [atol, rtol] = tol(C);
  const seen = new Set<string>();
  for (const [m, n, k, transA] of NONFINITE_GEMMS) {
    const { a, b, out } = nonFiniteGemm(C, m, n, k, transA);
    const js = out();
    const got = out();
    jsBackend.gemm(a, b, js, { alpha: 1, beta: 0 });
    gemm(a, b, got);
    expectSameNonFinite({ out: got.data as FA }, { out: js.data as FA }, atol, rtol, `${label} m=${m} n=${n} k=${k} transA=${transA}`);
    for (const v of js.data as FA) if (!Number.isFinite(v)) seen.add(String(v));
  }
  expect([...seen].sort()).toEqual(['-Infinity', 'Infinity', 'NaN']);
}
