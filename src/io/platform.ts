/**
 * Node's built-in modules, reached through `process.getBuiltinModule` (Node >= 20.16) only when
 * first used, so that bundles have no `node:` import to resolve and the browser build works.
 */

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
