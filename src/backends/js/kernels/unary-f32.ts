/**
 * float32 `sin`, `cos` and `sigmoid` in the order PyTorch 1.13's CPU loops visit the elements,
 * because there a result depends on more than its own input:
 *
 * - `sin` / `cos` run SLEEF's 8-lane u10 routines over each inner loop of the iteration in
 *   groups of 8 consecutive elements (the last group padded with zeros). A group with any
 *   |x| >= 125, NaN or infinity reduces all its lanes with Payne-Hanek, which rounds about 1% of
 *   the small lanes' results differently (see sleef-f32.ts).
 * - `sigmoid` is `cpu_kernel_vec`: an inner loop whose input is contiguous runs 16 elements at a
 *   time through SLEEF's expf, and its last `length % 16` elements through the scalar lambda
 *   with glibc's expf; a strided inner loop is all scalar.
 *
 * The inner loops are those of PyTorch's `TensorIterator` for a unary op whose output it
 * allocates: the dimensions sorted by the input's strides (`reorder_dimensions`), the output laid
 * out densely in that order, and adjacent dimensions merged where the input allows
 * (`coalesce_dimensions`). This assumes one intra-op thread (as `torch.get_num_threads()` is
 * under the PyTorch 1.13 that the fixtures come from); with more threads, PyTorch splits tensors
 * of 32768 or more elements at thread boundaries, which moves some group and tail boundaries.
 *
 * @module
 */
import type { View } from '../../backend.js';
import { cosf, sigmoidScalarf, sigmoidVecf, sinf, trigNeedsPayneHanek } from './sleef-f32.js';

/** PyTorch's iteration for a unary op: dims fastest first, sizes > 1 only, and the inner loop. */
interface TorchIteration {
  /** Sizes of the iterated dims, fastest first (size-1 dims dropped). */
  readonly sizes: number[];
  /** The input's strides for those dims. */
  readonly xStrides: number[];
  /** The (torchlet) output's strides for those dims. */
  readonly outStrides: number[];
  /** Elements per inner loop (the coalesced fastest dims). */
  readonly innerLength: number;
  /** Whether the inner loop's input stride is 1 (or 0): `cpu_kernel_vec` vectorises it. */
  readonly innerContiguous: boolean;
}

/**
 * TensorIterator's dimension order and inner loop for `op(x)` with an iterator-allocated output
 * (`reorder_dimensions`, `allocate_or_resize_outputs`, `coalesce_dimensions` of PyTorch 1.13).
 */
function torchIteration(x: View, out: View): TorchIteration {
  const shape = x.shape;
  const nd = shape.length;
  // perm[0] is the fastest dim; start from the reversed (C) order
  const perm: number[] = [];
  for (let d = nd - 1; d >= 0; d--) perm.push(d);
  // should_swap: only the input has strides (the output is allocated later)
  const shouldSwap = (d0: number, d1: number): number => {
    const s0 = x.strides[d0]!;
    const s1 = x.strides[d1]!;
    if (s0 === 0 || s1 === 0) return 0;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    return shape[d0]! > shape[d1]! ? 1 : 0;
  };
  // insertion sort with ambiguous comparisons, as reorder_dimensions does it
  for (let i = 1; i < nd; i++) {
    let dim1 = i;
    for (let dim0 = i - 1; dim0 >= 0; dim0--) {
      const c = shouldSwap(perm[dim0]!, perm[dim1]!);
      if (c > 0) {
        const t = perm[dim0]!;
        perm[dim0] = perm[dim1]!;
        perm[dim1] = t;
        dim1 = dim0;
      } else if (c < 0) {
        break;
      }
    }
  }
  // coalesce_dimensions over (input, output dense in perm order); the output always merges
  const cs: number[] = [];
  const cx: number[] = [];
  for (const d of perm) {
    const size = shape[d]!;
    const stride = x.strides[d]!;
    const k = cs.length - 1;
    if (k < 0) {
      cs.push(size);
      cx.push(stride);
    } else if (cs[k] === 1 || size === 1 || cs[k]! * cx[k]! === stride) {
      if (cs[k] === 1) cx[k] = stride;
      cs[k]! *= size;
    } else {
      cs.push(size);
      cx.push(stride);
    }
  }
  const sizes: number[] = [];
  const xStrides: number[] = [];
  const outStrides: number[] = [];
  for (const d of perm) {
    if (shape[d] === 1) continue;
    sizes.push(shape[d]!);
    xStrides.push(x.strides[d]!);
    outStrides.push(out.strides[d]!);
  }
  const innerLength = nd === 0 ? 1 : cs[0]!;
  return { sizes, xStrides, outStrides, innerLength, innerContiguous: nd === 0 || cx[0] === 1 || cx[0] === 0 };
}

/**
 * Visits x's elements in PyTorch's iteration order: `visit(xOffset, outOffset, position in the
 * inner loop)`.
 */
function forEachInTorchOrder(it: TorchIteration, x: View, out: View, visit: (ix: number, io: number, pos: number) => void): void {
  const { sizes, xStrides, outStrides, innerLength } = it;
  const nd = sizes.length;
  const idx = new Array<number>(nd).fill(0);
  let n = 1;
  for (const s of sizes) n *= s;
  let ix = x.offset;
  let io = out.offset;
  let pos = 0;
  for (let e = 0; e < n; e++) {
    visit(ix, io, pos);
    if (++pos === innerLength) pos = 0;
    for (let d = 0; d < nd; d++) {
      ix += xStrides[d]!;
      io += outStrides[d]!;
      if (++idx[d]! < sizes[d]!) break;
      ix -= xStrides[d]! * sizes[d]!;
      io -= outStrides[d]! * sizes[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * out (float32, contiguous) = op(x) (float32, strided) for `sin`, `cos` and `sigmoid`, with
 * PyTorch 1.13's bits (see the module comment). `rowMajor`: x covers its elements in row-major
 * order without gaps (then PyTorch's order is x's own, in one inner loop).
 * @example unaryTorchOrderF32('sin', xView, outView, true)
 */
export function unaryTorchOrderF32(op: 'sin' | 'cos' | 'sigmoid', x: View, out: View, rowMajor: boolean): void {
  const xd = x.data as Float32Array;
  const od = out.data as Float32Array;
  let n = 1;
  for (const s of x.shape) n *= s;
  if (n === 0) return;
  if (rowMajor) {
    // one inner loop over all elements, in memory order
    const x0 = x.offset;
    const o0 = out.offset;
    if (op === 'sigmoid') {
      const vec = n - (n % 16);
      for (let i = 0; i < vec; i++) od[o0 + i] = sigmoidVecf(xd[x0 + i]!);
      for (let i = vec; i < n; i++) od[o0 + i] = sigmoidScalarf(xd[x0 + i]!);
      return;
    }
    const f = op === 'sin' ? sinf : cosf;
    for (let g = 0; g < n; g += 8) {
      const end = Math.min(g + 8, n);
      let wide = false;
      for (let i = g; i < end; i++) if (trigNeedsPayneHanek(xd[x0 + i]!)) wide = true;
      for (let i = g; i < end; i++) od[o0 + i] = f(xd[x0 + i]!, wide);
    }
    return;
  }
  const it = torchIteration(x, out);
  const len = it.innerLength;
  if (op === 'sigmoid') {
    const vec = it.innerContiguous ? len - (len % 16) : 0;
    forEachInTorchOrder(it, x, out, (ix, io, pos) => {
      od[io] = pos < vec ? sigmoidVecf(xd[ix]!) : sigmoidScalarf(xd[ix]!);
    });
    return;
  }
  // sin / cos: collect each group of 8 of an inner loop, then evaluate it
  const f = op === 'sin' ? sinf : cosf;
  const gx = new Float64Array(8);
  const go = new Float64Array(8);
  let count = 0;
  let wide = false;
  const flush = (): void => {
    for (let k = 0; k < count; k++) od[go[k]!] = f(gx[k]!, wide);
    count = 0;
    wide = false;
  };
  forEachInTorchOrder(it, x, out, (ix, io, pos) => {
    const v = xd[ix]!;
    gx[count] = v;
    go[count] = io;
    if (trigNeedsPayneHanek(v)) wide = true;
    if (++count === 8 || pos === len - 1) flush();
  });
}
