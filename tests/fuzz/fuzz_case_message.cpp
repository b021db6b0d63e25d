// libFuzzer target for the case feed: parse_case_message on arbitrary bytes, and every valid
// message applied to a CaseBoard with fixed clocks (deterministic: a crash reproduces from its
// input alone). The input is also split at newlines into up to 32 messages applied in order, so
// the fuzzer can build sequences (counts, then events, gaps, duplicates).
// Build and run: scripts/fuzz.sh [SECONDS]
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/cases/case_board.hpp"
#include "controller/cases/case_feed_parser.hpp"

namespace {

using namespace vw::controller;

void apply(CaseBoard& board, std::string_view bytes) {
  const ParsedMessage parsed = parse_case_message(bytes);
  if (parsed.ok()) {
    board.apply(parsed.message());
  } else if (to_string(parsed.error().kind).empty() || parsed.error().message.empty()) {
    __builtin_trap();  // every refusal names a kind and says why
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto wall = *parse_iso8601("2024-05-01T23:59:59+08:00");
  std::chrono::steady_clock::time_point steady{};
  CaseBoardOptions options;
  options.max_cases = 8;  // exercise eviction
  options.latest_count = 4;
  CaseBoard board(
      options, [&] { return wall; }, [&] { return steady; });

  apply(board, input);
  std::size_t start = 0;
  for (int i = 0; i < 32 && start < input.size(); ++i) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    apply(board, input.substr(start, end - start));
    start = end + 1;
    steady += std::chrono::milliseconds(700);     // silence and restart timers come into play
    if (i == 8) wall += std::chrono::seconds(2);  // and a midnight rollover
    board.tick();
  }
  const auto view = board.view();
  if (view->streets.size() < 13 || view->hourly_reported.size() != 24 || view->reported_today < 0 ||
      view->open < 0 || view->closure_rate < 0 || view->closure_rate > 1) {
    __builtin_trap();
  }
  return 0;
}
