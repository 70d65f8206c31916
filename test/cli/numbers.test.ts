/**
 * The CLI's numbers agree with themselves: train-text reports training and validation loss in one
 * unit; train-forecast's plotted validation curve is the early-stopping quantity, its best epoch is
 * that curve's minimum, and its baseline is the seasonal-naive forecast of the same validation
 * windows; time axes tick on year boundaries and epoch axes on integers; semicolon- and
 * tab-separated CSV files (decimal commas included) read like comma-separated ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as safetensors from '../../src/io/safetensors.js';
import { TINY_FORECAST, TINY_TEXT, cli, writeInputs } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'torchlet-cli-numbers-'));
const { csv, rows, text } = writeInputs(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The x tick labels of an SVG chart (text under the plot, centred). */
const xTickLabels = (svg: string): string[] => [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle" fill="#444">([^<]*)<\/text>/g)].map((m) => m[1]!);

/** Per-epoch numbers of plain progress lines: `epoch k/n  <a> X  <b> Y  ...`. */
function progress(out: string, a: string, b: string): { epoch: number; loss: number; val: number }[] {
  const re = new RegExp(`^epoch (\\d+)/\\d+ {2}${a} (\\S+) {2}${b} (\\S+) `, 'gm');
  return [...out.matchAll(re)].map((m) => ({ epoch: Number(m[1]), loss: Number(m[2]), val: Number(m[3]) }));
}

describe('train-forecast', () => {
  const model = join(dir, 'sales.safetensors');
  let out = '';

  it('picks the epoch of lowest validation loss, the curve it plots beside the training loss, and prints the baseline of the same windows', async () => {
    const r = await cli('train-forecast', '--csv', csv, '--column', 'sales', ...TINY_FORECAST, '--epochs', '6', '--out', model);
    expect(r.code).toBe(0);
    out = r.out;
    const epochs = progress(out, 'loss', 'val loss');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const best = epochs.reduce((a, e) => (e.val < a.val ? e : a));
    const m = /^best epoch (\d+) \(lowest validation loss (\S+)\): validation RMSE (\S+), seasonal-naive baseline \(the value 12 steps earlier\) (\S+); (.*)$/m.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(best.epoch);
    expect(Number(m![2])).toBe(best.val);
    // the baseline from the data alone: the validation windows' targets (rows 48..59: the last
    // 20% of 60), each window's 4 values forecast by the value 12 months earlier
    const values = rows.map((row) => Number(row.split(',')[1]));
    let se = 0;
    let count = 0;
    for (let s = 40; s <= 48; s++) {
      for (let h = 0; h < 4; h++) {
        se += (values[s + 8 + h - 12]! - values[s + 8 + h]!) ** 2;
        count++;
      }
    }
    expect(Number(m![4])).toBe(Number(Math.sqrt(se / count).toPrecision(4)));
    const rmse = Number(m![3]);
    expect(m![5]).toBe(rmse < Number(m![4]) ? `${((1 - rmse / Number(m![4])) * 100).toFixed(0)}% lower than the baseline` : 'the model does NOT beat the baseline');
    // the loss plot: training and validation loss (the early-stopping curve), best epoch marked, integer epoch ticks
    const loss = readFileSync(join(dir, 'sales.loss.svg'), 'utf8');
    expect(loss).toContain('>validation (early stopping)<');
    expect(loss).toContain(`>best epoch ${best.epoch} (lowest validation loss)<`);
    const ticks = xTickLabels(loss);
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(t).toMatch(/^[1-6]$/);
    // the fit plot's time axis: one tick per year, on its first month (the forecast reaches 1995-04)
    expect(xTickLabels(readFileSync(join(dir, 'sales.fit.svg'), 'utf8'))).toEqual(['1990', '1991', '1992', '1993', '1994', '1995']);
  });

  it('names the naive baseline when the labels have no season, or with --season 0', async () => {
    const r = await cli('train-forecast', '--csv', csv, '--column', 'sales', ...TINY_FORECAST, '--season', '0', '--no-plots', '--out', join(dir, 'naive.safetensors'));
    const m = /, naive baseline \(the last value\) (\S+);/.exec(r.out);
    const values = rows.map((row) => Number(row.split(',')[1]));
    let se = 0;
    for (let s = 40; s <= 48; s++) for (let h = 0; h < 4; h++) se += (values[s + 7]! - values[s + 8 + h]!) ** 2;
    expect(Number(m?.[1])).toBe(Number(Math.sqrt(se / 36).toPrecision(4)));
  });

  it('plots forecasts on a year axis', async () => {
    const plot = join(dir, 'next.svg');
    expect((await cli('forecast', '--model', model, '--csv', csv, '--steps', '14', '--plot', plot)).code).toBe(0);
    // the last 56 rows (1990-05..1994-12) and 14 forecasts (to 1996-02)
    expect(xTickLabels(readFileSync(plot, 'utf8'))).toEqual(['1991', '1992', '1993', '1994', '1995', '1996']);
  });
});

describe('train-text', () => {
  it('reports training and validation loss in bits per character, in the progress, the summary and the plot', async () => {
    const model = join(dir, 'chars.safetensors');
    const r = await cli('train-text', '--text', text, ...TINY_TEXT, '--epochs', '3', '--out', model);
    expect(r.code).toBe(0);
    const epochs = progress(r.out, 'train bits/char', 'val bits/char');
    expect(epochs).toHaveLength(3);
    const m = /best epoch (\d+): validation (\S+) bits\/char \(training (\S+)\)/.exec(r.out);
    const best = epochs[Number(m![1]) - 1]!;
    expect(best.val).toBe(Math.min(...epochs.map((e) => e.val)));
    // the same numbers, rounded to 4 significant digits in the progress and 3 decimals in the summary
    expect(Math.abs(Number(m![2]) - best.val)).toBeLessThanOrEqual(0.0006);
    expect(Math.abs(Number(m![3]) - best.loss)).toBeLessThanOrEqual(0.0006);
    expect(r.out).toContain('training and validation loss (bits/char) by epoch:');
    const svg = readFileSync(join(dir, 'chars.loss.svg'), 'utf8');
    expect(svg).toContain('bits/char');
    for (const t of xTickLabels(svg)) expect(t).toMatch(/^[1-3]$/);
  });
});

describe('CSV separators', () => {
  it('reads semicolon- and tab-separated files (with decimal commas) like comma-separated ones', async () => {
    const variants: [string, string][] = [
      ['comma.csv', readFileSync(csv, 'utf8')],
      ['semicolon.csv', `month;sales\n${rows.map((row) => row.replace(',', ';').replace('.', ',')).join('\n')}\n`],
      ['tab.tsv', `month\tsales\n${rows.map((row) => row.replace(',', '\t')).join('\n')}\n`],
    ];
    const weights: Record<string, number[]>[] = [];
    for (const [name, body] of variants) {
      const file = join(dir, name);
      writeFileSync(file, body);
      const out = join(dir, `${name}.safetensors`);
      const r = await cli('train-forecast', '--csv', file, '--column', 'sales', ...TINY_FORECAST, '--no-plots', '--quiet', '--out', out);
      expect({ name, code: r.code, err: r.err }).toEqual({ name, code: 0, err: '' });
      expect(r.out).toContain('60 values (1990-01 .. 1994-12)');
      const sd = safetensors.loadFile(out);
      weights.push(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, Array.from(t.dataSync())])));
    }
    expect(weights[1]).toEqual(weights[0]);
    expect(weights[2]).toEqual(weights[0]);
  });

  it('gives a hint for other separators and for mixed ones', async () => {
    const pipe = join(dir, 'pipe.csv');
    writeFileSync(pipe, `month|sales\n${rows.map((row) => row.replace(',', '|')).join('\n')}\n`);
    let r = await cli('train-forecast', '--csv', pipe, '--column', 'sales');
    expect(r.err).toBe(`torchlet: error: ${pipe}: no column named "sales" (columns: month|sales); the header is a single field: separate fields with commas, semicolons or tabs\n`);
    const mixed = join(dir, 'mixed.csv');
    writeFileSync(mixed, 'month;sales\n1990-01;1\n1990-02,2\n');
    r = await cli('train-forecast', '--csv', mixed, '--column', 'sales');
    expect(r.err).toBe(`torchlet: error: ${mixed}: row 3 has 1 fields, the header has 2 (fields are separated by semicolons, as in the header; this row also has commas)\n`);
  });
});
