/**
 * onnxruntime-node, the benchmark's JavaScript peer (`npm run bench -- --compare`). It is not one of
 * torchlet's dev dependencies (about 290 MB of native libraries for every platform): it belongs to
 * the bench folder's own package, bench/package.json, installed with `npm ci --prefix bench`.
 * Without it the benchmark still times torchlet (and PyTorch) and says how to add it.
 *
 * The types below are the part of its API the benchmark uses, so that type-checking the repository
 * does not need it installed.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** How to install the peer, for messages. */
export const ORT_INSTALL = 'npm ci --prefix bench';

/** An onnxruntime tensor (the fields the benchmark reads). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An onnxruntime inference session. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The onnxruntime-node module. */
export interface OrtModule {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions: { node?: string } };
}

/**
 * The file URL of onnxruntime-node's entry as installed in bench/ (or anywhere Node's resolution
 * from bench/ finds it), or null when it is not installed.
 * @example const url = ortEntry(); if (url) await import(url);
 */
export function ortEntry(): string | null {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
  } catch {
    return null;
  }
}

/**
 * Loads onnxruntime-node; throws a one-line reason (with the install command) when it cannot.
 * @example const ort = await importOrt();
 */
export async function importOrt(): Promise<OrtModule> {
  const url = ortEntry();
  if (!url) throw new Error(`onnxruntime-node is not installed (it is bench/'s own dependency: ${ORT_INSTALL})`);
  const mod = (await import(url)) as OrtModule & { default?: OrtModule };
  return 'InferenceSession' in mod && mod.InferenceSession ? mod : mod.default!;
}
