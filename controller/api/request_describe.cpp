// Names, roles, audit arguments and reply bodies of requests (controller/api/request.hpp); the
// parser itself is request.cpp. Same rule: only nlohmann json and controller/core/commands.* and
// roles.*, for the fuzzer. A command's name and arguments are its own (commands.hpp); only the
// roles are the API's.
#include <string>
#include <type_traits>
#include <utility>

#include "controller/api/request.hpp"

namespace vw::controller::api {
namespace {

using json = nlohmann::json;

// The name and the least role of each request and command. Internal commands never come from
// parse_request; they are named for the audit trail and need admin should one ever be sent.
struct Describe {
  std::string_view name;
  Role role;
};
struct Describer {
  Describe operator()(const StatusQuery&) const { return {"status", Role::Viewer}; }
  Describe operator()(const CamerasList&) const { return {"cameras.list", Role::Viewer}; }
  Describe operator()(const LayoutsList&) const { return {"layouts.list", Role::Viewer}; }
  Describe operator()(const StateGet&) const { return {"state.get", Role::Viewer}; }
  // Writing a file on the daemon's disk is a change (it can fill the disk): operator.
  Describe operator()(const SnapshotQuery& q) const {
    return {"snapshot", q.path.empty() ? Role::Viewer : Role::Operator};
  }
  Describe operator()(const ConfigReloadQuery&) const { return {"config.reload", Role::Admin}; }
  Describe operator()(const QualityReportQuery&) const { return {"quality.report", Role::Viewer}; }
  // A command's role is core's (one table for the API, the panel and the keyboard).
  Describe operator()(const Command& c) const {
    return {
        std::visit([](const auto& command) { return std::decay_t<decltype(command)>::kName; }, c),
        controller::required_role(c)};
  }
};

// Every argument, defaults included, so the audit trail shows what was actually done.
struct Arguments {
  json operator()(const StatusQuery&) const { return json::object(); }
  json operator()(const CamerasList&) const { return json::object(); }
  json operator()(const LayoutsList&) const { return json::object(); }
  json operator()(const StateGet&) const { return json::object(); }
  json operator()(const SnapshotQuery& q) const {
    json out = json::object();
    out["format"] = q.format == SnapshotQuery::Format::Jpeg ? "jpeg" : "png";
    out["path"] = q.path;
    out["quality"] = q.quality;
    return out;
  }
  json operator()(const ConfigReloadQuery&) const { return json::object(); }
  json operator()(const QualityReportQuery& q) const {
    json out = one("since_s", q.since_s);
    out["snapshots"] = q.snapshots;
    return out;
  }
  json operator()(const Command& c) const { return command_arguments(c); }

  template <typename T>
  static json one(const char* key, const T& value) {
    json out = json::object();
    out[key] = value;
    return out;
  }
};

}  // namespace

std::string request_name(const Request& request) {
  return std::string(std::visit(Describer{}, request).name);
}

Role required_role(const Request& request) {
  return std::visit(Describer{}, request).role;
}

nlohmann::json request_arguments(const Request& request) {
  return std::visit(Arguments{}, request);
}

nlohmann::json ok_reply(const std::string& id, nlohmann::json fields) {
  json reply = json::object();
  if (fields.is_object()) {
    reply = std::move(fields);
  } else if (!fields.is_null()) {
    reply["result"] = std::move(fields);  // a non-object payload keeps the reply an object
  }
  reply["ok"] = true;
  if (id.empty()) {
    reply.erase("id");
  } else {
    reply["id"] = id;
  }
  return reply;
}

nlohmann::json error_reply(const std::string& id, const std::string& code,
                           const std::string& message) {
  json reply = json::object();
  reply["ok"] = false;
  if (!id.empty()) reply["id"] = id;
  reply["error"] = {{"code", code}, {"message", message}};
  return reply;
}

}  // namespace vw::controller::api
