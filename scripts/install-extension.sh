#!/usr/bin/env bash
# Packages the extension as a VSIX (production bundles) and installs it into a code-server
# extensions folder, the way a user installs it. Usage: install-extension.sh <extensions-dir>
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXT_DIR=${1:?usage: install-extension.sh <extensions-dir>}
source "$ROOT/scripts/tools-env.sh"

cd "$ROOT"
npm run --silent package >/dev/null
mkdir -p "$EXT_DIR"
node "$CODE_SERVER_ENTRY" --extensions-dir "$EXT_DIR" --install-extension "$ROOT/dist/esc-studio.vsix" --force >/dev/null
echo "[install-extension] installed dist/esc-studio.vsix into $EXT_DIR" >&2
