import { describe, expect, it } from 'vitest';
import { parseCsv, seriesFromCsv } from '../../src/cli/lib/csv.js';
import { futureLabels } from '../../src/cli/commands/forecast.js';
import { ForecastModel, diffScale, forecasterFromCheckpoint, makeWindows, rmse, seasonalNaive, transformSeries } from '../../src/cli/lib/forecaster.js';
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
  it('continues monthly labels across years', () => {
    expect(futureLabels('1999-11', 3)).toEqual(['1999-12', '2000-01', '2000-02']);
    expect(futureLabels('day 9', 2)).toEqual(['+1', '+2']);
  });
});

describe('plots and progress', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(103, 622)).toEqual([200, 300, 400, 500, 600]);
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
  });
});
