// libFuzzer target for the control API's request parser: parse_request on arbitrary bytes. A
// parsed request is described (name, role, audit arguments), its replies are dumped (nlohmann
// throws on invalid UTF-8, so a message or argument that is not valid UTF-8 crashes here), and it
// is written back to the wire format and parsed again, which must give the same arguments.
// Build and run: scripts/fuzz.sh [SECONDS] api_request
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "controller/api/request.hpp"

namespace {

using namespace vw::controller::api;

bool known_code(const std::string& code) {
  for (const char* known : {"bad_json", "not_an_object", "too_large", "missing_field", "wrong_type",
                            "out_of_range", "unknown_field", "unknown_command"}) {
    if (code == known) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const ParseResult result = parse_request(input);
  if (const auto* error = std::get_if<RequestError>(&result)) {
    if (!known_code(error->code) || error->message.empty() || error->id.size() > 128) {
      __builtin_trap();
    }
    (void)error_reply(error->id, error->code, error->message).dump();
    (void)nlohmann::json(error->cmd).dump();  // the audit trail records it
    return 0;
  }
  const auto& parsed = std::get<ParsedRequest>(result);
  const std::string name = request_name(parsed.request);
  const Role role = required_role(parsed.request);
  if (name.empty() || to_string(role) == "unknown") __builtin_trap();
  nlohmann::json arguments = request_arguments(parsed.request);
  (void)ok_reply(parsed.id, arguments).dump();

  // Round trip. A PNG snapshot's arguments carry the default quality, which the wire format
  // only accepts with JPEG.
  nlohmann::json wire = arguments;
  if (name == "snapshot" && wire["format"] == "png") wire.erase("quality");
  wire["cmd"] = name;
  if (!parsed.id.empty()) wire["id"] = parsed.id;
  const ParseResult again = parse_request(wire.dump());
  const auto* reparsed = std::get_if<ParsedRequest>(&again);
  if (reparsed == nullptr || reparsed->id != parsed.id || request_name(reparsed->request) != name ||
      request_arguments(reparsed->request) != arguments) {
    __builtin_trap();
  }
  return 0;
}
