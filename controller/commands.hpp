// Every change of wall state is a Command, applied in one place (design invariant 3). The
// keyboard, and later the panel, the network API and alarm rules, all build these values.
// Tiles are numbered from 1, as operators count them and as preset tiles are named.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace vw::controller {

struct LayoutSet {
  std::string layout;  // a preset ("3x3") or custom layout name
};
struct LayoutStep {
  int delta = 1;  // next (+1) / previous (-1) layout in the library's order
};
struct TileAssign {
  int tile = 0;        // 1-based
  std::string camera;  // id or display name; empty clears the tile
};
struct TileSwap {
  int a = 0, b = 0;  // 1-based
};
struct TileMaximize {
  int tile = 0;  // 1-based
};
struct TileRestore {};

// An alarm rule fired: show its cameras on its layout with a banner. The state before the first
// active alarm is kept and comes back when the last alarm is acknowledged or expires, unless an
// operator changed the wall in between (then the operator's wall stays).
struct AlarmRaise {
  std::string rule;
  std::string layout;
  std::vector<std::string> cameras;  // camera ids for tiles 1..n
  std::string banner;                // Chinese text for the wall's alarm banner
};
struct AlarmAck {
  std::string rule;  // empty: every active alarm
};
struct AlarmExpire {  // the rule's revert time passed with nobody acknowledging
  std::string rule;
};

// A tour cycles cameras through one tile, each shown for `dwell_s` seconds.
inline constexpr int kMinTourDwellSeconds = 3;
struct TourStart {
  int tile = 0;                      // 1-based
  std::vector<std::string> cameras;  // ids or display names, at least two
  int dwell_s = 10;                  // >= kMinTourDwellSeconds
};
struct TourStop {
  int tile = 0;  // 1-based; 0 stops every tour
};
// The controller's clock says the tour on `tile` is due (not available over the API).
struct TourAdvance {
  int tile = 0;
};

// Presets (布局预案): a named layout with the cameras of its tiles and their tours.
struct PresetSave {
  std::string name;
};
struct PresetRecall {
  std::string name;
};
struct PresetDelete {
  std::string name;
};

struct Config;
// Replaces the configuration with one already loaded and validated (controller/config.hpp):
// cameras, fit, language, overlays and stall timeout take effect; tiles showing a camera that no
// longer exists are cleared.
struct ConfigReload {
  std::shared_ptr<const Config> config;
};

using Command = std::variant<LayoutSet, LayoutStep, TileAssign, TileSwap, TileMaximize, TileRestore,
                             AlarmRaise, AlarmAck, AlarmExpire, TourStart, TourStop, TourAdvance,
                             PresetSave, PresetRecall, PresetDelete, ConfigReload>;

// Who asked for a command, for the audit trail: "curve:<key fingerprint>", "anonymous:loopback",
// "panel:local", "keyboard:local", "rules:<rule>", "system".
struct Origin {
  std::string identity = "system";
  std::string name;             // a readable name for the identity (the key's name), may be empty
  std::string role = "system";  // "viewer", "operator", "admin", "system"
};

// "layout.set", "tile.assign", ... (the names the API and the audit trail use).
std::string command_name(const Command& command);

struct CommandResult {
  bool ok = false;
  std::string code;     // empty when ok; else e.g. "unknown_layout", "tile_out_of_range"
  std::string message;  // human-readable, names what was wrong
  std::uint64_t state_version = 0;  // the wall state version after the command
  bool changed = false;             // false when ok but nothing changed (e.g. same layout)
};

}  // namespace vw::controller
