/**
 * `torch.utils`: the `data` namespace (datasets, samplers, DataLoader).
 * See https://pytorch.org/docs/1.13/data.html
 * @example const { DataLoader } = torch.utils.data;
 * @module
 */
export * as data from './index.js';
