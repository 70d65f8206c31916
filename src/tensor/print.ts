/**
 * Tensor printing: reproduces PyTorch 1.13's `str(tensor)` character for character.
 *
 * The algorithm follows `torch/_tensor_str.py`: a single formatter is built from (the summarised
 * part of) the whole tensor so every element shares one width and one notation (integer-valued,
 * fixed or scientific); the nested brackets are then laid out recursively, 1-D rows are wrapped at
 * `linewidth`, and the `dtype=` / `requires_grad=` / `grad_fn=` suffixes are appended, wrapping
 * onto a new line when they would overflow.
 *
 * Numbers are formatted exactly like Python's `format(x, '.{p}f')` and `format(x, '.{p}e')`:
 * correctly rounded from the exact binary value, ties to even. float32 elements are printed as the
 * double value of the float32 (what `tensor.tolist()` yields in Python).
 */
import { checkBool, checkInt, checkNumber, checkOneOf, checkOptions } from '../validate.js';
import { ValueError } from '../errors.js';
import { type DType, isIntegral } from './dtype.js';

/** The options `torch.set_printoptions` controls. */
export interface PrintOptions {
  /** Digits after the decimal point for floating output (PyTorch default 4). */
  precision: number;
  /** Number of elements above which the output is summarised with `...` (default 1000). */
  threshold: number;
  /** Items kept at the start and end of every summarised dimension (default 3). */
  edgeitems: number;
  /** Characters per line used for wrapping 1-D rows and suffixes (default 80). */
  linewidth: number;
  /** Force scientific (`true`) or fixed (`false`) notation; `null` lets the formatter decide. */
  sciMode: boolean | null;
}

/**
 * The live print options, shared by every call to {@link formatTensor}. Mutate them through
 * {@link setPrintOptions}; the defaults match PyTorch (precision 4, threshold 1000, edgeitems 3,
 * linewidth 80, sciMode null).
 */
export const printOptions: PrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
};

/**
 * Mirrors `torch.set_printoptions`. A `profile` (`'default'`, `'short'` or `'full'`) is applied
 * first, then any explicitly given option overrides it. As in PyTorch, `sciMode` is always
 * assigned: omitting it resets it to `null` (automatic).
 * See https://pytorch.org/docs/1.13/generated/torch.set_printoptions.html
 * @example torch.setPrintOptions({ precision: 2 }); torch.setPrintOptions({ profile: 'default' });
 */
export function setPrintOptions(
  o: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' },
): void {
  const fn = 'setPrintOptions()';
  o = checkOptions<Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' }>(fn, o, ['precision', 'threshold', 'edgeitems', 'linewidth', 'sciMode', 'profile']);
  // Validate everything before changing anything.
  if (o.profile !== undefined) checkOneOf(fn, 'profile', o.profile, ['default', 'short', 'full']);
  if (o.precision !== undefined) checkInt(fn, 'precision', o.precision, { min: 0, max: 100 });
  if (o.threshold !== undefined) checkNumber(fn, 'threshold', o.threshold, { min: 0 });
  if (o.edgeitems !== undefined) checkInt(fn, 'edgeitems', o.edgeitems, { min: 0 });
  if (o.linewidth !== undefined) checkInt(fn, 'linewidth', o.linewidth, { min: 1 });
  if (o.sciMode !== undefined && o.sciMode !== null) checkBool(fn, 'sciMode', o.sciMode);
  switch (o.profile) {
    case 'default':
      Object.assign(printOptions, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
      break;
    case 'short':
      Object.assign(printOptions, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
      break;
    case 'full':
      Object.assign(printOptions, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
      break;
    case undefined:
      break;
    default:
      throw new ValueError(`setPrintOptions: unknown profile '${String(o.profile satisfies never)}'`);
  }
  if (o.precision !== undefined) printOptions.precision = o.precision;
  if (o.threshold !== undefined) printOptions.threshold = o.threshold;
  if (o.edgeitems !== undefined) printOptions.edgeitems = o.edgeitems;
  if (o.linewidth !== undefined) printOptions.linewidth = o.linewidth;
  printOptions.sciMode = o.sciMode ?? null;
}

// ---------------------------------------------------------------------------------------------
// Exact Python-style float formatting.
// ---------------------------------------------------------------------------------------------

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** Splits a finite positive double into the exact fraction `num / den`. */
function toRational(x: number): [bigint, bigint] {
  F64[0] = x;
  const bits = U64[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const mant = biased === 0 ? frac : frac | (1n << 52n);
  const exp = biased === 0 ? -1074 : biased - 1075;
  return exp >= 0 ? [mant << BigInt(exp), 1n] : [mant, 1n << BigInt(-exp)];
}

/** `num / den` rounded to the nearest integer, ties to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

/** Python's `format(x, '.{p}f')`. */
function formatFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = signOf(x);
  const ax = Math.abs(x);
  let digits: string;
  if (ax === 0) {
    digits = '0'.repeat(p + 1);
  } else {
    const [num, den] = toRational(ax);
    digits = roundHalfEven(num * pow10(p), den).toString().padStart(p + 1, '0');
  }
  if (p === 0) return sign + digits;
  return `${sign}${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}`;
}

/** Python's `format(x, '.{p}e')`. */
function formatSci(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = signOf(x);
  const ax = Math.abs(x);
  let mantissa: string;
  let e = 0;
  if (ax === 0) {
    mantissa = '0'.repeat(p + 1);
  } else {
    const [num, den] = toRational(ax);
    e = Math.floor(Math.log10(ax));
    const lo = pow10(p);
    const hi = pow10(p + 1);
    let sn: bigint;
    let sd: bigint;
    for (;;) {
      // Scale so that a correct exponent puts the value in [10^p, 10^(p+1)).
      sn = p - e >= 0 ? num * pow10(p - e) : num;
      sd = p - e >= 0 ? den : den * pow10(e - p);
      if (sn < lo * sd) e -= 1;
      else if (sn >= hi * sd) e += 1;
      else break;
    }
    let n = roundHalfEven(sn, sd);
    if (n === hi) {
      n = lo;
      e += 1;
    }
    mantissa = n.toString();
  }
  const m = p === 0 ? mantissa : `${mantissa[0]}.${mantissa.slice(1)}`;
  const es = String(Math.abs(e)).padStart(2, '0');
  return `${sign}${m}e${e < 0 ? '-' : '+'}${es}`;
}

// ---------------------------------------------------------------------------------------------
// The element formatter (PyTorch's `_Formatter`).
// ---------------------------------------------------------------------------------------------

interface Formatter {
  readonly width: number;
  format(v: number): string;
}

function makeFormatter(sample: readonly number[], dtype: DType, opts: PrintOptions): Formatter {
  const p = opts.precision;
  const pad = (s: string, w: number): string => (s.length < w ? ' '.repeat(w - s.length) + s : s);

  if (dtype === 'bool' || isIntegral(dtype)) {
    const str = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : (v: number) => String(v);
    let width = 1;
    for (const v of sample) width = Math.max(width, str(v).length);
    return { width, format: (v) => pad(str(v), width) };
  }

  let intMode = true;
  let sciMode = false;
  let width = 1;
  const vals = sample.filter((v) => Number.isFinite(v) && v !== 0);
  if (vals.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of vals) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (intMode && v !== Math.ceil(v)) intMode = false;
    }
    if (intMode) {
      if (max / min > 1000 || max > 1e8) {
        sciMode = true;
        for (const v of vals) width = Math.max(width, formatSci(v, p).length);
      } else {
        for (const v of vals) width = Math.max(width, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      sciMode = true;
      for (const v of vals) width = Math.max(width, formatSci(v, p).length);
    } else {
      for (const v of vals) width = Math.max(width, formatFixed(v, p).length);
    }
    // PyTorch only honours a forced sci_mode when there is at least one nonzero finite value.
    if (opts.sciMode !== null) sciMode = opts.sciMode;
  }
  const w = width;
  const format = (v: number): string => {
    if (sciMode) return pad(formatSci(v, p), w);
    if (intMode) return pad(formatFixed(v, 0) + (Number.isFinite(v) ? '.' : ''), w);
    return pad(formatFixed(v, p), w);
  };
  return { width: w, format };
}

// ---------------------------------------------------------------------------------------------
// Layout.
// ---------------------------------------------------------------------------------------------

/**
 * The indices printed along a dimension of `size`: all of them, or the first and last `edge`
 * when summarising (`null` marks the `...`). Like PyTorch's `t[-0:]`, `edge = 0` keeps the whole
 * dimension after the ellipsis.
 */
function shownIndices(size: number, summarize: boolean, edge: number): (number | null)[] {
  const all = (from: number, to: number): number[] => {
    const r: number[] = [];
    for (let i = from; i < to; i++) r.push(i);
    return r;
  };
  if (!summarize || size <= 2 * edge) return all(0, size);
  return [...all(0, edge), null, ...all(edge === 0 ? 0 : size - edge, size)];
}

function tupleStr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function needsDTypeSuffix(dtype: DType): boolean {
  // float32 (the default dtype), int64 and bool are implied by the printed values.
  return dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool';
}

/**
 * Formats a tensor exactly as PyTorch 1.13's `str(t)` / `print(t)` does, honouring
 * {@link printOptions}.
 *
 * @param values the tensor's elements in row-major (contiguous) order; bool as 0/1; float16 and
 *   bfloat16 as their values (PyTorch prints them as float32). float32 elements are rounded to
 *   float32 first (a no-op for values read from a `Float32Array`).
 * @param shape the tensor's shape; `[]` is a 0-d tensor.
 * @param dtype the tensor's dtype; every dtype but float32, int64 and bool adds a `dtype=` suffix.
 * @param extra autograd state: `requiresGrad` adds `requires_grad=True` (leaves), `gradFn` (e.g.
 *   `'AddBackward0'`) adds `grad_fn=<AddBackward0>` and takes precedence.
 * @returns the string, e.g. `tensor([1., 2.], dtype=torch.float64)`.
 */
export function formatTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  extra?: { requiresGrad?: boolean; gradFn?: string },
): string {
  const opts = printOptions;
  const numel = shape.reduce((a, b) => a * b, 1);
  if (values.length !== numel) {
    throw new Error(`formatTensor: ${values.length} values for shape [${shape.join(', ')}]`);
  }
  const data: number[] = Array.from(values, dtype === 'float32' ? Math.fround : (v: number) => v);
  const strides: number[] = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }

  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;

  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=${tupleStr(shape)}`);
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (needsDTypeSuffix(dtype)) suffixes.push(`dtype=torch.${dtype}`);
    const summarize = numel > opts.threshold;
    const edge = opts.edgeitems;

    // The formatter sees only what will be printed when summarising.
    const sample: number[] = [];
    const collect = (offset: number, d: number): void => {
      if (d === shape.length) {
        sample.push(data[offset]!);
        return;
      }
      for (const i of shownIndices(shape[d]!, summarize, edge)) {
        if (i !== null) collect(offset + i * strides[d]!, d + 1);
      }
    };
    collect(0, 0);
    const fmt = makeFormatter(sample, dtype, opts);

    const render = (offset: number, d: number, ind: number): string => {
      const rest = shape.length - d;
      if (rest === 0) return fmt.format(data[offset]!);
      const idx = shownIndices(shape[d]!, summarize, edge);
      if (rest === 1) {
        const items = idx.map((i) => (i === null ? ' ...' : fmt.format(data[offset + i * strides[d]!]!)));
        const perLine = Math.max(1, Math.floor((opts.linewidth - ind) / (fmt.width + 2)));
        const lines: string[] = [];
        for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
        return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
      }
      const slices = idx.map((i) => (i === null ? '...' : render(offset + i * strides[d]!, d + 1, ind + 1)));
      return `[${slices.join(`,${'\n'.repeat(rest - 1)}${' '.repeat(ind + 1)}`)}]`;
    };
    body = render(0, 0, indent);
  }

  if (extra?.gradFn !== undefined) suffixes.push(`grad_fn=<${extra.gradFn}>`);
  else if (extra?.requiresGrad) suffixes.push('requires_grad=True');

  // PyTorch's `_add_suffixes`, including its off-by-two line-length bookkeeping.
  let out = prefix + body;
  let lastLineLen = out.length - out.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > opts.linewidth) {
      out += `,\n${' '.repeat(indent)}${suffix}`;
      lastLineLen = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLen += suffix.length + 2;
    }
  }
  return `${out})`;
}
