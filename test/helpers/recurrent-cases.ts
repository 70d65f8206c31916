/**
 * Shared by the compiled backends' parity tests (test/backends/native.test.ts, wasm.test.ts):
 * a reproducible random stream, the gemm sizes and transposes, and the recurrent cases (odd sizes,
 * packed, reverse, projections, empty sequences, the fused paths' blocking edges) with their
 * float32 / float64 tolerances against the js reference kernels.
 */
export type FA = Float32Array | Float64Array;
export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** mulberry32, so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArr(C: Ctor, n: number, r: () => number, scale = 1): FA {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

export const ODD = [1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129];
export const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
export const DTYPES: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];

export interface RCase {
  T: number;
  B: number;
  I: number;
  H: number;
  P?: number;
  reverse?: boolean;
  packed?: number[];
  bias?: boolean;
}

export const RCASES: RCase[] = [
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 3, B: 2, I: 5, H: 7 },
  { T: 4, B: 3, I: 17, H: 15, reverse: true },
  { T: 5, B: 4, I: 3, H: 16, packed: [4, 3, 3, 1, 1] },
  { T: 5, B: 4, I: 9, H: 17, packed: [4, 4, 2, 2, 1], reverse: true },
  { T: 3, B: 5, I: 6, H: 33, bias: false },
  { T: 6, B: 33, I: 31, H: 65 },
  { T: 2, B: 7, I: 129, H: 63, packed: [7, 2] },
  { T: 0, B: 2, I: 3, H: 4 }, // empty sequence
  { T: 2, B: 3, I: 0, H: 4 }, // no input features
];
// The fused LSTM step's row blocks and K slices, with a packed batch shrinking across a row block.
// (LSTM only: an Elman RNN with these weights cancels so much in float32 that js and native round
// apart by more than the tolerance, with no bug on either side; float64 agrees.)
// Long sequences: inference projects the input by blocks of steps (several blocks here, forward,
// reverse and packed), which must equal the training path's single projection bit for bit.
export const BIG_LSTM: RCase[] = [
  { T: 3, B: 130, I: 7, H: 270, packed: [130, 97, 40] },
  { T: 40, B: 60, I: 5, H: 20 },
  { T: 6, B: 50, I: 300, H: 40, bias: false }, // x_t W_ihᵀ inside the step, several K slices of I
  { T: 40, B: 60, I: 5, H: 20, reverse: true, packed: Array.from({ length: 40 }, (_, t) => 60 - t) },
];
export const PCASES: RCase[] = [
  { T: 3, B: 2, I: 5, H: 7, P: 3 },
  { T: 4, B: 3, I: 8, H: 17, P: 5, reverse: true },
  { T: 5, B: 4, I: 6, H: 33, P: 16, packed: [4, 3, 2, 2, 1] },
  { T: 5, B: 4, I: 6, H: 33, P: 31, packed: [4, 4, 3, 1, 1], reverse: true, bias: false },
];

export function rows(c: RCase): number {
  return c.packed ? c.packed.reduce((s, v) => s + v, 0) : c.T * c.B;
}

export function tol(C: Ctor): [number, number] {
  return C === Float32Array ? [2e-5, 2e-4] : [1e-12, 1e-10];
}

export function label(c: RCase): string {
  return `T${c.T} B${c.B} I${c.I} H${c.H}${c.P ? ` P${c.P}` : ''}${c.reverse ? ' reverse' : ''}${c.packed ? ` packed[${c.packed}]` : ''}${c.bias === false ? ' nobias' : ''}`;
}
