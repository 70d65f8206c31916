/**
 * Intra-op thread count, as PyTorch's `torch.set_num_threads` / `torch.get_num_threads`. Only the
 * native backend runs threads (its persistent pool, sized to the machine's CPUs by default, or by
 * TORCHLET_NUM_THREADS / OMP_NUM_THREADS); the js backend always computes on the calling thread.
 */
import { nativeAddon } from './native/index.js';

let requested: number | null = null;

/**
 * Sets the number of threads the native kernels use (the caller's thread included).
 * @example torch.setNumThreads(1);
 * See https://pytorch.org/docs/stable/generated/torch.set_num_threads.html
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new TypeError(`set_num_threads(): argument 'int' must be int, not ${typeof n === 'number' ? 'float' : typeof n}`);
  }
  // PyTorch parity: "Number of threads must be positive" (RuntimeError from at::set_num_threads).
  if (n <= 0) throw new RangeError('Number of threads must be positive');
  requested = n;
  nativeAddon()?.setNumThreads(n);
}

/**
 * The number of threads the native kernels use; without the native backend, the last value set
 * (default 1: the js backend is single-threaded).
 * @example torch.getNumThreads(); // 2 on a 2-core machine
 * See https://pytorch.org/docs/stable/generated/torch.get_num_threads.html
 */
export function getNumThreads(): number {
  const a = nativeAddon();
  return a ? a.getNumThreads() : (requested ?? 1);
}
