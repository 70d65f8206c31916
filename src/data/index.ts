/**
 * `torch.utils.data`: datasets, samplers, `DataLoader` and `defaultCollate`, with PyTorch 1.13's
 * random draws for the same seed.
 * @example
 * const { DataLoader, TensorDataset } = torch.utils.data;
 * for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize: 4, shuffle: true })) { ... }
 * @module
 */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit, type RandomSplitOptions, type Sized } from './dataset.js';
export {
  Sampler,
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  type WeightedRandomSamplerOptions,
  BatchSampler,
  type RandomSamplerOptions,
} from './sampler.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { defaultCollate } from './collate.js';
