/**
 * `torch.nn`: modules, parameters, initialisers and the functional API.
 * See https://pytorch.org/docs/1.13/nn.html
 * @example
 * import * as torch from 'torchlet';
 * const { nn } = torch;
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * @module
 */
export {
  Module,
  RemovableHandle,
  type StateDict,
  type IncompatibleKeys,
  type NamedMembersOptions,
  type ForwardHook,
  type ForwardPreHook,
  type ForwardOverloads,
} from './module.js';
export { Parameter } from './parameter.js';
export { Identity, Linear, Bilinear, type LinearOptions } from './modules/linear.js';
export { Embedding, type EmbeddingModuleOptions } from './modules/embedding.js';
export { Dropout, Dropout1d, Dropout2d } from './modules/dropout.js';
export {
  LayerNorm,
  BatchNorm1d,
  BatchNorm2d,
  BatchNormBase,
  GroupNorm,
  type LayerNormOptions,
  type BatchNormOptions,
  type GroupNormOptions,
} from './modules/norm.js';
export { ReLU, LeakyReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax, ELU, Softplus } from './modules/activation.js';
export { Sequential, ModuleList, ModuleDict } from './modules/container.js';
export { Flatten } from './modules/flatten.js';
export { Unflatten } from './modules/unflatten.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from './modules/upsampling.js';
export {
  MultiheadAttention,
  NonDynamicallyQuantizableLinear,
  type MultiheadAttentionOptions,
  type MultiheadAttentionForwardOptions,
} from './modules/attention.js';
export {
  TransformerEncoderLayer,
  TransformerEncoder,
  type TransformerActivation,
  type TransformerEncoderLayerOptions,
  type TransformerEncoderLayerForwardOptions,
  type TransformerEncoderOptions,
  type TransformerEncoderForwardOptions,
} from './modules/transformer.js';
export {
  ConvNd,
  Conv1d,
  Conv2d,
  ConvTranspose1d,
  ConvTranspose2d,
  type Conv1dModuleOptions,
  type Conv2dModuleOptions,
  type ConvTransposeModuleOptions,
} from './modules/conv.js';
export {
  MaxPool1d,
  AvgPool1d,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type MaxPool1dModuleOptions,
  type AvgPool1dModuleOptions,
  type MaxPool2dModuleOptions,
  type AvgPool2dModuleOptions,
  type AdaptiveMaxPoolModuleOptions,
} from './modules/pooling.js';
export * from './modules/loss.js';
export * as utils from './utils/index.js';
export * as modules from './modules/index.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export {
  RNNBase,
  LSTM,
  GRU,
  RNN,
  RNNCellBase,
  LSTMCell,
  GRUCell,
  RNNCell,
  type RNNMode,
  type RNNBaseOptions,
  type LSTMOptions,
  type GRUOptions,
  type RNNOptions,
  type RNNCellOptions,
  type RNNCellModuleOptions,
  type LSTMState,
} from './modules/rnn.js';
