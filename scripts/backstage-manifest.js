#!/usr/bin/env node
// Prints a Backstage release manifest for `backstage-cli versions:bump`
// (BACKSTAGE_MANIFEST_FILE) built from the npm registry: the `latest`
// version of every @backstage/* package this repository depends on. The
// usual source, versions.backstage.io, is out of reach on machines that only
// reach the npm registry. Usage: node scripts/backstage-manifest.js <release>
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const release = process.argv[2];
if (!/^\d+\.\d+\.\d+$/.test(release ?? '')) {
  console.error(
    'usage: node scripts/backstage-manifest.js <release, e.g. 1.57.1>',
  );
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const manifests = ['package.json'];
for (const dir of ['packages', 'plugins']) {
  for (const name of fs.readdirSync(path.join(root, dir))) {
    const file = path.join(dir, name, 'package.json');
    if (fs.existsSync(path.join(root, file))) manifests.push(file);
  }
}
const names = new Set();
for (const file of manifests) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (name.startsWith('@backstage/')) names.add(name);
    }
  }
}
const packages = [...names].sort().map(name => ({
  name,
  version: execFileSync('npm', ['view', name, 'version'], {
    encoding: 'utf8',
  }).trim(),
}));
process.stdout.write(
  `${JSON.stringify({ releaseVersion: release, packages }, null, 1)}\n`,
);
