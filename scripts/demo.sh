#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), builds, and opens the wall on 16 simulated
# district cameras. Extra arguments go to videowall (e.g. --headless, --lang en). wallctl is
# built too, to drive the running wall (docs/api.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/configure.sh
cmake --build build -j"$(nproc)" --target videowall videowall-casesim wallctl
exec build/bin/videowall --demo "$@"
