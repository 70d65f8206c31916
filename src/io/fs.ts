/**
 * File access for `torch.load(path)` and friends, without importing `node:fs` at module level:
 * Node's `process.getBuiltinModule` is looked up only when a path is used, so bundlers have no
 * `node:fs` import to resolve and the browser build works with bytes.
 */
import { writeFileAtomic } from './atomic-write.js';
import { nodeFs } from './platform.js';

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

/** Writes bytes to a file atomically (see atomic-write.ts): a failed write leaves the old file intact. */
export function writeFileBytes(path: string, bytes: Uint8Array, what: string): void {
  writeFileAtomic(path, bytes, what);
}
