/**
 * The headless browser the browser tests drive, launched with playwright-core (which downloads no
 * browser of its own). It comes from the `@sparticuz/chromium` dev dependency: a headless Chromium
 * for Linux x64 shipped brotli-compressed inside the npm package (no install script, no download),
 * with the libraries it needs beyond glibc (NSS, NSPR, expat: built for Amazon Linux 2023, which
 * Debian, Ubuntu and Fedora run as well), SwiftShader for WebGL/WebGPU without a GPU, and a font.
 * So `npm install && npm test` needs no browser from the system.
 *
 * The first launch unpacks it (about 2 s) into node_modules/.cache/torchlet-chromium/<version>/:
 * into a fresh folder, renamed into place when complete, so an interrupted or concurrent unpack
 * never leaves a half-written browser behind. `TORCHLET_CHROMIUM=/path/to/chrome` uses that
 * browser instead. On other platforms (the package ships no binary for macOS, Windows or Linux
 * arm64), an installed Chrome, Edge or Chromium is used, or TORCHLET_CHROMIUM must name one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { type BrowserContext, type LaunchOptions, chromium as playwright } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Flags for headless runs in tests: no first-run UI, no background traffic, WebGPU on SwiftShader. */
const COMMON_FLAGS = [
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
];
/** Features to enable (merged with the package's own list: Chromium keeps only the last flag). */
const FEATURES = ['Vulkan'];

/** Where Chrome, Edge and Chromium install themselves on the platforms @sparticuz/chromium does not cover. */
function systemBrowsers(): string[] {
  if (process.platform === 'win32') {
    const dirs = [process.env['PROGRAMFILES'], process.env['PROGRAMFILES(X86)'], process.env['LOCALAPPDATA']].filter((d): d is string => !!d);
    return dirs.flatMap((d) => [join(d, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(d, 'Microsoft', 'Edge', 'Application', 'msedge.exe')]);
  }
  if (process.platform === 'darwin') {
    return ['Google Chrome', 'Chromium', 'Microsoft Edge'].map((app) => `/Applications/${app}.app/Contents/MacOS/${app}`);
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
}

/** Where the browser comes from, and how to launch it. */
export interface ChromiumLaunch {
  /** The browser executable. */
  executablePath: string;
  /** 'TORCHLET_CHROMIUM' (the override), '@sparticuz/chromium <version>', or 'system'. */
  source: string;
  /** playwright-core launch options (executable, flags, environment); `headless: true`. */
  options: LaunchOptions;
}

/** Extracts the regular files of an uncompressed (ustar / GNU) tar archive into `dir`. */
function untar(tar: Uint8Array, dir: string): void {
  const text = (at: number, len: number): string => {
    const field = tar.subarray(at, at + len);
    const end = field.indexOf(0);
    return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString('utf8');
  };
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = text(at, 100);
    if (name === '') break; // the two zero blocks that end the archive
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[at + 156]!);
    const prefix = text(at + 345, 155);
    const path = (prefix ? `${prefix}/` : '') + name;
    if ((type === '0' || type === '\0') && !path.split('/').includes('..')) {
      const out = join(dir, path);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, tar.subarray(at + 512, at + 512 + size), { mode: 0o755 });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/**
 * Unpacks @sparticuz/chromium into the cache (once per version); returns the folder that holds
 * `chromium`, SwiftShader's libraries, `lib/` (NSS, NSPR, expat) and `fonts/`.
 */
async function unpackSparticuz(): Promise<{ dir: string; version: string }> {
  const pkgDir = join(root, 'node_modules', '@sparticuz', 'chromium');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(root, 'node_modules', '.cache', 'torchlet-chromium', `${version}-${process.arch}`);
  if (existsSync(join(dir, 'complete'))) return { dir, version };
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const bin = join(pkgDir, 'bin');
  // The package unpacks its browser into os.tmpdir(), a shared /tmp where a stale or partial
  // copy of another version may sit; pointing TMPDIR at the staging folder for the call keeps
  // ours private and versioned.
  const { default: sparticuz } = await import('@sparticuz/chromium');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    const exe = await sparticuz.executablePath(bin);
    if (exe !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${exe}, expected ${staging}`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  // The libraries (the package only unpacks them on Amazon Linux; a machine without a system
  // Chromium may lack them) and a fontconfig file for the bundled font alone.
  untar(brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))), staging);
  writeFileSync(
    join(staging, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  writeFileSync(join(staging, 'complete'), `${version}\n`);
  try {
    renameSync(staging, dir);
  } catch (err) {
    // another process finished first: use its copy
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'complete'))) throw err;
  }
  return { dir, version };
}

/**
 * The browser to launch: `TORCHLET_CHROMIUM` when set, else @sparticuz/chromium (Linux x64), else
 * an installed Chrome, Edge or Chromium.
 * @example const { options } = await chromiumLaunch(); const browser = await chromium.launch(options);
 */
export async function chromiumLaunch(): Promise<ChromiumLaunch> {
  const override = process.env.TORCHLET_CHROMIUM;
  if (override) {
    if (!existsSync(override)) throw new Error(`TORCHLET_CHROMIUM=${override}: no such file`);
    return {
      executablePath: override,
      source: 'TORCHLET_CHROMIUM',
      options: { executablePath: override, headless: true, args: ['--no-sandbox', ...COMMON_FLAGS, `--enable-features=${FEATURES.join(',')}`] },
    };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    const found = systemBrowsers().find((p) => existsSync(p));
    if (found) {
      return { executablePath: found, source: 'system', options: { executablePath: found, headless: true, args: [...COMMON_FLAGS, `--enable-features=${FEATURES.join(',')}`] } };
    }
    throw new Error(
      `@sparticuz/chromium ships a browser for Linux x64 only (this is ${process.platform}-${process.arch}) and no ` +
        'Chrome, Chromium or Edge was found: set TORCHLET_CHROMIUM to a Chromium-based browser to run the browser tests',
    );
  }
  const { default: sparticuz } = await import('@sparticuz/chromium');
  const { dir, version } = await unpackSparticuz();
  const executablePath = join(dir, 'chromium');
  // Its flags, minus single-process and in-process GPU (WebGPU needs a GPU process) and its own
  // headless mode (playwright-core sets one); its enabled features gain ours.
  const features = [...FEATURES];
  const args = sparticuz.args.filter((a) => {
    if (a.startsWith('--enable-features=')) features.unshift(...a.slice('--enable-features='.length).split(','));
    return !/^--(single-process|in-process-gpu|headless|enable-features)(=|$)/.test(a);
  });
  const ld = [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return {
    executablePath,
    source: `@sparticuz/chromium ${version}`,
    options: {
      executablePath,
      headless: true,
      args: [...args, ...COMMON_FLAGS, `--enable-features=${features.join(',')}`],
      env: { ...process.env, LD_LIBRARY_PATH: ld, FONTCONFIG_PATH: dir } as Record<string, string>,
    },
  };
}

/**
 * Launches a headless persistent context (a fresh profile in `profile`).
 * @example const { context } = await launchChromium(mkdtempSync(join(tmpdir(), 'p-')), { width: 800, height: 600 });
 */
export async function launchChromium(
  profile: string,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; launch: ChromiumLaunch }> {
  const launch = await chromiumLaunch();
  const context = await playwright.launchPersistentContext(profile, { ...launch.options, viewport });
  return { context, launch };
}
