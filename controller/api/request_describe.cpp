// Names, roles, audit arguments and reply bodies of requests (controller/api/request.hpp); the
// parser itself is request.cpp. Same rule: only nlohmann json and commands.hpp, for the fuzzer.
#include <string>
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
  Describe operator()(const SnapshotQuery&) const { return {"snapshot", Role::Viewer}; }
  Describe operator()(const ConfigReloadQuery&) const { return {"config.reload", Role::Admin}; }
  Describe operator()(const Command& c) const { return std::visit(*this, c); }
  Describe operator()(const LayoutSet&) const { return {"layout.set", Role::Operator}; }
  Describe operator()(const LayoutStep&) const { return {"layout.step", Role::Operator}; }
  Describe operator()(const TileAssign&) const { return {"tile.assign", Role::Operator}; }
  Describe operator()(const TileSwap&) const { return {"tile.swap", Role::Operator}; }
  Describe operator()(const TileMaximize&) const { return {"tile.maximize", Role::Operator}; }
  Describe operator()(const TileRestore&) const { return {"tile.restore", Role::Operator}; }
  Describe operator()(const AlarmRaise&) const { return {"alarm.raise", Role::Admin}; }
  Describe operator()(const AlarmAck&) const { return {"alarm.ack", Role::Operator}; }
  Describe operator()(const AlarmExpire&) const { return {"alarm.expire", Role::Admin}; }
  Describe operator()(const TourStart&) const { return {"tour.start", Role::Operator}; }
  Describe operator()(const TourStop&) const { return {"tour.stop", Role::Operator}; }
  Describe operator()(const TourAdvance&) const { return {"tour.advance", Role::Admin}; }
  Describe operator()(const PresetSave&) const { return {"preset.save", Role::Admin}; }
  Describe operator()(const PresetRecall&) const { return {"preset.recall", Role::Operator}; }
  Describe operator()(const PresetDelete&) const { return {"preset.delete", Role::Admin}; }
  Describe operator()(const ConfigReload&) const { return {"config.reload", Role::Admin}; }
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
  json operator()(const Command& c) const { return std::visit(*this, c); }
  json operator()(const LayoutSet& c) const { return one("layout", c.layout); }
  json operator()(const LayoutStep& c) const { return one("delta", c.delta); }
  json operator()(const TileAssign& c) const {
    json out = one("tile", c.tile);
    out["camera"] = c.camera;
    return out;
  }
  json operator()(const TileSwap& c) const {
    json out = one("a", c.a);
    out["b"] = c.b;
    return out;
  }
  json operator()(const TileMaximize& c) const { return one("tile", c.tile); }
  json operator()(const TileRestore&) const { return json::object(); }
  json operator()(const AlarmRaise& c) const {
    json out = one("rule", c.rule);
    out["layout"] = c.layout;
    out["cameras"] = c.cameras;
    out["banner"] = c.banner;
    return out;
  }
  json operator()(const AlarmAck& c) const { return one("rule", c.rule); }
  json operator()(const AlarmExpire& c) const { return one("rule", c.rule); }
  json operator()(const TourStart& c) const {
    json out = one("tile", c.tile);
    out["cameras"] = c.cameras;
    out["dwell_s"] = c.dwell_s;
    return out;
  }
  json operator()(const TourStop& c) const { return one("tile", c.tile); }
  json operator()(const TourAdvance& c) const { return one("tile", c.tile); }
  json operator()(const PresetSave& c) const { return one("name", c.name); }
  json operator()(const PresetRecall& c) const { return one("name", c.name); }
  json operator()(const PresetDelete& c) const { return one("name", c.name); }
  json operator()(const ConfigReload&) const { return json::object(); }

  template <typename T>
  static json one(const char* key, const T& value) {
    json out = json::object();
    out[key] = value;
    return out;
  }
};

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::Viewer:
      return "viewer";
    case Role::Operator:
      return "operator";
    case Role::Admin:
      return "admin";
  }
  return "unknown";
}

bool parse_role(std::string_view text, Role& role) {
  for (const Role candidate : {Role::Viewer, Role::Operator, Role::Admin}) {
    if (text == to_string(candidate)) {
      role = candidate;
      return true;
    }
  }
  return false;
}

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
