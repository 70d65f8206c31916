/**
 * The `torchlet inspect` and `torchlet convert` commands: list a checkpoint's tensors (.pt or
 * .safetensors) and convert between the two formats. Tensors keep their file dtype throughout (a
 * float16 checkpoint converts to F16). Failures are `CliError`s that name the file (exit code 1;
 * 2 for an output name whose format cannot be told).
 */
import { FormatError } from '../io/bytes.js';
import { RawStorage, RawTensor, STORED } from '../io/dtypes.js';
import { readFileBytes } from '../io/fs.js';
import * as safetensors from '../io/safetensors.js';
import { readCheckpoint, saveBytes } from '../io/torch-file.js';
import { UnpicklingError } from '../io/unpickler.js';
import { looksLikeZip } from '../io/zip.js';
import { contiguousStrides } from '../tensor/tensor.js';
import { CliError } from './lib/errors.js';
import { causeOf, requireFile, writeOutput } from './lib/options.js';

/** Where the command writes. */
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
}

/** A file's contents with tensors in their file dtypes. */
interface Loaded {
  format: 'pytorch' | 'safetensors';
  value: unknown;
  metadata: Record<string, string> | null;
}

function readAny(path: string): Loaded {
  requireFile(path, '');
  let bytes: Uint8Array;
  try {
    bytes = readFileBytes(path, 'torchlet');
  } catch (e) {
    throw new CliError(`${path}: cannot read: ${causeOf(e)}`);
  }
  try {
    return parseAny(bytes);
  } catch (e) {
    if (!(e instanceof FormatError || e instanceof UnpicklingError)) throw e;
    const refused = e instanceof UnpicklingError && e.message.startsWith('Unsupported global') ? ' (refused: the file tries to run code)' : '';
    const msg = e.message.replace(/^(torch\.load|safetensors): /, '').replace(/^not a PyTorch checkpoint \(expected a zip archive; /, 'neither a PyTorch checkpoint nor a safetensors file (');
    throw new CliError(`${path}: ${msg}${refused}`);
  }
}

function parseAny(bytes: Uint8Array): Loaded {
  if (looksLikeZip(bytes) || !isSafetensors(bytes)) return { format: 'pytorch', value: readCheckpoint(bytes).value, metadata: null };
  const f = safetensors.parse(bytes);
  const value: Record<string, RawTensor> = {};
  for (const t of f.tensors) {
    Object.defineProperty(value, t.name, {
      value: new RawTensor(new RawStorage(t.dtype, t.bytes, t.name), 0, t.shape, contiguousStrides(t.shape), false, false),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { format: 'safetensors', value, metadata: f.metadata };
}

function isSafetensors(b: Uint8Array): boolean {
  return b.length >= 9 && b[8] === 0x7b && b[6] === 0 && b[7] === 0;
}

/** One leaf of a flattened value. */
interface Leaf {
  key: string;
  value: unknown;
}

/** Depth-first leaves with dotted keys (object keys, Map keys, list indices), cycles skipped. */
function flatten(root: unknown): Leaf[] {
  const out: Leaf[] = [];
  const seen = new Set<object>();
  const stack: Leaf[] = [{ key: '', value: root }];
  while (stack.length) {
    const { key, value } = stack.pop()!;
    const isContainer = value !== null && typeof value === 'object' && !(value instanceof RawTensor) && !(value instanceof Uint8Array);
    if (!isContainer) {
      out.push({ key, value });
      continue;
    }
    if (seen.has(value)) continue;
    seen.add(value);
    const kids: Leaf[] = [];
    const sub = (k: string): string => (key === '' ? k : `${key}.${k}`);
    if (Array.isArray(value)) value.forEach((v, i) => kids.push({ key: sub(String(i)), value: v }));
    else if (value instanceof Map) for (const [k, v] of value) kids.push({ key: sub(Array.isArray(k) ? `(${k.join(', ')})` : String(k)), value: v });
    else if (value instanceof Set) [...value].forEach((v, i) => kids.push({ key: sub(String(i)), value: v }));
    else for (const [k, v] of Object.entries(value)) kids.push({ key: sub(k), value: v });
    if (kids.length === 0) out.push({ key, value: Array.isArray(value) ? [] : {} });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object') return '{}';
  return String(v);
}

function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array) return Array.from(v);
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? [] : {};
  return v ?? null;
}

/**
 * Prints a file's tensors (key, dtype, shape, numel, bytes), other values and totals; JSON with `json`.
 * @example inspect('model.pt', false, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
 */
export function inspect(path: string, json: boolean, io: CliIO): void {
  const f = readAny(path);
  const leaves = flatten(f.value);
  const tensors = leaves.filter((l) => l.value instanceof RawTensor) as { key: string; value: RawTensor }[];
  const values = leaves.filter((l) => !(l.value instanceof RawTensor));
  const rows = tensors.map(({ key, value: t }) => ({
    key,
    dtype: t.dtype,
    shape: t.shape.slice(),
    numel: t.numel(),
    bytes: t.numel() * STORED[t.dtype].itemsize,
    ...(t.isParameter ? { parameter: true } : {}),
    ...(t.requiresGrad ? { requiresGrad: true } : {}),
  }));
  const storages = new Set(tensors.map((t) => t.value.storage));
  const totals = {
    tensors: rows.length,
    numel: rows.reduce((a, r) => a + r.numel, 0),
    bytes: rows.reduce((a, r) => a + r.bytes, 0),
    storageBytes: [...storages].reduce((a, s) => a + s.bytes.length, 0),
  };
  if (json) {
    io.out(`${JSON.stringify({ file: path, format: f.format, tensors: rows, values: values.map((l) => ({ key: l.key, value: jsonValue(l.value) })), metadata: f.metadata, totals }, null, 2)}\n`);
    return;
  }
  io.out(`${path}: ${f.format === 'pytorch' ? 'PyTorch checkpoint' : 'safetensors'}\n`);
  if (rows.length) {
    const cols = rows.map((r) => [r.key || '(root)', r.dtype, `[${r.shape.join(', ')}]`, String(r.numel), String(r.bytes)]);
    const head = ['key', 'dtype', 'shape', 'numel', 'bytes'];
    const width = head.map((h, i) => Math.max(h.length, ...cols.map((c) => c[i]!.length)));
    const line = (c: string[]): string => `${c.map((x, i) => (i >= 3 ? x.padStart(width[i]!) : x.padEnd(width[i]!))).join('  ').trimEnd()}\n`;
    io.out(line(head));
    for (const c of cols) io.out(line(c));
  }
  for (const l of values) io.out(`${l.key || '(root)'} = ${show(l.value)}\n`);
  if (f.metadata) for (const [k, v] of Object.entries(f.metadata)) io.out(`__metadata__.${k} = ${JSON.stringify(v)}\n`);
  const shared = totals.storageBytes !== totals.bytes && f.format === 'pytorch' ? `, ${totals.storageBytes} bytes of storage` : '';
  io.out(`${totals.tensors} tensors, ${totals.numel} parameters (elements), ${totals.bytes} bytes${shared}\n`);
}

function formatOf(path: string): 'pytorch' | 'safetensors' {
  const ext = /\.[^./\\]*$/.exec(path)?.[0].toLowerCase() ?? '';
  if (ext === '.safetensors') return 'safetensors';
  if (['.pt', '.pth', '.bin', '.ckpt', '.tar'].includes(ext)) return 'pytorch';
  throw new CliError(`cannot tell the output format from "${path}": use a .pt, .pth, .bin, .ckpt or .safetensors extension`, 2);
}

/**
 * Converts between a PyTorch checkpoint and safetensors (the format follows `output`'s extension).
 * @example convert('model.pt', 'model.safetensors', io);
 */
export function convert(input: string, output: string, io: CliIO): void {
  const to = formatOf(output);
  const f = readAny(input);
  let bytes: Uint8Array;
  let count: number;
  if (to === 'safetensors') {
    const tensors = new Map<string, RawTensor>();
    const skipped: string[] = [];
    for (const l of flatten(f.value)) {
      if (!(l.value instanceof RawTensor)) {
        skipped.push(l.key || '(root)');
        continue;
      }
      if (tensors.has(l.key)) throw new CliError(`${input}: two tensors flatten to the key "${l.key}"`);
      tensors.set(l.key, l.value);
    }
    if (tensors.size === 0) throw new CliError(`${input} holds no tensors to convert`);
    if (skipped.length) io.err(`torchlet: note: safetensors holds only tensors; skipped ${skipped.length} other value(s): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''}\n`);
    bytes = safetensors.save(tensors, f.metadata ?? { format: 'pt' });
    count = tensors.size;
  } else {
    if (f.metadata) io.err('torchlet: note: the safetensors __metadata__ is not carried into the .pt file\n');
    bytes = saveBytes(f.value);
    count = flatten(f.value).filter((l) => l.value instanceof RawTensor).length;
  }
  writeOutput(output, bytes);
  io.out(`wrote ${output}: ${count} tensors, ${bytes.length} bytes\n`);
}
