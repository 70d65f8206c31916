/**
 * The functional forms of the convolutional networks' normalisation and channel dropout:
 * `groupNorm`, `dropout1d`, `dropout2d` (re-exported by nn.functional).
 */
import { checkBool, checkNumber, checkOptions, isPlainObject } from '../validate.js';
import { RuntimeError, ValueError } from '../errors.js';
import { defaultGenerator } from '../random/generator.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { layerNormOp } from '../ops/norm.js';
import { drawTensor } from '../ops/random.js';
import { checkTensor } from '../ops/util.js';
import { shapeStr } from '../ops/conv.js';
import { warnOnce } from '../warnings.js';
import { type DropoutOptions, checkDropoutP } from './functional.js';

/**
 * Normalises each sample's channels in `numGroups` groups (mean and biased variance over the
 * group's channels and all spatial positions), then scales and shifts per channel, like
 * `torch.nn.functional.group_norm`. Composed from layer norm over [N, G, C/G * spatial].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.group_norm.html
 * @example F.groupNorm(torch.randn(2, 6, 4, 4), 3).shape // [2, 6, 4, 4]
 */
export function groupNorm(input: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  checkTensor('input', input);
  if (typeof numGroups !== 'number' || !Number.isInteger(numGroups)) throw new TypeError(`group_norm(): argument 'num_groups' must be int, got ${String(numGroups)}`);
  if (weight !== null && weight !== undefined) checkTensor('weight', weight);
  if (bias !== null && bias !== undefined) checkTensor('bias', bias);
  checkNumber('group_norm()', 'eps', eps);
  if (input.dim() < 2) {
    throw new RuntimeError(`group_norm: expected input with at least 2 dims (got ${input.dim()}D input)`);
  }
  const [N, C] = [input.shape[0]!, input.shape[1]!];
  // Python's _verify_batch_size on [N * C // G, G, *spatial]
  // Deviation: Python raises ZeroDivisionError here.
  if (numGroups === 0) throw new ValueError('integer division or modulo by zero');
  let prod = Math.floor((N * C) / numGroups);
  for (const s of input.shape.slice(2)) prod *= s;
  if (prod === 1) {
    throw new ValueError(`Expected more than 1 value per channel when training, got input size [${[Math.floor((N * C) / numGroups), numGroups, ...input.shape.slice(2)].join(', ')}]`);
  }
  if (C % numGroups !== 0) {
    throw new RuntimeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${shapeStr(input.shape)} and num_groups=${numGroups}`);
  }
  if (weight && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(`Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape ${shapeStr(weight.shape)} and input of shape ${shapeStr(input.shape)}`);
  }
  if (bias && (bias.dim() !== 1 || bias.numel() !== C)) {
    // PyTorch parity: the message shows the weight's shape.
    const shown = weight ? shapeStr(weight.shape) : '[]';
    throw new RuntimeError(`Expected bias to be a vector of size equal to the number of channels in input, but got bias of shape ${shown} and input of shape ${shapeStr(input.shape)}`);
  }
  if (!isFloating(input.dtype)) throw new RuntimeError(`"GroupNormKernelImpl" not implemented for '${input.dtype === 'int64' ? 'Long' : input.dtype}'`);
  const n = N === 0 ? 0 : input.numel() / (N * numGroups);
  const y = layerNormOp(input.reshape([N, numGroups, n]), null, null, n, eps).reshape(input.shape);
  if (!weight && !bias) return y;
  const bshape = [1, C, ...input.shape.slice(2).map(() => 1)];
  const scaled = weight ? y.mul(weight.reshape(bshape)) : y;
  return bias ? scaled.add(bias.reshape(bshape)) : scaled;
}

/** PyTorch's feature dropout: one Bernoulli draw per (sample, channel), broadcast over the rest. */
function featureDropout(input: Tensor, p: number, training: boolean, inplace: boolean): Tensor {
  if (p === 0 || !training || input.numel() === 0) return input;
  if (input.dim() < 2) throw new RuntimeError('Feature dropout requires at least 2 dimensions in the input');
  if (!isFloating(input.dtype)) throw new RuntimeError(`dropout is only implemented for floating point tensors, got ${input.dtype}`);
  const shape = [input.shape[0]!, input.shape[1]!, ...input.shape.slice(2).map(() => 1)];
  const noise = drawTensor(shape, input.dtype, (a) => defaultGenerator.dropoutMask(a, p));
  return inplace ? input.mul_(noise) : input.mul(noise);
}

/** The (p, training, inplace) of a dropout call given positionally or as an options object. */
function dropoutArgs(fn: string, p: number | DropoutOptions, training: boolean, inplace: boolean): [number, boolean, boolean] {
  if (isPlainObject(p)) {
    const o = checkOptions<DropoutOptions>(`${fn}()`, p, ['p', 'training', 'inplace']);
    [p, training, inplace] = [o.p ?? 0.5, o.training ?? true, o.inplace ?? false];
  }
  const prob = checkDropoutP(p);
  checkBool(`${fn}()`, 'training', training);
  checkBool(`${fn}()`, 'inplace', inplace);
  return [prob, training, inplace];
}

/**
 * Zeroes whole channels of [N, C, L] or [C, L] input with probability `p` (one draw per channel,
 * from the global generator in PyTorch's order) and scales the rest by 1/(1-p), like
 * `torch.nn.functional.dropout1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout1d.html
 * @example F.dropout1d(torch.randn(4, 8, 16), 0.2)
 */
export function dropout1d(input: Tensor, p: number | DropoutOptions = 0.5, training = true, inplace = false): Tensor {
  checkTensor('input', input);
  [p, training, inplace] = dropoutArgs('dropout1d', p, training, inplace);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RuntimeError(
      `dropout1d: Expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  if (nd === 3) return featureDropout(input, p, training, inplace);
  // (in place: the unsqueezed view shares the input's memory, so the input is the result)
  const r = featureDropout(input.unsqueeze(0), p, training, inplace);
  return inplace ? input : r.squeeze(0);
}

/**
 * Zeroes whole channels of [N, C, H, W] input with probability `p` and scales the rest by
 * 1/(1-p), like `torch.nn.functional.dropout2d` in PyTorch 1.13: other ranks are accepted with
 * its deprecation warning, and 3-D input is treated as [N, C, L] (channel dropout along dim 1,
 * with its warning), not as an unbatched [C, H, W].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout2d.html
 * @example F.dropout2d(torch.randn(4, 8, 16, 16), 0.2)
 */
export function dropout2d(input: Tensor, p: number | DropoutOptions = 0.5, training = true, inplace = false): Tensor {
  checkTensor('input', input);
  [p, training, inplace] = dropoutArgs('dropout2d', p, training, inplace);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) {
    warnOnce(
      `dropout2d: Received a ${nd}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`,
    );
  }
  if (nd === 3) {
    warnOnce(
      'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
    );
  }
  return featureDropout(input, p, training, inplace);
}
