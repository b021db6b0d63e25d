#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), builds with warnings as errors, and runs every
# test under a virtual X display (Xvfb + Mesa llvmpipe: no GPU needed).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDEOWALL_WERROR=ON
cmake --build build -j"$(nproc)"
# A short bounded fuzzing run of each fuzz target (longer campaigns: scripts/fuzz.sh 600).
timeout 300 bash scripts/fuzz.sh 20
# Tests start real RTSP servers and decoders; one at a time keeps their timing honest on 2 cores.
xvfb-run -a -s "-screen 0 1920x1080x24" ctest --test-dir build --output-on-failure --timeout 900
