/**
 * Reading and writing the CLI's checkpoints: safetensors files (`torch.safetensors`) whose
 * `__metadata__` holds `format` and the model's `config` as JSON, so a checkpoint is
 * self-describing and `torchlet inspect` shows its config.
 */
import { readFileSync } from 'node:fs';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { safetensors } from '../../io/index.js';
import { looksLikeZip } from '../../io/zip.js';
import { CliError } from './errors.js';
import { requireFile } from './options.js';

/** A loaded checkpoint. */
export interface Checkpoint {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/**
 * Loads a safetensors checkpoint with its metadata. A missing file, or one that is not a
 * safetensors file (a torch.save checkpoint, anything else), is a CliError saying which
 * checkpoint `command` needs.
 * @example const { tensors, metadata } = readCheckpointFile('model.safetensors', '--model', { writer: 'train-forecast', command: 'forecast' });
 */
export function readCheckpointFile(path: string, flag: string, needs: { writer: string; command: string }): Checkpoint {
  requireFile(path, flag);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${flag} ${path}: cannot read: ${(e as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new CliError(`${flag} ${path}: not a checkpoint written by torchlet ${needs.writer} (${why}); ${needs.command} needs the .safetensors file that torchlet ${needs.writer} --out writes`);
  };
  if (looksLikeZip(bytes)) fail('it is a PyTorch checkpoint written by torch.save');
  try {
    return { tensors: safetensors.load(bytes), metadata: safetensors.metadata(bytes) };
  } catch (e) {
    return fail(`not a safetensors file: ${(e as Error).message.replace(/^safetensors: /, '')}`);
  }
}

/** What a model class needs to be rebuilt from a checkpoint of the CLI. */
export interface CheckpointKind<C, M extends Module> {
  /** The metadata's `format` value, e.g. `torchlet-forecast`. */
  format: string;
  /** What the checkpoint holds, for the error: `forecaster`, `character-model`. */
  what: string;
  /** The subcommand that writes such checkpoints, for the error: `train-forecast`. */
  writer: string;
  /** Builds the model from its saved config. */
  build(config: C): M;
}

/**
 * Rebuilds a model from a checkpoint's metadata (format and JSON config) and tensors, in eval
 * mode; a checkpoint of another kind, a broken config or weights that do not fit are CliErrors.
 * @example const model = modelFromCheckpoint(metadata, tensors, file, { format: 'torchlet-forecast', what: 'forecaster', writer: 'train-forecast', build: (c) => new ForecastModel(c) });
 */
export function modelFromCheckpoint<C, M extends Module>(meta: Record<string, string> | null, tensors: Record<string, Tensor>, file: string, kind: CheckpointKind<C, M>): M {
  if (!meta || meta.format !== kind.format || typeof meta.config !== 'string') {
    throw new CliError(`${file} is not a torchlet ${kind.what} checkpoint (its safetensors metadata has no format "${kind.format}"; train one with torchlet ${kind.writer})`);
  }
  let cfg: C;
  try {
    cfg = JSON.parse(meta.config) as C;
  } catch {
    throw new CliError(`${file}: the checkpoint's config metadata is not valid JSON`);
  }
  const model = kind.build(cfg);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new CliError(`${file}: the weights do not match the saved config: ${(e as Error).message}`);
  }
  model.eval();
  return model;
}
