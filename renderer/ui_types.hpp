// The operator UI layer the renderer hosts (Dear ImGui on the render thread): where it is shown,
// what each UI frame is given, and input injected by tests and automation. The widgets
// themselves are built by a callback (the controller's Panel); this header has no ImGui in it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "renderer/case_view.hpp"
#include "renderer/wall_view.hpp"

namespace vw::renderer {

enum class UiPlacement {
  Off,      // no UI at all (the default; headless renderers never have one)
  Overlay,  // drawn over the wall's window, shown and hidden with a key
  Window,   // a window of its own (optionally filling another monitor); the wall stays clean
};

// What one UI frame is given. Pointers are valid during the build callback only.
struct UiFrame {
  unsigned int wall_texture = 0;  // GL texture of the wall's composite (bottom row first)
  int wall_width = 0;             // the composite's size in pixels
  int wall_height = 0;
  const WallView* view = nullptr;   // what the wall shows now
  const CaseView* cases = nullptr;  // the latest case figures, null before the first
  float width = 0;                  // the UI's drawable area, in ImGui (window) coordinates
  float height = 0;
  bool overlay = false;  // drawn over the wall (placement Overlay)
};

struct UiOptions {
  UiPlacement placement = UiPlacement::Off;
  bool visible = true;      // Overlay: shown at start
  int toggle_key = 290;     // GLFW key that shows/hides the overlay (290 = GLFW_KEY_F1)
  int window_width = 1280;  // Window placement: the panel window's size
  int window_height = 800;
  int monitor = -1;       // Window placement: fill this monitor (0-based); -1: a normal window
  float font_size = 18;   // pixels
  std::string font_path;  // empty: the wall's font (fontconfig's "Noto Sans CJK SC")
  // Text whose glyphs the font atlas must hold besides the common Chinese set (UI strings,
  // camera names, streets); called once on the render thread when the UI starts.
  std::function<std::vector<std::string>()> glyph_texts;
  // A visible UI redraws at least this often (live statistics) and after each input event.
  std::chrono::milliseconds refresh{250};
  // Builds the widgets: ImGui calls only, on the render thread, between NewFrame and Render.
  std::function<void(const UiFrame&)> build;
  // Measurement hook (benchmarks): CPU ms of each UI frame (build + ImGui render + GL submit),
  // called on the render thread; must not block.
  std::function<void(double cpu_ms)> on_frame;
};

// One UI frame's worth of injected input, applied before that frame is built. Once anything
// has been injected, the injected mouse replaces the real one for the rest of the run.
struct UiInput {
  std::optional<std::array<float, 2>> mouse;     // move the pointer here (UI coordinates)
  std::array<std::optional<bool>, 3> buttons{};  // left, right, middle: press (true) / release
  std::vector<int> keys;  // GLFW key codes pressed in this frame (released the next frame)
  std::string text;       // typed characters, UTF-8
};

struct UiStats {
  bool visible = false;
  std::uint64_t frames = 0;           // UI frames built
  std::uint64_t injected_used = 0;    // UiInput frames applied so far
  std::uint64_t injected_queued = 0;  // UiInput frames queued so far
  double last_build_ms = 0;           // CPU time of the last UI frame (build + ImGui render)
  std::string error;                  // why the UI is not running ("" when it is or is off)
};

}  // namespace vw::renderer
