/**
 * The `torch.backends` namespace: which compute backend runs the kernels, and the native and wasm
 * ones' status. The backends are listed in src/backends/registry.ts and loaded on first use.
 * See https://pytorch.org/docs/1.13/backends.html
 * @example console.log(torch.backends.current(), torch.backends.registeredBackends());
 * @module
 */
import { backend, backendFailures, registeredBackends, setBackend } from './registry.js';
import { info, isAvailable, reason } from './native/index.js';
import * as wasmStatus from './wasm/index.js';

/**
 * The native (C++ Node-API) backend's status.
 * See https://pytorch.org/docs/stable/backends.html
 * @example if (!torch.backends.native.isAvailable()) console.warn(torch.backends.native.reason());
 */
export const native = { isAvailable, reason, info };

/**
 * The WebAssembly SIMD backend's status (the default where the native addon is absent, e.g. in
 * browsers). `preload()` compiles the module asynchronously, for pages that refuse a synchronous
 * compile on the main thread; `setWasmPath(url)` makes it load the module from a URL instead of
 * the copy inlined in the JavaScript.
 * See https://pytorch.org/docs/stable/backends.html
 * @example await torch.backends.wasm.preload(); console.log(torch.backends.wasm.isAvailable());
 */
export const wasm = {
  isAvailable: wasmStatus.isAvailable,
  reason: wasmStatus.reason,
  info: wasmStatus.info,
  preload: wasmStatus.preload,
  setWasmPath: wasmStatus.setWasmPath,
};

/**
 * Name of the backend that runs the kernels now ('native', 'wasm' or 'js'). No PyTorch counterpart
 * (torchlet runs on the CPU only; PyTorch's closest notion is the tensor's device).
 * @example torch.backends.current() // 'native' when the addon loaded, else 'wasm' (or 'js' without WebAssembly SIMD)
 */
export function current(): string {
  return backend().name;
}

export { backendFailures, registeredBackends, setBackend };
export { getNumThreads, setNumThreads } from './threads.js';

/**
 * Apple's MPS backend: never available here, like `torch.backends.mps` in a build without it.
 * See https://pytorch.org/docs/1.13/backends.html#torch-backends-mps
 * @example torch.backends.mps.isAvailable() // false
 */
export const mps = { isAvailable: (): boolean => false, isBuilt: (): boolean => false };

/**
 * cuDNN's flags, as PyTorch's CPU-only build has them: settable (`deterministic`, `benchmark`,
 * `enabled`) and without effect, since there is no cuDNN; `isAvailable()` is false. Programs that
 * set them for reproducibility port unchanged.
 * See https://pytorch.org/docs/1.13/backends.html#torch-backends-cudnn
 * @example torch.backends.cudnn.deterministic = true; torch.backends.cudnn.benchmark = false;
 */
export const cudnn = { enabled: true, benchmark: false, deterministic: false, isAvailable: (): boolean => false };
