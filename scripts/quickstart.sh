#!/bin/sh
# One command on a fresh machine: install, build, prepare the embedded database with demo data, serve.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# The server runs as JavaScript built once (npm run build): rebuilt when a source is newer.
if [ ! -f dist/cli/main.js ] || [ -n "$(find src tsconfig.json tsconfig.build.json package-lock.json -newer dist/cli/main.js -print -quit)" ]; then
  npm run build
fi
# The staff console (Vite): rebuilt when one of its sources is newer than the build.
if [ ! -f console/dist/index.html ] || [ -n "$(find console/src console/index.html console/vite.config.ts src package-lock.json -newer console/dist/index.html -print -quit)" ]; then
  npm run build:console
fi
exec node dist/cli/main.js quickstart "$@"
