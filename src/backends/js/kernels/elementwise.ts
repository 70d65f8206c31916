/**
 * Reference element-wise kernels.
 *
 * Legend: x, a, b are strided input views; out is contiguous with the output shape.
 * Strategy: iterate the output in row-major order, keeping one running offset per input. The
 * innermost dim is a tight loop with constant input strides; the op switch sits outside it, so
 * there is no per-element dispatch or closure.
 */
import type { BinaryOp, UnaryOp, View } from '../../backend.js';
import { BFloat16Bits, type TypedArray, isBoolArray } from '../../../tensor/dtype.js';
import { isReducedFloatArray, rowMajor, storeReduced, viaFloat32, widen } from './reduced-float.js';
import { erff, expf, expm1f, log1pf, logf, tanhf } from './sleef-f32.js';
import { unaryTorchOrderF32 } from './unary-f32.js';

/** Number of elements of a shape. */
function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Walk the outer dims of `shape` (all but the last) in row-major order and call `row(offsets)` with
 * each input's starting offset for the current innermost row. `offs` is reused between calls.
 */
function forEachRow(
  shape: readonly number[],
  views: readonly View[],
  row: (offs: Int32Array | number[], outStart: number) => void,
): void {
  const nd = shape.length;
  const nv = views.length;
  const offs = new Array<number>(nv);
  for (let v = 0; v < nv; v++) offs[v] = views[v]!.offset;
  if (nd <= 1) {
    row(offs, 0);
    return;
  }
  const inner = shape[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  const rows = numelOf(shape) / (inner || 1);
  if (inner === 0 || rows === 0) return;
  let outStart = 0;
  for (let r = 0; r < rows; r++) {
    row(offs, outStart);
    outStart += inner;
    // increment the multi-index over dims nd-2 .. 0
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      for (let v = 0; v < nv; v++) offs[v]! += views[v]!.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      for (let v = 0; v < nv; v++) offs[v]! -= views[v]!.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function innerStride(v: View): number {
  return v.shape.length === 0 ? 0 : v.strides[v.shape.length - 1]!;
}

function innerSize(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/** True when the view covers `numel` consecutive elements in row-major order. */
export function isContiguousView(v: View): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const s = v.shape[d]!;
    if (s !== 1 && v.strides[d] !== expected) return false;
    expected *= s;
  }
  return true;
}

/**
 * Strided copy from x into out (out may be strided); values are converted by the typed arrays
 * (integer targets truncate toward zero and wrap around), float16/bfloat16 by rounding to nearest
 * even from float32 (a float64 source is rounded to float32 first, as PyTorch converts).
 */
export function copy(x: View, out: View): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const xd = x.data;
  const od = out.data;
  if (xd.constructor !== od.constructor && (isReducedFloatArray(xd) || isReducedFloatArray(od))) {
    copyReduced(x, out, n);
    return;
  }
  const boolOut = isBoolArray(od);
  if (xd.constructor === od.constructor && isContiguousView(x) && isContiguousView(out)) {
    (od as Float64Array).set(xd.subarray(x.offset, x.offset + n) as Float64Array, out.offset);
    return;
  }
  if (xd.constructor === od.constructor && (xd instanceof Float32Array || xd instanceof Float64Array)) {
    copyFloat(x, out, n);
    return;
  }
  const inner = innerSize(out.shape);
  const sx = innerStride(x);
  const so = innerStride(out);
  // Integer targets truncate toward zero; bool targets store 0/1.
  forEachRow(out.shape, [x, out], (offs) => {
    let ix = offs[0]!;
    let io = offs[1]!;
    if (boolOut) {
      for (let i = 0; i < inner; i++, ix += sx, io += so) od[io] = xd[ix] !== 0 ? 1 : 0;
    } else {
      for (let i = 0; i < inner; i++, ix += sx, io += so) od[io] = xd[ix]!;
    }
  });
}

/**
 * `copy` between float arrays of one type (the hot case: contiguous copies of transposed views):
 * no per-row closure, and element accesses that only ever see Float32Array and Float64Array (the
 * generic loop sees every array type and its element accesses go megamorphic). Unit-stride rows
 * of 32 or more elements are block copies.
 */
function copyFloat(x: View, out: View, n: number): void {
  const xd = x.data as Float32Array;
  const od = out.data as Float32Array;
  const shape = out.shape;
  const nd = shape.length;
  if (nd === 0) {
    od[out.offset] = xd[x.offset]!;
    return;
  }
  const inner = shape[nd - 1]!;
  const sx = x.strides[nd - 1]!;
  const so = out.strides[nd - 1]!;
  const rows = n / inner;
  const block = sx === 1 && so === 1 && inner >= 32;
  const idx = nd > 1 ? new Array<number>(nd - 1).fill(0) : [];
  let ix = x.offset;
  let io = out.offset;
  for (let r = 0; r < rows; r++) {
    if (block) od.set(xd.subarray(ix, ix + inner), io);
    else for (let i = 0, a = ix, b = io; i < inner; i++, a += sx, b += so) od[b] = xd[a]!;
    for (let d = nd - 2; d >= 0; d--) {
      const sz = shape[d]!;
      ix += x.strides[d]!;
      io += out.strides[d]!;
      if (++idx[d]! < sz) break;
      ix -= x.strides[d]! * sz;
      io -= out.strides[d]! * sz;
      idx[d] = 0;
    }
  }
}

/** `copy` between different element types where one side is float16/bfloat16. */
function copyReduced(x: View, out: View, n: number): void {
  const wx = widen(x);
  if (!isReducedFloatArray(out.data)) {
    copy(wx, out);
    return;
  }
  const tmp = new Float32Array(n);
  copy(wx, { data: tmp, shape: out.shape, strides: rowMajor(out.shape), offset: 0 });
  // PyTorch's vectorised float32 -> bfloat16 conversion writes NaN as 0xffff
  storeReduced(tmp, out, x.data instanceof Float32Array && out.data instanceof BFloat16Bits ? 0xffff : undefined);
}

/** Truncates float values toward zero when writing into integer storage held as Float64Array (int64). */
export function truncInPlace(data: Float64Array, offset: number, n: number): void {
  for (let i = offset; i < offset + n; i++) data[i] = Math.trunc(data[i]!);
}

// erf: Maclaurin series below |x| = 3 (relative error ~1e-13 there), continued fraction for erfc above.
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(ax) = exp(-ax^2)/sqrt(pi) * 1/(ax + (1/2)/(ax + 1/(ax + (3/2)/(ax + ...)))), evaluated bottom-up
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const c = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - c : c - 1;
}

export { erf as erfScalar };

/** out (contiguous) = op(x). */
export function unary(op: UnaryOp, x: View, out: View, params: readonly number[] = []): void {
  const n = numelOf(x.shape);
  if (n === 0) return;
  if (isReducedFloatArray(x.data) || isReducedFloatArray(out.data)) {
    viaFloat32([x], out, ([wx], wo) => unary(op, wx!, wo!, params));
    return;
  }
  const xd = x.data;
  const od = out.data as TypedArray;
  // float32: PyTorch's AVX2 bits (SLEEF's vectorised functions, see sleef-f32.ts)
  const f32 = xd instanceof Float32Array && od instanceof Float32Array;
  if (f32 && (op === 'sin' || op === 'cos' || op === 'sigmoid')) {
    unaryTorchOrderF32(op, x, out, isContiguousView(x)); // results depend on PyTorch's loops
    return;
  }
  const inner = innerSize(x.shape);
  const sx = innerStride(x);
  const p0 = params[0] ?? 0;
  const p1 = params[1] ?? 0;
  const oOff = out.offset;
  forEachRow(x.shape, [x], (offs, outStart) => {
    let ix = offs[0]!;
    const o0 = oOff + outStart;
    const o1 = o0 + inner;
    switch (op) {
      case 'copy':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = xd[ix]!;
        break;
      case 'neg':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = -xd[ix]!;
        break;
      case 'abs':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.abs(xd[ix]!);
        break;
      case 'exp':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = expf(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.exp(xd[ix]!);
        break;
      case 'log':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = logf(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.log(xd[ix]!);
        break;
      case 'log1p':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = log1pf(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.log1p(xd[ix]!);
        break;
      case 'expm1':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = expm1f(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.expm1(xd[ix]!);
        break;
      case 'sqrt':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.sqrt(xd[ix]!);
        break;
      case 'rsqrt':
        // float32: 1 / sqrt in float (Vectorized<float>::rsqrt and the scalar lambda alike)
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = 1 / Math.fround(Math.sqrt(xd[ix]!));
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = 1 / Math.sqrt(xd[ix]!);
        break;
      case 'sin':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.sin(xd[ix]!);
        break;
      case 'cos':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.cos(xd[ix]!);
        break;
      case 'tanh':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = tanhf(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.tanh(xd[ix]!);
        break;
      case 'sigmoid':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          // exp of a non-positive argument only: finite for any input
          if (v >= 0) od[o] = 1 / (1 + Math.exp(-v));
          else {
            const e = Math.exp(v);
            od[o] = e / (1 + e);
          }
        }
        break;
      case 'relu':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = v > 0 ? v : v !== v ? v : 0;
        }
        break;
      case 'sign':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = v > 0 ? 1 : v < 0 ? -1 : 0; // PyTorch parity: sign(NaN) = 0
        }
        break;
      case 'floor':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.floor(xd[ix]!);
        break;
      case 'ceil':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.ceil(xd[ix]!);
        break;
      case 'round':
        // round half to even, like torch.round
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          const r = Math.round(v);
          od[o] = Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
        }
        break;
      case 'trunc':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.trunc(xd[ix]!);
        break;
      case 'reciprocal':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = 1 / xd[ix]!;
        break;
      case 'square':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = v * v;
        }
        break;
      case 'erf':
        if (f32) for (let o = o0; o < o1; o++, ix += sx) od[o] = erff(xd[ix]!);
        else for (let o = o0; o < o1; o++, ix += sx) od[o] = erf(xd[ix]!);
        break;
      case 'gelu':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
        }
        break;
      case 'gelu_tanh':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
        }
        break;
      case 'logical_not':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = xd[ix] === 0 ? 1 : 0;
        break;
      case 'isnan':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = xd[ix] !== xd[ix] ? 1 : 0;
        break;
      case 'isinf':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.abs(xd[ix]!) === Infinity ? 1 : 0;
        break;
      case 'leaky_relu':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = v > 0 ? v : v * p0;
        }
        break;
      case 'pow_scalar':
        if (p0 === 2) {
          for (let o = o0; o < o1; o++, ix += sx) {
            const v = xd[ix]!;
            od[o] = v * v;
          }
        } else if (p0 === 0.5) {
          for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.sqrt(xd[ix]!);
        } else {
          for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.pow(xd[ix]!, p0);
        }
        break;
      case 'rpow_scalar':
        for (let o = o0; o < o1; o++, ix += sx) od[o] = Math.pow(p0, xd[ix]!);
        break;
      case 'clamp': {
        const lo = p0;
        const hi = p1;
        const hasLo = lo === lo;
        const hasHi = hi === hi;
        for (let o = o0; o < o1; o++, ix += sx) {
          let v = xd[ix]!;
          if (v !== v) {
            od[o] = v;
            continue;
          }
          if (hasLo && v < lo) v = lo;
          if (hasHi && v > hi) v = hi;
          od[o] = v;
        }
        break;
      }
      case 'softplus':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          const bv = v * p0;
          od[o] = bv > p1 ? v : Math.log1p(Math.exp(bv)) / p0;
        }
        break;
      case 'elu':
        for (let o = o0; o < o1; o++, ix += sx) {
          const v = xd[ix]!;
          od[o] = v > 0 ? v : p0 * Math.expm1(v);
        }
        break;
      default:
        throw new Error(`unknown unary op ${op satisfies never}`);
    }
  });
}

/** out (contiguous) = op(a, b); a and b are already broadcast to out's shape. */
export function binary(op: BinaryOp, a: View, b: View, out: View): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  if (isReducedFloatArray(a.data) || isReducedFloatArray(b.data) || isReducedFloatArray(out.data)) {
    viaFloat32([a, b], out, ([wa, wb], wo) => binary(op, wa!, wb!, wo!));
    return;
  }
  const ad = a.data;
  const bd = b.data;
  const od = out.data as TypedArray;
  const inner = innerSize(out.shape);
  const sa = innerStride(a);
  const sb = innerStride(b);
  const oOff = out.offset;
  forEachRow(out.shape, [a, b], (offs, outStart) => {
    let ia = offs[0]!;
    let ib = offs[1]!;
    const o0 = oOff + outStart;
    const o1 = o0 + inner;
    switch (op) {
      case 'add':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! + bd[ib]!;
        break;
      case 'sub':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! - bd[ib]!;
        break;
      case 'mul':
        // int32 wraps modulo 2^32 as C++'s does: a double product past 2^53 would lose the low bits
        if (od instanceof Int32Array) for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = Math.imul(ad[ia]!, bd[ib]!);
        else for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! * bd[ib]!;
        break;
      case 'div':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! / bd[ib]!;
        break;
      case 'pow':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = Math.pow(ad[ia]!, bd[ib]!);
        break;
      case 'maximum':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) {
          const x = ad[ia]!;
          const y = bd[ib]!;
          od[o] = x !== x || y !== y ? NaN : x > y ? x : y;
        }
        break;
      case 'minimum':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) {
          const x = ad[ia]!;
          const y = bd[ib]!;
          od[o] = x !== x || y !== y ? NaN : x < y ? x : y;
        }
        break;
      case 'eq':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia] === bd[ib] ? 1 : 0;
        break;
      case 'ne':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia] !== bd[ib] ? 1 : 0;
        break;
      case 'lt':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! < bd[ib]! ? 1 : 0;
        break;
      case 'le':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! <= bd[ib]! ? 1 : 0;
        break;
      case 'gt':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! > bd[ib]! ? 1 : 0;
        break;
      case 'ge':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! >= bd[ib]! ? 1 : 0;
        break;
      case 'logical_and':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia] !== 0 && bd[ib] !== 0 ? 1 : 0;
        break;
      case 'logical_or':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia] !== 0 || bd[ib] !== 0 ? 1 : 0;
        break;
      case 'logical_xor':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = (ad[ia] !== 0) !== (bd[ib] !== 0) ? 1 : 0;
        break;
      case 'atan2':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = Math.atan2(ad[ia]!, bd[ib]!);
        break;
      case 'remainder':
        // Python-style modulo: the result has the sign of the divisor
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) {
          const x = ad[ia]!;
          const y = bd[ib]!;
          const r = x % y;
          od[o] = r !== 0 && r < 0 !== y < 0 ? r + y : r;
        }
        break;
      case 'fmod':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = ad[ia]! % bd[ib]!;
        break;
      case 'floor_divide':
        for (let o = o0; o < o1; o++, ia += sa, ib += sb) od[o] = Math.floor(ad[ia]! / bd[ib]!);
        break;
      default:
        throw new Error(`unknown binary op ${op satisfies never}`);
    }
  });
}

/** out (contiguous) = cond ? a : b. */
export function where(cond: View, a: View, b: View, out: View): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  // a selection: float16/bfloat16 patterns move unchanged when a, b and out share their type
  const C = out.data.constructor;
  if ((isReducedFloatArray(a.data) || isReducedFloatArray(b.data) || isReducedFloatArray(out.data)) && (a.data.constructor !== C || b.data.constructor !== C)) {
    viaFloat32([cond, a, b], out, ([wc, wa, wb], wo) => where(wc!, wa!, wb!, wo!));
    return;
  }
  const cd = cond.data;
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  const inner = innerSize(out.shape);
  const sc = innerStride(cond);
  const sa = innerStride(a);
  const sb = innerStride(b);
  forEachRow(out.shape, [cond, a, b], (offs, outStart) => {
    let ic = offs[0]!;
    let ia = offs[1]!;
    let ib = offs[2]!;
    const o0 = out.offset + outStart;
    for (let o = o0; o < o0 + inner; o++, ic += sc, ia += sa, ib += sb) od[o] = cd[ic] !== 0 ? ad[ia]! : bd[ib]!;
  });
}
