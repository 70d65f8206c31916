// torchlet in the browser: trains an LSTM forecaster on the airline passenger series and draws
// the loss and the forecast on canvases as it learns. Build the library first:
//   npm run build:browser   (writes dist/browser/torchlet.js)
//   npm run web             (serves the repository and prints this page's address)
import * as torch from '../../dist/browser/torchlet.js';

const { nn, optim } = torch;
const WINDOW = 24;
const HORIZON = 12;
const HOLDOUT = 24;
const $ = (id) => document.getElementById(id);

/** State for people and for the end-to-end test (test/browser/web.test.ts). */
const demo = (window.torchletDemo = { state: 'loading', epoch: 0, losses: [], valRmse: [], testRmse: NaN, baselineRmse: NaN, error: null });

class Forecaster extends nn.Module {
  constructor(hidden) {
    super();
    this.lstm = new nn.LSTM(1, hidden, { batchFirst: true });
    this.head = new nn.Linear(hidden, HORIZON);
  }
  /** x: [B, WINDOW] relative log values -> [B, HORIZON] */
  forward(x) {
    const [out] = this.lstm.forward(x.unsqueeze(2));
    return this.head.forward(out.select(1, -1)); // out[:, -1, :]
  }
}

async function loadSeries() {
  const text = await (await fetch('../data/airline-passengers.csv')).text();
  const rows = text.trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  return { labels: rows.map((r) => r[0]), values: rows.map((r) => Number(r[1])) };
}

const rmse = (a, b) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

/** Windows of z (log values) relative to each window's last value, divided by `scale`. */
function windows(z, starts, scale) {
  const x = new Float32Array(starts.length * WINDOW);
  const y = new Float32Array(starts.length * HORIZON);
  starts.forEach((s, n) => {
    const last = z[s + WINDOW - 1];
    for (let j = 0; j < WINDOW; j++) x[n * WINDOW + j] = (z[s + j] - last) / scale;
    for (let k = 0; k < HORIZON; k++) y[n * HORIZON + k] = (z[s + WINDOW + k] - last) / scale;
  });
  return [torch.tensor(x).view(starts.length, WINDOW), torch.tensor(y).view(starts.length, HORIZON)];
}

/** `steps` values after `history`, feeding predictions back in HORIZON at a time. */
function forecast(model, history, steps, scale) {
  const z = history.map(Math.log);
  const out = [];
  model.eval();
  torch.noGrad(() => {
    while (out.length < steps) {
      const last = z[z.length - 1];
      const x = torch.tensor([z.slice(-WINDOW).map((v) => (v - last) / scale)]);
      const p = model.forward(x).dataSync();
      for (let k = 0; k < HORIZON && out.length < steps; k++) {
        z.push(last + p[k] * scale);
        out.push(Math.exp(z[z.length - 1]));
      }
    }
  });
  model.train();
  return out;
}

// ---- canvas charts -------------------------------------------------------------------------

function niceStep(range, count) {
  const raw = range / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
}

/** Draws line series on a canvas: { title, series: [{ label, x, y, color, dash }], logY, shade, xLabel(x) }. */
function drawChart(canvas, o) {
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  if (canvas.width !== Math.round(W * dpr)) canvas.width = Math.round(W * dpr);
  if (canvas.height !== Math.round(H * dpr)) canvas.height = Math.round(H * dpr);
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, W, H);
  const m = { l: 56, r: 12, t: 30, b: 30 };
  const tr = (v) => (o.logY ? Math.log10(v) : v);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const s of o.series) {
    s.y.forEach((v, i) => {
      if (!Number.isFinite(v) || (o.logY && v <= 0)) return;
      x0 = Math.min(x0, s.x[i]);
      x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, tr(v));
      y1 = Math.max(y1, tr(v));
    });
  }
  if (o.xRange) [x0, x1] = o.xRange;
  g.fillStyle = '#222';
  g.font = '600 14px system-ui, sans-serif';
  g.textAlign = 'center';
  g.fillText(o.title, W / 2, 19);
  if (!Number.isFinite(y0)) return;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.06;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (v) => m.t + (1 - (tr(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  if (o.shade) {
    g.fillStyle = '#f2f2f2';
    g.fillRect(px(o.shade.from), m.t, px(o.shade.to) - px(o.shade.from), H - m.t - m.b);
    g.fillStyle = '#888';
    g.font = '12px system-ui, sans-serif';
    g.fillText(o.shade.label, (px(o.shade.from) + px(o.shade.to)) / 2, m.t + 14);
  }
  // y ticks
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  const step = niceStep(y1 - y0, 5);
  const ticks = [];
  if (o.logY) {
    for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) for (const k of [1, 2, 5]) ticks.push(Math.log10(k) + e);
  } else for (let t = Math.ceil(y0 / step) * step; t <= y1; t += step) ticks.push(t);
  for (const t of ticks.filter((t) => t >= y0 && t <= y1)) {
    const v = o.logY ? 10 ** t : t;
    const y = m.t + (1 - (t - y0) / (y1 - y0)) * (H - m.t - m.b);
    g.strokeStyle = '#eee';
    g.beginPath();
    g.moveTo(m.l, y);
    g.lineTo(W - m.r, y);
    g.stroke();
    g.fillStyle = '#555';
    g.fillText(String(Number(v.toPrecision(3))), m.l - 5, y);
  }
  // x ticks
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const t of o.xTicks ?? []) {
    if (t < x0 || t > x1) continue;
    g.fillStyle = '#555';
    g.fillText(o.xLabel ? o.xLabel(t) : String(t), px(t), H - m.b + 6);
  }
  g.strokeStyle = '#444';
  g.strokeRect(m.l, m.t, W - m.l - m.r, H - m.t - m.b);
  // series
  for (const s of o.series) {
    g.strokeStyle = s.color;
    g.lineWidth = s.width ?? 2;
    g.setLineDash(s.dash ? [6, 4] : []);
    g.beginPath();
    let pen = false;
    s.y.forEach((v, i) => {
      if (!Number.isFinite(v) || (o.logY && v <= 0)) return (pen = false);
      const [x, y] = [px(s.x[i]), py(v)];
      if (pen) g.lineTo(x, y);
      else g.moveTo(x, y);
      pen = true;
    });
    g.stroke();
  }
  g.setLineDash([]);
  g.lineWidth = 1;
  // legend
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.font = '12px system-ui, sans-serif';
  o.series.forEach((s, k) => {
    const y = m.t + 14 + k * 16;
    g.strokeStyle = s.color;
    g.lineWidth = 2;
    g.setLineDash(s.dash ? [6, 4] : []);
    g.beginPath();
    g.moveTo(m.l + 10, y);
    g.lineTo(m.l + 32, y);
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = '#222';
    g.fillText(s.label, m.l + 38, y);
  });
}

// ---- the training loop ---------------------------------------------------------------------

let stopRequested = false;

async function train(series) {
  const hidden = Number($('hidden').value);
  const epochs = Math.max(1, Math.min(1000, Math.round(Number($('epochs').value)) || 1));
  const lr = Number($('lr').value) || 0.005;
  const seed = Math.max(0, Math.round(Number($('seed').value)) || 0);
  const values = series.values;
  const train = values.slice(0, -HOLDOUT);
  const test = values.slice(-HOLDOUT);
  const z = train.map(Math.log);
  // the last 20% of the training months validate; windows straddling the split are left out
  const split = z.length - Math.round(z.length * 0.2);
  const trainStarts = [];
  const valStarts = [];
  for (let s = 0; s + WINDOW + HORIZON <= z.length; s++) {
    if (s + WINDOW + HORIZON <= split) trainStarts.push(s);
    else if (s + WINDOW >= split) valStarts.push(s);
  }
  const d = z.slice(1, split).map((v, i) => v - z[i]);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const scale = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  const [X, Y] = windows(z, trainStarts, scale);
  const [Xv] = windows(z, valStarts, scale);

  torch.manualSeed(seed);
  const model = new Forecaster(hidden);
  const opt = new optim.Adam(model.parameters(), { lr });
  const criterion = new nn.MSELoss();
  const naive = test.map((_, h) => values[train.length + h - 12]);
  Object.assign(demo, { state: 'training', epoch: 0, losses: [], valRmse: [], testRmse: NaN, baselineRmse: rmse(naive, test), error: null });
  document.body.dataset.state = 'training';
  const n = trainStarts.length;
  const batch = 16;
  let steps = 0;
  let best = { val: Infinity, state: null, epoch: 0 };
  const t0 = performance.now();
  let pred;
  for (let epoch = 1; epoch <= epochs && !stopRequested; epoch++) {
    model.train();
    const perm = torch.randperm(n);
    let sum = 0;
    for (let b = 0; b < n; b += batch) {
      const idx = perm.narrow(0, b, Math.min(batch, n - b));
      opt.zeroGrad();
      const loss = criterion.forward(model.forward(X.indexSelect(0, idx)), Y.indexSelect(0, idx));
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1.0);
      opt.step();
      sum += loss.item() * idx.shape[0];
      steps++;
    }
    model.eval();
    const p = torch.noGrad(() => model.forward(Xv).dataSync());
    const pv = [];
    const tv = [];
    valStarts.forEach((s, i) => {
      for (let k = 0; k < HORIZON; k++) {
        pv.push(Math.exp(z[s + WINDOW - 1] + p[i * HORIZON + k] * scale));
        tv.push(train[s + WINDOW + k]);
      }
    });
    const val = rmse(pv, tv);
    demo.epoch = epoch;
    demo.losses.push(sum / n);
    demo.valRmse.push(val);
    if (val < best.val) {
      const state = {};
      for (const [k, t] of Object.entries(model.stateDict())) state[k] = t.detach().clone();
      best = { val, state, epoch };
    }
    if (epoch % 2 === 0 || epoch === epochs) {
      pred = forecast(model, train, HOLDOUT, scale);
      const secs = (performance.now() - t0) / 1000;
      $('status').textContent =
        `epoch ${epoch}/${epochs}   loss ${(sum / n).toFixed(4)}   val RMSE ${val.toFixed(1)}   ` +
        `${(steps / secs).toFixed(1)} it/s   ETA ${Math.round((secs / epoch) * (epochs - epoch))}s`;
      draw(series, train, test, pred, naive);
      await new Promise((r) => setTimeout(r, 0)); // let the page paint
    }
  }
  if (best.state) model.loadStateDict(best.state);
  pred = forecast(model, train, HOLDOUT, scale);
  demo.testRmse = rmse(pred, test);
  draw(series, train, test, pred, naive);
  $('status').textContent =
    `${stopRequested ? 'stopped' : 'done'} after ${demo.epoch} epochs (best validation at epoch ${best.epoch}).   ` +
    `test RMSE: LSTM ${demo.testRmse.toFixed(1)} vs seasonal naive ${demo.baselineRmse.toFixed(1)}`;
  demo.state = 'done';
  document.body.dataset.state = 'done';
}

function draw(series, train, test, pred, naive) {
  const n = train.length;
  const idx = (from, k) => Array.from({ length: k }, (_, i) => from + i);
  drawChart($('forecast'), {
    title: 'Passengers (thousands): history, held-out truth and the LSTM forecast',
    xTicks: idx(0, series.values.length / 12 + 1).map((y) => y * 12),
    xLabel: (x) => (series.labels[x] ?? '1961').slice(0, 4),
    xRange: [0, series.values.length - 1],
    shade: { from: n - 0.5, to: series.values.length - 0.5, label: 'held out' },
    series: [
      { label: 'history', x: idx(0, n), y: train, color: '#222' },
      { label: 'held-out truth', x: idx(n, test.length), y: test, color: '#222', dash: true },
      { label: 'seasonal naive', x: idx(n, test.length), y: naive, color: '#999', dash: true, width: 1.5 },
      { label: 'LSTM forecast', x: idx(n - 1, pred.length + 1), y: [train[n - 1], ...pred], color: '#d62728', width: 2.5 },
    ],
  });
  const ep = idx(1, demo.losses.length);
  drawChart($('loss'), {
    title: 'Training loss (log scale)',
    logY: true,
    xTicks: ep.filter((e) => e % Math.max(1, Math.ceil(ep.length / 6 / 10) * 10) === 0),
    series: [{ label: 'training loss', x: ep, y: demo.losses, color: '#1f77b4' }],
  });
}

async function main() {
  try {
    const series = await loadSeries();
    const params = new URLSearchParams(location.search);
    for (const k of ['epochs', 'hidden', 'lr', 'seed']) if (params.has(k)) $(k).value = params.get(k);
    demo.state = 'ready';
    document.body.dataset.state = 'ready';
    $('status').textContent = `ready: ${series.values.length} months (${series.labels[0]} to ${series.labels.at(-1)}). Press Train.`;
    const train_ = series.values.slice(0, -HOLDOUT);
    draw(series, train_, series.values.slice(-HOLDOUT), [], series.values.slice(-HOLDOUT).map((_, h) => series.values[train_.length + h - 12]));
    $('train').addEventListener('click', async () => {
      $('train').disabled = true;
      $('stop').disabled = false;
      stopRequested = false;
      try {
        await train(series);
      } catch (e) {
        fail(e);
      }
      $('train').disabled = false;
      $('stop').disabled = true;
    });
    $('stop').addEventListener('click', () => (stopRequested = true));
    if (params.has('autostart')) $('train').click();
  } catch (e) {
    fail(e);
  }
}

function fail(e) {
  demo.state = 'error';
  demo.error = String(e?.stack ?? e);
  document.body.dataset.state = 'error';
  $('status').textContent = `error: ${e?.message ?? e}`;
  console.error(e);
}

main();
