#!/usr/bin/env bash
# Fuzzes the case feed parser and CaseBoard (tests/fuzz/fuzz_case_message.cpp) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer for SECONDS (default 20) on a copy of the seed
# corpus. Exits non-zero when the fuzzer finds a crash, leak, timeout or undefined behaviour; the
# reproducer is left in build-fuzz/ (crash-*, leak-*, timeout-*).
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
out=build-fuzz
mkdir -p "$out"
cxx="${CXX_FUZZ:-clang++}"
sources=(tests/fuzz/fuzz_case_message.cpp controller/case_feed_parser.cpp controller/case_board.cpp)

# Rebuild only when a source or header changed.
binary="$out/fuzz_case_message"
if [ ! -x "$binary" ] || [ -n "$(find tests/fuzz controller/case_* renderer/case_view.hpp \
      -newer "$binary" -print -quit)" ]; then
  echo "fuzz.sh: building $binary"
  "$cxx" -std=c++20 -g -O1 -I. -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${sources[@]}" -o "$binary"
fi

corpus="$out/corpus"
rm -rf "$corpus"
cp -r tests/fuzz/corpus/case_message "$corpus"
echo "fuzz.sh: fuzzing for ${seconds} s"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# -max_len above 64 KiB reaches the size check; -rss_limit_mb bounds memory; -timeout per input.
"$binary" "$corpus" -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1
