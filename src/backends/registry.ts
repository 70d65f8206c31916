/**
 * Backend registry: backends register with a priority; `resolveBackend` picks the best one that
 * initialises and records why the others failed. `TORCHLET_BACKEND=js` forces the fallback.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { initWasmBackend } from './wasm/index.js';

interface Entry {
  name: string;
  priority: number;
  init: () => Backend;
}

// wasm (SIMD module, src/backends/wasm) ranks between js and native (priority 10, registered by
// src/backends/native/index.ts); its init throws where WebAssembly SIMD is missing.
const entries: Entry[] = [
  { name: 'js', priority: 0, init: () => jsBackend },
  { name: 'wasm', priority: 5, init: initWasmBackend },
];
const failures = new Map<string, string>();
let current: Backend | null = null;
/** A backend chosen with `setBackend` (tests, benchmarks), or null for resolution by priority. */
let chosen: string | null = null;

/** Registers a backend factory; higher priority wins. Re-resolves on next use. */
export function registerBackend(name: string, init: () => Backend, priority: number): void {
  const i = entries.findIndex((e) => e.name === name);
  if (i >= 0) entries.splice(i, 1);
  entries.push({ name, priority, init });
  current = null;
}

function forced(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.TORCHLET_BACKEND;
}

/** The active backend (resolved lazily, cached). */
export function backend(): Backend {
  if (current) return current;
  const want = chosen ?? forced();
  const sorted = [...entries].sort((a, b) => b.priority - a.priority);
  for (const e of sorted) {
    if (want && e.name !== want) continue;
    try {
      current = e.init();
      return current;
    } catch (err) {
      failures.set(e.name, err instanceof Error ? err.message : String(err));
    }
  }
  current = jsBackend;
  return current;
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
 * Makes the backend `name` active (null: back to resolution by priority and TORCHLET_BACKEND).
 * Used by tests and benchmarks to run the same code on each backend.
 * See https://pytorch.org/docs/1.13/backends.html
 * @throws Error when no backend of that name is registered or it fails to initialise.
 * @example torch.backends.setBackend('js'); runBenchmark(); torch.backends.setBackend(null);
 */
export function setBackend(name: string | null): void {
  current = null;
  chosen = null;
  if (name === null) return;
  const e = entries.find((x) => x.name === name);
  if (!e) throw new Error(`backend '${name}' is not registered (registered: ${entries.map((x) => x.name).join(', ')})`);
  current = e.init(); // throws if it cannot initialise
  chosen = name;
}

/**
 * Names of the registered backends, highest priority first.
 * See https://pytorch.org/docs/1.13/backends.html
 * @example torch.backends.registeredBackends() // e.g. ['native', 'js']
 */
export function registeredBackends(): string[] {
  return [...entries].sort((a, b) => b.priority - a.priority).map((e) => e.name);
}
