/**
 * What the two compiled host backends (native addon, wasm module) share: the list of routines
 * their modules implement and the backend object built over the js backend.
 * @internal
 * @module
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import type { RoutineDescriptor } from './kernel-args.js';
import { adamStepRoutine } from './routines/optim.js';
import { recurrentRoutines } from './routines/recurrent.js';

/** The routines the compiled backends implement (one struct each in native/), in module order. @internal */
export const COMPILED_ROUTINES = [...recurrentRoutines, adamStepRoutine] as const;

/**
 * A compiled host backend: the js backend, with the compiled `gemm` and every routine of
 * `COMPILED_ROUTINES` (each called through `fused`, which falls back to js itself) over it.
 * @internal
 */
export function compiledBackend(name: 'native' | 'wasm', gemm: Backend['gemm'], fused: (d: RoutineDescriptor<unknown>) => unknown): Backend {
  const routines = Object.fromEntries(COMPILED_ROUTINES.map((d) => [d.name, fused(d as RoutineDescriptor<unknown>)]));
  return { ...jsBackend, name, gemm, ...(routines as Partial<Backend>) };
}
