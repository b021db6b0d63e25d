// Parser and validator for the grid-management case feed, message schema v1 (docs/case-feed.md).
// One ZeroMQ frame of JSON in, either a valid message or an error with a stable kind out.
//
// Never throws and never crashes on any input: frames over 64 KiB are refused before parsing,
// nesting deeper than kMaxJsonDepth is refused before the DOM is built, every string and array
// has a length limit, so the memory one call allocates is bounded by a small multiple of the
// frame. Pure functions: any thread may call them at the same time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "controller/cases/case_event.hpp"
#include "renderer/case_view.hpp"

namespace vw::controller {

inline constexpr std::size_t kMaxCaseMessageBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 16;
inline constexpr std::size_t kMaxStringBytes = 256;  // any string field
inline constexpr std::size_t kMaxCountRows = 512;    // streets[] and categories[] each
inline constexpr int kMaxCountValue = 10'000'000;    // any figure in a counts row

struct CaseMessage {
  CaseEvent event;  // event.sequence is the header's seq
};

// A snapshot of today's figures from the platform (authoritative): replaces the board's totals.
struct CountsMessage {
  std::chrono::year_month_day date;  // the platform's local day the figures belong to
  std::vector<renderer::CaseCount> streets;
  std::vector<renderer::CaseCount> categories;
};

struct Heartbeat {};

struct MessageHeader {
  std::uint64_t seq = 0;  // +1 per message of this publisher
  std::string publisher;
  std::chrono::system_clock::time_point sent_at{};
};

struct FeedMessage {
  MessageHeader header;
  std::variant<CaseMessage, CountsMessage, Heartbeat> body;
};

enum class ParseErrorKind {
  NotJson,
  TooLarge,
  BadVersion,
  UnknownType,
  MissingField,
  WrongType,
  BadValue
};
inline constexpr int kParseErrorKinds = 7;

// The stable names used in statistics and logs: "not_json", "too_large", "bad_version",
// "unknown_type", "missing_field", "wrong_type", "bad_value".
std::string_view to_string(ParseErrorKind kind);

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::NotJson;
  std::string message;  // English, names the field, e.g. "case.status: 'done' is not one of ..."
};

struct ParsedMessage {
  std::variant<FeedMessage, ParseError> result;

  bool ok() const { return std::holds_alternative<FeedMessage>(result); }
  const FeedMessage& message() const { return std::get<FeedMessage>(result); }
  const ParseError& error() const { return std::get<ParseError>(result); }
};

ParsedMessage parse_case_message(std::string_view bytes);

// "2024-05-01T08:30:00+08:00", "2024-05-01T00:30:00.250Z", "...+0800". Offset required.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);
// The same instant written with the given offset from UTC: "2024-05-01T08:30:00.250+08:00"
// (milliseconds only when non-zero).
std::string format_iso8601(std::chrono::system_clock::time_point time,
                           std::chrono::minutes utc_offset);

std::string_view to_string(CaseStatus status);
std::optional<CaseStatus> parse_case_status(std::string_view text);

}  // namespace vw::controller
