#!/bin/sh
# One command on a fresh machine: install, prepare the embedded database with demo data, serve.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
exec npx tsx src/cli/main.ts quickstart "$@"
