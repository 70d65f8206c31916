/**
 * Numbers never silently go wrong: gates (sigmoid, tanh, the LSTM and GRU cells and layers) on
 * pre-activations of +-1e4, softmax / log-softmax / cross-entropy / BCE-with-logits on large
 * logits stay finite and match PyTorch (fixture: tools/fixtures/gen_numerics.py); anomaly mode
 * names the op that produced NaN or Inf, in forward and in backward.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { decodeDict, type Enc } from '../nn/helpers.js';

const { nn } = torch;
const F = nn.functional;
type T = torch.Tensor;

interface Case {
  name: string;
  kind: string;
  x: Enc;
  w: Enc;
  w2?: Enc;
  h0?: Enc;
  c0?: Enc;
  target?: Enc;
  posWeight?: Enc;
  dim?: number;
  options?: Record<string, unknown>;
  sizes?: number[];
  stateDict?: Record<string, Enc>;
  out: Enc | Record<string, Enc>;
  grads: Record<string, Enc>;
}

const fx = loadFixture<{ cases: Case[]; anomalies: { name: string; error: { type: string; message: string } }[] }>('numerics');

const tol = (e: Enc): [number, number] => (e.dtype === 'float64' ? [1e-9, 1e-9] : [2e-5, 2e-4]);

/** Every element finite wherever PyTorch's is. */
function expectFiniteLike(actual: T, expected: Enc): void {
  const a = actual.dataSync();
  expected.data.forEach((v, i) => {
    if (typeof v === 'number') expect(Number.isFinite(a[i]!), `element ${i} is ${a[i]}`).toBe(true);
  });
}

function check(actual: T, expected: Enc): void {
  expectFiniteLike(actual, expected);
  const [atol, rtol] = tol(expected);
  expectClose(actual, expected, atol, rtol);
}

/** Runs one case: returns the outputs by name and the leaves whose gradients the fixture holds. */
function run(c: Case): { outs: Record<string, T>; leaves: Record<string, T>; loss: T } {
  const x = fromFixture(c.x, true);
  const w = fromFixture(c.w);
  const opts = c.options ?? {};
  const single = (y: T): { outs: Record<string, T>; leaves: Record<string, T>; loss: T } => ({ outs: { out: y }, leaves: { x }, loss: y.mul(w).sum() });
  switch (c.kind) {
    case 'sigmoid':
      return single(x.sigmoid());
    case 'tanh':
      return single(x.tanh());
    case 'softmax':
      return single(x.softmax(c.dim!));
    case 'logSoftmax':
      return single(x.logSoftmax(c.dim!));
    case 'crossEntropy':
      return single(F.crossEntropy(x, fromFixture(c.target!), opts));
    case 'bceWithLogits':
      return single(F.binaryCrossEntropyWithLogits(x, fromFixture(c.target!), { ...opts, posWeight: c.posWeight ? fromFixture(c.posWeight) : null }));
    case 'lstmCell':
    case 'gruCell': {
      const [I, H] = c.sizes as [number, number];
      const dtype = c.x.dtype as 'float32' | 'float64';
      const cell = c.kind === 'lstmCell' ? new nn.LSTMCell(I, H, { dtype }) : new nn.GRUCell(I, H, { dtype });
      cell.loadStateDict(decodeDict(c.stateDict!));
      const h0 = fromFixture(c.h0!, true);
      const leaves: Record<string, T> = { x, h0, ...Object.fromEntries(cell.namedParameters()) };
      if (cell instanceof nn.LSTMCell) {
        const c0 = fromFixture(c.c0!, true);
        leaves.c0 = c0;
        const [h1, c1] = cell.forward(x, [h0, c0]);
        return { outs: { h: h1, c: c1 }, leaves, loss: h1.mul(w).sum().add(c1.mul(fromFixture(c.w2!)).sum()) };
      }
      const h1 = (cell as InstanceType<typeof nn.GRUCell>).forward(x, h0);
      return { outs: { h: h1 }, leaves, loss: h1.mul(w).sum() };
    }
    case 'lstm':
    case 'gru': {
      const [I, H, L] = c.sizes as [number, number, number];
      const dtype = c.x.dtype as 'float32' | 'float64';
      const m = c.kind === 'lstm' ? new nn.LSTM(I, H, L, { dtype }) : new nn.GRU(I, H, L, { dtype });
      m.loadStateDict(decodeDict(c.stateDict!));
      const [y] = (m as { forward(x: T): [T, unknown] }).forward(x);
      return { outs: { y }, leaves: { x, ...Object.fromEntries(m.namedParameters()) }, loss: y.mul(w).sum() };
    }
    default:
      throw new Error(`unknown kind ${c.kind}`);
  }
}

describe('extreme inputs stay finite and match PyTorch', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const { outs, leaves, loss } = run(c);
      const expected = 'data' in c.out ? { out: c.out as Enc } : (c.out as Record<string, Enc>);
      for (const [k, e] of Object.entries(expected)) check(outs[k]!, e);
      const names = Object.keys(c.grads);
      const grads = torch.autograd.grad(loss, names.map((n) => leaves[n]!));
      names.forEach((n, i) => check(grads[i]!, c.grads[n]!));
    });
  }

  it('the fixture covers pre-activations of 1e4 for every gate kind', () => {
    const kinds = new Set(fx.cases.map((c) => c.kind));
    for (const k of ['sigmoid', 'tanh', 'softmax', 'logSoftmax', 'crossEntropy', 'bceWithLogits', 'lstmCell', 'gruCell', 'lstm', 'gru']) {
      expect(kinds.has(k), k).toBe(true);
    }
  });
});

describe('anomaly detection', () => {
  const builds: Record<string, () => T> = {
    'sqrt(0) * 0': () => torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true }).sqrt().mul(0).sum(),
    'log(0) * 0': () => torch.tensor([0, 2], { dtype: 'float32', requiresGrad: true }).log().mul(0).sum(),
    '0 / 0 * 0': () => {
      const x = torch.tensor([0, 2], { dtype: 'float32', requiresGrad: true });
      const y = torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true });
      return x.div(y).mul(0).sum();
    },
  };

  for (const a of fx.anomalies) {
    it(`backward: ${a.name} gives PyTorch's message`, () => {
      const loss = builds[a.name]!(); // built with anomaly mode off: forward non-finite values are not the point here
      let err: unknown = null;
      try {
        torch.autograd.detectAnomaly(() => loss.backward());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe(a.error.type);
      expect((err as Error).message).toBe(a.error.message);
      expect(torch.autograd.isAnomalyEnabled()).toBe(false);
    });
  }

  it('backward: the error carries the stack of the forward call that created the node', () => {
    let err: Error | null = null;
    torch.autograd.setDetectAnomaly(true);
    try {
      const x = torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true });
      const y = x.sqrt().mul(0).sum(); // sqrt(0) = 0 is finite: forward passes, backward gets 0 / 0
      y.backward();
    } catch (e) {
      err = e as Error;
    } finally {
      torch.autograd.setDetectAnomaly(false);
    }
    expect(err?.message).toBe("Function 'SqrtBackward0' returned nan values in its 0th output.");
    expect(String((err?.cause as Error | undefined)?.stack)).toContain('numerics.test.ts');
  });

  it('backward: an infinite gradient is reported too', () => {
    const x = torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true });
    const y = x.sqrt().sum(); // d sqrt(x) / dx = inf at 0
    expect(() => torch.autograd.detectAnomaly(() => y.backward())).toThrow("Function 'SqrtBackward0' returned inf values in its 0th output.");
  });

  it('forward: the first op that produced NaN or Inf is named at the call', () => {
    const x = torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true });
    expect(() => torch.autograd.detectAnomaly(() => x.log())).toThrow("anomaly detected: 'log' produced inf values in its output");
    expect(() => torch.autograd.detectAnomaly(() => x.sub(1).sqrt())).toThrow("anomaly detected: 'sqrt' produced nan values in its output");
    const z = torch.tensor([0, 2], { dtype: 'float32' });
    expect(() => torch.autograd.detectAnomaly(() => z.div(z))).toThrow("anomaly detected: 'div' produced nan values in its output");
    // Under noGrad too: anomaly mode watches every op.
    expect(() => torch.autograd.detectAnomaly(() => torch.noGrad(() => z.log()))).toThrow("anomaly detected: 'log' produced inf values in its output");
  });

  it('forward: ops that pass on non-finite inputs are not blamed; masks with -inf work', () => {
    torch.autograd.detectAnomaly(() => {
      const logits = torch.tensor([[1, 2, 3]], { dtype: 'float32', requiresGrad: true });
      const masked = logits.maskedFill(torch.tensor([[false, false, true]]), -Infinity);
      const p = masked.softmax(-1);
      expect(Array.from(p.dataSync()).every(Number.isFinite)).toBe(true);
      const inf = torch.tensor([Infinity, 1], { dtype: 'float32' });
      expect(inf.mul(2).dataSync()[0]).toBe(Infinity);
    });
  });

  it('is off by default, restored by detectAnomaly, and validates its argument', () => {
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
    const x = torch.tensor([0], { dtype: 'float32' });
    expect(x.log().dataSync()[0]).toBe(-Infinity); // no error when off
    expect(() => torch.autograd.detectAnomaly(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
    expect(() => torch.autograd.setDetectAnomaly('yes' as never)).toThrow(TypeError);
  });
});
