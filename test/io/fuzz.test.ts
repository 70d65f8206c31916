/**
 * Fuzzing the loaders: thousands of seeded, deterministic mutations of real checkpoints, of their
 * pickles (re-zipped with valid CRCs so the pickle reader itself is exercised) and of a
 * safetensors file. Every input must either load or throw one of the loaders' own errors with a
 * message, never a crash, hang or internal error (RangeError, TypeError, ...).
 */
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, UnpicklingError, load } from '../../src/io/index.js';
import { inflateRawNode, inflateRawPortable } from '../../src/io/inflate.js';
import * as safetensors from '../../src/io/safetensors.js';
import { ZipReader, writeZip } from '../../src/io/zip.js';
import { fixtureBytes } from './helpers.js';

/** mulberry32: a small seeded PRNG, so every run feeds the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** One to three random edits: byte flips, truncation, insertion, deletion, 32-bit overwrites, chunk copies. */
function mutate(src: Uint8Array, r: () => number): Uint8Array {
  let b = src.slice();
  const edits = 1 + Math.floor(r() * 3);
  const at = (n: number): number => Math.floor(r() * Math.max(n, 1));
  for (let e = 0; e < edits; e++) {
    switch (Math.floor(r() * 6)) {
      case 0:
        for (let k = 1 + at(4); k > 0; k--) if (b.length) b[at(b.length)] = at(256);
        break;
      case 1:
        b = b.slice(0, at(b.length));
        break;
      case 2: {
        const p = at(b.length + 1);
        const ins = Uint8Array.from({ length: 1 + at(16) }, () => at(256));
        b = Uint8Array.from([...b.subarray(0, p), ...ins, ...b.subarray(p)]);
        break;
      }
      case 3: {
        const p = at(b.length);
        b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + 1 + at(32))]);
        break;
      }
      case 4:
        if (b.length >= 4) new DataView(b.buffer).setUint32(at(b.length - 3), INTERESTING[at(INTERESTING.length)]!, true);
        break;
      default: {
        if (b.length < 2) break;
        const from = at(b.length);
        const len = 1 + at(64);
        const chunk = b.slice(from, from + len);
        b.set(chunk.subarray(0, Math.max(0, b.length - at(b.length))), at(b.length - chunk.length + 1));
      }
    }
  }
  return b;
}

/** Runs `fn` on an input; returns the error, after checking it is one of ours with a message. */
function expectClean(fn: () => unknown, label: string): Error | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof FormatError || e instanceof UnpicklingError)) {
      throw new Error(`${label}: not a clean loader error: ${String(e)}`, { cause: e });
    }
    expect(e.message.length, label).toBeGreaterThan(10);
    // internal JS errors are wrapped as 'corrupt or unsupported file (...)': there must be none
    if (e.message.includes('corrupt or unsupported file (')) throw new Error(`${label}: internal error: ${e.message}`, { cause: e });
    return e;
  }
}

const CHECKPOINTS = ['linear.pt', 'nested.pt', 'nested_p4.pt', 'nested_p5.pt', 'views.pt', 'dtypes.pt', 'params.pt', 'adam.pt', 'deflated.pt'];

describe('fuzzing torch.load and safetensors.load (3600 seeded inputs)', () => {
  it('1000 mutated archives end in clean errors or loads', () => {
    const r = rng(1);
    const corpus = CHECKPOINTS.map(fixtureBytes);
    let errors = 0;
    for (let i = 0; i < 1000; i++) {
      const input = mutate(corpus[i % corpus.length]!, r);
      if (expectClean(() => load(input), `archive input ${i}`)) errors++;
    }
    expect(errors).toBeGreaterThan(500);
  });

  it('1500 mutated pickles, re-zipped with valid CRCs, end in clean errors or loads', () => {
    const r = rng(2);
    const corpus = CHECKPOINTS.map((name) => {
      const zip = new ZipReader(fixtureBytes(name));
      return zip.names().map((n) => ({ name: n, data: zip.read(n).slice() }));
    });
    let errors = 0;
    for (let i = 0; i < 1500; i++) {
      const files = corpus[i % corpus.length]!;
      const input = writeZip(files.map((f) => (f.name.endsWith('/data.pkl') ? { name: f.name, data: mutate(f.data, r) } : f)));
      if (expectClean(() => load(input), `pickle input ${i}`)) errors++;
    }
    expect(errors).toBeGreaterThan(500);
  });

  it('500 mutated safetensors files end in clean errors or loads', () => {
    const r = rng(3);
    const base = fixtureBytes('basic.safetensors');
    const saved = safetensors.save(safetensors.load(base));
    let errors = 0;
    for (let i = 0; i < 500; i++) {
      const input = mutate(i % 2 ? base : saved, r);
      if (expectClean(() => safetensors.load(input), `safetensors input ${i}`)) errors++;
    }
    expect(errors).toBeGreaterThan(250);
  });

  it('600 mutated deflate streams end in clean errors or the declared size, with both decoders', () => {
    const r = rng(4);
    const zip = new ZipReader(fixtureBytes('adam.pt'));
    const corpus = zip.names().map((n) => zip.read(n)).filter((d) => d.length > 16).map((d) => ({ z: zlib.deflateRawSync(d), size: d.length }));
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const { z, size } = corpus[i % corpus.length]!;
      const input = mutate(z, r);
      const declared = i % 3 === 0 ? size : Math.floor(r() * 2 * size);
      for (const inflate of [(b: Uint8Array, n: number) => inflateRawNode(zlib, b, n), inflateRawPortable]) {
        const e = expectClean(() => expect(inflate(input, declared).length).toBe(declared), `deflate input ${i}`);
        if (e) errors++;
      }
    }
    expect(errors).toBeGreaterThan(300);
  });
});
