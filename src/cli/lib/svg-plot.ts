/**
 * A tiny SVG line-chart writer (axes with round-number ticks, grid, legend, shaded region).
 *
 * Why hand-written: the npm charting libraries that write SVG either need a DOM (d3's axes,
 * chartist, c3) and so jsdom on Node, or native canvas bindings for PNG (chartjs-node-canvas);
 * a line chart is ~150 lines of string building with no dependencies, and works in Node and in
 * the browser alike.
 */

/** One line of a chart. */
export interface LineSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  /** Dashed stroke (e.g. for the held-out truth). */
  dashed?: boolean;
  /** Stroke width in pixels (default 2). */
  strokeWidth?: number;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  title: string;
  series: readonly LineSeries[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Where the x ticks go (default: round numbers). */
  xTicks?: readonly number[];
  /** Default x ticks at integers only (epochs, steps). */
  xInteger?: boolean;
  /** Formats an x tick (default: the number). */
  xTickFormat?: (x: number) => string;
  /** A shaded x range, e.g. the held-out test period. */
  shade?: { from: number; to: number; label: string };
  /** Vertical marker lines, e.g. the best epoch. */
  vlines?: readonly { x: number; label: string }[];
  /** Legend corner (default top left). */
  legend?: 'left' | 'right';
  /** Logarithmic y axis (e.g. loss curves). */
  logY?: boolean;
}

/** Round-number ticks covering [lo, hi], about `count` of them (integers only with `integer`). */
export function niceTicks(lo: number, hi: number, count = 6, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = [1, 2, 2.5, 5, 10].map((m) => m * mag).filter((s) => !integer || (s >= 1 && Number.isInteger(s)));
  const step = steps.find((s) => s >= raw) ?? (integer ? Math.max(1, 10 * mag) : 10 * mag);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

let charts = 0;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/**
 * Renders line series as a standalone SVG document.
 * @example writeFileSync('loss.svg', lineChartSvg({ title: 'loss', series: [{ label: 'train', x: [0, 1], y: [1, 0.5], color: '#1f77b4' }] }));
 */
export function lineChartSvg(o: LineChartOptions): string {
  const W = o.width ?? 820;
  const H = o.height ?? 420;
  const m = { left: 70, right: 20, top: 44, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const ty = (v: number): number => (o.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of o.series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i])) continue;
      x0 = Math.min(x0, s.x[i]);
      x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, ty(s.y[i]));
      y1 = Math.max(y1, ty(s.y[i]));
    }
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * pw;
  const py = (y: number): number => m.top + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600">${esc(o.title)}</text>`);
  if (o.shade) {
    const a = px(Math.max(o.shade.from, x0));
    const b = px(Math.min(o.shade.to, x1));
    out.push(`<rect x="${a.toFixed(1)}" y="${m.top}" width="${Math.max(0, b - a).toFixed(1)}" height="${ph}" fill="#f2f2f2"/>`);
    out.push(`<text x="${((a + b) / 2).toFixed(1)}" y="${m.top + 14}" text-anchor="middle" fill="#777">${esc(o.shade.label)}</text>`);
  }
  // y grid and ticks (log axes tick at powers of ten and their 2x, 5x)
  const yTicks = o.logY
    ? niceTicks(Math.floor(y0), Math.ceil(y1), Math.ceil(y1) - Math.floor(y0)).flatMap((e) => [1, 2, 5].map((k) => k * 10 ** e)).filter((v) => ty(v) >= y0 && ty(v) <= y1)
    : niceTicks(y0, y1);
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${esc(fmt(t))}</text>`);
  }
  for (const t of o.xTicks ?? niceTicks(x0, x1, 8, o.xInteger)) {
    if (t < x0 || t > x1) continue;
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${esc(o.xTickFormat ? o.xTickFormat(t) : fmt(t))}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  if (o.xLabel) out.push(`<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`);
  if (o.yLabel) out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(o.yLabel)}</text>`);
  // a clip id of its own, so charts can share a page
  const clip = `plot-${(++charts).toString(36)}`;
  out.push(`<clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath>`);
  for (const s of o.series) {
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.y[i])) pts.push(`${px(s.x[i]).toFixed(1)},${py(s.y[i]).toFixed(1)}`);
    if (pts.length === 0) continue;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline clip-path="url(#${clip})" fill="none" stroke="${esc(s.color)}" stroke-width="${s.strokeWidth ?? 2}"${dash} stroke-linejoin="round" points="${pts.join(' ')}"/>`);
  }
  for (const v of o.vlines ?? []) {
    if (v.x < x0 || v.x > x1) continue;
    const x = px(v.x).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#888" stroke-dasharray="2 3"/>`);
    const right = px(v.x) > m.left + pw / 2; // label on the side with room
    out.push(`<text x="${(px(v.x) + (right ? -4 : 4)).toFixed(1)}" y="${m.top + ph - 8}" text-anchor="${right ? 'end' : 'start'}" fill="#666">${esc(v.label)}</text>`);
  }
  // legend, top-left inside the plot, on a white box
  const lw = 60 + Math.max(0, ...o.series.map((s) => s.label.length)) * 6.5;
  const lx = o.legend === 'right' ? m.left + pw - lw - 8 : m.left;
  if (o.series.length) out.push(`<rect x="${(lx + 4).toFixed(1)}" y="${m.top + 4}" width="${lw.toFixed(0)}" height="${o.series.length * 18 + 2}" fill="#ffffff" fill-opacity="0.85" stroke="#ddd"/>`);
  o.series.forEach((s, k) => {
    const y = m.top + 14 + k * 18;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<line x1="${(lx + 10).toFixed(1)}" x2="${(lx + 36).toFixed(1)}" y1="${y}" y2="${y}" stroke="${esc(s.color)}" stroke-width="${s.strokeWidth ?? 2}"${dash}/>`);
    out.push(`<text x="${(lx + 42).toFixed(1)}" y="${y}" dominant-baseline="middle" fill="#222">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
