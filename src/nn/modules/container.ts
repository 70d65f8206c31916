/**
 * Containers: `Sequential`, `ModuleList`, `ModuleDict`. Children are registered under their index
 * ('0', '1', ...) or key, so state dict keys match PyTorch's (`0.weight`, `encoder.bias`).
 */
import { describeValue } from '../../validate.js';
import { IndexError, ValueError } from '../../errors.js';
import { AssertionError } from '../functional.js';
import { KeyError, Module, typeName } from '../module.js';

function checkIndex(idx: unknown, size: number): number {
  if (typeof idx !== 'number' || !Number.isInteger(idx)) {
    throw new TypeError(`'${typeName(idx)}' object cannot be interpreted as an integer`);
  }
  if (!(-size <= idx && idx < size)) throw new IndexError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/** Re-registers `modules` under '0', '1', ... (after a deletion or insertion). */
function renumber(owner: Module, modules: Module[]): void {
  for (const k of [...owner._modules.keys()]) delete (owner as unknown as Record<string, unknown>)[k];
  modules.forEach((m, i) => owner.addModule(String(i), m));
}

/** Python's slice bounds on a list of length n (negative values count from the end). */
function sliceBounds(n: number, start?: number, end?: number): [number, number] {
  const norm = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const x = v < 0 ? v + n : v;
    return Math.min(Math.max(x, 0), n);
  };
  return [norm(start, 0), norm(end, n)];
}

/**
 * What `Sequential` and `ModuleList` share: modules registered in order, a length, iteration,
 * deletion with renumbering, and appending under the next index.
 */
abstract class IndexedModules extends Module {
  /** The number of modules. */
  override get length(): number {
    return this._modules.size;
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return ([...this._modules.values()] as Module[])[Symbol.iterator]();
  }

  /** The module at position `idx` (negative counts from the end), like `seq[idx]`. */
  abstract get(idx: number): Module;

  /** Removes the module at `idx` and renumbers the rest, like `del seq[idx]`. */
  delete(idx: number): void {
    const i = checkIndex(idx, this.length);
    const mods = [...this._modules.values()] as Module[];
    mods.splice(i, 1);
    renumber(this, mods);
  }

  /** Removes and returns the module at `idx`, like `seq.pop(idx)`. */
  pop(idx: number): Module {
    const m = this.get(idx);
    this.delete(idx);
    return m;
  }

  /** Adds a module at the end (named by its position). */
  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }
}

/**
 * Runs its modules one after another, like `torch.nn.Sequential`. Pass modules (named '0', '1',
 * ...), or a `Map` / array of `[name, module]` pairs (PyTorch's OrderedDict form).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Sequential.html
 * @example
 * const model = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU());
 * model.forward(x); model.get(0); model.length; for (const m of model) {}
 */
export class Sequential extends IndexedModules {
  constructor(...args: Module[] | [Map<string, Module>] | [[string, Module][]]) {
    super();
    const first = args[0] as unknown;
    if (args.length === 1 && (first instanceof Map || Array.isArray(first))) {
      for (const entry of first as Iterable<unknown>) {
        if (!Array.isArray(entry) || entry.length !== 2) {
          throw new TypeError(`Sequential(): expected [name, module] pairs, got ${describeValue(entry)}`);
        }
        this.addModule(entry[0] as string, entry[1] as Module);
      }
    } else {
      (args as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  /** The module at position `idx` (negative counts from the end), like `seq[idx]`. */
  get(idx: number): Module {
    const i = checkIndex(idx, this.length);
    return [...this._modules.values()][i]!;
  }

  /** Replaces the module at position `idx`, like `seq[idx] = module`. */
  set(idx: number, module: Module): void {
    const i = checkIndex(idx, this.length);
    const key = [...this._modules.keys()][i]!;
    (this as unknown as Record<string, unknown>)[key] = module;
  }

  /** A Sequential of modules `start..end` (keys kept), like `seq[start:end]`. */
  slice(start?: number, end?: number): Sequential {
    const [a, b] = sliceBounds(this.length, start, end);
    const Ctor = this.constructor as new (arg: [string, Module][]) => Sequential;
    return new Ctor(([...this._modules.entries()] as [string, Module][]).slice(a, b));
  }

  /** Inserts a module before position `index`. */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new AssertionError("module should be of type: <class 'torch.nn.modules.module.Module'>");
    const n = this.length;
    if (!(-n <= index && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    const i = index < 0 ? index + n : index;
    const mods = [...this._modules.values()] as Module[];
    mods.splice(i, 0, module);
    renumber(this, mods);
    return this;
  }

  /** Appends every module of `modules`. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** A new Sequential of this one's modules followed by `other`'s, like `seq + other`. */
  concat(other: Sequential): Sequential {
    if (!(other instanceof Sequential)) {
      throw new ValueError(`add operator supports only objects of Sequential class, but ${typeName(other)} is given.`);
    }
    return new Sequential(...this, ...other);
  }

  /** Feeds `input` through every module in order (calling each, so their hooks run) and returns the last output. */
  override forward(input: any): any {
    let x = input;
    for (const m of this._modules.values()) x = m!(x);
    return x;
  }
}

/**
 * A list of modules that registers them (named '0', '1', ...), like `torch.nn.ModuleList`.
 * It has no `forward`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ModuleList.html
 * @example this.layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 */
export class ModuleList extends IndexedModules {
  constructor(modules?: Iterable<Module> | null) {
    super();
    if (modules !== undefined && modules !== null) this.extend(modules);
  }

  /** The module at `idx` (negative counts from the end), like `list[idx]`. */
  get(idx: number): Module {
    return this._modules.get(String(checkIndex(idx, this.length)))!;
  }

  /** Replaces the module at `idx`, like `list[idx] = module`. */
  set(idx: number, module: Module): void {
    const key = String(checkIndex(idx, this.length));
    (this as unknown as Record<string, unknown>)[key] = module;
  }

  /** A ModuleList of modules `start..end`, like `list[start:end]`. */
  slice(start?: number, end?: number): ModuleList {
    const [a, b] = sliceBounds(this.length, start, end);
    const Ctor = this.constructor as new (m: Module[]) => ModuleList;
    return new Ctor(([...this._modules.values()] as Module[]).slice(a, b));
  }

  /** Inserts a module before `index`. */
  insert(index: number, module: Module): void {
    const n = this.length;
    // PyTorch parity: list.insert semantics, clamping out-of-range indices.
    let i = index < 0 ? index + n : index;
    i = Math.min(Math.max(i, 0), n);
    const mods = [...this._modules.values()] as Module[];
    mods.splice(i, 0, module);
    renumber(this, mods);
  }

  /** Appends every module of `modules`. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Partial<Iterable<Module>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typeName(modules)}`);
    }
    const offset = this.length;
    let i = 0;
    for (const m of modules) this.addModule(String(offset + i++), m);
    return this;
  }
}

/**
 * A dictionary of modules that registers them under their keys (in insertion order), like
 * `torch.nn.ModuleDict`. Pass a `Map`, an array of `[key, module]` pairs, or a plain object
 * (note: a plain object lists integer-like keys first; use a Map to keep such keys in order).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.ModuleDict.html
 * @example this.heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), reg: new nn.Linear(8, 1) });
 */
export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | [string, Module][] | Record<string, Module> | null) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  /** The number of modules. */
  override get length(): number {
    return this._modules.size;
  }

  /** Iterates over the keys, like iterating a Python dict. */
  [Symbol.iterator](): Iterator<string> {
    return [...this._modules.keys()][Symbol.iterator]();
  }

  /** The module under `key`, like `dict[key]`. */
  get(key: string): Module {
    if (!this._modules.has(key)) throw new KeyError(`'${key}'`);
    return this._modules.get(key)!;
  }

  /** Adds or replaces the module under `key`, like `dict[key] = module`. */
  set(key: string, module: Module): void {
    this.addModule(key, module);
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes `key`, like `del dict[key]`. */
  delete(key: string): void {
    this.get(key);
    delete (this as unknown as Record<string, unknown>)[key];
  }

  /** Removes `key` and returns its module. */
  pop(key: string): Module {
    const m = this.get(key);
    this.delete(key);
    return m;
  }

  /** Removes every module. */
  clear(): void {
    for (const k of [...this._modules.keys()]) this.delete(k);
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules, in insertion order. */
  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  /** `[key, module]` pairs, in insertion order. */
  items(): [string, Module][] {
    return [...this._modules.entries()] as [string, Module][];
  }

  /** Adds or replaces modules from a Map, an array of pairs, a plain object or another ModuleDict. */
  update(modules: Map<string, Module> | [string, Module][] | Record<string, Module> | ModuleDict): void {
    let entries: Iterable<[string, Module]>;
    if (modules instanceof ModuleDict) entries = modules.items();
    else if (modules instanceof Map) entries = modules.entries();
    else if (Array.isArray(modules)) {
      modules.forEach((p, j) => {
        if (!Array.isArray(p)) {
          throw new TypeError(`ModuleDict update sequence element #${j} should be Iterable; is${typeName(p)}`);
        }
        if (p.length !== 2) {
          throw new ValueError(`ModuleDict update sequence element #${j} has length ${p.length}; 2 is required`);
        }
      });
      entries = modules;
    } else if (typeof modules === 'object' && modules !== null) entries = Object.entries(modules);
    else throw new TypeError(`ModuleDict.update should be called with an iterable of key/value pairs, but got ${typeName(modules)}`);
    for (const [k, m] of entries) this.addModule(k, m);
  }
}
