/**
 * `torchlet sample --model FILE --prime TEXT --length N --temperature T`: continues a text with a
 * character model from `train-text`.
 */
import { Command, InvalidArgumentError } from 'commander';
import * as torch from '../../index.js';
import { charLmFromCheckpoint, sample } from '../lib/char-lm.js';
import { readCheckpointFile } from '../lib/checkpoint.js';
import { type CliContext, positiveInt, seed } from '../lib/options.js';
import type { CliCommand } from '../program.js';

/** Options of `sample`. */
export interface SampleOptions {
  model: string;
  prime?: string;
  length: number;
  temperature: number;
  seed: number;
}

/** Runs the command: writes the prime and its continuation to stdout. */
export async function sampleCommand(o: SampleOptions, ctx: CliContext): Promise<void> {
  const { tensors, metadata } = readCheckpointFile(o.model, '--model', { writer: 'train-text', command: 'sample' });
  const model = charLmFromCheckpoint(metadata, tensors, o.model);
  const prime = o.prime ?? (model.cfg.vocab.includes('\n') ? '\n' : model.cfg.vocab[0]);
  torch.manualSeed(o.seed);
  ctx.stdout.write(sample(model, prime, o.length, o.temperature) + '\n');
}

function temperature(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0 (0 picks the most likely character).');
  return n;
}

/** The `sample` subcommand. */
export const sampleCmd: CliCommand = {
  name: 'sample',
  register(program: Command, ctx: CliContext) {
    program
      .command('sample')
      .description('generate text with a character model from train-text')
      .requiredOption('--model <file>', 'checkpoint written by train-text (.safetensors)')
      .option('--prime <text>', 'text to start from (default: a newline)')
      .option('--length <n>', 'characters to generate', positiveInt, 200)
      .option('--temperature <t>', 'softmax temperature: lower is more conservative, 0 is greedy', temperature, 0.8)
      .option('--seed <n>', 'random seed', seed, 0)
      .addHelpText('after', '\nExample:\n  torchlet sample --model readme.safetensors --prime "The " --length 300 --temperature 0.7')
      .action((o: SampleOptions) => sampleCommand(o, ctx));
  },
};
