// The package's install script (native/build.mjs --install) as a consumer's `npm install` runs it:
// silent when the shipped binary loads, bounded in time when it builds, and naming a command that
// works in the consumer's project when it cannot build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const prebuilt = join('prebuilds', `${process.platform}-${process.arch}`, 'torchlet.node');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the package's native sources at <tmp>/node_modules/torchlet, as npm installs it. */
function installedCopy(withPrebuilt: boolean): string {
  const project = mkdtempSync(join(tmpdir(), 'torchlet-install-'));
  dirs.push(project);
  const pkg = join(project, 'node_modules', 'torchlet');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'binding.gyp'), join(pkg, 'binding.gyp'));
  cpSync(join(root, 'native'), join(pkg, 'native'), { recursive: true });
  if (withPrebuilt) cpSync(join(root, prebuilt), join(pkg, prebuilt));
  // torchlet's dependency, installed beside it as npm does
  symlinkSync(join(root, 'node_modules', 'node-addon-api'), join(project, 'node_modules', 'node-addon-api'), 'dir');
  return pkg;
}

function runInstall(pkg: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(pkg, 'native', 'build.mjs'), '--install'], {
    cwd: pkg,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the install script', () => {
  it.runIf(existsSync(join(root, prebuilt)))('builds nothing and prints nothing when the shipped binary loads', () => {
    const pkg = installedCopy(true);
    const r = runInstall(pkg, { TORCHLET_BUILD_TIMEOUT: '1' });
    expect(r.status).toBe(0);
    expect(r.out).toBe('');
    expect(existsSync(join(pkg, 'build'))).toBe(false);
  });

  it('stops a build from source at its time limit, never fails the install, and names `npm rebuild torchlet`', () => {
    const pkg = installedCopy(false);
    const r = runInstall(pkg, { TORCHLET_BUILD_TIMEOUT: '1' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('the build took longer than 1 s (TORCHLET_BUILD_TIMEOUT) and was stopped');
    expect(r.out).toContain('`npm rebuild torchlet` retries');
  });
});
