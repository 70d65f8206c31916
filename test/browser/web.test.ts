/**
 * End to end: serves the repository on 127.0.0.1, opens examples/web/ in headless Chromium (the
 * @sparticuz/chromium dev dependency, or TORCHLET_CHROMIUM; see tools/chromium.ts), trains the
 * LSTM in the page and checks that training runs, the loss falls and the charts are drawn. Saves a
 * screenshot to test-artifacts/web-demo.png. No browser is a failure, not a skip.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowser } from '../../tools/build-browser.js';
import { type ChromiumLaunch, launchChromium } from '../../tools/chromium.js';
import { serveStatic } from '../../tools/serve-web.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'web-demo.png');
const EPOCHS = 40;

let server: Awaited<ReturnType<typeof serveStatic>>;
let context: BrowserContext;
let page: Page;
let launch: ChromiumLaunch;
let profile: string;
const problems: string[] = [];

beforeAll(async () => {
  await buildBrowser();
  server = await serveStatic(ROOT.replace(/\/$/, ''));
  profile = mkdtempSync(join(tmpdir(), 'torchlet-chromium-'));
  ({ context, launch } = await launchChromium(profile, { width: 1100, height: 820 }));
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => (m.type() === 'error' ? problems.push(`console error: ${m.text()}`) : undefined));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Non-white pixels of a canvas, and how many are the forecast's red (#d62728). */
function pixels(id: string): Promise<{ ink: number; red: number; total: number }> {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    let red = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) ink++;
      if (d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90) red++;
    }
    return { ink, red, total: d.length / 4 };
  }, id);
}

describe('examples/web in headless Chromium', () => {
  it('runs the browser from @sparticuz/chromium unless TORCHLET_CHROMIUM names one', async () => {
    const ua = await page.evaluate(() => navigator.userAgent);
    if (process.env.TORCHLET_CHROMIUM) {
      expect(launch.executablePath).toBe(process.env.TORCHLET_CHROMIUM);
    } else if (process.platform === 'linux' && process.arch === 'x64') {
      // the package's major version is its Chromium's major version
      const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')) as { version: string };
      expect(launch.source).toBe(`@sparticuz/chromium ${version}`);
      expect(launch.executablePath.startsWith(join(ROOT, 'node_modules', '.cache', 'torchlet-chromium'))).toBe(true);
      expect(ua).toContain(`HeadlessChrome/${version.split('.')[0]}.`);
    }
  });

  it('trains the LSTM live: the loss falls, the charts are drawn, a screenshot is saved', async () => {
    await page.goto(`${server.url}examples/web/?epochs=${EPOCHS}&hidden=16`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await page.click('#train');
    await page.waitForSelector('body[data-state="training"]', { timeout: 10_000 });
    // the status line updates while training runs (the page stays responsive)
    await page.waitForFunction(() => (window as any).torchletDemo.epoch >= 4, undefined, { timeout: 60_000 });
    expect(await page.textContent('#status')).toMatch(/^epoch \d+\/40 {3}loss [\d.]+ {3}val RMSE [\d.]+ {3}[\d.]+ it\/s/);
    await page.waitForFunction(() => ['done', 'error'].includes((window as any).torchletDemo.state), undefined, { timeout: 240_000 });
    const demo = await page.evaluate(() => (window as any).torchletDemo);
    expect(demo.error).toBeNull();
    expect(demo.state).toBe('done');
    expect(demo.losses).toHaveLength(EPOCHS);
    const first = demo.losses[0];
    const last = demo.losses[demo.losses.length - 1];
    expect(last).toBeLessThan(first * 0.5);
    expect(Number.isFinite(demo.testRmse)).toBe(true);
    expect(demo.baselineRmse).toBeCloseTo(49.99, 1);
    expect(await page.textContent('#status')).toMatch(/^done after 40 epochs .* test RMSE: LSTM [\d.]+ vs seasonal naive 50\.0$/);

    const forecast = await pixels('forecast');
    const loss = await pixels('loss');
    expect(forecast.ink).toBeGreaterThan(forecast.total * 0.01);
    expect(forecast.red).toBeGreaterThan(50); // the LSTM forecast line
    expect(loss.ink).toBeGreaterThan(loss.total * 0.01);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual([]);
  }, 300_000);

  it('loads the wasm module from a URL with torch.backends.wasm.setWasmPath', async () => {
    const p = await context.newPage();
    const fetched: string[] = [];
    p.on('request', (r) => (r.url().endsWith('.wasm') ? fetched.push(new URL(r.url()).pathname) : undefined));
    await p.goto(`${server.url}test/browser/blank.html`);
    // a string, so that vitest does not rewrite the page's dynamic import
    const out = await p.evaluate(`(async () => {
      const torch = await import('/dist/browser/torchlet.js');
      torch.backends.wasm.setWasmPath('/dist/browser/torchlet.wasm');
      await torch.backends.wasm.preload();
      torch.backends.setBackend('wasm');
      const y = torch.matmul(torch.arange(6).reshape(2, 3).float(), torch.ones(3, 2));
      return [torch.backends.current(), torch.backends.wasm.info().source, Array.from(y.dataSync())];
    })()`);
    await p.close();
    expect(out).toEqual(['wasm', '/dist/browser/torchlet.wasm', [3, 3, 12, 12]]);
    expect(fetched).toEqual(['/dist/browser/torchlet.wasm']);
  });
});
