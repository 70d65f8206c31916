/**
 * The non-constant padding modes of `F.pad` ('reflect', 'replicate', 'circular') over the last one
 * or two dims, composed from differentiable ops: every output position along a padded dim reads
 * one input position (an `indexSelect` whose backward adds the gradients of the copies), and
 * negative amounts crop (`narrow`). The checks and messages are PyTorch 1.13's (F.pad,
 * reflection_pad1d/2d, replication_pad1d/2d, _pad_circular), including their quirks.
 */
import { NotImplementedError, RuntimeError } from '../errors.js';
import { legacyTypeName, scalarTypeName } from '../tensor/dtype.js';
import { tensor } from '../tensor/factories.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from './conv.js';
import { checkSizes, checkTensor } from './util.js';

/** The non-constant padding modes. */
export type PadMode = 'reflect' | 'replicate' | 'circular';

/** Source position of output position `j` along a dim of `size` padded by `left` (reflect or replicate). */
function source(mode: 'reflect' | 'replicate', j: number, left: number, size: number): number {
  const i = j - left;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  return i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
}

/** `x` with dim `d` replaced by positions `idx` of it (a gather with a summing backward). */
function gather(x: Tensor, d: number, idx: number[]): Tensor {
  return x.indexSelect(d, tensor(idx, { dtype: 'int64' }));
}

/** Output size per padded dim (last dims), PyTorch's order in pad: [left, right] of the last dim first. */
function padded(x: Tensor, pad: readonly number[]): number[] {
  const k = pad.length / 2;
  const nd = x.dim();
  return Array.from({ length: k }, (_, i) => x.shape[nd - k + i]! + pad[2 * (k - 1 - i)]! + pad[2 * (k - 1 - i) + 1]!);
}

/** reflection_pad{1,2}d / replication_pad{1,2}d: checks, then one gather per padded dim. */
function reflectOrReplicate(x: Tensor, pad: readonly number[], mode: 'reflect' | 'replicate'): Tensor {
  const k = pad.length / 2;
  const nd = x.dim();
  const batchDims = k + 1; // the no-batch rank; one more with a batch dim
  const nonBatch = x.shape.slice(nd - batchDims);
  if (nonBatch.some((s) => s === 0)) {
    throw new RuntimeError(
      mode === 'reflect'
        ? `${k + 1}D or ${k + 2}D (batch mode) tensor expected for input, but got: [ ${legacyTypeName(x.dtype)}{${x.shape.join(',')}} ]`
        : `Expected ${k + 1}D or ${k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${shapeStr(x.shape)}`,
    );
  }
  const W = x.shape[nd - 1]!;
  const H = x.shape[nd - 2]!;
  if (mode === 'reflect') {
    const [l, r] = [pad[0]!, pad[1]!];
    if (l >= W || r >= W) {
      const where = k === 1 ? shapeStr(x.shape) : String(nd);
      throw new RuntimeError(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${nd - 1} of input ${where}`);
    }
    if (k === 2 && (pad[2]! >= H || pad[3]! >= H)) {
      throw new RuntimeError(`Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (${pad[2]}, ${pad[3]}) at dimension ${nd - 2} of input ${nd}`);
    }
  }
  const out = padded(x, pad);
  if (k === 1 && out[0]! < 1) {
    throw new RuntimeError(
      mode === 'reflect' ? `2input (W: ${W})is too small. Calculated output W: ${out[0]}` : `input (W: ${W}) is too small. Calculated output W: ${out[0]}`,
    );
  }
  if (k === 2 && out[0]! < 1 && out[1]! < 1) {
    const sep = mode === 'reflect' ? ')is' : ' ) is';
    throw new RuntimeError(`input (H: ${H}, W: ${W}${sep} too small. Calculated output H: ${out[0]} W: ${out[1]}`);
  }
  if (out.some((s) => s < 0)) {
    if (mode === 'reflect') throw new RuntimeError('numel: integer multiplication overflow');
    checkSizes([...x.shape.slice(0, nd - k), ...out]);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    const name = mode === 'reflect' ? `reflection_pad${k}d` : `replication_pad${k}d_cpu`;
    throw new RuntimeError(`"${name}" not implemented for '${scalarTypeName(x.dtype)}'`);
  }
  let y = x;
  for (let i = 0; i < k; i++) {
    const d = nd - 1 - i;
    const left = pad[2 * i]!;
    const size = x.shape[d]!;
    const n = out[k - 1 - i]!;
    y = gather(y, d, Array.from({ length: n }, (_, j) => source(mode, j, left, size)));
  }
  return y;
}

/** _pad_circular: needs a batch and a channel dim; crops negative amounts, then wraps the rest. */
function circular(x: Tensor, pad: readonly number[]): Tensor {
  const nd = x.dim();
  const ndim = nd - 2;
  if (pad.length + 4 !== nd * 2) throw new RuntimeError(`Invalid padding size, expected ${ndim * 2} but got ${pad.length}`);
  for (let i = 0; i < ndim; i++) {
    const l = pad[2 * (ndim - i - 1)]!;
    const r = pad[2 * (ndim - i - 1) + 1]!;
    const size = x.shape[2 + i]!;
    if (l > size || r > size) throw new RuntimeError('Padding value causes wrapping around more than once.');
    if (size + l + r < 0) throw new RuntimeError('Negative padding value is resulting in an empty dimension');
  }
  let y = x;
  for (let i = 0; i < ndim; i++) {
    const d = 2 + i;
    const l = pad[2 * (ndim - i - 1)]!;
    const r = pad[2 * (ndim - i - 1) + 1]!;
    const size = x.shape[d]!;
    const lo = Math.max(-l, 0);
    const len = size - lo - Math.max(-r, 0);
    y = y.narrow(d, lo, Math.max(len, 0));
    const left = Math.max(l, 0);
    const n = Math.max(len, 0) + left + Math.max(r, 0);
    if (n !== len && len > 0) y = gather(y, d, Array.from({ length: n }, (_, j) => (((j - left) % len) + len) % len));
  }
  return y;
}

/**
 * Pads the last dim (`pad` = [left, right]) or the last two dims ([left, right, top, bottom]) of
 * `x` with a non-constant mode, like `torch.nn.functional.pad(x, pad, mode)`: 'reflect' mirrors
 * around the edge element, 'replicate' repeats it, 'circular' wraps around (needs a batch dim).
 * Negative amounts crop. Also checks F.pad's own arguments (`value` must be 0).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
 * @example padNd(torch.arange(6).float().view(1, 2, 3), [2, 1], 'reflect') // [[[2, 1, 0, 1, 2, 1], [5, 4, 3, 4, 5, 4]]]
 */
export function padNd(x: Tensor, pad: readonly number[], mode: PadMode, value = 0): Tensor {
  checkTensor('input', x);
  if (pad.length % 2 !== 0) throw new RuntimeError('Padding length must be divisible by 2');
  if (pad.length / 2 > x.dim()) throw new RuntimeError('Padding length too large');
  if (value !== 0) throw new RuntimeError(`Padding mode "${mode}" doesn't take in value argument`);
  const nd = x.dim();
  if (!((pad.length === 2 && (nd === 2 || nd === 3)) || (pad.length === 4 && (nd === 3 || nd === 4)))) {
    if (pad.length === 6 && (nd === 4 || nd === 5)) {
      // Deviation: PyTorch pads three dims (reflection_pad3d etc.); torchlet pads one or two.
      throw new NotImplementedError(`torchlet's pad supports mode='${mode}' for the last one or two dims only`);
    }
    throw new NotImplementedError('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
  }
  return mode === 'circular' ? circular(x, pad) : reflectOrReplicate(x, pad, mode);
}
