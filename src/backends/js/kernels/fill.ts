/**
 * Reference fill kernels; the arguments are declared in backends/routines/fill.ts.
 */
import type { FillArgs, FillRoutines, TileRowsArgs } from '../../routines/fill.js';
import { storedValueFor } from './reduced-float.js';

/** out[:] = value. */
function fill(a: FillArgs): void {
  // float16/bfloat16 storage holds the value's bit pattern
  a.out.fill(storedValueFor(a.out, a.value));
}

/** out[r, :] = row for every row r: the first row copied in, then the filled part doubled each time. */
function tileRows(a: TileRowsArgs): void {
  const { row, out } = a;
  const n = row.length;
  const total = out.length;
  if (n === 0 || total === 0) return;
  out.set(row as never, 0);
  for (let filled = n; filled < total; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, total - filled));
}

/** The js backend's fill routines. */
export const fillKernels: Required<FillRoutines> = { fill, tileRows };
