/**
 * Property-based tests: the public API, called the way an untyped JavaScript caller might call it
 * (strings, undefined, NaN, floats for integers, negative sizes, out-of-range dims and indices,
 * wrong dtypes and shapes, unknown option names), must throw a clean `Error` at the call every
 * time: never return a value, never throw an internal TypeError from deep inside
 * ("Cannot read properties of undefined"), never hang or crash.
 *
 * Each entry point lists its arguments as slots; a case replaces one slot with a generated bad
 * value and keeps the others valid. The total number of generated cases is printed once.
 *
 * Environment: TORCHLET_FUZZ_RUNS (runs per family, default 1000), TORCHLET_FUZZ_SEED (fixed by
 * default for reproducible CI), TORCHLET_FUZZ_COLLECT=1 (list every distinct failure instead of
 * stopping at the first), TORCHLET_FUZZ_SAMPLES=1 (print one message per entry and slot, to review
 * the wording), TORCHLET_FUZZ_TRACE=1 (log each case to stderr before it runs, to find a hang).
 */
import { writeSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const { nn, optim } = torch;
const F = nn.functional;
type T = torch.Tensor;

// ------------------------------------------------------------------------------ the oracle

let total = 0;
const NOT_THROWN = Symbol('not thrown');

/** Messages of errors that escape from inside the library instead of a check at the entry. */
const INTERNAL =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|Cannot convert|of undefined|of null|Maximum call stack|Invalid array length|Invalid typed array length|Array buffer allocation failed|Invalid string length|is not a constructor|Cannot destructure|before initialization|is not defined|undefined is not|null is not|Do not know how to serialize|Reduce of empty array|digits argument|Cannot mix BigInt|can't be converted to a BigInt|object null is not|Cannot create property|internal:/;

const CLEAN_NAMES = new Set(['TypeError', 'ValueError', 'RuntimeError', 'IndexError', 'RangeError', 'NotImplementedError', 'KeyError', 'AssertionError']);

function show(v: unknown): string {
  try {
    if (typeof v === 'symbol' || typeof v === 'bigint') return v.toString();
    if (v instanceof torch.Tensor) return `Tensor(${v.dtype}, [${v.shape.join(',')}])`;
    if (typeof v === 'function') return 'function';
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof torch.Tensor ? `Tensor[${x.shape}]` : x)) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Runs `fn`; it must throw a clean, specific Error. Returns the error for further checks. */
function expectCleanError(label: string, fn: () => unknown): Error {
  total++;
  let err: unknown = NOT_THROWN;
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    err = e;
  }
  if (err === NOT_THROWN) throw new Error(`${label}: accepted the bad argument and returned ${show(result)}`);
  if (!(err instanceof Error)) throw new Error(`${label}: threw a non-Error: ${show(err)}`);
  if (INTERNAL.test(err.message)) throw new Error(`${label}: internal error escaped: ${err.name}: ${err.message}`);
  if (!CLEAN_NAMES.has(err.name)) throw new Error(`${label}: unexpected error class ${err.name}: ${err.message}`);
  if (err.message.length < 12) throw new Error(`${label}: message too vague: '${err.message}'`);
  return err;
}

// ------------------------------------------------------------------------------ bad values

const JUNK: unknown[] = [undefined, null, NaN, Infinity, -Infinity, 'a', '', '3', true, false, {}, [], [[]], 3n, Symbol('s'), () => 1, new Map(), Object.create(null), new Float32Array(2)];
const junk = fc.oneof(fc.constantFrom(...JUNK), fc.string(), fc.object());
const notNumber = fc.oneof(
  fc.constantFrom(undefined, null, 'a', '', '3', {}, [], [1], 3n, Symbol('s'), () => 1, Object.create(null)),
  fc.string(),
  fc.object(),
);
const notInt = fc.oneof(junk, fc.double().filter((x) => !Number.isInteger(x)));
const notBool = fc.oneof(fc.constantFrom(undefined, null, 0, 1, NaN, 'true', '', {}, [], 3n, Symbol('s')), fc.string(), fc.double());
const notTensor = fc.oneof(junk, fc.double(), fc.array(fc.double(), { maxLength: 4 }), fc.array(fc.array(fc.integer(), { maxLength: 3 }), { maxLength: 3 }));
const notString = fc.oneof(fc.constantFrom(undefined, null, 0, 1.5, NaN, true, {}, [], 3n, Symbol('s')), fc.object());
const omit = <A>(arb: fc.Arbitrary<A>, ...vals: unknown[]): fc.Arbitrary<A> => arb.filter((v) => !vals.some((x) => Object.is(x, v)));

/** A slot: how to make a valid value, and which values are bad for it. */
interface Slot {
  valid: () => unknown;
  bad: fc.Arbitrary<unknown>;
}

const slot = (valid: () => unknown, bad: fc.Arbitrary<unknown>): Slot => ({ valid, bad });
/** A tensor argument (bad: anything that is not a Tensor). */
const tensorArg = (make: () => T): Slot => slot(make, notTensor);
/** A tensor argument whose wrong-shaped or wrong-dtype variants are also bad. */
const tensorWith = (make: () => T, ...wrong: (() => T)[]): Slot =>
  slot(make, fc.oneof(notTensor, fc.constantFrom(...wrong).map((w) => w())));
/** A size (non-negative integer). */
const size = (v = 2): Slot => slot(() => v, fc.oneof(notInt, fc.integer({ min: -1e6, max: -1 })));
/** A positive integer. */
const posInt = (v = 2): Slot => slot(() => v, fc.oneof(notInt, fc.integer({ min: -1e6, max: 0 })));
/** A dim of a rank-`nd` tensor. */
const dim = (nd: number, v = 0, optional = false): Slot =>
  slot(
    () => v,
    fc.oneof(
      optional ? omit(notInt, undefined, null) : notInt,
      fc.integer({ min: Math.max(nd, 1), max: 1e6 }),
      fc.integer({ min: -1e6, max: -Math.max(nd, 1) - 1 }),
    ),
  );
/** Reduction dims: like `dim`, but `[]` (all dims) is valid. */
const dims = (nd: number, v = 0): Slot => slot(() => v, dim(nd, v, true).bad.filter((x) => !(Array.isArray(x) && x.length === 0)));
/** A slot whose bad values exclude `{}` (an options object that sets nothing). */
const noEmpty = (s: Slot): Slot => slot(s.valid, s.bad.filter((v) => !isEmptyObject(v)));
/** An index into a dim of size `n` (negative allowed). */
const index = (n: number, v = 0): Slot => slot(() => v, fc.oneof(notInt, fc.integer({ min: n, max: 1e6 }), fc.integer({ min: -1e6, max: -n - 1 })));
/** A scalar number (NaN and infinities are valid numbers here). */
const num = (v = 1, optional = false): Slot => slot(() => v, optional ? omit(notNumber, undefined, null) : notNumber);
/** A number that must lie in [lo, hi] (NaN is bad). */
const numIn = (v: number, lo: number, hi: number, optional = false): Slot =>
  slot(
    () => v,
    fc.oneof(
      optional ? omit(notNumber, undefined) : notNumber,
      fc.constant(NaN),
      ...(Number.isFinite(lo) ? [fc.double({ max: lo, noNaN: true }).filter((x) => x < lo)] : []),
      ...(Number.isFinite(hi) ? [fc.double({ min: hi, noNaN: true }).filter((x) => x > hi)] : []),
    ),
  );
/** A number where negative values are bad (NaN is accepted, as by PyTorch's `x < 0.0` checks). */
const neg = (v: number, optional = false): Slot =>
  slot(() => v, fc.oneof(optional ? omit(notNumber, undefined) : notNumber, fc.double({ max: 0, noNaN: true }).filter((x) => x < 0)));
/** A boolean (no truthy coercion). */
const bool = (v = false, optional = false): Slot => slot(() => v, optional ? omit(notBool, undefined) : notBool);
/** An optional boolean where null also means "not given". */
const nbool = (): Slot => slot(() => undefined, omit(notBool, undefined, null));
/** One of a set of strings. */
const oneOf = (values: readonly string[], optional = false): Slot =>
  slot(() => values[0], fc.oneof(optional ? omit(notString, undefined, null) : notString, fc.string().filter((s) => !values.includes(s))));
/** A shape: array of sizes. */
const shape = (v: number[] = [2, 3]): Slot =>
  slot(
    () => v.slice(),
    fc.oneof(
      fc.constantFrom(undefined, null, 'a', 2.5, NaN, {}, Symbol('s'), 3n),
      fc.array(fc.oneof(notInt, fc.integer({ min: -1e6, max: -1 })), { minLength: 1, maxLength: 3 }).map((bad) => [...v, ...bad]),
    ),
  );
const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
const dtypeSlot = slot(() => 'float32', fc.oneof(omit(notString, undefined, null), fc.constantFrom('half', 'Float', 'torch.float32', 'uint16', 'complex64'), fc.string().filter((s) => !DTYPES.includes(s))));

/**
 * An options object: bad when it is not an object, has an unknown key, or gives a known key a bad
 * value. `keys` maps each valid option to its slot (its bad values; valid ones are omitted).
 */
function options(keys: Record<string, Slot>, base: () => Record<string, unknown> = () => ({})): Slot {
  const names = Object.keys(keys);
  const unknownKey = fc
    .oneof(fc.constantFrom('biass', 'batch_first', 'Lr', 'dtyp', 'reduce', 'foo', '__x'), fc.string({ minLength: 1, maxLength: 8 }))
    .filter((k) => !names.includes(k) && k !== '__proto__' && k !== 'constructor')
    .map((k) => ({ ...base(), [k]: 1 }));
  const arbs: fc.Arbitrary<unknown>[] = [fc.constantFrom('a', 3, true, [], [1], 3n, Symbol('s'), () => 1, new Map()), unknownKey];
  // An option set to undefined is an option not given: not a bad value.
  for (const k of names) arbs.push(keys[k]!.bad.filter((v) => v !== undefined).map((v) => ({ ...base(), [k]: v })));
  return slot(base, fc.oneof(...arbs));
}

/** `{}` (also without a prototype): an options object that sets nothing. */
const isEmptyObject = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  [null, Object.prototype].includes(Object.getPrototypeOf(v)) &&
  Object.values(v).every((x) => x === undefined);

/** Options that may also be given as a boolean (`inplace`). */
const noBool = (s: Slot): Slot => slot(s.valid, s.bad.filter((v) => typeof v !== 'boolean'));
/** Options that follow varargs sizes (a number there is one more size). */
const noNumber = (s: Slot): Slot => slot(s.valid, s.bad.filter((v) => typeof v !== 'number'));

/** A nullable tensor option (weight, posWeight ...) with given wrong shapes. */
const optTensor = (...wrong: (() => T)[]): Slot => slot(() => null, fc.oneof(omit(notTensor, undefined, null), ...(wrong.length ? [fc.constantFrom(...wrong).map((w) => w())] : [])));

// ------------------------------------------------------------------------------ the entry points

interface Entry {
  name: string;
  args: Slot[];
  call: (...a: any[]) => unknown;
}

const x234 = (): T => torch.randn(2, 3, 4);
const x23 = (): T => torch.randn(2, 3);
const idx = (data: number[]): T => torch.tensor(data, { dtype: 'int64' });
const OPTS_T = { dtype: dtypeSlot, requiresGrad: bool(false, true) };
const OPTS_R = { ...OPTS_T, generator: slot(() => undefined, omit(junk, undefined, null)) };

const factories: Entry[] = [
  ...(['zeros', 'ones', 'empty'] as const).map((f) => ({ name: f, args: [size(), size(3), noNumber(options(OPTS_T))], call: (a: any, b: any, o: any) => (torch as any)[f](a, b, o) })),
  ...(['zeros', 'ones', 'empty'] as const).map((f) => ({ name: `${f}([])`, args: [shape(), options(OPTS_T)], call: (s: any, o: any) => (torch as any)[f](s, o) })),
  ...(['rand', 'randn'] as const).map((f) => ({ name: f, args: [size(), size(3), noNumber(options(OPTS_R))], call: (a: any, b: any, o: any) => (torch as any)[f](a, b, o) })),
  { name: 'full', args: [shape(), num(1.5), options(OPTS_T)], call: (s, v, o) => torch.full(s, v, o) },
  { name: 'arange', args: [slot(() => 0, fc.oneof(notNumber, fc.constantFrom(NaN, Infinity, -Infinity))), slot(() => 5, fc.oneof(notNumber, fc.constantFrom(NaN, Infinity, -Infinity))), slot(() => 1, fc.oneof(notNumber, fc.constantFrom(0, NaN, -1))), options(OPTS_T)], call: (a, b, c, o) => torch.arange(a, b, c, o) },
  { name: 'linspace', args: [num(0), num(1), size(5), options(OPTS_T)], call: (a, b, n, o) => torch.linspace(a, b, n, o) },
  { name: 'eye', args: [size(3), slot(() => 2, omit(size().bad, undefined, null)), options(OPTS_T)], call: (n, m, o) => torch.eye(n, m, o) },
  { name: 'randint', args: [slot(() => 0, notInt), slot(() => 5, fc.oneof(notInt, fc.integer({ min: -1e6, max: 0 }))), shape(), options(OPTS_R)], call: (l, h, s, o) => torch.randint(l, h, s, o) },
  { name: 'randperm', args: [size(4), options(OPTS_R)], call: (n, o) => torch.randperm(n, o) },
  { name: 'tensor', args: [slot(() => [[1, 2], [3, 4]], fc.oneof(fc.constantFrom(undefined, 'a', Symbol('s'), {}, () => 1, [[1, 2], [3]], [1, [2]], [[1], 2], ['a', 'b'], [1, undefined], [null], [{}], [[[1]], [2]]), fc.string())), options(OPTS_T)], call: (d, o) => torch.tensor(d, o) },
  ...(['zerosLike', 'onesLike', 'emptyLike', 'randLike', 'randnLike'] as const).map((f) => ({ name: f, args: [tensorArg(x23), options(f.startsWith('rand') ? OPTS_R : OPTS_T)], call: (t: any, o: any) => (torch as any)[f](t, o) })),
  { name: 'fullLike', args: [tensorArg(x23), num(2), options(OPTS_T)], call: (t, v, o) => torch.fullLike(t, v, o) },
  { name: 'manualSeed', args: [slot(() => 0, fc.oneof(omit(notNumber, 3n), fc.constantFrom(NaN, Infinity, -Infinity)))], call: (s) => torch.manualSeed(s) },
];

const views: Entry[] = [
  { name: 'view', args: [slot(() => 6, fc.oneof(notInt, fc.integer({ min: -1e6, max: -2 }), fc.constantFrom(5, 7, 0, 25))), slot(() => 4, fc.oneof(notInt, fc.integer({ min: -1e6, max: -2 })))], call: (a, b) => x234().view(a, b) },
  { name: 'reshape', args: [slot(() => [6, 4], fc.oneof(fc.constantFrom(undefined, 'a', 2.5, [2.5, 4], [NaN], [-1, -1], [5, 5], [-3, 8], ['6', '4'], {}, null)))], call: (s) => x234().reshape(s) },
  { name: 'permute', args: [dim(3, 2), dim(3, 0), dim(3, 1)], call: (a, b, c) => x234().permute(a, b, c) },
  { name: 'permute(dup)', args: [slot(() => [2, 0, 1], fc.constantFrom([0, 0, 1], [0, 1], [0, 1, 2, 3], [0, 1, -3]))], call: (d) => x234().permute(d) },
  { name: 'transpose', args: [dim(3, 0), dim(3, 2)], call: (a, b) => x234().transpose(a, b) },
  { name: 'unsqueeze', args: [dim(4, 1)], call: (d) => x234().unsqueeze(d) },
  { name: 'squeeze', args: [dim(3, 0, true)], call: (d) => x234().squeeze(d) },
  { name: 'flatten', args: [dim(3, 0, true), dim(3, -1, true)], call: (a, b) => x234().flatten(a, b) },
  { name: 'unflatten', args: [dim(3, 2), slot(() => [2, 2], fc.constantFrom(undefined, 'a', [3, 3], [2.5, 2], [-1, -1], [NaN], 4))], call: (d, s) => x234().unflatten(d, s) },
  { name: 'select', args: [dim(3, 1), index(3, -1)], call: (d, i) => x234().select(d, i) },
  { name: 'narrow', args: [dim(3, 2), slot(() => 1, fc.oneof(notInt, fc.integer({ min: 5, max: 1e6 }), fc.integer({ min: -1e6, max: -5 }))), slot(() => 2, fc.oneof(notInt, fc.integer({ min: -1e6, max: -1 }), fc.integer({ min: 4, max: 1e6 })))], call: (d, s, l) => x234().narrow(d, s, l) },
  { name: 'slice', args: [dim(3, 2), slot(() => 0, omit(notInt, undefined, null)), slot(() => 3, omit(notInt, undefined, null)), slot(() => 1, fc.oneof(omit(notInt, undefined), fc.integer({ min: -1e6, max: 0 })))], call: (d, a, b, s) => x234().slice(d, a, b, s) },
  { name: 'chunk', args: [posInt(2), dim(3, 1, true)], call: (c, d) => x234().chunk(c, d) },
  { name: 'split', args: [slot(() => 2, fc.oneof(notInt, fc.integer({ min: -1e6, max: -1 }), fc.constantFrom([1, 1], [2, 2.5], [-1, 5], ['a'], [NaN, 4], []))), dim(3, 2, true)], call: (s, d) => x234().split(s, d) },
  { name: 'unbind', args: [dim(3, 0, true)], call: (d) => x234().unbind(d) },
  { name: 'expand', args: [slot(() => 3, fc.oneof(notInt, fc.integer({ min: -1e6, max: -2 }))), slot(() => 4, fc.oneof(notInt, fc.integer({ min: -1e6, max: -2 }), fc.constantFrom(3, 5)))], call: (a, b) => torch.randn(1, 4).expand(a, b) },
  { name: 'expandAs', args: [tensorWith(x234, x23)], call: (o) => torch.randn(3, 1).expandAs(o) },
  { name: 'viewAs', args: [tensorWith(() => torch.zeros(6, 4), x23)], call: (o) => x234().viewAs(o) },
  { name: 'to', args: [dtypeSlot], call: (d) => x23().to(d) },
  { name: 'size', args: [dim(3, 0, true)], call: (d) => x234().size(d) },
  { name: 'stride', args: [dim(3, 0, true)], call: (d) => x234().stride(d) },
  { name: 'cat', args: [slot(() => [x23(), x23()], fc.oneof(junk, fc.constantFrom([], [1, 2], [x23(), 'a'], [x23(), torch.randn(3, 2)], [x23(), torch.randn(2)], [torch.tensor(1), torch.tensor(2)]))), dim(2, 0, true)], call: (xs, d) => torch.cat(xs, d) },
  { name: 'stack', args: [slot(() => [x23(), x23()], fc.oneof(junk, fc.constantFrom([], [1, 2], [x23(), 'a'], [x23(), torch.randn(3, 2)], [x23(), undefined]))), dim(3, 0, true)], call: (xs, d) => torch.stack(xs, d) },
  { name: 'item', args: [slot(() => torch.tensor(1.5), fc.constantFrom(x23(), torch.zeros(0)))], call: (t) => t.item() },
];

const reductions: Entry[] = [
  ...(['sum', 'mean', 'amax', 'amin'] as const).map((f) => ({ name: f, args: [dims(3, 1), bool(false, true)], call: (d: any, k: any) => (x234() as any)[f](d, k) })),
  ...(['max', 'min', 'argmax', 'argmin', 'any', 'all', 'prod'] as const).map((f) => ({ name: `${f}(dim)`, args: [dim(3, 1, true), bool(false, true)], call: (d: any, k: any) => (x234() as any)[f](d, k) })),
  { name: 'sum(dims)', args: [slot(() => [0, 2], fc.constantFrom([0, 0], [0, 3], [0.5], ['a'], [NaN], [0, -4]))], call: (d) => x234().sum(d) },
  { name: 'sum(dtype)', args: [options({ dtype: dtypeSlot })], call: (o) => x234().sum(1, false, o) },
  { name: 'cumsum', args: [dim(3, 1), options({ dtype: dtypeSlot })], call: (d, o) => x234().cumsum(d, o) },
  { name: 'logsumexp', args: [dim(3, 1), bool(false, true)], call: (d, k) => x234().logsumexp(d, k) },
  { name: 'std', args: [slot(() => 1, dim(3, 1, true).bad.filter((v) => !(Array.isArray(v) && v.length === 0) && !isEmptyObject(v) && typeof v !== 'boolean')), noBool(options({ unbiased: nbool(), keepdim: nbool(), correction: num(1, true) }))], call: (d, o) => x234().std(d, o) },
  { name: 'var', args: [slot(() => 1, dim(3, 1, true).bad.filter((v) => !(Array.isArray(v) && v.length === 0) && !isEmptyObject(v) && typeof v !== 'boolean')), noBool(options({ unbiased: nbool(), keepdim: nbool(), correction: num(1, true) }))], call: (d, o) => x234().var(d, o) },
  { name: 'norm', args: [slot(() => 2, fc.constantFrom('a', 'inf', {}, [], Symbol('s'), 3n)), dims(3, 1), bool(false, true)], call: (p, d, k) => x234().norm(p, d, k) },
  { name: 'softmax', args: [dim(3, -1), options({ dtype: dtypeSlot })], call: (d, o) => x234().softmax(d, o) },
  { name: 'logSoftmax', args: [dim(3, -1), options({ dtype: dtypeSlot })], call: (d, o) => x234().logSoftmax(d, o) },
  { name: 'torch.softmax', args: [tensorArg(x234), dim(3, -1)], call: (t, d) => torch.softmax(t, d) },
];

const elementwise: Entry[] = [
  ...(['add', 'sub', 'mul', 'div', 'pow', 'remainder', 'fmod', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor', 'maximum', 'minimum', 'atan2'] as const).map((f) => ({
    name: f,
    args: [slot(() => x23(), fc.oneof(omit(notNumber, 1), fc.constantFrom(torch.randn(3, 2), torch.randn(4))))],
    call: (o: any) => (x23() as any)[f](o),
  })),
  ...(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt'] as const).map((f) => ({
    name: `torch.${f}`,
    args: [slot(() => x23(), notTensor.filter((v) => typeof v !== 'number' && typeof v !== 'boolean')), slot(() => x23(), fc.oneof(notNumber, fc.constantFrom(torch.randn(3, 2))))],
    call: (a: any, b: any) => (torch as any)[f](a, b),
  })),
  { name: 'add(alpha)', args: [options({ alpha: num(1, true) })], call: (o) => x23().add(x23(), o) },
  { name: 'div(roundingMode)', args: [options({ roundingMode: slot(() => null, fc.oneof(fc.constantFrom('round', 'Floor', 1, true, {}), fc.string().filter((s) => s !== 'trunc' && s !== 'floor'))) })], call: (o) => x23().div(x23(), o) },
  ...(['neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'sign', 'floor', 'ceil', 'round', 'trunc', 'reciprocal', 'square', 'erf', 'logicalNot', 'isnan', 'isinf'] as const).map((f) => ({
    name: `torch.${f}`,
    args: [tensorArg(x23)],
    call: (t: any) => (torch as any)[f](t),
  })),
  ...(['sum', 'mean', 'prod', 'max', 'min', 'amax', 'amin', 'argmax', 'argmin', 'std', 'variance', 'any', 'all', 'flatten', 'squeeze', 'nonzero', 'argwhere', 'tril', 'triu', 'unbind'] as const).map((f) => ({
    name: `torch.${f}`,
    args: [tensorArg(x23)],
    call: (t: any) => (torch as any)[f](t),
  })),
  { name: 'clamp', args: [num(-1, true), num(1, true)], call: (a, b) => x23().clamp(a, b) },
  { name: 'where', args: [tensorWith(() => x23().gt(0), x23, () => torch.ones(4, 4).bool()), slot(() => 0, fc.oneof(omit(notNumber, undefined), fc.constantFrom(torch.randn(5))))], call: (c, o) => x23().where(c, o) },
  { name: 'torch.where', args: [tensorWith(() => x23().gt(0), x23), slot(() => 1, omit(notNumber, undefined)), slot(() => 0, omit(notNumber, undefined))], call: (c, a, b) => torch.where(c, a, b) },
  { name: 'maskedFill', args: [tensorWith(() => x23().gt(0), x23, () => torch.ones(4, 4).bool()), slot(() => 0, fc.oneof(notNumber, fc.constantFrom(torch.ones(2))))], call: (m, v) => x23().maskedFill(m, v) },
  { name: 'matmul', args: [tensorWith(() => torch.randn(3, 4), () => torch.randn(2, 4), () => torch.randn(3, 4).double(), () => torch.tensor(1))], call: (b) => x23().matmul(b) },
  { name: 'mm', args: [tensorWith(() => torch.randn(3, 4), () => torch.randn(2, 4), () => torch.randn(3))], call: (b) => x23().mm(b) },
  { name: 'bmm', args: [tensorWith(() => torch.randn(2, 4, 5), () => torch.randn(2, 3, 5), () => torch.randn(4, 5))], call: (b) => x234().bmm(b) },
  { name: 'mv', args: [tensorWith(() => torch.randn(3), () => torch.randn(2), () => torch.randn(3, 1))], call: (v) => x23().mv(v) },
  { name: 'dot', args: [tensorWith(() => torch.randn(3), () => torch.randn(2), () => torch.randn(3, 1), () => torch.randn(3).double())], call: (v) => torch.randn(3).dot(v) },
  { name: 'addmm', args: [tensorArg(() => torch.randn(2, 4)), tensorWith(x23, () => torch.randn(3, 3)), tensorWith(() => torch.randn(3, 4), () => torch.randn(2, 4)), options({ beta: num(1, true), alpha: num(1, true) })], call: (i, a, b, o) => torch.addmm(i, a, b, o) },
];

const indexing: Entry[] = [
  { name: 'gather', args: [dim(2, 1), tensorWith(() => idx([0, 2]).view(2, 1), () => torch.tensor([[0.5], [1]]), () => idx([3, 0]).view(2, 1), () => idx([-4, 0]).view(2, 1), () => idx([0, 0, 0]).view(1, 1, 3))], call: (d, i) => x23().gather(d, i) },
  { name: 'indexSelect', args: [dim(2, 1), tensorWith(() => idx([0, 2]), () => torch.tensor([0.5]), () => idx([3]), () => idx([-4]), () => idx([0, 1]).view(1, 2, 1))], call: (d, i) => x23().indexSelect(d, i) },
  { name: 'scatter', args: [dim(2, 1), tensorWith(() => idx([0, 2]).view(2, 1), () => idx([5, 0]).view(2, 1), () => torch.tensor([[0.5], [1]])), slot(() => 1, fc.oneof(notNumber, fc.constantFrom(torch.randn(1, 1, 1))))], call: (d, i, s) => x23().scatter(d, i, s) },
  { name: 'scatterAdd', args: [dim(2, 1), tensorWith(() => idx([0, 2]).view(2, 1), () => idx([5, 0]).view(2, 1)), tensorWith(() => torch.ones(2, 1), () => torch.ones(2, 1).double())], call: (d, i, s) => x23().scatterAdd(d, i, s) },
  { name: 'indexAdd', args: [dim(2, 1), tensorWith(() => idx([0, 2]), () => idx([3, 0]), () => torch.tensor([0, 1.5])), tensorWith(() => torch.ones(2, 2), () => torch.ones(2, 3), () => torch.ones(2, 2).double())], call: (d, i, s) => x23().indexAdd(d, i, s) },
  { name: 'indexFill', args: [dim(2, 1), tensorWith(() => idx([0, 2]), () => idx([3]), () => torch.tensor([0.5])), num(0)], call: (d, i, v) => x23().indexFill(d, i, v) },
  { name: 'maskedSelect', args: [tensorWith(() => x23().gt(0), x23, () => torch.ones(3, 3).bool())], call: (m) => x23().maskedSelect(m) },
  { name: 'take', args: [tensorWith(() => idx([0, 5]), () => idx([6]), () => idx([-7]), () => torch.tensor([0.5]))], call: (i) => x23().take(i) },
  { name: 'index(int)', args: [slot(() => 1, fc.oneof(fc.constantFrom(2, -3, 100, 1.5, NaN, 'a', Symbol('s'), 3n, new Map(), () => 1, [1.5], [5], ['a'])))], call: (i) => x23().index(i) },
  { name: 'index(slice)', args: [slot(() => ({ start: 0, stop: 2 }), fc.constantFrom({ start: 'a' }, { start: 0.5 }, { step: 0 }, { step: -1 }, { stop: NaN }, { start: 0, foo: 1 }))], call: (i) => x23().index(null, i) },
  { name: 'setIndex_', args: [slot(() => [0], fc.constantFrom([5], [-3], ['a'], [1.5], 'a', [x23()])), slot(() => 1, fc.oneof(notNumber, fc.constantFrom(torch.ones(5))))], call: (i, v) => x23().setIndex_(i, v) },
  { name: 'tril', args: [slot(() => 0, omit(notInt, undefined))], call: (k) => x23().tril(k) },
  { name: 'triu', args: [slot(() => 0, omit(notInt, undefined))], call: (k) => x23().triu(k) },
];

const inplace: Entry[] = [
  { name: 'add_', args: [slot(() => 1, fc.oneof(notNumber, fc.constantFrom(torch.randn(3, 3), torch.randn(2, 1, 3))))], call: (o) => x23().add_(o) },
  { name: 'mul_', args: [slot(() => 1, fc.oneof(notNumber, fc.constantFrom(torch.randn(3, 3))))], call: (o) => x23().mul_(o) },
  { name: 'fill_', args: [slot(() => 1, fc.oneof(notNumber, fc.constantFrom(torch.ones(2))))], call: (v) => x23().fill_(v) },
  { name: 'copy_', args: [tensorWith(x23, () => torch.randn(3, 2), () => torch.randn(4))], call: (s) => x23().copy_(s) },
  { name: 'clamp_', args: [num(-1, true), num(1, true)], call: (a, b) => x23().clamp_(a, b) },
  { name: 'uniform_', args: [num(0, true), num(1, true), options({ generator: slot(() => undefined, omit(junk, undefined, null)) })], call: (a, b, o) => x23().uniform_(a, b, o) },
  { name: 'normal_', args: [num(0, true), numIn(1, 0, Infinity, true)], call: (m, s) => x23().normal_(m, s) },
  { name: 'bernoulli_', args: [numIn(0.5, 0, 1, true)], call: (p) => x23().bernoulli_(p) },
  { name: 'requiresGrad_', args: [bool(true, true)], call: (b) => x23().requiresGrad_(b) },
  { name: 'requiresGrad_(int)', args: [slot(() => false, fc.constant(true))], call: (b) => idx([1]).requiresGrad_(b) },
];

const autograd: Entry[] = [
  {
    name: 'backward',
    args: [slot(() => undefined, fc.oneof(omit(notTensor, undefined, null), fc.constantFrom(torch.ones(3), torch.ones(2, 1)))), options({ retainGraph: slot(() => undefined, omit(notBool, undefined, null)), createGraph: bool(false, true) })],
    call: (g, o) => {
      const w = torch.randn(2, 3, { requiresGrad: true });
      w.mul(2).backward(g ?? torch.ones(2, 3), o);
    },
  },
  {
    name: 'autograd.grad',
    args: [slot(() => null, fc.constantFrom('a', 1, {}, [1], Symbol('s'))), options({ retainGraph: nbool(), createGraph: bool(false, true), allowUnused: bool(false, true), gradOutputs: slot(() => undefined, fc.constantFrom('a', 1, [1], {})) })],
    call: (bad, o) => {
      const w = torch.randn(3, { requiresGrad: true });
      return torch.autograd.grad(w.mul(2).sum(), bad ?? [w], o);
    },
  },
  { name: 'setDetectAnomaly', args: [bool(false)], call: (b) => torch.autograd.setDetectAnomaly(b) },
  { name: 'detectAnomaly', args: [slot(() => () => 1, omit(junk, undefined).filter((v) => typeof v !== 'function'))], call: (f) => torch.autograd.detectAnomaly(f) },
  { name: 'noGrad', args: [slot(() => () => 1, omit(junk, undefined).filter((v) => typeof v !== 'function'))], call: (f) => torch.noGrad(f) },
];

const LIN = { bias: bool(true, true), dtype: slot(() => 'float32', fc.oneof(omit(dtypeSlot.bad, undefined), fc.constantFrom('int64', 'bool'))) };
const RNN_OPTS = {
  numLayers: posInt(1),
  bias: bool(true, true),
  batchFirst: bool(false, true),
  dropout: numIn(0, 0, 1, true),
  bidirectional: bool(false, true),
  dtype: slot(() => 'float32', fc.constantFrom('int64', 'float16', 1, 'a')),
};
const REDUCTION = oneOf(['mean', 'sum', 'none'], true);

const modules: Entry[] = [
  { name: 'Linear', args: [size(3), size(4), options(LIN)], call: (a, b, o) => new nn.Linear(a, b, o) },
  { name: 'Bilinear', args: [size(3), size(4), size(5), options(LIN)], call: (a, b, c, o) => new nn.Bilinear(a, b, c, o) },
  { name: 'Embedding', args: [size(10), size(3), options({ paddingIdx: slot(() => null, fc.oneof(omit(notInt, undefined, null), fc.integer({ min: 10, max: 1e6 }), fc.integer({ min: -1e6, max: -11 }))), maxNorm: num(1, true), normType: num(2, true), scaleGradByFreq: bool(false, true), sparse: bool(false, true), _weight: optTensor(() => torch.randn(3, 3)), _freeze: bool(false, true) })], call: (n, d, o) => new nn.Embedding(n, d, o) },
  { name: 'Dropout', args: [numIn(0.5, 0, 1, true), noBool(options({ inplace: bool(false, true) }))], call: (p, o) => new nn.Dropout(p, o) },
  { name: 'LayerNorm', args: [slot(() => [4], fc.constantFrom(undefined, 'a', [], [-1], [2.5], NaN, -3, {})), options({ eps: num(1e-5, true), elementwiseAffine: bool(true, true), dtype: LIN.dtype })], call: (s, o) => new nn.LayerNorm(s, o) },
  { name: 'BatchNorm1d', args: [size(4), options({ eps: num(1e-5, true), momentum: slot(() => 0.1, omit(notNumber, undefined, null)), affine: bool(true, true), trackRunningStats: bool(true, true), dtype: LIN.dtype })], call: (n, o) => new nn.BatchNorm1d(n, o) },
  { name: 'ReLU', args: [noBool(options({ inplace: bool(false, true) }))], call: (o) => new nn.ReLU(o) },
  { name: 'LeakyReLU', args: [num(0.01, true), noBool(options({ inplace: bool(false, true) }))], call: (s, o) => new nn.LeakyReLU(s, o) },
  { name: 'ELU', args: [num(1, true), noBool(options({ inplace: bool(false, true) }))], call: (a, o) => new nn.ELU(a, o) },
  { name: 'GELU', args: [options({ approximate: oneOf(['none', 'tanh'], true) })], call: (o) => new nn.GELU(o) },
  { name: 'Softplus', args: [num(1, true), num(20, true)], call: (b, t) => new nn.Softplus(b, t) },
  { name: 'Softmax', args: [slot(() => 1, omit(notInt, undefined, null).filter((v) => !isEmptyObject(v)))], call: (d) => new nn.Softmax(d) },
  { name: 'Flatten', args: [slot(() => 1, omit(notInt, undefined)), slot(() => -1, omit(notInt, undefined))], call: (a, b) => new nn.Flatten(a, b) },
  { name: 'Conv1d', args: [size(2), size(4), slot(() => 3, fc.oneof(notInt, fc.integer({ min: -1e6, max: 0 }), fc.constantFrom([3, 3], [0], ['a'], []))), options({ stride: posInt(1), padding: slot(() => 0, fc.oneof(fc.constantFrom('full', 'a', 1.5, -1, NaN, [1.5], {}), fc.integer({ min: -1e6, max: -1 }))), dilation: posInt(1), groups: posInt(1), bias: bool(true, true), paddingMode: oneOf(['zeros', 'reflect', 'replicate', 'circular'], true), dtype: LIN.dtype })], call: (i, o, k, opts) => new nn.Conv1d(i, o, k, opts) },
  { name: 'MaxPool1d', args: [posInt(2), options({ stride: slot(() => null, fc.oneof(fc.constantFrom('a', 1.5, NaN, 0, -1, {}, [1.5]))), padding: size(0), dilation: posInt(1), returnIndices: bool(false, true), ceilMode: bool(false, true) })], call: (k, o) => new nn.MaxPool1d(k, o) },
  { name: 'AvgPool1d', args: [posInt(2), options({ stride: slot(() => null, fc.constantFrom('a', 1.5, NaN, 0, -1, {})), padding: size(0), ceilMode: bool(false, true), countIncludePad: bool(true, true) })], call: (k, o) => new nn.AvgPool1d(k, o) },
  ...(['LSTM', 'GRU', 'RNN'] as const).map((m) => ({
    name: m,
    args: [posInt(3), posInt(4), options(m === 'LSTM' ? { ...RNN_OPTS, projSize: slot(() => 0, fc.oneof(notInt, fc.integer({ min: -1e6, max: -1 }), fc.constantFrom(4, 5))) } : m === 'RNN' ? { ...RNN_OPTS, nonlinearity: oneOf(['tanh', 'relu'], true) } : RNN_OPTS)],
    call: (i: any, h: any, o: any) => new (nn as any)[m](i, h, 1, o),
  })),
  ...(['LSTMCell', 'GRUCell', 'RNNCell'] as const).map((m) => ({
    name: m,
    args: [size(3), size(4), options(m === 'RNNCell' ? { bias: bool(true, true), dtype: RNN_OPTS.dtype, nonlinearity: oneOf(['tanh', 'relu'], true) } : { bias: bool(true, true), dtype: RNN_OPTS.dtype })],
    // PyTorch checks RNNCell's nonlinearity in forward: construct and run.
    call: (i: any, h: any, o: any) => new (nn as any)[m](i, h, o).forward(torch.randn(2, 3)),
  })),
  // PyTorch checks reduction, beta, delta and label smoothing when the loss is computed: construct and compute.
  { name: 'MSELoss', args: [options({ reduction: REDUCTION })], call: (o) => new nn.MSELoss(o).forward(x23(), x23()) },
  { name: 'L1Loss', args: [options({ reduction: REDUCTION })], call: (o) => new nn.L1Loss(o).forward(x23(), x23()) },
  { name: 'SmoothL1Loss', args: [options({ reduction: REDUCTION, beta: numIn(1, 0, Infinity, true) })], call: (o) => new nn.SmoothL1Loss(o).forward(x23(), x23()) },
  { name: 'HuberLoss', args: [options({ reduction: REDUCTION, delta: slot(() => 1, fc.oneof(omit(notNumber, undefined), fc.double({ max: 0, noNaN: true }), fc.constant(NaN))) })], call: (o) => new nn.HuberLoss(o).forward(x23(), x23()) },
  { name: 'CrossEntropyLoss', args: [options({ weight: optTensor(() => torch.ones(3)), ignoreIndex: slot(() => -100, omit(notInt, undefined)), reduction: REDUCTION, labelSmoothing: slot(() => 0, fc.oneof(omit(notNumber, undefined), fc.double({ min: 1, minExcluded: true, noNaN: true }))) })], call: (o) => new nn.CrossEntropyLoss(o).forward(logits(), target()) },
  { name: 'NLLLoss', args: [options({ weight: optTensor(() => torch.ones(3)), ignoreIndex: slot(() => -100, omit(notInt, undefined)), reduction: REDUCTION })], call: (o) => new nn.NLLLoss(o).forward(logits(), target()) },
  { name: 'BCELoss', args: [options({ weight: optTensor(() => torch.ones(5)), reduction: REDUCTION })], call: (o) => new nn.BCELoss(o).forward(torch.rand(2, 3), torch.rand(2, 3)) },
  { name: 'BCEWithLogitsLoss', args: [options({ weight: optTensor(() => torch.ones(5)), posWeight: optTensor(() => torch.ones(5)), reduction: REDUCTION })], call: (o) => new nn.BCEWithLogitsLoss(o).forward(x23(), torch.rand(2, 3)) },
  { name: 'KLDivLoss', args: [options({ reduction: oneOf(['mean', 'sum', 'none', 'batchmean'], true), logTarget: bool(false, true) })], call: (o) => new nn.KLDivLoss(o).forward(x23(), x23()) },
  { name: 'Sequential', args: [slot(() => new nn.ReLU(), omit(junk, undefined, null).filter((v) => !(v instanceof Map))), slot(() => new nn.Tanh(), fc.constantFrom('a', 1, {}, x23(), () => 1))], call: (a, b) => new nn.Sequential(a, b) },
];

const lin = (): InstanceType<typeof nn.Linear> => new nn.Linear(3, 4);
const forwards: Entry[] = [
  { name: 'Linear.forward', args: [tensorWith(x23, () => torch.randn(2, 4), () => torch.randn(2, 3).double(), () => idx([1, 2, 3]), () => torch.tensor(1.5))], call: (x) => lin().forward(x) },
  { name: 'Embedding.forward', args: [tensorWith(() => idx([0, 9]), () => torch.tensor([0.5]), () => idx([10]), () => idx([-1]), () => torch.tensor([true]))], call: (i) => new nn.Embedding(10, 3).forward(i) },
  { name: 'LayerNorm.forward', args: [tensorWith(() => torch.randn(2, 4), x23, () => torch.randn(4, 2))], call: (x) => new nn.LayerNorm([4]).forward(x) },
  { name: 'Conv1d.forward', args: [tensorWith(() => torch.randn(1, 2, 8), () => torch.randn(1, 3, 8), () => torch.randn(2, 8, 1, 1), () => torch.randn(1, 2, 2))], call: (x) => new nn.Conv1d(2, 4, 3).forward(x) },
  { name: 'LSTM.forward', args: [tensorWith(() => torch.randn(5, 2, 3), () => torch.randn(5, 2, 4), () => torch.randn(5, 2, 3, 1), () => torch.randn(3), () => torch.randn(5, 2, 3).double(), () => idx([1, 2, 3]).view(1, 1, 3)), slot(() => undefined, fc.oneof(fc.constantFrom('a', 1, {}, [x23()], [torch.zeros(1, 2, 4)], [torch.zeros(1, 2, 4), torch.zeros(1, 3, 4)], [torch.zeros(2, 2, 4), torch.zeros(2, 2, 4)], [torch.zeros(1, 2, 4), 'c'], torch.zeros(1, 2, 4))))], call: (x, hx) => new nn.LSTM(3, 4).forward(x, hx) },
  { name: 'GRU.forward', args: [tensorWith(() => torch.randn(5, 2, 3), () => torch.randn(5, 2, 4)), slot(() => undefined, fc.constantFrom('a', 1, [torch.zeros(1, 2, 4)], torch.zeros(1, 3, 4), torch.zeros(2, 4, 4)))], call: (x, hx) => new nn.GRU(3, 4).forward(x, hx) },
  { name: 'LSTMCell.forward', args: [tensorWith(() => torch.randn(2, 3), () => torch.randn(2, 4), () => torch.randn(1, 2, 3)), slot(() => undefined, fc.constantFrom('a', 1, [torch.zeros(2, 4)], [torch.zeros(2, 4), torch.zeros(3, 4)], [torch.zeros(2, 5), torch.zeros(2, 4)], torch.zeros(2, 4)))], call: (x, hx) => new nn.LSTMCell(3, 4).forward(x, hx) },
  { name: 'GRUCell.forward', args: [tensorWith(() => torch.randn(2, 3), () => torch.randn(2, 4)), slot(() => undefined, fc.constantFrom('a', 1, [torch.zeros(2, 4)], torch.zeros(3, 4)))], call: (x, hx) => new nn.GRUCell(3, 4).forward(x, hx) },
  { name: 'Module.train', args: [bool(true, true)], call: (b) => lin().train(b) },
  { name: 'Module.to', args: [slot(() => 'float64', fc.oneof(notString, fc.constantFrom('cuda', 'half', 'Float')))], call: (d) => lin().to(d) },
  { name: 'Module.apply', args: [slot(() => () => undefined, omit(junk, undefined).filter((v) => typeof v !== 'function'))], call: (f) => lin().apply(f) },
  { name: 'Module.zeroGrad', args: [options({ setToNone: bool(true, true) })], call: (o) => lin().zeroGrad(o) },
  { name: 'Module.loadStateDict', args: [slot(() => lin().stateDict(), fc.oneof(junk, fc.constantFrom({ weight: 'a' }, { weight: torch.randn(4, 3) }, { weight: torch.randn(3, 3), bias: torch.randn(4) }))), options({ strict: bool(true, true) })], call: (sd, o) => lin().loadStateDict(sd, o) },
  { name: 'Module.stateDict', args: [options({ prefix: slot(() => '', fc.constantFrom(1, {}, null)), keepVars: bool(false, true), destination: slot(() => undefined, fc.constantFrom('a', 1)) })], call: (o) => lin().stateDict(o) },
  { name: 'Module.parameters', args: [options({ recurse: bool(true, true) })], call: (o) => lin().parameters(o) },
  { name: 'Module.registerBuffer', args: [slot(() => 'b', fc.constantFrom(1, undefined, null, '', 'a.b', {})), slot(() => x23(), fc.constantFrom('a', 1, {}, [1]))], call: (n, t) => lin().registerBuffer(n, t) },
];

const functional: Entry[] = [
  { name: 'F.linear', args: [tensorWith(x23, () => torch.randn(2, 5)), tensorWith(() => torch.randn(4, 3), () => torch.randn(4, 5), () => torch.randn(4, 3).double()), slot(() => null, fc.oneof(omit(notTensor, undefined, null), fc.constantFrom(torch.randn(5))))], call: (x, w, b) => F.linear(x, w, b) },
  { name: 'F.dropout', args: [tensorArg(x23), noEmpty(numIn(0.5, 0, 1, true)), bool(true, true), bool(false, true)], call: (x, p, t, i) => F.dropout(x, p, t, i) },
  { name: 'F.softmax', args: [tensorArg(x23), noEmpty(dim(2, 1, true))], call: (x, d) => F.softmax(x, d) },
  { name: 'F.logSoftmax', args: [tensorArg(x23), noEmpty(dim(2, 1, true))], call: (x, d) => F.logSoftmax(x, d) },
  { name: 'F.relu', args: [tensorArg(x23), bool(false, true)], call: (x, i) => F.relu(x, i) },
  { name: 'F.leakyRelu', args: [tensorArg(x23), num(0.01, true), bool(false, true)], call: (x, s, i) => F.leakyRelu(x, s, i) },
  { name: 'F.elu', args: [tensorArg(x23), num(1, true), bool(false, true)], call: (x, a, i) => F.elu(x, a, i) },
  { name: 'F.softplus', args: [tensorArg(x23), num(1, true), num(20, true)], call: (x, b, t) => F.softplus(x, b, t) },
  { name: 'F.gelu', args: [tensorArg(x23), options({ approximate: oneOf(['none', 'tanh'], true) })], call: (x, o) => F.gelu(x, o) },
  { name: 'F.tanh', args: [tensorArg(x23)], call: (x) => F.tanh(x) },
  { name: 'F.sigmoid', args: [tensorArg(x23)], call: (x) => F.sigmoid(x) },
  { name: 'F.normalize', args: [tensorArg(x23), num(2, true), dim(2, 1, true), num(1e-12, true)], call: (x, p, d, e) => F.normalize(x, p, d, e) },
  { name: 'F.pad', args: [tensorArg(x234), slot(() => [1, 1], fc.constantFrom(undefined, 'a', [1], [1.5, 1], [NaN, 0], ['a', 'b'], [1, 1, 1], {})), oneOf(['constant', 'reflect', 'replicate', 'circular'], true), num(0, true)], call: (x, p, m, v) => F.pad(x, p, m, v) },
  { name: 'F.embedding', args: [tensorWith(() => idx([0, 2]), () => torch.tensor([0.5]), () => idx([5]), () => idx([-6])), tensorWith(() => torch.randn(5, 3), () => torch.randn(5)), options({ paddingIdx: slot(() => null, fc.oneof(omit(notInt, undefined, null), fc.integer({ min: 5, max: 1e6 }))), maxNorm: num(1, true), normType: num(2, true), scaleGradByFreq: bool(false, true), sparse: bool(false, true) })], call: (i, w, o) => F.embedding(i, w, o) },
  { name: 'F.layerNorm', args: [tensorWith(() => torch.randn(2, 4), () => torch.randn(4, 2)), slot(() => [4], fc.constantFrom(undefined, 'a', [], [-1], [2.5], NaN, [3])), slot(() => null, fc.oneof(omit(notTensor, undefined, null), fc.constantFrom(torch.randn(3)))), slot(() => null, fc.oneof(omit(notTensor, undefined, null), fc.constantFrom(torch.randn(3)))), num(1e-5, true)], call: (x, s, w, b, e) => F.layerNorm(x, s, w, b, e) },
  { name: 'F.conv1d', args: [tensorWith(() => torch.randn(1, 2, 8), () => torch.randn(1, 3, 8), () => torch.randn(3, 8)), tensorWith(() => torch.randn(4, 2, 3), () => torch.randn(4, 3, 3), () => torch.randn(4, 2, 9), () => torch.randn(4, 2)), slot(() => null, fc.oneof(omit(notTensor, undefined, null), fc.constantFrom(torch.randn(5)))), options({ stride: posInt(1), padding: slot(() => 0, fc.constantFrom('full', 'a', 1.5, -1, NaN, [1.5], {})), dilation: posInt(1), groups: posInt(1) })], call: (x, w, b, o) => F.conv1d(x, w, b, o) },
  { name: 'F.maxPool1d', args: [tensorWith(() => torch.randn(1, 2, 8), () => torch.randn(8)), posInt(2), options({ stride: slot(() => null, fc.constantFrom('a', 1.5, NaN, 0, -1, {})), padding: size(0), dilation: posInt(1), ceilMode: bool(false, true), returnIndices: bool(false, true) })], call: (x, k, o) => F.maxPool1d(x, k, o) },
  { name: 'F.avgPool1d', args: [tensorWith(() => torch.randn(1, 2, 8), () => torch.randn(8)), posInt(2), options({ stride: slot(() => null, fc.constantFrom('a', 1.5, NaN, 0, -1, {})), padding: size(0), ceilMode: bool(false, true), countIncludePad: bool(true, true) })], call: (x, k, o) => F.avgPool1d(x, k, o) },
];

const logits = (): T => torch.randn(4, 5);
const target = (): T => idx([0, 4, 2, 1]);
const losses: Entry[] = [
  ...(['mseLoss', 'l1Loss', 'smoothL1Loss', 'huberLoss'] as const).map((f) => ({
    name: `F.${f}`,
    args: [tensorArg(x23), tensorWith(x23, () => torch.randn(3, 2), () => torch.randn(5)), options(f === 'huberLoss' ? { reduction: REDUCTION, delta: numIn(1, 0, Infinity, true) } : f === 'smoothL1Loss' ? { reduction: REDUCTION, beta: numIn(1, 0, Infinity, true) } : { reduction: REDUCTION })],
    call: (a: any, b: any, o: any) => (F as any)[f](a, b, o),
  })),
  { name: 'F.crossEntropy', args: [tensorWith(logits, () => torch.randn(4)), tensorWith(target, () => idx([0, 5, 2, 1]), () => idx([0, 1]), () => idx([-1, 0, 0, 0]), () => torch.randn(4, 6)), options({ weight: optTensor(() => torch.ones(4), () => torch.ones(5).double()), ignoreIndex: slot(() => -100, omit(notInt, undefined)), reduction: REDUCTION, labelSmoothing: slot(() => 0, fc.oneof(omit(notNumber, undefined), fc.double({ min: 1, minExcluded: true, noNaN: true }))) })], call: (i, t, o) => F.crossEntropy(i, t, o) },
  { name: 'F.nllLoss', args: [tensorWith(logits, () => torch.randn(4, 5, 2, 2)), tensorWith(target, () => idx([0, 5, 2, 1]), () => idx([0, 1]), () => torch.tensor([0, 1.5, 2, 1])), options({ weight: optTensor(() => torch.ones(4)), ignoreIndex: slot(() => -100, omit(notInt, undefined)), reduction: REDUCTION })], call: (i, t, o) => F.nllLoss(i, t, o) },
  { name: 'F.binaryCrossEntropy', args: [tensorWith(() => torch.rand(2, 3), () => torch.rand(3, 2)), tensorWith(() => torch.rand(2, 3), () => torch.rand(3, 2), () => torch.rand(2, 3).double()), options({ weight: optTensor(() => torch.ones(5)), reduction: REDUCTION })], call: (i, t, o) => F.binaryCrossEntropy(i, t, o) },
  { name: 'F.binaryCrossEntropyWithLogits', args: [tensorArg(x23), tensorWith(() => torch.rand(2, 3), () => torch.rand(3, 2)), options({ weight: optTensor(() => torch.ones(5)), posWeight: optTensor(() => torch.ones(5)), reduction: REDUCTION })], call: (i, t, o) => F.binaryCrossEntropyWithLogits(i, t, o) },
  { name: 'F.klDiv', args: [tensorArg(x23), tensorWith(x23, () => torch.randn(3, 2)), options({ reduction: oneOf(['mean', 'sum', 'none', 'batchmean'], true), logTarget: bool(false, true) })], call: (i, t, o) => F.klDiv(i, t, o) },
  { name: 'CrossEntropyLoss.forward', args: [tensorWith(logits, () => torch.randn(4)), tensorWith(target, () => idx([0, 5, 2, 1]), () => idx([0, 1]))], call: (i, t) => new nn.CrossEntropyLoss().forward(i, t) },
];

const initAndUtils: Entry[] = [
  { name: 'init.uniform_', args: [tensorArg(x23), num(0, true), num(1, true)], call: (t, a, b) => nn.init.uniform_(t, a, b) },
  { name: 'init.normal_', args: [tensorArg(x23), num(0, true), numIn(1, 0, Infinity, true)], call: (t, m, s) => nn.init.normal_(t, m, s) },
  { name: 'init.constant_', args: [tensorArg(x23), num(0)], call: (t, v) => nn.init.constant_(t, v) },
  { name: 'init.xavierUniform_', args: [tensorWith(x23, () => torch.randn(3)), num(1, true)], call: (t, g) => nn.init.xavierUniform_(t, g) },
  { name: 'init.kaimingUniform_', args: [tensorWith(x23, () => torch.randn(3)), options({ a: num(0, true), mode: oneOf(['fan_in', 'fan_out'], true), nonlinearity: oneOf(['leaky_relu', 'relu', 'tanh', 'sigmoid', 'linear'], true) })], call: (t, o) => nn.init.kaimingUniform_(t, o) },
  { name: 'init.orthogonal_', args: [tensorWith(x23, () => torch.randn(3)), num(1, true)], call: (t, g) => nn.init.orthogonal_(t, g) },
  { name: 'init.calculateGain', args: [oneOf(['leaky_relu', 'tanh', 'relu', 'linear', 'sigmoid', 'selu', 'conv1d']), num(0, true)], call: (n, p) => nn.init.calculateGain(n, p) },
  {
    name: 'clipGradNorm_',
    args: [slot(() => null, fc.constantFrom('a', 1, {}, [1], [null], Symbol('s'))), num(1), slot(() => 2, fc.constantFrom('a', 'fro', null, Symbol('s'), [2], { normType: 'a' }, { foo: 1 }))],
    call: (ps, m, p) => {
      const w = torch.randn(3, { requiresGrad: true });
      w.sum().backward();
      return nn.utils.clipGradNorm_(ps ?? [w], m, p);
    },
  },
  { name: 'clipGradValue_', args: [num(1)], call: (v) => nn.utils.clipGradValue_([torch.randn(3, { requiresGrad: true })], v) },
  { name: 'packPaddedSequence', args: [tensorWith(() => torch.randn(4, 2, 3), () => torch.randn(4)), slot(() => [4, 2], fc.constantFrom(undefined, 'a', [4], [5, 2], [4, 0], [2, 4], [4.5, 2], [NaN, 2], ['4', '2'])), options({ batchFirst: bool(false, true), enforceSorted: bool(true, true) })], call: (x, l, o) => nn.utils.rnn.packPaddedSequence(x, l, o) },
  { name: 'padSequence', args: [slot(() => [torch.randn(3, 2), torch.randn(2, 2)], fc.constantFrom(undefined, 'a', [], [1, 2], [torch.randn(3, 2), 'b'], [torch.randn(3, 2), torch.randn(2, 3)])), options({ batchFirst: bool(false, true), paddingValue: num(0, true), paddingSide: oneOf(['right', 'left'], true) })], call: (s, o) => nn.utils.rnn.padSequence(s, o) },
  { name: 'packSequence', args: [slot(() => [torch.randn(3, 2), torch.randn(2, 2)], fc.constantFrom(undefined, 'a', [], [1, 2], [torch.randn(3, 2), 'b'])), options({ enforceSorted: bool(true, true) })], call: (s, o) => nn.utils.rnn.packSequence(s, o) },
  {
    name: 'padPackedSequence',
    args: [slot(() => null, fc.constantFrom('a', 1, {}, x23())), options({ batchFirst: bool(false, true), paddingValue: num(0, true), totalLength: slot(() => null, fc.oneof(omit(notInt, undefined, null), fc.integer({ min: -1e6, max: 2 }))) })],
    call: (ps, o) => nn.utils.rnn.padPackedSequence(ps ?? nn.utils.rnn.packSequence([torch.randn(3, 2), torch.randn(2, 2)]), o),
  },
];

const params = (): T[] => [torch.randn(3, { requiresGrad: true })];
const COMMON_OPT = { maximize: bool(false, true), foreach: slot(() => null, fc.constantFrom('a', 1, {})) };
const optimizers: Entry[] = [
  { name: 'SGD', args: [slot(params, fc.oneof(junk, fc.constantFrom([], [1], ['a'], [torch.randn(3, { requiresGrad: true }).mul(2)]))), options({ lr: neg(0.1), momentum: neg(0, true), dampening: num(0, true), weightDecay: neg(0, true), nesterov: bool(false, true), ...COMMON_OPT }, () => ({ lr: 0.1 }))], call: (p, o) => new optim.SGD(p, o) },
  { name: 'Adam', args: [slot(params, fc.oneof(junk, fc.constantFrom([], [1], ['a']))), options({ lr: numIn(0.1, 0, Infinity, true), betas: slot(() => [0.9, 0.999], fc.constantFrom('a', 0.9, [0.9], [0.9, 1], [-0.1, 0.9], [NaN, 0.9], ['a', 'b'], [0.9, 0.99, 0.9])), eps: numIn(1e-8, 0, Infinity, true), weightDecay: numIn(0, 0, Infinity, true), amsgrad: bool(false, true), ...COMMON_OPT })], call: (p, o) => new optim.Adam(p, o) },
  { name: 'AdamW', args: [slot(params, fc.oneof(junk, fc.constantFrom([], [1]))), options({ lr: numIn(0.1, 0, Infinity, true), betas: slot(() => [0.9, 0.999], fc.constantFrom('a', [0.9], [0.9, 1], [NaN, 0.9])), eps: numIn(1e-8, 0, Infinity, true), weightDecay: numIn(0.01, 0, Infinity, true), amsgrad: bool(false, true), ...COMMON_OPT })], call: (p, o) => new optim.AdamW(p, o) },
  { name: 'RMSprop', args: [slot(params, fc.oneof(junk, fc.constantFrom([], [1]))), options({ lr: numIn(0.01, 0, Infinity, true), alpha: numIn(0.99, 0, Infinity, true), eps: numIn(1e-8, 0, Infinity, true), weightDecay: numIn(0, 0, Infinity, true), momentum: numIn(0, 0, Infinity, true), centered: bool(false, true), ...COMMON_OPT })], call: (p, o) => new optim.RMSprop(p, o) },
  { name: 'Adagrad', args: [slot(params, fc.oneof(junk, fc.constantFrom([], [1]))), options({ lr: numIn(0.01, 0, Infinity, true), lrDecay: numIn(0, 0, Infinity, true), weightDecay: numIn(0, 0, Infinity, true), initialAccumulatorValue: numIn(0, 0, Infinity, true), eps: numIn(1e-10, 0, Infinity, true), ...COMMON_OPT })], call: (p, o) => new optim.Adagrad(p, o) },
  { name: 'StepLR', args: [slot(() => null, fc.constantFrom('a', 1, {}, [])), num(2), options({ gamma: num(0.1, true), lastEpoch: slot(() => -1, omit(notInt, undefined)), verbose: bool(false, true) })], call: (o, s, opts) => new optim.lrScheduler.StepLR(o ?? new optim.SGD(params(), { lr: 0.1 }), s, opts) },
  { name: 'ExponentialLR', args: [num(0.9), options({ lastEpoch: slot(() => -1, omit(notInt, undefined)), verbose: bool(false, true) })], call: (g, opts) => new optim.lrScheduler.ExponentialLR(new optim.SGD(params(), { lr: 0.1 }), g, opts) },
  { name: 'CosineAnnealingLR', args: [num(10), options({ etaMin: num(0, true), lastEpoch: slot(() => -1, omit(notInt, undefined)), verbose: bool(false, true) })], call: (t, opts) => new optim.lrScheduler.CosineAnnealingLR(new optim.SGD(params(), { lr: 0.1 }), t, opts) },
  { name: 'ReduceLROnPlateau', args: [options({ mode: oneOf(['min', 'max'], true), factor: slot(() => 0.1, fc.oneof(omit(notNumber, undefined), fc.double({ min: 1, noNaN: true }))), patience: num(10, true), thresholdMode: oneOf(['rel', 'abs'], true), cooldown: num(0, true), threshold: num(1e-4, true), eps: num(1e-8, true), minLr: slot(() => 0, fc.constantFrom('a', {}, [1, 2], ['a'], null, Symbol('s'))), verbose: bool(false, true) })], call: (opts) => new optim.lrScheduler.ReduceLROnPlateau(new optim.SGD(params(), { lr: 0.1 }), opts) },
  { name: 'Optimizer.zeroGrad', args: [options({ setToNone: bool(true, true) })], call: (o) => new optim.SGD(params(), { lr: 0.1 }).zeroGrad(o) },
  { name: 'setPrintOptions', args: [options({ precision: size(4), threshold: numIn(1000, 0, Infinity, true), edgeitems: size(3), linewidth: size(80), sciMode: slot(() => null, fc.constantFrom('a', 1, {})), profile: oneOf(['default', 'short', 'full'], true) })], call: (o) => torch.setPrintOptions(o) },
];

const FAMILIES: Record<string, Entry[]> = { factories, views, reductions, elementwise, indexing, inplace, autograd, modules, forwards, functional, losses, initAndUtils, optimizers };

// ------------------------------------------------------------------------------ the properties

/** One case: an entry, the slot to spoil, and the bad value for it. */
function caseArb(entries: Entry[]): fc.Arbitrary<{ e: Entry; i: number; bad: unknown }> {
  return fc.constantFrom(...entries).chain((e) =>
    fc.integer({ min: 0, max: e.args.length - 1 }).chain((i) => e.args[i]!.bad.map((bad) => ({ e, i, bad }))),
  );
}

const COLLECT = process.env.TORCHLET_FUZZ_COLLECT ? new Map<string, string>() : null;
/** TORCHLET_FUZZ_SAMPLES=1 prints one error message per (entry, slot), to review their wording. */
const SAMPLES = process.env.TORCHLET_FUZZ_SAMPLES ? new Map<string, string>() : null;

function runCase(e: Entry, i: number, bad: unknown): void {
  const args = e.args.map((s, j) => (j === i ? bad : s.valid()));
  if (process.env.TORCHLET_FUZZ_TRACE) writeSync(2, `${e.name} ${i} ${show(bad)}\n`);
  try {
    const err = expectCleanError(`${e.name}(arg ${i} = ${show(bad)})`, () => e.call(...args));
    if (SAMPLES && !SAMPLES.has(`${e.name}#${i}`)) SAMPLES.set(`${e.name}#${i}`, `${e.name}(arg ${i} = ${show(bad).slice(0, 40)}) -> ${err.name}: ${err.message}`);
  } catch (err) {
    if (!COLLECT) throw err;
    const msg = String((err as Error).message);
    const key = `${e.name}#${i} ${msg.replace(/^.*?\): /, '').slice(0, 60)}`;
    if (!COLLECT.has(key)) COLLECT.set(key, msg);
  }
}

const RUNS = Number(process.env.TORCHLET_FUZZ_RUNS ?? 1000);
/** Fixed by default so CI is reproducible; set TORCHLET_FUZZ_SEED to explore other draws. */
const SEED = Number(process.env.TORCHLET_FUZZ_SEED ?? 20240607);

describe('bad arguments get a clean, specific error', () => {
  // Every entry point must accept its valid arguments: otherwise the bad-argument runs test nothing.
  for (const [family, entries] of Object.entries(FAMILIES)) {
    it(`${family}: valid arguments work`, () => {
      for (const e of entries) {
        expect(() => e.call(...e.args.map((s) => s.valid())), e.name).not.toThrow();
      }
    });
    it(`${family}: generated bad arguments (${entries.length} entry points)`, () => {
      fc.assert(
        fc.property(caseArb(entries), ({ e, i, bad }) => {
          runCase(e, i, bad);
        }),
        { numRuns: RUNS * Math.max(1, Math.round(entries.length / 8)), seed: SEED, endOnFailure: true },
      );
      // Every (entry, slot) pair at least once, whatever the random draw covered.
      for (const e of entries) {
        e.args.forEach((s, i) => {
          fc.assert(fc.property(s.bad, (bad) => void runCase(e, i, bad)), { numRuns: 5, seed: SEED + 7, endOnFailure: true });
        });
      }
    });
  }

  it('unknown option names are named in a TypeError that lists the valid ones', () => {
    const cases: [string, () => unknown, string, string[]][] = [
      ['Linear', () => new nn.Linear(3, 4, { biass: false } as never), 'biass', ['bias', 'dtype']],
      ['LSTM', () => new nn.LSTM(3, 4, { batch_first: true } as never), 'batch_first', ['batchFirst']],
      ['SGD', () => new optim.SGD(params(), { lr: 0.1, momentun: 0.9 } as never), 'momentun', ['momentum']],
      ['Adam', () => new optim.Adam(params(), { Lr: 0.1 } as never), 'Lr', ['lr']],
      ['zeros', () => torch.zeros(2, { dtyp: 'float64' } as never), 'dtyp', ['dtype']],
      ['crossEntropy', () => F.crossEntropy(logits(), target(), { ignore_index: 1 } as never), 'ignore_index', ['ignoreIndex']],
      ['LayerNorm', () => new nn.LayerNorm(4, { elementwise_affine: false } as never), 'elementwise_affine', ['elementwiseAffine']],
      ['sum', () => x23().sum(0, false, { dtpye: 'float64' } as never), 'dtpye', ['dtype']],
    ];
    for (const [label, fn, key, valid] of cases) {
      const err = expectCleanError(label, fn);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toContain(`'${key}'`);
      for (const v of valid) expect(err.message).toContain(v);
    }
    expect(() => new nn.Linear(3, 4, { biass: false } as never)).toThrow(
      "Linear(): unexpected option 'biass' (did you mean 'bias'?); valid options are: bias, dtype",
    );
  });

  it('generated unknown option names are always reported by name', () => {
    const withOptions: [string, (o: object) => unknown][] = [
      ['Linear', (o) => new nn.Linear(3, 4, o)],
      ['LSTM', (o) => new nn.LSTM(3, 4, o)],
      ['LSTMCell', (o) => new nn.LSTMCell(3, 4, o)],
      ['Embedding', (o) => new nn.Embedding(5, 3, o)],
      ['Conv1d', (o) => new nn.Conv1d(2, 4, 3, o)],
      ['CrossEntropyLoss', (o) => new nn.CrossEntropyLoss(o)],
      ['crossEntropy', (o) => F.crossEntropy(logits(), target(), o)],
      ['mseLoss', (o) => F.mseLoss(x23(), x23(), o)],
      ['SGD', (o) => new optim.SGD(params(), { lr: 0.1, ...o })],
      ['Adam', (o) => new optim.Adam(params(), o)],
      ['zeros', (o) => torch.zeros([2], o)],
      ['randn', (o) => torch.randn([2], o)],
      ['tensor', (o) => torch.tensor([1], o)],
      ['softmax', (o) => x23().softmax(1, o)],
      ['packPaddedSequence', (o) => nn.utils.rnn.packPaddedSequence(torch.randn(4, 2, 3), [4, 2], o)],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...withOptions),
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && !['__proto__', 'constructor'].includes(k)),
        ([label, fn], key) => {
          try {
            fn({});
          } catch (e) {
            throw new Error(`${label}: valid call failed: ${String(e)}`, { cause: e });
          }
          let err: Error;
          try {
            err = expectCleanError(`${label}({${key}})`, () => fn({ [key]: 1 }));
          } catch (e) {
            // the key may be a valid option: then a valid value (1) may be accepted, or rejected by value
            if (/accepted the bad argument/.test(String(e))) return;
            throw e;
          }
          if (err.message.includes('unexpected option')) expect(err.message).toContain(`'${key}'`);
        },
      ),
      { numRuns: RUNS, seed: SEED + 11 },
    );
  });
});

afterAll(() => {
  if (COLLECT) console.log([...COLLECT.values()].sort().join('\n'));
  if (SAMPLES) console.log([...SAMPLES.values()].sort().join('\n'));
  console.log(`[validation] generated bad-argument cases run: ${total}`);
});
