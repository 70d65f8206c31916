/**
 * `unique` and `unique_consecutive`, over all elements or over the slices along a dim. Composed
 * from sort (stable argsort, lexicographic over slices by one stable pass per column, last column
 * first), comparisons, cumsum and index ops, so no loop over memory lives here. The outputs are
 * not differentiable: as in PyTorch, the values output of an input that requires grad has a node
 * whose backward raises NotImplementedError.
 */
import { defineOp } from '../autograd/function.js';
import { IndexError, NotImplementedError, RuntimeError } from '../errors.js';
import { ones, zeros } from '../tensor/factories.js';
import type { MethodTable } from '../tensor/methods.js';
import { type Tensor, normDim } from '../tensor/tensor.js';
import { checkBool, checkOptions, describeValue, isPlainObject } from '../validate.js';
import { indexAdd, indexSelect, nonzero, scatter } from './indexing.js';
import { cat, permute } from './movement.js';
import { cumsum } from './reduce.js';
import { argsort } from './sort.js';
import { checkTensor } from './util.js';

/** The keyword options of `torch.unique` (PyTorch's `sorted`, `return_inverse`, `return_counts`, `dim`). */
export interface UniqueOptions {
  /** Sort the unique values (default true; torchlet always sorts, see `unique`). */
  sorted?: boolean;
  /** Also return, for each input element (or slice), the index of its unique value. */
  returnInverse?: boolean;
  /** Also return how many times each unique value (or slice) occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim instead of unique elements. */
  dim?: number | null;
}

/** The keyword options of `torch.unique_consecutive`. */
export type UniqueConsecutiveOptions = Omit<UniqueOptions, 'sorted'>;

/** The result of `unique`: the values alone, or a tuple with the inverse and/or counts after them. */
export type UniqueResult = Tensor | [Tensor, Tensor] | [Tensor, Tensor, Tensor];

interface Grouped {
  values: Tensor;
  inverse: Tensor;
  counts: Tensor;
}

/**
 * Groups of equal neighbours in `rows` ([n, k] slices, or [n] elements, in order): the first row of
 * each group, each row's group number (`order` says where each row came from) and the group sizes.
 * NaN differs from everything, NaN included, as in PyTorch's comparisons.
 */
function groupNeighbours(rows: Tensor, order: Tensor): Grouped {
  const n = rows.shape[0]!;
  let differs = rows.narrow(0, 1, n - 1).ne(rows.narrow(0, 0, n - 1));
  if (rows.dim() === 2) differs = differs.any(1);
  const starts = cat([ones([1], { dtype: 'bool' }), differs]);
  const group = cumsum(starts, 0).sub(1);
  const firsts = nonzero(starts).reshape(-1);
  const values = indexSelect(rows, 0, firsts);
  const inverse = scatter(zeros([n], { dtype: 'int64' }), 0, order, group);
  const counts = indexAdd(zeros([firsts.numel()], { dtype: 'int64' }), 0, group, ones([n], { dtype: 'int64' }));
  return { values, inverse, counts };
}

/** Unique elements of `x` (flattened): sorted, or consecutive runs in order. */
function uniqueElements(x: Tensor, consecutive: boolean): Grouped {
  const flat = x.reshape(-1);
  const n = flat.numel();
  if (n === 0) return { values: flat.clone(), inverse: zeros(x.shape, { dtype: 'int64' }), counts: zeros([0], { dtype: 'int64' }) };
  const order = consecutive ? arangeOf(n) : argsort(flat, 0, false, { stable: true });
  const g = groupNeighbours(consecutive ? flat : indexSelect(flat, 0, order), order);
  return { ...g, inverse: g.inverse.reshape(x.shape) };
}

function arangeOf(n: number): Tensor {
  return cumsum(ones([n], { dtype: 'int64' }), 0).sub(1);
}

/** Unique slices along `dim` (ATen's _unique_dim_cpu_template): lexicographically sorted, or consecutive. */
function uniqueSlices(x: Tensor, dim: number, consecutive: boolean): Grouped {
  if (x.dim() === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normDim(dim, x.dim());
  const zeroDims = x.shape.filter((s) => s === 0).length;
  if (x.shape[d] === 0) {
    if (zeroDims !== 1) throw new RuntimeError('Number of zero sized dimensions is more than one, so unique cannot be applied ');
    return { values: x.clone(), inverse: zeros([0], { dtype: 'int64' }), counts: zeros([0], { dtype: 'int64' }) };
  }
  if (zeroDims !== 0) throw new RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
  const perm = [d, ...x.shape.keys()].filter((i, j) => j === 0 || i !== d);
  const moved = permute(x, perm);
  const n = x.shape[d]!;
  const rows = moved.reshape(n, -1);
  let order = arangeOf(n);
  if (!consecutive) {
    // lexicographic order of the rows: stable sorts by each column, the last column first
    for (let c = rows.shape[1]! - 1; c >= 0; c--) {
      const key = indexSelect(rows.select(1, c), 0, order);
      order = indexSelect(order, 0, argsort(key, 0, false, { stable: true }));
    }
  }
  const g = groupNeighbours(consecutive ? rows : indexSelect(rows, 0, order), order);
  const back = perm.map((_, i) => perm.indexOf(i));
  return { ...g, values: permute(g.values.reshape([-1, ...moved.shape.slice(1)]), back).contiguous() };
}

/** The values output gets a node that refuses a backward, as PyTorch's `_unique2` and `unique_dim`. */
function defUnique(name: string, nodeName: string) {
  return defineOp({
    name,
    nodeName,
    forward(_ctx, x: Tensor, run: (x: Tensor) => Grouped): Tensor[] {
      const g = run(x);
      return [g.values, g.inverse, g.counts];
    },
    backward() {
      throw new NotImplementedError(`the derivative for '${name}' is not implemented.`);
    },
  });
}
const unique2Op = defUnique('_unique2', 'Unique2Backward0');
const uniqueDimOp = defUnique('unique_dim', 'UniqueDimBackward0');
const uniqueConsecutiveOp = defUnique('unique_consecutive', 'UniqueConsecutiveBackward0');

function pick(out: Tensor[], inverse: boolean, counts: boolean): UniqueResult {
  const [v, i, c] = out as [Tensor, Tensor, Tensor];
  if (inverse && counts) return [v, i, c];
  if (inverse) return [v, i];
  if (counts) return [v, c];
  return v;
}

function dimArg(fn: string, dim: unknown): number | null {
  if (dim === undefined || dim === null) return null;
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${fn}(): argument 'dim' must be int, not ${describeValue(dim)}`);
  return dim;
}

/** Positional arguments or one options object, as PyTorch's keywords. */
function uniqueArgs(args: readonly unknown[]): Required<UniqueOptions> {
  if (args.length === 1 && isPlainObject(args[0])) {
    const o = checkOptions<UniqueOptions>('unique()', args[0], ['sorted', 'returnInverse', 'returnCounts', 'dim']);
    args = [o.sorted, o.returnInverse, o.returnCounts, o.dim];
  }
  const [sorted = true, returnInverse = false, returnCounts = false, dim = null] = args;
  return {
    sorted: checkBool('unique()', 'sorted', sorted),
    returnInverse: checkBool('unique()', 'return_inverse', returnInverse),
    returnCounts: checkBool('unique()', 'return_counts', returnCounts),
    dim: dimArg('unique', dim),
  };
}

/**
 * The unique elements of `x` as a sorted 1-D tensor, or with `dim` the unique slices along `dim`
 * (sorted lexicographically), like `torch.unique`. With `returnInverse` and/or `returnCounts` the
 * result is a tuple `[values, inverse?, counts?]`: `inverse` (int64, `x`'s shape, or `[x.size(dim)]`
 * with `dim`) holds each element's index in `values`, `counts` how often each value occurs.
 * Arguments are positional (`sorted, returnInverse, returnCounts, dim`) or one options object.
 * Deviation: `sorted: false` still sorts (PyTorch 1.13's CPU returns its hash set's order, which
 * its documentation leaves unspecified; later versions sort too), and each NaN is a unique value
 * of its own, sorted last with a count of 1 (PyTorch 1.13 gives NaNs a count of 0).
 * See https://pytorch.org/docs/1.13/generated/torch.unique.html
 * @example const [values, counts] = torch.unique(torch.tensor([2, 1, 2]), { returnCounts: true }); // [1, 2], [1, 2]
 */
export function unique(x: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, opts: UniqueOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
export function unique(x: Tensor, opts: UniqueOptions & ({ returnInverse: true; returnCounts?: false } | { returnInverse?: false; returnCounts: true })): [Tensor, Tensor];
export function unique(x: Tensor, sorted?: boolean, returnInverse?: false, returnCounts?: false, dim?: number | null): Tensor;
export function unique(x: Tensor, sorted: boolean, returnInverse: true, returnCounts: true, dim?: number | null): [Tensor, Tensor, Tensor];
export function unique(x: Tensor, sorted: boolean, returnInverse: boolean, returnCounts?: boolean, dim?: number | null): UniqueResult;
export function unique(x: Tensor, ...args: unknown[]): UniqueResult {
  checkTensor('input', x);
  const o = uniqueArgs(args);
  const out = o.dim === null ? unique2Op(x, (t) => uniqueElements(t, false)) : uniqueDimOp(x, (t) => uniqueSlices(t, o.dim!, false));
  return pick(out, o.returnInverse, o.returnCounts);
}

function consecutiveArgs(args: readonly unknown[]): Required<UniqueConsecutiveOptions> {
  if (args.length === 1 && isPlainObject(args[0])) {
    const o = checkOptions<UniqueConsecutiveOptions>('unique_consecutive()', args[0], ['returnInverse', 'returnCounts', 'dim']);
    args = [o.returnInverse, o.returnCounts, o.dim];
  }
  const [returnInverse = false, returnCounts = false, dim = null] = args;
  return {
    returnInverse: checkBool('unique_consecutive()', 'return_inverse', returnInverse),
    returnCounts: checkBool('unique_consecutive()', 'return_counts', returnCounts),
    dim: dimArg('unique_consecutive', dim),
  };
}

/**
 * The first element of each run of equal consecutive elements of `x` (flattened), or with `dim`
 * of each run of equal consecutive slices along `dim`, like `torch.unique_consecutive`; with
 * `returnInverse` / `returnCounts` a tuple as for `unique`. Arguments are positional
 * (`returnInverse, returnCounts, dim`) or one options object.
 * See https://pytorch.org/docs/1.13/generated/torch.unique_consecutive.html
 * @example torch.uniqueConsecutive(torch.tensor([1, 1, 2, 2, 3, 1])) // tensor([1, 2, 3, 1])
 */
export function uniqueConsecutive(x: Tensor, opts?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function uniqueConsecutive(x: Tensor, opts: UniqueConsecutiveOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
export function uniqueConsecutive(
  x: Tensor,
  opts: UniqueConsecutiveOptions & ({ returnInverse: true; returnCounts?: false } | { returnInverse?: false; returnCounts: true }),
): [Tensor, Tensor];
export function uniqueConsecutive(x: Tensor, returnInverse?: boolean, returnCounts?: boolean, dim?: number | null): UniqueResult;
export function uniqueConsecutive(x: Tensor, ...args: unknown[]): UniqueResult {
  checkTensor('input', x);
  const o = consecutiveArgs(args);
  // PyTorch parity: dim 0 of a 1-D input takes the element path
  const elements = o.dim === null || (x.dim() === 1 && o.dim === 0);
  const out = uniqueConsecutiveOp(x, elements ? (t: Tensor) => uniqueElements(t, true) : (t: Tensor) => uniqueSlices(t, o.dim!, true));
  return pick(out, o.returnInverse, o.returnCounts);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * The unique elements (or slices along `dim`), like `Tensor.unique`; see `torch.unique`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.unique.html
     * @example x.unique(); const [values, inverse] = x.unique({ returnInverse: true });
     */
    unique(opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(opts: UniqueOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
    unique(opts: UniqueOptions & ({ returnInverse: true; returnCounts?: false } | { returnInverse?: false; returnCounts: true })): [Tensor, Tensor];
    unique(sorted?: boolean, returnInverse?: false, returnCounts?: false, dim?: number | null): Tensor;
    unique(sorted: boolean, returnInverse: true, returnCounts: true, dim?: number | null): [Tensor, Tensor, Tensor];
    unique(sorted: boolean, returnInverse: boolean, returnCounts?: boolean, dim?: number | null): UniqueResult;
    /**
     * The first of each run of equal consecutive elements (or slices along `dim`), like
     * `Tensor.unique_consecutive`; see `torch.uniqueConsecutive`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.unique_consecutive.html
     * @example x.uniqueConsecutive({ returnCounts: true })
     */
    uniqueConsecutive(opts?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    uniqueConsecutive(opts: UniqueConsecutiveOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
    uniqueConsecutive(
      opts: UniqueConsecutiveOptions & ({ returnInverse: true; returnCounts?: false } | { returnInverse?: false; returnCounts: true }),
    ): [Tensor, Tensor];
    uniqueConsecutive(returnInverse?: boolean, returnCounts?: boolean, dim?: number | null): UniqueResult;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const uniqueMethods: MethodTable = {
  unique(this: Tensor, ...args: unknown[]) {
    return unique(this, ...(args as [boolean]));
  },
  uniqueConsecutive(this: Tensor, ...args: unknown[]) {
    return uniqueConsecutive(this, ...(args as [boolean]));
  },
};
