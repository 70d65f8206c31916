/**
 * The `torchlet` command's dispatcher (commander). Each subcommand lives in its own file in
 * `commands/` and exports a {@link CliCommand}; to add one, write the file and list it in
 * `commands/index.ts`. Nothing here is imported by the library (`src/index.ts`).
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { CliError } from './lib/errors.js';
import type { CliContext } from './lib/options.js';

export type { CliContext } from './lib/options.js';

/**
 * One subcommand: `register` adds it to the program (name, options, help) with an action that
 * writes to `ctx` and returns its exit code (or throws a {@link CliError}).
 */
export interface CliCommand {
  /** The subcommand's name, e.g. `train-forecast`. */
  name: string;
  register(program: Command, ctx: CliContext, setExitCode: (code: number) => void): void;
}

/** The program with every subcommand, writing to `ctx` and throwing instead of exiting. */
export function buildProgram(ctx: CliContext, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('torchlet')
    .description("torchlet's command line: train and use LSTM forecasters and character language models, inspect and convert checkpoints.")
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error: ') ? `torchlet: ${s}` : s),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false);
  // copyInheritedSettings: subcommands created with .command() inherit output and exit handling
  for (const c of COMMANDS) c.register(program, ctx, setExitCode);
  return program;
}

/**
 * Runs `torchlet` with `argv` (without `node` and the script path). Resolves to the exit code:
 * 0 on success, 1 for a runtime error (a missing or invalid file, ...), 2 for bad usage.
 * @example process.exitCode = await runCli(['forecast', '--help'], { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let code = 0;
  const program = buildProgram(ctx, (c) => (code = c));
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; parse errors (unknown option, bad value, missing option) are usage errors
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      ctx.stderr.write(`torchlet: error: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.stderr.write(`torchlet: error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
