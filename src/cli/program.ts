/**
 * The `torchlet` command's dispatcher (commander). Each subcommand lives in its own file in
 * `commands/` and exports a {@link CliCommand}; to add one, write the file and list it in
 * `commands/index.ts`. Nothing here is imported by the library (`src/index.ts`).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { CliError } from './lib/errors.js';
import type { CliContext } from './lib/options.js';

export type { CliContext } from './lib/options.js';

/**
 * One subcommand: `register` adds it to the program (name, options, help) with an action that
 * writes to `ctx` and throws a {@link CliError} when it fails.
 */
export interface CliCommand {
  /** The subcommand's name, e.g. `train-forecast`. */
  name: string;
  register(program: Command, ctx: CliContext): void;
}

/** torchlet's version, from its package.json (two folders up from src/cli/ and from dist/cli/). */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The program with every subcommand, writing to `ctx` and throwing instead of exiting. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('torchlet')
    .description("torchlet's command line: train and use LSTM forecasters and character language models, inspect and convert checkpoints.")
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error: ') ? `torchlet: ${s}` : s),
    })
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false);
  // copyInheritedSettings: subcommands created with .command() inherit output and exit handling
  for (const c of COMMANDS) c.register(program, ctx);
  return program;
}

/**
 * Runs `torchlet` with `argv` (without `node` and the script path). Resolves to the exit code:
 * 0 on success, 1 for a runtime error (a missing or invalid file, ...), 2 for bad usage.
 * @example process.exitCode = await runCli(['forecast', '--help'], { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; parse errors (unknown option, bad value, missing option) are usage errors
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      // usage errors end like commander's own
      ctx.stderr.write(`torchlet: error: ${e.message}\n${e.exitCode === 2 ? '(run with --help for usage)\n' : ''}`);
      return e.exitCode;
    }
    // anything else is a library error whose message already says what failed
    ctx.stderr.write(`torchlet: error: ${String((e as Error)?.message ?? e).replace(/^torchlet: /, '')}\n`);
    return 1;
  }
}
