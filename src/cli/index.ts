#!/usr/bin/env node
/**
 * Entry point of the `torchlet` command (package.json `bin`): `torchlet inspect FILE [--json]`,
 * `torchlet convert IN OUT`. See io-commands.ts.
 */
import { main } from './io-commands.js';

process.exitCode = main(process.argv.slice(2), {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
});
