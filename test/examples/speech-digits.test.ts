// examples/speech-digits.ts runs end to end at a reduced size (800 utterances, 3 epochs of batches
// of 16 at a higher learning rate, which leaves CTC's all-blank plateau sooner) and learns: the
// training loss falls and the held-out digit error rate ends far below 1. The full run and its
// numbers are in the example's header and the README.
import { describe, expect, it } from 'vitest';
import { editDistance, greedyDecode, main } from '../../examples/speech-digits.js';
import * as torch from '../../src/index.js';

describe('speech-digits example', () => {
  it('greedy decoding merges repeats and drops blanks; edit distance counts edits', () => {
    // frames: blank, 3, 3, blank, 3, 1, 1 (classes; digit = class - 1) for one utterance
    const best = [0, 3, 3, 0, 3, 1, 1];
    const logProbs = torch.tensor(best.map((c) => [[0, 1, 2, 3].map((k) => (k === c ? 0 : -10))])); // [T, 1, 4]
    expect(greedyDecode(logProbs)).toEqual([[2, 2, 0]]);
    expect(editDistance([2, 2, 0], [2, 0])).toBe(1);
    expect(editDistance([1, 2, 3], [3, 2, 1])).toBe(2);
    expect(editDistance([], [4, 5])).toBe(2);
  });

  it('trains a Conv1d + BiLSTM + CTC recogniser that decodes held-out digit strings', () => {
    const lines: string[] = [];
    const r = main({ numTrain: 800, numTest: 100, epochs: 3, batchSize: 16, lr: 0.02, log: (l) => lines.push(l) });
    expect(r.losses.length).toBe(3);
    for (const l of r.losses) expect(Number.isFinite(l)).toBe(true);
    expect(r.losses[2]!).toBeLessThan(r.losses[0]! / 2);
    expect(r.errorRates[2]!).toBeLessThan(0.2);
    expect(lines.filter((l) => l.startsWith('epoch ')).length).toBe(3);
    expect(r.examples.length).toBe(4);
    for (const e of r.examples) expect(e.reference).toMatch(/^[0-9]{3,6}$/);
  }, 300_000);
});
