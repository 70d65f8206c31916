/**
 * Python's `warnings.warn(msg, UserWarning)` under the default filter, as PyTorch's warnings reach a
 * user: printed once per distinct key for the process (the key defaults to the message).
 */
const warned = new Set<string>();

/**
 * Prints `UserWarning: msg` the first time `key` is seen.
 * @internal
 */
export function warnOnce(msg: string, key: string = msg): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`UserWarning: ${msg}`);
}
