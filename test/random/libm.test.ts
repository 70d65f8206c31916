import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cos64, exactSinCos, fastSinCos, log64, sin64 } from '../../src/random/libm.js';

// Fixture from tools/fixtures/gen_libm.py: doubles as the hex digits of their IEEE-754 bits.
interface Fixture {
  generatedBy: string;
  log: [string, string][];
  sincos: [string, string, string, string, string][];
  glibcMisroundedAngles: number;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/libm.json', import.meta.url), 'utf8')) as Fixture;

const view = new DataView(new ArrayBuffer(8));
function fromHex(h: string): number {
  view.setBigUint64(0, BigInt(`0x${h}`));
  return view.getFloat64(0);
}
function toHex(x: number): string {
  view.setFloat64(0, x);
  return Number.isNaN(x) ? 'nan' : view.getBigUint64(0).toString(16).padStart(16, '0');
}
/** Bits as hex, with every NaN written as 'nan' (their payloads are not specified). */
function bitsOf(h: string): string {
  return toHex(fromHex(h));
}

describe('log64 (Arm optimized-routines log, as glibc)', () => {
  it('equals glibc log bit for bit on generator inputs, both branches, subnormals and specials', () => {
    expect(fixture.generatedBy).toBe('tools/fixtures/gen_libm.py');
    expect(fixture.log.length).toBeGreaterThan(1000);
    const bad = fixture.log.filter(([x, y]) => toHex(log64(fromHex(x))) !== bitsOf(y));
    expect(bad).toEqual([]);
  });
});

describe('sin64 / cos64', () => {
  const cases = fixture.sincos.map(([x, s, c, gs, gc]) => ({ x: fromHex(x), s: bitsOf(s), c: bitsOf(c), gs: bitsOf(gs), gc: bitsOf(gc) }));

  it('are correctly rounded on generator angles, near multiples of pi/2, tiny, huge and special arguments', () => {
    expect(cases.length).toBeGreaterThan(2000);
    const bad = cases.filter(({ x, s, c }) => toHex(sin64(x)) !== s || toHex(cos64(x)) !== c).map(({ x }) => x);
    expect(bad).toEqual([]);
  });

  it("equal glibc's sin / cos wherever glibc's are correctly rounded, and differ exactly where they are not", () => {
    let differ = 0;
    for (const { x, s, c, gs, gc } of cases) {
      if (!Number.isFinite(x)) continue;
      expect(toHex(sin64(x)) === gs, `sin ${x}`).toBe(s === gs);
      expect(toHex(cos64(x)) === gc, `cos ${x}`).toBe(c === gc);
      if (s !== gs || c !== gc) differ++;
    }
    expect(differ).toBeGreaterThanOrEqual(fixture.glibcMisroundedAngles);
  });

  it('fast path and exact path each give the correctly rounded value', () => {
    let decided = 0;
    for (const { x, s, c } of cases) {
      const ax = Math.abs(x);
      if (!(ax >= 2 ** -27 && ax < Infinity)) continue;
      if (ax >= 2 ** -26) expect(toHex(exactSinCos(x, false)), `exact sin ${x}`).toBe(s);
      expect(toHex(exactSinCos(x, true)), `exact cos ${x}`).toBe(c);
      if (ax < 2 ** 20) {
        for (const [cosine, want] of [[false, s], [true, c]] as const) {
          const y = fastSinCos(x, cosine);
          if (y === y) {
            decided++;
            expect(toHex(y), `fast ${cosine ? 'cos' : 'sin'} ${x}`).toBe(want);
          }
        }
      }
    }
    expect(decided).toBeGreaterThan(cases.length);
  });
});
