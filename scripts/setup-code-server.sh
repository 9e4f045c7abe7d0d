#!/usr/bin/env bash
# Installs a real VS Code (code-server, pinned) and Debian's Chromium for the integration and e2e
# suites, offline-safe: only the npm registry and Debian packages are used. The install is cached in
# an ignored folder (.tools/ by default, ESC_TOOLS_DIR to override) so a second run returns at once.
# Facts behind each step: ../shared/docs/REAL-VSCODE-OFFLINE.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tools-env.sh"
STAMP="$CS_DIR/.installed"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }

source "$ROOT/scripts/apt-packages.sh"
install_debian_packages setup-code-server yes chromium ripgrep libkrb5-dev fonts-dejavu-core

if [ -f "$STAMP" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $CS_DIR"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (about 2 minutes, once)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
# A package.json of its own keeps npm from walking up into the extension's package.json.
printf '{"name":"esc-studio-tools","private":true}\n' >"$CS_DIR/package.json"
# ignore-scripts=false: the project .npmrc skips dependency scripts, and npm hands its settings to the
# scripts it runs (npm start, npm test), but these rebuilds must run theirs
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_audit=false npm_config_fund=false npm_config_ignore_scripts=false
cd "$CS_DIR"
# Its postinstall downloads ripgrep from GitHub, which fails offline: skip scripts, then do by hand.
npm install --no-save --ignore-scripts --loglevel=error "code-server@$CODE_SERVER_VERSION"

VSCODE="$CS_DIR/node_modules/code-server/lib/vscode"
(
  cd "$VSCODE"
  npm install --ignore-scripts --omit=dev --loglevel=error
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild --loglevel=error @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty
  ln -sfn node_modules node_modules.asar
)
(cd "$VSCODE/extensions" && npm install --ignore-scripts --omit=dev --loglevel=error)
# argon2 builds from source when its prebuilt download fails.
npm rebuild --loglevel=error argon2

touch "$STAMP"
log "done"
