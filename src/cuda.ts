/**
 * The `torch.cuda` namespace of a build without CUDA, as PyTorch's CPU-only builds have it: no
 * devices, and seeding calls that do nothing (PyTorch queues them until CUDA initialises, which
 * never happens), so the usual device-selection and seeding lines of a program port unchanged.
 * See https://pytorch.org/docs/1.13/cuda.html
 * @example const dev = torch.device(torch.cuda.isAvailable() ? 'cuda' : 'cpu'); // cpu
 * @module
 */

/**
 * Always false: there is no CUDA device, like `torch.cuda.is_available()` in a CPU-only build.
 * See https://pytorch.org/docs/1.13/generated/torch.cuda.is_available.html
 * @example torch.cuda.isAvailable() // false
 */
export function isAvailable(): boolean {
  return false;
}

/**
 * Always 0, like `torch.cuda.device_count()` in a CPU-only build.
 * See https://pytorch.org/docs/1.13/generated/torch.cuda.device_count.html
 * @example torch.cuda.deviceCount() // 0
 */
export function deviceCount(): number {
  return 0;
}

/**
 * Does nothing and draws nothing, like `torch.cuda.manual_seed(seed)` without CUDA.
 * See https://pytorch.org/docs/1.13/generated/torch.cuda.manual_seed.html
 * @example torch.manualSeed(0); torch.cuda.manualSeed(0);
 */
export function manualSeed(seed: number | bigint): void {
  void seed;
}

/**
 * Does nothing and draws nothing, like `torch.cuda.manual_seed_all(seed)` without CUDA.
 * See https://pytorch.org/docs/1.13/generated/torch.cuda.manual_seed_all.html
 * @example torch.manualSeed(0); torch.cuda.manualSeedAll(0);
 */
export function manualSeedAll(seed: number | bigint): void {
  void seed;
}
