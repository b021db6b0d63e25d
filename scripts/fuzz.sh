#!/usr/bin/env bash
# Fuzzes with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, each target for SECONDS
# (default 20) on a copy of its seed corpus (tests/fuzz/corpus/TARGET):
#   case_message  the case feed parser and CaseBoard (tests/fuzz/fuzz_case_message.cpp)
#   api_request   the control API's request parser (tests/fuzz/fuzz_api_request.cpp)
# Usage: scripts/fuzz.sh [SECONDS] [TARGET]; without TARGET every target runs in turn.
# Exits non-zero when a fuzzer finds a crash, leak, timeout or undefined behaviour; the reproducer
# is left in build-fuzz/TARGET/ (crash-*, leak-*, timeout-*).
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
targets=(case_message api_request)
if [ $# -ge 2 ]; then
  case " ${targets[*]} " in
    *" $2 "*) targets=("$2") ;;
    *) echo "fuzz.sh: unknown target '$2' (known: ${targets[*]})" >&2; exit 2 ;;
  esac
fi
cxx="${CXX_FUZZ:-clang++}"

# Sets `sources` (compiled into the target) and `watched` (a change in any rebuilds it).
target_files() {
  case "$1" in
    case_message)
      sources=(tests/fuzz/fuzz_case_message.cpp controller/cases/case_feed_parser.cpp
               controller/cases/case_board.cpp)
      watched=(tests/fuzz/fuzz_case_message.cpp controller/cases/case_* renderer/case_view.hpp) ;;
    api_request)
      sources=(tests/fuzz/fuzz_api_request.cpp controller/api/request.cpp
               controller/api/request_describe.cpp
               controller/core/commands.cpp)
      watched=(tests/fuzz/fuzz_api_request.cpp controller/api/request* controller/core/commands.*) ;;
  esac
}

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
  target_files "$target"
  out="build-fuzz/$target"
  mkdir -p "$out"
  binary="$out/fuzz_$target"
  # Rebuild only when a source or header changed.
  if [ ! -x "$binary" ] || [ -n "$(find "${watched[@]}" -newer "$binary" -print -quit)" ]; then
    echo "fuzz.sh: building $binary"
    "$cxx" -std=c++20 -g -O1 -I. -fno-omit-frame-pointer \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      "${sources[@]}" -o "$binary"
  fi

  corpus="$out/corpus"
  rm -rf "$corpus"
  cp -r "tests/fuzz/corpus/$target" "$corpus"
  echo "fuzz.sh: fuzzing $target for ${seconds} s"
  # -max_len above 64 KiB reaches the case feed's size check; -rss_limit_mb bounds memory;
  # -timeout per input.
  "$binary" "$corpus" -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/" -print_final_stats=1
done
