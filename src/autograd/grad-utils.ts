/**
 * Gradient plumbing the engine shares: reducing broadcast gradients back to an input's shape,
 * accumulation, cloning into `.grad`, and dtype casts.
 */
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** Sums `g` over the dims that broadcasting expanded, so it has `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  let r = dims.length ? g.sum(dims, true) : g;
  if (lead > 0 || r.dim() !== shape.length) r = r.reshape(shape);
  return r;
}

/** a + b for gradient accumulation; in place into `a` when allowed (a is engine-owned). */
export function addGrad(a: Tensor, b: Tensor, inPlace = false): Tensor {
  if (inPlace && a.isContiguous() && a.base === null && !a.requiresGrad) {
    return a.add_(b);
  }
  return a.add(b);
}

/** A fresh contiguous copy to store as `.grad` (detached unless createGraph). */
export function cloneGrad(g: Tensor, createGraph: boolean): Tensor {
  return createGraph ? g.clone() : g.detach().clone();
}

/** Casts a gradient to the input's dtype. */
export function castGrad(g: Tensor, dtype: DType): Tensor {
  return g.dtype === dtype ? g : g.to(dtype);
}

/** True when any element is NaN or infinite. */
export function hasNonFinite(g: Tensor): boolean {
  return nonFiniteKind(g) !== null;
}

/** 'nan' when any element is NaN, else 'inf' when any is infinite, else null (anomaly mode). */
export function nonFiniteKind(t: Tensor): 'nan' | 'inf' | null {
  const d = t.dataSync();
  let inf = false;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== v) return 'nan';
    if (v === Infinity || v === -Infinity) inf = true;
  }
  return inf ? 'inf' : null;
}

import { filledTensor } from '../tensor/create.js';

/** A tensor of ones with `t`'s shape, dtype and device (no graph). */
export function onesLikeRaw(t: Tensor): Tensor {
  return filledTensor(t.shape, t.dtype, t.storage.device, 1);
}
