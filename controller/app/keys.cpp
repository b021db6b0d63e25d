#include "controller/app/keys.hpp"

#include <GLFW/glfw3.h>  // key codes only

namespace vw::controller {

std::optional<std::variant<Command, KeyAction>> key_binding(int key) {
  if (key == GLFW_KEY_L || key == GLFW_KEY_SPACE) return Command{LayoutStep{+1}};
  if (key == GLFW_KEY_P || key == GLFW_KEY_BACKSPACE) return Command{LayoutStep{-1}};
  if (key >= GLFW_KEY_1 && key <= GLFW_KEY_9) return Command{TileMaximize{key - GLFW_KEY_1 + 1}};
  if (key == GLFW_KEY_ESCAPE) return Command{TileRestore{}};
  if (key == GLFW_KEY_S) return KeyAction::Snapshot;
  if (key == GLFW_KEY_A) return KeyAction::AcknowledgeAlarms;
  if (key == GLFW_KEY_Q) return KeyAction::Quit;
  return std::nullopt;
}

}  // namespace vw::controller
