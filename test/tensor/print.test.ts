import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DType } from '../../src/tensor/dtype.js';
import { formatTensor, printOptions, setPrintOptions, type PrintOptions } from '../../src/tensor/print.js';

interface PrintCase {
  name: string;
  dtype: DType;
  shape: number[];
  values: (number | 'nan' | 'inf' | '-inf')[];
  requiresGrad?: boolean;
  gradFn?: string;
  options?: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' };
  expected: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/print.json', import.meta.url), 'utf8'),
) as { generatedBy: string; torch: string; cases: PrintCase[] };

function decode(v: PrintCase['values'][number]): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

describe(`formatTensor matches torch ${fixture.torch} str(tensor)`, () => {
  afterEach(() => setPrintOptions({ profile: 'default' }));

  it('has the fixture cases', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      if (c.options) setPrintOptions(c.options);
      const values = c.values.map(decode);
      const got = formatTensor(values, c.shape, c.dtype, { requiresGrad: c.requiresGrad, gradFn: c.gradFn });
      expect(got).toBe(c.expected);
    });
  }
});

describe('print options', () => {
  afterEach(() => setPrintOptions({ profile: 'default' }));

  it('defaults match PyTorch', () => {
    expect(printOptions).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  it('setPrintOptions resets sciMode when omitted, like torch.set_printoptions', () => {
    setPrintOptions({ sciMode: true });
    expect(printOptions.sciMode).toBe(true);
    setPrintOptions({ precision: 2 });
    expect(printOptions.sciMode).toBeNull();
    expect(printOptions.precision).toBe(2);
  });

  it('profile full disables summarisation', () => {
    setPrintOptions({ profile: 'full' });
    expect(printOptions.threshold).toBe(Infinity);
  });

  it('float32 values are rounded to float32 before printing', () => {
    expect(formatTensor([0.1], [1], 'float32')).toBe('tensor([0.1000])');
    setPrintOptions({ precision: 10 });
    expect(formatTensor([0.1], [1], 'float32')).toBe('tensor([0.1000000015])');
    expect(formatTensor([0.1], [1], 'float64')).toBe('tensor([0.1000000000], dtype=torch.float64)');
  });

  it('rejects a value count that does not match the shape', () => {
    expect(() => formatTensor([1, 2, 3], [2, 2], 'float32')).toThrow();
  });
});
