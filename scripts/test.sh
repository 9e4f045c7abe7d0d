#!/usr/bin/env bash
# `npm test`: every check, in the order a failure is cheapest to find. Installs what the suites need
# (code-server, Debian chromium) on first use; later runs reuse the cache in .tools/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p test-results
started=$(date +%s)
stage() { printf '\n=== %s\n' "$*"; }

stage "typecheck"; npm run --silent typecheck
stage "lint"; npm run --silent lint
stage "format (prettier --check)"; npm run --silent format:check
stage "build"; npm run --silent build
stage "compile tests"; npm run --silent compile-tests

stage "install the Python metric reference (python3-nltk, python3-sklearn; Debian packages)"
bash scripts/setup-reference.sh

stage "unit tests (node:test, no VS Code)"
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results/unit.tap out/test/unit/

stage "install code-server and chromium (cached)"
bash scripts/setup-code-server.sh

stage "integration tests (mocha inside a real VS Code extension host: code-server + chromium)"
node out/test/runner/runInCodeServer.js

stage "e2e tests (playwright-core + chromium against code-server)"
node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results/e2e.tap out/test/e2e/

# Skipped tests (those that need ../shared, when it is not beside the clone) are counted apart, never as passed.
count() { grep -E "^# $1 " "$2" | awk '{print $3}'; }
unit_pass=$(count pass test-results/unit.tap); unit_fail=$(count fail test-results/unit.tap); unit_skip=$(count skipped test-results/unit.tap)
e2e_pass=$(count pass test-results/e2e.tap); e2e_fail=$(count fail test-results/e2e.tap); e2e_skip=$(count skipped test-results/e2e.tap)
read -r int_pass int_fail int_skip < <(sed -nE 's/^integration: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/p' test-results/integration.log)
printf '\nunit %s passed, %s skipped; integration %s passed, %s skipped; e2e %s passed, %s skipped; in %ss\n' \
  "$unit_pass" "$unit_skip" "$int_pass" "$int_skip" "$e2e_pass" "$e2e_skip" "$(( $(date +%s) - started ))"
echo "all: $((unit_pass + int_pass + e2e_pass)) passed, $((unit_fail + int_fail + e2e_fail)) failed, $((unit_skip + int_skip + e2e_skip)) skipped"
