/**
 * Reference indexing kernels: gather and scatter by position.
 *
 * Legend: a "position" is the row-major element number of an element in a contiguous tensor,
 * stored in an int64 view (a Float64Array). Every indexing op of ops/indexing.ts (advanced
 * indexing, gather/scatter, index_select/index_add/index_fill, masked_select, take/put) reduces
 * to computing a list of positions and calling one of these two loops, so a faster backend only
 * needs these two.
 * All views here are contiguous (their `offset` is honoured); positions are in range (the ops
 * layer validates them with PyTorch's messages before calling).
 */
import type { View } from '../../backend.js';
import { BFloat16Bits, bfloat16BitsToNumber, float16BitsToNumber, isBoolArray, toBFloat16Bits, toFloat16Bits } from '../../../tensor/dtype.js';
import { anyReduced, isReducedFloatArray, viaFloat32, widen } from './reduced-float.js';

/** `out[i] = x[positions[i]]` for i over `positions` (x, positions and out contiguous). */
export function take(x: View, positions: View, out: View): void {
  // float16/bfloat16 patterns move unchanged between arrays of one type
  if (anyReduced([x, out]) && x.data.constructor !== out.data.constructor) {
    viaFloat32([x, positions], out, ([wx, wp], wo) => take(wx!, wp!, wo!));
    return;
  }
  const xd = x.data;
  const pd = positions.data;
  const od = out.data;
  const xo = x.offset;
  const po = positions.offset;
  const oo = out.offset;
  let n = 1;
  for (const s of positions.shape) n *= s;
  for (let i = 0; i < n; i++) od[oo + i] = xd[xo + pd[po + i]!]!;
}

/**
 * `out[positions[i]] = src[i]` for i in order, so a later duplicate position wins (PyTorch's CPU
 * order), or `out[positions[i]] += src[i]` when `accumulate` (a bool `out` ORs instead of adding).
 * All views contiguous; `src` has `positions`' shape.
 */
export function put(out: View, positions: View, src: View, accumulate: boolean): void {
  if (anyReduced([out, src]) && (accumulate || out.data.constructor !== src.data.constructor)) {
    putReduced(out, positions, src, accumulate);
    return;
  }
  const od = out.data;
  const pd = positions.data;
  const sd = src.data;
  const oo = out.offset;
  const po = positions.offset;
  const so = src.offset;
  let n = 1;
  for (const s of positions.shape) n *= s;
  if (!accumulate) {
    for (let i = 0; i < n; i++) od[oo + pd[po + i]!] = sd[so + i]!;
  } else if (isBoolArray(od)) {
    // bool accumulation is logical or (true + true stays true)
    for (let i = 0; i < n; i++) {
      const p = oo + pd[po + i]!;
      od[p] = od[p] !== 0 || sd[so + i] !== 0 ? 1 : 0;
    }
  } else {
    // accumulates in the storage type, in index order, like PyTorch's serial CPU kernel
    for (let i = 0; i < n; i++) od[oo + pd[po + i]!] += sd[so + i]!;
  }
}

/**
 * `put` into or from float16/bfloat16 storage: `src` is read as float32 values; a reduced `out`
 * adds (when `accumulate`) in float32 and rounds each step back to its type, as PyTorch's
 * `Half`/`BFloat16` arithmetic does.
 */
function putReduced(out: View, positions: View, src: View, accumulate: boolean): void {
  const sv = widen(src);
  const sd = sv.data;
  const od = out.data;
  if (!isReducedFloatArray(od)) {
    put(out, positions, sv, accumulate);
    return;
  }
  const pd = positions.data;
  const oo = out.offset;
  const po = positions.offset;
  const so = sv.offset;
  const bf = od instanceof BFloat16Bits;
  let n = 1;
  for (const s of positions.shape) n *= s;
  for (let i = 0; i < n; i++) {
    const p = oo + pd[po + i]!;
    const v = accumulate ? Math.fround((bf ? bfloat16BitsToNumber(od[p]!) : float16BitsToNumber(od[p]!)) + sd[so + i]!) : sd[so + i]!;
    od[p] = bf ? toBFloat16Bits(v) : toFloat16Bits(v);
  }
}
