#!/usr/bin/env bash
# Fuzzes with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, each target for SECONDS
# (default 20) on a copy of its seed corpus (tests/fuzz/corpus/TARGET):
#   case_message  the case feed parser and CaseBoard (tests/fuzz/fuzz_case_message.cpp)
#   api_request   the control API's request parser (tests/fuzz/fuzz_api_request.cpp)
#   config        the daemon's config file loader (tests/fuzz/fuzz_config.cpp)
#   layout        the custom layout file loader (tests/fuzz/fuzz_layout.cpp)
#   alarm_rules   the alarm-rules file loader (tests/fuzz/fuzz_alarm_rules.cpp)
#   state_file    the wall's state file: state_from_json and StateStore::load
#                 (tests/fuzz/fuzz_state_file.cpp)
# Usage: scripts/fuzz.sh [SECONDS] [TARGET]; without TARGET every target runs in turn.
# Exits non-zero when a fuzzer finds a crash, leak, timeout or undefined behaviour; the reproducer
# is left in build-fuzz/TARGET/ (crash-*, leak-*, timeout-*).
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
targets=(case_message api_request config layout alarm_rules state_file)
if [ $# -ge 2 ]; then
  case " ${targets[*]} " in
    *" $2 "*) targets=("$2") ;;
    *) echo "fuzz.sh: unknown target '$2' (known: ${targets[*]})" >&2; exit 2 ;;
  esac
fi
cxx="${CXX_FUZZ:-clang++}"
cxxflags=(-std=c++20 -g1 -O1 -I. -fno-omit-frame-pointer
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
jobs="$(nproc)"

# The YAML readers and what the config's headers pull in (streams/, renderer/ and layouts/ types,
# the quality thresholds).
yaml_reader=(controller/core/config.cpp controller/core/config_outputs.cpp controller/core/config_quality.cpp
             controller/core/yaml_reader.cpp layouts/yaml_documents.cpp layouts/privacy_mask.cpp
             streams/rtsp_url.cpp streams/out/encoder_names.cpp renderer/render_path.cpp
             controller/quality/quality_checks.cpp)
yaml_watched=(tests/fuzz/fuzz_yaml.hpp controller/core/config.* controller/core/config_outputs.* controller/core/config_quality.*
              controller/core/yaml_reader.*
              layouts/yaml_documents.* layouts/layout.hpp layouts/privacy_mask.* streams/*.hpp streams/rtsp_url.cpp
              streams/out/encoder_names.*
              renderer/*.hpp renderer/render_path.cpp controller/quality/quality_checks.*)
layout_sources=(layouts/layout.cpp layouts/layout_library.cpp layouts/layout_yaml.cpp
                layouts/presets.cpp)

# Sets `sources` (compiled into the target), `watched` (a change in any rebuilds it) and `libs`
# (linked after the sources).
target_files() {
  libs=()
  case "$1" in
    case_message)
      sources=(tests/fuzz/fuzz_case_message.cpp controller/cases/case_feed_parser.cpp
               controller/cases/case_board.cpp controller/cases/district.cpp)
      watched=(tests/fuzz/fuzz_case_message.cpp controller/cases/case_* controller/cases/district.*
               renderer/case_view.hpp) ;;
    api_request)
      sources=(tests/fuzz/fuzz_api_request.cpp controller/api/request.cpp
               controller/api/request_describe.cpp
               controller/core/commands.cpp controller/core/roles.cpp)
      watched=(tests/fuzz/fuzz_api_request.cpp controller/api/request* controller/core/commands.*
               controller/core/roles.*) ;;
    config)
      sources=(tests/fuzz/fuzz_config.cpp "${yaml_reader[@]}")
      watched=(tests/fuzz/fuzz_config.cpp "${yaml_watched[@]}")
      libs=(-lyaml-cpp) ;;
    layout)
      sources=(tests/fuzz/fuzz_layout.cpp "${layout_sources[@]}" layouts/yaml_documents.cpp)
      watched=(tests/fuzz/fuzz_layout.cpp "${yaml_watched[@]}" layouts/*)
      libs=(-lyaml-cpp) ;;
    alarm_rules)
      sources=(tests/fuzz/fuzz_alarm_rules.cpp controller/cases/alarm_rules.cpp
               controller/cases/district.cpp renderer/quality_labels.cpp "${yaml_reader[@]}"
               "${layout_sources[@]}")
      watched=(tests/fuzz/fuzz_alarm_rules.cpp controller/cases/alarm_rules.*
               controller/cases/district.* controller/cases/case_event.hpp
               renderer/quality_labels.* "${yaml_watched[@]}" layouts/*)
      libs=(-lyaml-cpp) ;;
    state_file)
      sources=(tests/fuzz/fuzz_state_file.cpp controller/persist/state_store.cpp)
      watched=(tests/fuzz/fuzz_state_file.cpp controller/persist/state_store.*
               controller/core/wall_state.hpp controller/core/records.hpp
               controller/core/commands.hpp "${yaml_watched[@]}") ;;
  esac
}

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
  target_files "$target"
  out="build-fuzz/$target"
  mkdir -p "$out"
  binary="$out/fuzz_$target"
  # Rebuild only when a source or header changed. Objects are shared between the targets (the
  # YAML readers are in three of them), each compiled once: each source on a core of its own (up
  # to `jobs` at once), then one link per target.
  if [ ! -x "$binary" ] || [ -n "$(find "${watched[@]}" -newer "$binary" -print -quit)" ]; then
    echo "fuzz.sh: building $binary"
    rm -f "$binary"
    mkdir -p build-fuzz/obj
    objects=()
    pids=()
    for source in "${sources[@]}"; do
      object="build-fuzz/obj/$(echo "${source%.cpp}" | tr / _).o"
      objects+=("$object")
      if [ -f "$object" ] && [ -z "$(find "$source" "${watched[@]}" -newer "$object" -print -quit)" ]; then
        continue  # built for an earlier target, nothing changed since
      fi
      "$cxx" "${cxxflags[@]}" -c "$source" -o "$object" &
      pids+=($!)
      if [ "${#pids[@]}" -ge "$jobs" ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
      fi
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    "$cxx" "${cxxflags[@]}" "${objects[@]}" "${libs[@]}" -o "$binary"
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
