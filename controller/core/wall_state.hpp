// The wall's state: which layout is shown and which camera sits in which tile slot. Slots are
// independent of the layout: tile i shows slot i, so switching 3x3 -> 2x2 -> 3x3 brings the
// same nine cameras back. apply() is the single place where the state changes.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/core/commands.hpp"
#include "controller/core/config.hpp"
#include "layouts/layout.hpp"

namespace vw::controller {

struct ActiveAlarm {
  std::string rule;
  std::string banner;
  bool operator==(const ActiveAlarm&) const = default;
};

struct Tour {
  std::vector<std::string> cameras;  // camera ids, at least two
  int dwell_s = 10;
  std::size_t position = 0;  // index into `cameras` of the camera shown now
  bool operator==(const Tour&) const = default;
};

// A saved wall: the layout, the camera of each of its tiles and the tours running on them.
struct Preset {
  std::string layout;
  std::vector<std::string> slots;  // camera id per tile of `layout`, "" = empty
  std::map<int, Tour> tours;       // 1-based tile -> tour
  bool operator==(const Preset&) const = default;
};

inline constexpr std::size_t kMaxPresets = 256;

struct WallState {
  std::string layout;
  std::array<std::string, layouts::kMaxTiles> slots{};  // camera id per tile index, "" = empty
  int maximized = 0;                                    // 1-based tile shown full-wall, 0 = none
  std::vector<ActiveAlarm> alarms;  // oldest first; the newest one's banner is shown
  // The wall as it was before the first active alarm; dropped when an operator changes the
  // wall during an alarm (the operator has taken over).
  struct Saved {
    std::string layout;
    std::array<std::string, layouts::kMaxTiles> slots{};
    int maximized = 0;
    bool operator==(const Saved&) const = default;
  };
  std::optional<Saved> before_alarm;
  std::map<int, Tour> tours;              // 1-based tile -> tour (any slot, shown or not)
  std::map<std::string, Preset> presets;  // by name
  std::vector<std::string> outputs;       // ids of the live outputs running, sorted
  bool masks_lifted = false;              // masks.lift: the wall shows what masks hide; never saved
  // quality.reference: camera id -> the state version at which the operator confirmed its
  // reference picture (a new confirmation, a new number: the diagnosis takes a new picture).
  std::map<std::string, std::uint64_t> quality_references;
  std::uint64_t version = 1;

  bool operator==(const WallState&) const = default;
};

// Readers share one immutable snapshot per change (WallController::state()).
using WallStatePtr = std::shared_ptr<const WallState>;

// The state the config asks for at start.
WallState initial_state(const Config& config);

// Adds the outputs the config starts with the daemon (`start: true`) to `state.outputs`.
void add_started_outputs(WallState& state, const Config& config);

// The tiles the state shows, in order, each with its place on the wall (0..1) and its camera id
// ("" when empty): the layout's tiles, or the one maximized tile over the whole wall.
std::vector<std::pair<layouts::Rect, std::string>> visible_tiles(
    const WallState& state, const layouts::LayoutLibrary& layouts);

// Applies one command. On refusal the state is untouched and the result says why.
CommandResult apply(WallState& state, const Command& command, const Config& config,
                    const layouts::LayoutLibrary& layouts);

}  // namespace vw::controller
