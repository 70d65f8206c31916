/**
 * `gradcheck`: compares the analytical Jacobian from backward with central finite differences,
 * like `torch.autograd.gradcheck` (float64 inputs; eps 1e-6, atol 1e-5, rtol 1e-3);
 * `gradgradcheck` does the same for the gradients themselves (second derivatives).
 */
import { RuntimeError } from '../errors.js';
import { enableGrad } from './grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { emptyTensor } from '../tensor/create.js';
import { rand } from '../tensor/factories.js';
import { grad } from './backward.js';
import { runBackward } from './engine.js';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Return false instead of throwing on mismatch. */
  raiseException?: boolean;
}

/** Options of `gradgradcheck`: gradcheck's, plus the output gradients. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /**
   * The gradients of `fn`'s outputs to differentiate through (PyTorch's `grad_outputs`). Default:
   * random tensors uniform in [-1, 1) like the outputs, drawn from the default generator as
   * PyTorch's `make_tensor` draws them, that require grad.
   */
  gradOutputs?: Tensor | readonly Tensor[] | null;
  /** Make the random output gradients non-contiguous (PyTorch's `gen_non_contig_grad_outputs`). Default false. */
  genNonContigGradOutputs?: boolean;
}

function asList(v: Tensor | readonly Tensor[]): Tensor[] {
  return v instanceof Tensor ? [v] : [...v];
}

function outputsOf(r: Tensor | readonly Tensor[]): Tensor[] {
  return (r instanceof Tensor ? [r] : [...r]).filter((t) => t.dtype === 'float64' || t.dtype === 'float32');
}

/**
 * Checks gradients of `fn` at `inputs` against central differences.
 * See https://pytorch.org/docs/1.13/generated/torch.autograd.gradcheck.html
 * @example torch.autograd.gradcheck((x) => x.tanh(), [torch.randn(3, { dtype: 'float64', requiresGrad: true })]);
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor | readonly Tensor[], inputsArg: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const inputs = asList(inputsArg);
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raiseException ?? true;
  const diffInputs = inputs.filter((t) => t.requiresGrad);
  for (const t of diffInputs) {
    if (t.dtype !== 'float64') {
      // PyTorch warns; torchlet requires double precision for a meaningful check.
      throw new RuntimeError('gradcheck expects double precision (float64) inputs that require grad');
    }
  }
  const outs = outputsOf(fn(...inputs));
  const outVals = outs.map((o) => o.dataSync());
  // Numerical Jacobian: column j = d out / d x_j.
  const numeric: Float64Array[][] = diffInputs.map((x) => {
    const n = x.numel();
    const cols: Float64Array[] = [];
    const flat = contiguousIndex(x);
    for (let j = 0; j < n; j++) {
      const pos = flat[j]!;
      const orig = x.storage.data[pos]!;
      x.storage.data[pos] = orig + eps;
      const plus = outputsOf(fn(...inputs)).map((o) => o.dataSync());
      x.storage.data[pos] = orig - eps;
      const minus = outputsOf(fn(...inputs)).map((o) => o.dataSync());
      x.storage.data[pos] = orig;
      const total = outVals.reduce((a, v) => a + v.length, 0);
      const col = new Float64Array(total);
      let k = 0;
      plus.forEach((p, oi) => {
        for (let i = 0; i < p.length; i++) col[k++] = (p[i]! - minus[oi]![i]!) / (2 * eps);
      });
      cols.push(col);
    }
    return cols;
  });
  // Analytical Jacobian: row i from backward with a one-hot output gradient, through one graph
  // (kept between rows, as PyTorch's retain_graph=True).
  let row = 0;
  for (let oi = 0; oi < outs.length; oi++) {
    const o = outs[oi]!;
    if (!o.requiresGrad) {
      row += o.numel();
      continue;
    }
    for (let i = 0; i < o.numel(); i++, row++) {
      const seed = emptyTensor(o.shape, o.dtype);
      seed.storage.data[i] = 1;
      const grads = runBackward([o], [seed], { inputs: diffInputs, allowUnused: true, retainGraph: true });
      for (let xi = 0; xi < diffInputs.length; xi++) {
        const g = grads[xi] ? grads[xi]!.dataSync() : new Float64Array(diffInputs[xi]!.numel());
        for (let j = 0; j < g.length; j++) {
          const a = g[j]!;
          const nval = numeric[xi]![j]![row]!;
          if (!(Math.abs(a - nval) <= atol + rtol * Math.abs(nval))) {
            const msg = `Jacobian mismatch for output ${oi} with respect to input ${xi}, element (${i}, ${j}): numerical ${nval}, analytical ${a}`;
            if (raise) throw new RuntimeError(msg);
            return false;
          }
        }
      }
    }
  }
  return true;
}

/** Storage positions of a tensor's elements in row-major order. */
function contiguousIndex(x: Tensor): number[] {
  const out: number[] = [];
  const nd = x.dim();
  const idx = new Array<number>(nd).fill(0);
  const n = x.numel();
  let off = x.offset;
  for (let i = 0; i < n; i++) {
    out.push(off);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      off += x.strides[d]!;
      if (idx[d]! < x.shape[d]!) break;
      off -= x.strides[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * PyTorch's `make_tensor(shape, dtype, low=-1, high=1, noncontiguous)`: `high * r + low * (1 - r)`
 * with r from `torch.rand` (the same draws), the non-contiguous form a stride-2 view.
 */
function randomGradOutput(o: Tensor, nonContiguous: boolean): Tensor {
  const r = rand(o.shape, { dtype: o.dtype });
  let t = r.mul(1).add(r.neg().add(1).mul(-1));
  if (nonContiguous && t.numel() > 1) {
    const s = t.shape;
    const last = s.length === 0 ? 1 : s[s.length - 1]!;
    const lead = s.slice(0, -1);
    // repeat_interleave(2, -1)[..., ::2]: each element twice, then every other one
    t = t.reshape([...lead, last, 1]).expand([...lead, last, 2]).contiguous().select(-1, 0);
  }
  return t.detach().requiresGrad_();
}

/**
 * Checks second derivatives: the gradients of `fn`'s outputs (seeded with `gradOutputs`, random
 * by default) with respect to the inputs that require grad, computed with `createGraph`, are
 * gradchecked with respect to the inputs and the output gradients, like
 * `torch.autograd.gradgradcheck` (float64; eps 1e-6, atol 1e-5, rtol 1e-3).
 * See https://pytorch.org/docs/1.13/generated/torch.autograd.gradgradcheck.html
 * @example
 * const x = torch.randn(3, { dtype: 'float64', requiresGrad: true });
 * torch.autograd.gradgradcheck((t) => t.tanh(), [x]); // true
 */
export function gradgradcheck(
  fn: (...xs: Tensor[]) => Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[],
  opts: GradgradcheckOptions = {},
): boolean {
  const ins = asList(inputs);
  const gouts = opts.gradOutputs !== undefined && opts.gradOutputs !== null
    ? asList(opts.gradOutputs)
    : outputsOf(fn(...ins)).filter((o) => o.requiresGrad).map((o) => randomGradOutput(o, opts.genNonContigGradOutputs ?? false));
  const nIn = ins.length;
  const diffIdx = ins.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const newFn = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = args.slice(0, nIn);
      const outs = outputsOf(fn(...xs)).filter((o) => o.requiresGrad);
      const gs = grad(outs, diffIdx.map((i) => xs[i]!), { gradOutputs: args.slice(nIn), createGraph: true, allowUnused: true });
      return gs.filter((g): g is Tensor => g !== null);
    });
  return gradcheck(newFn, [...ins, ...gouts], { eps: opts.eps, atol: opts.atol, rtol: opts.rtol, raiseException: opts.raiseException });
}
