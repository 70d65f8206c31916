/**
 * A stand-in accelerator for testing the device boundary without a GPU: the `'webgpu'` device,
 * whose storage is an opaque handle (not a typed array), computed on by the js reference kernels
 * after unwrapping the handles. Any host read of its storage throws (Storage.data), so an op that
 * runs here end to end reaches memory only through the backend, as a real accelerator requires.
 */
import type { AcceleratorBackend, Backend } from '../../src/backends/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';

/** A device buffer: the elements are inside, but nothing outside the backend may look. */
export class MockBuffer {
  constructor(readonly elements: TypedArray) {}
}

/** Counts of the calls each member received, to check where work ran. */
export const mockCalls = new Map<string, number>();

function unwrap(v: unknown, depth = 0): unknown {
  if (v instanceof MockBuffer) return v.elements;
  if (depth < 2 && v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = unwrap(x, depth + 1);
    return o;
  }
  return v;
}

function makeMock(): AcceleratorBackend<MockBuffer> {
  const members: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(jsBackend)) {
    if (typeof f !== 'function' || name === 'alloc') continue;
    members[name] = (...args: unknown[]) => {
      mockCalls.set(name, (mockCalls.get(name) ?? 0) + 1);
      for (const a of args) {
        // a host array reaching the device's kernels means the op glue skipped the device
        if (ArrayBuffer.isView(a)) throw new Error(`mock device: ${name} was given a host array`);
      }
      return (f as (...a: unknown[]) => unknown)(...args.map((a) => unwrap(a)));
    };
  }
  return {
    ...(members as unknown as Omit<Backend, 'alloc'>),
    name: 'webgpu',
    device: 'webgpu',
    alloc: (dtype: DType, numel: number) => new MockBuffer(jsBackend.alloc(dtype, numel)),
    upload: (src: TypedArray) => new MockBuffer(src.slice()),
    download: async (buf: MockBuffer, _dtype: DType, numel: number) => buf.elements.slice(0, numel),
  };
}

/** Registers the mock as the `'webgpu'` device's backend (once per test file). */
export function useMockDevice(): void {
  registerBackend('mock-webgpu', makeMock, 0, 'webgpu');
}
