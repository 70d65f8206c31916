/**
 * Sorting and selection along one dim: sort, argsort, msort, topk, kthvalue. Each returns PyTorch's
 * named tuple (`[values, indices]` with `.values` / `.indices`, ops/return-types.ts); the gradient
 * of the values flows back to the selected elements (value_selecting_reduction_backward).
 */
import { routine } from '../backends/routine.js';
import type { LineArgs } from '../backends/routines/sort.js';
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { IndexError, RuntimeError } from '../errors.js';
import { scalarTypeName } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import { Tensor, normDim } from '../tensor/tensor.js';
import type { MethodTable } from '../tensor/methods.js';
import { checkBool, checkInt, checkOptions } from '../validate.js';
import { scatterAlong } from './reduce.js';
import { type ValuesIndices, valuesIndices } from './return-types.js';
import { checkTensor, denseArray } from './util.js';

/** What the backward of a selection needs besides the saved indices. */
interface SelectState {
  dim: number;
  inShape: readonly number[];
  keepdim: boolean;
}

/**
 * A selection along `dim`: `count` elements of each line, written by `run` (a sort routine);
 * `keepdim` false drops dim (count 1).
 */
export interface Selection {
  dim: number;
  count: number;
  keepdim: boolean;
  run(line: LineArgs): void;
}

/**
 * An op that selects along a dim (`[values, indices]`) under `name` / `nodeName`, with
 * value_selecting_reduction_backward (sort, topk, kthvalue here; median and mode in ops/median.ts).
 */
export function defSelect(name: string, nodeName: string) {
  return defineOp({
    name,
    nodeName,
    forward(ctx: OpCtx<SelectState>, x: Tensor, s: Selection): Tensor[] {
      const full = x.dim() === 0 ? [1] : x.shape;
      const { dim, count } = s;
      const outer = full.slice(0, dim).reduce((p, q) => p * q, 1);
      const inner = full.slice(dim + 1).reduce((p, q) => p * q, 1);
      // [outer, count, inner] in memory, whether the dim is kept or dropped
      const shape = x.dim() === 0 ? [] : full.map((d, i) => (i === dim ? count : d)).filter((_, i) => i !== dim || s.keepdim);
      const values = emptyTensor(shape, x.dtype);
      const indices = emptyTensor(shape, 'int64');
      s.run({ outer, n: full[dim]!, inner, x: denseArray(x), values: values.storage.data, indices: indices.storage.data as Float64Array });
      ctx.save(indices);
      ctx.dim = dim;
      ctx.inShape = x.shape;
      ctx.keepdim = s.keepdim;
      return [values, indices];
    },
    backward(ctx, [gy]) {
      if (!gy) return [null];
      const [indices] = ctx.saved as [Tensor];
      const { dim, inShape, keepdim } = ctx;
      if (inShape.length === 0) return [gy]; // 0-d input: the value is the element
      const g = keepdim ? gy : gy.unsqueeze(dim);
      return [scatterAlong(g, keepdim ? indices : indices.unsqueeze(dim), dim, inShape)];
    },
  });
}
const sortOp = defSelect('sort', 'SortBackward0');
const topkOp = defSelect('topk', 'TopkBackward0');
const kthvalueOp = defSelect('kthvalue', 'KthvalueBackward0');

/** The validated dim and its length (1 for a 0-d tensor). */
function dimAndSize(fn: string, x: Tensor, dim: unknown): [number, number] {
  const d = normDim(checkInt(fn, 'dim', dim), x.dim());
  return [d, x.dim() === 0 ? 1 : x.shape[d]!];
}

/** PyTorch's dispatch error for a kernel without bool (topk, kthvalue). */
function noBool(x: Tensor, kernel: string): void {
  if (x.dtype === 'bool') throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(x.dtype)}'`);
}

function runSort(x: Tensor, dim: unknown, descending: unknown, opts: unknown): ValuesIndices {
  checkTensor('input', x);
  const { stable = false } = checkOptions<{ stable?: boolean }>('sort()', opts ?? {}, ['stable']);
  const [d, n] = dimAndSize('sort()', x, dim);
  const desc = checkBool('sort()', 'descending', descending);
  checkBool('sort()', 'stable', stable);
  const run = (line: LineArgs): void => routine('sortAlong')({ ...line, descending: desc, stable });
  const [v, i] = sortOp(x, { dim: d, count: n, keepdim: true, run });
  return valuesIndices(v!, i!);
}

/**
 * Sorts along `dim` (the last by default), like `torch.sort`: `[values, indices]` (also
 * `.values` / `.indices`; indices int64). NaN sorts as the largest value. With `stable` ties keep
 * their order; without, the order is that of PyTorch 1.13's CPU sort (the same for up to 16
 * elements along `dim`). The gradient flows back through the indices.
 * See https://pytorch.org/docs/1.13/generated/torch.sort.html
 * @example const { values, indices } = torch.sort(x, -1, true);
 */
export function sort(x: Tensor, dim = -1, descending = false, opts: { stable?: boolean } = {}): ValuesIndices {
  return runSort(x, dim, descending, opts);
}

/**
 * The indices that sort `x` along `dim`, like `torch.argsort` (int64; `sort(...).indices`).
 * See https://pytorch.org/docs/1.13/generated/torch.argsort.html
 * @example torch.argsort(scores, 0, true)
 */
export function argsort(x: Tensor, dim = -1, descending = false, opts: { stable?: boolean } = {}): Tensor {
  return runSort(x, dim, descending, opts).indices;
}

/**
 * `x` sorted along its first dim, like `torch.msort` (`sort(x, 0).values`).
 * See https://pytorch.org/docs/1.13/generated/torch.msort.html
 * @example torch.msort(torch.tensor([[2, 1], [1, 2]])) // [[1, 1], [2, 2]]
 */
export function msort(x: Tensor): Tensor {
  return runSort(x, 0, false, {}).values;
}

/**
 * The `k` largest (`largest` false: smallest) elements along `dim`, like `torch.topk`:
 * `[values, indices]` (NaN counts as the largest), equal values in PyTorch's CPU order; with
 * `sorted` false the order is PyTorch's unsorted one.
 * See https://pytorch.org/docs/1.13/generated/torch.topk.html
 * @example const [scores, ids] = torch.topk(logits, 5);
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  checkTensor('input', x);
  checkInt('topk()', 'k', k);
  const [d, n] = dimAndSize('topk()', x, dim);
  checkBool('topk()', 'largest', largest);
  checkBool('topk()', 'sorted', sorted);
  if (k < 0 || k > n) throw new RuntimeError('selected index k out of range');
  noBool(x, 'topk_cpu');
  const run = (line: LineArgs): void => routine('topkAlong')({ ...line, k, largest, sorted });
  const [v, i] = topkOp(x, { dim: d, count: k, keepdim: true, run });
  return valuesIndices(v!, i!);
}

/**
 * The `k`-th smallest element along `dim` (k from 1), like `torch.kthvalue`: `[values, indices]`,
 * `dim` dropped unless `keepdim`. NaN counts as the largest; among equal values the index is the
 * one PyTorch's CPU quickselect picks.
 * See https://pytorch.org/docs/1.13/generated/torch.kthvalue.html
 * @example const { values } = torch.kthvalue(x, 2, 0);
 */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  checkTensor('input', x);
  checkInt('kthvalue()', 'k', k);
  const [d, n] = dimAndSize('kthvalue()', x, dim);
  checkBool('kthvalue()', 'keepdim', keepdim);
  if (n === 0) throw new IndexError(`kthvalue(): Expected reduction dim ${d} to have non-zero size.`);
  if (k < 1 || k > n) throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  noBool(x, 'kthvalue_cpu');
  const run = (line: LineArgs): void => routine('kthvalueAlong')({ ...line, k });
  const [v, i] = kthvalueOp(x, { dim: d, count: 1, keepdim, run });
  return valuesIndices(v!, i!);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Sorted along `dim`, like `Tensor.sort`: `[values, indices]` (also `.values` / `.indices`).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.sort.html
     * @example const { values, indices } = x.sort(0, true, { stable: true });
     */
    sort(dim?: number, descending?: boolean, opts?: { stable?: boolean }): ValuesIndices;
    /**
     * The int64 indices that sort along `dim`, like `Tensor.argsort`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.argsort.html
     * @example x.argsort(-1, true)
     */
    argsort(dim?: number, descending?: boolean, opts?: { stable?: boolean }): Tensor;
    /**
     * Sorted along the first dim, like `Tensor.msort`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.msort.html
     * @example x.msort()
     */
    msort(): Tensor;
    /**
     * The k largest (or smallest) elements along `dim`, like `Tensor.topk`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.topk.html
     * @example const [values, indices] = x.topk(3);
     */
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    /**
     * The k-th smallest element along `dim`, like `Tensor.kthvalue`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.kthvalue.html
     * @example x.kthvalue(1, 0).values
     */
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const sortMethods: MethodTable = {
  sort(this: Tensor, dim = -1, descending = false, opts: { stable?: boolean } = {}) {
    return sort(this, dim, descending, opts);
  },
  argsort(this: Tensor, dim = -1, descending = false, opts: { stable?: boolean } = {}) {
    return argsort(this, dim, descending, opts);
  },
  msort(this: Tensor) {
    return msort(this);
  },
  topk(this: Tensor, k: number, dim = -1, largest = true, sorted = true) {
    return topk(this, k, dim, largest, sorted);
  },
  kthvalue(this: Tensor, k: number, dim = -1, keepdim = false) {
    return kthvalue(this, k, dim, keepdim);
  },
};
