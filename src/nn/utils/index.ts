/**
 * `torch.nn.utils`: gradient clipping (and, from nn/utils/rnn.ts, sequence packing).
 * @example nn.utils.clipGradNorm_(params, 1.0);
 * See https://pytorch.org/docs/stable/nn.html#utilities
 */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip-grad.js';
