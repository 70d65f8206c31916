/**
 * Atomic file writes, for every file torchlet writes (`torch.save`, `safetensors.saveFile`, the
 * CLI's checkpoints and plots): the bytes go to a temporary file in the target's folder, which is
 * flushed to disk (fsync) and then renamed over the target. A save that fails part-way (disk
 * full, file-size limit, the process killed) leaves the previous file intact; a failure that
 * throws also removes the temporary file.
 */
import type * as NodeFs from 'node:fs';
import { nodeFs } from './platform.js';

/** Bytes per write call (writeSync takes at most 2 GiB - 1). */
const CHUNK = 1 << 30;

let counter = 0;

/** The temporary file's name: hidden, in the target's folder, unique to this process and call. */
export function tempPathFor(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = path.slice(0, slash + 1);
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `${dir}.${path.slice(slash + 1)}.${pid}.${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename over
 * `path`, then fsync of the folder so that the rename itself is durable. A symbolic link at
 * `path` is followed (the file it points to is replaced, the link stays), and an existing file's
 * permissions are kept. Errors name `what` and the path; the temporary file is removed.
 * @example writeFileAtomic('model.pt', bytes, 'torch.save');
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, what: string): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${what}: expected a file path, got ${path === '' ? 'an empty string' : typeof path}`);
  const fs = nodeFs(what);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let target = path;
  let mode: number | undefined;
  try {
    const st = fs.statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st) {
      target = fs.realpathSync(path);
      mode = st.mode & 0o7777;
    }
  } catch (e) {
    throw new Error(`${what}: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  const tmp = tempPathFor(target);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', mode ?? 0o666);
    if (mode !== undefined) fs.fchmodSync(fd, mode); // openSync's mode is masked by the umask
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, Math.min(bytes.length - off, CHUNK));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    throw new Error(`${what}: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  syncFolder(fs, target);
}

/** fsyncs the folder holding `path`, so a rename in it survives a crash (POSIX; a no-op where folders cannot be opened). */
function syncFolder(fs: typeof NodeFs, path: string): void {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = slash < 0 ? '.' : path.slice(0, slash + 1);
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open folders; the file itself was flushed before the rename
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
