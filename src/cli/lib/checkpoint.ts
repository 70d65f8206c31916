/**
 * Reading and writing the CLI's checkpoints: safetensors files (`torch.safetensors`) whose
 * `__metadata__` holds `format` and the model's `config` as JSON, so a checkpoint is
 * self-describing and `torchlet inspect` shows its config.
 */
import { readFileSync } from 'node:fs';
import type { Tensor } from '../../tensor/tensor.js';
import { safetensors } from '../../io/index.js';
import { CliError } from './errors.js';
import { requireFile } from './options.js';

/** A loaded checkpoint. */
export interface Checkpoint {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/**
 * Loads a safetensors checkpoint with its metadata; a missing or malformed file is a CliError.
 * @example const { tensors, metadata } = readCheckpointFile('model.safetensors', '--model');
 */
export function readCheckpointFile(path: string, flag: string): Checkpoint {
  requireFile(path, flag);
  try {
    const bytes = new Uint8Array(readFileSync(path));
    return { tensors: safetensors.load(bytes), metadata: safetensors.metadata(bytes) };
  } catch (e) {
    throw new CliError(`${flag} ${path}: not a readable safetensors file (${(e as Error).message})`);
  }
}
