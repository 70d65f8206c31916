// torch.device, Tensor.to / type / cuda / new*, Module.to, factories' device option, torch.isTensor
// and torch.cuda, against PyTorch 1.13 (tools/fixtures/gen_convert.py).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };
type Err = { type: string; message: string };
type Arg = string | { tensorOf: torch.DType };
interface Fx {
  devices: { args: (string | number)[]; str?: string; repr?: string; type?: string; index?: number | null; error?: Err }[];
  deviceEq: { a: string; b: string; equal: boolean }[];
  to: { name: string; x: Enc; args: Arg[]; kw: Record<string, unknown>; out?: Enc; same?: boolean; error?: Err }[];
  moduleTo: { name: string; args: Arg[]; weightDtype?: string; error?: Err }[];
  factories: { device: string; cudaMethod?: boolean; error?: Err }[];
  type: { x: torch.DType; name: string }[];
  typeTo: { x: Enc; arg: string; out?: Enc; same?: boolean; error?: Err }[];
  new: { name: string; x: torch.DType; method: string; args: unknown[]; kw: Record<string, unknown>; out: Enc; requiresGrad: boolean }[];
  isTensor: { what: string; value: boolean }[];
}
const fx = loadFixture<Fx>('convert');

const arg = (a: Arg): unknown => (typeof a === 'string' ? a : torch.zeros(1, { dtype: a.tensorOf }));
/** PyTorch keywords as torchlet options. */
const opts = (kw: Record<string, unknown>): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) o[k === 'requires_grad' ? 'requiresGrad' : k] = v;
  return o;
};
const expectTensor = (t: torch.Tensor, e: Enc): void => {
  expect(t.dtype).toBe(e.dtype);
  expect(t.shape).toEqual(e.shape);
  expect(Array.from(t.dataSync(), Number)).toEqual(e.data.map(Number));
};

describe('torch.device', () => {
  for (const c of fx.devices) {
    it(`device(${c.args.map((a) => JSON.stringify(a)).join(', ')})`, () => {
      const make = (): torch.Device => (torch.device as (...a: unknown[]) => torch.Device)(...c.args);
      if (c.error) return expectError(make, c.error);
      const d = make();
      expect(String(d)).toBe(c.str);
      expect(`${d}`).toBe(c.str);
      expect(d.repr()).toBe(c.repr);
      expect(d.type).toBe(c.type);
      expect(d.index).toBe(c.index);
      expect(d).toBeInstanceOf(torch.Device);
      expect(make()).toBe(d); // interned
      expect(torch.device(d)).toBe(d);
      expect(d.equals(c.str!)).toBe(true);
      expect(JSON.stringify({ d })).toBe(JSON.stringify({ d: c.str }));
    });
  }

  for (const c of fx.deviceEq) {
    it(`device('${c.a}') == device('${c.b}') is ${c.equal}`, () => {
      expect(torch.device(c.a) === torch.device(c.b)).toBe(c.equal);
      expect(torch.device(c.a).equals(c.b)).toBe(c.equal);
      expect(torch.device(c.a).equals(torch.device(c.b))).toBe(c.equal);
    });
  }

  it('x.device is the interned cpu device, printing as PyTorch prints it', () => {
    const x = torch.zeros(2);
    expect(x.device).toBe(torch.device('cpu'));
    expect(x.device.equals('cpu')).toBe(true);
    expect(x.device.equals('cpu:0')).toBe(false);
    expect(x.device.equals('not a device')).toBe(false);
    expect(String(x.device)).toBe('cpu');
    expect(x.device.repr()).toBe("device(type='cpu')");
    expect(x.device.type).toBe('cpu');
    expect(x.device.index).toBeNull();
    expect(x.storage.device).toBe('cpu'); // storages keep the device string
  });

  it('cannot be constructed directly and is immutable', () => {
    expect(() => new (torch.Device as unknown as new (...a: unknown[]) => unknown)('cpu', null)).toThrow(TypeError);
    expect(Object.isFrozen(torch.device('cpu'))).toBe(true);
  });

  it('rejects non-integer indices and non-string types', () => {
    expect(() => torch.device('cpu', 1.5)).toThrow("Device(): argument 'index' (position 2) must be int, not 1.5");
    expect(() => torch.device(torch.device('cuda:1'), 2)).toThrow("Device(): argument 'type' (position 1) must be str, not torch.device");
    expect(() => (torch.device as (...a: unknown[]) => unknown)()).toThrow(TypeError);
  });
});

describe('torch.cuda and torch.backends without CUDA', () => {
  it('has no devices, and the device idiom picks the cpu', () => {
    expect(torch.cuda.isAvailable()).toBe(false);
    expect(torch.cuda.deviceCount()).toBe(0);
    expect(torch.backends.mps.isAvailable()).toBe(false);
    expect(torch.backends.cudnn.isAvailable()).toBe(false);
    const dev = torch.device(torch.cuda.isAvailable() ? 'cuda' : 'cpu');
    expect(torch.zeros(2).to(dev).device).toBe(dev);
  });

  it('seeding CUDA draws nothing from the CPU generator', () => {
    torch.manualSeed(5);
    const a = torch.rand(3).tolist();
    torch.manualSeed(5);
    torch.cuda.manualSeed(5);
    torch.cuda.manualSeedAll(5);
    expect(torch.rand(3).tolist()).toEqual(a);
  });
});

describe('Tensor.to', () => {
  for (const c of fx.to) {
    it(c.name, () => {
      const x = fromFixture(c.x);
      const args: unknown[] = c.args.map(arg);
      if (Object.keys(c.kw).length > 0) args.push(opts(c.kw));
      const run = (): torch.Tensor => (x.to as (...a: unknown[]) => torch.Tensor)(...args);
      if (c.error) return expectError(run, c.error);
      const out = run();
      expect(out === x).toBe(c.same);
      expectTensor(out, c.out!);
    });
  }

  it('accepts device objects, records ToCopyBackward0 and rejects bad arguments', () => {
    const x = torch.tensor([1.5, 2], { requiresGrad: true });
    expect(x.to(torch.device('cpu'))).toBe(x);
    expect(x.to(torch.device('cpu'), 'float64').dtype).toBe('float64');
    expect(x.to({ device: torch.device('cpu') })).toBe(x);
    expect(x.to('float32', { copy: true }).gradFn?.name).toBe('ToCopyBackward0');
    expectError(() => x.to(torch.device('cuda')), { type: 'AssertionError', message: 'Torch not compiled with CUDA enabled' });
    expect(() => x.to({} as never)).toThrow(TypeError);
    expect(() => x.to('float32', 'float64' as never)).toThrow(TypeError);
    expect(() => x.to(3 as never)).toThrow(TypeError);
    expect(() => x.to({ dtype: 'float8' as never })).toThrow(TypeError);
    expect(() => x.to({ copy: 1 as never })).toThrow(TypeError);
  });
});

describe('Module.to and factories', () => {
  for (const c of fx.moduleTo) {
    it(`Module.to ${c.name}`, () => {
      const m = new torch.nn.Linear(2, 2);
      const run = (): unknown => (m.to as (...a: unknown[]) => unknown)(...c.args.map(arg));
      if (c.error) return expectError(run, c.error);
      expect(run()).toBe(m);
      expect(m.weight.dtype).toBe(c.weightDtype);
    });
  }

  it('Module.to takes device objects and options', () => {
    const m = new torch.nn.Linear(2, 2);
    expect(m.to(torch.device('cpu'))).toBe(m);
    expect(m.to({ dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  for (const c of fx.factories) {
    it(c.cudaMethod ? `Tensor.cuda() and Module.cuda()` : `zeros(2, { device: '${c.device}' })`, () => {
      if (c.cudaMethod) {
        expectError(() => torch.zeros(2).cuda(), c.error!);
        expectError(() => new torch.nn.Linear(1, 1).cuda(), c.error!);
        return;
      }
      for (const dev of [c.device, torch.device(c.device)]) {
        const run = (): torch.Tensor => torch.zeros(2, { device: dev });
        if (c.error) expectError(run, c.error);
        else expect(run().device).toBe(torch.device('cpu'));
      }
    });
  }

  it('every factory takes the device option', () => {
    const dev = torch.device('cpu');
    const made = [
      torch.ones(2, { device: dev }), torch.empty([2], { device: 'cpu' }), torch.full([2], 1, { device: dev }),
      torch.tensor([1, 2], { device: dev }), torch.arange(3, { device: dev }), torch.rand(2, { device: dev }),
      torch.randn(2, { device: dev }), torch.zerosLike(torch.zeros(2), { device: dev }), torch.eye(2, { device: dev }),
    ];
    for (const t of made) expect(t.device).toBe(dev);
    expectError(() => torch.randn(2, { device: 'cuda' }), { type: 'AssertionError', message: 'Torch not compiled with CUDA enabled' });
    expect(() => torch.zeros(2, { device: 3 as never })).toThrow(TypeError);
  });
});

describe('Tensor.type', () => {
  for (const c of fx.type) {
    it(`${c.x}.type() is ${c.name}`, () => expect(torch.zeros(1, { dtype: c.x }).type()).toBe(c.name));
  }
  for (const c of fx.typeTo) {
    it(`type('${c.arg}')`, () => {
      const x = fromFixture(c.x);
      if (c.error) return expectError(() => x.type(c.arg), c.error);
      const out = x.type(c.arg);
      expect(out === x).toBe(c.same);
      expectTensor(out, c.out!);
    });
  }
});

describe('Tensor.new*', () => {
  for (const c of fx.new) {
    it(c.name, () => {
      const base = torch.tensor([1, 0], { dtype: c.x });
      if (base.isFloatingPoint()) base.requiresGrad_();
      const method = c.method.replace(/_(.)/g, (_m, ch: string) => ch.toUpperCase()) as 'newZeros';
      const kw = Object.keys(c.kw).length > 0 ? [opts(c.kw)] : [];
      const out = (base[method] as (...a: unknown[]) => torch.Tensor)(...c.args, ...kw);
      expectTensor(out, c.out);
      expect(out.requiresGrad).toBe(c.requiresGrad);
      expect(out.device).toBe(base.device);
    });
  }

  it('newTensor copies a tensor (with PyTorch warning) and does not track it', () => {
    const x = torch.tensor([1.5, 2], { requiresGrad: true });
    const y = torch.zeros(1, { dtype: 'float64' }).newTensor(x);
    expect(y.dtype).toBe('float64');
    expect(y.requiresGrad).toBe(false);
    expect(y.storage).not.toBe(x.storage);
    expect(() => x.newZeros(2, { device: 'cuda' })).toThrow('Torch not compiled with CUDA enabled');
    expect(() => x.newFull([2], 'a' as never)).toThrow(TypeError);
  });
});

describe('torch.isTensor', () => {
  const values: Record<string, unknown> = {
    tensor: torch.zeros(1),
    parameter: new torch.nn.Parameter(torch.zeros(1)),
    number: 1,
    list: [1],
  };
  for (const c of fx.isTensor) it(c.what, () => expect(torch.isTensor(values[c.what])).toBe(c.value));
});
