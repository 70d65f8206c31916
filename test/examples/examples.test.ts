// The examples in examples/ run end to end: each exports main(opts); here each runs with a tiny
// configuration (seconds), must finish, and its training loss must go down. The full-size runs and
// their numbers are in the examples' own comments and the README.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main as charLm } from '../../examples/char-lm.js';
import { main as loadPytorchCheckpoint } from '../../examples/load-pytorch-checkpoint.js';
import { main as sequenceClassification } from '../../examples/sequence-classification.js';
import { main as timeSeriesForecast } from '../../examples/time-series-forecast.js';

const quiet = (): void => {};

function expectDecreased(losses: number[]): void {
  expect(losses.length).toBeGreaterThan(1);
  for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
}

describe('examples', () => {
  it('load-pytorch-checkpoint: a PyTorch-trained LSTM gives PyTorch\'s outputs', () => {
    const lines: string[] = [];
    expect(loadPytorchCheckpoint((l) => lines.push(l))).toBeLessThan(1e-5);
    expect(lines.some((l) => l.includes('missing 0, unexpected 0'))).toBe(true);
  });

  it('sequence-classification: packed LSTM classifier trains', () => {
    const lines: string[] = [];
    const r = sequenceClassification({ numSequences: 400, epochs: 3, hiddenSize: 16, log: (l) => lines.push(l) });
    expectDecreased(r.losses);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(r.chance).toBeGreaterThanOrEqual(0.5);
    expect(lines.filter((l) => l.startsWith('epoch ')).length).toBe(3);
  });

  it('time-series-forecast: LSTM forecaster trains and reports both RMSEs', () => {
    const r = timeSeriesForecast({ epochs: 10, hiddenSize: 8, log: quiet });
    expectDecreased(r.losses);
    expect(Number.isFinite(r.testRmse)).toBe(true);
    expect(r.baselineRmse).toBeGreaterThan(0);
  });

  it('char-lm: truncated-BPTT language model trains and samples', () => {
    const r = charLm({ maxChars: 1500, epochs: 3, hiddenSize: 32, sampleLength: 20, log: quiet });
    expectDecreased(r.losses);
    expect(r.samples.length).toBe(2);
    const text = readFileSync(new URL('../../examples/data/sonnets.txt', import.meta.url), 'utf8').slice(0, 1500);
    for (const s of r.samples) {
      expect(s.length).toBeGreaterThan(20); // prompt + 20 sampled characters
      for (const c of s) expect(text.includes(c)).toBe(true);
    }
  });
});
