/**
 * A small CSV reader for the command line: a header row, RFC 4180 quotes, and the field separator
 * detected from the header (comma, semicolon or tab, as spreadsheets export them). Enough for a
 * time series exported from a spreadsheet; not a general CSV library.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** A parsed CSV file: the header and the rows, as strings. */
export interface Csv {
  header: string[];
  rows: string[][];
  /** The field separator: `,`, `;` or a tab. */
  delimiter: string;
}

const DELIMITERS = [',', ';', '\t'];

/** The separator of the header line: the most frequent of comma, semicolon and tab outside quotes (comma on a tie or none). */
export function detectDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** How a separator is named in messages. */
const nameOf = (d: string): string => (d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'comma');

/**
 * Parses CSV text (first row is the header); the separator is detected from the header unless given.
 * @example parseCsv('month,passengers\n1949-01,112\n').rows // [['1949-01', '112']]
 */
export function parseCsv(text: string, what = 'CSV', delimiter?: string): Csv {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // drop a UTF-8 BOM
  const sep = delimiter ?? detectDelimiter(src);
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
    else if (ch === sep) {
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
    if (r.length !== header.length) {
      const others = DELIMITERS.filter((d) => d !== sep && r.join(sep).includes(d)).map(nameOf);
      const hint = others.length ? ` (fields are separated by ${nameOf(sep)}s, as in the header; this row also has ${others.join(' and ')}s)` : '';
      throw new CliError(`${what}: row ${k + 2} has ${r.length} fields, the header has ${header.length}${hint}`);
    }
  });
  return { header, rows, delimiter: sep };
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

/** A number as spreadsheets write it: `1.5`, or `1,5` (a decimal comma) when fields are not comma-separated. */
function parseNumber(s: string, delimiter: string): number {
  if (s === '') return NaN;
  if (delimiter !== ',' && /^[+-]?\d+,\d+$/.test(s)) return Number(s.replace(',', '.'));
  return Number(s);
}

/** Picks a numeric column from parsed CSV. */
export function seriesFromCsv(csv: Csv, column: string, what = 'CSV'): Series {
  const idx = csv.header.indexOf(column);
  if (idx < 0) {
    const glued = csv.header.length === 1 && /[^\w\s"'.-]/.test(csv.header[0]) ? '; the header is a single field: separate fields with commas, semicolons or tabs' : '';
    throw new CliError(`${what}: no column named ${JSON.stringify(column)} (columns: ${csv.header.join(', ')})${glued}`);
  }
  const delimiter = csv.delimiter;
  const values = csv.rows.map((r, k) => {
    const s = r[idx].trim();
    const v = parseNumber(s, delimiter);
    if (!Number.isFinite(v)) {
      const hint = /^[+-]?\d+,\d+$/.test(s) ? ' (a decimal comma in a comma-separated file: quote the field or use a decimal point)' : '';
      throw new CliError(`${what}: row ${k + 2}, column ${JSON.stringify(column)}: ${JSON.stringify(r[idx])} is not a number${hint}`);
    }
    return v;
  });
  const labelIdx = idx === 0 ? -1 : 0;
  const labels = csv.rows.map((r, k) => (labelIdx < 0 ? String(k + 1) : r[labelIdx].trim()));
  return { name: column, values, labels };
}
