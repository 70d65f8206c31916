/**
 * `gradcheck`: compares the analytical Jacobian from backward with central finite differences,
 * like `torch.autograd.gradcheck` (float64 inputs; eps 1e-6, atol 1e-5, rtol 1e-3).
 */
import { RuntimeError } from '../errors.js';
import { noGrad } from './grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { emptyTensor } from '../tensor/create.js';
import { runBackward } from './engine.js';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Return false instead of throwing on mismatch. */
  raiseException?: boolean;
}

function outputsOf(r: Tensor | readonly Tensor[]): Tensor[] {
  return (r instanceof Tensor ? [r] : [...r]).filter((t) => t.dtype === 'float64' || t.dtype === 'float32');
}

/**
 * Checks gradients of `fn` at `inputs` against central differences.
 * See https://pytorch.org/docs/1.13/generated/torch.autograd.gradcheck.html
 * @example torch.autograd.gradcheck((x) => x.tanh(), [torch.randn(3, { dtype: 'float64', requiresGrad: true })]);
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor | readonly Tensor[], inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
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
      const plus = noGrad(() => outputsOf(fn(...inputs)).map((o) => o.dataSync()));
      x.storage.data[pos] = orig - eps;
      const minus = noGrad(() => outputsOf(fn(...inputs)).map((o) => o.dataSync()));
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
  // Analytical Jacobian: row i from backward with a one-hot output gradient.
  let row = 0;
  for (let oi = 0; oi < outs.length; oi++) {
    const o = outs[oi]!;
    if (!o.requiresGrad) {
      row += o.numel();
      continue;
    }
    for (let i = 0; i < o.numel(); i++, row++) {
      const fresh = outputsOf(fn(...inputs));
      const seed = emptyTensor(o.shape, o.dtype);
      seed.storage.data[i] = 1;
      const grads = runBackward([fresh[oi]!], [seed], { inputs: diffInputs, allowUnused: true });
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
