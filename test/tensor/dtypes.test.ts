// int8, uint8 and int16 dtypes and the float16/bfloat16 storage dtypes against PyTorch 1.13
// (tools/fixtures/gen_dtypes.py): promotion, wrap-around integer arithmetic, casts and their bit
// patterns, float16/bfloat16 arithmetic bit for bit, printing, type names and limits.
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { decode, expectError, loadFixture } from '../helpers/fixtures.js';

type Enc = { dtype: torch.DType; shape: number[]; data: unknown[]; bits?: number[] };
type Outcome = { result?: Enc; error?: { type: string; message: string } };
type OpCase = Outcome & { dtype: torch.DType; op: string; a?: Enc; b?: Enc; w?: Enc; float32Once?: Enc };

const fx = loadFixture('dtypes');

/** A fixture tensor: float16/bfloat16 from their bit patterns (exact), others from their values. */
function tensorOf(e: Enc): torch.Tensor {
  if (e.bits !== undefined) {
    const t = torch.zeros(e.bits.length, { dtype: e.dtype });
    (t.storage.data as Uint16Array).set(e.bits);
    return t.reshape(e.shape);
  }
  return torch.tensor(decode(e.data) as number[], { dtype: e.dtype }).reshape(e.shape);
}

/** The stored bit patterns of a float16/bfloat16 tensor, row-major. */
function bitsOf(t: torch.Tensor): number[] {
  const c = t.contiguous();
  return Array.from(c.storage.data.subarray(c.offset, c.offset + c.numel()));
}

/** Asserts `t` is exactly the fixture tensor: dtype, shape, values (NaN as NaN, -0 as -0) and bit patterns. */
function expectExact(t: torch.Tensor, e: Enc, what: string): void {
  expect(t.dtype, `${what} dtype`).toBe(e.dtype);
  expect(t.shape, `${what} shape`).toEqual(e.shape);
  if (e.bits !== undefined) {
    // NaN patterns: PyTorch's differ by code path (0x7fc0 or 0xffff for bfloat16); any NaN matches
    const isNaNBits = (b: number): boolean => (e.dtype === 'float16' ? (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0 : (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0);
    const got = bitsOf(t).map((b, i) => (isNaNBits(b) && isNaNBits(e.bits![i]!) ? e.bits![i]! : b));
    expect(got, `${what} bits`).toEqual(e.bits);
    return;
  }
  const want = decode(e.data) as number[];
  const got = Array.from(t.dataSync(), Number);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${want[i]}`);
  }
}

/** Asserts `t` is the fixture tensor within one unit in the last place of its dtype (float32, float16 or bfloat16). */
function expectWithinUlp(t: torch.Tensor, e: Enc, what: string): void {
  expect(t.dtype, `${what} dtype`).toBe(e.dtype);
  expect(t.shape, `${what} shape`).toEqual(e.shape);
  const mant = { float32: 23, float16: 10, bfloat16: 7 }[e.dtype as 'float32'];
  const want = decode(e.data) as number[];
  const got = Array.from(t.dataSync());
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (!Number.isFinite(w)) {
      expect(got[i], `${what}[${i}]`).toBe(w);
      continue;
    }
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(w) || 2 ** -126)) - mant);
    if (!(Math.abs(got[i]! - w) <= ulp)) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${w} within 1 ulp (${ulp})`);
  }
}

describe('type promotion', () => {
  it("promoteTypes gives PyTorch's table for every pair of dtypes", () => {
    const { dtypes, table } = fx.promotion as { dtypes: torch.DType[]; table: torch.DType[][] };
    expect(dtypes.length).toBe(10);
    dtypes.forEach((a, i) => dtypes.forEach((b, j) => expect(torch.promoteTypes(a, b), `${a} with ${b}`).toBe(table[i]![j])));
  });

  it("mixes of tensors, 0-d tensors and JS scalars take PyTorch's result type", () => {
    for (const c of fx.resultTypes as { a: any; b: any; dtype: string }[]) {
      const arg = (s: any): torch.Tensor | number | boolean => ('scalar' in s ? s.scalar : torch.tensor(s.data, { dtype: s.dtype }));
      const a = arg(c.a);
      const b = arg(c.b);
      expect(torch.add(a, b).dtype, JSON.stringify(c)).toBe(c.dtype);
    }
  });
});

/** Runs a fixture op in torchlet. */
function run(op: string, a: torch.Tensor, b: torch.Tensor): torch.Tensor {
  const ops: Record<string, () => torch.Tensor> = {
    add: () => a.add(b),
    sub: () => a.sub(b),
    mul: () => a.mul(b),
    div: () => a.div(b),
    floor_divide: () => a.div(b, { roundingMode: 'floor' }),
    trunc_divide: () => a.div(b, { roundingMode: 'trunc' }),
    remainder: () => torch.remainder(a, b),
    fmod: () => torch.fmod(a, b),
    neg: () => a.neg(),
    abs: () => a.abs(),
    add_scalar: () => (a.isFloatingPoint() ? a.add(0.1) : a.add(1000)),
    mul_scalar: () => a.mul(3),
    sub_rscalar: () => torch.sub(1, a),
    rsub_scalar: () => torch.sub(1, a),
    add_float: () => a.add(0.5),
    add_alpha: () => a.add(b, { alpha: 0.3 }),
    sum: () => a.sum(),
    sum_dim: () => a.sum(1),
    mean: () => a.mean(),
    mean_dim: () => a.mean(0),
    prod: () => (a.dim() === 1 ? a.narrow(0, 0, 3).prod() : a.prod()),
    max: () => a.max(),
    min: () => a.min(),
    min_dim: () => a.min(1).values,
    argmax: () => a.argmax(),
    cumsum: () => a.cumsum(a.dim() - 1),
    maximum: () => torch.maximum(a, b),
    lt: () => a.lt(b),
    eq: () => (a.dim() === 1 ? a.eq(b) : a.eq(a)),
    sign: () => a.sign(),
    square: () => a.mul(a),
    pow2: () => a.pow(2),
    matmul: () => (a.dim() === 1 ? a.reshape(2, 4).matmul(b.reshape(4, 2)) : a.matmul(b.t())),
    bmm: () => torch.bmm(a.reshape(2, 2, 5), b.reshape(2, 5, 2)),
    mv: () => a.matmul(b.select(0, 0)),
    linear: () => torch.nn.functional.linear(a, b, b.select(0, 0).narrow(0, 0, 4)),
    exp: () => a.exp(),
    log: () => a.abs().log(),
    sqrt: () => a.abs().sqrt(),
    tanh: () => a.tanh(),
    sigmoid: () => a.sigmoid(),
    sin: () => a.sin(),
    relu: () => a.relu(),
    floor: () => a.floor(),
    round: () => a.round(),
    softmax: () => a.softmax(1),
    log_softmax: () => a.logSoftmax(1),
    sort: () => a.sort(a.dim() - 1).values,
    clamp: () => (a.isFloatingPoint() ? a.clamp(-1, 1) : a.clamp(0, 100)),
    where: () => torch.where(a.gt(b), a, b),
    cat: () => torch.cat([a, b]),
    index_select: () => a.indexSelect(1, torch.tensor([4, 0])),
    transpose_contiguous: () => a.t().contiguous(),
    layer_norm: () => torch.nn.functional.layerNorm(a, [5]),
    mse_loss: () => torch.nn.functional.mseLoss(a, b),
  };
  const f = ops[op];
  if (!f) throw new Error(`no runner for ${op}`);
  return f();
}

describe('int8, uint8 and int16 arithmetic (wrap-around as PyTorch CPU)', () => {
  const { inputs, cases } = fx.intArith as { inputs: Record<string, { a: Enc; b: Enc }>; cases: OpCase[] };
  for (const c of cases) {
    it(`${c.dtype} ${c.op}${c.a ? ' by zero' : ''}`, () => {
      const a = tensorOf(c.a ?? inputs[c.dtype]!.a);
      const b = tensorOf(c.b ?? inputs[c.dtype]!.b);
      if (c.error) expectError(() => run(c.op, a, b), c.error);
      // float32 exp is within an ulp of PyTorch's vectorised exp (not yet bit for bit)
      else if (c.op === 'exp') expectWithinUlp(run(c.op, a, b), c.result!, c.op);
      else expectExact(run(c.op, a, b), c.result!, c.op);
    });
  }
});

describe('casts', () => {
  for (const c of fx.casts as { from: Enc; to: torch.DType; result: Enc }[]) {
    it(`${c.from.dtype} -> ${c.to} (${c.from.data.slice(0, 3).join(', ')}, ...)`, () => {
      expectExact(tensorOf(c.from).to(c.to), c.result, `${c.from.dtype} -> ${c.to}`);
    });
  }

  it('half(), bfloat16(), short(), char() and byte() are the casts to those dtypes', () => {
    const x = torch.tensor([0.1, -200.7, 40000]);
    for (const [m, d] of [['half', 'float16'], ['bfloat16', 'bfloat16'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8']] as const) {
      expect(x[m]().dtype).toBe(d);
      expect(x[m]().tolist()).toEqual(x.to(d).tolist());
    }
  });
});

describe('float16 and bfloat16 arithmetic (float32 compute, one rounding per op)', () => {
  const { inputs, cases } = fx.reducedArith as { inputs: Record<string, { a: Enc; b: Enc }>; cases: OpCase[] };
  // PyTorch 1.13's CPU refuses these for float16 (e.g. "exp_vml_cpu" not implemented for 'Half');
  // torchlet computes them as it does for bfloat16, so they are checked against bfloat16 only.
  const refusedByPyTorch = cases.filter((c) => c.error !== undefined).map((c) => `${c.dtype} ${c.op}`);
  it('PyTorch refuses float16 transcendental, softmax, cumsum and matmul ops on the CPU (recorded)', () => {
    expect(refusedByPyTorch).toContain('float16 exp');
    expect(refusedByPyTorch).toContain('float16 matmul');
  });
  // fused layers refuse float16/bfloat16 in torchlet with PyTorch's "not implemented" wording
  const fused = new Set(['layer_norm', 'mse_loss']);
  // PyTorch's bfloat16 bmm and mv round each partial sum to bfloat16 and its log_softmax rounds
  // x - max: torchlet rounds once per op, giving PyTorch's float32 result rounded once
  const roundsInside = new Set(['bmm', 'mv', 'log_softmax']);
  for (const c of cases) {
    if (c.op === 'grad_square') {
      it(`${c.dtype} gradient of sum(w * w)`, () => {
        const w = tensorOf(c.w!).requiresGrad_();
        w.mul(w).sum().backward();
        expectExact(w.grad!, c.result!, 'grad');
      });
      continue;
    }
    if (c.error !== undefined) continue;
    it(`${c.dtype} ${c.op}`, () => {
      const a = tensorOf(inputs[c.dtype]!.a);
      const b = tensorOf(inputs[c.dtype]!.b);
      if (fused.has(c.op)) {
        expect(() => run(c.op, a, b)).toThrow(`not implemented for '${c.dtype === 'float16' ? 'Half' : 'BFloat16'}'`);
        return;
      }
      expectExact(run(c.op, a, b), roundsInside.has(c.op) ? c.float32Once! : c.result!, c.op);
    });
  }
});

describe('printing, type names and element sizes', () => {
  for (const c of fx.printing as { tensor: Enc; str: string; type: string; elementSize: number; requiresGrad?: boolean }[]) {
    it(c.str.length > 60 ? `${c.str.slice(0, 60)}...` : c.str, () => {
      const t = tensorOf(c.tensor);
      if (c.requiresGrad) t.requiresGrad_();
      expect(String(t)).toBe(c.str);
      expect(t.type()).toBe(c.type);
      expect(t.elementSize()).toBe(c.elementSize);
    });
  }
});

describe('iinfo and finfo', () => {
  const { iinfo, finfo, errors } = fx.limits;
  it("give PyTorch's limits", () => {
    for (const [d, v] of Object.entries(iinfo as Record<string, object>)) expect(torch.iinfo(d as torch.DType)).toEqual({ ...v, dtype: d });
    for (const [d, v] of Object.entries(finfo as Record<string, object>)) expect(torch.finfo(d as torch.DType)).toEqual({ ...v, dtype: d });
  });
  it("refuse the other kind of dtype with PyTorch's errors", () => {
    expectError(() => torch.iinfo('float32'), errors.iinfo_float32);
    expectError(() => torch.iinfo('bool'), errors.iinfo_bool);
    expectError(() => torch.finfo('int8'), errors.finfo_int8);
  });
});

describe('uint8 masks (deprecated in PyTorch, still accepted)', () => {
  const f = fx.uint8Masks;
  it("index, assign and masked_fill like a bool mask, with PyTorch's warnings", () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const x = tensorOf(f.x);
      const m = tensorOf(f.mask);
      expectExact(x.index(m), f.get, 'x[m]');
      expectExact(x.index(tensorOf(f.rows)), f.getRows, 'x[rows]');
      const put = x.clone();
      put.setIndex_([m], 9);
      expectExact(put, f.put, 'x[m] = 9');
      expectExact(x.maskedFill(m, -1), f.filled, 'masked_fill');
      const said = spy.mock.calls.map((c) => String(c[0]).replace(/^UserWarning: /, ''));
      for (const w of f.warnings as string[]) expect(said).toContain(w);
    } finally {
      spy.mockRestore();
    }
  });
});
