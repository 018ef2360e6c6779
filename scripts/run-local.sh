#!/usr/bin/env bash
# Runs m365-connector locally with Azure Functions Core Tools and Azurite: npm start (or bash scripts/run-local.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v func >/dev/null 2>&1; then
  cat >&2 <<'MSG'
Azure Functions Core Tools (the `func` command) is not installed, so the functions cannot be hosted locally.
Install version 4, then run this again:
  npm install -g azure-functions-core-tools@4 --unsafe-perm true     (any OS with Node.js)
  brew tap azure/functions && brew install azure-functions-core-tools@4   (macOS)
  winget install Microsoft.Azure.FunctionsCoreTools                   (Windows)
  or see https://learn.microsoft.com/azure/azure-functions/functions-run-local
No Core Tools at hand? `npm run demo` runs the whole flow with local fakes and no Microsoft tenant.
MSG
  exit 2
fi
for tool in java mvn npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed: JDK 17, Maven and Node.js/npm are needed." >&2; exit 2; }
done

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  key=$(openssl rand -base64 32 2>/dev/null || head -c 32 /dev/urandom | base64)
  sed -i.bak "s#replace-with-output-of-openssl-rand-base64-32#${key}#" local.settings.json && rm -f local.settings.json.bak
  echo "Created local.settings.json from the sample with a fresh LOCAL_TOKEN_KEY."
  echo "Put your app registration's client id and secret in M365_GLOBAL_CLIENT_ID / M365_GLOBAL_CLIENT_SECRET (see docs/APP-REGISTRATION.md)."
fi

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
mkdir -p .azurite
node_modules/.bin/azurite --silent --skipApiVersionCheck --loose --disableTelemetry --location .azurite --debug .azurite/debug.log &
azurite_pid=$!
trap 'kill $azurite_pid 2>/dev/null || true' EXIT
echo "Azurite started (blob 10000, queue 10001, table 10002)."

mvn -q -DskipTests package
cd target/azure-functions/m365-connector
cp ../../../local.settings.json .
func start
