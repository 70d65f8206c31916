/**
 * Non-finite and huge values through the fused recurrent layers, on every backend, against PyTorch
 * (tools/fixtures/gen_rnn_nonfinite.py): inf, -inf, NaN or 1e38 in the input or an initial state
 * of an LSTM (with and without a projection), a GRU and an Elman RNN (tanh, relu), float32 and
 * float64. Outputs and every gradient must match, with NaN where PyTorch has NaN (a saturated gate's
 * derivative is exactly 0, and 0 * inf is NaN) and the same infinities. The same values at larger
 * sizes (fused steps, threads, vector tails) are compared with the js reference in native.test.ts
 * and wasm.test.ts.
 */
import { expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { gruLayer, lstmLayer, rnnLayer } from '../../src/ops/rnn.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, fromFixture, loadFixture } from '../helpers/fixtures.js';

type T = torch.Tensor;
interface Enc { shape: number[]; dtype: torch.DType; data: unknown[] }
interface Case { where: string; index: number[]; value: string; outputs: Record<string, Enc>; grads: Record<string, Enc> }
interface Group { name: string; kind: 'lstm' | 'gru' | 'rnn'; nonlinearity: 'tanh' | 'relu'; inputs: Record<string, Enc>; w: Record<string, Enc>; cases: Case[] }

const groups = loadFixture<{ cases: Group[] }>('rnn_nonfinite').cases;
const VALUE: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN, '1e38': 1e38 };

/** The group's inputs with the case's value put in place, each a leaf requiring grad. */
function inputs(g: Group, c: Case): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(g.inputs)) {
    if (k !== c.where) {
      out[k] = fromFixture(v, true);
      continue;
    }
    const flat = fromFixture(v).dataSync().slice();
    let at = 0;
    c.index.forEach((i, d) => (at = at * v.shape[d]! + i));
    flat[at] = VALUE[c.value]!;
    out[k] = torch.tensor(Array.from(flat), { dtype: v.dtype }).reshape(v.shape).requiresGrad_();
  }
  return out;
}

function run(g: Group, inp: Record<string, T>): T[] {
  const { x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr } = inp;
  const opts = { reverse: false, batchSizes: null };
  if (g.kind === 'lstm') return lstmLayer(x!, h0!, c0!, weight_ih!, weight_hh!, bias_ih!, bias_hh!, weight_hr ?? null, opts);
  if (g.kind === 'gru') return gruLayer(x!, h0!, weight_ih!, weight_hh!, bias_ih!, bias_hh!, opts);
  return rnnLayer(x!, h0!, weight_ih!, weight_hh!, bias_ih!, bias_hh!, { ...opts, nonlinearity: g.nonlinearity });
}

describeEachBackend('recurrent layers with inf / NaN / 1e38 vs PyTorch', () => {
  for (const g of groups) {
    it(g.name, () => {
      const f64 = g.inputs.x!.dtype === 'float64';
      const [atol, rtol] = f64 ? [1e-10, 1e-8] : [2e-5, 1e-4];
      const failures: string[] = []; // every case runs; all mismatches are reported together
      const check = (got: T, want: Enc, what: string): void => {
        try {
          expectClose(got, fromFixture(want), atol, rtol);
        } catch (e) {
          failures.push(`${what}: ${(e as Error).message.split('\n')[0]}`);
        }
      };
      for (const c of g.cases) {
        const label = `${c.value} in ${c.where}`;
        const inp = inputs(g, c);
        const outs = run(g, inp);
        let loss: T | null = null;
        (['y', 'hN', 'cN'] as const).slice(0, outs.length).forEach((name, i) => {
          const o = outs[i]!;
          check(o, c.outputs[name]!, `${label}, ${name}`);
          const term = o.mul(fromFixture(g.w[name]!)).sum();
          loss = loss ? loss.add(term) : term;
        });
        (loss as unknown as T).backward();
        for (const [k, want] of Object.entries(c.grads)) {
          expect(inp[k]!.grad, `${label}: grad of ${k}`).not.toBeNull();
          check(inp[k]!.grad!, want, `${label}, grad of ${k}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
