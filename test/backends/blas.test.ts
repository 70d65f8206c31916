/**
 * The BLAS-1 routines (backends/routines/blas.ts) against PyTorch 1.13 (test/fixtures/blas.json,
 * from tools/fixtures/gen_blas.py): `dot` gives `torch.dot`'s bits (OpenBLAS's summation order) and
 * `axpy` gives `add_(x, alpha=...)`'s (one rounding per element), in float32 and float64, on every
 * backend (a compiled backend without them runs the js reference).
 */
import { expect, it } from 'vitest';
import { routine } from '../../src/backends/routine.js';
import { describeEachBackend } from '../helpers/backends.js';
import { loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: 'float32' | 'float64'; data: number[] };
interface Case {
  n: number;
  x: Enc;
  y: Enc;
  alpha: number;
  dot: Enc;
  axpy: Enc;
}
const fx = loadFixture<{ cases: Case[] }>('blas');

function array(e: Enc): Float32Array | Float64Array {
  return e.dtype === 'float32' ? Float32Array.from(e.data) : Float64Array.from(e.data);
}

describeEachBackend('BLAS-1 routines give PyTorch 1.13 bits', () => {
  it.each(fx.cases.map((c) => [c.x.dtype, c.n, c] as const))('%s dot, n = %i', (_dtype, _n, c) => {
    const out = array(c.dot);
    out[0] = NaN;
    routine('dot')({ x: array(c.x), y: array(c.y), out });
    expect(out[0]).toBe(c.dot.data[0]);
  });

  it.each(fx.cases.map((c) => [c.x.dtype, c.n, c] as const))('%s axpy, n = %i', (_dtype, _n, c) => {
    const y = array(c.y);
    routine('axpy')({ alpha: c.alpha, x: array(c.x), y });
    expect(Array.from(y)).toEqual(c.axpy.data);
  });
});
