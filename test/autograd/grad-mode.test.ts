// torch.noGrad / enableGrad as callbacks and as disposable scopes (`using _ = torch.noGrad();`), the
// TypeScript counterpart of PyTorch's `with torch.no_grad():` blocks.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

describe('grad-mode scopes', () => {
  it('using noGrad() turns recording off until the block ends', () => {
    const w = torch.ones(2, { requiresGrad: true });
    {
      using _scope = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      expect(w.mul(2).requiresGrad).toBe(false);
    }
    expect(torch.isGradEnabled()).toBe(true);
    expect(w.mul(2).requiresGrad).toBe(true);
  });

  it('restores the mode when the block throws', () => {
    expect(() => {
      using _scope = torch.noGrad();
      throw new Error('boom');
    }).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('nests with enableGrad() and with the callback forms', () => {
    const w = torch.ones(2, { requiresGrad: true });
    {
      using _off = torch.noGrad();
      {
        using _on = torch.enableGrad();
        expect(w.mul(2).requiresGrad).toBe(true);
      }
      expect(torch.isGradEnabled()).toBe(false);
      expect(torch.enableGrad(() => torch.isGradEnabled())).toBe(true);
      expect(torch.isGradEnabled()).toBe(false);
    }
    expect(torch.noGrad(() => torch.isGradEnabled())).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('can be disposed by hand, once', () => {
    const scope = torch.noGrad();
    expect(scope).toBeInstanceOf(torch.GradModeScope);
    expect(torch.isGradEnabled()).toBe(false);
    scope[Symbol.dispose]();
    expect(torch.isGradEnabled()).toBe(true);
    torch.setGradEnabled(false);
    scope[Symbol.dispose](); // already restored: no effect
    expect(torch.isGradEnabled()).toBe(false);
    torch.setGradEnabled(true);
  });

  it('an explicit undefined is still an error, not a scope', () => {
    expect(() => torch.noGrad(undefined as never)).toThrow("noGrad(): expected a function to run, got undefined");
    expect(() => torch.enableGrad(undefined as never)).toThrow(TypeError);
    expect(torch.isGradEnabled()).toBe(true);
  });
});
