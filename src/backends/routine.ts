/**
 * `routine(name)`: the one place that decides which implementation of an optional backend member
 * runs. The policy: the active backend's own routine; else, for a host (`'cpu'`) backend, the js
 * reference on the same memory (the three host backends share their storage); else a
 * `BackendCapabilityError` naming the routine and the backend.
 */
import { type Backend, BackendCapabilityError } from './backend.js';
import { jsBackend } from './js/index.js';
import { backend } from './registry.js';

/** Names of the optional members of `Backend` (the fused routines). */
export type RoutineName = { [K in keyof Backend]-?: undefined extends Backend[K] ? K : never }[keyof Backend];

/**
 * The implementation of routine `name` on backend `b` (default: the active backend), by the policy
 * above. Backend members never read `this`, so the function may be called on its own.
 * @throws BackendCapabilityError when neither `b` nor (for host backends) the js reference has it.
 */
export function routine<K extends RoutineName>(name: K, b: Backend = backend()): NonNullable<Backend[K]> {
  const f = b[name] ?? (b.device === 'cpu' ? jsBackend[name] : undefined);
  if (!f) throw new BackendCapabilityError(name, b.name);
  return f as NonNullable<Backend[K]>;
}
