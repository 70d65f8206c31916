/**
 * Reference reduction kernels.
 *
 * Legend: x is a strided input view of rank nd; dims are the reduced dims (sorted, distinct);
 * out is contiguous with x's shape minus the reduced dims.
 * Strategy: walk x in row-major order and accumulate into a float64 accumulator whose offset
 * advances by "out strides" that are zero on reduced dims. Accumulating in float64 keeps float32
 * sums within a few ulps of PyTorch's cascade sums.
 * argmax/argmin reduce one dim: x is viewed with that dim last, so each output is one strided row.
 */
import type { ReduceOp, View } from '../../backend.js';

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Reduce x over dims into out. */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
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
  if (n > 0) {
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
  if (od instanceof Uint8Array) for (let i = 0; i < outN; i++) od[out.offset + i] = acc[i] !== 0 ? 1 : 0;
  else (od as Float64Array).set(acc, out.offset);
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
