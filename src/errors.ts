/**
 * Error classes named after Python's, so that messages and classes read like PyTorch's.
 * `TypeError` is JavaScript's own.
 */

/**
 * Python's `ValueError`: an argument has the right type but a bad value.
 * See https://docs.python.org/3/library/exceptions.html#ValueError
 * @example try { new nn.Dropout(2); } catch (e) { if (e instanceof torch.ValueError) console.log(e.message); }
 */
export class ValueError extends Error {
  /** Always `'ValueError'`, as Python prints the class name. */
  override name = 'ValueError';
}

/**
 * Python's `RuntimeError`: PyTorch raises it for most shape and state errors.
 * See https://docs.python.org/3/library/exceptions.html#RuntimeError
 * @example expect(() => torch.mm(a, b)).toThrow(torch.RuntimeError);
 */
export class RuntimeError extends Error {
  /** Always `'RuntimeError'`. */
  override name = 'RuntimeError';
}

/**
 * Python's `IndexError`: a dim or index is out of range.
 * See https://docs.python.org/3/library/exceptions.html#IndexError
 * @example expect(() => torch.zeros(2).select(0, 5)).toThrow(torch.IndexError);
 */
export class IndexError extends Error {
  /** Always `'IndexError'`. */
  override name = 'IndexError';
}

/**
 * Python's `NotImplementedError`.
 * See https://docs.python.org/3/library/exceptions.html#NotImplementedError
 * @example if (e instanceof torch.NotImplementedError) console.warn('unsupported:', e.message);
 */
export class NotImplementedError extends Error {
  /** Always `'NotImplementedError'`. */
  override name = 'NotImplementedError';
}

/**
 * Python's `AssertionError`: PyTorch raises it for CUDA calls in a build without CUDA
 * (`Torch not compiled with CUDA enabled`).
 * See https://docs.python.org/3/library/exceptions.html#AssertionError
 * @example try { x.to('cuda'); } catch (e) { if (e instanceof torch.AssertionError) console.log(e.message); }
 */
export class AssertionError extends Error {
  /** Always `'AssertionError'`. */
  override name = 'AssertionError';
}
