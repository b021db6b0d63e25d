// The control API's request language (docs/api.md): one JSON object per request,
// {"cmd":"tile.assign","tile":3,"camera":"花楼街-01","id":"optional, echoed"}. Parsing is strict:
// every field is checked for presence, type and range, and an unknown field is an error, so a
// typo never becomes a silent default. Pure functions, no I/O: fuzzed by
// tests/fuzz/fuzz_api_request.cpp.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "controller/core/commands.hpp"
#include "controller/core/roles.hpp"

namespace vw::controller::api {

// Requests larger than this are refused with "too_large" (the transport drops far larger ones).
inline constexpr std::size_t kMaxRequestBytes = 1024 * 1024;

// Read-only queries, answered without touching the wall state.
struct StatusQuery {};  // "status": wall, every tile, every camera stream with its statistics
struct CamerasList {};  // "cameras.list"
struct LayoutsList {};  // "layouts.list"
struct StateGet {};     // "state.get": the wall state and the sequence number of the last update
struct SnapshotQuery {  // "snapshot"
  enum class Format { Png, Jpeg };
  Format format = Format::Png;
  std::string path;  // non-empty: written by the daemon into its snapshot folder (a file name
                     // only: no '/', no "..", ends in .png/.jpg); empty: bytes in the reply
  int quality = 85;  // JPEG quality 1..100
};
struct ConfigReloadQuery {};  // "config.reload": re-reads the daemon's own config file
struct QualityReportQuery {   // "quality.report": each stream's time in each picture fault
  int since_s = 86400;        // the period: this many seconds back from now
  bool snapshots = false;     // each fault's longest period with its picture (base64 JPEG)
};

// A Command the API may issue: layout.set, layout.step, tile.assign, tile.swap, tile.maximize,
// tile.restore, tour.start, tour.stop, preset.save, preset.recall, preset.delete, alarm.ack.
// (alarm.raise/expire, tour.advance and config.reload's Command are internal.)
using Request = std::variant<StatusQuery, CamerasList, LayoutsList, StateGet, SnapshotQuery,
                             ConfigReloadQuery, QualityReportQuery, Command>;

// Roles are core's (controller/core/roles.hpp), shared with the panel and the keyboard.
using controller::parse_role;
using controller::Role;
using controller::to_string;

struct ParsedRequest {
  std::string id;  // the request's "id" (string, at most 128 bytes), "" when absent
  Request request;
};

struct RequestError {
  std::string id;       // the request's id when it could be read, else ""
  std::string code;     // bad_json, not_an_object, too_large, missing_field, wrong_type,
                        // out_of_range, unknown_field, unknown_command
  std::string message;  // names the field and what was expected, e.g.
                        // "field \"tile\": expected an integer 1..64, got \"three\""
  std::string cmd;      // the "cmd" when it could be read (for the audit trail), else ""
};

using ParseResult = std::variant<ParsedRequest, RequestError>;

// Never throws, whatever the bytes (invalid UTF-8 included: nlohmann rejects it as bad_json).
ParseResult parse_request(std::string_view bytes);

// "status", "tile.assign", ... (the request's "cmd").
std::string request_name(const Request& request);

// The least role allowed to send the request: viewer for queries (status, cameras.list,
// layouts.list, state.get, snapshot); operator for layout.*, tile.*, tour.*, preset.recall,
// alarm.ack; admin for preset.save, preset.delete, config.reload.
Role required_role(const Request& request);

// The request's arguments as JSON for the audit trail (everything but "cmd" and "id").
nlohmann::json request_arguments(const Request& request);

// Reply bodies: {"ok":true,"id":...,...fields} / {"ok":false,"id":...,"error":{"code","message"}}.
// "id" is present only when non-empty.
nlohmann::json ok_reply(const std::string& id, nlohmann::json fields = nlohmann::json::object());
nlohmann::json error_reply(const std::string& id, const std::string& code,
                           const std::string& message);

}  // namespace vw::controller::api
