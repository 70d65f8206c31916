// Calling a module, `model(x)`: PyTorch's __call__ (forward pre-hooks, forward, forward hooks) against
// PyTorch 1.13 (tools/fixtures/gen_module_call.py), the call's types (checked by tsc), and what
// making modules callable must not change (instanceof, fields, keys, state dict, printing).
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn, type Tensor } from '../../src/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
const fx = loadFixture<{ weight: Enc; bias: Enc; x: Enc; repr: string; cases: { name: string; out: Enc; log?: string[] }[] }>('module_call');
const expected = (name: string) => fx.cases.find((c) => c.name === name)!;
const x = fromFixture(fx.x);

function linear(): nn.Linear {
  const m = new nn.Linear(3, 2);
  torch.noGrad(() => {
    m.weight.copy_(fromFixture(fx.weight));
    m.bias!.copy_(fromFixture(fx.bias));
  });
  return m;
}

describe('model(x) runs PyTorch __call__', () => {
  it('plain call', () => {
    const m = linear();
    expectClose(m(x), expected('plain call').out, 1e-6, 1e-6);
    expectClose(m(x), m.forward(x), 0, 0);
  });

  it('pre-hook doubles the input, hook adds one; forward skips the hooks', () => {
    const m = linear();
    const log: string[] = [];
    m.registerForwardPreHook((_m, input) => {
      log.push('pre');
      return [(input[0] as Tensor).mul(2)];
    });
    m.registerForwardHook((_m, _input, out: Tensor) => {
      log.push('post');
      return out.add(1);
    });
    const c = expected('pre-hook doubles the input, hook adds one');
    expectClose(m(x), c.out, 1e-6, 1e-6);
    expect(log).toEqual(c.log);
    expectClose(m.forward(x), expected('forward skips the hooks').out, 1e-6, 1e-6);
  });

  it('a pre-hook returning a single value replaces the single argument', () => {
    const m = linear();
    m.registerForwardPreHook((_m, input) => (input[0] as Tensor).sub(1));
    expectClose(m(x), expected('pre-hook returning a tensor').out, 1e-6, 1e-6);
  });

  it('removed hooks do not run; undefined or null keeps the output', () => {
    const m = linear();
    const h = m.registerForwardHook((_m, _i, out: Tensor) => out.mul(0));
    m.registerForwardHook(() => null);
    m.registerForwardHook(() => undefined);
    h.remove();
    h.remove(); // twice: nothing
    expectClose(m(x), expected('removed hook and a hook returning None').out, 1e-6, 1e-6);
    {
      using _h = m.registerForwardHook((_m, _i, out: Tensor) => out.mul(0));
      expect(m(x).abs().sum().item()).toBe(0);
    }
    expectClose(m(x), expected('removed hook and a hook returning None').out, 1e-6, 1e-6);
  });

  it('hooks chain in registration order', () => {
    const m = linear();
    const log: string[] = [];
    m.registerForwardHook((_m, _i, out: Tensor) => (log.push('first'), out.mul(2)));
    m.registerForwardHook((_m, _i, out: Tensor) => (log.push('second'), out.sub(3)));
    const c = expected('hooks chain in registration order');
    expectClose(m(x), c.out, 1e-6, 1e-6);
    expect(log).toEqual(c.log);
  });

  it('Sequential calls its children, so their hooks run', () => {
    const last = new nn.Linear(2, 1);
    torch.noGrad(() => {
      last.weight.copy_(torch.tensor([[0.5, -1.0]]));
      last.bias!.fill_(0.25);
    });
    const seq = new nn.Sequential(linear(), new nn.ReLU(), last);
    const log: string[] = [];
    [...seq].forEach((child, i) => child.registerForwardHook((mod) => void log.push(`${i}:${mod._getName()}`)));
    seq.get(1).registerForwardHook((_m, _i, out: Tensor) => out.add(1));
    const c = expected('sequential calls its children');
    expectClose(seq(x), c.out, 1e-6, 1e-6);
    expect(log).toEqual(c.log);
    expect(String(seq)).toBe(fx.repr);
  });

  it('hooks must be functions', () => {
    expect(() => linear().registerForwardHook(3 as never)).toThrow('registerForwardHook(): expected a function, got 3');
    expect(() => linear().registerForwardPreHook(null as never)).toThrow(TypeError);
  });
});

class Encoder extends nn.Module {
  override name: string;
  override length = 7;
  #calls = 0;
  fc = new nn.Linear(3, 2);
  constructor(label: string) {
    super();
    this.name = label; // an assignment, not a field definition
    this.registerBuffer('steps', torch.zeros(1));
  }
  override forward(input: Tensor): Tensor {
    this.#calls++;
    return this.fc(input);
  }
  get calls(): number {
    return this.#calls;
  }
}

describe('a callable module is still an ordinary module', () => {
  it('instanceof, class fields, private fields, keys, state dict and printing', () => {
    const e = new Encoder('enc');
    expect(e).toBeInstanceOf(Encoder);
    expect(e).toBeInstanceOf(nn.Module);
    expect(typeof e).toBe('function');
    expect(e.name).toBe('enc');
    expect(e.length).toBe(7);
    expect(Object.keys(e)).toEqual(['name', 'length', 'fc', 'steps']); // class fields in declaration order, then the buffer
    expect(Object.keys(e.stateDict())).toEqual(['steps', 'fc.weight', 'fc.bias']);
    expect(e.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    e(torch.zeros(1, 3));
    e.forward(torch.zeros(1, 3));
    expect(e.calls).toBe(2);
    expect(String(e)).toBe('Encoder(\n  (fc): Linear(in_features=3, out_features=2, bias=True)\n)');
    expect(e.constructor).toBe(Encoder);
  });

  it('a module without fields named name or length reads Function defaults; Sequential.length is its size', () => {
    const m = new nn.ReLU();
    expect(m.name).toBe('');
    expect(m.length).toBe(0);
    expect(new nn.Sequential(new nn.ReLU(), new nn.Tanh()).length).toBe(2);
    expect(Object.keys(m)).toEqual(['inplace']); // no own name or length
  });

  it('apply is Module.apply; call and bind are Function.prototype ones', () => {
    const seq = new nn.Sequential(new nn.ReLU(), new nn.Tanh());
    const seen: string[] = [];
    expect(seq.apply((m) => void seen.push(m._getName()))).toBe(seq);
    expect(seen).toEqual(['ReLU', 'Tanh', 'Sequential']);
    const r = new nn.ReLU();
    expect(r.call(null, torch.tensor([-1, 2])).tolist()).toEqual([0, 2]);
    expect(r.bind(null)(torch.tensor([-3])).tolist()).toEqual([0]);
  });

  it('registration through the proxy still works after construction', () => {
    const e = new Encoder('e');
    (e as unknown as { extra: nn.Module }).extra = new nn.ReLU();
    expect(e.children().length).toBe(2);
    delete (e as unknown as { extra?: nn.Module }).extra;
    expect(e.children().length).toBe(1);
    expect(() => new (e as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it('error messages and torch.save name the module class', () => {
    expect(() => torch.save({ m: new nn.Linear(1, 1) })).toThrow('torch.save: cannot save a value of type Linear; save its stateDict() instead');
    expect(() => torch.zeros(2).add(new nn.ReLU() as never)).toThrow('a ReLU');
  });
});

describe('the call is typed with forward', () => {
  it('parameters and return types follow forward and its overloads', () => {
    const lstm = new nn.LSTM(3, 4);
    const seqIn = torch.zeros(5, 2, 3);
    expectTypeOf(lstm(seqIn)).toEqualTypeOf<[Tensor, [Tensor, Tensor]]>();
    const packed = nn.utils.rnn.packSequence([torch.zeros(2, 3), torch.zeros(1, 3)]);
    expectTypeOf(lstm(packed)[0]).toEqualTypeOf<nn.utils.rnn.PackedSequence>();
    const [out, [hN]] = lstm(seqIn, [torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)]);
    expect(out.shape).toEqual([5, 2, 4]);
    expect(hN.shape).toEqual([1, 2, 4]);
    expectTypeOf(new nn.Linear(3, 2)(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new nn.MSELoss()(x, x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new Encoder('e')(x)).toEqualTypeOf<Tensor>();
    // @ts-expect-error Linear takes a tensor
    expect(() => new nn.Linear(3, 2)('x')).toThrow();
    // @ts-expect-error MSELoss takes two tensors
    expect(() => new nn.MSELoss()(x)).toThrow();
    const modules: nn.Module[] = [lstm, new nn.Linear(3, 2), new Encoder('e')];
    expect(modules.length).toBe(3);
  });
});
