/**
 * `torch.nn.modules.utils`: `consumePrefixInStateDictIfPresent`, which turns the state dict of a
 * `DistributedDataParallel` (or `DataParallel`) model, whose keys start with `module.`, into the
 * state dict of the bare model.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.parallel.DistributedDataParallel.html
 * @example
 * const ck = torch.load('ddp-checkpoint.pt');
 * torch.nn.modules.utils.consumePrefixInStateDictIfPresent(ck.model, 'module.');
 * model.loadStateDict(ck.model);
 * @module
 */
import { AttributeError } from '../module.js';
import { pyTypeName } from '../../validate.js';

/** Python's `str` ordering (by code point), which `sorted()` uses on the keys. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** `d[newKey] = d.pop(key)` on a Map or a plain object (as an own data property, even `__proto__`). */
function move(d: Map<string, unknown> | Record<string, unknown>, key: string, newKey: string): void {
  if (d instanceof Map) {
    const v = d.get(key);
    d.delete(key);
    d.set(newKey, v);
    return;
  }
  const v = d[key];
  delete d[key];
  if (Object.prototype.hasOwnProperty.call(d, newKey)) d[newKey] = v;
  else Object.defineProperty(d, newKey, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * Strips `prefix` from the keys of `stateDict` in place, like PyTorch's
 * `consume_prefix_in_state_dict_if_present`: given the state dict of a DDP or DataParallel model,
 * `consumePrefixInStateDictIfPresent(sd, 'module.')` makes it loadable into the bare model with
 * `loadStateDict`. Keys without the prefix stay; the stripped keys are re-inserted in sorted
 * order, as PyTorch's loop over `sorted(state_dict.keys())` leaves them.
 *
 * The state dict's `_metadata` (the modules' `_version`s) loses the prefix too: every key but `''`
 * (the wrapper's own entry) has its first `prefix.length` characters removed, so `'module'`
 * replaces `''` and `'module.lstm'` becomes `'lstm'`, as the function's own comment ("also strip
 * the prefix in metadata") intends. PyTorch 1.13's test `"_metadata" in state_dict` looks for a dict
 * entry, so it leaves the `_metadata` attribute of a real state dict as it is. Here `_metadata` is
 * found as a property (how `torch.load` and `stateDict()` keep it) or as a Map entry.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.parallel.DistributedDataParallel.html
 * @example
 * const ck = torch.load('ddp-checkpoint.pt');   // saved from ddp_model.state_dict(): 'module.fc.weight', ...
 * torch.nn.modules.utils.consumePrefixInStateDictIfPresent(ck.model, 'module.');
 * model.loadStateDict(ck.model);                // 'fc.weight', ...
 */
export function consumePrefixInStateDictIfPresent(stateDict: Record<string, unknown> | Map<string, unknown>, prefix: string): void {
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict) || ArrayBuffer.isView(stateDict)) {
    throw new AttributeError(`'${pyTypeName(stateDict)}' object has no attribute 'keys'`);
  }
  if (typeof prefix !== 'string') throw new TypeError(`startswith first arg must be str or a tuple of str, not ${pyTypeName(prefix)}`);
  const keys = (stateDict instanceof Map ? Array.from(stateDict.keys()) : Object.keys(stateDict)).sort(byCodePoint);
  for (const key of keys) if (key.startsWith(prefix)) move(stateDict, key, key.slice(prefix.length));

  const metadata: unknown =
    stateDict instanceof Map ? stateDict.get('_metadata') : Object.prototype.hasOwnProperty.call(stateDict, '_metadata') ? stateDict._metadata : undefined;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return;
  const meta = metadata as Map<string, unknown> | Record<string, unknown>;
  for (const key of meta instanceof Map ? Array.from(meta.keys()) : Object.keys(meta)) {
    // '' is the wrapper's own entry; 'module' and 'module.xx' are the model's.
    if (key.length === 0) continue;
    move(meta, key, Array.from(key).slice(Array.from(prefix).length).join('')); // key[len(prefix):], no startswith test
  }
}
