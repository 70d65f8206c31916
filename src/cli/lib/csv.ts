/**
 * A small CSV reader for the command line: a header row, comma-separated fields, RFC 4180 quotes.
 * Enough for a time series exported from a spreadsheet; not a general CSV library.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** A parsed CSV file: the header and the rows, as strings. */
export interface Csv {
  header: string[];
  rows: string[][];
}

/**
 * Parses CSV text (first row is the header).
 * @example parseCsv('month,passengers\n1949-01,112\n').rows // [['1949-01', '112']]
 */
export function parseCsv(text: string, what = 'CSV'): Csv {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // drop a UTF-8 BOM
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') records.push(row);
      row = [];
    } else field += ch;
    i++;
  }
  if (quoted) throw new CliError(`${what}: unterminated quoted field`);
  row.push(field);
  if (row.length > 1 || row[0] !== '') records.push(row);
  if (records.length === 0) throw new CliError(`${what}: the file is empty`);
  const header = records[0].map((h) => h.trim());
  const rows = records.slice(1);
  rows.forEach((r, k) => {
    if (r.length !== header.length) throw new CliError(`${what}: row ${k + 2} has ${r.length} fields, the header has ${header.length}`);
  });
  return { header, rows };
}

/** One numeric column of a CSV file, with labels for its rows (the first column when it is not the series). */
export interface Series {
  name: string;
  values: number[];
  /** Row labels (e.g. dates), or row numbers as strings. */
  labels: string[];
}

/**
 * Reads one numeric column from a CSV file.
 * @example readSeries('data.csv', 'passengers').values.length // 144
 */
export function readSeries(path: string, column: string): Series {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read CSV file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return seriesFromCsv(parseCsv(text, path), column, path);
}

/** Picks a numeric column from parsed CSV. */
export function seriesFromCsv(csv: Csv, column: string, what = 'CSV'): Series {
  const idx = csv.header.indexOf(column);
  if (idx < 0) throw new CliError(`${what}: no column named ${JSON.stringify(column)} (columns: ${csv.header.join(', ')})`);
  const values = csv.rows.map((r, k) => {
    const s = r[idx].trim();
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) throw new CliError(`${what}: row ${k + 2}, column ${JSON.stringify(column)}: ${JSON.stringify(r[idx])} is not a number`);
    return v;
  });
  const labelIdx = idx === 0 ? -1 : 0;
  const labels = csv.rows.map((r, k) => (labelIdx < 0 ? String(k + 1) : r[labelIdx].trim()));
  return { name: column, values, labels };
}
