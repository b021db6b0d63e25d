// The operator panel (Dear ImGui), built by the renderer's UI host on the render thread once per
// UI frame: layouts as diagrams and saved presets (布局预案), a searchable camera list, a live
// miniature of the wall to drag cameras onto and tiles onto each other, the stream status
// table, today's case figures, and the alarm banner with acknowledge.
//
// Every action is a Command submitted to the WallController with the origin `panel:local` (so
// it is audited and persisted like any other change); the panel never waits for the result:
// the controller's reply comes back on its thread and is shown in the status line.
// Shortcuts while the panel has the keyboard: 1–9 recall the presets in the order shown,
// F maximizes the selected tile, Esc restores.
//
// Threads: build() on the render thread only (ImGui calls, no GL). locate(), last_message()
// and glyph_texts() from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/core/commands.hpp"
#include "controller/core/roles.hpp"
#include "controller/core/wall_controller.hpp"
#include "renderer/ui_types.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller::panel {

// The origin of every panel command, as the audit trail records it, with the panel's role.
Origin panel_origin(Role role);

struct PanelServices {
  WallController* wall = nullptr;
  streams::StreamManager* streams = nullptr;
  // Acknowledges alarms (empty rule: all) through the alarm engine, as the keyboard does.
  std::function<void(const std::string& rule, Origin origin, WallController::Done done)>
      acknowledge;
  renderer::Language language = renderer::Language::Chinese;
  // What the console may do (config panel.role): a command needing more is refused on the
  // panel, with the same table as the API's clients (controller/core/roles.hpp).
  Role role = Role::Operator;
  // The live outputs' status (status' "outputs"); null: the panel has no 输出 tab.
  std::function<nlohmann::json()> outputs{};
};

// A widget's rectangle in UI coordinates, as drawn in the last frame.
struct PanelRect {
  float x = 0, y = 0, w = 0, h = 0;
  float cx() const { return x + w / 2; }
  float cy() const { return y + h / 2; }
};

class Panel {
 public:
  explicit Panel(PanelServices services);
  ~Panel();
  Panel(const Panel&) = delete;
  Panel& operator=(const Panel&) = delete;

  // Builds one frame of widgets. Render thread only.
  void build(const renderer::UiFrame& frame);

  // Where a named widget was drawn in the last frame (for tests and automation):
  //   "layout:<name>"   a layout diagram       "preset:<name>"  a preset's recall button
  //   "preset:save"     the save button        "preset:name"    the preset name field
  //   "camera:<id>"     a camera list row      "tile:<n>"       tile n (1-based) of the miniature
  //   "search"          the camera search box  "alarm:ack"      the banner's acknowledge button
  //   "tour:start"      start a tour           "tour:stop"      stop the selected tile's tour
  //   "tab:<cameras|streams|cases>"            "lang"           the language switch
  std::optional<PanelRect> locate(const std::string& id) const;

  // The outcome of the last action ("已切换布局 2x2", or the controller's refusal).
  std::string last_message() const;

  // Every string the panel may draw besides live data: UI text in both languages, camera
  // names and streets, layout titles (for the font atlas).
  std::vector<std::string> glyph_texts() const;

  int selected_tile() const;  // 1-based, 0 = none (render thread or tests after a frame)

 private:
  struct State;      // render-thread state (panel_internal.hpp)
  struct RectTable;  // named widget rectangles of one frame, sorted by id

  // Any thread (the controller's `done` callbacks, the render thread).
  void set_message(std::string message);

  std::unique_ptr<State> state_;
  mutable std::mutex mutex_;  // guards rects_, message_ and message_version_
  // Swapped with a back buffer at the end of each build(), so recording allocates nothing once
  // the set of widgets is stable.
  std::unique_ptr<RectTable> rects_;
  std::string message_;
  std::uint64_t message_version_ = 0;  // lets build() copy message_ only when it changed
};

}  // namespace vw::controller::panel
