/**
 * F.dropout2d's deprecation warnings in PyTorch 1.13 (once per process, as Python's default
 * warning filter shows them once per call site): input that is not 3-D or 4-D, and 3-D input,
 * which 1.13 takes as [N, C, L]. Its own file, so no other test has printed them first.
 */
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../../src/index.js';

const F = torch.nn.functional;

describe('F.dropout2d warnings', () => {
  it('warns once for 3-D input and once for other ranks, with PyTorch 1.13\'s text', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const x = torch.ones(2, 3, 4);
      torch.manualSeed(0);
      const y = F.dropout2d(x, 0.5);
      F.dropout2d(x, 0.5);
      F.dropout2d(torch.ones(2, 3), 0.5);
      const msgs = warn.mock.calls.map(([m]) => String(m));
      expect(msgs.filter((m) => m.startsWith('UserWarning: dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired'))).toHaveLength(1);
      expect(msgs.filter((m) => m.startsWith('UserWarning: dropout2d: Received a 2-D input to dropout2d, which is deprecated'))).toHaveLength(1);
      // 3-D input: one draw per (dim 0, dim 1) pair, broadcast along the last dim
      for (const row of y.reshape([6, 4]).tolist() as number[][]) expect(new Set(row).size).toBe(1);
    } finally {
      warn.mockRestore();
    }
  });
});
