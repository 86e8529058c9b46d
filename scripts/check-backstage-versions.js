#!/usr/bin/env node
// Fails when the lockfile holds more than one version of a @backstage/*
// package (a stale package beside newer ones breaks start-up). The CLI's
// versions:check is gone; `yarn dedupe --check` says only whether dedupe
// would change something, not which packages are duplicated.
const fs = require('fs');
const path = require('path');

const lock = fs.readFileSync(
  process.argv[2] ?? path.resolve(__dirname, '..', 'yarn.lock'),
  'utf8',
);
const versions = new Map();
let current;
for (const line of lock.split('\n')) {
  const key = /^"?(@backstage\/[^@"]+)@/.exec(line);
  if (key) current = key[1];
  else if (!line.startsWith(' ')) current = undefined;
  const version = /^ {2}version: "?([^"\s]+)"?/.exec(line);
  if (current && version) {
    const set = versions.get(current) ?? new Set();
    set.add(version[1]);
    versions.set(current, set);
  }
}
const duplicated = [...versions].filter(([, set]) => set.size > 1);
for (const [name, set] of duplicated) {
  console.error(`${name}: ${[...set].join(', ')}`);
}
if (duplicated.length) {
  console.error(
    `${duplicated.length} @backstage/* packages have more than one version in yarn.lock`,
  );
  process.exit(1);
}
console.log(
  `one version of each of ${versions.size} @backstage/* packages in yarn.lock`,
);
