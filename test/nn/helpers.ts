/**
 * Shared helpers of the nn tests: decoding fixture state dicts and building modules by name.
 */
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { fromFixture } from '../helpers/fixtures.js';

export type Enc = { shape: number[]; dtype: torch.DType; data: unknown[] };

/** A fixture state dict (or any name -> encoded tensor map) as tensors; plain values pass through. */
export function decodeDict(sd: Record<string, unknown>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(sd)) {
    out[k] = v !== null && typeof v === 'object' && 'shape' in (v as object) ? fromFixture(v as Enc) : v;
  }
  return out;
}

/** Exact comparison (bit for bit for float32 values stored as doubles). */
export function expectExact(actual: torch.Tensor, expected: Enc): void {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((s, i) => s !== expected.shape[i])) {
    throw new Error(`shape [${actual.shape.join(', ')}] != [${expected.shape.join(', ')}]`);
  }
  const a = Array.from(actual.dataSync());
  const e = expected.data as number[];
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(a[i]) && (e[i] as unknown) === 'nan')) {
      throw new Error(`element ${i}: got ${a[i]}, expected ${String(e[i])}`);
    }
  }
}

/** Builds a layer from a fixture's ctor name, positional args and (camelCase) options. */
export function buildModule(ctor: string, args: any[], opts: any): nn.Module {
  switch (ctor) {
    case 'Linear':
      return new nn.Linear(args[0], args[1], opts);
    case 'Bilinear':
      return new nn.Bilinear(args[0], args[1], args[2], opts);
    case 'Embedding':
      return new nn.Embedding(args[0], args[1], opts);
    case 'Dropout':
      return new nn.Dropout(args[0]);
    case 'LayerNorm':
      return new nn.LayerNorm(args[0], opts);
    case 'BatchNorm1d':
      return new nn.BatchNorm1d(args[0], opts);
    case 'ReLU':
      return new nn.ReLU();
    case 'LeakyReLU':
      return new nn.LeakyReLU(args[0]);
    case 'GELU':
      return new nn.GELU(opts);
    case 'Tanh':
      return new nn.Tanh();
    case 'Sigmoid':
      return new nn.Sigmoid();
    case 'Softmax':
      return new nn.Softmax(opts);
    case 'LogSoftmax':
      return new nn.LogSoftmax(opts);
    case 'Identity':
      return new nn.Identity();
    case 'Flatten':
      return new nn.Flatten(...args);
    case 'ELU':
      return new nn.ELU(args[0]);
    case 'Softplus':
      return new nn.Softplus(args[0], args[1]);
    default:
      throw new Error(`unknown module ${ctor}`);
  }
}
