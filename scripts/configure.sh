#!/usr/bin/env bash
# The one configuration of the build folder, shared by scripts/demo.sh and scripts/test.sh so that
# running one after the other never rebuilds what the first built.
set -euo pipefail
cd "$(dirname "$0")/.."
# -g1: line tables and function names (backtraces, perf) without the variable info that made up a
# fifth of the compile time.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDEOWALL_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
