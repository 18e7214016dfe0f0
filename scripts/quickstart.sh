#!/usr/bin/env bash
# swift-trm quick start on Debian/Ubuntu (root, no GPU): installs OpenBLAS if missing, builds the
# `trm` tool in release mode, and solves the embedded default Sudoku with the bundled model,
# step by step. Needs a Swift 6 toolchain on PATH (swift.org/install; preinstalled on our
# development images).
set -euo pipefail
cd "$(dirname "$0")/.."

have_cblas() {
  for f in /usr/include/cblas.h /usr/include/*-linux-gnu/cblas.h /usr/include/openblas/cblas.h; do
    [ -e "$f" ] && return 0
  done
  return 1
}

if [ "$(uname -s)" = "Linux" ] && ! have_cblas; then
  echo "==> installing OpenBLAS (libopenblas-dev)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libopenblas-dev
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: no Swift toolchain on PATH. Install Swift 6 (https://swift.org/install) and run this again." >&2
  exit 1
fi

echo "==> building trm (release)"
swift build -c release --product trm

echo "==> trm solve (bundled Sudoku model, embedded default puzzle)"
.build/release/trm solve "$@"
