#include "controller/cases/case_feed_parser.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

namespace vw::controller {
namespace {

using json = nlohmann::json;
using std::chrono::system_clock;

// Internal only: thrown by the field readers below, caught in parse_case_message.
struct Reject {
  ParseErrorKind kind;
  std::string message;
};

[[noreturn]] void reject(ParseErrorKind kind, std::string message) {
  throw Reject{kind, std::move(message)};
}

// Cuts untrusted text for an error message: at most 40 bytes, never inside a UTF-8 sequence.
std::string excerpt(std::string_view text) {
  if (text.size() <= 40) return std::string(text);
  std::size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

const char* type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

// Nesting depth of JSON text without building anything; strings are skipped. Stops counting as
// soon as the limit is passed, so it is linear in the input whatever it holds.
bool depth_within_limit(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// Reads the fields of one JSON object; `path` prefixes every error ("case.", "streets[3].").
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::string name(std::string_view key) const { return path_ + std::string(key); }

  const json* find(std::string_view key, bool required) const {
    const auto it = object_.find(key);
    if (it == object_.end() || (it->is_null() && !required)) {
      if (required) reject(ParseErrorKind::MissingField, name(key) + ": missing");
      return nullptr;
    }
    return &*it;
  }

  const json& expect(std::string_view key, bool (json::*is)() const noexcept,
                     const char* wanted) const {
    const json& value = *find(key, true);
    if (!(value.*is)()) {
      reject(ParseErrorKind::WrongType,
             name(key) + ": expected " + wanted + ", got " + type_name(value));
    }
    return value;
  }

  std::optional<std::string> string(std::string_view key, bool required, bool allow_empty) const {
    const json* value = find(key, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      reject(ParseErrorKind::WrongType,
             name(key) + ": expected a string, got " + type_name(*value));
    }
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > kMaxStringBytes) {
      reject(ParseErrorKind::BadValue,
             name(key) + ": longer than " + std::to_string(kMaxStringBytes) + " bytes");
    }
    if (text.empty() && !allow_empty) reject(ParseErrorKind::BadValue, name(key) + ": empty");
    return text;
  }

  std::string required_string(std::string_view key, bool allow_empty = false) const {
    return *string(key, true, allow_empty);
  }

  std::uint64_t unsigned_integer(std::string_view key, std::uint64_t max) const {
    const json& value = *find(key, true);
    if (value.is_number_integer() && !value.is_number_unsigned()) {
      reject(ParseErrorKind::BadValue,
             name(key) + ": " + std::to_string(value.get<std::int64_t>()) + " is negative");
    }
    if (!value.is_number_unsigned()) {
      reject(ParseErrorKind::WrongType,
             name(key) + ": expected an integer, got " + type_name(value));
    }
    const auto number = value.get<std::uint64_t>();
    if (number > max) {
      reject(ParseErrorKind::BadValue,
             name(key) + ": " + std::to_string(number) + " is above " + std::to_string(max));
    }
    return number;
  }

  system_clock::time_point time(std::string_view key) const {
    const std::string text = required_string(key);
    const auto parsed = parse_iso8601(text);
    if (!parsed) {
      reject(ParseErrorKind::BadValue, name(key) + ": '" + excerpt(text) +
                                           "' is not an ISO-8601 time with an offset "
                                           "(2024-05-01T08:30:00+08:00), years 2000-2199");
    }
    return *parsed;
  }

 private:
  const json& object_;
  std::string path_;
};

const json& require_object(const json& value, const std::string& name) {
  if (!value.is_object()) {
    reject(ParseErrorKind::WrongType, name + ": expected an object, got " + type_name(value));
  }
  return value;
}

CaseMessage read_case(const json& root, std::uint64_t seq) {
  const Fields outer(root, "");
  const Fields fields(require_object(*outer.find("case", true), "case"), "case.");
  CaseMessage message;
  CaseEvent& event = message.event;
  event.id = fields.required_string("id");
  event.street = fields.required_string("street");
  event.grid = fields.required_string("grid", /*allow_empty=*/true);
  event.category = fields.required_string("category");
  event.subcategory = fields.string("subcategory", false, true).value_or("");
  const std::string status = fields.required_string("status");
  const auto parsed_status = parse_case_status(status);
  if (!parsed_status) {
    reject(ParseErrorKind::BadValue, "case.status: '" + excerpt(status) +
                                         "' is not one of reported, dispatched, closed, overdue");
  }
  event.status = *parsed_status;
  if (const json* major = fields.find("major", false)) {
    if (!major->is_boolean()) {
      reject(ParseErrorKind::WrongType,
             "case.major: expected a boolean, got " + std::string(type_name(*major)));
    }
    event.major = major->get<bool>();
  }
  event.reported_at = fields.time("reported_at");
  event.updated_at = fields.time("updated_at");
  if (event.updated_at < event.reported_at) {
    reject(ParseErrorKind::BadValue, "case.updated_at: earlier than case.reported_at");
  }
  if (const json* location = fields.find("location", false)) {
    if (!location->is_array()) {
      reject(ParseErrorKind::WrongType, "case.location: expected an array [lon, lat], got " +
                                            std::string(type_name(*location)));
    }
    if (location->size() != 2) {
      reject(ParseErrorKind::BadValue, "case.location: expected 2 numbers [lon, lat], got " +
                                           std::to_string(location->size()));
    }
    const json& lon = (*location)[0];
    const json& lat = (*location)[1];
    if (!lon.is_number() || !lat.is_number()) {
      reject(ParseErrorKind::WrongType, "case.location: expected numbers [lon, lat]");
    }
    const double x = lon.get<double>();
    const double y = lat.get<double>();
    if (!std::isfinite(x) || !std::isfinite(y) || x < -180 || x > 180 || y < -90 || y > 90) {
      reject(ParseErrorKind::BadValue, "case.location: outside [-180..180, -90..90]");
    }
    event.location = std::make_pair(x, y);
  }
  event.sequence = seq;
  return message;
}

std::vector<renderer::CaseCount> read_count_rows(const json& root, const char* key) {
  const Fields outer(root, "");
  const json& rows = outer.expect(key, &json::is_array, "an array");
  if (rows.size() > kMaxCountRows) {
    reject(ParseErrorKind::BadValue,
           std::string(key) + ": more than " + std::to_string(kMaxCountRows) + " rows");
  }
  std::vector<renderer::CaseCount> counts;
  counts.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    const Fields row(require_object(rows[i], path), path + ".");
    renderer::CaseCount count;
    count.name = row.required_string("name");
    count.reported = static_cast<std::int64_t>(row.unsigned_integer("reported", kMaxCountValue));
    count.open = static_cast<std::int64_t>(row.unsigned_integer("open", kMaxCountValue));
    count.overdue = static_cast<std::int64_t>(row.unsigned_integer("overdue", kMaxCountValue));
    count.closed = static_cast<std::int64_t>(row.unsigned_integer("closed", kMaxCountValue));
    for (const auto& earlier : counts) {
      if (earlier.name == count.name) {
        reject(ParseErrorKind::BadValue, path + ".name: '" + excerpt(count.name) + "' repeated");
      }
    }
    counts.push_back(std::move(count));
  }
  return counts;
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t at, std::size_t length, auto& out) {
    const char* first = text.data() + at;
    const auto [end, ec] = std::from_chars(first, first + length, out);
    return ec == std::errc{} && end == first + length;
  };
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}};
  if (!date.ok() || y < 2000 || y > 2199) return std::nullopt;
  return date;
}

CountsMessage read_counts(const json& root) {
  const Fields fields(root, "");
  CountsMessage message;
  const std::string date = fields.required_string("date");
  const auto parsed = parse_date(date);
  if (!parsed) {
    reject(ParseErrorKind::BadValue, "date: '" + excerpt(date) + "' is not YYYY-MM-DD");
  }
  message.date = *parsed;
  message.streets = read_count_rows(root, "streets");
  message.categories = read_count_rows(root, "categories");
  return message;
}

FeedMessage read_message(const json& root) {
  require_object(root, "message");
  const Fields fields(root, "");
  const json& version = *fields.find("v", true);
  if (!version.is_number_integer()) {
    reject(ParseErrorKind::WrongType,
           "v: expected an integer, got " + std::string(type_name(version)));
  }
  if (!version.is_number_unsigned() || version.get<std::uint64_t>() != 1) {
    reject(ParseErrorKind::BadVersion, "v: " + version.dump() + " is not supported (only 1)");
  }
  const std::string type = fields.required_string("type");
  FeedMessage message;
  message.header.seq = fields.unsigned_integer("seq", UINT64_MAX);
  message.header.publisher = fields.required_string("publisher");
  message.header.sent_at = fields.time("sent_at");
  if (type == "case") {
    message.body = read_case(root, message.header.seq);
  } else if (type == "counts") {
    message.body = read_counts(root);
  } else if (type == "heartbeat") {
    message.body = Heartbeat{};
  } else {
    reject(ParseErrorKind::UnknownType,
           "type: '" + excerpt(type) + "' is not one of case, counts, heartbeat");
  }
  return message;
}

// Reads exactly `length` decimal digits at `at`.
bool digits(std::string_view text, std::size_t at, std::size_t length, int& out) {
  if (at + length > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + length; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string_view to_string(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::NotJson:
      return "not_json";
    case ParseErrorKind::TooLarge:
      return "too_large";
    case ParseErrorKind::BadVersion:
      return "bad_version";
    case ParseErrorKind::UnknownType:
      return "unknown_type";
    case ParseErrorKind::MissingField:
      return "missing_field";
    case ParseErrorKind::WrongType:
      return "wrong_type";
    case ParseErrorKind::BadValue:
      return "bad_value";
  }
  return "unknown";
}

std::string_view to_string(CaseStatus status) {
  switch (status) {
    case CaseStatus::Reported:
      return "reported";
    case CaseStatus::Dispatched:
      return "dispatched";
    case CaseStatus::Closed:
      return "closed";
    case CaseStatus::Overdue:
      return "overdue";
  }
  return "unknown";
}

std::optional<CaseStatus> parse_case_status(std::string_view text) {
  if (text == "reported") return CaseStatus::Reported;
  if (text == "dispatched") return CaseStatus::Dispatched;
  if (text == "closed") return CaseStatus::Closed;
  if (text == "overdue") return CaseStatus::Overdue;
  return std::nullopt;
}

ParsedMessage parse_case_message(std::string_view bytes) {
  if (bytes.size() > kMaxCaseMessageBytes) {
    return {ParseError{ParseErrorKind::TooLarge, "message of " + std::to_string(bytes.size()) +
                                                     " bytes; the limit is " +
                                                     std::to_string(kMaxCaseMessageBytes)}};
  }
  if (!depth_within_limit(bytes, kMaxJsonDepth)) {
    return {ParseError{ParseErrorKind::TooLarge,
                       "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"}};
  }
  try {
    const json root = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
      return {ParseError{ParseErrorKind::NotJson, "not valid JSON in UTF-8"}};
    }
    return {read_message(root)};
  } catch (const Reject& error) {
    return {ParseError{error.kind, error.message}};
  } catch (const std::exception& error) {
    return {ParseError{ParseErrorKind::NotJson, std::string("unreadable: ") + error.what()}};
  }
}

std::optional<system_clock::time_point> parse_iso8601(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (text[at] == '.') {
    ++at;
    std::int64_t nanos = 0;
    int count = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (++count > 9) return std::nullopt;
      nanos = nanos * 10 + (text[at] - '0');
      ++at;
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 9; ++i) nanos *= 10;
    fraction = std::chrono::nanoseconds{nanos};
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!digits(text, at + 1, 2, oh)) return std::nullopt;
    std::size_t next = at + 3;
    if (next < text.size() && text[next] == ':') ++next;
    if (!digits(text, next, 2, om)) return std::nullopt;
    if (oh > 14 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
    at = next + 2;
  } else {
    return std::nullopt;  // an offset is required: a bare local time is ambiguous
  }
  if (at != text.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (year < 2000 || year > 2199 || !date.ok() || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const auto local = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                     std::chrono::minutes{minute} + std::chrono::seconds{second};
  const auto utc = local - std::chrono::minutes{offset_minutes};
  return std::chrono::time_point_cast<system_clock::duration>(utc + fraction);
}

std::string format_iso8601(system_clock::time_point time, std::chrono::minutes utc_offset) {
  using namespace std::chrono;
  const auto local = time + utc_offset;
  const auto day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<milliseconds>(local - day)};
  const int offset = static_cast<int>(utc_offset.count());
  const int offset_abs = offset < 0 ? -offset : offset;
  std::array<char, 64> buffer{};
  int length = std::snprintf(
      buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()));
  std::string text(buffer.data(), static_cast<std::size_t>(length));
  if (clock.subseconds().count() != 0) {
    length = std::snprintf(buffer.data(), buffer.size(), ".%03d",
                           static_cast<int>(clock.subseconds().count()));
    text.append(buffer.data(), static_cast<std::size_t>(length));
  }
  length = std::snprintf(buffer.data(), buffer.size(), "%c%02d:%02d", offset < 0 ? '-' : '+',
                         offset_abs / 60, offset_abs % 60);
  text.append(buffer.data(), static_cast<std::size_t>(length));
  return text;
}

}  // namespace vw::controller
