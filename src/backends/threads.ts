/**
 * Intra-op thread count, as PyTorch's `torch.set_num_threads` / `torch.get_num_threads`. Only the
 * native backend runs threads (its persistent pool, sized to the machine's CPUs by default, or by
 * TORCHLET_NUM_THREADS / OMP_NUM_THREADS); the js backend always computes on the calling thread.
 */
import { RuntimeError } from '../errors.js';
import { pyTypeName } from '../validate.js';
import { nativeAddon } from './native/index.js';

/**
 * The most threads `setNumThreads` accepts (native/common.h kMaxThreads). PyTorch has no bound (and
 * wraps a Python int past 2^31 into a C int); torchlet refuses a count no machine could use.
 */
export const MAX_THREADS = 1024;

let requested: number | null = null;

/**
 * Sets the number of threads the native kernels use (the caller's thread included). The native
 * pool starts or stops the difference right away; if the system refuses a thread part-way (a
 * process or memory limit), the call throws and the pool keeps its previous size.
 * @throws RuntimeError unless n is a positive integer (PyTorch's messages) of at most MAX_THREADS,
 *   or when the system refuses to start the threads.
 * See https://pytorch.org/docs/1.13/generated/torch.set_num_threads.html
 * @example torch.setNumThreads(1);
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    // PyTorch parity: Python's type names (a non-integer number is a 'float')
    throw new RuntimeError(`set_num_threads expects an int, but got ${pyTypeName(n)}`);
  }
  if (n <= 0) throw new RuntimeError('set_num_threads expects a positive integer');
  if (n > MAX_THREADS) {
    throw new RuntimeError(`set_num_threads expects at most ${MAX_THREADS} threads (torchlet's limit), but got ${n}`);
  }
  const addon = nativeAddon();
  if (addon) {
    try {
      addon.setNumThreads(n);
    } catch (e) {
      throw new RuntimeError(e instanceof Error ? e.message : String(e));
    }
  }
  requested = n;
}

/**
 * The number of threads the native kernels use; without the native backend, the last value set
 * (default 1: the js backend is single-threaded).
 * See https://pytorch.org/docs/1.13/generated/torch.get_num_threads.html
 * @example torch.getNumThreads(); // 2 on a 2-core machine
 */
export function getNumThreads(): number {
  const a = nativeAddon();
  return a ? a.getNumThreads() : (requested ?? 1);
}
