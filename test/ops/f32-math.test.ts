/**
 * float32 exp, log, log1p, expm1, sin, cos, tanh, sigmoid, erf and rsqrt bit for bit against
 * PyTorch 1.13's CPU (AVX2) results (test/fixtures/f32_math.json, tools/fixtures/gen_f32_math.py):
 * special values, random bit patterns and ranges, contiguous and in the layouts whose loops
 * change PyTorch's bits (0-d tensors, short tensors, transposed, strided, row-gapped, permuted
 * and expanded views).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { loadFixture } from '../helpers/fixtures.js';

type Category =
  | { kind: 'bits'; n: number }
  | { kind: 'wide'; n: number; emin: number; emax: number }
  | { kind: 'range'; n: number; lo: number; hi: number };
interface Result {
  count: number;
  hashes: string;
  sample: string;
}
interface Fn {
  specials: string[];
  categories: Category[];
  salt: number;
  results: Record<string, Result>;
}
const fx = loadFixture<{ torch: string; block: number; permStep: number; functions: Record<string, Fn> }>('f32_math');

/** Mirrors `mix` in gen_f32_math.py: lowbias32 of a counter. */
function mix(i: number, salt: number): number {
  let x = (Math.imul(i, 0x9e3779b1) + Math.imul(salt, 0x7f4a7c15) + 0x632be5ab) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The function's input stream: its special values, then each category (gen_f32_math.py). */
function stream(f: Fn): Float32Array {
  const bits: number[] = f.specials.map((h) => parseInt(h, 16));
  const values = new Float32Array(bits.length + f.categories.reduce((s, c) => s + c.n, 0));
  const u32 = new Uint32Array(values.buffer);
  u32.set(bits);
  let at = bits.length;
  f.categories.forEach((c, ci) => {
    const salt = f.salt + 10 * ci;
    for (let i = 0; i < c.n; i++, at++) {
      const h1 = mix(i, salt);
      if (c.kind === 'bits') u32[at] = h1;
      else if (c.kind === 'wide') {
        const e = (mix(i, salt + 1) % (c.emax - c.emin + 1)) + c.emin + 127;
        u32[at] = ((h1 & 0x807fffff) | (e << 23)) >>> 0;
      } else values[at] = c.lo + (c.hi - c.lo) * (h1 / 4294967296);
    }
  });
  return values;
}

/** The layouts of gen_f32_math.py's `layouts`, as torchlet tensors. */
function layouts(s: Float32Array): [string, torch.Tensor[]][] {
  const n = s.length;
  const mixed = new Float32Array(n);
  for (let j = 0; j < n; j++) mixed[j] = s[(j * fx.permStep) % n]!;
  const t = (a: Float32Array): torch.Tensor => torch.tensor(a);
  const short: torch.Tensor[] = [];
  for (let len = 1, at = 0; len <= 20; at += len, len++) short.push(t(mixed.subarray(at, at + len)));
  return [
    ['contiguous', [t(s)]],
    ['mixed', [t(mixed)]],
    ['scalars', Array.from({ length: 64 }, (_, j) => t(mixed.subarray(j, j + 1)).reshape([]))],
    ['short', short],
    ['transposed', [t(mixed.subarray(0, 37 * 53)).reshape([37, 53]).t()]],
    ['step2', [t(mixed.subarray(0, 2002)).index('::2')]],
    ['rows', [t(mixed.subarray(0, 40 * 45)).reshape([40, 45]).index(':', '0:37')]],
    ['permuted', [t(mixed.subarray(0, 210)).reshape([5, 6, 7]).permute(2, 0, 1)]],
    ['expanded', [t(mixed.subarray(0, 37)).reshape([37, 1]).expand(37, 19)]],
  ];
}

const hex = (b: number): string => b.toString(16).padStart(8, '0');
const OPS: Record<string, (x: torch.Tensor) => torch.Tensor> = {
  exp: (x) => torch.exp(x),
  log: (x) => torch.log(x),
  log1p: (x) => torch.log1p(x),
  expm1: (x) => torch.expm1(x),
  sin: (x) => torch.sin(x),
  cos: (x) => torch.cos(x),
  tanh: (x) => torch.tanh(x),
  sigmoid: (x) => torch.sigmoid(x),
  erf: (x) => torch.erf(x),
  rsqrt: (x) => torch.rsqrt(x),
};

describe('float32 math bit for bit against PyTorch 1.13 (AVX2)', () => {
  it('covers every function of the fixture', () => {
    expect(Object.keys(fx.functions).sort()).toEqual(Object.keys(OPS).sort());
  });
  for (const [name, f] of Object.entries(fx.functions)) {
    describe(name, () => {
      const s = stream(f);
      for (const [layout, inputs] of layouts(s)) {
        it(layout, () => {
          const expected = f.results[layout]!;
          const ys = inputs.map((x) => {
            expect(x.dtype).toBe('float32');
            const y = OPS[name]!(x);
            expect(y.shape).toEqual(x.shape);
            return y.dataSync() as Float32Array;
          });
          const out = new Float32Array(ys.reduce((k, y) => k + y.length, 0));
          const xs = new Float32Array(out.length);
          let at = 0;
          for (let k = 0; k < ys.length; k++) {
            out.set(ys[k]!, at);
            xs.set(inputs[k]!.dataSync() as Float32Array, at);
            at += ys[k]!.length;
          }
          expect(out.length).toBe(expected.count);
          const bits = new Uint32Array(out.buffer);
          for (let i = 0; i < out.length; i++) if (out[i] !== out[i]) bits[i] = 0x7fc00000;
          // the first results, value by value
          const want = new Uint32Array(new Uint8Array(Buffer.from(expected.sample, 'base64')).buffer);
          const xb = new Uint32Array(xs.buffer);
          for (let i = 0; i < want.length; i++) {
            if (bits[i] !== want[i]) {
              expect.fail(`${name} ${layout} [${i}]: x = ${xs[i]} (${hex(xb[i]!)}) gives ${hex(bits[i]!)}, PyTorch ${hex(want[i]!)}`);
            }
          }
          // every result, by blocks
          const bytes = new Uint8Array(bits.buffer);
          const bad: string[] = [];
          for (let b = 0; b * fx.block < out.length; b++) {
            const chunk = bytes.subarray(4 * b * fx.block, 4 * Math.min(out.length, (b + 1) * fx.block));
            const h = createHash('sha256').update(chunk).digest('hex').slice(0, 8);
            if (h !== expected.hashes.slice(8 * b, 8 * b + 8)) {
              const lo = b * fx.block;
              bad.push(`block ${b} (results ${lo}..${Math.min(out.length, lo + fx.block) - 1}, first x = ${xs[lo]})`);
            }
          }
          expect(bad, `${name} ${layout}: results differ from PyTorch's in`).toEqual([]);
        });
      }
    });
  }
});
