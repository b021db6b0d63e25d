#!/usr/bin/env bash
# The one configuration of the build folder, shared by scripts/demo.sh and scripts/test.sh so that
# running one after the other never rebuilds what the first built.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDEOWALL_WERROR=ON
