/**
 * `Flatten`.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../ops/util.js';
import { Module } from '../module.js';

/**
 * Flattens dims `startDim..endDim` into one, like `torch.nn.Flatten` (defaults keep the batch dim).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Flatten.html
 * @example new nn.Flatten().forward(torch.zeros(32, 1, 5, 5)).shape // [32, 25]
 */
export class Flatten extends Module {
  /** First dim to flatten (default 1). */
  readonly startDim: number;
  /** Last dim to flatten (default -1). */
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt('start_dim', startDim);
    this.endDim = checkInt('end_dim', endDim);
  }

  /** `input` with dims `startDim..endDim` merged into one. */
  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
