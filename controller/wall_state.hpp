// The wall's state: which layout is shown and which camera sits in which tile slot. Slots are
// independent of the layout: tile i shows slot i, so switching 3x3 -> 2x2 -> 3x3 brings the
// same nine cameras back. apply() is the single place where the state changes.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "controller/commands.hpp"
#include "controller/config.hpp"
#include "layouts/layout.hpp"

namespace vw::controller {

struct ActiveAlarm {
  std::string rule;
  std::string banner;
  bool operator==(const ActiveAlarm&) const = default;
};

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
  std::uint64_t version = 1;

  bool operator==(const WallState&) const = default;
};

// The state the config asks for at start.
WallState initial_state(const Config& config);

// Applies one command. On refusal the state is untouched and the result says why.
CommandResult apply(WallState& state, const Command& command, const Config& config,
                    const layouts::LayoutLibrary& layouts);

}  // namespace vw::controller
