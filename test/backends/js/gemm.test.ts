/**
 * The js backend's gemm kernel against a naive float64 triple loop: odd sizes, every transpose
 * combination (as strides), broadcast batches (stride 0), offsets, alpha/beta, beta = 0 with NaN in
 * out, float32 / float64 / int32 / int64-in-Float64Array, and each internal path (direct for small
 * or skinny problems, transposed skinny, packed with several K slices and row / column blocks).
 */
import { expect, it } from 'vitest';
import type { View } from '../../../src/backends/backend.js';
import { backend } from '../../../src/backends/registry.js';
import { describeEachBackend } from '../../helpers/backends.js';

/** The active backend's gemm: every block below runs once per backend (native and js). */
const gemm = (a: View, b: View, out: View, o: { alpha: number; beta: number }): void => backend().gemm(a, b, out, o);

type Kind = 'f32' | 'f64' | 'i32' | 'i64';
type Arr = Float32Array | Float64Array | Int32Array;

/** Deterministic PRNG (mulberry32) so failures reproduce. */
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

function alloc(kind: Kind, n: number): Arr {
  return kind === 'f32' ? new Float32Array(n) : kind === 'i32' ? new Int32Array(n) : new Float64Array(n);
}

interface OperandSpec {
  /** Store the matrix transposed ([B, cols, rows] in memory) so the view has a unit row stride. */
  trans?: boolean;
  /** One stored batch shared by all through batch stride 0. */
  bcast?: boolean;
  /** Elements of padding before the view. */
  offset?: number;
}

/** A random rank-3 view of logical shape [nb, rows, cols] laid out per `spec`. */
function makeOperand(kind: Kind, nb: number, rows: number, cols: number, spec: OperandSpec, rand: () => number): View {
  const stored = spec.bcast ? 1 : nb;
  const offset = spec.offset ?? 0;
  const data = alloc(kind, offset + stored * rows * cols + 3);
  for (let i = 0; i < data.length; i++) {
    data[i] = kind === 'i32' || kind === 'i64' ? Math.floor(rand() * 21) - 10 : rand() * 2 - 1;
  }
  const batchStride = spec.bcast ? 0 : rows * cols;
  const strides = spec.trans ? [batchStride, 1, rows] : [batchStride, cols, 1];
  return { data, shape: [nb, rows, cols], strides, offset };
}

/** A contiguous [nb, m, n] output with `offset` sentinel elements before and 5 after. */
function makeOut(kind: Kind, nb: number, m: number, n: number, offset: number, fill: (i: number) => number): View {
  const data = alloc(kind, offset + nb * m * n + 5);
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return { data, shape: [nb, m, n], strides: [m * n, n, 1], offset };
}

function at(v: View, i0: number, i1: number, i2: number): number {
  return v.data[v.offset + i0 * v.strides[0] + i1 * v.strides[1] + i2 * v.strides[2]];
}

/**
 * Reference: per element the float64 value alpha*sum + beta*old and a scale for the tolerance
 * (|alpha| * sum |a||b| + |beta * old|), from a naive triple loop over the views.
 */
function reference(a: View, b: View, old: View, alpha: number, beta: number): { value: Float64Array; scale: Float64Array } {
  const [nb, m, k] = a.shape;
  const n = b.shape[2];
  const value = new Float64Array(nb * m * n);
  const scale = new Float64Array(nb * m * n);
  for (let bi = 0; bi < nb; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sa = 0;
        for (let p = 0; p < k; p++) {
          const prod = at(a, bi, i, p) * at(b, bi, p, j);
          s += prod;
          sa += Math.abs(prod);
        }
        const o = (bi * m + i) * n + j;
        const prev = beta === 0 ? 0 : beta * at(old, bi, i, j);
        value[o] = alpha * s + prev;
        scale[o] = Math.abs(alpha) * sa + Math.abs(prev);
      }
    }
  }
  return { value, scale };
}

interface Case {
  kind: Kind;
  nb: number;
  m: number;
  k: number;
  n: number;
  ta?: boolean;
  tb?: boolean;
  bcastA?: boolean;
  bcastB?: boolean;
  offA?: number;
  offB?: number;
  offOut?: number;
  alpha?: number;
  beta?: number;
  nanOut?: boolean;
  seed?: number;
}

function describeCase(c: Case): string {
  const flags = [
    c.ta ? 'aT' : '',
    c.tb ? 'bT' : '',
    c.bcastA ? 'a-bcast' : '',
    c.bcastB ? 'b-bcast' : '',
    c.offA || c.offB || c.offOut ? `off ${c.offA ?? 0}/${c.offB ?? 0}/${c.offOut ?? 0}` : '',
    c.alpha !== undefined ? `alpha ${c.alpha}` : '',
    c.beta !== undefined ? `beta ${c.beta}` : '',
    c.nanOut ? 'NaN out' : '',
  ].filter((s) => s !== '');
  return `${c.kind} [${c.nb},${c.m},${c.k}]@[${c.nb},${c.k},${c.n}] ${flags.join(' ')}`.trim();
}

/** Runs one case and checks every output element and the untouched sentinels around it. */
function check(c: Case): void {
  const rand = rng(c.seed ?? c.m * 7919 + c.k * 104729 + c.n * 1299709 + c.nb);
  const alpha = c.alpha ?? 1;
  const beta = c.beta ?? 0;
  const a = makeOperand(c.kind, c.nb, c.m, c.k, { trans: c.ta, bcast: c.bcastA, offset: c.offA }, rand);
  const b = makeOperand(c.kind, c.nb, c.k, c.n, { trans: c.tb, bcast: c.bcastB, offset: c.offB }, rand);
  const offOut = c.offOut ?? 0;
  const sentinel = -12345;
  const isInt = c.kind === 'i32' || c.kind === 'i64';
  const initial = (i: number): number => {
    if (i < offOut || i >= offOut + c.nb * c.m * c.n) return sentinel;
    if (c.nanOut) return c.kind === 'i32' ? 99999 : NaN;
    return isInt ? (i % 7) - 3 : Math.sin(i);
  };
  const out = makeOut(c.kind, c.nb, c.m, c.n, offOut, initial);
  const old = makeOut(c.kind, c.nb, c.m, c.n, offOut, initial);
  const { value, scale } = reference(a, b, old, alpha, beta);

  gemm(a, b, out, { alpha, beta });

  // js accumulates float32 in doubles; native sgemm accumulates in float32 (error <= ~k ulp of scale).
  const f32tol = backend().name === 'native' ? 2 ** -23 * (c.k + 4) : 2e-6;
  const tol = c.kind === 'f32' ? f32tol : c.kind === 'f64' ? 1e-13 : 0;
  const total = c.nb * c.m * c.n;
  let bad = 0;
  let firstBad = '';
  for (let o = 0; o < total; o++) {
    const got = out.data[offOut + o];
    const want = c.kind === 'i32' ? value[o] | 0 : c.kind === 'f32' ? Math.fround(value[o]) : value[o];
    const ok = isInt ? got === want : Math.abs(got - want) <= tol * scale[o] + 1e-30 && !Number.isNaN(got);
    if (!ok) {
      if (bad === 0) firstBad = `element ${o}: got ${got}, want ${want} (scale ${scale[o]})`;
      bad++;
    }
  }
  expect(bad, firstBad).toBe(0);
  for (let i = 0; i < offOut; i++) expect(out.data[i]).toBe(sentinel);
  for (let i = offOut + total; i < out.data.length; i++) expect(out.data[i]).toBe(sentinel);
}

const SIZES = [1, 2, 3, 5, 7, 13, 17, 31, 33, 64, 65, 127, 129, 257];
const KINDS: Kind[] = ['f32', 'f64'];

describeEachBackend('gemm: float shapes from the odd-size list', () => {
  // Every size appears in every role (M, K, N), with the other two drawn from the list.
  const rand = rng(42);
  const pick = (): number => SIZES[Math.floor(rand() * SIZES.length)];
  const cases: Case[] = [];
  for (const kind of KINDS) {
    for (const s of SIZES) {
      cases.push({ kind, nb: 1, m: s, k: pick(), n: pick() });
      cases.push({ kind, nb: 1, m: pick(), k: s, n: pick() });
      cases.push({ kind, nb: 1, m: pick(), k: pick(), n: s });
    }
  }
  for (const c of cases) it(describeCase(c), () => check(c));
});

describeEachBackend('gemm: all four transpose combinations', () => {
  const shapes: [number, number, number][] = [
    [3, 5, 7], // direct path (small), ragged last column block
    [30, 30, 30], // direct path (small), rows 4+4+...+2
    [65, 33, 17], // packed, edge tiles in M and N
    [129, 300, 67], // packed, two K slices, two M blocks
    [2, 129, 257], // direct path (skinny, M = 2)
    [11, 200, 131], // direct path (skinny, M = 11 = 4 + 4 + 2 + 1)
    [257, 65, 3], // skinny by transposition (N = 3)
    [1, 513, 33], // matrix-vector, row vector on the left
    [31, 127, 1], // matrix-vector, column vector on the right
  ];
  for (const kind of KINDS) {
    for (const [m, k, n] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const c: Case = { kind, nb: 2, m, k, n, ta, tb };
          it(describeCase(c), () => check(c));
        }
      }
    }
  }
});

describeEachBackend('gemm: batches, broadcast (stride 0) and offsets', () => {
  const cases: Case[] = [];
  for (const kind of KINDS) {
    for (const [m, k, n] of [
      [5, 7, 3],
      [33, 65, 17],
      [4, 129, 64],
      [70, 20, 2],
    ] as const) {
      cases.push({ kind, nb: 3, m, k, n, bcastB: true }); // folded into one tall product
      cases.push({ kind, nb: 3, m, k, n, bcastB: true, ta: true }); // not foldable (a transposed)
      cases.push({ kind, nb: 3, m, k, n, bcastA: true });
      cases.push({ kind, nb: 4, m, k, n, bcastA: true, bcastB: true, tb: true });
      cases.push({ kind, nb: 2, m, k, n, offA: 5, offB: 11, offOut: 7 });
      cases.push({ kind, nb: 3, m, k, n, bcastB: true, offA: 3, offB: 1, offOut: 9, beta: 0.5, alpha: 2 });
    }
  }
  for (const c of cases) it(describeCase(c), () => check(c));
});

describeEachBackend('gemm: alpha and beta', () => {
  const cases: Case[] = [];
  for (const kind of KINDS) {
    for (const [m, k, n] of [
      [3, 4, 5],
      [67, 300, 45],
      [3, 200, 100],
      [100, 200, 2],
    ] as const) {
      for (const [alpha, beta] of [
        [1, 1],
        [2.5, 0],
        [-0.5, 1],
        [1, -2],
        [0.25, 0.75],
        [0, 1],
        [0, 0],
      ] as const) {
        cases.push({ kind, nb: 2, m, k, n, alpha, beta, tb: beta === 1 });
      }
      cases.push({ kind, nb: 2, m, k, n, beta: 0, nanOut: true });
      cases.push({ kind, nb: 2, m, k, n, beta: 0, alpha: 3, nanOut: true, ta: true, tb: true });
    }
  }
  for (const c of cases) it(describeCase(c), () => check(c));
});

describeEachBackend('gemm: block boundaries of the packed path', () => {
  const cases: Case[] = [
    { kind: 'f32', nb: 1, m: 13, k: 3, n: 2049 }, // two column panels (NC = 2048)
    { kind: 'f64', nb: 1, m: 14, k: 2, n: 2053, tb: true },
    { kind: 'f32', nb: 1, m: 257, k: 513, n: 9 }, // three K slices, three row blocks
    { kind: 'f64', nb: 1, m: 131, k: 257, n: 130, beta: 1, alpha: -1 },
    { kind: 'f32', nb: 1, m: 128, k: 256, n: 128 }, // exact multiples of the blocks
    { kind: 'f32', nb: 2, m: 40, k: 1000, n: 37, ta: true, beta: 0.5 }, // four K slices
  ];
  for (const c of cases) it(describeCase(c), () => check(c));
});

describeEachBackend('gemm: degenerate sizes', () => {
  it('K = 0 scales out by beta, and beta = 0 writes zeros over NaN', () => {
    for (const kind of KINDS) {
      const a = makeOperand(kind, 2, 3, 0, {}, rng(1));
      const b = makeOperand(kind, 2, 0, 4, {}, rng(2));
      const out = makeOut(kind, 2, 3, 4, 2, (i) => (i < 2 ? -1 : 3));
      gemm(a, b, out, { alpha: 1, beta: 0.5 });
      expect(Array.from(out.data.subarray(2, 26))).toEqual(new Array(24).fill(1.5));
      expect(out.data[0]).toBe(-1);
      out.data.fill(NaN, 2, 26);
      gemm(a, b, out, { alpha: 1, beta: 0 });
      expect(Array.from(out.data.subarray(2, 26))).toEqual(new Array(24).fill(0));
    }
  });

  it('M = 0, N = 0 and B = 0 leave out untouched', () => {
    const rand = rng(3);
    for (const [nb, m, k, n] of [
      [1, 0, 5, 4],
      [1, 4, 5, 0],
      [0, 4, 5, 4],
    ]) {
      const a = makeOperand('f32', nb, m, k, {}, rand);
      const b = makeOperand('f32', nb, k, n, {}, rand);
      const out = makeOut('f32', nb, m, n, 0, () => 7);
      gemm(a, b, out, { alpha: 1, beta: 0 });
      expect(Array.from(out.data).every((v) => v === 7)).toBe(true);
    }
  });

  it('size-1 dims everywhere', () => {
    for (const kind of KINDS) {
      for (const [m, k, n] of [
        [1, 1, 1],
        [1, 1, 300],
        [300, 1, 1],
        [1, 300, 1],
        [300, 1, 300],
        [1, 5000, 1],
      ]) {
        check({ kind, nb: 2, m, k, n, beta: 1 });
      }
    }
  });

  it('rejects mismatched shapes', () => {
    const rand = rng(4);
    const a = makeOperand('f32', 1, 2, 3, {}, rand);
    const b = makeOperand('f32', 1, 4, 2, {}, rand);
    const out = makeOut('f32', 1, 2, 2, 0, () => 0);
    expect(() => gemm(a, b, out, { alpha: 1, beta: 0 })).toThrow(RangeError);
  });

  it('rejects views that reach outside their data', () => {
    const rand = rng(5);
    const a = makeOperand('f32', 1, 2, 3, {}, rand);
    const b = makeOperand('f32', 1, 3, 2, {}, rand);
    const out = makeOut('f32', 1, 2, 2, 0, () => 0);
    const tooFar: View = { ...b, offset: b.data.length - 2 };
    expect(() => gemm(a, tooFar, out, { alpha: 1, beta: 0 })).toThrow(RangeError);
    const shortOut: View = { ...out, data: new Float32Array(3) };
    expect(() => gemm(a, b, shortOut, { alpha: 1, beta: 0 })).toThrow(RangeError);
  });
});

describeEachBackend('gemm: integers', () => {
  const cases: Case[] = [];
  for (const kind of ['i32', 'i64'] as const) {
    for (const [m, k, n] of [
      [3, 4, 5],
      [33, 65, 17],
      [1, 257, 31],
      [129, 130, 2],
    ] as const) {
      cases.push({ kind, nb: 2, m, k, n });
      cases.push({ kind, nb: 2, m, k, n, ta: true, tb: true, bcastB: true, offA: 2, offOut: 3 });
      cases.push({ kind, nb: 2, m, k, n, alpha: 2, beta: 3 });
      cases.push({ kind, nb: 2, m, k, n, beta: 0, nanOut: true });
    }
  }
  for (const c of cases) it(describeCase(c), () => check(c));

  it('int32 overflow wraps like PyTorch', () => {
    // torch.mm(torch.full((2,2),70000,dtype=torch.int32), same) == 1210065408 everywhere.
    const a: View = { data: new Int32Array(4).fill(70000), shape: [1, 2, 2], strides: [4, 2, 1], offset: 0 };
    const out: View = { data: new Int32Array(4), shape: [1, 2, 2], strides: [4, 2, 1], offset: 0 };
    gemm(a, a, out, { alpha: 1, beta: 0 });
    expect(Array.from(out.data)).toEqual([1210065408, 1210065408, 1210065408, 1210065408]);
  });

  it('int64 in a Float64Array is exact past 2^32 through the float kernel', () => {
    const m = 40, k = 300, n = 40; // large enough for the packed path
    const a = new Float64Array(m * k).map((_, i) => 1e6 + i);
    const b = new Float64Array(k * n).map((_, i) => 3e6 - i);
    const out = new Float64Array(m * n);
    gemm(
      { data: a, shape: [1, m, k], strides: [m * k, k, 1], offset: 0 },
      { data: b, shape: [1, k, n], strides: [k * n, n, 1], offset: 0 },
      { data: out, shape: [1, m, n], strides: [m * n, n, 1], offset: 0 },
      { alpha: 1, beta: 0 },
    );
    for (const [i, j] of [
      [0, 0],
      [17, 23],
      [39, 39],
    ]) {
      let s = 0n;
      for (let p = 0; p < k; p++) s += BigInt(a[i * k + p]) * BigInt(b[p * n + j]);
      expect(BigInt(out[i * n + j])).toBe(s);
    }
  });
});
