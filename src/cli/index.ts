#!/usr/bin/env node
/**
 * Entry point of the `torchlet` command (package.json `bin` -> bin/torchlet.js -> here). The
 * subcommands are registered in commands/index.ts; program.ts parses and dispatches (tests call
 * its `runCli`).
 */
import { runCli } from './program.js';

// `torchlet forecast ... | head` closes the pipe early: that is not an error
for (const s of [process.stdout, process.stderr]) s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : undefined));

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
