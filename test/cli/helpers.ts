import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A writable that collects what is written (not a terminal, like CI logs). */
export function buffer(): { write(s: string): boolean; isTTY: false; text(): string } {
  let t = '';
  return { write: (s: string) => ((t += s), true), isTTY: false, text: () => t };
}

/** Runs `torchlet argv...` in-process. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = buffer();
  const stderr = buffer();
  const code = await runCli(argv, { stdout, stderr });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** Runs a node script of the repository as a child process (stdout is a pipe, not a terminal). */
export function spawnNode(args: string[], timeout = 120_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Writes the small test inputs into `dir`: a monthly seasonal series with a trend (60 rows,
 * 1990-01..1994-12, columns month,sales) and a short repetitive text. Returns their paths.
 */
export function writeInputs(dir: string): { csv: string; rows: string[]; text: string } {
  const rows = Array.from({ length: 60 }, (_, i) => `${1990 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},${(100 + 2 * i + 15 * Math.sin((2 * Math.PI * i) / 12)).toFixed(2)}`);
  const csv = join(dir, 'series.csv');
  writeFileSync(csv, `month,sales\n${rows.join('\n')}\n`);
  const text = join(dir, 'tiny.txt');
  writeFileSync(text, 'the cat sat on the mat. the dog sat on the log. '.repeat(12));
  return { csv, rows, text };
}

/** Tiny train-forecast settings (seconds to train). */
export const TINY_FORECAST = ['--window', '8', '--horizon', '4', '--hidden', '4', '--epochs', '3', '--batch-size', '8'];
/** Tiny train-text settings. */
export const TINY_TEXT = ['--hidden', '8', '--embed', '4', '--seq-len', '16', '--epochs', '2', '--sample-every', '0', '--sample-length', '20'];
