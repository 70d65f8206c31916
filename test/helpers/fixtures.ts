/**
 * Test helpers: load PyTorch-generated fixtures and compare tensors.
 * Fixture JSON encodes non-finite floats as the strings "nan", "inf", "-inf".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as torch from '../../src/index.js';

/** Reads test/fixtures/<name>.json. */
export function loadFixture<T = any>(name: string): T {
  const p = fileURLToPath(new URL(`../fixtures/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

/** Decodes "nan"/"inf"/"-inf" strings inside nested arrays. */
export function decode(v: unknown): any {
  if (Array.isArray(v)) return v.map(decode);
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

/** A fixture tensor `{shape, dtype, data}` (data flat, row-major) as a torchlet tensor. */
export function fromFixture(t: { shape: number[]; dtype: torch.DType; data: unknown[] }, requiresGrad = false): torch.Tensor {
  const flat = (decode(t.data) as number[]).flat(Infinity as 1) as number[];
  const x = torch.tensor(flat, { dtype: t.dtype }).reshape(t.shape);
  return requiresGrad ? x.detach().requiresGrad_() : x;
}

/** Asserts `actual` has `expected`'s shape and values within atol + rtol * |expected| (NaN matches NaN). */
export function expectClose(
  actual: torch.Tensor,
  expected: { shape: number[]; data: unknown[] } | torch.Tensor,
  atol = 1e-5,
  rtol = 1e-4,
): void {
  const eShape = expected instanceof torch.Tensor ? expected.shape : expected.shape;
  expect(actual.shape).toEqual(eShape);
  const e = expected instanceof torch.Tensor ? Array.from(expected.dataSync()) : ((decode(expected.data) as number[]).flat(Infinity as 1) as number[]);
  const a = Array.from(actual.dataSync());
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      expect(x, `element ${i}`).toBeNaN();
      continue;
    }
    if (!Number.isFinite(y)) {
      expect(x, `element ${i}`).toBe(y);
      continue;
    }
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      expect.fail(`element ${i}: got ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Asserts `fn` throws PyTorch's error: the same Python exception name and message. */
export function expectError(fn: () => unknown, err: { type: string; message: string }): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${err.type}: ${err.message}`).toBeInstanceOf(Error);
  expect((caught as Error).message).toBe(err.message);
  expect((caught as Error).name).toBe(err.type);
}
