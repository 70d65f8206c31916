/**
 * Test helpers for checkpoint files: paths of the fixture files and a comparison of a loaded
 * value with the JSON encoding that tools/fixtures/gen_io.py (`encode`) writes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as torch from '../../src/index.js';
import { Storage } from '../../src/tensor/tensor.js';

/** Absolute path of test/fixtures/io/<name>. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/io/${name}`, import.meta.url));
}

/** The bytes of test/fixtures/io/<name>. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

const num = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));

/** Decodes an encoded dict key or scalar to the JS value torch.load gives. */
function decodeKey(k: any): unknown {
  if (k !== null && typeof k === 'object') {
    if ('__tuple__' in k) return k.__tuple__.map(decodeKey);
    if ('__int__' in k) return BigInt(k.__int__);
    if ('__float__' in k) return num(k.__float__);
  }
  return k;
}

const isIndexKey = (k: string): boolean => /^(0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/**
 * Asserts that `actual` (a torch.load result) matches `expected` (gen_io.py's encoding).
 * `storages` maps the fixture's storage labels to torchlet storages across one value, so tensors
 * that shared a storage in PyTorch must share one here, and others must not.
 */
export function expectValue(actual: unknown, expected: any, path = '$', storages = new Map<number, Storage>()): void {
  if (expected === null) {
    expect(actual, path).toBeNull();
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    const a = actual as unknown[];
    expect(a.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectValue(a[i], e, `${path}[${i}]`, storages));
    return;
  }
  if (typeof expected !== 'object') {
    expect(actual, path).toBe(expected);
    return;
  }
  if ('__tensor__' in expected) {
    const e = expected.__tensor__;
    expect(actual, `${path} is a Tensor`).toBeInstanceOf(torch.Tensor);
    const t = actual as torch.Tensor;
    expect(t.dtype, `${path}.dtype`).toBe(e.dtype); // every file dtype loads as itself
    expect(t.shape, `${path}.shape`).toEqual(e.shape);
    expect(t.stride(), `${path}.stride`).toEqual(e.stride);
    expect(t.storageOffset(), `${path}.offset`).toBe(e.offset);
    expect(t.storage.data.length, `${path} storage numel`).toBe(e.storageNumel);
    expect(t instanceof torch.nn.Parameter, `${path} is a Parameter`).toBe(e.parameter);
    expect(t.requiresGrad, `${path}.requiresGrad`).toBe(e.requiresGrad);
    if (e.storageNumel > 0) {
      const seen = storages.get(e.storage);
      if (seen) expect(t.storage === seen, `${path} shares storage ${e.storage}`).toBe(true);
      else {
        for (const [label, s] of storages) expect(s === t.storage, `${path} must not share storage ${label}`).toBe(false);
        storages.set(e.storage, t.storage);
      }
    }
    const data = Array.from(t.dataSync());
    expect(data.length, `${path} numel`).toBe(e.data.length);
    e.data.forEach((v: unknown, i: number) => {
      const want = typeof v === 'object' && v !== null ? Number(BigInt((v as any).__int__)) : num(v);
      if (!Object.is(data[i], want)) expect.fail(`${path}[${i}]: got ${data[i]}, expected ${String(want)}`);
    });
    return;
  }
  if ('__dict__' in expected) {
    const pairs: [any, any][] = expected.__dict__;
    const plain = pairs.every(([k]) => typeof k === 'string' && !isIndexKey(k));
    if (plain) {
      expect(actual instanceof Map, `${path} is a plain object`).toBe(false);
      const o = actual as Record<string, unknown>;
      expect(Object.keys(o), `${path} keys`).toEqual(pairs.map(([k]) => k));
      for (const [k, v] of pairs) expectValue(o[k], v, `${path}.${k}`, storages);
    } else {
      expect(actual, `${path} is a Map`).toBeInstanceOf(Map);
      const m = actual as Map<unknown, unknown>;
      const keys = [...m.keys()];
      expect(keys.length, `${path} size`).toBe(pairs.length);
      pairs.forEach(([k, v], i) => {
        const want = decodeKey(k);
        if (Array.isArray(want)) expect(keys[i], `${path} key ${i}`).toEqual(want);
        else expect(keys[i], `${path} key ${i}`).toBe(want);
        expectValue(m.get(keys[i]), v, `${path}[${JSON.stringify(k)}]`, storages);
      });
    }
    if (expected.metadata) {
      // _metadata is always plain objects (Module.loadStateDict indexes it by prefix)
      const meta: Record<string, unknown> = {};
      for (const [k, v] of expected.metadata.__dict__ as [string, any][]) {
        meta[k] = Object.fromEntries((v.__dict__ as [string, unknown][]).map(([kk, vv]) => [kk, vv]));
      }
      expect((actual as { _metadata?: unknown })._metadata, `${path}._metadata`).toEqual(meta);
    }
    return;
  }
  if ('__tuple__' in expected) {
    expectValue(actual, expected.__tuple__, path, storages);
    return;
  }
  if ('__set__' in expected) {
    expect(actual, `${path} is a Set`).toBeInstanceOf(Set);
    expect([...(actual as Set<unknown>)].sort(), path).toEqual(expected.__set__.map(decodeKey).sort());
    return;
  }
  if ('__bytes__' in expected) {
    expect(actual, `${path} is bytes`).toBeInstanceOf(Uint8Array);
    expect(Array.from(actual as Uint8Array), path).toEqual(expected.__bytes__);
    return;
  }
  if ('__float__' in expected) {
    expect(Object.is(actual, num(expected.__float__)), `${path}: got ${String(actual)}, expected ${expected.__float__}`).toBe(true);
    return;
  }
  if ('__int__' in expected) {
    expect(actual, path).toBe(BigInt(expected.__int__));
    return;
  }
  throw new Error(`unknown encoding at ${path}: ${JSON.stringify(expected).slice(0, 80)}`);
}
