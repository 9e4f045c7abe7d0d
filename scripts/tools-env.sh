# Sourced by the scripts: where the cached code-server lives (one place for the version and path).
CODE_SERVER_VERSION=4.100.3 # newest release whose engines.node is 20
TOOLS=${ESC_TOOLS_DIR:-$ROOT/.tools}
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
