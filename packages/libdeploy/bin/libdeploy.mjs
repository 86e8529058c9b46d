#!/usr/bin/env node
// The `libdeploy` command. In this repository it runs the TypeScript source
// (Node 22.18+ strips the types); installed, the built package.
import { existsSync } from 'node:fs';

const candidates = ['../src/index.ts', '../dist/index.mjs', '../index.mjs'];
const entry = candidates
  .map(path => new URL(path, import.meta.url))
  .find(url => existsSync(url));
if (!entry) {
  process.stderr.write(
    'libdeploy: cannot find the library next to its command\n',
  );
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
