#!/usr/bin/env bash
# Installs the Python reference the metric tests compare against: Debian's python3-nltk (3.8) and
# python3-sklearn. Only Debian packages are used (no PyPI, no NLTK data download: the tokenizer
# contract is NLTKWordTokenizer, which needs no Punkt data). Without root and without the packages,
# it says how to install them and the differential tests skip with that reason.
set -euo pipefail

log() { printf '[setup-reference] %s\n' "$*" >&2; }

missing=()
for pkg in python3 python3-nltk python3-sklearn; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  log "missing Debian packages: ${missing[*]} — run: sudo apt-get install -y ${missing[*]} (the metric differential tests skip until then)"
  exit 0
fi
log "apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
