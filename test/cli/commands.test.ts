import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as safetensors from '../../src/io/safetensors.js';
import { cli, spawnNode } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'torchlet-cli-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a small seasonal series with a trend, as a CSV with a date column
const csvPath = join(dir, 'series.csv');
const rows = Array.from({ length: 60 }, (_, i) => `${1990 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},${(100 + 2 * i + 15 * Math.sin((2 * Math.PI * i) / 12)).toFixed(2)}`);
writeFileSync(csvPath, `month,sales\n${rows.join('\n')}\n`);
const textPath = join(dir, 'tiny.txt');
writeFileSync(textPath, 'the cat sat on the mat. the dog sat on the log. '.repeat(12));
const tiny = ['--window', '8', '--horizon', '4', '--hidden', '4', '--epochs', '3', '--batch-size', '8'];

describe('torchlet train-forecast / forecast', () => {
  const model = join(dir, 'sales.safetensors');

  it('trains, prints plain progress lines, saves the best checkpoint with its config and writes plots', async () => {
    const r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', ...tiny, '--out', model);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^epoch 1\/3 {2}loss \S+ {2}val loss \S+ {2}[\d.]+ it\/s {2}ETA \d+s$/m);
    expect(r.out).toMatch(/^epoch 3\/3 /m);
    expect(r.out).toContain('saved the best checkpoint');
    const bytes = new Uint8Array(readFileSync(model));
    const meta = safetensors.metadata(bytes)!;
    expect(meta.format).toBe('torchlet-forecast');
    expect(JSON.parse(meta.config)).toMatchObject({ column: 'sales', window: 8, horizon: 4, hidden: 4, layers: 1, transform: 'log' });
    expect(Object.keys(safetensors.load(bytes))).toEqual(['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'head.weight', 'head.bias']);
    for (const f of ['sales.loss.svg', 'sales.fit.svg']) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });

  it('forecasts N steps as CSV, continuing monthly labels, and plots', async () => {
    const plot = join(dir, 'next.svg');
    const r = await cli('forecast', '--model', model, '--csv', csvPath, '--steps', '6', '--plot', plot);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('step,label,sales');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^1,1995-01,[\d.]+$/);
    expect(lines[6]).toMatch(/^6,1995-06,[\d.]+$/);
    expect(existsSync(plot)).toBe(true);
  });

  it('honours --no-plots and stops early with --patience', async () => {
    const out = join(dir, 'np.safetensors');
    const r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', ...tiny, '--epochs', '40', '--lr', '1e-9', '--patience', '1', '--no-plots', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/stopped early after \d+ epochs \(no better validation loss for 1\)/);
    expect(existsSync(join(dir, 'np.loss.svg'))).toBe(false);
  });

  it('is deterministic for a seed', async () => {
    const a = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', ...tiny, '--seed', '7', '--no-plots', '--out', join(dir, 'a.safetensors'));
    const b = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', ...tiny, '--seed', '7', '--no-plots', '--out', join(dir, 'b.safetensors'));
    expect(a.code + b.code).toBe(0);
    expect(readFileSync(join(dir, 'a.safetensors'))).toEqual(readFileSync(join(dir, 'b.safetensors')));
  });

  it('fails clearly with exit code 1 on bad files and data', async () => {
    let r = await cli('train-forecast', '--csv', join(dir, 'missing.csv'), '--column', 'sales');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`torchlet: error: --csv ${join(dir, 'missing.csv')}: no such file\n`);
    r = await cli('train-forecast', '--csv', csvPath, '--column', 'revenue');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no column named "revenue" (columns: month, sales)');
    r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', '--window', '50', '--horizon', '12');
    expect(r.code).toBe(1);
    expect(r.err).toContain('not enough data: 60 values give 0 training');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'month,sales\n2000-01,12\n2000-02,n/a\n');
    r = await cli('train-forecast', '--csv', bad, '--column', 'sales');
    expect(r.err).toContain('row 3, column "sales": "n/a" is not a number');
    r = await cli('forecast', '--model', csvPath, '--csv', csvPath, '--steps', '2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^torchlet: error: --model \S+series\.csv: not a checkpoint written by torchlet train-forecast \(not a safetensors file: [^)]*\); forecast needs the \.safetensors file that torchlet train-forecast --out writes\n$/);
    r = await cli('forecast', '--model', join(dir, 'nope.safetensors'), '--csv', csvPath, '--steps', '2');
    expect(r.err).toContain('no such file');
  });

  it('fails with exit code 2 on bad flags', async () => {
    let r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', '--epochs', 'ten');
    expect(r.code).toBe(2);
    expect(r.err).toContain("option '--epochs <n>' argument 'ten' is invalid. expected a positive integer.");
    r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', '--val-split', '1.5');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected a number in [0, 1)');
    r = await cli('train-forecast', '--csv', csvPath, '--column', 'sales', '--transform', 'sqrt');
    expect(r.err).toContain('expected one of auto, log, none');
    r = await cli('forecast', '--model', 'm', '--csv', csvPath, '--steps', '3', '--colour');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--colour'");
    r = await cli('forecast', '--csv', csvPath);
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--model <file>' not specified");
    r = await cli('fly');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'fly'");
  });
});

describe('torchlet train-text / sample', () => {
  const model = join(dir, 'tiny.safetensors');

  it('trains a character model with progress and periodic samples, then samples from it', async () => {
    const r = await cli('train-text', '--text', textPath, '--hidden', '8', '--embed', '4', '--seq-len', '16', '--epochs', '2', '--sample-every', '1', '--sample-length', '20', '--out', model);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^epoch 1\/2 {2}train bits\/char \S+ {2}val bits\/char \S+ /m);
    expect(r.out).toContain('--- sample after epoch 1 ---');
    expect(r.out).toContain('vocabulary 14 characters');
    const meta = safetensors.metadata(new Uint8Array(readFileSync(model)))!;
    expect(meta.format).toBe('torchlet-char-lm');
    expect(JSON.parse(meta.config).vocab.join('')).toBe(' .acdeghlmnost');
    expect(existsSync(join(dir, 'tiny.loss.svg'))).toBe(true);

    const s = await cli('sample', '--model', model, '--prime', 'the ', '--length', '30', '--temperature', '0.5', '--seed', '3');
    expect(s.code).toBe(0);
    expect(s.out.startsWith('the ')).toBe(true);
    expect(Array.from(s.out.trimEnd())).toHaveLength(34);
    expect(/^[ .acdeghlmnost\n]+$/.test(s.out)).toBe(true);
    const again = await cli('sample', '--model', model, '--prime', 'the ', '--length', '30', '--temperature', '0.5', '--seed', '3');
    expect(again.out).toBe(s.out);
    const greedy = await cli('sample', '--model', model, '--prime', 'the ', '--length', '10', '--temperature', '0');
    expect(greedy.code).toBe(0);
  });

  it('rejects unknown characters, wrong checkpoints and bad values', async () => {
    let r = await cli('sample', '--model', model, '--prime', 'xyz');
    expect(r.code).toBe(1);
    expect(r.err).toBe('torchlet: error: --prime has characters the model never saw: "x", "y", "z"\n');
    r = await cli('sample', '--model', join(dir, 'sales.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not a torchlet character-model checkpoint');
    r = await cli('sample', '--model', model, '--temperature', '-1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected a number >= 0');
    r = await cli('train-text', '--text', join(dir, 'none.txt'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('no such file');
    r = await cli('train-text', '--text', textPath, '--seq-len', '5000');
    expect(r.code).toBe(1);
    expect(r.err).toContain('the text is too short');
  });
});

describe('help and the installed command', () => {
  it('prints --help for the program and every subcommand with exit code 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const name of ['train-forecast', 'forecast', 'train-text', 'sample', 'inspect', 'convert']) {
      expect(top.out).toContain(name);
      const h = await cli(name, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toContain(`Usage: torchlet ${name}`);
    }
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: torchlet');
  });

  it('inspect shows a checkpoint made by train-forecast (the io commands are wired in)', async () => {
    const r = await cli('inspect', join(dir, 'sales.safetensors'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('__metadata__.format = "torchlet-forecast"');
    expect((await cli('inspect', join(dir, 'gone.pt'))).code).toBe(1);
  });

  it('runs as a process through the package bin, with exit codes', () => {
    const ok = spawnNode(['bin/torchlet.js', 'forecast', '--help']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Usage: torchlet forecast');
    const bad = spawnNode(['bin/torchlet.js', 'forecast', '--model', join(dir, 'missing.safetensors'), '--csv', csvPath, '--steps', '2']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('no such file');
    const usage = spawnNode(['bin/torchlet.js', 'train-text', '--text', textPath, '--epochs', '0']);
    expect(usage.code).toBe(2);
  });
});
