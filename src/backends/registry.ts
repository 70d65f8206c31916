/**
 * Backend registry. The host backends are listed here, each with a lazy loader and a priority:
 * the first `backend()` call tries them from the highest priority down, keeps the first that
 * initialises, and records why the others failed. No backend registers itself when its module is
 * imported, so which backend runs never depends on what was imported first.
 * `TORCHLET_BACKEND=js` (or `wasm`, `native`) forces one. An accelerator registers with its device
 * (`registerBackend`) and is reached through `backendFor(device)`.
 */
import type { AcceleratorBackend, Backend, Device } from './backend.js';
import { jsBackend } from './js/index.js';
import { initNativeBackend } from './native/index.js';
import { initWasmBackend } from './wasm/index.js';

interface Entry {
  name: string;
  priority: number;
  device: Device;
  /** Returns the backend, or throws why it cannot run here. */
  init: () => Backend | AcceleratorBackend;
}

const entries: Entry[] = [
  // the C++ addon (Node.js, a prebuilt or locally built binary)
  { name: 'native', priority: 10, device: 'cpu', init: initNativeBackend },
  // the same kernels as WebAssembly SIMD (Node.js and browsers); throws where SIMD is missing
  { name: 'wasm', priority: 5, device: 'cpu', init: initWasmBackend },
  // the reference, everywhere
  { name: 'js', priority: 0, device: 'cpu', init: () => jsBackend },
];
const failures = new Map<string, string>();
let current: Backend | null = null;
/** A backend chosen with `setBackend` (tests, benchmarks), or null for resolution by priority. */
let chosen: string | null = null;
/** Initialised accelerator backends, by device. */
const devices = new Map<Device, AcceleratorBackend>();

/**
 * Registers a backend loader for `device` (default the host); higher priority wins among host
 * backends. Re-resolves on next use.
 * @example registerBackend('webgpu', initWebGpuBackend, 20, 'webgpu');
 */
export function registerBackend(name: string, init: () => Backend | AcceleratorBackend, priority: number, device: Device = 'cpu'): void {
  const i = entries.findIndex((e) => e.name === name);
  if (i >= 0) entries.splice(i, 1);
  entries.push({ name, priority, device, init });
  current = null;
  devices.delete(device);
}

function forced(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.TORCHLET_BACKEND;
}

/** The host entries, highest priority first. */
function hostEntries(): Entry[] {
  return entries.filter((e) => e.device === 'cpu').sort((a, b) => b.priority - a.priority);
}

/**
 * The active host backend (resolved lazily, cached): the one every `'cpu'` tensor computes on.
 * @throws Error when TORCHLET_BACKEND names no registered host backend (the message lists them).
 */
export function backend(): Backend {
  if (current) return current;
  const want = chosen ?? forced();
  if (want && !hostEntries().some((e) => e.name === want)) {
    throw new Error(`TORCHLET_BACKEND=${want}: backend '${want}' is not registered (registered: ${hostEntries().map((x) => x.name).join(', ')})`);
  }
  for (const e of hostEntries()) {
    if (want && e.name !== want) continue;
    try {
      current = e.init() as Backend;
      return current;
    } catch (err) {
      failures.set(e.name, err instanceof Error ? err.message : String(err));
    }
  }
  current = jsBackend;
  return current;
}

/**
 * The backend that computes on `device`'s storage: the active host backend for `'cpu'`, else the
 * accelerator registered for that device, typed as the host backend the ops layer is written
 * against (its buffers travel through the ops layer unread; see `AcceleratorBackend`).
 * @throws Error when no backend for the device is registered or it cannot start.
 */
export function backendFor(device: Device): Backend {
  if (device === 'cpu') return backend();
  return acceleratorFor(device) as unknown as Backend;
}

/**
 * The accelerator backend registered for `device` (initialised on first use, then cached).
 * @throws Error when none is registered or it cannot start.
 */
export function acceleratorFor(device: Device): AcceleratorBackend {
  let b = devices.get(device);
  if (b) return b;
  const e = entries.filter((x) => x.device === device).sort((a, c) => c.priority - a.priority)[0];
  if (!e) throw new Error(`no backend for device '${device}' is registered`);
  b = e.init() as AcceleratorBackend;
  devices.set(device, b);
  return b;
}

/**
 * Why each backend that failed to initialise was skipped.
 * See https://pytorch.org/docs/1.13/backends.html
 * @example for (const [name, why] of torch.backends.backendFailures()) console.warn(`${name} skipped: ${why}`);
 */
export function backendFailures(): ReadonlyMap<string, string> {
  return failures;
}

/**
 * Makes the host backend `name` active (null: back to resolution by priority and TORCHLET_BACKEND).
 * Used by tests and benchmarks to run the same code on each backend.
 * See https://pytorch.org/docs/1.13/backends.html
 * @throws Error when no host backend of that name is registered or it fails to initialise.
 * @example torch.backends.setBackend('js'); runBenchmark(); torch.backends.setBackend(null);
 */
export function setBackend(name: string | null): void {
  current = null;
  chosen = null;
  if (name === null) return;
  const e = hostEntries().find((x) => x.name === name);
  if (!e) throw new Error(`backend '${name}' is not registered (registered: ${hostEntries().map((x) => x.name).join(', ')})`);
  current = e.init() as Backend; // throws if it cannot initialise
  chosen = name;
}

/**
 * Names of the registered backends, highest priority first.
 * See https://pytorch.org/docs/1.13/backends.html
 * @example torch.backends.registeredBackends() // e.g. ['native', 'wasm', 'js']
 */
export function registeredBackends(): string[] {
  return [...entries].sort((a, b) => b.priority - a.priority).map((e) => e.name);
}
