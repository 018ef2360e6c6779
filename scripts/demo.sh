#!/usr/bin/env bash
# The no-tenant demo: npm run demo [-- --functions-port N --app-port N]
# Azurite, fakes of Entra ID, Microsoft Graph and Key Vault, the functions on a local host and a sample
# web app (samples/webapp), all on this machine. Says what it is doing from the first second; Ctrl+C or SIGTERM
# (to this script, or to npm: its script execs this one) stops it all: this script execs Maven, whose JVM
# stops the sample web app and Azurite in its shutdown hooks.
set -euo pipefail
cd "$(dirname "$0")/.."

functions_port="${DEMO_FUNCTIONS_PORT:-7071}"
app_port="${DEMO_APP_PORT:-3000}"

usage() {
  cat <<'USAGE'
Usage: npm run demo [-- --functions-port N] [--app-port N]
  --functions-port N   port of the functions (default 7071, or DEMO_FUNCTIONS_PORT)
  --app-port N         port of the sample web app (default 3000, or DEMO_APP_PORT)
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --functions-port) functions_port="${2:-}"; shift 2 ;;
    --app-port) app_port="${2:-}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option '$1'." >&2; usage >&2; exit 2 ;;
  esac
done
for port in "$functions_port" "$app_port"; do
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "'$port' is not a port number (1-65535). Example: npm run demo -- --functions-port 7072 --app-port 3001" >&2
    exit 2
  fi
done
if [ "$functions_port" = "$app_port" ]; then
  echo "The functions and the sample web app need two different ports (both are $app_port)." >&2
  exit 2
fi

echo "m365-connector demo: starting (functions on port $functions_port, sample web app on port $app_port; Ctrl+C stops everything)."

for tool in java mvn npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed: the demo needs JDK 17, Maven and Node.js/npm." >&2; exit 2; }
done

# A port in use is found now, in seconds, rather than after compiling.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$functions_port" "$app_port"; do
  if in_use "$port"; then
    echo "Port $port is already in use (another demo, or Azure Functions Core Tools?). Stop that, or choose free ports:" >&2
    echo "  npm run demo -- --functions-port 7072 --app-port 3001      (or DEMO_FUNCTIONS_PORT / DEMO_APP_PORT)" >&2
    exit 1
  fi
done

if [ -x node_modules/.bin/azurite ]; then
  echo "[1/4] Azurite (storage emulator) is installed."
else
  echo "[1/4] Installing Azurite (storage emulator) with npm: first run only..."
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "[2/4] Building the sample web app (samples/webapp)..."
bash scripts/build-sample.sh

if [ -f target/test-classes/io/m365connector/demo/DemoMain.class ]; then
  echo "[3/4] Compiling changes with Maven..."
else
  echo "[3/4] Compiling with Maven (a first run downloads the dependencies: about 2 minutes)..."
fi
run=(mvn -q -B -Dstyle.color=never -Pdemo -Dsample.skip=true "-Dexec.args=$functions_port $app_port" process-test-classes)
# A script that starts the demo in the background passes SIGINT on as ignored, and a JVM keeps an ignored
# SIGINT ignored: reset it to the default so Ctrl+C / kill -INT still run the demo's clean shutdown.
if command -v perl >/dev/null 2>&1; then
  exec perl -e '$SIG{INT} = "DEFAULT"; $SIG{TERM} = "DEFAULT"; exec @ARGV or die "cannot run mvn: $!\n"' "${run[@]}"
fi
exec "${run[@]}"
