#!/usr/bin/env bash
# `npm start`: from a fresh clone, installs what is needed (npm packages, code-server, Chromium is not
# needed here), builds and packages the extension, installs it into a code-server profile kept in
# .tools/demo-profile, and serves a real VS Code on the demo workspace. No model download, no GPU.
# Env: ESC_PORT (default 8080, the next free one is used if taken), ESC_HOST (default 127.0.0.1).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/tools-env.sh
log() { printf '[esc-studio] %s\n' "$*" >&2; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/setup-code-server.sh

PROFILE="$TOOLS/demo-profile"
mkdir -p "$PROFILE/user-data/User" "$PROFILE/extensions"
if [ ! -f "$PROFILE/user-data/User/settings.json" ]; then
  cat >"$PROFILE/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "git.openRepositoryInParentFolders": "never"
}
JSON
fi
bash scripts/install-extension.sh "$PROFILE/extensions"

HOST=${ESC_HOST:-127.0.0.1}
PORT=${ESC_PORT:-8080}
port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
for _ in $(seq 1 50); do port_free "$PORT" && break; PORT=$((PORT + 1)); done

URL="http://$HOST:$PORT/?folder=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$ROOT/demo")"
log "ESC Studio is starting in VS Code (code-server) on the demo workspace."
log "Open: $URL"
log "(click the ESC Studio icon in the activity bar; Ctrl+C here stops the server)"
echo "$URL"
exec node "$CODE_SERVER_ENTRY" --auth none --bind-addr "$HOST:$PORT" \
  --disable-telemetry --disable-update-check --disable-getting-started-override --disable-workspace-trust \
  --user-data-dir "$PROFILE/user-data" --extensions-dir "$PROFILE/extensions" "$ROOT/demo"
