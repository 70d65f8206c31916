/**
 * `torchlet inspect` and `torchlet convert` (src/cli/io-commands.ts), wired into the dispatcher.
 */
import { Command } from 'commander';
import { type CliIO, convert, inspect } from '../io-commands.js';
import type { CliContext } from '../lib/options.js';
import type { CliCommand } from '../program.js';

const io = (ctx: CliContext): CliIO => ({ out: (s: string) => void ctx.stdout.write(s), err: (s: string) => void ctx.stderr.write(s) });

/** The `inspect` subcommand. */
export const inspectCmd: CliCommand = {
  name: 'inspect',
  register(program: Command, ctx: CliContext) {
    program
      .command('inspect')
      .description('list the tensors of a .pt/.pth or .safetensors file: key, dtype, shape, elements, bytes, metadata')
      .argument('<file>', 'checkpoint file')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nA file that tries to call anything but tensor and container constructors (like os.system) is refused; nothing in it is ever executed.')
      .action((file: string, o: { json?: boolean }) => inspect(file, Boolean(o.json), io(ctx)));
  },
};

/** The `convert` subcommand. */
export const convertCmd: CliCommand = {
  name: 'convert',
  register(program: Command, ctx: CliContext) {
    program
      .command('convert')
      .description('convert between PyTorch (.pt, .pth, .bin, .ckpt) and .safetensors (format from OUT extension)')
      .argument('<in>', 'input file')
      .argument('<out>', 'output file')
      .addHelpText('after', '\nExample:\n  torchlet convert model.pt model.safetensors')
      .action((input: string, output: string) => convert(input, output, io(ctx)));
  },
};
