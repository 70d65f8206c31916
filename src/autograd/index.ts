/**
 * `torch.autograd`: `grad`, `backward`, `gradcheck`, anomaly detection.
 */
import { setDetectAnomaly as setAnomaly, isAnomalyEnabled } from './grad-mode.js';

export { grad, backward, type RemovableHandle } from './backward.js';
export { type BackwardOptions } from './engine.js';
export { Node } from './node.js';
export { isAnomalyEnabled };

/** Turns anomaly detection on or off, like `torch.autograd.set_detect_anomaly`. */
export function setDetectAnomaly(mode: boolean): void {
  setAnomaly(mode);
}

/** Runs `fn` with anomaly detection on, like `with torch.autograd.detect_anomaly():`. */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = isAnomalyEnabled();
  setAnomaly(true);
  try {
    return fn();
  } finally {
    setAnomaly(prev);
  }
}
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
