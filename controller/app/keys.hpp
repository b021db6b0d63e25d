// The wall's keyboard, until the operator panel exists: a key press becomes either a Command
// (through the same path as every other change) or an action of the running daemon.
#pragma once

#include <optional>
#include <variant>

#include "controller/core/commands.hpp"

namespace vw::controller {

enum class KeyAction { Snapshot, AcknowledgeAlarms, Quit };

// GLFW key code -> what it does; nullopt for keys with no meaning.
std::optional<std::variant<Command, KeyAction>> key_binding(int glfw_key);

}  // namespace vw::controller
