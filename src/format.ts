/**
 * Python's `repr` of plain values, so that messages and `toString()` read as PyTorch prints them.
 * The one copy in the project: modules' `extra_repr`, optimizers, schedulers and error messages
 * all use it. Imports nothing.
 */

/** Python's `repr(float)`: shortest round-trip digits, `1e-05`, `0.1`, `1.0`, `-0.0`, `inf`, `nan`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${body}` : body;
}

/** Python's repr of a number that PyTorch keeps as given: integers print without `.0`. */
export function pyNum(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloat(x);
}

/** Python's `True` / `False`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
