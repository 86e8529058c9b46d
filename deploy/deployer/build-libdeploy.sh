#!/usr/bin/env bash
# Builds libdeploy (packages/libdeploy) for the deployer image: one ES module with its
# dependencies bundled in (@kubernetes/client-node, kubernetes-models, yaml), laid out as the
# package @internal/libdeploy, so no `npm install` runs in the image and every service's
# deploy.ts imports exactly the library this repository tested.
#
#   deploy/deployer/build-libdeploy.sh
#       writes deploy/deployer/build/node_modules/@internal/libdeploy, which the Dockerfile copies
#   deploy/deployer/build-libdeploy.sh --root <dir>
#       also does what the Dockerfile does with it, without Docker, into <dir> as the image's /:
#       <dir>/deploy/node_modules/@internal/libdeploy and the command <dir>/usr/local/bin/libdeploy
#       (packages/libdeploy/src/deployerImage.test.ts runs a deploy.ts from there)
#
# Needs the repository's node_modules (yarn install) and Node 22.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
root=""
if [ "${1:-}" = "--root" ]; then root="${2:?--root needs a folder}"; fi

build="$here/build"
if [ -n "$root" ]; then build="$(mktemp -d)"; trap 'rm -rf "$build"' EXIT; fi
pkg="$build/node_modules/@internal/libdeploy"
rm -rf "$pkg" && mkdir -p "$pkg/bin"

# ES module output; bundled CommonJS dependencies get a real `require` for Node's own modules.
# ws's optional native speed-ups stay out: ws runs without them.
node "$repo/node_modules/esbuild/bin/esbuild" "$repo/packages/libdeploy/src/index.ts" \
  --bundle --platform=node --format=esm --target=node22 --legal-comments=none \
  --external:bufferutil --external:utf-8-validate \
  --banner:js="import { createRequire as __libdeployRequire } from 'node:module'; const require = __libdeployRequire(import.meta.url);" \
  --outfile="$pkg/index.mjs" --log-level=warning
cp "$repo/packages/libdeploy/bin/libdeploy.mjs" "$pkg/bin/libdeploy.mjs"
cp "$repo/packages/libdeploy/README.md" "$pkg/README.md"
version="$(node -p "require('$repo/packages/libdeploy/package.json').version")"
cat > "$pkg/package.json" <<JSON
{
  "name": "@internal/libdeploy",
  "version": "$version",
  "description": "libdeploy for SLeD deploy scripts, bundled for the deployer image",
  "type": "module",
  "main": "index.mjs",
  "bin": { "libdeploy": "bin/libdeploy.mjs" }
}
JSON

if [ -n "$root" ]; then
  # the Dockerfile's steps: COPY build/node_modules/ /deploy/node_modules/, then the command
  mkdir -p "$root/deploy/node_modules" "$root/usr/local/bin"
  rm -rf "$root/deploy/node_modules/@internal/libdeploy"
  cp -R "$build/node_modules/." "$root/deploy/node_modules/"
  ln -sf ../../../deploy/node_modules/@internal/libdeploy/bin/libdeploy.mjs "$root/usr/local/bin/libdeploy"
fi
