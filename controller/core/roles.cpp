#include "controller/core/roles.hpp"

namespace vw::controller {
namespace {

struct LeastRole {
  Role operator()(const LayoutSet&) const { return Role::Operator; }
  Role operator()(const LayoutStep&) const { return Role::Operator; }
  Role operator()(const TileAssign&) const { return Role::Operator; }
  Role operator()(const TileSwap&) const { return Role::Operator; }
  Role operator()(const TileMaximize&) const { return Role::Operator; }
  Role operator()(const TileRestore&) const { return Role::Operator; }
  Role operator()(const AlarmRaise&) const { return Role::Admin; }
  Role operator()(const AlarmAck&) const { return Role::Operator; }
  Role operator()(const AlarmExpire&) const { return Role::Admin; }
  Role operator()(const TourStart&) const { return Role::Operator; }
  Role operator()(const TourStop&) const { return Role::Operator; }
  Role operator()(const TourAdvance&) const { return Role::Admin; }
  Role operator()(const PresetSave&) const { return Role::Admin; }
  Role operator()(const PresetRecall&) const { return Role::Operator; }
  Role operator()(const PresetDelete&) const { return Role::Admin; }
  Role operator()(const OutputStart&) const { return Role::Operator; }
  Role operator()(const OutputStop&) const { return Role::Operator; }
  Role operator()(const MasksLift&) const { return Role::Admin; }
  Role operator()(const QualityReference&) const { return Role::Operator; }
  Role operator()(const ConfigReload&) const { return Role::Admin; }
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

Role required_role(const Command& command) {
  return std::visit(LeastRole{}, command);
}

}  // namespace vw::controller
