// What `wallctl --json status` says of one live output, for the tests of the outputs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tests/controller/api_daemon.hpp"

namespace vw::testing {

// The status entry of output `id` of `daemon`, or an empty object.
inline nlohmann::json output_of_status(ApiDaemon& daemon, const std::string& id) {
  using nlohmann::json;
  const json s = json::parse(daemon.wallctl({"--json", "status"}).output, nullptr, false);
  for (const auto& o : s.value("outputs", json::array()))
    if (o.value("id", "") == id) return o;
  return json::object();
}

}  // namespace vw::testing
