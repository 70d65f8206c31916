/**
 * `nn.Module`: the base class of layers and models.
 *
 * Registration works like PyTorch's `__setattr__`: the constructor returns a Proxy whose
 * `defineProperty` trap sees both `this.x = v` (an ordinary set ends in [[DefineOwnProperty]] on
 * the receiver) and ES2022 class fields (which are defined, not set). Parameters, buffers and
 * submodules go into Maps in assignment order (so integer-like names such as '0', '10', '2' keep
 * their order) and are also stored as ordinary own properties, so `this.weight` reads are plain
 * property reads.
 *
 * A module is also callable, like PyTorch's `__call__`: the object the constructor returns is a
 * Proxy around a function whose prototype is the subclass's prototype, so `model(x)` runs the
 * forward pre-hooks, `forward` and the forward hooks, while `instanceof`, class fields, methods,
 * the state dict and printing are those of an ordinary instance. The function's own `name` and
 * `length` are deleted and Module.prototype shadows Function.prototype's (so `this.name = ...` and
 * `Sequential.length` work); `apply` is `Module.apply`.
 */
import { checkBool, checkOptions, describeValue, isPlainObject, optional, pyTypeName } from '../validate.js';
import '../ops/methods.js';
import { DISPOSE, noGrad } from '../autograd/grad-mode.js';
import { AssertionError, NotImplementedError, RuntimeError, ValueError } from '../errors.js';
import { parseTo, type ToOptions } from '../ops/convert.js';
import type { DeviceLike } from '../tensor/device.js';
import { type DType, isFloating, legacyTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter, setTensorData } from './parameter.js';

/** A state dict: names to tensors, in PyTorch's key order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` reports, like PyTorch's `_IncompatibleKeys`. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Python's `KeyError` (named so that messages read like PyTorch's). */
export class KeyError extends Error {
  override name = 'KeyError';
}

/** Python's `AttributeError`. */
export class AttributeError extends Error {
  override name = 'AttributeError';
}

function checkPrefix(fn: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'string') throw new TypeError(`${fn}: argument 'prefix' must be a string, got ${describeValue(v)}`);
}

/** `torch.typename` of a value, for assignment errors. */
export function typeName(v: unknown): string {
  if (v instanceof Tensor) return legacyTypeName(v.dtype);
  if (v instanceof Module) return v._getName();
  return pyTypeName(v);
}

function checkName(kind: 'parameter' | 'buffer' | 'module', name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${typeName(name)}`);
  if (name.includes('.')) {
    throw new KeyError(kind === 'module' ? `module name can't contain ".", got: ${name}` : `${kind} name can't contain "."`);
  }
  if (name === '') throw new KeyError(`${kind} name can't be empty string ""`);
}

/**
 * The Proxy handler: PyTorch's `Module.__setattr__` / `__delattr__`. Only data descriptors with a
 * string key are inspected; accessors and symbols pass through.
 */
const HANDLER: ProxyHandler<Module> = {
  defineProperty(target, key, desc) {
    if (typeof key !== 'string' || !('value' in desc)) return Reflect.defineProperty(target, key, desc);
    const value: unknown = desc.value;
    const params = target._parameters;
    const buffers = target._buffers;
    const modules = target._modules;
    if (value === undefined && (params.has(key) || buffers.has(key) || modules.has(key))) {
      // A class field declared without an initializer (`weight!: Parameter`) must not erase what a
      // base-class constructor registered.
      return true;
    }
    if (value instanceof Parameter) {
      buffers.delete(key);
      modules.delete(key);
      target._nonPersistentBuffers.delete(key);
      if (value.gradFn !== null) throw nonLeafError(key);
      params.set(key, value);
    } else if (params.has(key)) {
      if (value !== null) {
        throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${key}' (torch.nn.Parameter or None expected)`);
      }
      params.set(key, null);
    } else if (value instanceof Module) {
      params.delete(key);
      buffers.delete(key);
      target._nonPersistentBuffers.delete(key);
      modules.set(key, value);
    } else if (modules.has(key)) {
      if (value !== null) {
        throw new TypeError(`cannot assign '${typeName(value)}' as child module '${key}' (torch.nn.Module or None expected)`);
      }
      modules.set(key, null);
    } else if (buffers.has(key)) {
      if (value !== null && !(value instanceof Tensor)) {
        throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${key}' (torch.Tensor or None expected)`);
      }
      buffers.set(key, value as Tensor | null);
    }
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') {
      if (target._parameters.has(key)) target._parameters.delete(key);
      else if (target._buffers.has(key)) {
        target._buffers.delete(key);
        target._nonPersistentBuffers.delete(key);
      } else target._modules.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

function nonLeafError(name: string): ValueError {
  return new ValueError(
    `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
  );
}

/** Indents every line but the first by `n` spaces (PyTorch's `_addindent`). */
function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const first = lines.shift()!;
  return `${first}\n${lines.map((l) => ' '.repeat(n) + l).join('\n')}`;
}

/** Options of `namedParameters` / `namedBuffers`. */
export interface NamedMembersOptions {
  /** Prepended to every name. */
  prefix?: string;
  /** Include submodules' members (default true). */
  recurse?: boolean;
  /** Yield a tensor shared by several modules only once (default true). */
  removeDuplicate?: boolean;
}

/**
 * The call signatures of `F` (its last four overloads; fewer are repeated), in declaration order,
 * as `[args, return]` pairs: what a module's call signatures are made of.
 */
export type ForwardOverloads<F> = F extends {
  (...a: infer A1): infer R1;
  (...a: infer A2): infer R2;
  (...a: infer A3): infer R3;
  (...a: infer A4): infer R4;
}
  ? [[A1, R1], [A2, R2], [A3, R3], [A4, R4]]
  : never;

/** A forward pre-hook: gets the module and the positional arguments; may return replacements. */
export type ForwardPreHook<M extends Module = Module> = (module: M, input: unknown[]) => unknown;
/** A forward hook: gets the module, the arguments and the output; may return a replacement output. */
export type ForwardHook<M extends Module = Module> = (module: M, input: unknown[], output: any) => unknown;

let nextHookId = 0;

/**
 * What registering a hook returns: `remove()` unregisters it, like
 * `torch.utils.hooks.RemovableHandle`; disposing it (`using h = m.registerForwardHook(...)`) removes
 * it too, as PyTorch's `with handle:` does.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
 * @example const h = model.registerForwardHook((m, input, output) => console.log(output.shape)); h.remove();
 */
export class RemovableHandle implements Disposable {
  /** The hook's key in its dictionary (a global counter, as PyTorch's `next_id`). */
  readonly id: number;
  readonly #hooks: WeakRef<Map<number, unknown>>;

  /** @internal */
  constructor(hooks: Map<number, unknown>) {
    this.id = nextHookId++;
    this.#hooks = new WeakRef(hooks);
  }

  /** Unregisters the hook (again: nothing). */
  remove(): void {
    this.#hooks.deref()?.delete(this.id);
  }

  /** `remove()`, for `using`. */
  [DISPOSE](): void {
    this.remove();
  }
}

/** PyTorch's `Module._call_impl`: pre-hooks (which may replace the arguments), forward, hooks (which may replace the output). */
function callModule(m: Module, args: unknown[]): unknown {
  const pre = m._forwardPreHooks;
  const post = m._forwardHooks;
  if (pre.size === 0 && post.size === 0) return m.forward(...args);
  let input = args;
  for (const hook of [...pre.values()]) {
    const r = hook(m, input);
    // PyTorch: None keeps the input; a tuple replaces it; anything else becomes a 1-tuple
    if (r !== undefined && r !== null) input = Array.isArray(r) ? r : [r];
  }
  let result: unknown = m.forward(...input);
  for (const hook of [...post.values()]) {
    const r = hook(m, input, result);
    if (r !== undefined && r !== null) result = r;
  }
  return result;
}

/**
 * Base class of all layers and models, like `torch.nn.Module`. Subclass it, assign
 * `nn.Parameter`s, submodules and buffers (`registerBuffer`) in the constructor, and implement
 * `forward`. Call a module as in PyTorch: `model(x)` runs the forward pre-hooks, `forward(x)` and
 * the forward hooks (PyTorch's `__call__`), typed with `forward`'s parameters and return type
 * (`forward`'s last four overloads); `model.forward(x)` runs `forward` alone. A module is a
 * function object (`typeof model === 'function'`), so TypeScript sees Function's `name`,
 * `length`, `call` and `bind` on it: a subclass field named `name` or `length` must be a string or
 * a number and is declared `override`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html
 * @example
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   forward(x: Tensor) { return this.fc2(this.fc1(x).relu()); }
 * }
 * const y = new Net()(torch.randn(3, 4)); // Tensor
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the call signature of the interface below is implemented by the constructor, which returns a callable object
export class Module {
  /** The state_dict version of this class (PyTorch's `_version`), stored in `stateDict()._metadata`. */
  static _version = 1;
  /** Training (true) or evaluation (false) mode; set by `train()` / `eval()`. */
  declare training: boolean;
  /** @internal registered parameters, in registration order */
  declare readonly _parameters: Map<string, Parameter | null>;
  /** @internal registered buffers, in registration order */
  declare readonly _buffers: Map<string, Tensor | null>;
  /** @internal names of buffers left out of the state dict */
  declare readonly _nonPersistentBuffers: Set<string>;
  /** @internal registered child modules, in registration order */
  declare readonly _modules: Map<string, Module | null>;
  /** @internal the object behind the proxy, for writes that bypass registration */
  declare readonly _target: Module;
  /** @internal forward pre-hooks by handle id, in registration order */
  declare readonly _forwardPreHooks: Map<number, ForwardPreHook<any>>;
  /** @internal forward hooks by handle id, in registration order */
  declare readonly _forwardHooks: Map<number, ForwardHook<any>>;

  constructor() {
    // The module is a function (calling it is PyTorch's __call__) with the subclass's prototype;
    // an arrow function has no `prototype` of its own, and its `name` and `length` are removed.
    const target = ((...args: unknown[]): unknown => callModule(proxy, args)) as unknown as Module;
    delete (target as { name?: unknown }).name;
    delete (target as { length?: unknown }).length;
    Object.setPrototypeOf(target, new.target.prototype);
    const hidden = (value: unknown): PropertyDescriptor => ({ value, writable: false, enumerable: false, configurable: false });
    Object.defineProperties(target, {
      _parameters: hidden(new Map()),
      _buffers: hidden(new Map()),
      _nonPersistentBuffers: hidden(new Set()),
      _modules: hidden(new Map()),
      _target: hidden(target),
      _forwardPreHooks: hidden(new Map()),
      _forwardHooks: hidden(new Map()),
      training: { value: true, writable: true, enumerable: false, configurable: true },
    });
    // Subclass constructors (and their class fields) run against the proxy.
    const proxy = new Proxy(target, HANDLER);
    return proxy;
  }

  /** The computation; subclasses override it. Call the module (`model(x)`) to run it with the hooks. */
  forward(..._args: any[]): any {
    throw new NotImplementedError(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  /**
   * Registers a hook that runs before every call of the module (`model(...)`, not
   * `model.forward(...)`), like `register_forward_pre_hook`. It gets the module and the argument
   * array; returning an array replaces the arguments, any other value (but undefined or null)
   * becomes the single argument.
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.register_forward_pre_hook
   * @example const h = model.registerForwardPreHook((m, [x]) => [(x as Tensor).mul(2)]); h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`registerForwardPreHook(): expected a function, got ${describeValue(hook)}`);
    const handle = new RemovableHandle(this._forwardPreHooks);
    this._forwardPreHooks.set(handle.id, hook);
    return handle;
  }

  /**
   * Registers a hook that runs after every call of the module, like `register_forward_hook`. It
   * gets the module, the arguments and the output; returning a value (but undefined or null)
   * replaces the output.
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
   * @example const acts: Tensor[] = []; model.fc1.registerForwardHook((m, input, out) => { acts.push(out); });
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`registerForwardHook(): expected a function, got ${describeValue(hook)}`);
    const handle = new RemovableHandle(this._forwardHooks);
    this._forwardHooks.set(handle.id, hook);
    return handle;
  }

  /** @internal The class name, as printed (`_get_name`). */
  _getName(): string {
    return this.constructor.name;
  }

  // ------------------------------------------------------------------ registration

  private hasAttr(name: string): boolean {
    return name in this && (this as Record<string, unknown>)[name] !== undefined;
  }

  /** @internal Stores a value under `name` without the registration logic (maps already updated). */
  protected _setRaw(name: string, value: unknown): void {
    Object.defineProperty(this._target, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /**
   * Adds a parameter (or `null`, which keeps the name out of `parameters()` and the state dict).
   * @example this.registerParameter('bias', null);
   */
  registerParameter(name: string, param: Parameter | null): void {
    checkName('parameter', name);
    if (this.hasAttr(name) && !this._parameters.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (param === null || param === undefined) {
      this._parameters.set(name, null);
      this._setRaw(name, null);
      return;
    }
    if (!(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.gradFn !== null) throw nonLeafError(name);
    this._parameters.set(name, param);
    this._setRaw(name, param);
  }

  /**
   * Adds a buffer: state that is not a parameter (BatchNorm's `running_mean`). Persistent buffers
   * (the default) are part of the state dict.
   * @example this.registerBuffer('running_mean', torch.zeros(n));
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName('buffer', name);
    if (this.hasAttr(name) && !this._buffers.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (tensor !== null && tensor !== undefined && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, tensor ?? null);
    if (opts.persistent ?? true) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    this._setRaw(name, tensor ?? null);
  }

  /**
   * Adds a child module (or `null`).
   * @example seq.addModule('fc', new nn.Linear(2, 3));
   */
  addModule(name: string, module: Module | null): void {
    if (!(module instanceof Module) && module !== null) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    if (typeof name !== 'string') throw new TypeError(`module name should be a string. Got ${typeName(name)}`);
    if (this.hasAttr(name) && !this._modules.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    checkName('module', name);
    this._modules.set(name, module);
    this._setRaw(name, module);
  }

  /** Alias of `addModule`. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  // ------------------------------------------------------------------ traversal

  /**
   * `[name, module]` for this module and all descendants (pre-order), like `named_modules`.
   * @example for (const [name, m] of model.namedModules()) console.log(name);
   */
  namedModules(opts: { memo?: Set<Module>; prefix?: string; removeDuplicate?: boolean } = {}): [string, Module][] {
    opts = checkOptions('namedModules()', opts, ['memo', 'prefix', 'removeDuplicate']);
    if (opts.memo !== undefined && !(opts.memo instanceof Set)) throw new TypeError(`namedModules(): argument 'memo' must be a Set, got ${describeValue(opts.memo)}`);
    checkPrefix('namedModules()', opts.prefix);
    optional(opts.removeDuplicate, true, (v) => checkBool('namedModules()', 'removeDuplicate', v));
    const memo = opts.memo ?? new Set<Module>();
    const prefix = opts.prefix ?? '';
    const removeDuplicate = opts.removeDuplicate ?? true;
    const out: [string, Module][] = [];
    const walk = (m: Module, p: string): void => {
      if (memo.has(m)) return;
      if (removeDuplicate) memo.add(m);
      out.push([p, m]);
      for (const [name, child] of m._modules) {
        if (child === null) continue;
        walk(child, p + (p ? '.' : '') + name);
      }
    };
    walk(this, prefix);
    return out;
  }

  /** This module and all descendants, like `modules()`. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** `[name, child]` for the direct children, like `named_children`. */
  namedChildren(): [string, Module][] {
    const memo = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this._modules) {
      if (m !== null && !memo.has(m)) {
        memo.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  /** The direct children, like `children()`. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  private namedMembers<T extends Tensor>(get: (m: Module) => Iterable<[string, T | null]>, opts: NamedMembersOptions): [string, T][] {
    opts = checkOptions('parameters()', opts, ['prefix', 'recurse', 'removeDuplicate']);
    checkPrefix('parameters()', opts.prefix);
    optional(opts.recurse, true, (v) => checkBool('parameters()', 'recurse', v));
    optional(opts.removeDuplicate, true, (v) => checkBool('parameters()', 'removeDuplicate', v));
    const prefix = opts.prefix ?? '';
    const removeDuplicate = opts.removeDuplicate ?? true;
    const mods: [string, Module][] =
      opts.recurse ?? true ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const memo = new Set<Tensor>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [k, v] of get(m)) {
        if (v === null || memo.has(v)) continue;
        if (removeDuplicate) memo.add(v);
        out.push([mp + (mp ? '.' : '') + k, v]);
      }
    }
    return out;
  }

  /**
   * `[name, parameter]` pairs, like `named_parameters` (names as in the state dict).
   * @example const names = model.namedParameters().map(([n]) => n); // ['fc1.weight', 'fc1.bias', ...]
   */
  namedParameters(opts: NamedMembersOptions = {}): [string, Parameter][] {
    return this.namedMembers((m) => m._parameters, opts);
  }

  /**
   * The parameters (each once), like `parameters()`; pass them to an optimizer.
   * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
   */
  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }

  /** `[name, buffer]` pairs, like `named_buffers` (non-persistent buffers included). */
  namedBuffers(opts: NamedMembersOptions = {}): [string, Tensor][] {
    return this.namedMembers((m) => m._buffers, opts);
  }

  /** The buffers, like `buffers()`. */
  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  /**
   * The submodule at a dotted path, like `get_submodule('encoder.0')`.
   * @example model.getSubmodule('net.0')
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    return target.split('.').reduce<Module>((mod, item) => {
      if (!mod.hasAttr(item)) throw new AttributeError(`${mod._getName()} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new AttributeError(`\`${item}\` is not an nn.Module`);
      return next;
    }, this);
  }

  /** The parameter at a dotted path, like `get_parameter('fc.weight')`. */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!mod.hasAttr(name)) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    const p = (mod as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  /** Calls `fn` on every submodule (children first) and then on this module, like `apply`. */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError(`apply(): expected a function, got ${describeValue(fn)}`);
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ------------------------------------------------------------------ modes and grads

  /**
   * Sets training mode on this module and its descendants, like `train(mode)`.
   * @example model.train(); model.eval();
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ValueError('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter, like `requires_grad_`. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the parameters' gradients. `setToNone` (default true) sets `.grad` to null, otherwise
   * the gradients are zeroed in place.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    // Deviation: PyTorch 1.13 defaults set_to_none to False; torchlet follows PyTorch 2.x (true).
    const o = checkOptions<{ setToNone?: boolean }>('zeroGrad()', opts, ['setToNone']);
    const setToNone = optional(o.setToNone, true, (v) => checkBool('zeroGrad()', 'setToNone', v));
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else {
        if (p.grad.gradFn !== null) p.grad = p.grad.detach();
        else p.grad.requiresGrad_(false);
        noGrad(() => p.grad!.zero_());
      }
    }
  }

  // ------------------------------------------------------------------ conversion

  /**
   * Applies `fn` to every parameter (keeping the Parameter objects, PyTorch's `param.data = ...`)
   * and buffer (replaced), children first.
   */
  protected _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m._apply(fn);
    for (const [, p] of this._parameters) {
      if (p === null) continue;
      const applied = noGrad(() => fn(p));
      if (applied !== p) setTensorData(p, applied.detach());
      if (p.grad !== null) {
        const g = noGrad(() => fn(p.grad!));
        if (g !== p.grad) setTensorData(p.grad, g.detach());
      }
    }
    for (const [k, b] of this._buffers) {
      if (b === null) continue;
      const applied = noGrad(() => fn(b));
      this._buffers.set(k, applied);
      this._setRaw(k, applied);
    }
    return this;
  }

  /**
   * Casts floating parameters and buffers to a floating dtype and/or moves them to a device, like
   * `Module.to`: `to(dtype)`, `to(device, dtype?)`, `to(tensor)` (its dtype and device) or
   * `to({ device, dtype })`. Only the CPU holds tensors here: `to('cuda')` throws PyTorch's
   * `AssertionError: Torch not compiled with CUDA enabled`. Returns this module.
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.to
   * @example model.to(torch.device('cpu')); model.to('float64');
   */
  to(dtype: DType, opts?: ToOptions): this;
  to(device: DeviceLike, dtype?: DType | null, opts?: ToOptions): this;
  to(tensor: Tensor, opts?: ToOptions): this;
  to(opts: ToOptions): this;
  to(...args: unknown[]): this {
    const { dtype } = parseTo('to()', args);
    if (dtype === undefined) return this;
    if (!isFloating(dtype)) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
    }
    return this._apply((t) => (isFloating(t.dtype) ? t.to(dtype) : t));
  }

  /**
   * Moves to a CUDA device in PyTorch; here always PyTorch's CPU-only error
   * (`AssertionError: Torch not compiled with CUDA enabled`).
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.cuda
   * @example if (torch.cuda.isAvailable()) model.cuda();
   */
  cuda(_device?: DeviceLike | number): this {
    throw new AssertionError('Torch not compiled with CUDA enabled');
  }

  /** Casts floating parameters and buffers to float64, like `double()`. */
  double(): this {
    return this._apply((t) => (isFloating(t.dtype) ? t.to('float64') : t));
  }

  /** Casts floating parameters and buffers to float32, like `float()`. */
  float(): this {
    return this._apply((t) => (isFloating(t.dtype) ? t.to('float32') : t));
  }

  /**
   * Casts floating parameters and buffers to float16, like `half()`. float16 is a storage dtype
   * here: element-wise ops, reductions and matmul run on it (in float32, rounded per op), the fused
   * layers (recurrent, norm, conv, losses) refuse it; convert back with `float()` to train.
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.half
   * @example const sd = model.half().stateDict(); // float16 weights, e.g. to save a smaller file
   */
  half(): this {
    return this._apply((t) => (isFloating(t.dtype) ? t.to('float16') : t));
  }

  /**
   * Casts floating parameters and buffers to bfloat16, like `bfloat16()` (a storage dtype, as `half()`).
   * See https://pytorch.org/docs/1.13/generated/torch.nn.Module.html#torch.nn.Module.bfloat16
   * @example model.bfloat16(); torch.save(model.stateDict(), 'model-bf16.pt');
   */
  bfloat16(): this {
    return this._apply((t) => (isFloating(t.dtype) ? t.to('bfloat16') : t));
  }

  /** Returns this module (host memory). */
  cpu(): this {
    return this;
  }

  // ------------------------------------------------------------------ state dict

  /**
   * Parameters and persistent buffers by name, like `state_dict()`: a plain object whose keys are
   * in PyTorch's order. Values are detached (sharing storage) unless `keepVars`. A non-enumerable
   * `_metadata` records each module's `_version`, as PyTorch's OrderedDict does.
   * @example Object.keys(model.stateDict()) // ['0.weight', '0.bias', ...]
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean; destination?: StateDict } = {}): StateDict {
    opts = checkOptions('stateDict()', opts, ['prefix', 'keepVars', 'destination']);
    checkPrefix('stateDict()', opts.prefix);
    optional(opts.keepVars, false, (v) => checkBool('stateDict()', 'keepVars', v));
    if (opts.destination !== undefined && !isPlainObject(opts.destination)) {
      throw new TypeError(`stateDict(): argument 'destination' must be a plain object, got ${describeValue(opts.destination)}`);
    }
    const dest: StateDict = opts.destination ?? {};
    const prefix = opts.prefix ?? '';
    const keepVars = opts.keepVars ?? false;
    let meta = (dest as { _metadata?: Record<string, { version: number }> })._metadata;
    if (meta === undefined && opts.destination === undefined) {
      meta = {};
      Object.defineProperty(dest, '_metadata', { value: meta, enumerable: false, writable: true, configurable: true });
    }
    if (meta) meta[prefix.slice(0, -1)] = { version: (this.constructor as typeof Module)._version };
    this._saveToStateDict(dest, prefix, keepVars);
    for (const [name, m] of this._modules) {
      if (m !== null) m.stateDict({ destination: dest, prefix: `${prefix}${name}.`, keepVars });
    }
    return dest;
  }

  /** @internal This module's own entries of the state dict. */
  protected _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this._parameters) if (p !== null) dest[prefix + name] = keepVars ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b !== null && !this._nonPersistentBuffers.has(name)) dest[prefix + name] = keepVars ? b : b.detach();
    }
  }

  /**
   * Copies parameters and buffers from `stateDict` into this module and its descendants, like
   * `load_state_dict`. With `strict` (default), missing and unexpected keys are errors; shape
   * mismatches are always errors (PyTorch's messages).
   * @example model.loadStateDict(torch.load('model.pt'));
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: { strict?: boolean } = {}): IncompatibleKeys {
    const o = checkOptions<{ strict?: boolean }>('loadStateDict()', opts, ['strict']);
    const strict = optional(o.strict, true, (v) => checkBool('loadStateDict()', 'strict', v));
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    }
    const metadata = (stateDict as { _metadata?: Record<string, { version?: number }> })._metadata;
    const entries = new Map<string, unknown>(stateDict instanceof Map ? stateDict : Object.entries(stateDict));
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errorMsgs: string[] = [];
    const load = (m: Module, local: Map<string, unknown>, prefix: string): void => {
      const localMeta = metadata?.[prefix.slice(0, -1)] ?? {};
      m._loadFromStateDict(local, prefix, localMeta, missingKeys, unexpectedKeys, errorMsgs);
      for (const [name, child] of m._modules) {
        if (child === null) continue;
        const cp = `${prefix}${name}.`;
        const sub = new Map<string, unknown>();
        for (const [k, v] of local) if (k.startsWith(cp)) sub.set(k, v);
        load(child, sub, cp);
      }
    };
    load(this, entries, '');
    if (strict) {
      if (unexpectedKeys.length > 0) {
        errorMsgs.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      }
      if (missingKeys.length > 0) {
        errorMsgs.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
      }
    }
    if (errorMsgs.length > 0) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errorMsgs.join('\n\t')}`);
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * @internal Loads this module's own entries (PyTorch's `_load_from_state_dict`); `state` holds
   * the keys under `prefix` and may be modified.
   */
  protected _loadFromStateDict(
    state: Map<string, unknown>,
    prefix: string,
    _localMetadata: { version?: number },
    missingKeys: string[],
    unexpectedKeys: string[],
    errorMsgs: string[],
  ): void {
    const local = new Map<string, Tensor>();
    for (const [k, v] of this._parameters) if (v !== null) local.set(k, v);
    for (const [k, v] of this._buffers) if (v !== null && !this._nonPersistentBuffers.has(k)) local.set(k, v);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!state.has(key)) {
        missingKeys.push(key);
        continue;
      }
      const input = state.get(key);
      if (!(input instanceof Tensor)) {
        errorMsgs.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received <class '${typeName(input)}'>`,
        );
        continue;
      }
      // Backward compatibility: loading a 1-dim tensor into a 0-dim one (PyTorch 0.3 checkpoints).
      const src = param.dim() === 0 && input.dim() === 1 ? input.select(0, 0) : input;
      if (src.dim() !== param.dim() || src.shape.some((s, i) => s !== param.shape[i])) {
        errorMsgs.push(
          `size mismatch for ${key}: copying a param with shape torch.Size([${src.shape.join(', ')}]) from checkpoint, the shape in current model is torch.Size([${param.shape.join(', ')}]).`,
        );
        continue;
      }
      try {
        noGrad(() => param.copy_(src));
      } catch (e) {
        errorMsgs.push(
          `While copying the parameter named "${key}", whose dimensions in the model are torch.Size([${param.shape.join(', ')}]) and whose dimensions in the checkpoint are torch.Size([${src.shape.join(', ')}]), an exception occurred : ('${(e as Error).message}',).`,
        );
      }
    }
    for (const key of state.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0]!;
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpectedKeys.push(key);
    }
  }

  // ------------------------------------------------------------------ printing

  /** Extra text inside this module's parentheses when printed (PyTorch's `extra_repr`). */
  extraRepr(): string {
    return '';
  }

  /**
   * PyTorch's module repr: the class name, `extraRepr()`, and the children indented.
   * @example String(new nn.Linear(3, 2)) // 'Linear(in_features=3, out_features=2, bias=True)'
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, m] of this._modules) {
      childLines.push(`(${key}): ${addIndent(m === null ? 'None' : m.toString(), 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this._getName()}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }
}

/**
 * Calling a module: `model(...args)` is PyTorch's `model(*args)` (`__call__`), typed with the
 * subclass's `forward`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- implemented by Module's constructor (see the class)
export interface Module {
  (...args: ForwardOverloads<this['forward']>[0][0]): ForwardOverloads<this['forward']>[0][1];
  (...args: ForwardOverloads<this['forward']>[1][0]): ForwardOverloads<this['forward']>[1][1];
  (...args: ForwardOverloads<this['forward']>[2][0]): ForwardOverloads<this['forward']>[2][1];
  (...args: ForwardOverloads<this['forward']>[3][0]): ForwardOverloads<this['forward']>[3][1];
}

// Modules are functions: Function.prototype's call and bind are theirs (TypeScript types a callable
// object with them). Its non-writable `name` and `length` and its throwing `arguments` and
// `caller` are shadowed by writable data properties, so subclasses can assign fields of those names.
Object.setPrototypeOf(Module.prototype, Function.prototype);
for (const [key, value] of [['name', ''], ['length', 0], ['arguments', null], ['caller', null]] as const) {
  Object.defineProperty(Module.prototype, key, { value, writable: true, enumerable: false, configurable: true });
}

Object.defineProperty(Module.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Module) {
    return this.toString();
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

// ---------------------------------------------------------------- repr helpers for extraRepr

export { pyBool, pyFloat, pyNum } from '../format.js';

/** Python's tuple repr: `(3,)`, `(2, 3)`. */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`;
}
