/**
 * Time axes for the CLI's plots and forecasts: row labels that are dates (`1949-01`, `2020-03-15`,
 * `1998-Q3`, `1987`) get x ticks on year boundaries, labelled with the year, and forecasts
 * continue them.
 */

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (also with `/` or `.`), or `YYYY-Qn`. */
const DATE = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?|-?Q([1-4]))?$/;

/** x ticks and their labels. */
export interface Ticks {
  ticks: number[];
  format: (x: number) => string;
}

/**
 * Ticks at the first row of each year (every 2nd, 5th, 10th... year when there are more than
 * `maxTicks`), labelled with the year; null when the labels are not dates or span no year boundary.
 * @example yearTicks(['1949-11', '1949-12', '1950-01', '1950-02'])!.ticks // [2]
 */
export function yearTicks(labels: readonly string[], maxTicks = 16): Ticks | null {
  const parts = labels.map((l) => DATE.exec(l.trim()));
  if (labels.length < 2 || parts.some((p) => p === null)) return null;
  const year = (i: number): number => Number(parts[i]![1]);
  const startsYear = (p: RegExpExecArray): boolean => (p[2] === undefined || Number(p[2]) === 1) && (p[3] === undefined || Number(p[3]) === 1) && (p[4] === undefined || p[4] === '1');
  const starts = parts.flatMap((p, i) => ((i === 0 ? startsYear(p!) : year(i) !== year(i - 1)) ? [i] : []));
  if (starts.length === 0) return null;
  let step = 1;
  for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) {
    step = m;
    if (starts.filter((i) => year(i) % m === 0).length <= maxTicks) break;
  }
  return { ticks: starts.filter((i) => year(i) % step === 0), format: (x) => String(year(Math.min(Math.max(Math.round(x), 0), labels.length - 1))) };
}

/**
 * Labels for `steps` rows after `last`: months continue a `YYYY-MM` series, days a `YYYY-MM-DD`
 * one, quarters a `YYYY-Qn` one, years a `YYYY` one; otherwise `+1`, `+2`, ...
 * @example futureLabels('1999-11', 3) // ['1999-12', '2000-01', '2000-02']
 */
export function futureLabels(last: string, steps: number): string[] {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const seq = (f: (k: number) => string): string[] => Array.from({ length: steps }, (_, k) => f(k + 1));
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})$/.exec(last))) {
    const base = Number(m[1]) * 12 + Number(m[2]) - 1;
    return seq((k) => `${Math.floor((base + k) / 12)}-${pad(((base + k) % 12) + 1)}`);
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(last))) {
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return seq((k) => new Date(t + k * 86_400_000).toISOString().slice(0, 10));
  }
  if ((m = /^(\d{4})-Q([1-4])$/.exec(last))) {
    const base = Number(m[1]) * 4 + Number(m[2]) - 1;
    return seq((k) => `${Math.floor((base + k) / 4)}-Q${((base + k) % 4) + 1}`);
  }
  if (/^\d{4}$/.test(last)) return seq((k) => String(Number(last) + k));
  return seq((k) => `+${k}`);
}

/**
 * The seasonal period that the labels suggest: 12 for months, 4 for quarters, 7 for days; null
 * otherwise (years, row numbers), when only the naive forecast makes sense as a baseline.
 * @example seasonalPeriod(['1949-01', '1949-02']) // 12
 */
export function seasonalPeriod(labels: readonly string[]): number | null {
  if (labels.length === 0) return null;
  if (labels.every((l) => /^\d{4}-\d{2}$/.test(l))) return 12;
  if (labels.every((l) => /^\d{4}-?Q[1-4]$/.test(l))) return 4;
  if (labels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l))) return 7;
  return null;
}
