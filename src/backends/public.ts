/**
 * The `torch.backends` namespace: which compute backend runs the kernels, and the native one's
 * status. Importing this module registers the native backend (src/backends/native/index.ts).
 */
import { backend, backendFailures, registeredBackends, setBackend } from './registry.js';
import { info, isAvailable, reason } from './native/index.js';

/**
 * The native (C++ Node-API) backend's status.
 * @example if (!torch.backends.native.isAvailable()) console.warn(torch.backends.native.reason());
 * See https://pytorch.org/docs/stable/backends.html
 */
export const native = { isAvailable, reason, info };

/** Name of the backend that runs the kernels now ('native' or 'js'). @example torch.backends.current() */
export function current(): string {
  return backend().name;
}

export { backendFailures, registeredBackends, setBackend };
export { getNumThreads, setNumThreads } from './threads.js';
