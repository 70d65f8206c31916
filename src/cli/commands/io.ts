/**
 * `torchlet inspect` and `torchlet convert`, from the files work (src/cli/io-commands.ts), wired
 * into the dispatcher. They delegate to its `main`, which keeps its own messages and exit codes.
 */
import { Command } from 'commander';
import { main as ioMain } from '../io-commands.js';
import type { CliContext } from '../lib/options.js';
import type { CliCommand } from '../program.js';

const io = (ctx: CliContext) => ({ out: (s: string) => void ctx.stdout.write(s), err: (s: string) => void ctx.stderr.write(s) });

/** The `inspect` subcommand. */
export const inspectCmd: CliCommand = {
  name: 'inspect',
  register(program: Command, ctx: CliContext, setExitCode) {
    program
      .command('inspect')
      .description('list the tensors of a .pt/.pth or .safetensors file: key, dtype, shape, elements, bytes, metadata')
      .argument('<file>', 'checkpoint file')
      .option('--json', 'print JSON')
      .action((file: string, o: { json?: boolean }) => setExitCode(ioMain(['inspect', file, ...(o.json ? ['--json'] : [])], io(ctx))));
  },
};

/** The `convert` subcommand. */
export const convertCmd: CliCommand = {
  name: 'convert',
  register(program: Command, ctx: CliContext, setExitCode) {
    program
      .command('convert')
      .description('convert between PyTorch (.pt, .pth, .bin, .ckpt) and .safetensors (format from OUT extension)')
      .argument('<in>', 'input file')
      .argument('<out>', 'output file')
      .action((input: string, output: string) => setExitCode(ioMain(['convert', input, output], io(ctx))));
  },
};
