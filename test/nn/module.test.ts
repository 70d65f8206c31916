/**
 * nn.Module against PyTorch 1.13: registration order (class fields, assignments, integer-like
 * names), state dict keys and traversal of nested models, printing, load_state_dict, conversion,
 * and the container APIs.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { decodeDict, type Enc } from './helpers.js';

const fx = loadFixture<{
  reprs: { name: string; expected: string }[];
  structures: Record<string, any>[];
  loadCases: any[];
  params: { name: string; data: Enc; requiresGrad: boolean; expected: string }[];
}>('nn');

/** PyTorch's `Net` from gen_nn.py, mixing class fields, assignments and register* calls. */
class Net extends nn.Module {
  scale = new nn.Parameter(torch.ones(1));
  seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.LayerNorm(4));
  declare step: torch.Tensor;
  heads: nn.ModuleDict;
  declare tmp: torch.Tensor;
  emb: nn.Embedding;
  noneChild: nn.Module | null = null;
  declare unused: nn.Parameter | null;

  constructor() {
    super();
    this.registerBuffer('step', torch.zeros(1));
    this.heads = new nn.ModuleDict(new Map<string, nn.Module>([['b', new nn.Linear(4, 2)], ['a', new nn.BatchNorm1d(4)]]));
    this.registerBuffer('tmp', torch.zeros(1), { persistent: false });
    this.emb = new nn.Embedding(5, 3, { paddingIdx: 0 });
    this.registerParameter('unused', null);
  }
}

/** Integer-like names keep insertion order: via addModule ... */
class Digits extends nn.Module {
  constructor() {
    super();
    for (const k of ['10', '2', '0', 'b', '1a']) this.addModule(k, new nn.Linear(1, 1));
  }
}

/** ... via class fields ... */
class DigitsFields extends nn.Module {
  '10' = new nn.Linear(1, 1);
  '2' = new nn.Linear(1, 1);
  '0' = new nn.Linear(1, 1);
  b = new nn.Linear(1, 1);
  '1a' = new nn.Linear(1, 1);
}

/** ... and via `this[k] = ...` assignments. */
class DigitsAssign extends nn.Module {
  constructor() {
    super();
    const self = this as unknown as Record<string, nn.Module>;
    for (const k of ['10', '2', '0', 'b', '1a']) self[k] = new nn.Linear(1, 1);
  }
}

function shared(): nn.Module {
  const l = new nn.Linear(2, 2);
  return new nn.Sequential(l, new nn.ReLU(), l);
}

const STRUCTURES: Record<string, () => nn.Module> = { Net: () => new Net(), Digits: () => new Digits(), Shared: shared };

const REPRS: Record<string, () => nn.Module> = {
  Linear: () => new nn.Linear(3, 2),
  'Linear no bias': () => new nn.Linear(3, 2, { bias: false }),
  Bilinear: () => new nn.Bilinear(3, 4, 5),
  Embedding: () => new nn.Embedding(10, 3),
  'Embedding options': () => new nn.Embedding(10, 3, { paddingIdx: -1, maxNorm: 1.0, normType: 1.0, scaleGradByFreq: true }),
  Dropout: () => new nn.Dropout(0.3),
  'Dropout inplace': () => new nn.Dropout(0.3, { inplace: true }),
  LayerNorm: () => new nn.LayerNorm(10),
  'LayerNorm 2 dims': () => new nn.LayerNorm([2, 3], { eps: 1e-3, elementwiseAffine: false }),
  BatchNorm1d: () => new nn.BatchNorm1d(4),
  'BatchNorm1d options': () => new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
  ReLU: () => new nn.ReLU(),
  'ReLU inplace': () => new nn.ReLU({ inplace: true }),
  LeakyReLU: () => new nn.LeakyReLU(),
  'LeakyReLU options': () => new nn.LeakyReLU(0.2, { inplace: true }),
  GELU: () => new nn.GELU(),
  'GELU tanh': () => new nn.GELU({ approximate: 'tanh' }),
  Tanh: () => new nn.Tanh(),
  Sigmoid: () => new nn.Sigmoid(),
  Softmax: () => new nn.Softmax({ dim: 1 }),
  'Softmax None': () => new nn.Softmax(),
  LogSoftmax: () => new nn.LogSoftmax(-1),
  Identity: () => new nn.Identity(),
  Flatten: () => new nn.Flatten(),
  'Flatten 0 2': () => new nn.Flatten(0, 2),
  ELU: () => new nn.ELU(),
  'ELU options': () => new nn.ELU(0.5, { inplace: true }),
  Softplus: () => new nn.Softplus(),
  'Softplus beta': () => new nn.Softplus(0.5, 10),
  Sequential: () => new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU()),
  'Sequential empty': () => new nn.Sequential(),
  'Sequential named': () => new nn.Sequential(new Map<string, nn.Module>([['fc', new nn.Linear(3, 2)], ['act', new nn.Tanh()]])),
  ModuleList: () => new nn.ModuleList([new nn.ReLU(), new nn.Linear(2, 2)]),
  'ModuleList empty': () => new nn.ModuleList(),
  ModuleDict: () => new nn.ModuleDict({ b: new nn.ReLU(), a: new nn.Sequential(new nn.Linear(2, 3), new nn.Dropout(0.1)) }),
  'Module empty': () => new nn.Module(),
  Net: () => new Net(),
  Digits: () => new Digits(),
};

const LOAD_MODELS: Record<string, () => nn.Module> = {
  'Linear(3, 3)': () => new nn.Linear(3, 3),
  'Linear(2, 2)': () => new nn.Linear(2, 2),
  Seq: () => new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.BatchNorm1d(2)),
};

describe('printing matches PyTorch', () => {
  for (const r of fx.reprs) {
    it(r.name, () => {
      const f = REPRS[r.name];
      expect(f, r.name).toBeDefined();
      expect(String(f!())).toBe(r.expected);
    });
  }
  it('class-field and assignment variants print like Digits', () => {
    const expected = fx.reprs.find((r) => r.name === 'Digits')!.expected.replace('Digits(', '');
    expect(String(new DigitsFields()).replace('DigitsFields(', '')).toBe(expected);
    expect(String(new DigitsAssign()).replace('DigitsAssign(', '')).toBe(expected);
  });
  for (const p of fx.params) {
    it(`Parameter ${p.name}`, () => {
      const t = fromFixture(p.data);
      const param = p.name === 'empty' ? new nn.Parameter() : new nn.Parameter(t, p.requiresGrad);
      expect(String(param)).toBe(p.expected);
    });
  }
});

describe('structure matches PyTorch (state dict keys, traversal)', () => {
  for (const s of fx.structures) {
    it(s.name, () => {
      const m = STRUCTURES[s.name]!();
      expect(Object.keys(m.stateDict())).toEqual(s.stateDictKeys);
      expect(m.namedParameters().map(([n]) => n)).toEqual(s.namedParameters);
      expect(m.namedBuffers().map(([n]) => n)).toEqual(s.namedBuffers);
      expect(m.namedModules().map(([n]) => n)).toEqual(s.namedModules);
      expect(m.namedChildren().map(([n]) => n)).toEqual(s.namedChildren);
      expect(m.namedParameters({ recurse: false }).map(([n]) => n)).toEqual(s.parametersNoRecurse);
      expect(m.parameters().reduce((a, p) => a + p.numel(), 0)).toBe(s.numParameters);
    });
  }
  it('Digits variants register in assignment order', () => {
    const keys = fx.structures.find((s) => s.name === 'Digits')!.stateDictKeys;
    expect(Object.keys(new DigitsFields().stateDict())).toEqual(keys);
    expect(Object.keys(new DigitsAssign().stateDict())).toEqual(keys);
  });
});

describe('loadStateDict matches PyTorch', () => {
  for (const c of fx.loadCases) {
    it(c.name, () => {
      const m = LOAD_MODELS[c.model]!();
      const sd = decodeDict(c.stateDict);
      if (c.error) {
        expect(() => m.loadStateDict(sd, { strict: c.strict })).toThrow(c.error.message);
        try {
          m.loadStateDict(sd, { strict: c.strict });
        } catch (e) {
          expect((e as Error).name).toBe(c.error.type);
          expect((e as Error).message).toBe(c.error.message);
        }
        return;
      }
      const r = m.loadStateDict(sd, { strict: c.strict });
      expect(r).toEqual({ missingKeys: c.missingKeys, unexpectedKeys: c.unexpectedKeys });
      const after = m.stateDict();
      for (const k of Object.keys(c.stateDict)) {
        if (!(k in c.after)) continue;
        expect(after[k]!.dtype).toBe(c.after[k].dtype);
        expectClose(after[k]!, c.after[k], 0, 0);
      }
    });
  }

  it('round-trips a state dict and keeps parameter identity', () => {
    const a = new Net();
    const b = new Net();
    const w = b.seq.get(0) as nn.Linear;
    const weight = w.weight;
    b.loadStateDict(a.stateDict());
    expect(w.weight).toBe(weight);
    const sa = a.stateDict();
    const sb = b.stateDict();
    for (const k of Object.keys(sa)) expectClose(sb[k]!, sa[k]!, 0, 0);
  });

  it('version 2 metadata makes num_batches_tracked required for BatchNorm', () => {
    const bn = new nn.BatchNorm1d(2);
    const sd = bn.stateDict();
    delete sd.num_batches_tracked;
    expect(() => bn.loadStateDict(sd)).toThrow('Missing key(s) in state_dict: "num_batches_tracked". ');
    // a copy without metadata is treated as an old checkpoint (PyTorch parity)
    expect(bn.loadStateDict({ ...sd })).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });
});

describe('registration', () => {
  it('class fields and assignments register parameters, buffers and modules', () => {
    const n = new Net();
    expect(n._parameters.get('scale')).toBe(n.scale);
    expect(n._modules.get('seq')).toBe(n.seq);
    expect(n._buffers.get('step')).toBe(n.step);
    expect(n._parameters.has('unused')).toBe(true);
    expect(n.unused).toBeNull();
    expect(n._modules.has('noneChild')).toBe(false);
  });

  it('reassigning keeps the position; null unregisters from the state dict', () => {
    const l = new nn.Linear(2, 2);
    const p = new nn.Parameter(torch.zeros(2, 2));
    l.weight = p;
    expect(Object.keys(l.stateDict())).toEqual(['weight', 'bias']);
    expect(l.stateDict().weight!.storage).toBe(p.storage);
    (l as any).bias = null;
    expect(Object.keys(l.stateDict())).toEqual(['weight']);
    expect(l.parameters()).toEqual([p]);
  });

  it('a Parameter assigned over a buffer or module moves category', () => {
    const m = new nn.Module() as any;
    m.registerBuffer('x', torch.zeros(1));
    m.x = new nn.Parameter(torch.ones(1));
    expect(m.namedBuffers()).toEqual([]);
    expect(m.namedParameters().map(([n]: [string]) => n)).toEqual(['x']);
    // PyTorch parity: a registered parameter name accepts only a Parameter or null
    expect(() => (m.x = new nn.ReLU())).toThrow("as parameter 'x' (torch.nn.Parameter or None expected)");
    m.registerBuffer('y', torch.zeros(1));
    m.y = new nn.ReLU();
    expect(m.namedBuffers()).toEqual([]);
    expect(m.namedChildren().map(([n]: [string]) => n)).toEqual(['y']);
  });

  it('delete unregisters', () => {
    const l = new nn.Linear(2, 2) as any;
    delete l.bias;
    expect(Object.keys(l.stateDict())).toEqual(['weight']);
    expect(l.bias).toBeUndefined();
  });

  it('a plain tensor attribute is not a buffer; buffers are replaced by assignment', () => {
    const m = new nn.Module() as any;
    m.plain = torch.zeros(2);
    expect(m.stateDict()).toEqual({});
    m.registerBuffer('buf', torch.zeros(2));
    const t = torch.ones(2);
    m.buf = t;
    expect(m.stateDict().buf.storage).toBe(t.storage);
  });

  it('a field without initializer does not erase a base-class registration', () => {
    class Base extends nn.Module {
      constructor() {
        super();
        this.registerParameter('w', new nn.Parameter(torch.ones(1)));
      }
    }
    class Derived extends Base {
      w!: nn.Parameter;
    }
    const d = new Derived();
    expect(d.w).toBeInstanceOf(nn.Parameter);
    expect(Object.keys(d.stateDict())).toEqual(['w']);
  });

  it('private fields, accessors and methods of subclasses work through the proxy', () => {
    class Scaled extends nn.Module {
      #factor = 2;
      inner = new nn.Linear(2, 2);
      get factor(): number {
        return this.#factor;
      }
      set factor(v: number) {
        this.#factor = v;
      }
      override forward(x: torch.Tensor): torch.Tensor {
        return this.inner.forward(x).mul(this.#factor);
      }
    }
    const m = new Scaled();
    m.factor = 3;
    expect(m.factor).toBe(3);
    expect(Object.keys(m.stateDict())).toEqual(['inner.weight', 'inner.bias']);
    const x = torch.ones(1, 2);
    expectClose(m.forward(x), m.inner.forward(x).mul(3));
  });

  it('internal fields are not enumerable; instanceof works through the proxy', () => {
    const l = new nn.Linear(2, 3);
    expect(Object.keys(l)).not.toContain('_parameters');
    expect(Object.keys(l)).not.toContain('training');
    expect(l).toBeInstanceOf(nn.Linear);
    expect(l).toBeInstanceOf(nn.Module);
  });
});

describe('Module API', () => {
  it('train / eval propagate to children', () => {
    const n = new Net();
    n.eval();
    expect(n.modules().every((m) => !m.training)).toBe(true);
    n.train();
    expect(n.modules().every((m) => m.training)).toBe(true);
  });

  it('zeroGrad sets grads to null by default, or zeroes them', () => {
    const l = new nn.Linear(2, 2);
    l.forward(torch.ones(1, 2)).sum().backward();
    expect(l.weight.grad).not.toBeNull();
    l.zeroGrad({ setToNone: false });
    expect(Array.from(l.weight.grad!.dataSync())).toEqual([0, 0, 0, 0]);
    l.zeroGrad();
    expect(l.weight.grad).toBeNull();
    expect(l.bias!.grad).toBeNull();
  });

  it('requiresGrad_ toggles every parameter', () => {
    const n = new Net().requiresGrad_(false);
    expect(n.parameters().some((p) => p.requiresGrad)).toBe(false);
  });

  it('to / double / float convert floating tensors and keep Parameter identity', () => {
    const n = new Net();
    const p = n.scale;
    n.scale.grad = torch.ones(1);
    n.double();
    expect(n.scale).toBe(p);
    expect(p.dtype).toBe('float64');
    expect(p.grad!.dtype).toBe('float64');
    expect((n.heads.get('a') as nn.BatchNorm1d).running_mean!.dtype).toBe('float64');
    expect((n.heads.get('a') as nn.BatchNorm1d).num_batches_tracked!.dtype).toBe('int64');
    expect(n.step.dtype).toBe('float64');
    expect(n.stateDict().step!.dtype).toBe('float64');
    const y = n.seq.forward(torch.randn(2, 3, { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
    n.to('float32');
    expect(p.dtype).toBe('float32');
    expect(n.to('cpu')).toBe(n);
    expect(n.float()).toBe(n);
  });

  it('apply visits children first, then the module', () => {
    const seen: string[] = [];
    new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU()).apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Sequential']);
  });

  it('getSubmodule / getParameter', () => {
    const n = new Net();
    expect(n.getSubmodule('seq.0')).toBe(n.seq.get(0));
    expect(n.getSubmodule('')).toBe(n);
    expect(n.getParameter('heads.b.bias')).toBe((n.heads.get('b') as nn.Linear).bias);
  });

  it('stateDict detaches (shared storage) unless keepVars; hidden _metadata', () => {
    const l = new nn.Linear(2, 2);
    const sd = l.stateDict();
    expect(sd.weight).not.toBe(l.weight);
    expect(sd.weight!.storage).toBe(l.weight.storage);
    expect(sd.weight!.requiresGrad).toBe(false);
    expect(l.stateDict({ keepVars: true }).weight).toBe(l.weight);
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    expect((sd as any)._metadata).toEqual({ '': { version: 1 } });
    expect(Object.keys(l.stateDict({ prefix: 'fc.' }))).toEqual(['fc.weight', 'fc.bias']);
  });

  it('parameters of a shared module appear once', () => {
    expect(shared().parameters().length).toBe(2);
  });
});

describe('Parameter', () => {
  it('shares storage, is a leaf that requires grad, and is a Tensor', () => {
    const t = torch.ones(2, 3);
    const p = new nn.Parameter(t);
    expect(p.storage).toBe(t.storage);
    expect(p).toBeInstanceOf(torch.Tensor);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(new nn.Parameter(t, false).requiresGrad).toBe(false);
    expect(p.shape).toEqual([2, 3]);
  });
});

describe('containers', () => {
  it('Sequential: get, negative index, length, iteration, append, insert, extend, delete, slice, set', () => {
    const a = new nn.ReLU();
    const b = new nn.Tanh();
    const c = new nn.Sigmoid();
    const s = new nn.Sequential(a, b);
    expect(s.length).toBe(2);
    expect(s.get(-1)).toBe(b);
    expect([...s]).toEqual([a, b]);
    s.append(c);
    expect(s.get(2)).toBe(c);
    const d = new nn.Identity();
    s.insert(1, d);
    expect([...s]).toEqual([a, d, b, c]);
    expect([...s._modules.keys()]).toEqual(['0', '1', '2', '3']);
    s.delete(0);
    expect([...s]).toEqual([d, b, c]);
    expect([...s._modules.keys()]).toEqual(['0', '1', '2']);
    expect((s as any)['2']).toBe(c);
    expect((s as any)['3']).toBeUndefined();
    const sl = s.slice(1);
    expect(sl).toBeInstanceOf(nn.Sequential);
    expect([...sl._modules.keys()]).toEqual(['1', '2']);
    s.set(0, a);
    expect(s.get(0)).toBe(a);
    s.extend([new nn.ReLU()]);
    expect(s.length).toBe(4);
    expect(s.pop(-1)).toBeInstanceOf(nn.ReLU);
    expect(s.concat(new nn.Sequential(a)).length).toBe(4);
  });

  it('ModuleList: registers, indexes and renumbers', () => {
    const l = new nn.ModuleList([new nn.Linear(1, 2), new nn.Linear(2, 3)]);
    expect(Object.keys(l.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    l.insert(0, new nn.ReLU());
    expect(l.get(1)).toBeInstanceOf(nn.Linear);
    l.delete(0);
    expect(Object.keys(l.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(l.slice(-1).length).toBe(1);
    expect([...l].length).toBe(2);
  });

  it('ModuleDict: mapping API in insertion order', () => {
    const d = new nn.ModuleDict([['z', new nn.ReLU()], ['10', new nn.Tanh()], ['2', new nn.Sigmoid()]]);
    expect(d.keys()).toEqual(['z', '10', '2']);
    expect([...d]).toEqual(['z', '10', '2']);
    expect(d.has('10')).toBe(true);
    d.set('a', new nn.Identity());
    expect(d.length).toBe(4);
    expect(d.pop('z')).toBeInstanceOf(nn.ReLU);
    expect(d.keys()).toEqual(['10', '2', 'a']);
    expect(d.items().map(([k]) => k)).toEqual(['10', '2', 'a']);
    d.clear();
    expect(d.length).toBe(0);
    expect(() => d.get('nope')).toThrow("'nope'");
  });
});
