/**
 * `torch.nn.utils`: gradient clipping (and, from nn/utils/rnn.ts, sequence packing).
 * See https://pytorch.org/docs/stable/nn.html#utilities
 * @example nn.utils.clipGradNorm_(params, 1.0);
 * @module
 */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip-grad.js';
/**
 * `torch.nn.utils.rnn`: `PackedSequence`, `packPaddedSequence`, `padPackedSequence`,
 * `padSequence`, `packSequence`, `unpadSequence`, `unpackSequence`, `invertPermutation`.
 * See https://pytorch.org/docs/1.13/nn.html#utilities-functions
 * @example const packed = nn.utils.rnn.packPaddedSequence(x, [4, 2, 1]);
 */
export * as rnn from './rnn.js';
