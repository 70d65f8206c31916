/**
 * Intra-op thread count, as PyTorch's `torch.set_num_threads` / `torch.get_num_threads`. Only the
 * native backend runs threads (its persistent pool, sized to the machine's CPUs by default, or by
 * TORCHLET_NUM_THREADS / OMP_NUM_THREADS); the js backend always computes on the calling thread.
 */
import { RuntimeError } from '../errors.js';
import { nativeAddon } from './native/index.js';

let requested: number | null = null;

/**
 * Sets the number of threads the native kernels use (the caller's thread included).
 * @throws RuntimeError unless n is a positive integer (PyTorch's messages).
 * See https://pytorch.org/docs/stable/generated/torch.set_num_threads.html
 * @example torch.setNumThreads(1);
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    // PyTorch parity: Python's type names (a non-integer number is a 'float').
    const kind = typeof n === 'number' ? 'float' : typeof n === 'string' ? 'str' : typeof n === 'boolean' ? 'bool' : typeof n;
    throw new RuntimeError(`set_num_threads expects an int, but got ${kind}`);
  }
  if (n <= 0) throw new RuntimeError('set_num_threads expects a positive integer');
  requested = n;
  nativeAddon()?.setNumThreads(n);
}

/**
 * The number of threads the native kernels use; without the native backend, the last value set
 * (default 1: the js backend is single-threaded).
 * See https://pytorch.org/docs/stable/generated/torch.get_num_threads.html
 * @example torch.getNumThreads(); // 2 on a 2-core machine
 */
export function getNumThreads(): number {
  const a = nativeAddon();
  return a ? a.getNumThreads() : (requested ?? 1);
}
