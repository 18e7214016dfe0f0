#!/usr/bin/env bash
# Installs the system packages swift-trm needs on Debian/Ubuntu (run as root):
#   libdnnl-dev      always (oneDNN: the tensor engine's matrix products, fp32 and bf16)
#   chromium         with --test (the web page's browser test drives headless Chromium)
# Packages already present are left alone.
set -euo pipefail
want=(libdnnl-dev)
[ "${1:-}" = "--test" ] && want+=(chromium)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
