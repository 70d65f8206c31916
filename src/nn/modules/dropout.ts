/**
 * `Dropout`, and the channel dropouts `Dropout1d`, `Dropout2d`.
 */
import { checkBool, checkOptions, optional } from '../../validate.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDropoutP, dropout } from '../functional.js';
import { dropout1d, dropout2d } from '../functional-cnn.js';
import { Module, pyBool, pyFloat } from '../module.js';

/**
 * During training, zeroes each element with probability `p` and scales the rest by 1/(1-p); in
 * eval mode returns the input. Like `torch.nn.Dropout`, the mask comes from the global generator
 * exactly as PyTorch draws it.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Dropout.html
 * @example const drop = new nn.Dropout(0.2); drop.forward(x); drop.eval(); drop.forward(x) === x;
 */
export class Dropout extends Module {
  /** Probability of zeroing an element. */
  readonly p: number;
  /** Multiply the input in place. */
  readonly inplace: boolean;

  constructor(p = 0.5, opts: { inplace?: boolean } | boolean = {}) {
    super();
    this.p = checkDropoutP(p);
    this.inplace = typeof opts === 'boolean' ? opts : optional(checkOptions<{ inplace?: boolean }>('Dropout()', opts, ['inplace']).inplace, false, (v) => checkBool('Dropout()', 'inplace', v));
  }

  /** Applies dropout in training mode; returns `input` unchanged in eval mode. */
  override forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.inplace);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * During training, zeroes whole channels of [N, C, L] or [C, L] input with probability `p` (one
 * draw per channel, PyTorch's draws) and scales the rest by 1/(1-p), like `torch.nn.Dropout1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Dropout1d.html
 * @example new nn.Dropout1d(0.2).forward(torch.randn(4, 8, 16));
 */
export class Dropout1d extends Dropout {
  /** Channel dropout in training mode; `input` unchanged in eval mode. */
  override forward(input: Tensor): Tensor {
    return dropout1d(input, this.p, this.training, this.inplace);
  }
}

/**
 * During training, zeroes whole channels of [N, C, H, W] input with probability `p` and scales the
 * rest by 1/(1-p), like `torch.nn.Dropout2d` (PyTorch 1.13: 3-D input is taken as [N, C, L], with
 * its warning).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Dropout2d.html
 * @example new nn.Dropout2d(0.2).forward(torch.randn(4, 8, 16, 16));
 */
export class Dropout2d extends Dropout {
  /** Channel dropout in training mode; `input` unchanged in eval mode. */
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, this.inplace);
  }
}
