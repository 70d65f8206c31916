/**
 * Node's built-in modules, reached through `process.getBuiltinModule` (Node >= 20.16) only when
 * first used, so that bundles have no `node:` import to resolve and the browser build works.
 */
import type * as NodeFs from 'node:fs';

type NodeProcess = { getBuiltinModule?: (id: string) => unknown };

/**
 * The built-in module `id` (`'node:fs'`, `'node:zlib'`, ...) on Node, or null elsewhere (browsers).
 * @example const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib');
 */
export function nodeBuiltin<T>(id: string): T | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  return (proc.getBuiltinModule(id) as T | undefined) ?? null;
}

/** `node:fs`, or an error saying that file paths need Node (`what` names the caller). */
export function nodeFs(what: string): typeof NodeFs {
  const fs = nodeBuiltin<typeof NodeFs>('node:fs');
  if (fs === null) throw new Error(`${what}: file paths need Node.js (>= 20.16); in the browser pass the file's bytes (a Uint8Array) instead`);
  return fs;
}
