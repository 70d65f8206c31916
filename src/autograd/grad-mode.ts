/**
 * Grad mode: whether ops record the graph. Global per thread (each worker has its own module
 * instance), like PyTorch's thread-local grad mode.
 */

import { describeValue } from '../validate.js';

let enabled = true;

function checkFn(name: string, fn: unknown): asserts fn is (...args: never[]) => unknown {
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
 * `Symbol.dispose` (Node.js 20 has it; where it is missing, a registered stand-in, so disposable
 * objects still have a stable method key). @internal
 */
export const DISPOSE: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/**
 * A grad-mode scope: created by `noGrad()` / `enableGrad()` with no argument, it has set the mode,
 * and disposing it restores the mode that was in effect before, like leaving PyTorch's
 * `with torch.no_grad():` block. Use it with `using` (TypeScript 5.2+; the declaration is lowered
 * for targets below ESNext) or call `[Symbol.dispose]()` yourself.
 * See https://pytorch.org/docs/1.13/generated/torch.no_grad.html
 * @example
 * {
 *   using _ = torch.noGrad();
 *   const y = model.forward(x); // not recorded
 * } // grad mode restored here
 */
export class GradModeScope implements Disposable {
  #prev: boolean | null;

  /** @internal Sets the mode and remembers the previous one. */
  constructor(mode: boolean) {
    this.#prev = setGradEnabled(mode);
  }

  /** Restores the previous grad mode (once; later calls do nothing). */
  [DISPOSE](): void {
    if (this.#prev === null) return;
    enabled = this.#prev;
    this.#prev = null;
  }
}

/**
 * Runs `fn` without recording the graph, like `with torch.no_grad():`. Without `fn`, turns
 * recording off and returns a {@link GradModeScope} that turns it back on when disposed, for
 * `using _ = torch.noGrad();`.
 * See https://pytorch.org/docs/1.13/generated/torch.no_grad.html
 * @example
 * const y = torch.noGrad(() => model.forward(x));
 * { using _ = torch.noGrad(); const z = model.forward(x); }
 */
export function noGrad<T>(fn: () => T): T;
export function noGrad(): GradModeScope;
export function noGrad<T>(fn?: () => T): T | GradModeScope {
  if (arguments.length === 0) return new GradModeScope(false); // noGrad(undefined) is a mistake: checkFn names it
  checkFn('noGrad', fn);
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Runs `fn` with graph recording on, like `with torch.enable_grad():`. Without `fn`, turns
 * recording on and returns a {@link GradModeScope} that restores the previous mode when disposed.
 * See https://pytorch.org/docs/1.13/generated/torch.enable_grad.html
 * @example
 * torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
 * { using _ = torch.enableGrad(); const y = x.mul(2); }
 */
export function enableGrad<T>(fn: () => T): T;
export function enableGrad(): GradModeScope;
export function enableGrad<T>(fn?: () => T): T | GradModeScope {
  if (arguments.length === 0) return new GradModeScope(true);
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
