/**
 * `torch.autograd`: `grad`, `backward`, `gradcheck`, anomaly detection.
 * See https://pytorch.org/docs/1.13/autograd.html
 * @example
 * const x = torch.randn(3, { requiresGrad: true });
 * const [dx] = torch.autograd.grad(x.pow(2).sum(), [x]); // 2 * x
 * @module
 */
import { setDetectAnomaly as setAnomaly, isAnomalyEnabled } from './grad-mode.js';
import { describeValue } from '../validate.js';

export { grad, backward, type RemovableHandle } from './backward.js';
export { type BackwardOptions } from './engine.js';
export { Node } from './node.js';
export { isAnomalyEnabled };

/**
 * Turns anomaly detection on or off, like `torch.autograd.set_detect_anomaly`. While on:
 * - forward: the first op whose outputs hold NaN or an infinity computed from finite inputs
 *   throws `anomaly detected: 'log' produced inf values in its output` at the call that ran it;
 * - backward: a node whose gradient holds NaN throws PyTorch's
 *   `Function 'LogBackward0' returned nan values in its 0th output.` (infinities are reported as
 *   `returned inf values`; PyTorch checks NaN only), with the stack of the forward call that
 *   created the node as the error's `cause`.
 * Off (the default), it costs one boolean test per op. The flag is per thread (each worker has its own).
 * See https://pytorch.org/docs/1.13/autograd.html#anomaly-detection
 * @example torch.autograd.setDetectAnomaly(true);
 */
export function setDetectAnomaly(mode: boolean): void {
  if (typeof mode !== 'boolean') throw new TypeError(`setDetectAnomaly(): expected a boolean, got ${describeValue(mode)}`);
  setAnomaly(mode);
}

/**
 * Runs `fn` with anomaly detection on (see {@link setDetectAnomaly}), like
 * `with torch.autograd.detect_anomaly():`; the previous mode is restored afterwards.
 * See https://pytorch.org/docs/1.13/autograd.html#torch.autograd.detect_anomaly
 * @example torch.autograd.detectAnomaly(() => model.forward(x).sum().backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`detectAnomaly(): expected a function to run, got ${describeValue(fn)}`);
  const prev = isAnomalyEnabled();
  setAnomaly(true);
  try {
    return fn();
  } finally {
    setAnomaly(prev);
  }
}
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradgradcheckOptions } from './gradcheck.js';
