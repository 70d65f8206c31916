import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNode } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'torchlet-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it('trains the airline LSTM, beats the seasonal-naive baseline and writes its plots', () => {
    const r = spawnNode(['--import', 'tsx', 'demo/airline.ts', '--out-dir', dir], 300_000);
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^epoch 200\/200 {2}loss /m);
    const lstm = Number(/LSTM \(24 months ahead from 1958-12\)\s+([\d.]+)/.exec(r.out)?.[1]);
    const naive = Number(/seasonal naive: last year's actual value\s+([\d.]+)/.exec(r.out)?.[1]);
    expect(naive).toBeCloseTo(49.99, 2); // from the data alone
    expect(lstm).toBeLessThan(naive);
    expect(r.out).toContain('the LSTM beats the seasonal-naive baseline');
    for (const f of ['airline-forecast.svg', 'airline-loss.svg']) {
      expect(r.out).toContain(join(dir, f));
      expect(readFileSync(join(dir, f), 'utf8')).toContain('<polyline');
    }
  }, 300_000);
});
