/**
 * File access for `torch.load(path)` and friends, without importing `node:fs` at module level:
 * Node's `process.getBuiltinModule` is looked up only when a path is used, so bundlers have no
 * `node:fs` import to resolve and the browser build works with bytes.
 */
import type * as NodeFs from 'node:fs';
import { nodeBuiltin } from './platform.js';

function nodeFs(what: string): typeof NodeFs {
  const fs = nodeBuiltin<typeof NodeFs>('node:fs');
  if (fs === null) throw new Error(`${what}: file paths need Node.js (>= 20.16); in the browser pass the file's bytes (a Uint8Array) instead`);
  return fs;
}

/**
 * A file's bytes in a buffer of their own (never a slice of Node's shared pool), so that typed
 * arrays can view them.
 */
export function readFileBytes(path: string, what: string): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${what}: expected a file path or bytes, got ${path === '' ? 'an empty string' : typeof path}`);
  const fs = nodeFs(what);
  let buf: Uint8Array;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    throw new Error(`${what}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.length) return new Uint8Array(buf.buffer, 0, buf.length);
  return new Uint8Array(buf);
}

/** Writes bytes to a file. */
export function writeFileBytes(path: string, bytes: Uint8Array, what: string): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${what}: expected a file path, got ${path === '' ? 'an empty string' : typeof path}`);
  const fs = nodeFs(what);
  try {
    fs.writeFileSync(path, bytes);
  } catch (e) {
    throw new Error(`${what}: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
