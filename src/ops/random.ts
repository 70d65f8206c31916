/**
 * In-place random fills (`uniform_`, `normal_`, `bernoulli_`) and `torch.bernoulli`/`multinomial`-free
 * basics. They draw from the PyTorch-exact generator (src/random/generator.ts), so the same seed
 * and call sequence give PyTorch's numbers.
 */
import { RuntimeError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { checkNumber, checkOptions, describeValue } from '../validate.js';
import { wrapArray } from '../tensor/create.js';
import { allocArray, type DType, type FloatArray, isFloating, scalarTypeName } from '../tensor/dtype.js';
import { type Tensor, shapeNumel } from '../tensor/tensor.js';
import { applyInPlace } from './inplace.js';
import type { MethodTable } from '../tensor/methods.js';

function floatOnly(t: Tensor, kernel: string): void {
  if (!isFloating(t.dtype)) {
    const title = scalarTypeName(t.dtype);
    throw new RuntimeError(`"${kernel}" not implemented for '${title}'`);
  }
}

/** Options of random in-place fills. */
export interface GeneratorOption {
  generator?: Generator;
}

/** Validates a random fill's numbers and options; returns the generator to draw from. */
function genOf(fn: string, nums: [string, unknown][], opts: unknown): Generator {
  for (const [name, v] of nums) checkNumber(fn, name, v);
  const o = checkOptions<GeneratorOption>(fn, opts, ['generator']);
  if (o.generator !== undefined && o.generator !== null && !(o.generator instanceof Generator)) {
    throw new TypeError(`${fn}: argument 'generator' must be a torch.Generator, got ${describeValue(o.generator)}`);
  }
  return o.generator ?? defaultGenerator;
}

/**
 * A fresh `shape`/`dtype` tensor of samples that `draw` writes into a new host array. The
 * generator runs on the host, like PyTorch's CPU generator; the array is then wrapped as the
 * tensor's storage (a host transfer), so no kernel loop writes into tensor memory.
 * @example const r = drawTensor([3], 'float32', (a) => defaultGenerator.uniform(a, 0, 1));
 */
export function drawTensor(shape: readonly number[], dtype: DType, draw: (out: FloatArray) => void): Tensor {
  const data = allocArray(dtype, shapeNumel(shape)) as FloatArray;
  draw(data);
  return wrapArray(data, shape, dtype);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Fills with U(from, to) samples in place, like `Tensor.uniform_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.uniform_.html
     * @example torch.empty(3, 4).uniform_(-0.1, 0.1)
     */
    uniform_(from?: number, to?: number, opts?: GeneratorOption): this;
    /**
     * Fills with N(mean, std) samples in place, like `Tensor.normal_`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.normal_.html
     * @example torch.empty(3, 4).normal_(0, 0.02)
     */
    normal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /**
     * Fills with Bernoulli(p) samples (0/1) in place, like `Tensor.bernoulli_(p)`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bernoulli_.html
     * @example const keep = torch.empty(8).bernoulli_(0.9);
     */
    bernoulli_(p?: number, opts?: GeneratorOption): this;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const randomMethods: MethodTable = {
  uniform_(this: Tensor, from = 0, to = 1, opts: GeneratorOption = {}) {
    const gen = genOf('uniform_()', [['from', from], ['to', to]], opts);
    floatOnly(this, 'check_uniform_bounds');
    if (from > to) {
      throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.uniform(a, from, to)));
  },
  normal_(this: Tensor, mean = 0, std = 1, opts: GeneratorOption = {}) {
    const gen = genOf('normal_()', [['mean', mean], ['std', std]], opts);
    floatOnly(this, 'normal_kernel_cpu');
    if (std < 0) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.normal(a, mean, std)));
  },
  bernoulli_(this: Tensor, p = 0.5, opts: GeneratorOption = {}) {
    const gen = genOf('bernoulli_()', [['p', p]], opts);
    floatOnly(this, 'bernoulli_scalar_cpu_');
    if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.bernoulli(a, p)));
  },
};
