/**
 * Worker for the isolation test (test/reliability/isolation.test.ts): trains a small recurrent
 * model from a seed and posts back its losses and the thread's global state. Runs in a
 * worker_threads Worker with `--import tsx`, so it imports the TypeScript sources directly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from '../../src/index.js';
import { trainSmall, type TrainSmallOptions } from './train-small.js';

const opts = workerData as TrainSmallOptions;
const before = { gradEnabled: torch.isGradEnabled(), initialSeed: String(torch.initialSeed()), anomaly: torch.autograd.isAnomalyEnabled() };
const losses = trainSmall(opts);
parentPort!.postMessage({ before, losses, after: { gradEnabled: torch.isGradEnabled(), initialSeed: String(torch.initialSeed()) } });
