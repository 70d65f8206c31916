// `npm run build` starts here: removes what an earlier build left in dist/ (files of deleted
// sources, source maps), so `npm pack` ships exactly what this build emits. dist/browser, written
// by `npm run build:browser` and not part of the package, is kept.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
if (existsSync(dist)) {
  for (const f of readdirSync(dist)) if (f !== 'browser') rmSync(join(dist, f), { recursive: true, force: true });
}
