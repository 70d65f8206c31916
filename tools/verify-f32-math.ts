/**
 * Measures how often torchlet's float32 exp, log, log1p, expm1, sin, cos, tanh, sigmoid, erf and
 * rsqrt differ from PyTorch 1.13's CPU results (/usr/bin/python3), before and after the SLEEF
 * replicas (src/backends/js/kernels/sleef-f32.ts):
 *
 * - before: the previous kernel, the float64 Math function (torchlet's erf series for erf,
 *   1 / (1 + e^-x) or e^x / (1 + e^x) for sigmoid, 1 / sqrt for rsqrt) rounded once to float32;
 * - after: torchlet's `x.<fn>()` on the same contiguous float32 tensor.
 *
 * Inputs per function: `--n` values (default 10 million), a quarter from each of the categories
 * of tools/fixtures/gen_f32_math.py (random bit patterns, random exponents in a range, uniform
 * in a range), drawn with its generator under other salts. Rates are reported per category and
 * in total; NaN results match any NaN.
 *
 * Run: node --import tsx tools/verify-f32-math.ts [--n 10000000] [--fn sin,cos]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../src/index.js';
import { erfScalar } from '../src/backends/js/kernels/elementwise.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : dflt;
};
const n = Number(opt('n', '10000000'));
const only = opt('fn', '').split(',').filter((s) => s !== '');

const BEFORE: Record<string, (v: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
  erf: erfScalar,
  rsqrt: (v) => 1 / Math.sqrt(v),
};
/** torchlet's `x.<name>()`. */
const after = (name: string, x: torch.Tensor): torch.Tensor => (x as unknown as Record<string, () => torch.Tensor>)[name]!.call(x);

// PyTorch side: the inputs (gen_f32_math.py's categories under salts 50000 + ...) and torch.<fn>.
const PY = `
import sys, json, numpy as np, torch
sys.path.insert(0, 'tools/fixtures')
from gen_f32_math import FUNCS, category
torch.set_num_threads(1)
n, out, names = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(',')
meta = {}
for fi, name in enumerate(names):
    cats = FUNCS[name]['cats']
    sizes = [n // len(cats)] * len(cats)
    sizes[-1] += n - sum(sizes)
    x = np.concatenate([category(dict(c, n=k), 50000 + 1000 * fi + 10 * ci) for ci, (c, k) in enumerate(zip(cats, sizes))])
    y = getattr(torch, name)(torch.from_numpy(x)).numpy()
    x.tofile(f'{out}/{name}.x'); y.tofile(f'{out}/{name}.y')
    meta[name] = [dict(c, n=k) for c, k in zip(cats, sizes)]
print(json.dumps(meta))
`;

const names = only.length > 0 ? only : Object.keys(BEFORE);
const dir = mkdtempSync(join(tmpdir(), 'f32math-'));
try {
  const res = spawnSync('/usr/bin/python3', ['-c', PY, String(n), dir, names.join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`/usr/bin/python3 with torch failed: ${res.stderr}`);
  const meta = JSON.parse(res.stdout) as Record<string, { kind: string; n: number; lo?: number; hi?: number; emin?: number; emax?: number }[]>;
  console.log(`PyTorch 1.13 (/usr/bin/python3), ${n} float32 inputs per function, contiguous`);
  console.log('function   category                      before        after');
  for (const name of names) {
    const read = (ext: string): Float32Array => {
      const b = readFileSync(join(dir, `${name}.${ext}`));
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    const x = read('x');
    const want = read('y');
    const before = new Float32Array(x.length);
    const f = BEFORE[name]!;
    for (let i = 0; i < x.length; i++) before[i] = f(x[i]!);
    const t0 = performance.now();
    const mine = after(name, torch.tensor(x)).dataSync() as Float32Array;
    const ms = performance.now() - t0;
    const wb = new Uint32Array(want.buffer, want.byteOffset, want.length);
    const bb = new Uint32Array(before.buffer);
    const ab = new Uint32Array(mine.buffer, mine.byteOffset, mine.length);
    let at = 0;
    let totB = 0;
    let totA = 0;
    const rows: string[] = [];
    for (const c of meta[name]!) {
      let mb = 0;
      let ma = 0;
      for (let i = at; i < at + c.n; i++) {
        const nan = want[i] !== want[i];
        if (nan ? before[i] === before[i] : bb[i] !== wb[i]) mb++;
        if (nan ? mine[i] === mine[i] : ab[i] !== wb[i]) ma++;
      }
      at += c.n;
      totB += mb;
      totA += ma;
      const label = c.kind === 'bits' ? 'bits' : c.kind === 'wide' ? `wide 2^[${c.emin}, ${c.emax}]` : `range [${c.lo}, ${c.hi}]`;
      rows.push(`${name.padEnd(10)} ${label.padEnd(26)} ${pct(mb, c.n)} ${pct(ma, c.n)}`);
    }
    for (const r of rows) console.log(r);
    console.log(`${name.padEnd(10)} ${'all'.padEnd(26)} ${pct(totB, x.length)} ${pct(totA, x.length)}   (torchlet: ${(ms / x.length * 1e6).toFixed(0)} ns/element)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function pct(k: number, total: number): string {
  return `${(k / total * 100).toFixed(4).padStart(8)}% ${String(k).padStart(8)}`.padEnd(12);
}
