#!/usr/bin/env bash
# swift-trm quick start on Debian/Ubuntu (root, no GPU): installs oneDNN if missing, builds the
# `trm` tool in release mode, and solves the embedded default Sudoku with the bundled model,
# step by step. Needs a Swift 6 toolchain on PATH (swift.org/install; preinstalled on our
# development images).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" = "Linux" ]; then
  bash scripts/install-deps.sh
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: no Swift toolchain on PATH. Install Swift 6 (https://swift.org/install) and run this again." >&2
  exit 1
fi

echo "==> building trm (release)"
swift build -c release --product trm

echo "==> trm solve (bundled Sudoku model, embedded default puzzle)"
.build/release/trm solve "$@"
