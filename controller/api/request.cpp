#include "controller/api/request.hpp"

#include <array>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <utility>
#include <vector>

// The strict parser of controller/api/request.hpp; names, roles, audit arguments and replies are
// in request_describe.cpp. Only nlohmann json and commands.hpp: tests/fuzz/fuzz_api_request.cpp
// builds these files with controller/core/commands.cpp alone, so nothing here may call into
// the rest of the controller.
namespace vw::controller::api {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxTextBytes = 128;  // layout, camera, rule and snapshot path
constexpr std::size_t kMaxPresetNameBytes = 64;
constexpr int kMaxJsonDepth = 32;  // requests are flat; anything deeper is refused, not walked

// Internal only: thrown by the readers below, caught in parse_request.
struct Reject {
  const char* code;
  std::string message;
};

[[noreturn]] void reject(const char* code, std::string message) {
  throw Reject{code, std::move(message)};
}

// Cuts untrusted text for a message: at most 40 bytes, never inside a UTF-8 sequence (the reply
// is dumped as JSON, which throws on invalid UTF-8).
std::string excerpt(std::string_view text) {
  if (text.size() <= 40) return std::string(text);
  std::size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string json_text(std::string_view text) {
  return json(excerpt(text)).dump();
}

// What a value was, for "got ...": scalars as JSON text (strings cut), containers by size only.
std::string shown(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      std::string out = json_text(text);
      if (text.size() > 40) out += " (" + std::to_string(text.size()) + " bytes)";
      return out;
    }
    case json::value_t::array:
      return "an array of " + std::to_string(value.size()) + " element(s)";
    case json::value_t::object:
      return "an object";
    case json::value_t::null:
    case json::value_t::boolean:
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return value.dump();
    default:
      return "an unsupported value";
  }
}

std::string field(std::string_view name) {
  return "field \"" + std::string(name) + "\"";
}

[[noreturn]] void refuse(const char* code, std::string_view name, std::string_view expected,
                         const json& got) {
  reject(code, field(name) + ": expected " + std::string(expected) + ", got " + shown(got));
}

struct IntRule {
  int min;
  int max;
  const char* expected;
  bool non_zero = false;
};
constexpr IntRule kTile{1, 64, "an integer 1..64"};
constexpr IntRule kStopTile{0, 64, "an integer 0..64 (0: every tile)"};
constexpr IntRule kStep{-64, 64, "a non-zero integer -64..64", true};
constexpr IntRule kSince{60, 31 * 86400, "an integer 60..2678400 (seconds back from now)"};
constexpr IntRule kDwell{kMinTourDwellSeconds, 3600, "an integer 3..3600 (seconds)"};
constexpr IntRule kQuality{1, 100, "an integer 1..100"};

struct TextRule {
  std::size_t max_bytes;
  bool allow_empty;
  bool no_control;
  const char* expected;
};
constexpr TextRule kId{kMaxIdBytes, true, false, "a string of at most 128 bytes"};
constexpr TextRule kLayout{kMaxTextBytes, false, false, "a non-empty string of at most 128 bytes"};
constexpr TextRule kCamera{kMaxTextBytes, true, false,
                           "a string of at most 128 bytes (\"\" clears the tile)"};
constexpr TextRule kTourCamera{kMaxTextBytes, false, false,
                               "a non-empty string of at most 128 bytes"};
constexpr TextRule kPresetName{kMaxPresetNameBytes, false, true,
                               "a non-empty string of at most 64 bytes without control characters"};
constexpr TextRule kRule{kMaxTextBytes, true, false,
                         "a string of at most 128 bytes (\"\": every alarm)"};
constexpr TextRule kOutputId{kMaxPresetNameBytes, false, true,
                             "a non-empty string of at most 64 bytes (an output's id)"};
constexpr TextRule kFormat{kMaxTextBytes, false, false, "\"png\" or \"jpeg\""};
constexpr TextRule kPath{kMaxTextBytes, true, true,
                         "a file name of at most 128 bytes without control characters"};

// C0, DEL and C1 (U+0080..U+009F, encoded C2 80..C2 9F); the text is valid UTF-8 already.
bool has_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

// JSON integers only: 3.5, 1e2 (a float to nlohmann), "3" and true are wrong types. Unsigned
// values above int64 are compared as such, never narrowed first.
int integer_value(const json& value, std::string_view name, const IntRule& rule) {
  if (!value.is_number_integer()) refuse("wrong_type", name, rule.expected, value);
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(rule.max < 0 ? 0 : rule.max)) {
    refuse("out_of_range", name, rule.expected, value);
  }
  const auto number = value.is_number_unsigned()
                          ? static_cast<std::int64_t>(value.get<std::uint64_t>())
                          : value.get<std::int64_t>();
  if (number < rule.min || number > rule.max || (rule.non_zero && number == 0)) {
    refuse("out_of_range", name, rule.expected, value);
  }
  return static_cast<int>(number);
}

std::string text_value(const json& value, std::string_view name, const TextRule& rule) {
  if (!value.is_string()) refuse("wrong_type", name, rule.expected, value);
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > rule.max_bytes || (text.empty() && !rule.allow_empty) ||
      (rule.no_control && has_control(text))) {
    refuse("out_of_range", name, rule.expected, value);
  }
  return text;
}

// Reads the fields of the request object; absent and present-but-wrong are told apart.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  const json* find(const std::string& key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  const json& need(const std::string& key, std::string_view expected) const {
    const json* value = find(key);
    if (value == nullptr) {
      reject("missing_field", field(key) + ": missing; expected " + std::string(expected));
    }
    return *value;
  }
  int integer(const std::string& key, const IntRule& rule) const {
    return integer_value(need(key, rule.expected), key, rule);
  }
  int integer(const std::string& key, const IntRule& rule, int fallback) const {
    const json* value = find(key);
    return value == nullptr ? fallback : integer_value(*value, key, rule);
  }
  bool boolean(const std::string& key, bool fallback) const {
    const json* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) refuse("wrong_type", key, "true or false", *value);
    return value->get<bool>();
  }
  std::string text(const std::string& key, const TextRule& rule) const {
    return text_value(need(key, rule.expected), key, rule);
  }
  std::string text(const std::string& key, const TextRule& rule, std::string fallback) const {
    const json* value = find(key);
    return value == nullptr ? std::move(fallback) : text_value(*value, key, rule);
  }

 private:
  const json& object_;
};

std::vector<std::string> tour_cameras(const Fields& fields) {
  static constexpr const char* kExpected = "an array of 2..64 camera names";
  const json& value = fields.need("cameras", kExpected);
  if (!value.is_array()) refuse("wrong_type", "cameras", kExpected, value);
  if (value.size() < 2 || value.size() > 64) refuse("out_of_range", "cameras", kExpected, value);
  std::vector<std::string> cameras;
  cameras.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    cameras.push_back(text_value(value[i], "cameras[" + std::to_string(i) + "]", kTourCamera));
  }
  return cameras;
}

// A name inside the daemon's snapshot folder: nothing that could climb out of it or hide.
bool plain_file_name(std::string_view path, SnapshotQuery::Format format) {
  if (path.find('/') != std::string_view::npos || path.find("..") != std::string_view::npos ||
      path.front() == '.') {
    return false;
  }
  if (format == SnapshotQuery::Format::Png) return path.ends_with(".png");
  return path.ends_with(".jpg") || path.ends_with(".jpeg");
}

Request snapshot(const Fields& fields) {
  SnapshotQuery query;
  const std::string format = fields.text("format", kFormat, "png");
  if (format == "jpeg") {
    query.format = SnapshotQuery::Format::Jpeg;
  } else if (format != "png") {
    refuse("out_of_range", "format", kFormat.expected, *fields.find("format"));
  }
  if (const json* quality = fields.find("quality")) {
    // Refused rather than ignored: a PNG request with a quality is a mistake worth naming.
    if (query.format != SnapshotQuery::Format::Jpeg) {
      reject("unknown_field", "field \"quality\": only accepted with \"format\":\"jpeg\"");
    }
    query.quality = integer_value(*quality, "quality", kQuality);
  }
  query.path = fields.text("path", kPath, "");  // "" (or absent): the image comes in the reply
  if (!query.path.empty() && !plain_file_name(query.path, query.format)) {
    refuse("out_of_range", "path",
           query.format == SnapshotQuery::Format::Png
               ? "a plain file name ending in .png (no '/', no \"..\", not starting with '.')"
               : "a plain file name ending in .jpg or .jpeg (no '/', no \"..\", not starting "
                 "with '.')",
           *fields.find("path"));
  }
  return query;
}

Request command(Command command) {
  return Request{std::move(command)};
}

using Parser = Request (*)(const Fields&);
struct CommandSpec {
  std::string_view name;
  std::array<std::string_view, 3> fields;  // accepted besides "cmd" and "id"; "" pads
  Parser parse;
};

const std::array<CommandSpec, 23> kCommands{{
    {"status", {}, [](const Fields&) { return Request{StatusQuery{}}; }},
    {"cameras.list", {}, [](const Fields&) { return Request{CamerasList{}}; }},
    {"layouts.list", {}, [](const Fields&) { return Request{LayoutsList{}}; }},
    {"state.get", {}, [](const Fields&) { return Request{StateGet{}}; }},
    {"snapshot", {"format", "path", "quality"}, snapshot},
    {"config.reload", {}, [](const Fields&) { return Request{ConfigReloadQuery{}}; }},
    {"quality.report",
     {"since_s", "snapshots"},
     [](const Fields& f) {
       const int since_s = f.integer("since_s", kSince, 86400);
       return Request{QualityReportQuery{since_s, f.boolean("snapshots", false)}};
     }},
    {LayoutSet::kName,
     {"layout"},
     [](const Fields& f) { return command(LayoutSet{f.text("layout", kLayout)}); }},
    {LayoutStep::kName,
     {"delta"},
     [](const Fields& f) { return command(LayoutStep{f.integer("delta", kStep, 1)}); }},
    {TileAssign::kName,
     {"tile", "camera"},
     [](const Fields& f) {
       const int tile = f.integer("tile", kTile);
       return command(TileAssign{tile, f.text("camera", kCamera)});
     }},
    {TileSwap::kName,
     {"a", "b"},
     [](const Fields& f) {
       const int a = f.integer("a", kTile);
       const int b = f.integer("b", kTile);
       if (a == b) refuse("out_of_range", "b", "a tile other than \"a\"", *f.find("b"));
       return command(TileSwap{a, b});
     }},
    {TileMaximize::kName,
     {"tile"},
     [](const Fields& f) { return command(TileMaximize{f.integer("tile", kTile)}); }},
    {TileRestore::kName, {}, [](const Fields&) { return command(TileRestore{}); }},
    {TourStart::kName,
     {"tile", "cameras", "dwell_s"},
     [](const Fields& f) {
       TourStart tour;
       tour.tile = f.integer("tile", kTile);
       tour.cameras = tour_cameras(f);
       tour.dwell_s = f.integer("dwell_s", kDwell, 10);
       return command(std::move(tour));
     }},
    {TourStop::kName,
     {"tile"},
     [](const Fields& f) { return command(TourStop{f.integer("tile", kStopTile, 0)}); }},
    {PresetSave::kName,
     {"name"},
     [](const Fields& f) { return command(PresetSave{f.text("name", kPresetName)}); }},
    {PresetRecall::kName,
     {"name"},
     [](const Fields& f) { return command(PresetRecall{f.text("name", kPresetName)}); }},
    {PresetDelete::kName,
     {"name"},
     [](const Fields& f) { return command(PresetDelete{f.text("name", kPresetName)}); }},
    {OutputStart::kName,
     {"output"},
     [](const Fields& f) { return command(OutputStart{f.text("output", kOutputId)}); }},
    {OutputStop::kName,
     {"output"},
     [](const Fields& f) { return command(OutputStop{f.text("output", kOutputId)}); }},
    {MasksLift::kName,
     {"lifted"},
     [](const Fields& f) { return command(MasksLift{f.boolean("lifted", true)}); }},
    {QualityReference::kName,
     {"camera", "clear"},
     [](const Fields& f) {
       return command(QualityReference{f.text("camera", kTourCamera), f.boolean("clear", false)});
     }},
    {AlarmAck::kName,
     {"rule"},
     [](const Fields& f) { return command(AlarmAck{f.text("rule", kRule, "")}); }},
}};

std::string known_commands() {
  std::string list;
  for (const auto& spec : kCommands) {
    if (!list.empty()) list += ", ";
    list += spec.name;
  }
  return list;
}

std::string accepted_fields(const CommandSpec& spec) {
  std::string list;
  for (const auto name : spec.fields) {
    if (!name.empty()) list += std::string(name) + ", ";
  }
  return list + "id";
}

Request read_request(const json& root) {
  const Fields fields(root);
  const json* cmd_value = fields.find("cmd");
  if (cmd_value == nullptr) {
    reject("missing_field",
           "field \"cmd\": missing; expected a command name, one of " + known_commands());
  }
  if (!cmd_value->is_string()) {
    refuse("wrong_type", "cmd", "a string naming the command", *cmd_value);
  }
  const auto& cmd = cmd_value->get_ref<const std::string&>();
  const CommandSpec* spec = nullptr;
  for (const auto& candidate : kCommands) {
    if (candidate.name == cmd) spec = &candidate;
  }
  if (spec == nullptr) {
    if (cmd == "alarm.raise" || cmd == "alarm.expire" || cmd == "tour.advance") {
      reject("unknown_command", "command \"" + cmd +
                                    "\" is internal to the controller and not available over "
                                    "the API; known commands: " +
                                    known_commands());
    }
    reject("unknown_command",
           "unknown command " + json_text(cmd) + "; known commands: " + known_commands());
  }
  fields.text("id", kId, "");
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string& key = it.key();
    if (key == "cmd" || key == "id") continue;
    bool accepted = false;
    for (const auto name : spec->fields) accepted = accepted || (!name.empty() && name == key);
    if (!accepted) {
      reject("unknown_field", "unknown field " + json_text(key) + " for " + cmd +
                                  "; accepted: " + accepted_fields(*spec));
    }
  }
  return spec->parse(fields);
}

// nlohmann's own text minus its prefix and its "last read" echo of the raw (maybe binary) input;
// what is left is kept to printable ASCII.
std::string parse_failure(const json::exception& error) {
  std::string_view text = error.what();
  if (const auto end = text.find("] "); end != std::string_view::npos) text.remove_prefix(end + 2);
  text = text.substr(0, text.find("; last read"));
  std::string out;
  for (const char c : text.substr(0, 160)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

json parse_json(std::string_view bytes) {
  // nlohmann's lexer takes a NUL byte for the end of input and would ignore whatever follows;
  // no valid JSON text holds a raw NUL (inside strings it must be escaped).
  if (const auto nul = bytes.find('\0'); nul != std::string_view::npos) {
    reject("bad_json", "not valid JSON: a NUL byte at offset " + std::to_string(nul));
  }
  bool too_deep = false;
  std::string duplicate;
  std::set<std::string> keys;
  // Duplicate keys would otherwise resolve silently to the last one ({"cmd":"status",
  // "cmd":"preset.delete"}); depth is checked while parsing, so deep input is refused before
  // anything recursive (dump, comparison) could walk it.
  const json::parser_callback_t watch = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      too_deep = too_deep || depth >= kMaxJsonDepth;
    } else if (event == json::parse_event_t::key && depth == 1 && duplicate.empty() &&
               parsed.is_string() && !keys.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json root;
  try {
    root = json::parse(bytes.begin(), bytes.end(), watch, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const json::exception& error) {
    reject("bad_json", "not valid JSON: " + parse_failure(error));
  }
  if (too_deep) {
    reject("bad_json", "nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels (requests are flat objects)");
  }
  if (!duplicate.empty()) reject("bad_json", "duplicate field " + json_text(duplicate));
  return root;
}

}  // namespace

ParseResult parse_request(std::string_view bytes) {
  // Recovered before validation so that every later error still carries them.
  std::string id;
  std::string cmd;
  try {
    if (bytes.size() > kMaxRequestBytes) {
      return RequestError{"", "too_large",
                          "request of " + std::to_string(bytes.size()) + " bytes; at most " +
                              std::to_string(kMaxRequestBytes) + " accepted",
                          ""};
    }
    const json root = parse_json(bytes);
    if (!root.is_object()) {
      reject("not_an_object",
             "expected a JSON object such as {\"cmd\":\"status\"}, got " + shown(root));
    }
    if (const auto it = root.find("id"); it != root.end() && it->is_string() &&
                                         it->get_ref<const std::string&>().size() <= kMaxIdBytes) {
      id = it->get<std::string>();
    }
    if (const auto it = root.find("cmd"); it != root.end() && it->is_string()) {
      cmd = excerpt(it->get_ref<const std::string&>());
    }
    Request request = read_request(root);
    return ParsedRequest{std::move(id), std::move(request)};
  } catch (const Reject& error) {
    return RequestError{std::move(id), error.code, error.message, std::move(cmd)};
  } catch (const std::exception& error) {
    // Not expected (bad_alloc at most); the boundary still answers instead of throwing.
    std::string what;
    for (const char c : std::string_view(error.what()).substr(0, 80)) {
      what += (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    return RequestError{std::move(id), "bad_json", "request could not be read: " + what,
                        std::move(cmd)};
  } catch (...) {
    return RequestError{std::move(id), "bad_json", "request could not be read", std::move(cmd)};
  }
}

}  // namespace vw::controller::api
