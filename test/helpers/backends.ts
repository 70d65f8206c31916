/**
 * Runs a describe block once per backend (jax-js `suite.each(devices)`, candle `test_device!`):
 * 'native' when the addon loaded and 'wasm' when WebAssembly SIMD runs (else reported as skipped,
 * with the reason, by name), and 'js' always. Inside the block the registry's active backend is that one, so every op under test
 * dispatches to it.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { isAvailable, reason } from '../../src/backends/native/index.js';
import { setBackend } from '../../src/backends/registry.js';
import { isAvailable as wasmAvailable, reason as wasmReason } from '../../src/backends/wasm/index.js';

/** Backends to test, in order. */
export const BACKENDS = ['native', 'wasm', 'js'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Whether the backend can run here. */
export function backendAvailable(name: BackendName): boolean {
  return name === 'js' || (name === 'wasm' ? wasmAvailable() : isAvailable());
}

function whyNot(name: BackendName): string {
  return name === 'wasm' ? wasmReason() : reason();
}

/** `describe(title [backend])` for each backend, with that backend active inside. */
export function describeEachBackend(title: string, body: (name: BackendName) => void): void {
  for (const name of BACKENDS) {
    const ok = backendAvailable(name);
    describe.skipIf(!ok)(`${title} [${name}]${ok ? '' : ` (skipped: ${whyNot(name)})`}`, () => {
      beforeAll(() => setBackend(name));
      afterAll(() => setBackend(null));
      body(name);
    });
  }
}
