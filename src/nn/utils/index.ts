/**
 * `torch.nn.utils`: gradient clipping, weight normalization, pruning (`prune`) and sequence
 * packing (`rnn`).
 * See https://pytorch.org/docs/stable/nn.html#utilities
 * @example nn.utils.clipGradNorm_(params, 1.0);
 * @module
 */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip-grad.js';
export { weightNorm, removeWeightNorm, WeightNorm } from './weight-norm.js';
/**
 * `torch.nn.utils.prune`: `l1Unstructured`, `randomUnstructured`, `identity`, `customFromMask`,
 * `remove`, `isPruned`, and the method classes (`L1Unstructured`, `PruningContainer`, ...).
 * See https://pytorch.org/docs/1.13/nn.html#utilities
 * @example nn.utils.prune.l1Unstructured(model.fc, 'weight', 0.3);
 */
export * as prune from './prune.js';
/**
 * `torch.nn.utils.rnn`: `PackedSequence`, `packPaddedSequence`, `padPackedSequence`,
 * `padSequence`, `packSequence`, `unpadSequence`, `unpackSequence`, `invertPermutation`.
 * See https://pytorch.org/docs/1.13/nn.html#utilities-functions
 * @example const packed = nn.utils.rnn.packPaddedSequence(x, [4, 2, 1]);
 */
export * as rnn from './rnn.js';
