/**
 * `Flatten`.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../ops/util.js';
import { Module } from '../module.js';

/**
 * Flattens dims `startDim..endDim` into one, like `torch.nn.Flatten` (defaults keep the batch dim).
 * @example new nn.Flatten().forward(torch.zeros(32, 1, 5, 5)).shape // [32, 25]
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Flatten.html
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt('start_dim', startDim);
    this.endDim = checkInt('end_dim', endDim);
  }

  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
