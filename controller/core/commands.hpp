// Every change of wall state is a Command, applied in one place (design invariant 3). The
// keyboard, and later the panel, the network API and alarm rules, all build these values.
// Tiles are numbered from 1, as operators count them and as preset tiles are named.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vw::controller {

struct LayoutSet {
  static constexpr std::string_view kName = "layout.set";
  std::string layout;  // a preset ("3x3") or custom layout name
};
struct LayoutStep {
  static constexpr std::string_view kName = "layout.step";
  int delta = 1;  // next (+1) / previous (-1) layout in the library's order
};
struct TileAssign {
  static constexpr std::string_view kName = "tile.assign";
  int tile = 0;        // 1-based
  std::string camera;  // id or display name; empty clears the tile
};
struct TileSwap {
  static constexpr std::string_view kName = "tile.swap";
  int a = 0, b = 0;  // 1-based
};
struct TileMaximize {
  static constexpr std::string_view kName = "tile.maximize";
  int tile = 0;  // 1-based
};
struct TileRestore {
  static constexpr std::string_view kName = "tile.restore";
};

// An alarm rule fired: show its cameras on its layout with a banner. The state before the first
// active alarm is kept and comes back when the last alarm is acknowledged or expires, unless an
// operator changed the wall in between (then the operator's wall stays).
struct AlarmRaise {
  static constexpr std::string_view kName = "alarm.raise";
  std::string rule;
  std::string layout;
  std::vector<std::string> cameras;  // camera ids for tiles 1..n
  std::string banner;                // Chinese text for the wall's alarm banner
};
struct AlarmAck {
  static constexpr std::string_view kName = "alarm.ack";
  std::string rule;  // empty: every active alarm
};
struct AlarmExpire {  // the rule's revert time passed with nobody acknowledging
  static constexpr std::string_view kName = "alarm.expire";
  std::string rule;
};

// A tour cycles cameras through one tile, each shown for `dwell_s` seconds.
inline constexpr int kMinTourDwellSeconds = 3;
struct TourStart {
  static constexpr std::string_view kName = "tour.start";
  int tile = 0;                      // 1-based
  std::vector<std::string> cameras;  // ids or display names, at least two
  int dwell_s = 10;                  // >= kMinTourDwellSeconds
};
struct TourStop {
  static constexpr std::string_view kName = "tour.stop";
  int tile = 0;  // 1-based; 0 stops every tour
};
// The controller's clock says the tour on `tile` is due (not available over the API).
struct TourAdvance {
  static constexpr std::string_view kName = "tour.advance";
  int tile = 0;
};

// Presets (布局预案): a named layout with the cameras of its tiles and their tours.
struct PresetSave {
  static constexpr std::string_view kName = "preset.save";
  std::string name;
};
struct PresetRecall {
  static constexpr std::string_view kName = "preset.recall";
  std::string name;
};
struct PresetDelete {
  static constexpr std::string_view kName = "preset.delete";
  std::string name;
};

// Live outputs of the wall (config `outputs:`): start or stop sending one out. Running outputs
// are part of the wall's state (saved, restored at start).
struct OutputStart {
  static constexpr std::string_view kName = "output.start";
  std::string id;
};
struct OutputStop {
  static constexpr std::string_view kName = "output.stop";
  std::string id;
};

// Privacy masks on the local wall (cameras[].masks): lift them (the wall shows what they hide)
// or put them back. Outputs keep them either way. Not saved: a restarted daemon masks again.
struct MasksLift {
  static constexpr std::string_view kName = "masks.lift";
  bool lifted = true;  // false: the masks are drawn on the wall again
};

// The picture-quality diagnosis' scene check (场景变更): the operator confirms what the camera
// should show. The diagnosis takes the camera's next diagnosed picture as its reference and, from
// then on, names a picture that no longer shows that scene (the camera turned, zoomed or was
// moved). `clear` drops the reference (the check stops for that camera). Saved with the state.
struct QualityReference {
  static constexpr std::string_view kName = "quality.reference";
  std::string camera;  // id or display name
  bool clear = false;
};

struct Config;
// Replaces the configuration with one already loaded and validated (controller/core/config.hpp):
// cameras, fit, language, overlays and stall timeout take effect; tiles showing a camera that no
// longer exists are cleared.
struct ConfigReload {
  static constexpr std::string_view kName = "config.reload";
  std::shared_ptr<const Config> config;
};

using Command =
    std::variant<LayoutSet, LayoutStep, TileAssign, TileSwap, TileMaximize, TileRestore, AlarmRaise,
                 AlarmAck, AlarmExpire, TourStart, TourStop, TourAdvance, PresetSave, PresetRecall,
                 PresetDelete, OutputStart, OutputStop, MasksLift, QualityReference, ConfigReload>;

// Who asked for a command, for the audit trail: "curve:<key fingerprint>", "anonymous:loopback",
// "panel:local", "keyboard:local", "rules:<rule>", "system".
struct Origin {
  std::string identity = "system";
  std::string name;             // a readable name for the identity (the key's name), may be empty
  std::string role = "system";  // "viewer", "operator", "admin", "system"
};

// "layout.set", "tile.assign", ... (the names the API and the audit trail use): each command's
// own kName, so reordering the variant cannot relabel anything.
inline std::string_view command_name(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

// Every argument of the command, defaults included, as the audit trail and the API's update
// stream show it ({"tile":3,"camera":"minzu-01"}).
nlohmann::json command_arguments(const Command& command);

struct CommandResult {
  bool ok = false;
  std::string code;     // empty when ok; else e.g. "unknown_layout", "tile_out_of_range"
  std::string message;  // human-readable, names what was wrong
  std::uint64_t state_version = 0;  // the wall state version after the command
  bool changed = false;             // false when ok but nothing changed (e.g. same layout)
};

}  // namespace vw::controller
