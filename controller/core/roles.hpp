// Who may do what: the three roles and the least role of each Command. One table for every way a
// command arrives (the API's clients, the operator panel, the keyboard), so no channel can do
// more than its role allows (MLPS 2.0 level 3: access control).
//
// Threads: pure functions, any thread.
#pragma once

#include <string_view>

#include "controller/core/commands.hpp"

namespace vw::controller {

enum class Role { Viewer = 0, Operator = 1, Admin = 2 };
std::string_view to_string(Role role);               // "viewer", "operator", "admin"
bool parse_role(std::string_view text, Role& role);  // false for anything else

// The least role allowed to issue `command`: operator for layout.*, tile.*, tour.start/stop,
// preset.recall, alarm.ack; admin for preset.save, preset.delete, config.reload and the internal
// commands (alarm.raise/expire, tour.advance), should anyone ever send them.
Role required_role(const Command& command);

}  // namespace vw::controller
