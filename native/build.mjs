#!/usr/bin/env node
// Builds the native backend with node-gyp.
//
//   node native/build.mjs            (`npm run build:native`) build build/Release/torchlet.node and
//                                    copy it to prebuilds/<platform>-<arch>/torchlet.node; fails
//                                    loudly (exit 1) when the build fails.
//   node native/build.mjs --install  (the package's `install` script) build from source when the
//                                    sources and a toolchain are there. Never fails the install: on
//                                    any error it prints why and exits 0, and torchlet then runs on
//                                    its prebuilt binary or the js backend. Installed as a
//                                    dependency (inside node_modules) with a prebuilt binary for
//                                    this platform that loads, it builds nothing and prints nothing.
//                                    A build from source stops after TORCHLET_BUILD_TIMEOUT seconds
//                                    (default 600), so it can never hang an install.
//
// node-gyp comes with npm (npm sets npm_config_node_gyp for scripts). Node's headers are taken
// from this Node's own installation (<prefix>/include/node) when present, so no download is
// needed; npm_config_nodedir, when set, wins.
/* global process, console, setTimeout, clearTimeout */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const install = process.argv.includes('--install');
const built = join(root, 'build', 'Release', 'torchlet.node');
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'torchlet.node');
// Installed as a dependency (inside a project's node_modules) or a checkout of the repository:
// the command that retries the build differs.
const asDependency = root.split(/[\\/]/).includes('node_modules');
const retry = asDependency ? 'npm rebuild torchlet' : 'npm run build:native';
const timeoutSeconds = Number(process.env.TORCHLET_BUILD_TIMEOUT) > 0 ? Number(process.env.TORCHLET_BUILD_TIMEOUT) : 600;
const require = createRequire(import.meta.url);

function say(msg) {
  console.log(`torchlet: ${msg}`);
}

/** Loads a binary in a child process (a crash there cannot take this one down); '' when it works. */
function loadError(file) {
  const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(file)}); console.log(m.isa)`], {
    encoding: 'utf8',
  });
  return r.status === 0 ? '' : (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n')[0];
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return [process.execPath, process.env.npm_config_node_gyp];
  }
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    // npm's bundled copy, next to this Node's npm
    const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp',
      'bin', 'node-gyp.js');
    if (existsSync(bundled)) return [process.execPath, bundled];
    return ['node-gyp'];
  }
}

async function build() {
  const [cmd, ...pre] = nodeGyp();
  const args = [...pre, 'rebuild', '--release', `--jobs=${Math.min(4, availableParallelism())}`];
  const ownHeaders = resolve(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(ownHeaders, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${ownHeaders}`);
  }
  // An install's build runs in its own process group (POSIX), so that past its time limit it is
  // stopped with its compilers; an interactive one stays in the terminal's group (Ctrl-C reaches it).
  const r = await new Promise((done) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: install ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      detached: install && process.platform !== 'win32',
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (install && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutSeconds * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ error, status: null, out, timedOut });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ error: null, status, out, timedOut });
    });
  });
  if (r.timedOut) return `the build took longer than ${timeoutSeconds} s (TORCHLET_BUILD_TIMEOUT) and was stopped`;
  if (r.error) return `could not run node-gyp: ${r.error.message}`;
  if (r.status !== 0) {
    const out = r.out.trim().split('\n');
    return `node-gyp exited with ${r.status}${install ? `:\n  ${out.slice(-15).join('\n  ')}` : ''}`;
  }
  return '';
}

async function main() {
  if (!existsSync(join(root, 'binding.gyp')) || !existsSync(join(root, 'native', 'addon.cc'))) {
    if (install) return 0; // a package without the sources: nothing to build
    say('native sources not found (binding.gyp, native/)');
    return 1;
  }
  if (install && asDependency && existsSync(prebuilt) && !loadError(prebuilt)) {
    return 0; // installed as a dependency and the shipped binary works
  }
  const err = await build();
  if (err) {
    say(`native backend not built (${err}).`);
    if (install) {
      say(`the js backend (or a prebuilt binary, if one loads) will be used; \`${retry}\` retries.`);
      return 0;
    }
    return 1;
  }
  const bad = loadError(built);
  if (bad) {
    say(`built ${built} but it does not load: ${bad}`);
    return install ? 0 : 1;
  }
  if (!install) {
    mkdirSync(dirname(prebuilt), { recursive: true });
    copyFileSync(built, prebuilt);
    say(`native backend built and copied to ${prebuilt}`);
  } else {
    say('native backend built (build/Release/torchlet.node)');
  }
  return 0;
}

let code;
try {
  code = await main();
} catch (e) {
  say(`native build failed: ${e instanceof Error ? e.message : String(e)}`);
  code = install ? 0 : 1;
}
process.exit(code);
