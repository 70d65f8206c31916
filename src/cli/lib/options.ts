/**
 * Shared pieces of the subcommands: the output context and commander option parsers that reject
 * bad values with a clear message (commander prints `error: option '--epochs <n>' argument 'x' is
 * invalid. expected a positive integer`).
 */
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { CliError } from './errors.js';
import type { OutStream } from './progress.js';

/** What a command writes to: the process's streams, or a test's buffers. */
export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
}

/** `--n <int>`, at least 1. */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** `--n <int>`, at least 0. */
export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** `--x <number>`, greater than 0. */
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

/** `--x <fraction>` in [0, 1). */
export function fraction(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a number in [0, 1).');
  return n;
}

/** `--seed <int>` (any safe integer). */
export function seed(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** `--x <a|b|c>` from a fixed set. */
export function oneOf<T extends string>(...choices: T[]): (v: string) => T {
  return (v: string) => {
    if (!(choices as string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return v as T;
  };
}

/** Fails with a clear message unless `path` is an existing regular file (`flag` names the option, '' for an argument). */
export function requireFile(path: string, flag: string): void {
  const what = flag ? `${flag} ${path}` : path;
  if (!existsSync(path)) throw new CliError(`${what}: no such file`);
  if (!statSync(path).isFile()) throw new CliError(`${what}: not a regular file`);
}

/** The underlying reason of a library error (`torch.save: cannot write x: <reason>` -> `<reason>`). */
export function causeOf(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : (e as Error).message;
}

/**
 * Writes an output file atomically (a temporary file in the same folder, flushed, renamed over
 * `path`: a failed write leaves the previous file intact); a failure is a CliError.
 * @example writeOutput('model.loss.svg', svg);
 */
export function writeOutput(path: string, data: Uint8Array | string): void {
  try {
    writeFileAtomic(path, data, 'torchlet');
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${causeOf(e)}`);
  }
}

/** A path relative to the working directory when that is shorter. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const rel = p.startsWith(cwd + '/') ? p.slice(cwd.length + 1) : p;
  return rel;
}
