#!/usr/bin/env bash
# Installs the Python reference the metric tests compare against: Debian's python3-nltk (3.8) and
# python3-sklearn. Only Debian packages are used (no PyPI, no NLTK data download: the tokenizer
# contract is NLTKWordTokenizer, which needs no Punkt data). Without root and without the packages,
# it says how to install them and the differential tests skip with that reason.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/apt-packages.sh"
install_debian_packages setup-reference no python3 python3-nltk python3-sklearn || true
