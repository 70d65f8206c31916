/**
 * Sampling from distributions given as tensors: `torch.multinomial` and `Tensor.exponential_`,
 * with PyTorch 1.13's CPU draws. Without replacement, multinomial is the exponential race of
 * PyTorch's fast path (q ~ Exp(1) drawn in the input's memory order, then `topk(p / q)`, or
 * `argmax` for one sample); with replacement, one 53-bit uniform per sample located in the row's
 * cumulative distribution (the `multinomialCdf` / `multinomialSearch` routines).
 */
import { routine } from '../backends/routine.js';
import {
  MULTINOMIAL_NEGATIVE,
  MULTINOMIAL_NOT_FINITE,
  MULTINOMIAL_OK,
} from '../backends/routines/sampling.js';
import { noGrad } from '../autograd/grad-mode.js';
import { RuntimeError } from '../errors.js';
import { defaultGenerator, Generator } from '../random/generator.js';
import { type FloatArray, isFloating, scalarTypeName } from '../tensor/dtype.js';
import { emptyTensor } from '../tensor/create.js';
import type { MethodTable } from '../tensor/methods.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBool, checkInt, checkNumber, checkOptions, describeValue, isPlainObject } from '../validate.js';
import { div } from './elementwise.js';
import { applyInPlace } from './inplace.js';
import { drawTensor, type GeneratorOption } from './random.js';
import { argmax, max, min, sum } from './reduce.js';
import { topk } from './sort.js';
import { checkTensor, dense } from './util.js';

/** Options of `multinomial` given as an object (PyTorch's keywords). */
export interface MultinomialOptions extends GeneratorOption {
  /** Draw with replacement (default false). */
  replacement?: boolean;
}

/** The generator of an options object (validated), or the default one. */
function generatorOf(fn: string, gen: unknown): Generator {
  if (gen === undefined || gen === null) return defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError(`${fn}: argument 'generator' must be a torch.Generator, got ${describeValue(gen)}`);
  return gen;
}

/** The largest category count PyTorch accepts (its indices were once float32). */
const MAX_CATEGORIES = 2 ** 24;

/**
 * Indices drawn from the categorical distributions in the rows of `input` (1-D: one
 * distribution; 2-D: one per row), like `torch.multinomial`. The weights need not sum to one.
 * Without replacement each row gives `numSamples` distinct categories. The same seed gives
 * PyTorch's indices.
 * See https://pytorch.org/docs/1.13/generated/torch.multinomial.html
 * @example
 * const g = new torch.Generator().manualSeed(0);
 * torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 4, true, { generator: g }); // int64, shape [4]
 */
export function multinomial(input: Tensor, numSamples: number, replacement?: boolean, opts?: GeneratorOption): Tensor;
export function multinomial(input: Tensor, numSamples: number, opts?: MultinomialOptions): Tensor;
export function multinomial(input: Tensor, numSamples: number, a?: boolean | MultinomialOptions, b?: GeneratorOption): Tensor {
  const fn = 'multinomial()';
  checkTensor('multinomial(): input', input);
  checkInt(fn, 'numSamples', numSamples);
  let replacement = false;
  let gen: Generator;
  if (isPlainObject(a)) {
    const o = checkOptions<MultinomialOptions>(fn, a, ['replacement', 'generator']);
    if (o.replacement !== undefined) replacement = checkBool(fn, 'replacement', o.replacement);
    gen = generatorOf(fn, o.generator);
  } else {
    if (a !== undefined) replacement = checkBool(fn, 'replacement', a);
    gen = generatorOf(fn, checkOptions<GeneratorOption>(fn, b, ['generator']).generator);
  }
  return noGrad(() => draw(input.detach(), numSamples, replacement, gen));
}

function draw(x: Tensor, nSample: number, replacement: boolean, gen: Generator): Tensor {
  if (x.dim() < 1 || x.dim() > 2) throw new RuntimeError('prob_dist must be 1 or 2 dim');
  if (!isFloating(x.dtype)) {
    throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${scalarTypeName(x.dtype)}`);
  }
  if (nSample <= 0) throw new RuntimeError('cannot sample n_sample <= 0 samples');
  const nCat = x.shape[x.dim() - 1]!;
  if (!replacement && nSample > nCat) {
    throw new RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  }
  if (nCat > MAX_CATEGORIES) throw new RuntimeError('number of categories cannot exceed 2^24');
  const nDist = x.dim() === 2 ? x.shape[0]! : 1;
  const shape = x.dim() === 2 ? [nDist, nSample] : [nSample];
  if (nDist === 0) return emptyTensor(shape, 'int64');
  return replacement ? withReplacement(x, nDist, nCat, nSample, shape, gen) : exponentialRace(x, nSample, gen);
}

/** PyTorch's fast path without replacement: the k largest p / q with q ~ Exp(1). */
function exponentialRace(x: Tensor, nSample: number, gen: Generator): Tensor {
  if (!(max(x).item() < Infinity && min(x).item() >= 0)) {
    throw new RuntimeError('probability tensor contains either `inf`, `nan` or element < 0');
  }
  const rowSums = x.dim() === 1 ? sum(x) : sum(x, 1);
  if (rowSums.eq(0).any().item()) throw new RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)');
  const q = div(x, exponentialLike(x, 1, gen));
  return nSample === 1 ? argmax(q, -1, true) : topk(q, nSample).indices;
}

/**
 * Exp(lambd) samples shaped like `x`, drawn in the memory order of PyTorch's `empty_like(x)`: a
 * column-major (transposed) 2-D input keeps its layout, anything else is filled row by row.
 */
function exponentialLike(x: Tensor, lambd: number, gen: Generator): Tensor {
  const fill = (a: FloatArray): void => void gen.exponential(a, lambd);
  const [r, c] = x.shape;
  if (x.dim() === 2 && !x.isContiguous() && x.strides[0] === 1 && x.strides[1] === r) {
    return drawTensor([c!, r!], x.dtype, fill).t();
  }
  return drawTensor(x.shape, x.dtype, fill);
}

/** PyTorch's `multinomial_with_replacement_apply`: row by row, validate, then one uniform per sample. */
function withReplacement(x: Tensor, nDist: number, nCat: number, nSample: number, shape: number[], gen: Generator): Tensor {
  const probs = dense(x);
  const cdf = new (probs.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(nDist * nCat);
  const status = new Int32Array(2);
  routine('multinomialCdf')({ nDist, nCat, probs, cdf, status });
  const [validRows, code] = [status[0]!, status[1]!];
  // the rows before an invalid one have drawn their samples when PyTorch raises
  const uniforms = gen.uniform(new Float64Array(validRows * nSample), 0, 1);
  if (code !== MULTINOMIAL_OK) {
    const what =
      code === MULTINOMIAL_NEGATIVE
        ? 'encountering probability entry < 0'
        : code === MULTINOMIAL_NOT_FINITE
          ? 'encountering probability entry = infinity or NaN'
          : 'sum of probabilities <= 0';
    throw new RuntimeError(`invalid multinomial distribution (${what})`);
  }
  const out = emptyTensor(shape, 'int64');
  routine('multinomialSearch')({ nDist, nCat, nSample, cdf, uniforms, out: out.storage.data as Float64Array });
  return out;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Indices drawn from the categorical distribution(s) in this 1-D or 2-D tensor, like
     * `Tensor.multinomial` (see `torch.multinomial`).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.multinomial.html
     * @example const next = probs.multinomial(1); // one index per row
     */
    multinomial(numSamples: number, replacement?: boolean, opts?: GeneratorOption): Tensor;
    multinomial(numSamples: number, opts?: MultinomialOptions): Tensor;
    /**
     * Fills with Exp(lambd) samples in place, like `Tensor.exponential_`: PyTorch's CPU draws
     * (one 64-bit draw per element, `-log(1 - u) / lambd`).
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.exponential_.html
     * @example torch.empty(5).exponential_(2)
     */
    exponential_(lambd?: number, opts?: GeneratorOption): this;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const samplingMethods: MethodTable = {
  multinomial(this: Tensor, numSamples: number, a?: boolean | MultinomialOptions, b?: GeneratorOption) {
    return multinomial(this, numSamples, a as boolean, b);
  },
  exponential_(this: Tensor, lambd = 1, opts: GeneratorOption = {}) {
    checkNumber('exponential_()', 'lambd', lambd);
    const gen = generatorOf('exponential_()', checkOptions<GeneratorOption>('exponential_()', opts, ['generator']).generator);
    if (!isFloating(this.dtype)) throw new RuntimeError(`"exponential_cpu" not implemented for '${scalarTypeName(this.dtype)}'`);
    if (!(lambd >= 0)) throw new RuntimeError(`exponential_ expects lambda >= 0.0, but found lambda=${Number.isNaN(lambd) ? 'nan' : String(lambd)}`);
    return applyInPlace(this, () => drawTensor(this.shape, this.dtype, (a) => gen.exponential(a, lambd)));
  },
};
