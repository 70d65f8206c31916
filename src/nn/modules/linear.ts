/**
 * Linear layers: `Identity`, `Linear`, `Bilinear`.
 */
import { checkBool, checkDTypeName, checkOptions } from '../../validate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../ops/util.js';
import { bilinear, linear } from '../functional.js';
import * as init from '../init.js';
import { Module, pyBool } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `Linear` and `Bilinear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

function checkFeatures(name: string, v: unknown): number {
  checkInt(name, v);
  if ((v as number) < 0) throw new RangeError(`${name} must be non-negative, got ${String(v)}`);
  return v as number;
}

function linearOptions(fn: string, opts: unknown): LinearOptions {
  const o = checkOptions<LinearOptions>(fn, opts, ['bias', 'dtype']);
  if (o.bias !== undefined) checkBool(fn, 'bias', o.bias);
  if (o.dtype !== undefined) checkDTypeName(fn, o.dtype, true);
  return o;
}

/**
 * Returns its input unchanged, like `torch.nn.Identity` (constructor arguments are ignored).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Identity.html
 * @example new nn.Identity().forward(x) === x
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  /** Returns `input` itself (no copy). */
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * `y = x Wᵀ + b`, like `torch.nn.Linear`. `weight` is [outFeatures, inFeatures] and `bias`
 * [outFeatures], both initialised from U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)) with PyTorch's
 * draws (`torch.manualSeed(s)` gives PyTorch's weights).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Linear.html
 * @example const fc = new nn.Linear(64, 10); const y = fc.forward(x);
 */
export class Linear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** [outFeatures, inFeatures]. */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = checkFeatures('in_features', inFeatures);
    this.outFeatures = checkFeatures('out_features', outFeatures);
    opts = linearOptions('Linear()', opts);
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(emptyTensor([outFeatures, inFeatures], dtype));
    if (opts.bias ?? true) this.bias = new Parameter(emptyTensor([outFeatures], dtype));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws weight and bias as at construction. */
  resetParameters(): void {
    // PyTorch parity: kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /** `input` [*, inFeatures] -> [*, outFeatures]. */
  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * `y = x1ᵀ W x2 + b`, like `torch.nn.Bilinear`. `weight` is [out, in1, in2], initialised (with
 * `bias`) from U(-1/sqrt(in1), 1/sqrt(in1)).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Bilinear.html
 * @example const bl = new nn.Bilinear(20, 30, 40); const y = bl.forward(x1, x2);
 */
export class Bilinear extends Module {
  /** Size of each first input sample. */
  readonly in1Features: number;
  /** Size of each second input sample. */
  readonly in2Features: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** [outFeatures, in1Features, in2Features]. */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  declare bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.in1Features = checkFeatures('in1_features', in1Features);
    this.in2Features = checkFeatures('in2_features', in2Features);
    this.outFeatures = checkFeatures('out_features', outFeatures);
    opts = linearOptions('Bilinear()', opts);
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(emptyTensor([outFeatures, in1Features, in2Features], dtype));
    if (opts.bias ?? true) this.bias = new Parameter(emptyTensor([outFeatures], dtype));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws weight and bias as at construction. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    noGrad(() => {
      init.uniform_(this.weight, -bound, bound);
      if (this.bias) init.uniform_(this.bias, -bound, bound);
    });
  }

  /** `input1` [*, in1Features] and `input2` [*, in2Features] -> [*, outFeatures]. */
  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
