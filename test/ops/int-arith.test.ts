// Integer products wrap and integer divisions with a rounding mode are exact past float32's 24 bits
// (tools/fixtures/gen_int_arith.py -> fixtures/int_arith.json).
import { describe, expect, it } from 'vitest';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';

const fx = loadFixture('int_arith').cases;

describe('integer arithmetic', () => {
  fx.forEach((c: any, i: number) => {
    it(`${i}: ${c.a.dtype} ${c.op}${c.mode ? ` ${c.mode} by ${c.b}` : ''}`, () => {
      const a = fromFixture(c.a);
      const y = c.op === 'mul' ? a.mul(fromFixture(c.b)) : a.div(c.b, { roundingMode: c.mode });
      expect(y.dtype).toBe(c.out.dtype);
      expect(Array.from(y.dataSync())).toEqual(c.out.data);
    });
  });
});
