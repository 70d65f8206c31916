/**
 * The order of equal keys in sort (stable=false), topk, kthvalue, median, nanmedian and mode,
 * against PyTorch's CPU indices (test/fixtures/sort_ties.json, tools/fixtures/gen_sort_ties.py).
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { loadFixture } from '../helpers/fixtures.js';

type Dt = 'float32' | 'float64' | 'int64';
type Input =
  | { dtype: Dt; rows: number; n: number; seed: number; keys: number; pattern: string; nan: number }
  | { dtype: Dt; rows: number; n: number; values: number[] };
interface Args {
  descending?: boolean;
  stable?: boolean;
  k?: number;
  largest?: boolean;
  sorted?: boolean;
}
interface Case {
  op: 'sort' | 'topk' | 'kthvalue' | 'median' | 'nanmedian' | 'mode';
  input: Input;
  args: Args;
}

const fx = loadFixture<{ torch: string; count: number; indices: string; cases: Case[] }>('sort_ties');

// Mirrors FLOAT_VALUES, INT_VALUES and NAN in gen_sort_ties.py.
const FLOAT_VALUES = [1, 0, -2, -0, Infinity, -Infinity];
const INT_VALUES = [1, 0, -2, 0, 5, -7];
const NAN = -1;

/** xorshift32, as in gen_sort_ties.py. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** The codes of a generated input (mirrors generated_codes in gen_sort_ties.py). */
function generatedCodes(n: number, rows: number, seed: number, keys: number, pattern: string, nan: number): number[] {
  const draw = xorshift32(seed);
  const out: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let i = 0; i < n; i++) {
      const r = draw();
      if (nan && (r >>> 8) % nan === 0) {
        out.push(NAN);
        continue;
      }
      const u = (r >>> 16) % (4 * keys);
      const c = {
        random: () => u % keys,
        skew: () => (u < keys ? u : 0),
        ascending: () => Math.floor((i * keys) / n),
        descending: () => keys - 1 - Math.floor((i * keys) / n),
        sawtooth: () => i % keys,
        organ: () => (2 * i < n ? Math.floor((2 * i * keys) / n) : Math.floor((2 * (n - 1 - i) * keys) / n)),
      }[pattern];
      if (c === undefined) throw new Error(`unknown pattern ${pattern}`);
      out.push(c());
    }
  }
  return out;
}

function inputValues(inp: Input): number[] {
  if ('values' in inp) return inp.values;
  const codes = generatedCodes(inp.n, inp.rows, inp.seed, inp.keys, inp.pattern, inp.nan);
  const table = inp.dtype === 'int64' ? INT_VALUES : FLOAT_VALUES;
  return codes.map((c) => (c === NAN ? NaN : table[c]!));
}

/** The torchlet call a case describes (mirrors `call` in gen_sort_ties.py). */
function call(op: Case['op'], x: torch.Tensor, a: Args): { values: torch.Tensor; indices: torch.Tensor } {
  switch (op) {
    case 'sort':
      return torch.sort(x, -1, a.descending ?? false, a.stable === undefined ? {} : { stable: a.stable });
    case 'topk':
      return torch.topk(x, a.k!, -1, a.largest!, a.sorted!);
    case 'kthvalue':
      return torch.kthvalue(x, a.k!, -1);
    case 'median':
      return torch.median(x, -1);
    case 'nanmedian':
      return torch.nanmedian(x, -1);
    case 'mode':
      return torch.mode(x, -1);
  }
}

/** Indices per output row: n for sort, k for topk, 1 for the reductions. */
function perRow(c: Case): number {
  return c.op === 'sort' ? c.input.n : c.op === 'topk' ? c.args.k! : 1;
}

function nameOf(c: Case): string {
  const i = c.input;
  const what = 'values' in i ? 'listed (adversary)' : `${i.pattern} keys ${i.keys}${i.nan ? ` nan 1/${i.nan}` : ''} seed ${i.seed}`;
  const args = Object.entries(c.args)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${c.op} ${i.dtype} [${i.rows}, ${i.n}] ${what} ${args}`.trimEnd();
}

const bytes = inflateSync(Buffer.from(fx.indices, 'base64'));
const expected = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

describe(`the order of equal keys matches PyTorch ${fx.torch}`, () => {
  it('the fixture decodes to one index per output element', () => {
    expect(expected.length).toBe(fx.count);
    expect(fx.cases.reduce((s, c) => s + c.input.rows * perRow(c), 0)).toBe(fx.count);
  });

  let offset = 0;
  for (const c of fx.cases) {
    const start = offset;
    const { rows, n } = c.input;
    const m = perRow(c);
    offset += rows * m;
    it(nameOf(c), () => {
      const xs = inputValues(c.input);
      const x = torch.tensor(xs, { dtype: c.input.dtype }).reshape([rows, n]);
      const r = call(c.op, x, c.args);
      const want = Array.from(expected.subarray(start, start + rows * m));
      expect(Array.from(r.indices.dataSync(), Number)).toEqual(want);
      // The values are the input's at PyTorch's indices (NaN and the sign of zero included).
      const got = Array.from(r.values.dataSync(), Number);
      want.forEach((p, j) => {
        const row = Math.floor(j / m);
        expect(Object.is(got[j], xs[row * n + p]), `value ${j}: got ${got[j]}, expected ${xs[row * n + p]}`).toBe(true);
      });
    });
  }
});
