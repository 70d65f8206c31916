/**
 * Median, nanmedian and mode. With a dim they return PyTorch's named tuple (`[values, indices]`
 * with `.values` / `.indices`) and pick among equal values the position PyTorch 1.13's CPU kernels
 * pick (the sort family's medianAlong / modeAlong routines, run through sort.ts's selection op); the
 * gradient of the values flows back to those positions (value_selecting_reduction_backward). Without a dim, median and nanmedian give
 * the value alone and share its gradient evenly among the elements equal to it
 * (evenly_distribute_backward).
 */
import { defineOp } from '../autograd/function.js';
import { routine } from '../backends/routine.js';
import type { LineArgs } from '../backends/routines/sort.js';
import { IndexError, RuntimeError } from '../errors.js';
import { scalarTypeName } from '../tensor/dtype.js';
import { emptyTensor, scalarTensor } from '../tensor/create.js';
import type { MethodTable } from '../tensor/methods.js';
import { type Tensor, normDim } from '../tensor/tensor.js';
import { checkBool, checkInt } from '../validate.js';
import { where } from './elementwise.js';
import { defSelect } from './sort.js';
import { type ValuesIndices, valuesIndices } from './return-types.js';
import { checkTensor, denseArray } from './util.js';

const medianDim = defSelect('median', 'MedianBackward1');
const nanmedianDim = defSelect('nanmedian', 'NanmedianBackward1');
const modeDim = defSelect('mode', 'ModeBackward0');

/** The value of an empty tensor's median: NaN converted to the dtype as x86 does (the lowest integer). */
function emptyMedian(x: Tensor): Tensor {
  const lowest = { int64: -(2 ** 63), int32: -(2 ** 31) } as Record<string, number>;
  return scalarTensor(lowest[x.dtype] ?? NaN, x.dtype);
}

function defAll(name: string, nodeName: string, ignoreNan: boolean) {
  return defineOp({
    name,
    nodeName,
    forward(ctx, x: Tensor) {
      const n = x.numel();
      let y = emptyMedian(x);
      if (n > 0) {
        y = emptyTensor([], x.dtype);
        routine('medianAlong')({ outer: 1, n, inner: 1, x: denseArray(x), values: y.storage.data, indices: new Float64Array(1), ignoreNan });
      }
      ctx.save(x, y);
      return y;
    },
    backward(ctx, [gy]) {
      // evenly_distribute_backward: the gradient is shared among the elements equal to the result
      const [x, y] = ctx.saved as [Tensor, Tensor];
      const mask = Number.isNaN(y.item()) ? x.isnan() : x.eq(y);
      return [where(mask, gy!.div(mask.sum()), 0)];
    },
  });
}
const medianAll = defAll('median', 'MedianBackward0', false);
const nanmedianAll = defAll('nanmedian', 'NanmedianBackward0', true);

/** The checked dim of a median or mode (ATen's zero_numel_check_dims, then the dtype dispatch). */
function reductionDim(fn: string, kernel: string, x: Tensor, dim: unknown, keepdim: unknown): number {
  checkInt(`${fn}()`, 'dim', dim);
  checkBool(`${fn}()`, 'keepdim', keepdim);
  const d = normDim(dim as number, x.dim());
  if (x.dim() > 0 && x.shape[d] === 0) {
    throw new IndexError(`${fn === 'mode' ? 'mode' : 'median'}(): Expected reduction dim ${d} to have non-zero size.`);
  }
  if (x.dtype === 'bool' && kernel !== '') throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(x.dtype)}'`);
  return d;
}

function runMedian(ignoreNan: boolean, x: Tensor, dim: number | undefined | null, keepdim: boolean): Tensor | ValuesIndices {
  checkTensor('input', x);
  if (dim === undefined || dim === null) {
    if (x.dtype === 'bool') throw new RuntimeError(`"median_cpu" not implemented for '${scalarTypeName(x.dtype)}'`);
    return (ignoreNan ? nanmedianAll : medianAll)(x);
  }
  const d = reductionDim(ignoreNan ? 'nanmedian' : 'median', 'median_out', x, dim, keepdim);
  const run = (line: LineArgs): void => routine('medianAlong')({ ...line, ignoreNan });
  const [v, i] = (ignoreNan ? nanmedianDim : medianDim)(x, { dim: d, count: 1, keepdim, run });
  return valuesIndices(v!, i!);
}

/**
 * `median(x)`: the lower median of all elements as a 0-d tensor (NaN when any element is NaN; the
 * gradient is shared among the elements equal to it). `median(x, dim, keepdim?)`: `[values,
 * indices]` along `dim` (also `.values` / `.indices`); among equal values the index is PyTorch's
 * (the middle one in position order), and a line holding NaN gives its first NaN.
 * See https://pytorch.org/docs/1.13/generated/torch.median.html
 * @example torch.median(torch.tensor([3, 1, 2, 1])) // tensor(1); torch.median(x, 1).indices
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number | null, keepdim = false): Tensor | ValuesIndices {
  return runMedian(false, x, dim, keepdim);
}

/**
 * `median` that ignores NaN: the lower median of the other elements (NaN only when all are NaN),
 * like `torch.nanmedian`; with a dim, `[values, indices]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nanmedian.html
 * @example torch.nanmedian(torch.tensor([1, NaN, 3, 2])) // tensor(2.)
 */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number | null, keepdim = false): Tensor | ValuesIndices {
  return runMedian(true, x, dim, keepdim);
}

/**
 * The most frequent value along `dim` (the last by default; the smallest of equally frequent
 * values) and an index where it occurs, like `torch.mode`: `[values, indices]` (also `.values` /
 * `.indices`). The index is the one PyTorch 1.13's CPU kernel reports (the last of its run after
 * its std::sort; for up to 16 elements the last occurrence).
 * See https://pytorch.org/docs/1.13/generated/torch.mode.html
 * @example const { values, indices } = torch.mode(torch.tensor([1, 2, 2, 3])); // 2, 2
 */
export function mode(x: Tensor, dim = -1, keepdim = false): ValuesIndices {
  checkTensor('input', x);
  const d = reductionDim('mode', '', x, dim, keepdim);
  const [v, i] = modeDim(x, { dim: d, count: 1, keepdim, run: (line) => routine('modeAlong')(line) });
  return valuesIndices(v!, i!);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * The lower median: of all elements (a 0-d tensor), or along `dim` (`[values, indices]`), like
     * `Tensor.median`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.median.html
     * @example x.median(); x.median(0).values
     */
    median(): Tensor;
    median(dim: number, keepdim?: boolean): ValuesIndices;
    /**
     * The lower median ignoring NaN, like `Tensor.nanmedian`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.nanmedian.html
     * @example x.nanmedian(); x.nanmedian(1, true)
     */
    nanmedian(): Tensor;
    nanmedian(dim: number, keepdim?: boolean): ValuesIndices;
    /**
     * The most frequent value along `dim` and an index of it, like `Tensor.mode`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mode.html
     * @example const [values, indices] = x.mode(0);
     */
    mode(dim?: number, keepdim?: boolean): ValuesIndices;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const medianMethods: MethodTable = {
  median(this: Tensor, dim?: number | null, keepdim = false) {
    return runMedian(false, this, dim, keepdim);
  },
  nanmedian(this: Tensor, dim?: number | null, keepdim = false) {
    return runMedian(true, this, dim, keepdim);
  },
  mode(this: Tensor, dim = -1, keepdim = false) {
    return mode(this, dim, keepdim);
  },
};
