/**
 * Checkpoint loading speed: `torch.load` of an LSTM state dict (LSTM(256->512, 2 layers) +
 * Linear(512->10), float32, about 15 MB) as `torch.save` writes it (stored entries) and re-zipped
 * with DEFLATE (as tools that re-zip checkpoints write it), from bytes and from a file, and
 * `safetensors.load` of the same tensors; then the two DEFLATE decoders alone on the same
 * entries (node:zlib, which Node uses, and fflate, which browsers use).
 *
 * Speeds are checkpoint data (uncompressed bytes) per second: the median wall time, and the
 * median CPU time of the process (user + system), which is steadier on a busy machine.
 *
 * Run: node --import tsx bench/checkpoint-load.ts [--quick]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from '../src/index.js';
import { inflateRawNode, inflateRawPortable } from '../src/io/inflate.js';
import { ZipReader, writeZip } from '../src/io/zip.js';

const REPS = process.argv.includes('--quick') ? 5 : 15;

torch.manualSeed(0);
const model = new torch.nn.Sequential(new torch.nn.LSTM(256, 512, { numLayers: 2 }), new torch.nn.Linear(512, 10));
const stored = torch.save(model.stateDict());
const zip = new ZipReader(stored);
const entries = zip.names().map((name) => ({ name, data: zip.read(name).slice() }));
const deflated = writeZip(entries.map((e) => ({ ...e, deflated: zlib.deflateRawSync(e.data) })));
const st = torch.safetensors.save(model.stateDict());
const dir = mkdtempSync(join(tmpdir(), 'torchlet-bench-load-'));
const paths = { stored: join(dir, 'stored.pt'), deflated: join(dir, 'deflated.pt'), st: join(dir, 'model.safetensors') };
writeFileSync(paths.stored, stored);
writeFileSync(paths.deflated, deflated);
writeFileSync(paths.st, st);
const deflatedEntries = new ZipReader(deflated).names().map((n) => new ZipReader(deflated).entries.get(n)!);
const MB = stored.length / 1e6;

/** Median wall and CPU milliseconds of `fn` after two warm-up runs. */
function time(fn: () => unknown): { wall: number; cpu: number } {
  fn();
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const med = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;
  return { wall: med(wall), cpu: med(cpu) };
}

const inflateAll = (inflate: (raw: Uint8Array, size: number) => Uint8Array) => () => {
  for (const e of deflatedEntries) inflate(deflated.subarray(e.dataOffset, e.dataOffset + e.compressedSize), e.size);
};

const cases: [string, () => unknown][] = [
  ['torch.load(bytes), stored', () => torch.load(stored)],
  ['torch.load(path), stored', () => torch.load(paths.stored)],
  ['torch.load(bytes), deflated', () => torch.load(deflated)],
  ['torch.load(path), deflated', () => torch.load(paths.deflated)],
  ['safetensors.loadFile(path)', () => torch.safetensors.loadFile(paths.st)],
  ['inflate only: node:zlib (Node)', inflateAll((raw, size) => inflateRawNode(zlib, raw, size))],
  ['inflate only: fflate (browsers)', inflateAll(inflateRawPortable)],
];

console.log(`checkpoint: ${MB.toFixed(1)} MB stored, ${(deflated.length / 1e6).toFixed(1)} MB deflated (${zip.entries.size} entries); median of ${REPS} runs, Node ${process.versions.node}`);
console.log(`${'case'.padEnd(34)} ${'wall ms'.padStart(8)} ${'MB/s'.padStart(7)} ${'cpu ms'.padStart(8)} ${'MB/s'.padStart(7)}`);
try {
  for (const [name, fn] of cases) {
    const { wall, cpu } = time(fn);
    console.log(`${name.padEnd(34)} ${wall.toFixed(1).padStart(8)} ${(MB / (wall / 1000)).toFixed(0).padStart(7)} ${cpu.toFixed(1).padStart(8)} ${(MB / (cpu / 1000)).toFixed(0).padStart(7)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
