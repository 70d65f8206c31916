/**
 * Raw DEFLATE (RFC 1951) decoding for zip entries stored with method 8. PyTorch's `torch.save`
 * writes stored (uncompressed) entries, so this runs only for archives re-zipped by other tools.
 *
 * On Node the native zlib decodes (`node:zlib`'s `inflateRawSync`, reached through
 * `process.getBuiltinModule` so that bundles have no `node:` import); elsewhere (browsers) fflate
 * does, synchronously, since `torch.load` is synchronous (the browser's `DecompressionStream` is
 * not).
 *
 * The output size is fixed in advance (the zip's declared size, itself capped by the caller), and
 * neither decoder may produce more: a corrupt or hostile stream can never make it allocate more
 * than that.
 */
import { inflateSync } from 'fflate';
import type * as NodeZlib from 'node:zlib';
import { FormatError } from './bytes.js';
import { nodeBuiltin } from './platform.js';

let zlibModule: typeof NodeZlib | null | undefined;

/** `node:zlib` when this is Node (>= 20.16), else null. */
function nodeZlib(): typeof NodeZlib | null {
  if (zlibModule === undefined) {
    const z = nodeBuiltin<typeof NodeZlib>('node:zlib');
    zlibModule = typeof z?.inflateRawSync === 'function' ? z : null;
  }
  return zlibModule;
}

const tooBig = (size: number): FormatError => new FormatError(`deflate stream inflates to more than the declared ${size} bytes`);

function checkSize(out: Uint8Array, size: number): Uint8Array {
  if (out.length !== size) throw new FormatError(`deflate stream inflated to ${out.length} bytes, the zip declares ${size}`);
  return out;
}

/**
 * Inflates with `node:zlib`. The result has an ArrayBuffer of its own (never a slice of Node's
 * shared pool), so typed arrays can view it.
 */
export function inflateRawNode(zlib: typeof NodeZlib, input: Uint8Array, size: number): Uint8Array {
  let out: Uint8Array;
  try {
    // one output chunk of the declared size; zlib stops with ERR_BUFFER_TOO_LARGE past it
    out = zlib.inflateRawSync(input, { chunkSize: Math.max(64, size), maxOutputLength: Math.max(1, size) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(size);
    throw new FormatError(`deflate stream is corrupt (${(e as Error).message})`);
  }
  checkSize(out, size);
  return out.byteOffset === 0 && out.buffer.byteLength === out.length ? new Uint8Array(out.buffer, 0, out.length) : new Uint8Array(out);
}

/** Inflates with fflate (any JavaScript engine). */
export function inflateRawPortable(input: Uint8Array, size: number): Uint8Array {
  // one spare byte: output that reaches it overflowed the declared size (fflate drops writes past
  // the end of a buffer it was given, so this is all it allocates)
  if (input.length === 0) throw new FormatError('deflate stream is corrupt (unexpected EOF)');
  const buf = new Uint8Array(size + 1);
  let out: Uint8Array;
  try {
    out = inflateSync(input, { out: buf });
  } catch (e) {
    if (e instanceof RangeError) throw tooBig(size); // a stored block past the end of the buffer
    throw new FormatError(`deflate stream is corrupt (${(e as Error).message})`);
  }
  if (out.length > size) throw tooBig(size);
  return checkSize(out, size);
}

/**
 * Inflates a raw DEFLATE stream into exactly `size` bytes, with the platform's fastest decoder.
 * @throws FormatError when the stream is corrupt, truncated, or does not produce `size` bytes.
 */
export function inflateRaw(input: Uint8Array, size: number): Uint8Array {
  const zlib = nodeZlib();
  return zlib ? inflateRawNode(zlib, input, size) : inflateRawPortable(input, size);
}
