/**
 * `torch.nn.modules`: here only its `utils` (`consumePrefixInStateDictIfPresent`); the module
 * classes themselves are at `torch.nn` (`nn.LSTM`, `nn.Linear`, ...).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.parallel.DistributedDataParallel.html
 * @example torch.nn.modules.utils.consumePrefixInStateDictIfPresent(ck.model, 'module.');
 * @module
 */
/**
 * `torch.nn.modules.utils`: `consumePrefixInStateDictIfPresent`, for loading the state dict of a
 * DDP or DataParallel model (keys `module.*`) into the bare model.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.parallel.DistributedDataParallel.html
 * @example torch.nn.modules.utils.consumePrefixInStateDictIfPresent(ck.model, 'module.');
 */
export * as utils from './utils.js';
