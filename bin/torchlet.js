#!/usr/bin/env node
// The `torchlet` command. An installed package runs the compiled CLI (dist/cli/index.js); a source
// checkout (src/ present, tsx installed as a devDependency) runs the TypeScript sources directly,
// so `npx torchlet` works right after `npm install`, without a build step.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const src = new URL('../src/cli/index.ts', import.meta.url);
let api = null;
if (existsSync(src)) {
  try {
    api = await import('tsx/esm/api');
  } catch {
    api = null; // no tsx: fall back to the build
  }
}
if (api) {
  api.register();
  await import(src.href);
} else {
  await import(new URL('../dist/cli/index.js', import.meta.url).href);
}
