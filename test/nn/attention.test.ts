/**
 * Attention against PyTorch 1.13 (tools/fixtures/gen_attention.py -> fixtures/attention.json):
 * nn.MultiheadAttention (masks of each kind, kdim/vdim, batchFirst, unbatched, bias_k/v, zero
 * attention, dropout draws, the eval fast path), F.multiHeadAttentionForward with static k/v,
 * F.scaledDotProductAttention (2.0 semantics, checked against 1.13's private math path),
 * nn.TransformerEncoderLayer / TransformerEncoder (including the eval nested-tensor result), seeded
 * init, reprs, exact errors, float64 gradcheck, and an LSTM -> attention -> Linear model trained
 * with Adam.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

const { nn, optim } = torch;
const F = nn.functional;
type Tensor = torch.Tensor;
type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Opts = Record<string, any>;

interface MhaCase {
  name: string; options: Opts; kind: 'self' | 'kv' | 'separate'; unbatched: boolean; train: boolean; seed: number | null; fast: boolean;
  embedDim: number; numHeads: number; stateDict: Record<string, Enc>; query: Enc; key: Enc; value: Enc; forwardOptions: Opts;
  masks: Record<string, Enc>; out: Enc; weights: Enc | null; w?: Enc; ww?: Enc;
  grads?: { query: Enc; key: Enc | null; value: Enc | null }; paramGrads?: Record<string, Enc | null>;
}
interface LayerCase {
  name: string; options: Opts; activation: string | null; unbatched: boolean; train: boolean; seed: number | null; dModel: number; nhead: number;
  repr: string; stateDict: Record<string, Enc>; src: Enc; masks: Record<string, Enc>; out: Enc; w: Enc; grad: Enc; paramGrads: Record<string, Enc | null>;
}
interface EncoderCase {
  name: string; layerOptions: Opts; options: Opts; withNorm: boolean; train: boolean; seed: number | null; noGrad: boolean; nhead: number;
  stateDict: Record<string, Enc>; src: Enc; masks: Record<string, Enc>; out: Enc; w?: Enc; grad?: Enc; paramGrads?: Record<string, Enc | null>;
}
interface ErrorCase {
  name: string; kind: string; args: number[]; options: Opts; inputs: ([number[], torch.DType] | 'same')[] | null;
  forward: Record<string, [number[], torch.DType]>; error: { type: string; message: string };
}
const fx = loadFixture<{
  torch: string;
  cases: MhaCase[];
  functional: { name: string; inputs: Record<string, Enc>; keyPaddingMask: Enc; out: Enc; weights: Enc; w: Enc; ww: Enc; grads: Record<string, Enc | null> }[];
  sdpa: { name: string; query: Enc; key: Enc; value: Enc; attnMask: Enc | null; dropoutP: number; isCausal: boolean; seed: number | null; out: Enc; w: Enc; grads: Enc[] }[];
  layers: LayerCase[];
  fastpath: { name: string; stateDict: Record<string, Enc>; src: Enc; masks: Record<string, Enc>; out: Enc }[];
  encoders: EncoderCase[];
  seeded: { seed: number; kind: string; args: number[]; options: Opts; stateDict: Record<string, Enc>; after: Enc }[];
  reprs: { kind: string; args: number[]; options: Opts; repr: string; stateDictKeys: string[] }[];
  errors: ErrorCase[];
  sdpaErrors: { name: string; error: { type: string; message: string } }[];
  train: {
    x: Enc; mask: Enc; y: Enc; initStateDict: Record<string, Enc>; losses: number[]; finalStateDict: Record<string, Enc>;
    finalLogits: Enc; finalWeights: Enc;
  };
}>('attention');

/** A fixture mask as a tensor (uint8 masks are stored as plain numbers). */
function maskOf(e: Enc): Tensor {
  if (e.dtype === ('uint8' as torch.DType)) return torch.tensor(e.data as number[], { dtype: 'uint8' }).reshape(e.shape);
  return fromFixture(e);
}

function loadInto(m: torch.nn.Module, sd: Record<string, Enc>): void {
  const own = m.stateDict();
  expect(Object.keys(own)).toEqual(Object.keys(sd));
  const t: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) t[k] = fromFixture(v);
  m.loadStateDict(t);
}

function tol(dtype: torch.DType): [number, number] {
  return dtype === 'float64' ? [1e-10, 1e-9] : [3e-5, 3e-4];
}

/** Options with the test's own activation values (functions and modules cannot be stored). */
function activationOf(a: string | null | undefined): Opts {
  if (a === null || a === undefined) return {};
  const act = { relu: 'relu', gelu: 'gelu', 'tanh fn': torch.tanh, 'GELU tanh module': new nn.GELU({ approximate: 'tanh' }), 'GELU module': new nn.GELU() }[a];
  return { activation: act };
}

describe(`nn.MultiheadAttention matches torch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const m = new nn.MultiheadAttention(c.embedDim, c.numHeads, c.options);
      const dtype = c.query.dtype;
      if (dtype === 'float64') m.double();
      loadInto(m, c.stateDict);
      m.train(c.train);
      const grad = c.grads !== undefined;
      const q = fromFixture(c.query, grad);
      const k = c.kind === 'self' ? q : fromFixture(c.key, grad);
      const v = c.kind === 'separate' ? fromFixture(c.value, grad) : k;
      const opts: Opts = { ...c.forwardOptions };
      for (const [name, e] of Object.entries(c.masks)) opts[name] = maskOf(e);
      if (c.seed !== null) torch.manualSeed(c.seed);
      const [out, weights] = m.forward(q, k, v, opts);
      const [atol, rtol] = tol(dtype);
      expect(out.dtype).toBe(dtype);
      expectClose(out, c.out, atol, rtol);
      if (c.weights === null) expect(weights).toBeNull();
      else expectClose(weights!, c.weights, atol, rtol);
      if (!grad) return;
      let loss = out.mul(fromFixture(c.w!)).sum();
      if (weights) loss = loss.add(weights.mul(fromFixture(c.ww!)).sum());
      loss.backward();
      expectClose(q.grad!, c.grads!.query, atol, rtol);
      if (c.grads!.key) expectClose(k.grad!, c.grads!.key, atol, rtol);
      if (c.grads!.value) expectClose(v.grad!, c.grads!.value, atol, rtol);
      for (const [name, p] of m.namedParameters()) {
        const g = c.paramGrads![name];
        if (g === null || g === undefined) expect(p.grad, name).toBeNull();
        else expectClose(p.grad!, g, atol, rtol);
      }
    });
  }

  it('keeps PyTorch-named parameters and hyper-parameters', () => {
    const m = new nn.MultiheadAttention(6, 3, { kdim: 5, vdim: 7, addBiasKv: true, dropout: 0.2, batchFirst: true });
    expect([m.embedDim, m.kdim, m.vdim, m.numHeads, m.headDim, m.dropout, m.batchFirst, m._qkvSameEmbedDim, m.addZeroAttn]).toEqual([
      6, 5, 7, 3, 2, 0.2, true, false, false,
    ]);
    expect(m.in_proj_weight).toBeNull();
    expect(m.k_proj_weight!.shape).toEqual([6, 5]);
    expect(m.v_proj_weight!.shape).toEqual([6, 7]);
    expect(m.bias_k!.shape).toEqual([1, 1, 6]);
    expect(m.out_proj).toBeInstanceOf(nn.Linear);
    expect(m.out_proj).toBeInstanceOf(nn.NonDynamicallyQuantizableLinear);
    const p = new nn.MultiheadAttention(4, 2);
    expect(p.bias_k).toBeNull();
    expect(p.q_proj_weight).toBeNull();
    expect(p.in_proj_weight!.shape).toEqual([12, 4]);
    expect(new nn.MultiheadAttention(4, 2, { dtype: 'float64' }).in_proj_weight!.dtype).toBe('float64');
  });
});

describe('F.multiHeadAttentionForward matches torch', () => {
  for (const c of fx.functional) {
    it(c.name, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = fromFixture(v, true);
      const [out, weights] = F.multiHeadAttentionForward(t.query!, t.key!, t.value!, 6, 3, null, t.inProjBias!, null, null, false, 0, t.outProjWeight!, t.outProjBias!, {
        keyPaddingMask: fromFixture(c.keyPaddingMask),
        useSeparateProjWeight: true,
        qProjWeight: t.qProjWeight!,
        kProjWeight: t.kProjWeight!,
        vProjWeight: t.vProjWeight!,
        staticK: t.staticK ?? null,
        staticV: t.staticV ?? null,
      });
      expectClose(out, c.out, 3e-5, 3e-4);
      expectClose(weights!, c.weights, 3e-5, 3e-4);
      out.mul(fromFixture(c.w)).sum().add(weights!.mul(fromFixture(c.ww)).sum()).backward();
      for (const [k, g] of Object.entries(c.grads)) {
        if (g === null) expect(t[k]!.grad, k).toBeNull();
        else expectClose(t[k]!.grad!, g, 3e-5, 3e-4);
      }
    });
  }
});

describe('F.scaledDotProductAttention (PyTorch 2.0 semantics) matches torch', () => {
  for (const c of fx.sdpa) {
    it(c.name, () => {
      const [q, k, v] = [fromFixture(c.query, true), fromFixture(c.key, true), fromFixture(c.value, true)];
      if (c.seed !== null) torch.manualSeed(c.seed);
      const out = F.scaledDotProductAttention(q, k, v, { attnMask: c.attnMask ? fromFixture(c.attnMask) : null, dropoutP: c.dropoutP, isCausal: c.isCausal });
      const [atol, rtol] = tol(c.query.dtype);
      expectClose(out, c.out, atol, rtol);
      out.mul(fromFixture(c.w)).sum().backward();
      [q, k, v].forEach((t, i) => expectClose(t.grad!, c.grads[i]!, atol, rtol));
    });
  }
  for (const c of fx.sdpaErrors) {
    it(`error: ${c.name}`, () => {
      const x = torch.zeros(2, 3, 4);
      expectError(() => F.scaledDotProductAttention(x, x, x, { attnMask: torch.ones([3, 3], { dtype: 'bool' }), isCausal: true }), c.error);
    });
  }
});

describe('nn.TransformerEncoderLayer matches torch', () => {
  for (const c of fx.layers) {
    it(c.name, () => {
      const m = new nn.TransformerEncoderLayer(c.dModel, c.nhead, { ...c.options, ...activationOf(c.activation) });
      expect(String(m)).toBe(c.repr);
      const dtype = c.src.dtype;
      if (dtype === 'float64') m.double();
      loadInto(m, c.stateDict);
      m.train(c.train);
      const x = fromFixture(c.src, true);
      const opts: Opts = {};
      for (const [name, e] of Object.entries(c.masks)) opts[name] = fromFixture(e);
      if (c.seed !== null) torch.manualSeed(c.seed);
      const out = m.forward(x, opts);
      const [atol, rtol] = tol(dtype);
      expectClose(out, c.out, atol, rtol);
      out.mul(fromFixture(c.w)).sum().backward();
      expectClose(x.grad!, c.grad, atol, rtol);
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.paramGrads[name]!, atol, rtol);
    });
  }

  for (const c of fx.fastpath) {
    it(`PyTorch's eval fast path (_transformer_encoder_layer_fwd) gives the general path's numbers: ${c.name}`, () => {
      const m = new nn.TransformerEncoderLayer(6, 2, { dimFeedforward: 10, batchFirst: true });
      loadInto(m, c.stateDict);
      m.eval();
      const opts: Opts = {};
      for (const [name, e] of Object.entries(c.masks)) opts[name] = fromFixture(e);
      expectClose(torch.noGrad(() => m.forward(fromFixture(c.src), opts)), c.out, 3e-5, 3e-4);
    });
  }

  it('calls its submodules, so their hooks run', () => {
    const layer = new nn.TransformerEncoderLayer(6, 3, { dimFeedforward: 8, activation: new nn.GELU() });
    const enc = new nn.TransformerEncoder(layer, 2);
    const seen: string[] = [];
    for (const [name, m] of enc.namedModules()) {
      if (name.endsWith('self_attn') || name.endsWith('activation') || /^layers\.\d$/.test(name)) {
        m.registerForwardHook((_m, _in, out) => {
          seen.push(`${name} ${Array.isArray(out) ? 'pair' : 'tensor'}`);
        });
      }
    }
    enc(torch.zeros(4, 2, 6));
    expect(seen).toEqual([
      'layers.0.self_attn pair',
      'layers.0.activation tensor',
      'layers.0 tensor',
      'layers.1.self_attn pair',
      'layers.1.activation tensor',
      'layers.1 tensor',
    ]);
  });

  it("keeps PyTorch's activation bookkeeping", () => {
    expect(new nn.TransformerEncoderLayer(6, 3).activationReluOrGelu).toBe(1);
    expect(new nn.TransformerEncoderLayer(6, 3, { activation: 'gelu' }).activationReluOrGelu).toBe(2);
    expect(new nn.TransformerEncoderLayer(6, 3, { activation: F.gelu }).activationReluOrGelu).toBe(2);
    expect(new nn.TransformerEncoderLayer(6, 3, { activation: new nn.ReLU() }).activationReluOrGelu).toBe(1);
    expect(new nn.TransformerEncoderLayer(6, 3, { activation: torch.tanh }).activationReluOrGelu).toBe(0);
    const withModule = new nn.TransformerEncoderLayer(6, 3, { activation: new nn.GELU() });
    expect(withModule.children().at(-1)).toBeInstanceOf(nn.GELU);
    expect(new nn.TransformerEncoderLayer(6, 3).children().length).toBe(8);
  });
});

describe('nn.TransformerEncoder matches torch', () => {
  for (const c of fx.encoders) {
    it(c.name, () => {
      const layer = new nn.TransformerEncoderLayer(6, c.nhead, c.layerOptions);
      const m = new nn.TransformerEncoder(layer, 2, { ...c.options, norm: c.withNorm ? new nn.LayerNorm(6) : null });
      loadInto(m, c.stateDict);
      m.train(c.train);
      const x = fromFixture(c.src, !c.noGrad);
      const opts: Opts = {};
      for (const [name, e] of Object.entries(c.masks)) opts[name] = fromFixture(e);
      if (c.seed !== null) torch.manualSeed(c.seed);
      if (c.noGrad) {
        expectClose(torch.noGrad(() => m.forward(x, opts)), c.out, 3e-5, 3e-4);
        return;
      }
      const out = m.forward(x, opts);
      expectClose(out, c.out, 3e-5, 3e-4);
      out.mul(fromFixture(c.w!)).sum().backward();
      expectClose(x.grad!, c.grad!, 3e-5, 3e-4);
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.paramGrads![name]!, 3e-5, 3e-4);
    });
  }

  it('layers are deep copies: equal values, distinct parameters, same options and mode', () => {
    const layer = new nn.TransformerEncoderLayer(6, 3, { dimFeedforward: 8, activation: new nn.GELU(), normFirst: true });
    layer.eval();
    const enc = new nn.TransformerEncoder(layer, 2);
    expect(enc.layers.length).toBe(2);
    const [a, b] = [enc.layers.get(0) as torch.nn.TransformerEncoderLayer, enc.layers.get(1) as torch.nn.TransformerEncoderLayer];
    expect(a).toBeInstanceOf(nn.TransformerEncoderLayer);
    expect(a).not.toBe(layer);
    expect(a).not.toBe(b);
    expect(a.training).toBe(false);
    expect(a.normFirst).toBe(true);
    expect(a.activation).toBeInstanceOf(nn.GELU);
    expect(a.activation).not.toBe(layer.activation);
    expect(a.self_attn).not.toBe(layer.self_attn);
    const src = layer.namedParameters();
    for (const l of [a, b]) {
      const ps = l.namedParameters();
      expect(ps.map(([n]) => n)).toEqual(src.map(([n]) => n));
      ps.forEach(([, p], i) => {
        const o = src[i]![1];
        expect(p).not.toBe(o);
        expect(p).toBeInstanceOf(nn.Parameter);
        expect(p.requiresGrad).toBe(true);
        expectClose(p, o, 0, 0);
      });
    }
    // changing one copy leaves the others alone
    torch.noGrad(() => a.linear1.weight.fill_(1));
    expect(b.linear1.weight.dataSync()[0]).not.toBe(1);
    expect(String(enc.layers.get(0))).toBe(String(layer));
  });
});

describe('seeded init and printing match torch', () => {
  for (const s of fx.seeded) {
    it(`torch.manualSeed(${s.seed}); new nn.${s.kind}(${s.args.join(', ')}, ${JSON.stringify(s.options)}) draws PyTorch's values`, () => {
      torch.manualSeed(s.seed);
      const m =
        s.kind === 'MultiheadAttention'
          ? new nn.MultiheadAttention(s.args[0]!, s.args[1]!, s.options)
          : s.kind === 'TransformerEncoderLayer'
            ? new nn.TransformerEncoderLayer(s.args[0]!, s.args[1]!, s.options)
            : new nn.TransformerEncoder(new nn.TransformerEncoderLayer(s.args[0]!, s.args[1]!, s.options), 3, { norm: new nn.LayerNorm(6) });
      const after = torch.randn(3);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(s.stateDict));
      for (const [k, v] of Object.entries(s.stateDict)) expectClose(sd[k]!, v, 0, 0);
      expectClose(after, s.after, 0, 0);
    });
  }
  for (const r of fx.reprs) {
    it(`String(new nn.${r.kind}(${r.args.join(', ')}, ${JSON.stringify(r.options)}))`, () => {
      const opts = { ...r.options, ...activationOf(r.options.activation) };
      const m =
        r.kind === 'MultiheadAttention'
          ? new nn.MultiheadAttention(r.args[0]!, r.args[1]!, opts)
          : r.kind === 'TransformerEncoderLayer'
            ? new nn.TransformerEncoderLayer(r.args[0]!, r.args[1]!, opts)
            : new nn.TransformerEncoder(new nn.TransformerEncoderLayer(r.args[0]!, r.args[1]!, opts), 2, { norm: new nn.LayerNorm(6) });
      expect(String(m)).toBe(r.repr);
      expect(Object.keys(m.stateDict())).toEqual(r.stateDictKeys);
    });
  }
});

describe('errors match torch', () => {
  for (const c of fx.errors) {
    it(c.name, () => {
      const call = (): void => {
        const m =
          c.kind === 'MultiheadAttention'
            ? new nn.MultiheadAttention(c.args[0]!, c.args[1]!, c.options)
            : new nn.TransformerEncoderLayer(c.args[0]!, c.args[1]!, c.options);
        if (c.inputs === null) return;
        const ts: Tensor[] = [];
        for (const s of c.inputs) ts.push(s === 'same' ? ts[0]! : torch.zeros(s[0], { dtype: s[1] }));
        const opts: Opts = {};
        for (const [k, [shape, dtype]] of Object.entries(c.forward)) opts[k] = torch.zeros(shape, { dtype });
        if (m instanceof nn.MultiheadAttention) m.forward(ts[0]!, ts[1]!, ts[2]!, opts);
        else m.forward(ts[0]!, opts);
      };
      expectError(call, c.error);
    });
  }

  it('rejects bad arguments from untyped callers', () => {
    expect(() => new nn.MultiheadAttention(6, 0)).toThrow(torch.ValueError);
    expect(() => new nn.MultiheadAttention(6, 1.5)).toThrow(TypeError);
    expect(() => new nn.MultiheadAttention(6, 3, { foo: 1 } as Opts)).toThrow(TypeError);
    expect(() => new nn.TransformerEncoderLayer(6, 3, { activation: 3 as unknown as 'relu' })).toThrow(TypeError);
    expect(() => new nn.TransformerEncoder({} as torch.nn.Module, 2)).toThrow(TypeError);
    const m = new nn.MultiheadAttention(6, 3);
    const x = torch.zeros(4, 2, 6);
    expect(() => m.forward(x, x, x, { attnMask: [[true]] as unknown as Tensor })).toThrow(TypeError);
  });

  it('dropout is validated when it is applied, as in PyTorch', () => {
    const m = new nn.MultiheadAttention(6, 3, { dropout: 1.5 });
    const x = torch.zeros(4, 2, 6);
    m.eval();
    expect(m.forward(x, x, x)[0].shape).toEqual([4, 2, 6]);
    m.train();
    expect(() => m.forward(x, x, x)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });
});

describe('gradcheck (float64)', () => {
  const d = { dtype: 'float64' as const };
  it('MultiheadAttention with kdim/vdim, bias_k/v, zero attention and merged masks', () => {
    torch.manualSeed(1);
    const m = new nn.MultiheadAttention(6, 3, { kdim: 5, vdim: 7, addBiasKv: true, addZeroAttn: true, dtype: 'float64' });
    for (const p of m.parameters()) torch.noGrad(() => p.copy_(torch.randn(p.shape, d).mul(0.5)));
    const q = torch.randn([3, 2, 6], { ...d, requiresGrad: true });
    const k = torch.randn([4, 2, 5], { ...d, requiresGrad: true });
    const v = torch.randn([4, 2, 7], { ...d, requiresGrad: true });
    const attnMask = torch.randn([3, 4], d);
    const kpm = torch.tensor([[false, false, true, false], [false, true, false, false]]);
    const params = m.parameters();
    const fn = (...xs: Tensor[]): Tensor[] => {
      const [out, w] = m.forward(xs[0]!, xs[1]!, xs[2]!, { attnMask, keyPaddingMask: kpm, averageAttnWeights: false });
      return [out, w!];
    };
    expect(gradcheck(fn, [q, k, v, ...params])).toBe(true);
  });

  it('MultiheadAttention self-attention with a bool 3-D mask, batchFirst', () => {
    torch.manualSeed(2);
    const m = new nn.MultiheadAttention(4, 2, { batchFirst: true, dtype: 'float64' });
    for (const p of m.parameters()) torch.noGrad(() => p.copy_(torch.randn(p.shape, d).mul(0.5)));
    const x = torch.randn([2, 3, 4], { ...d, requiresGrad: true });
    const attnMask = torch.tensor([[[false, true, false], [false, false, true], [true, false, false]]]).expand([4, 3, 3]).contiguous();
    expect(gradcheck((a) => m.forward(a!, a!, a!, { attnMask })[0], [x])).toBe(true);
  });

  it('scaledDotProductAttention, causal', () => {
    torch.manualSeed(3);
    const r = (...s: number[]): Tensor => torch.randn(s, { ...d, requiresGrad: true });
    expect(gradcheck((q, k, v) => F.scaledDotProductAttention(q!, k!, v!, { isCausal: true }), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)])).toBe(true);
  });

  for (const normFirst of [false, true]) {
    it(`TransformerEncoderLayer (normFirst ${normFirst}, gelu, masks)`, () => {
      torch.manualSeed(4);
      const m = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: 'gelu', normFirst, dtype: 'float64' });
      for (const p of m.parameters()) torch.noGrad(() => p.copy_(torch.randn(p.shape, d).mul(0.5)));
      const x = torch.randn([3, 2, 4], { ...d, requiresGrad: true });
      const srcMask = torch.randn([3, 3], d);
      const kpm = torch.tensor([[false, false, true], [false, false, false]]);
      expect(gradcheck((a, ...ps) => (void ps, m.forward(a!, { srcMask, srcKeyPaddingMask: kpm })), [x, ...m.parameters()])).toBe(true);
    });
  }
});

describe('an LSTM with attention over its outputs trains as in PyTorch', () => {
  class AttnLSTM extends nn.Module {
    lstm = new nn.LSTM(5, 6, { batchFirst: true });
    attn = new nn.MultiheadAttention(6, 3, { dropout: 0.1, batchFirst: true });
    fc = new nn.Linear(6, 3);

    override forward(x: Tensor, mask: Tensor): [Tensor, Tensor] {
      const [h] = this.lstm(x);
      const [a, w] = this.attn(h, h, h, { keyPaddingMask: mask });
      const keep = mask.logicalNot().unsqueeze(-1).float();
      const pooled = a.mul(keep).sum(1).div(keep.sum(1));
      return [this.fc(pooled), w!];
    }
  }

  it('same init, losses over 3 Adam steps, final weights and attention', () => {
    const t = fx.train;
    torch.manualSeed(5);
    const model = new AttnLSTM();
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(t.initStateDict));
    for (const [k, v] of Object.entries(t.initStateDict)) expectClose(sd[k]!, v, 0, 0);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const [x, mask, y] = [fromFixture(t.x), fromFixture(t.mask), fromFixture(t.y)];
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const [logits] = model(x, mask);
      const loss = F.crossEntropy(logits, y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    losses.forEach((l, i) => expect(Math.abs(l - t.losses[i]!)).toBeLessThan(1e-5));
    const final = model.stateDict();
    for (const [k, v] of Object.entries(t.finalStateDict)) {
      if (k !== 'attn.in_proj_bias') {
        expectClose(final[k]!, v, 1e-5, 1e-4);
        continue;
      }
      // The key bias cancels in the softmax: its gradient is 0 up to rounding, which Adam turns into
      // steps of about lr in either direction. Only the query and value parts are comparable.
      const [bq, bk, bv] = final[k]!.chunk(3);
      const [eq, , ev] = fromFixture(v).chunk(3);
      expectClose(bq!, eq!, 1e-5, 1e-4);
      expectClose(bv!, ev!, 1e-5, 1e-4);
      expect(bk!.abs().max().item()).toBeLessThan(3 * 0.01 + 1e-6);
    }
    model.eval();
    const [logits, w] = torch.noGrad(() => model(x, mask));
    expectClose(logits, t.finalLogits, 1e-5, 1e-4);
    expectClose(w, t.finalWeights, 1e-5, 1e-4);
  });
});
