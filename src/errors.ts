/**
 * Error classes named after Python's, so that messages and classes read like PyTorch's.
 * `TypeError` is JavaScript's own.
 */

/** Python's `ValueError`: an argument has the right type but a bad value. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Python's `RuntimeError`: PyTorch raises it for most shape and state errors. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** Python's `IndexError`: a dim or index is out of range. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** Python's `NotImplementedError`. */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}
