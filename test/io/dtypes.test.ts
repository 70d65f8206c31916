// Checkpoints keep every dtype: float16/bfloat16 (bit patterns, NaN payloads included), int16,
// int8 and uint8 load as themselves from .pt and safetensors files written by PyTorch 1.13
// (tools/fixtures/gen_dtypes.py) and save back byte for byte.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { load, readCheckpoint, save } from '../../src/io/index.js';
import { RawTensor } from '../../src/io/dtypes.js';
import * as st from '../../src/io/safetensors.js';
import { decode, loadFixture } from '../helpers/fixtures.js';
import { fixtureBytes } from './helpers.js';

type Enc = { dtype: torch.DType; shape: number[]; data: unknown[]; bits?: number[] };
const want = loadFixture('dtypes').checkpoints as Record<string, Enc>;

/** The stored elements of a tensor, row-major: bit patterns for float16/bfloat16. */
function stored(t: torch.Tensor): number[] {
  const c = t.contiguous();
  return Array.from(c.storage.data.subarray(c.offset, c.offset + c.numel()), Number);
}

/** Asserts each tensor has PyTorch's dtype, shape and exact stored elements. */
function expectTensors(got: Record<string, torch.Tensor>, what: string): void {
  expect(Object.keys(got).sort(), what).toEqual(Object.keys(want).sort());
  for (const [k, e] of Object.entries(want)) {
    const t = got[k]!;
    expect(t.dtype, `${what} ${k}`).toBe(e.dtype);
    expect(t.shape, `${what} ${k}`).toEqual(e.shape);
    if (e.bits) expect(stored(t), `${what} ${k} bits`).toEqual(e.bits);
    else expect(Array.from(t.dataSync(), Number), `${what} ${k}`).toEqual(decode(e.data));
  }
}

/** The raw bytes of each tensor of a checkpoint, by key (its view's elements, row-major). */
function rawBytes(bytes: Uint8Array): Record<string, number[]> {
  const v = readCheckpoint(bytes).value as Record<string, RawTensor>;
  return Object.fromEntries(Object.entries(v).map(([k, t]) => [k, Array.from(t.contiguousBytes())]));
}

describe('checkpoints keep their dtypes', () => {
  it('loads a .pt file with every dtype as itself, bit for bit', () => {
    expectTensors(load(fixtureBytes('dtypes_edge.pt')), 'load');
    expectTensors(load(fixtureBytes('dtypes_edge.pt'), { copy: true }), 'load (copy)');
  });

  it('saves a loaded .pt back with the same elements, byte for byte, views kept as views', () => {
    const file = fixtureBytes('dtypes_edge.pt');
    const loaded = load(file);
    const again = save(loaded);
    expect(rawBytes(again)).toEqual(rawBytes(file));
    expectTensors(load(again), 'reloaded');
    expect(load(again).bf16_t.isContiguous()).toBe(false);
  });

  it('loads a safetensors file with every dtype as itself and saves it back byte for byte', () => {
    const file = fixtureBytes('dtypes_edge.safetensors');
    const loaded = st.load(file);
    // the file holds bf16_t contiguous (safetensors has no strides)
    expect(loaded.bf16_t!.dtype).toBe('bfloat16');
    for (const [k, e] of Object.entries(want)) {
      if (k === 'bf16_t') continue;
      expect(loaded[k]!.dtype, k).toBe(e.dtype);
      if (e.bits) expect(stored(loaded[k]!), k).toEqual(e.bits);
    }
    const bytesOf = (b: Uint8Array): Record<string, number[]> => Object.fromEntries(st.parse(b).tensors.map((t) => [t.name, Array.from(t.bytes)]));
    expect(bytesOf(st.save(loaded))).toEqual(bytesOf(file));
  });

  it('converts between the formats without touching the elements (.pt -> safetensors -> .pt)', () => {
    const loaded = load(fixtureBytes('dtypes_edge.pt'));
    const viaSt = st.load(st.save(loaded));
    expectTensors(viaSt, 'via safetensors');
    expect(rawBytes(save(viaSt))).toEqual(rawBytes(fixtureBytes('dtypes_edge.pt')));
  });

  it('saves a module cast with half() and loads it as float16', () => {
    torch.manualSeed(0);
    const lin = new torch.nn.Linear(3, 2);
    const w = lin.weight.detach().clone();
    lin.half();
    const sd = load(save(lin.stateDict()));
    expect(sd.weight.dtype).toBe('float16');
    expect(sd.weight.tolist()).toEqual(w.half().tolist());
    const back = new torch.nn.Linear(3, 2).half();
    back.loadStateDict(sd);
    expect(stored(back.weight)).toEqual(stored(lin.weight));
  });
});
