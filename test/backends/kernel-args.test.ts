/**
 * The fused routines' descriptors (src/backends/kernel-args.ts): the signature letters they give,
 * the check against a compiled module's table (a struct that differs from its descriptor is a
 * load-time error naming the routine), and what a compiled call refuses (then the js kernel runs).
 */
import { describe, expect, it } from 'vitest';
import { RoutineCall, describeRoutine, routineIds } from '../../src/backends/kernel-args.js';
import { gruForwardRoutine, lstmForwardRoutine, recurrentRoutines, rnnForwardRoutine } from '../../src/backends/routines/recurrent.js';
import { adamStepRoutine } from '../../src/backends/routines/optim.js';
import type { LstmForwardArgs, RnnForwardArgs } from '../../src/backends/backend.js';

describe('routine descriptors', () => {
  it("give one letter per field, as native/routines.h reports the structs' members", () => {
    // (the compiled modules' own tables are checked when they load: test/backends/native.test.ts, wasm.test.ts)
    expect(lstmForwardRoutine.signature).toBe('iiiiibIrrrrrrrrwwww');
    expect(gruForwardRoutine.signature).toBe('iiiibIrrrrrrwww');
    expect(rnnForwardRoutine.signature).toBe('iiiibIirrrrrrwww');
    expect(adamStepRoutine.signature).toBe('iwrwwwdddddbbdd');
    expect(recurrentRoutines.map((d) => d.name)).toEqual(['lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward']);
  });

  it('a module whose struct differs from the descriptor is refused, naming the routine', () => {
    const table = `lstmForward:${lstmForwardRoutine.signature};adamStep:iwrwwwdddddbdd;`;
    expect(routineIds(table, [lstmForwardRoutine], 'npm run build:x').get('lstmForward')).toBe(0);
    expect(() => routineIds(table, [lstmForwardRoutine, adamStepRoutine], 'npm run build:x')).toThrow(
      "its routine adamStep has fields 'iwrwwwdddddbdd', the descriptor 'iwrwwwdddddbbdd' (rebuild with npm run build:x)",
    );
    expect(() => routineIds('', [gruForwardRoutine], 'npm run build:x')).toThrow("its routine gruForward has fields '(none)'");
  });

  it('a length must name the sizes', () => {
    expect(() =>
      describeRoutine<{ x: Float32Array }>()({
        name: 'bad',
        sizes: ['n'],
        fields: [['x', 'in', 'm' as 'n']],
        measure: () => true,
        float64: false,
      }),
    ).toThrow("bad: no size 'm'");
  });
});

describe('RoutineCall.prepare', () => {
  const H = 3;
  const I = 2;
  const lstm = (C: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): LstmForwardArgs => ({
    T: 2, B: 1, I, H, P: 0, reverse: true, batchSizes: null,
    x: new C(2 * I), h0: new C(H), c0: new C(H), wIh: new C(4 * H * I), wHh: new C(4 * H * H),
    bIh: null, bHh: new C(4 * H), y: new C(2 * H), hN: new C(H), cN: new C(H), ws: null,
  });

  it('reads numbers in field order and arrays as arguments', () => {
    const call = new RoutineCall(lstmForwardRoutine);
    const a = lstm();
    expect(call.prepare(a)).toBe(0);
    expect(Array.from(call.nums.subarray(0, 6))).toEqual([2, 1, I, H, 0, 1]);
    expect(call.args[3 + 7]).toBe(a.x);
    expect(call.args[3 + 12]).toBeNull(); // bIh absent
    expect(call.args[3 + 13]).toBe(a.bHh);
    call.release();
    expect(call.args.slice(3).every((v) => v === null)).toBe(true);
    expect(call.prepare(lstm(Float64Array))).toBe(1);
  });

  it('refuses what the compiled kernels do not take', () => {
    const call = new RoutineCall(lstmForwardRoutine);
    expect(call.prepare({ ...lstm(), wHh: new Float32Array(4 * H * H - 1) })).toBe(-1); // too short
    expect(call.prepare({ ...lstm(), h0: new Float64Array(H) })).toBe(-1); // mixed element types
    expect(call.prepare({ ...lstm(), y: null as unknown as Float32Array })).toBe(-1); // a required array missing
    expect(call.prepare({ ...lstm(), P: 2 })).toBe(-1); // a projection without W_hr
    expect(call.prepare({ ...lstm(), T: 2 ** 31 })).toBe(-1); // not a 32-bit count
    expect(call.prepare({ ...lstm(), batchSizes: new Int32Array([1, 2]) })).toBe(-1); // batch size above B
    const rnn = new RoutineCall(rnnForwardRoutine);
    const r: RnnForwardArgs = { ...lstm(), nonlinearity: 'relu', x: new Float32Array(2 * I), wIh: new Float32Array(H * I), wHh: new Float32Array(H * H) };
    expect(rnn.prepare(r)).toBe(0);
    expect(rnn.nums[6]).toBe(1); // 'relu'
    expect(rnn.prepare({ ...r, nonlinearity: 'gelu' as 'relu' })).toBe(-1);
    const adam = new RoutineCall(adamStepRoutine);
    const f64 = new Float64Array(4);
    expect(adam.prepare({
      param: f64, grad: f64, expAvg: f64, expAvgSq: f64, maxExpAvgSq: null, lr: 1, beta1: 0.9, beta2: 0.9, eps: 1,
      weightDecay: 0, decoupledWeightDecay: false, maximize: false, stepSize: 1, biasCorrection2Sqrt: 1,
    })).toBe(-1); // float32 only
  });
});
