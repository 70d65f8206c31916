/**
 * Activation modules: `ReLU`, `LeakyReLU`, `GELU`, `Tanh`, `Sigmoid`, `Softmax`, `LogSoftmax`,
 * `ELU`, `Softplus`.
 */
import { checkBool, checkNumber, checkOneOf, checkOptions, describeValue, isPlainObject, optional } from '../../validate.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import { Module, pyFloat, pyNum } from '../module.js';

type InplaceOpt = { inplace?: boolean } | boolean;

function inplaceOf(fn: string, o: InplaceOpt | undefined): boolean {
  if (typeof o === 'boolean') return o;
  const opts = checkOptions<{ inplace?: boolean }>(fn, o, ['inplace']);
  return optional(opts.inplace, false, (v) => checkBool(fn, 'inplace', v));
}

/**
 * max(x, 0), like `torch.nn.ReLU`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html
 * @example new nn.ReLU().forward(x)
 */
export class ReLU extends Module {
  /** Overwrite the input instead of allocating the output. */
  readonly inplace: boolean;

  constructor(opts: InplaceOpt = {}) {
    super();
    this.inplace = inplaceOf('ReLU()', opts);
  }

  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/**
 * x for x > 0, else negativeSlope * x, like `torch.nn.LeakyReLU`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LeakyReLU.html
 * @example new nn.LeakyReLU(0.2).forward(x)
 */
export class LeakyReLU extends Module {
  /** Slope for x < 0 (default 0.01). */
  readonly negativeSlope: number;
  /** Overwrite the input instead of allocating the output. */
  readonly inplace: boolean;

  constructor(negativeSlope = 1e-2, opts: InplaceOpt = {}) {
    super();
    this.negativeSlope = checkNumber('LeakyReLU()', 'negative_slope', negativeSlope);
    this.inplace = inplaceOf('LeakyReLU()', opts);
  }

  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, this.inplace);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/**
 * Gaussian error linear unit, like `torch.nn.GELU` (`approximate: 'none' | 'tanh'`).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.GELU.html
 * @example new nn.GELU({ approximate: 'tanh' }).forward(x)
 */
export class GELU extends Module {
  /** `'none'` (exact, with erf) or `'tanh'` (the tanh approximation). */
  readonly approximate: 'none' | 'tanh';

  constructor(opts: { approximate?: 'none' | 'tanh' } | 'none' | 'tanh' = {}) {
    super();
    const a = typeof opts === 'string' ? opts : checkOptions<{ approximate?: string }>('GELU()', opts, ['approximate']).approximate ?? 'none';
    this.approximate = checkOneOf('GELU()', 'approximate', a, ['none', 'tanh']);
  }

  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * tanh(x), like `torch.nn.Tanh`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Tanh.html
 * @example new nn.Tanh().forward(x)
 */
export class Tanh extends Module {
  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/**
 * 1 / (1 + e^-x), like `torch.nn.Sigmoid`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Sigmoid.html
 * @example new nn.Sigmoid().forward(x)
 */
export class Sigmoid extends Module {
  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

function dimArg(dim: number | null | { dim?: number | null } | undefined): number | null {
  const d = isPlainObject(dim) ? (checkOptions<{ dim?: number | null }>('Softmax()', dim, ['dim']).dim ?? null) : (dim ?? null);
  if (d !== null && (typeof d !== 'number' || !Number.isInteger(d))) throw new TypeError(`dim must be an integer or null, got ${describeValue(d)}`);
  return d;
}

/**
 * The base of Softmax and LogSoftmax: a module that normalises along one dim.
 * @internal
 */
export abstract class NormalizeAlongDim extends Module {
  /** The dim to normalise along (null: PyTorch's legacy implicit choice). */
  readonly dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = dimArg(dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/**
 * Softmax along `dim`, like `torch.nn.Softmax`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Softmax.html
 * @example new nn.Softmax(1).forward(x)   // or new nn.Softmax({ dim: 1 })
 */
export class Softmax extends NormalizeAlongDim {
  /** Softmax of `input` along `dim` (same shape). */
  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
}

/**
 * log(softmax(x)) along `dim`, like `torch.nn.LogSoftmax`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LogSoftmax.html
 * @example new nn.LogSoftmax(1).forward(x)
 */
export class LogSoftmax extends NormalizeAlongDim {
  /** Log-softmax of `input` along `dim` (same shape). */
  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
}

/**
 * x for x > 0, else alpha * (e^x - 1), like `torch.nn.ELU`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ELU.html
 * @example new nn.ELU(1.0).forward(x)
 */
export class ELU extends Module {
  /** The value the negative part saturates to, -alpha (default 1). */
  readonly alpha: number;
  /** Overwrite the input instead of allocating the output. */
  readonly inplace: boolean;

  constructor(alpha = 1.0, opts: InplaceOpt = {}) {
    super();
    this.alpha = checkNumber('ELU()', 'alpha', alpha);
    this.inplace = inplaceOf('ELU()', opts);
  }

  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/**
 * log(1 + e^(beta x)) / beta (linear above `threshold`), like `torch.nn.Softplus`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Softplus.html
 * @example new nn.Softplus(1, 20).forward(x)
 */
export class Softplus extends Module {
  /** Sharpness of the curve (default 1). */
  readonly beta: number;
  /** Above `beta * x > threshold` the output is x itself (default 20). */
  readonly threshold: number;

  constructor(beta = 1, threshold = 20) {
    super();
    checkNumber('Softplus()', 'beta', beta);
    checkNumber('Softplus()', 'threshold', threshold);
    this.beta = beta;
    this.threshold = threshold;
  }

  /** Applies the activation per element (same shape as `input`). */
  override forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${pyNum(this.beta)}, threshold=${pyNum(this.threshold)}`;
  }
}
