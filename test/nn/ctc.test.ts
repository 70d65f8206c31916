// CTC loss against PyTorch fixtures (tools/fixtures/gen_ctc.py): losses and gradients for padded and
// concatenated targets, uneven lengths, repeated labels, blanks other than 0, impossible alignments
// with and without zeroInfinity, every reduction, unbatched input, float32 and float64, on every
// backend; PyTorch's errors in PyTorch's order; float64 gradcheck through log_softmax; nn.CTCLoss.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectError, fromFixture, loadFixture } from '../helpers/fixtures.js';

const { nn } = torch;
const F = nn.functional;
type T = torch.Tensor;

type Arg = { tensor: any } | { list: number[] } | { value: unknown };
interface CtcCase {
  name: string;
  options: Record<string, unknown>;
  logits?: boolean;
  noncontig?: boolean;
  inputs: { input: any; targets: Arg; inputLengths: Arg; targetLengths: Arg };
  out?: any;
  w?: any;
  grad?: any;
  gradFn?: string;
  gradcheck?: boolean;
  error?: { type: string; message: string };
}

const fx = loadFixture<{
  cases: CtcCase[];
  doubleBackwardError: { type: string; message: string };
  modules: { options: Record<string, unknown>; repr: string; stateDictKeys: string[]; attrs: Record<string, unknown> }[];
}>('ctc');

function argOf(a: Arg): any {
  if ('tensor' in a) return fromFixture(a.tensor);
  if ('list' in a) return a.list;
  return a.value;
}

/** The case's input (requiring grad), and the loss as a function of it (through log_softmax for logits). */
function setup(c: CtcCase): { x: T; loss: (x: T, opts?: Record<string, unknown>) => T } {
  let x = fromFixture(c.inputs.input, true);
  const [targets, il, tl] = [argOf(c.inputs.targets), argOf(c.inputs.inputLengths), argOf(c.inputs.targetLengths)];
  const loss = (v: T, opts = c.options): T => {
    let lp = c.logits ? v.logSoftmax(-1) : v;
    if (c.noncontig) lp = lp.permute(1, 0, 2).contiguous().permute(1, 0, 2); // a strided view of the same values
    return F.ctcLoss(lp, targets, il, tl, opts);
  };
  if (c.noncontig) x = x.detach().requiresGrad_();
  return { x, loss };
}

const valueCases = fx.cases.filter((c) => !c.error);
const errorCases = fx.cases.filter((c) => c.error);

describeEachBackend('ctcLoss matches PyTorch', () => {
  for (const c of valueCases) {
    it(c.name, () => {
      const { x, loss } = setup(c);
      const out = loss(x);
      const f64 = x.dtype === 'float64';
      const [atol, rtol] = f64 ? [1e-10, 1e-9] : [2e-5, 2e-5];
      expectClose(out, c.out, atol, rtol);
      expect(out.gradFn?.name).toBe(c.gradFn);
      out.mul(fromFixture(c.w)).sum().backward();
      expectClose(x.grad!, c.grad, atol, f64 ? 1e-8 : 1e-4);
    });
  }
});

describe('ctcLoss errors', () => {
  for (const c of errorCases) {
    it(c.name, () => {
      const [x, targets, il, tl] = [c.inputs.input, c.inputs.targets, c.inputs.inputLengths, c.inputs.targetLengths].map(argOf);
      expectError(() => F.ctcLoss(x, targets, il, tl, c.options as object), c.error!);
    });
  }

  it('has gradients of the first order only', () => {
    const c = valueCases.find((k) => k.name === 'padded uneven lengths mean f64')!;
    const { x, loss } = setup(c);
    const [g] = torch.autograd.grad(loss(x), [x], { createGraph: true });
    expect(g!.gradFn?.name).toBe('NotImplemented');
    expectError(() => g!.sum().backward(), fx.doubleBackwardError);
  });
});

describe('ctcLoss float64 gradcheck through log_softmax', () => {
  const checked = valueCases.filter((c) => c.gradcheck);
  it('covers the float64 cases with finite losses', () => {
    expect(checked.length).toBeGreaterThan(20);
  });
  for (const c of checked) {
    it(c.name, () => {
      const { x, loss } = setup({ ...c, logits: true });
      expect(gradcheck((v) => loss(v!), [x])).toBe(true);
    });
  }
});

describe('ctcLoss where PyTorch 1.13 reads undefined memory (deviations: errors or later PyTorch)', () => {
  const lp = torch.randn(4, 2, 3).logSoftmax(2);
  const tg = torch.tensor([[1, 2], [2, 1]]);
  it('refuses negative lengths and labels outside [0, C)', () => {
    expect(() => F.ctcLoss(lp, tg, [-1, 4], [2, 2])).toThrow(/input_lengths to have value at least 0/);
    expect(() => F.ctcLoss(lp, tg, [4, 4], [-1, 2])).toThrow(/target_lengths to have value at least 0/);
    expect(() => F.ctcLoss(lp, torch.tensor([[1, 3], [2, 1]]), [4, 4], [2, 2])).toThrow(/target label 3 is out of range \[0, 3\)/);
    expect(() => F.ctcLoss(lp, torch.tensor([[1, -1], [2, 1]]), [4, 4], [2, 2])).toThrow(/target label -1 is out of range/);
  });
  it('an empty input aligns only to an empty target', () => {
    const x = lp.detach().requiresGrad_();
    const out = F.ctcLoss(x, tg, [0, 0], [0, 2], { reduction: 'none' });
    expect(Math.abs(out.index(0).item())).toBe(0);
    expect(out.index(1).item()).toBe(Infinity);
    F.ctcLoss(x, tg, [0, 4], [2, 2], { reduction: 'sum', zeroInfinity: true }).backward();
    expect(x.grad!.select(1, 0).abs().sum().item()).toBe(0);
  });
});

describe('nn.CTCLoss', () => {
  for (const m of fx.modules) {
    it(`CTCLoss(${JSON.stringify(m.options)})`, () => {
      const mod = new nn.CTCLoss(m.options);
      expect(String(mod)).toBe(m.repr);
      expect(Object.keys(mod.stateDict())).toEqual(m.stateDictKeys);
      expect({ blank: mod.blank, reduction: mod.reduction, zeroInfinity: mod.zeroInfinity }).toEqual(m.attrs);
    });
  }

  it('forward is F.ctcLoss with the module options', () => {
    const c = valueCases.find((k) => k.name === 'blank in the middle f64')!;
    const { x } = setup(c);
    const [targets, il, tl] = [argOf(c.inputs.targets), argOf(c.inputs.inputLengths), argOf(c.inputs.targetLengths)];
    expectClose(new nn.CTCLoss(c.options).forward(x, targets, il, tl), c.out, 1e-10, 1e-9);
  });

  it('checks option names and types', () => {
    expect(() => new nn.CTCLoss({ blnk: 1 } as object)).toThrow(/unexpected option 'blnk'/);
    expect(() => new nn.CTCLoss({ zeroInfinity: 1 } as object)).toThrow(/zeroInfinity/);
  });
});
