import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv, seriesFromCsv } from '../../src/cli/lib/csv.js';
import { futureLabels, seasonalPeriod, yearTicks } from '../../src/cli/lib/time-axis.js';
import { ForecastModel, baselineRmse, diffScale, forecasterFromCheckpoint, makeWindows, rmse, seasonalNaive, trainForecaster, transformSeries } from '../../src/cli/lib/forecaster.js';
import { TrainingProgress, stretch, terminalChart } from '../../src/cli/lib/progress.js';
import { lineChartSvg, niceTicks } from '../../src/cli/lib/svg-plot.js';
import { buffer } from './helpers.js';

describe('csv', () => {
  it('parses quotes, CRLF and a BOM', () => {
    const c = parseCsv('\ufeffname,"value, in $"\r\n"a ""quoted"" one",1.5\r\nb,2\r\n');
    expect(c.header).toEqual(['name', 'value, in $']);
    expect(c.rows).toEqual([['a "quoted" one', '1.5'], ['b', '2']]);
    expect(seriesFromCsv(c, 'value, in $').values).toEqual([1.5, 2]);
    expect(seriesFromCsv(c, 'value, in $').labels).toEqual(['a "quoted" one', 'b']);
  });
  it('rejects ragged rows and empty files', () => {
    expect(() => parseCsv('a,b\n1\n', 'f.csv')).toThrow('f.csv: row 2 has 1 fields, the header has 2');
    expect(() => parseCsv('', 'f.csv')).toThrow('f.csv: the file is empty');
    expect(() => parseCsv('a\n"open', 'f.csv')).toThrow('unterminated quoted field');
  });
  it('detects comma, semicolon and tab separators from the header, and reads decimal commas when fields are not comma-separated', () => {
    expect(detectDelimiter('a,b\n1;2')).toBe(',');
    expect(detectDelimiter('"x,y";b\n')).toBe(';');
    expect(detectDelimiter('a\tb;c\tc\n')).toBe('\t');
    expect(detectDelimiter('single\n1,2,3')).toBe(',');
    const c = parseCsv('day;value\n1;1,5\n2;-2,25\n3;"3,5"\n');
    expect(c.delimiter).toBe(';');
    expect(seriesFromCsv(c, 'value').values).toEqual([1.5, -2.25, 3.5]);
    const t = parseCsv('day\tvalue\r\n1\t7\r\n');
    expect([t.delimiter, t.header, t.rows]).toEqual(['\t', ['day', 'value'], [['1', '7']]]);
    // a decimal comma in a comma-separated file is ambiguous (1,500 may be fifteen hundred)
    expect(() => seriesFromCsv(parseCsv('d,v\n1,"1,5"\n'), 'v', 'f.csv')).toThrow('f.csv: row 2, column "v": "1,5" is not a number (a decimal comma in a comma-separated file: quote the field or use a decimal point)');
  });
  it('labels rows by number when the series is the first column', () => {
    expect(seriesFromCsv(parseCsv('v\n3\n4\n'), 'v').labels).toEqual(['1', '2']);
  });
});

describe('forecaster pieces', () => {
  it('windows relative to the last input value, scaled', () => {
    const z = [0, 1, 2, 3, 4, 5];
    const w = makeWindows(z, [0, 1], { window: 3, horizon: 2, scale: 2 });
    expect(Array.from(w.x)).toEqual([-1, -0.5, 0, -1, -0.5, 0]);
    expect(Array.from(w.y)).toEqual([0.5, 1, 0.5, 1]);
  });
  it('seasonal naive repeats the last season; rmse; diff scale; log transform checks', () => {
    const h = Array.from({ length: 24 }, (_, i) => i);
    expect(seasonalNaive(h, 14, 12)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 12, 13]);
    expect(rmse([1, 2], [1, 4])).toBeCloseTo(Math.SQRT2, 12);
    expect(diffScale([1, 1, 1])).toBe(1);
    expect(() => transformSeries([1, 0], 'log')).toThrow('--transform log needs positive values, but value 2 is 0; use --transform none');
  });
  it('rejects checkpoints whose weights do not match their config', () => {
    const cfg = { column: 'x', window: 4, horizon: 2, hidden: 3, layers: 1, dropout: 0, transform: 'none' as const, scale: 1 };
    const sd = new ForecastModel(cfg).stateDict();
    const meta = { format: 'torchlet-forecast', config: JSON.stringify({ ...cfg, hidden: 5 }) };
    expect(() => forecasterFromCheckpoint(meta, sd, 'm.safetensors')).toThrow(/^m\.safetensors: the weights do not match the saved config: /);
    expect(() => forecasterFromCheckpoint(null, sd, 'm.safetensors')).toThrow('is not a torchlet forecaster checkpoint');
    expect(forecasterFromCheckpoint({ format: 'torchlet-forecast', config: JSON.stringify(cfg) }, sd, 'm').cfg.hidden).toBe(3);
  });
  it('continues monthly, daily, quarterly and yearly labels across years', () => {
    expect(futureLabels('1999-11', 3)).toEqual(['1999-12', '2000-01', '2000-02']);
    expect(futureLabels('2000-02-28', 3)).toEqual(['2000-02-29', '2000-03-01', '2000-03-02']);
    expect(futureLabels('1999-Q3', 3)).toEqual(['1999-Q4', '2000-Q1', '2000-Q2']);
    expect(futureLabels('1999', 2)).toEqual(['2000', '2001']);
    expect(futureLabels('day 9', 2)).toEqual(['+1', '+2']);
  });
  it('ticks time axes on year boundaries, thinned to round years', () => {
    expect(yearTicks(['1949-11', '1949-12', '1950-01', '1950-02'])!.ticks).toEqual([2]);
    const months = Array.from({ length: 36 }, (_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
    const t = yearTicks(months)!;
    expect(t.ticks).toEqual([0, 12, 24]);
    expect(t.ticks.map(t.format)).toEqual(['2000', '2001', '2002']);
    const years = Array.from({ length: 60 }, (_, i) => String(1951 + i));
    const y = yearTicks(years)!;
    expect(y.ticks.map(y.format)).toEqual(['1955', '1960', '1965', '1970', '1975', '1980', '1985', '1990', '1995', '2000', '2005', '2010']);
    expect(yearTicks(['1999-Q3', '1999-Q4', '2000-Q1'])!.ticks).toEqual([2]);
    expect(yearTicks(['2000-03-01', '2000-03-02'])).toBeNull(); // no year boundary
    expect(yearTicks(['1', '2', '3'])).toBeNull(); // row numbers
  });
  it('suggests the seasonal period from the labels', () => {
    expect(seasonalPeriod(['1949-01', '1949-02'])).toBe(12);
    expect(seasonalPeriod(['1949-Q1', '1949-Q2'])).toBe(4);
    expect(seasonalPeriod(['2020-01-01'])).toBe(7);
    expect(seasonalPeriod(['1949', '1950'])).toBeNull();
    expect(seasonalPeriod(['a'])).toBeNull();
  });
  it('scores the baselines on the validation windows', () => {
    const v = Array.from({ length: 30 }, (_, i) => (i % 4) * 10 + i);
    // window 8, horizon 2, windows at 20 and 21: seasonal-naive (period 4) and naive
    expect(baselineRmse(v, [20], 8, 2, 4)).toBeCloseTo(rmse([v[24]!, v[25]!], [v[28]!, v[29]!]), 12);
    expect(baselineRmse(v, [19, 20], 8, 2, null)).toBeCloseTo(rmse([v[26]!, v[26]!, v[27]!, v[27]!], [v[27]!, v[28]!, v[28]!, v[29]!]), 12);
  });
  it('keeps the epoch of lowest validation loss and stops with a clear error when training diverges', async () => {
    const values = Array.from({ length: 48 }, (_, i) => 100 + i + 10 * Math.sin(i / 2));
    const arch = { column: 'x', window: 6, horizon: 2, hidden: 3, layers: 1, dropout: 0 };
    const r = await trainForecaster(values, arch, { epochs: 5, lr: 0.01, batchSize: 8, valSplit: 0.25, seed: 1, patience: 0 });
    const min = Math.min(...r.valLosses);
    expect(r.bestEpoch).toBe(r.valLosses.indexOf(min) + 1);
    expect(r.bestValLoss).toBe(min);
    expect(r.bestValRmse).toBe(r.valRmse[r.bestEpoch - 1]);
    const byRmse = await trainForecaster(values, arch, { epochs: 5, lr: 0.01, batchSize: 8, valSplit: 0.25, seed: 1, patience: 0, monitor: 'rmse' });
    expect(byRmse.bestEpoch).toBe(byRmse.valRmse.indexOf(Math.min(...byRmse.valRmse)) + 1);
    await expect(trainForecaster(values, arch, { epochs: 5, lr: 1e300, batchSize: 8, valSplit: 0.25, seed: 1, patience: 0 })).rejects.toThrow(/^training diverged at epoch \d: loss is NaN; nothing was saved \(try a smaller --lr\)$/);
  });
});

describe('plots and progress', () => {
  it('picks round ticks, integers only for epochs', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(103, 622)).toEqual([200, 300, 400, 500, 600]);
    expect(niceTicks(1, 3, 8)).toEqual([1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    expect(niceTicks(1, 3, 8, true)).toEqual([1, 2, 3]);
    expect(niceTicks(1, 20, 8, true)).toEqual([5, 10, 15, 20]);
    expect(niceTicks(1, 200, 8, true)).toEqual([25, 50, 75, 100, 125, 150, 175, 200]);
    const svg = lineChartSvg({ title: 't', xInteger: true, series: [{ label: 'a', x: [1, 2], y: [1, 2], color: '#000' }] });
    expect([...svg.matchAll(/text-anchor="middle" fill="#444">([^<]*)</g)].map((m) => m[1])).toEqual(['1', '2']);
  });
  it('writes a standalone SVG with escaped text, a legend and one polyline per series', () => {
    const svg = lineChartSvg({
      title: 'a < b & c',
      logY: true,
      shade: { from: 1, to: 2, label: 'held out' },
      vlines: [{ x: 1, label: 'best' }],
      series: [
        { label: 'train', x: [0, 1, 2], y: [1, 0.1, 0.01], color: '#123456' },
        { label: 'val', x: [0, 1, 2], y: [2, NaN, 0.5], color: '#654321', dashed: true },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('held out');
    expect(svg).toContain('stroke-dasharray="6 4"');
  });
  it('prints plain periodic lines when the stream is not a terminal', () => {
    const out = buffer();
    const p = new TrainingProgress({ stream: out, totalEpochs: 7, valLabel: 'val RMSE', every: 3 });
    const q = buffer();
    new TrainingProgress({ stream: q, totalEpochs: 1, lossLabel: 'train bits/char', valLabel: 'val bits/char' }).update({ epoch: 1, loss: 2, val: 3, steps: 1 });
    expect(q.text()).toMatch(/^epoch 1\/1 {2}train bits\/char 2\.000 {2}val bits\/char 3\.000 /);
    for (let e = 1; e <= 7; e++) p.update({ epoch: e, loss: 1 / e, val: 10 / e, steps: e * 2 });
    p.log('note');
    p.stop('done');
    const lines = out.text().trim().split('\n');
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['epoch 1/7', 'epoch 3/7', 'epoch 6/7', 'epoch 7/7', 'note', 'done']);
    expect(lines[1]).toMatch(/^epoch 3\/7 {2}loss 0\.3333 {2}val RMSE 3\.333 {2}[\d.]+ it\/s {2}ETA \d+s$/);
  });
  it('draws a live bar on a terminal', () => {
    let t = '';
    const tty = { write: (s: string) => ((t += s), true), isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true };
    const p = new TrainingProgress({ stream: tty, totalEpochs: 2, valLabel: 'val RMSE' });
    p.update({ epoch: 1, loss: 0.5, val: 3, steps: 4 });
    p.update({ epoch: 2, loss: 0.25, val: 2, steps: 8 });
    p.stop();
    expect(t).toContain('epoch 2/2');
    expect(t).toContain('loss 0.2500 | val RMSE 2.000');
  });
  it('stretches short series and charts them in the terminal', () => {
    expect(stretch([0, 10], 3)).toEqual([0, 5, 10]);
    const chart = terminalChart([[1, 2, 3], [3, 2, 1]], { height: 4, width: 10 });
    expect(chart.split('\n')).toHaveLength(5);
    expect(chart).not.toContain('\x1b[');
    // series that are not finite (no validation, a diverged run) are left out
    expect(terminalChart([[1, 2, 3], [NaN, NaN, NaN]], { height: 4, width: 10 })).toBe(terminalChart([[1, 2, 3]], { height: 4, width: 10 }));
    expect(terminalChart([[1, Infinity]], { height: 4, width: 10 })).toBe('');
  });
});
