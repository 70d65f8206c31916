/**
 * Reference reduction kernels.
 *
 * Legend: x is a strided input view of rank nd; dims are the reduced dims (sorted, distinct);
 * out is contiguous with x's shape minus the reduced dims.
 * Strategy: walk x in row-major order and accumulate into a float64 accumulator whose offset
 * advances by "out strides" that are zero on reduced dims. Accumulating in float64 keeps float32
 * sums within a few ulps of PyTorch's cascade sums.
 * argmax/argmin reduce one dim: x is viewed with that dim last, so each output is one strided row.
 * The kernels along one dim (softmax, its backward, scans) are at the end of the file.
 */
import type { ReduceOp, ScanOp, ScanOptions, SoftmaxOp, View } from '../../backend.js';
import { isBoolArray } from '../../../tensor/dtype.js';
import { anyReduced, rowMajor, viaFloat32 } from './reduced-float.js';

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Reduce x over dims into out. */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
  if (anyReduced([x, out])) {
    // float16/bfloat16: accumulated in float (here float64), the result rounded once
    viaFloat32([x], out, ([wx], wo) => reduce(op, wx!, dims, wo!));
    return;
  }
  if (op === 'argmax' || op === 'argmin') {
    argReduce(op === 'argmax', x, dims, out);
    return;
  }
  const nd = x.shape.length;
  const outN = numelOf(out.shape);
  const red = new Array<boolean>(nd).fill(false);
  for (const d of dims) red[d] = true;
  const ostr = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (red[d]) ostr[d] = 0;
    else {
      ostr[d] = s;
      s *= x.shape[d]!;
    }
  }
  const init = op === 'sum' || op === 'any' ? 0 : op === 'prod' || op === 'all' ? 1 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(outN).fill(init);
  const n = numelOf(x.shape);
  if (n > 0 && op === 'sum' && (x.data instanceof Float32Array || x.data instanceof Float64Array)) {
    sumFloat(x, ostr, acc, n);
  } else if (n > 0) {
    const xd = x.data;
    const inner = nd === 0 ? 1 : x.shape[nd - 1]!;
    const sx = nd === 0 ? 0 : x.strides[nd - 1]!;
    const so = nd === 0 ? 0 : ostr[nd - 1]!;
    const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
    let ix = x.offset;
    let io = 0;
    const rows = n / inner;
    for (let r = 0; r < rows; r++) {
      let a = ix;
      let b = io;
      switch (op) {
        case 'sum':
          if (so === 0) {
            let t = 0;
            for (let i = 0; i < inner; i++, a += sx) t += xd[a]!;
            acc[b] = acc[b]! + t;
          } else for (let i = 0; i < inner; i++, a += sx, b += so) acc[b] = acc[b]! + xd[a]!;
          break;
        case 'prod':
          for (let i = 0; i < inner; i++, a += sx, b += so) acc[b] = acc[b]! * xd[a]!;
          break;
        case 'max':
          for (let i = 0; i < inner; i++, a += sx, b += so) {
            const v = xd[a]!;
            const c = acc[b]!;
            if (v > c || v !== v) acc[b] = c !== c ? c : v;
          }
          break;
        case 'min':
          for (let i = 0; i < inner; i++, a += sx, b += so) {
            const v = xd[a]!;
            const c = acc[b]!;
            if (v < c || v !== v) acc[b] = c !== c ? c : v;
          }
          break;
        case 'any':
          for (let i = 0; i < inner; i++, a += sx, b += so) if (xd[a] !== 0) acc[b] = 1;
          break;
        case 'all':
          for (let i = 0; i < inner; i++, a += sx, b += so) if (xd[a] === 0) acc[b] = 0;
          break;
      }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]!++;
        ix += x.strides[d]!;
        io += ostr[d]!;
        if (idx[d]! < x.shape[d]!) break;
        ix -= x.strides[d]! * x.shape[d]!;
        io -= ostr[d]! * x.shape[d]!;
        idx[d] = 0;
      }
    }
  }
  const od = out.data;
  if (isBoolArray(od)) for (let i = 0; i < outN; i++) od[out.offset + i] = acc[i] !== 0 ? 1 : 0;
  else (od as Float64Array).set(acc, out.offset);
}

/**
 * `reduce`'s sum over float input, the same walk and order (so the same result), in a function
 * of its own: its element reads see only Float32Array and Float64Array, where the shared loop
 * sees every array type and its reads go megamorphic.
 */
function sumFloat(x: View, ostr: readonly number[], acc: Float64Array, n: number): void {
  const xd = x.data as Float32Array;
  const nd = x.shape.length;
  const inner = nd === 0 ? 1 : x.shape[nd - 1]!;
  const sx = nd === 0 ? 0 : x.strides[nd - 1]!;
  const so = nd === 0 ? 0 : ostr[nd - 1]!;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let ix = x.offset;
  let io = 0;
  const rows = n / inner;
  for (let r = 0; r < rows; r++) {
    let a = ix;
    if (so === 0) {
      let t = 0;
      for (let i = 0; i < inner; i++, a += sx) t += xd[a]!;
      acc[io] = acc[io]! + t;
    } else for (let i = 0, b = io; i < inner; i++, a += sx, b += so) acc[b] = acc[b]! + xd[a]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      ix += x.strides[d]!;
      io += ostr[d]!;
      if (idx[d]! < x.shape[d]!) break;
      ix -= x.strides[d]! * x.shape[d]!;
      io -= ostr[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
}

/** argmax / argmin over exactly one dim, or over all elements (flattened) when dims lists them all. */
function argReduce(isMax: boolean, x: View, dims: readonly number[], out: View): void {
  const nd = x.shape.length;
  let rowShape: number[];
  let rowStrides: number[];
  let len: number;
  let step: number;
  if (dims.length === 1 && nd > 0) {
    const d = dims[0]!;
    rowShape = x.shape.filter((_, i) => i !== d);
    rowStrides = x.strides.filter((_, i) => i !== d);
    len = x.shape[d]!;
    step = x.strides[d]!;
  } else {
    // flattened: requires a contiguous x (the op layer guarantees it)
    rowShape = [];
    rowStrides = [];
    len = numelOf(x.shape);
    step = 1;
  }
  const outN = numelOf(rowShape);
  const xd = x.data;
  const od = out.data;
  const idx = new Array<number>(rowShape.length).fill(0);
  let base = x.offset;
  for (let r = 0; r < outN; r++) {
    let best = xd[base]!;
    let bi = 0;
    let a = base + step;
    if (best === best) {
      for (let i = 1; i < len; i++, a += step) {
        const v = xd[a]!;
        if (v !== v) {
          bi = i;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bi = i;
        }
      }
    }
    od[out.offset + r] = bi;
    for (let d = rowShape.length - 1; d >= 0; d--) {
      idx[d]!++;
      base += rowStrides[d]!;
      if (idx[d]! < rowShape[d]!) break;
      base -= rowStrides[d]! * rowShape[d]!;
      idx[d] = 0;
    }
  }
}

// ---------------------------------------------------------------- along one dim

/**
 * Storage offsets of the first element of every row along `dim` (a row = all elements that differ
 * only in their index on `dim`), in row-major order of the other dims. Kernels that work along one
 * dim loop over these rows with a constant stride, so there is no per-element index arithmetic.
 */
function rowBases(shape: readonly number[], strides: readonly number[], offset: number, dim: number): Float64Array {
  const nd = shape.length;
  let rows = 1;
  for (let d = 0; d < nd; d++) if (d !== dim) rows *= shape[d]!;
  const out = new Float64Array(rows);
  if (rows === 0) return out;
  const idx = new Array<number>(nd).fill(0);
  let off = offset;
  for (let r = 0; r < rows; r++) {
    out[r] = off;
    for (let d = nd - 1; d >= 0; d--) {
      if (d === dim) continue;
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** A 0-d view seen as one row of length 1, so kernels along a dim need no scalar special case. */
function asRow(v: View): View {
  return v.shape.length === 0 ? { data: v.data, shape: [1], strides: [1], offset: v.offset } : v;
}

/**
 * Softmax family along `dim`. Legend: L = size of `dim`; each row is L elements with stride sx in x
 * and so in out (out is contiguous with x's shape).
 * Per row: m = max over the non-NaN elements (a NaN still poisons the row through the sum, as in
 * PyTorch), s = sum exp(x - m) in float64, then
 *   softmax:     out = exp(x - m) / s
 *   log_softmax: out = x - m - log(s)
 * Subtracting m keeps logits like 1e4 finite; a row that is all -inf gives (-inf) - (-inf) = NaN,
 * which is PyTorch's answer.
 */
export function softmax(op: SoftmaxOp, x0: View, dim: number, out0: View): void {
  if (anyReduced([x0, out0])) {
    viaFloat32([x0], out0, ([wx], wo) => softmax(op, wx!, dim, wo!));
    return;
  }
  const x = asRow(x0);
  const out = asRow(out0);
  const len = x.shape[dim]!;
  const xb = rowBases(x.shape, x.strides, x.offset, dim);
  const ob = rowBases(out.shape, rowMajor(out.shape), out.offset, dim);
  const sx = x.strides[dim]!;
  const so = rowMajor(out.shape)[dim]!;
  const xd = x.data;
  const od = out.data;
  const tmp = new Float64Array(len); // exp(x - m) of the current row, kept in float64
  for (let r = 0; r < xb.length; r++) {
    const a0 = xb[r]!;
    const b0 = ob[r]!;
    let m = -Infinity;
    for (let i = 0, a = a0; i < len; i++, a += sx) {
      const v = xd[a]!;
      if (v > m) m = v;
    }
    let s = 0;
    if (op === 'softmax') {
      for (let i = 0, a = a0; i < len; i++, a += sx) {
        const e = Math.exp(xd[a]! - m);
        tmp[i] = e;
        s += e;
      }
      for (let i = 0, b = b0; i < len; i++, b += so) od[b] = tmp[i]! / s;
    } else {
      for (let i = 0, a = a0; i < len; i++, a += sx) s += Math.exp(xd[a]! - m);
      const ls = Math.log(s);
      for (let i = 0, a = a0, b = b0; i < len; i++, a += sx, b += so) od[b] = xd[a]! - m - ls;
    }
  }
}

/**
 * Gradient of the softmax family along `dim` from the op's output y and the output gradient gy
 * (both strided views of one shape); out is contiguous.
 *   softmax:     gx = y * (gy - sum(gy * y))
 *   log_softmax: gx = gy - exp(y) * sum(gy)
 */
export function softmaxBackward(op: SoftmaxOp, y0: View, gy0: View, dim: number, out0: View): void {
  if (anyReduced([y0, gy0, out0])) {
    viaFloat32([y0, gy0], out0, ([wy, wg], wo) => softmaxBackward(op, wy!, wg!, dim, wo!));
    return;
  }
  const y = asRow(y0);
  const gy = asRow(gy0);
  const out = asRow(out0);
  const len = y.shape[dim]!;
  const yb = rowBases(y.shape, y.strides, y.offset, dim);
  const gb = rowBases(gy.shape, gy.strides, gy.offset, dim);
  const ob = rowBases(out.shape, rowMajor(out.shape), out.offset, dim);
  const sy = y.strides[dim]!;
  const sg = gy.strides[dim]!;
  const so = rowMajor(out.shape)[dim]!;
  const yd = y.data;
  const gd = gy.data;
  const od = out.data;
  for (let r = 0; r < yb.length; r++) {
    const a0 = yb[r]!;
    const g0 = gb[r]!;
    const b0 = ob[r]!;
    let s = 0;
    if (op === 'softmax') {
      for (let i = 0, a = a0, g = g0; i < len; i++, a += sy, g += sg) s += gd[g]! * yd[a]!;
      for (let i = 0, a = a0, g = g0, b = b0; i < len; i++, a += sy, g += sg, b += so) od[b] = yd[a]! * (gd[g]! - s);
    } else {
      for (let i = 0, g = g0; i < len; i++, g += sg) s += gd[g]!;
      for (let i = 0, a = a0, g = g0, b = b0; i < len; i++, a += sy, g += sg, b += so) od[b] = gd[g]! - Math.exp(yd[a]!) * s;
    }
  }
}

/**
 * Running sum or product along `dim` into out (contiguous, x's shape). The accumulator is a float64
 * (PyTorch's CPU scan also accumulates floats in double). `reverse` scans from the end; `exclusive`
 * writes the accumulator before folding in the current element (out[0] is the identity).
 */
export function scan(op: ScanOp, x0: View, dim: number, out0: View, o: ScanOptions): void {
  if (anyReduced([x0, out0])) {
    // float16/bfloat16: a float accumulator, each output rounded once (PyTorch's acc_type)
    viaFloat32([x0], out0, ([wx], wo) => scan(op, wx!, dim, wo!, o));
    return;
  }
  const x = asRow(x0);
  const out = asRow(out0);
  const len = x.shape[dim]!;
  const xb = rowBases(x.shape, x.strides, x.offset, dim);
  const ob = rowBases(out.shape, rowMajor(out.shape), out.offset, dim);
  let sx = x.strides[dim]!;
  let so = rowMajor(out.shape)[dim]!;
  const first = o.reverse ? len - 1 : 0;
  if (o.reverse) {
    sx = -sx;
    so = -so;
  }
  const xd = x.data;
  const od = out.data;
  const isSum = op === 'cumsum';
  for (let r = 0; r < xb.length; r++) {
    let a = xb[r]! - first * sx;
    let b = ob[r]! - first * so;
    let acc = isSum ? 0 : 1;
    if (o.exclusive) {
      for (let i = 0; i < len; i++, a += sx, b += so) {
        od[b] = acc;
        acc = isSum ? acc + xd[a]! : acc * xd[a]!;
      }
    } else if (isSum) {
      for (let i = 0; i < len; i++, a += sx, b += so) od[b] = acc += xd[a]!;
    } else {
      for (let i = 0; i < len; i++, a += sx, b += so) od[b] = acc *= xd[a]!;
    }
  }
}
