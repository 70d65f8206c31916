/**
 * Peak memory of W3 (large inference: LSTM(256->512, 2 layers, batchFirst), x [64,100,256], under
 * noGrad) for torchlet and onnxruntime-node, each measured in a fresh child process so neither
 * sees the other's heap: the process's peak resident set (VmHWM on Linux) after loading the
 * model and input ("idle"), and after five forward passes ("peak"). The difference is what the
 * forward itself needs at its worst moment.
 *
 * Run: node --import tsx bench/memory.ts        (also run by `npm run bench -- --compare`)
 * onnxruntime needs bench/.cache/onnx/W3.onnx, which `npm run bench -- --compare` exports first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ORT_INSTALL, ortEntry } from './peers.js';

const ONNX = fileURLToPath(new URL('./.cache/onnx/W3.onnx', import.meta.url));
const SRC = new URL('../src/index.js', import.meta.url).href;
const RUNS = 5;
/**
 * The child's peak resident set in KiB: VmHWM of /proc/self/status on Linux (getrusage's maxRSS
 * is inherited from the parent across fork and exec there, so a child spawned by a big process
 * would report the parent's peak), else maxRSS.
 */
const HWM = `const hwm = () => { try { const m = /VmHWM:\\s+(\\d+)/.exec(process.getBuiltinModule('node:fs').readFileSync('/proc/self/status', 'utf8')); if (m) return Number(m[1]); } catch {} return process.resourceUsage().maxRSS; };`;

/** Child program for torchlet (runs under tsx, imports the sources). */
const torchletChild = `
import * as torch from ${JSON.stringify(SRC)};
${HWM}
torch.manualSeed(0);
const lstm = new torch.nn.LSTM(256, 512, { numLayers: 2, batchFirst: true });
const x = torch.randn(64, 100, 256);
const idle = hwm();
for (let i = 0; i < ${RUNS}; i++) torch.noGrad(() => lstm.forward(x));
console.log(JSON.stringify({ idle, peak: hwm() }));
`;

/** Child program for onnxruntime-node (CPU provider, 2 intra-op threads like the timing run), imported from `entry` (bench/peers.ts). */
const ortChild = (entry: string): string => `
const mod = await import(${JSON.stringify(entry)});
const ort = mod.InferenceSession ? mod : mod.default;
${HWM}
const s = await ort.InferenceSession.create(${JSON.stringify(ONNX)}, { intraOpNumThreads: 2 });
const x = new ort.Tensor('float32', new Float32Array(64 * 100 * 256).fill(0.5), [64, 100, 256]);
const idle = hwm();
for (let i = 0; i < ${RUNS}; i++) await s.run({ [s.inputNames[0]]: x });
console.log(JSON.stringify({ idle, peak: hwm() }));
`;

interface Mem {
  idle: number;
  peak: number;
}

function measure(code: string, tsx: boolean): Mem | string {
  const args = [...(tsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  if (r.status !== 0) return (r.stderr || 'failed').trim().split('\n').find((l) => /Error/.test(l)) ?? 'failed';
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Mem;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

/** Measures both in fresh processes and prints a Markdown table. */
export function memoryTable(): void {
  const rows: [string, Mem | string][] = [['torchlet (native)', measure(torchletChild, true)]];
  const entry = ortEntry();
  const ort = !entry ? `onnxruntime-node is not installed (${ORT_INSTALL})` : !existsSync(ONNX) ? 'no bench/.cache/onnx/W3.onnx (run --compare)' : measure(ortChild(entry), false);
  rows.push(['onnxruntime 2t', ort]);
  console.log('\nW3 peak memory (peak resident set, fresh process each, 5 forwards):\n');
  console.log('| runtime | after load | peak | forward adds |');
  console.log('|---|---|---|---|');
  for (const [name, m] of rows) {
    if (typeof m === 'string') console.log(`| ${name} | ${m} | | |`);
    else console.log(`| ${name} | ${mb(m.idle)} | ${mb(m.peak)} | ${mb(m.peak - m.idle)} |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) memoryTable();
