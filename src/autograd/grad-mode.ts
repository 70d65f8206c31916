/**
 * Grad mode: whether ops record the graph. Global per thread (each worker has its own module
 * instance), like PyTorch's thread-local grad mode.
 */

import { describeValue } from '../validate.js';

let enabled = true;

function checkFn(name: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${name}(): expected a function to run, got ${describeValue(fn)}`);
}

/**
 * True when ops record the autograd graph.
 * See https://pytorch.org/docs/1.13/generated/torch.is_grad_enabled.html
 * @example torch.noGrad(() => torch.isGradEnabled()) // false
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Sets grad mode and returns the previous value. Prefer `noGrad(fn)` / `enableGrad(fn)`.
 * See https://pytorch.org/docs/1.13/generated/torch.set_grad_enabled.html
 * @example
 * const prev = torch.setGradEnabled(false);
 * const y = model.forward(x); // not recorded
 * torch.setGradEnabled(prev);
 */
export function setGradEnabled(mode: boolean): boolean {
  if (typeof mode !== 'boolean') throw new TypeError(`setGradEnabled(): expected a boolean, got ${describeValue(mode)}`);
  const prev = enabled;
  enabled = mode;
  return prev;
}

/**
 * Runs `fn` without recording the graph, like `with torch.no_grad():`.
 * See https://pytorch.org/docs/stable/generated/torch.no_grad.html
 * @example const y = torch.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  checkFn('noGrad', fn);
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Runs `fn` with graph recording on, like `with torch.enable_grad():`.
 * See https://pytorch.org/docs/1.13/generated/torch.enable_grad.html
 * @example torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
 */
export function enableGrad<T>(fn: () => T): T {
  checkFn('enableGrad', fn);
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

let anomaly = false;

/** Turns anomaly detection on or off, like `torch.autograd.set_detect_anomaly`. */
export function setDetectAnomaly(mode: boolean): void {
  anomaly = mode;
}

/**
 * True when anomaly detection is on.
 * See https://pytorch.org/docs/1.13/autograd.html#anomaly-detection
 * @example torch.autograd.detectAnomaly(() => torch.autograd.isAnomalyEnabled()) // true
 */
export function isAnomalyEnabled(): boolean {
  return anomaly;
}

let backwardDepth = 0;

/** @internal The engine runs backward functions inside this (anomaly mode checks them per node, not per op). */
export function runInBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

/** @internal True while a backward function runs. */
export function isInBackward(): boolean {
  return backwardDepth > 0;
}
