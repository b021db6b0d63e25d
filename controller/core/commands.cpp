#include "controller/core/commands.hpp"

namespace vw::controller {
namespace {

using json = nlohmann::json;

template <typename T>
json one(const char* key, const T& value) {
  json out = json::object();
  out[key] = value;
  return out;
}

struct Arguments {
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
  json operator()(const OutputStart& c) const { return one("output", c.id); }
  json operator()(const OutputStop& c) const { return one("output", c.id); }
  json operator()(const MasksLift& c) const { return one("lifted", c.lifted); }
  json operator()(const QualityReference& c) const {
    json out = one("camera", c.camera);
    out["clear"] = c.clear;
    return out;
  }
  json operator()(const ConfigReload&) const { return json::object(); }
};

}  // namespace

nlohmann::json command_arguments(const Command& command) {
  return std::visit(Arguments{}, command);
}

}  // namespace vw::controller
