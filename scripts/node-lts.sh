#!/usr/bin/env bash
# Runs a command with Node.js at the project's LTS line on PATH: `bash scripts/node-lts.sh npm install`.
# A system Node.js of that line or newer is used as it is. An older one (Node 20 reached end of life in
# April 2026; the dependencies ask for 22 or newer) gets the npm registry's `node` package at the pinned
# version, installed once under the user's cache folder with the system npm: no other download site.
set -euo pipefail
NODE_LTS_MAJOR=26
NODE_LTS_VERSION=26.10.0

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/node-lts.sh <command> [args...]   (for example: npm install)" >&2
  exit 2
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt "$NODE_LTS_MAJOR" ]; then
  prefix=${XDG_CACHE_HOME:-$HOME/.cache}/vllm-tco/node/$NODE_LTS_VERSION
  if [ ! -x "$prefix/node_modules/.bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "node-lts.sh: Node.js $NODE_LTS_MAJOR is needed and npm is missing to fetch it; install Node.js $NODE_LTS_MAJOR (https://nodejs.org) and run again." >&2
      exit 2
    fi
    echo "node-lts.sh: Node.js ${major:-none} is older than $NODE_LTS_MAJOR; installing node@$NODE_LTS_VERSION from the npm registry into $prefix" >&2
    mkdir -p "${prefix%/*}"
    tmp=$(mktemp -d "${prefix%/*}/.install.XXXXXX")
    npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error "node@$NODE_LTS_VERSION" >&2
    # Publish whole, so an install cut short never leaves half a Node behind.
    rm -rf "$prefix"
    mv "$tmp" "$prefix"
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
fi
exec "$@"
