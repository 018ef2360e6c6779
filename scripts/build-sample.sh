#!/usr/bin/env bash
# Installs (when package-lock.json changed since the last install) and builds the sample web app in
# samples/webapp. Used by mvn (generate-test-resources) and by npm run demo; quiet unless it works.
set -euo pipefail
cd "$(dirname "$0")/../samples/webapp"

command -v npm >/dev/null 2>&1 || { echo "npm is not installed: the sample web app needs Node.js 20+ and npm (https://nodejs.org)." >&2; exit 2; }
stamp=node_modules/.installed-package-lock.json
if ! cmp -s package-lock.json "$stamp"; then
  echo "Installing the sample web app's packages (npm ci, samples/webapp)..."
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run --silent build
