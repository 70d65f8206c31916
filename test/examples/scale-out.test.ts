// The scale-out path (examples/scale-out): torchlet -> PyTorch DDP -> torchlet. The fixtures come
// from tools/fixtures/gen_scale_out.py, which runs the example for real: train-start.ts wrote
// start.pt, `torchrun --nproc_per_node=2 ddp_continue.py` (gloo, two CPU processes) continued it
// and saved ddp.pt with DDP's `module.` keys, and one PyTorch process resumed both checkpoints as
// train-resume.ts does (resumed.pt, and the losses in scale_out.json).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { Forecaster } from '../../examples/scale-out/forecaster.js';
import { main as trainResume } from '../../examples/scale-out/train-resume.js';
import { main as trainStart } from '../../examples/scale-out/train-start.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

const fx = loadFixture('scale_out');
const { consumePrefixInStateDictIfPresent } = torch.nn.modules.utils;
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scale-out/${name}`, import.meta.url));
const quiet = (): void => {};

interface ConsumeCase {
  name: string;
  prefix: string;
  keys: string[];
  values: number[];
  after: string[];
  afterValues: number[];
  /** How the state dict holds `_metadata`: a non-enumerable property (torchlet's state dicts) or an entry. */
  metadataAs?: 'property' | 'entry';
  metadataBefore?: [string, { version: number }][];
  metadata?: [string, { version: number }][];
}

/** PyTorch's step losses, within float32 rounding that grows with the steps taken. */
function expectLosses(actual: number[], expected: number[], tol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    expect(Math.abs(v - e), `step ${i}: ${v} vs ${e}`).toBeLessThanOrEqual(tol * (1 + i) * Math.max(1e-2, Math.abs(e)));
  });
}

describe('nn.modules.utils.consumePrefixInStateDictIfPresent', () => {
  const cases = fx.cases as ConsumeCase[];

  it.each(cases.map((c) => [c.name, c] as const))('%s: the keys, their order and _metadata as PyTorch leaves them', (_name, c) => {
    const sd: Record<string, unknown> = {};
    c.keys.forEach((k, i) => {
      sd[k] = c.values[i];
    });
    if (c.metadataBefore) {
      const value = Object.fromEntries(c.metadataBefore);
      Object.defineProperty(sd, '_metadata', { value, enumerable: c.metadataAs === 'entry', writable: true, configurable: true });
    }
    expect(consumePrefixInStateDictIfPresent(sd, c.prefix)).toBeUndefined();
    expect(Object.keys(sd)).toEqual(c.after);
    expect(c.after.filter((k) => k !== '_metadata').map((k) => sd[k])).toEqual(c.afterValues);
    if (c.metadata) expect(Object.entries(sd._metadata as object)).toEqual(c.metadata);
  });

  it('takes a Map, as loadStateDict does', () => {
    const c = cases.find((x) => x.name === 'mixed')!;
    const sd = new Map<string, unknown>(c.keys.map((k, i) => [k, c.values[i]]));
    consumePrefixInStateDictIfPresent(sd, c.prefix);
    expect(Array.from(sd.keys())).toEqual(c.after);
    expect(Array.from(sd.values())).toEqual(c.afterValues);
  });

  it('a key that becomes __proto__ is an own entry, not the prototype', () => {
    const sd: Record<string, unknown> = { 'module.__proto__': 1 };
    consumePrefixInStateDictIfPresent(sd, 'module.');
    expect(Object.keys(sd)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
  });

  it("raises PyTorch's errors", () => {
    const { notDict, prefixNotStr } = fx.consumeErrors;
    expect(() => consumePrefixInStateDictIfPresent([] as never, 'module.')).toThrow(notDict.message);
    expect(() => consumePrefixInStateDictIfPresent([] as never, 'module.')).toThrow(expect.objectContaining({ name: notDict.type }));
    expect(() => consumePrefixInStateDictIfPresent({ a: 1 }, 1 as never)).toThrow(new TypeError(prefixNotStr.message));
  });
});

describe("a DDP checkpoint written by PyTorch (torchrun, 2 processes, gloo)", () => {
  it("loading it into the bare model fails with PyTorch's message; strict: false reports the same keys", () => {
    const ck = torch.load(fixture('ddp.pt'));
    expect(() => new Forecaster().loadStateDict(ck.model)).toThrow(fx.loadError.message);
    expect(new Forecaster().loadStateDict(ck.model, { strict: false })).toEqual(fx.strictFalse);
  });

  it("loads once the prefix is consumed: PyTorch's weights, and Adam's state restored (step a tensor)", () => {
    const ck = torch.load(fixture('ddp.pt'));
    expect(ck.epoch).toBe(fx.ddp.epoch);
    expect(ck.world_size).toBe(2);
    expect(ck.losses).toEqual(fx.ddp.losses);
    const ddpKeys = Object.keys(fx.ddp.model);
    expect(Object.keys(ck.model)).toEqual(ddpKeys);
    consumePrefixInStateDictIfPresent(ck.model, 'module.');
    const ddpCase = (fx.cases as ConsumeCase[]).find((c) => c.name === 'ddp')!;
    expect(Object.keys(ck.model)).toEqual(ddpCase.after);
    expect(Object.entries(ck.model._metadata)).toEqual(ddpCase.metadata);
    const model = new Forecaster();
    expect(model.loadStateDict(ck.model)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const sd = model.stateDict();
    for (const k of ddpKeys) expectClose(sd[k.slice('module.'.length)]!, fromFixture(fx.ddp.model[k]), 0, 0);

    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.5 });
    opt.loadStateDict(ck.optimizer);
    const group = fx.ddp.optimizer.param_groups[0];
    expect(opt.paramGroups[0]!.lr).toBe(group.lr);
    expect(opt.paramGroups[0]!.betas).toEqual(group.betas);
    expect(opt.paramGroups[0]!.eps).toBe(group.eps);
    model.parameters().forEach((p, i) => {
      const saved = fx.ddp.optimizer.state[String(i)];
      const st = opt.state.get(p)!;
      expect(st.step).toBeInstanceOf(torch.Tensor);
      expect(st.step.shape).toEqual([]);
      expect(st.step.item()).toBe(saved.step.data[0]);
      expectClose(st.exp_avg, fromFixture(saved.exp_avg), 0, 0);
      expectClose(st.exp_avg_sq, fromFixture(saved.exp_avg_sq), 0, 0);
    });
  });

  it("train-resume.ts continues it with PyTorch's losses and ends at PyTorch's weights", () => {
    const r = trainResume({ checkpoint: fixture('ddp.pt'), epochs: fx.resume.epochs, save: false, log: quiet });
    expect(r.startEpoch).toBe(fx.ddp.epoch);
    expectLosses(r.losses, fx.resume.losses);
    expect(r.optimizer.state.get(r.model.fc.weight)!.step.item()).toBe(fx.resume.step);
    const expected = torch.load(fixture('resumed.pt'));
    const sd = r.model.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(expected));
    for (const k of Object.keys(sd)) expectClose(sd[k]!, expected[k], 2e-5, 1e-4);
  });
});

describe('a training checkpoint written by torchlet (train-start.ts)', () => {
  it('is what PyTorch continued: PyTorch saw a tensor step, and resuming it in torchlet gives its losses', () => {
    expect(fx.start.stepType).toBe('Tensor');
    const ck = torch.load(fixture('start.pt'));
    expect(ck.epoch).toBe(fx.start.epoch);
    const r = trainResume({ checkpoint: fixture('start.pt'), epochs: 1, save: false, log: quiet });
    expect(r.startEpoch).toBe(fx.start.epoch);
    expectLosses(r.losses, fx.start.resumeLosses);
    expect(r.optimizer.state.get(r.model.fc.weight)!.step.item()).toBe(fx.start.step + r.losses.length);
  });

  it('train-start.ts writes { model, optimizer, epoch, loss } that train-resume.ts resumes; resumed.pt round-trips', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlet-scale-out-'));
    try {
      const lines: string[] = [];
      const s = trainStart({ epochs: 1, dir, log: (l) => lines.push(l) });
      expect(lines[0]).toMatch(/^epoch 1: loss \d/);
      const ck = torch.load(readFileSync(s.path));
      expect(Object.keys(ck)).toEqual(['model', 'optimizer', 'epoch', 'loss']);
      expect(Object.keys(ck.model)).toEqual(Object.keys(new Forecaster().stateDict()));
      expect(ck.epoch).toBe(1);
      expect(ck.loss).toBeCloseTo(s.losses.reduce((a, b) => a + b, 0) / s.losses.length, 12);
      const r = trainResume({ checkpoint: s.path, dir, epochs: 1, log: quiet });
      expect(r.startEpoch).toBe(1);
      const back = torch.load(join(dir, 'resumed.pt'));
      expect(back.epoch).toBe(2);
      const sd = r.model.stateDict();
      for (const k of Object.keys(sd)) expectClose(back.model[k], sd[k]!, 0, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
