import { spawnSync } from 'node:child_process';
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
