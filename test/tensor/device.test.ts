// Storage belongs to a device, and dispatch goes by device: host storage is shared by the CPU
// backends; an accelerator's storage refuses host reads; routine() falls back to the js reference
// only on host backends.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { type Backend, BackendCapabilityError } from '../../src/backends/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { backend, backendFor, registerBackend } from '../../src/backends/registry.js';
import { routine } from '../../src/backends/routine.js';
import { Storage, Tensor } from '../../src/tensor/tensor.js';

describe('storage devices', () => {
  it('host tensors live on cpu storage', () => {
    const x = torch.zeros(2, 3);
    expect(x.device).toBe(torch.device('cpu'));
    expect(x.storage.device).toBe('cpu');
    expect(x.view(6).storage).toBe(x.storage);
  });

  it("an accelerator's storage refuses host reads with a clear error", () => {
    const handle = { id: 1 };
    const s = new Storage(null, 'webgpu', handle);
    const t = new Tensor(s, [2], [1], 0, 'float32');
    expect(t.device).toBe(torch.device('webgpu'));
    expect(s.buffer).toBe(handle);
    expect(() => s.data).toThrow(torch.RuntimeError);
    expect(() => t.dataSync()).toThrow("the elements of a tensor on webgpu are not in host memory: copy it with .to('cpu') first");
  });

  it('host storage needs its elements', () => {
    expect(() => new Storage(null)).toThrow('internal: host storage needs its elements');
  });
});

describe('dispatch by device', () => {
  it('cpu resolves to the active host backend', () => {
    expect(backendFor('cpu')).toBe(backend());
  });

  it('a device with no registered backend is an error', () => {
    expect(() => backendFor('webgpu')).toThrow("no backend for device 'webgpu' is registered");
  });

  it('an accelerator registers with its device without changing the host backend', () => {
    const host = backend();
    const fake: Backend = { ...jsBackend, name: 'webgpu', device: 'webgpu', layerNormForward: undefined };
    registerBackend('webgpu', () => fake, 20, 'webgpu');
    expect(backendFor('webgpu')).toBe(fake);
    expect(backend().name).toBe(host.name);
    // routine(): an accelerator's missing routine is an error, never a host fallback
    expect(() => routine('layerNormForward', fake)).toThrow(BackendCapabilityError);
    expect(() => routine('layerNormForward', fake)).toThrow("routine 'layerNormForward' is not supported in webgpu backend");
  });

  it('a host backend without a routine runs the js reference on the same memory', () => {
    const partial: Backend = { ...jsBackend, name: 'wasm', vectorNorm: undefined };
    expect(routine('vectorNorm', partial)).toBe(jsBackend.vectorNorm);
    const out = new Float64Array(1);
    routine('vectorNorm', partial)({ x: new Float32Array([3, 4]), p: 2, out });
    expect(out[0]).toBe(5);
  });
});
