import { describe, expect, it } from 'vitest';
import type { View } from '../../../src/backends/backend.js';
import { copy } from '../../../src/backends/js/kernels/elementwise.js';
import { reduce } from '../../../src/backends/js/kernels/reduce.js';

// The float fast paths of the js kernels (copy between float arrays of one type, sum over float
// input) against plain reference loops: same values for every layout, bit for bit.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Storage offset of the row-major element number `i` of a view. */
function at(v: View, i: number): number {
  let off = v.offset;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const s = v.shape[d]!;
    off += (i % s) * v.strides[d]!;
    i = Math.floor(i / s);
  }
  return off;
}

/** Permuted / strided / offset views over a fresh array of `Ctor`. */
function layouts(Ctor: Float32ArrayConstructor | Float64ArrayConstructor): View[] {
  const r = rng(7);
  const data = new Ctor(4000);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return [
    { data, shape: [], strides: [], offset: 3 },
    { data, shape: [37], strides: [1], offset: 5 },
    { data, shape: [6, 40], strides: [40, 1], offset: 0 },
    { data, shape: [40, 6], strides: [1, 40], offset: 1 },
    { data, shape: [5, 7, 33], strides: [33, 165, 1], offset: 2 }, // batch-first view of time-major
    { data, shape: [3, 4, 5, 6], strides: [6, 18, 72, 1], offset: 0 },
    { data, shape: [4, 9], strides: [0, 2], offset: 7 }, // broadcast rows, stride 2
    { data, shape: [2, 3, 64], strides: [192, 64, 1], offset: 11 }, // contiguous with offset
  ];
}

describe('js float fast paths', () => {
  for (const Ctor of [Float32Array, Float64Array]) {
    it(`copy reads every layout element by element (${Ctor.name})`, () => {
      for (const x of layouts(Ctor)) {
        const n = numel(x.shape);
        const out = new Ctor(n + 2);
        copy(x, { data: out, shape: x.shape, strides: x.shape.map((_, d) => numel(x.shape.slice(d + 1))), offset: 2 });
        for (let i = 0; i < n; i++) expect(out[2 + i]).toBe(x.data[at(x, i)]);
        // and into a strided (transposed) output
        if (x.shape.length === 2) {
          const [a, b] = x.shape as [number, number];
          const o2 = new Ctor(a * b);
          copy(x, { data: o2, shape: [a, b], strides: [1, a], offset: 0 });
          for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) expect(o2[j * a + i]).toBe(x.data[x.offset + i * x.strides[0]! + j * x.strides[1]!]);
        }
      }
    });

    it(`sum over any dims equals the reference walk bit for bit (${Ctor.name})`, () => {
      for (const x of layouts(Ctor)) {
        const nd = x.shape.length;
        for (let mask = 0; mask < 1 << nd; mask++) {
          const dims = x.shape.map((_, d) => d).filter((d) => mask & (1 << d));
          const outShape = x.shape.filter((_, d) => !(mask & (1 << d)));
          const got = new Ctor(numel(outShape));
          reduce('sum', x, dims, { data: got, shape: outShape, strides: [], offset: 0 });
          // reference: accumulate in float64 in row-major order, a reduced innermost row first
          const acc = new Float64Array(got.length);
          const inner = nd ? x.shape[nd - 1]! : 1;
          const innerReduced = nd > 0 && (mask & (1 << (nd - 1))) !== 0;
          const n = numel(x.shape);
          const outIndex = (i: number): number => {
            let o = 0;
            let mult = 1;
            for (let d = nd - 1; d >= 0; d--) {
              const s = x.shape[d]!;
              if (!(mask & (1 << d))) {
                o += (i % s) * mult;
                mult *= s;
              }
              i = Math.floor(i / s);
            }
            return o;
          };
          for (let r = 0; r < n / inner; r++) {
            if (innerReduced) {
              let t = 0;
              for (let k = 0; k < inner; k++) t += x.data[at(x, r * inner + k)]!;
              acc[outIndex(r * inner)] = acc[outIndex(r * inner)]! + t;
            } else {
              for (let k = 0; k < inner; k++) acc[outIndex(r * inner + k)] = acc[outIndex(r * inner + k)]! + x.data[at(x, r * inner + k)]!;
            }
          }
          expect(Array.from(got)).toEqual(Array.from(Ctor.from(acc)));
        }
      }
    });
  }
});
