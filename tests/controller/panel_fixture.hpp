// The fixture of the panel tests (test_panel.cpp, test_panel_tabs.cpp): the operator panel driven
// frame by frame through a real ImGui context (no GL: the draw data is built and dropped) against
// a real WallController and StreamManager. The cameras point at a closed loopback port, so their
// streams just fail; the panel's commands are what is tested.
#pragma once

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/panel/panel.hpp"
#include "controller/panel/panel_internal.hpp"
#include "layouts/layout.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller::panel {

using namespace std::chrono_literals;

inline constexpr const char* kFourCameras = R"(wall: {layout: 3x3}
cameras:
  - {id: minzu-01, name: 民族街-01, street: 民族街, main: "rtsp://127.0.0.1:9/minzu-01"}
  - {id: hualou-01, name: 花楼街-01, street: 花楼街, main: "rtsp://127.0.0.1:9/hualou-01"}
  - {id: shuita-01, name: 水塔街-01, street: 水塔街, main: "rtsp://127.0.0.1:9/shuita-01"}
  - {id: minquan-01, name: 民权街-01, street: 民权街, main: "rtsp://127.0.0.1:9/minquan-01",
     sub: "rtsp://127.0.0.1:9/minquan-01-sub"}
)";

inline std::string many_cameras(int n) {
  std::string yaml = "wall: {layout: 1x1}\ncameras:\n";
  char line[160];
  for (int i = 0; i < n; ++i) {
    std::snprintf(line, sizeof line,
                  "  - {id: cam-%02d, name: 新华街-%02d, street: 新华街, main: "
                  "\"rtsp://127.0.0.1:9/cam-%02d\"}\n",
                  i, i, i);
    yaml += line;
  }
  return yaml;
}

class PanelTest : public ::testing::Test {
 protected:
  void SetUp() override { start(kFourCameras); }

  void TearDown() override { stop(); }

  void stop() {
    if (imgui_) ImGui::DestroyContext(imgui_);
    imgui_ = nullptr;
    panel_.reset();  // before the controller: late replies must find it gone
    wall_.reset();
    streams_.reset();
  }

  void start(const std::string& yaml) {
    streams::StreamManagerOptions options;
    options.linger = 200ms;
    options.teardown_bound = 500ms;
    streams_ = std::make_unique<streams::StreamManager>(&wakeup_, options);
    ControllerServices services;
    services.on_change = [this](const ChangeEvent& event) {
      std::lock_guard lock(changes_mutex_);
      identities_.push_back(event.origin.identity);
    };
    wall_ = std::make_unique<WallController>(
        load_config_text(yaml, "test.yaml", "/tmp"), layouts_, *streams_,
        [](renderer::WallViewPtr) {}, services);
    PanelServices panel_services;
    panel_services.role = role_;
    panel_services.wall = wall_.get();
    panel_services.streams = streams_.get();
    if (with_outputs_) panel_services.outputs = [] { return nlohmann::json::array(); };
    panel_services.acknowledge = [this](const std::string& rule, Origin origin,
                                        WallController::Done done) {
      ++acknowledged_;
      wall_->submit(AlarmAck{rule}, std::move(origin), std::move(done));
    };
    panel_ = std::make_unique<Panel>(std::move(panel_services));

    imgui_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.DeltaTime = 1.0f / 60;
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(1)));
    // ImGui's log (LogToClipboard) ends in the clipboard: here, drawn_.
    io.ClipboardUserData = &drawn_;
    io.SetClipboardTextFn = [](void* drawn, const char* text) {
      *static_cast<std::string*>(drawn) = text;
    };
    frames(3);  // tab bars and tables settle their layout over the first frames
  }

  // ---- input, one frame at a time ----

  void frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60;
    io.MousePos = mouse_;
    io.MouseDown[0] = down_;
    ImGui::NewFrame();
    auto view = wall_->view();
    renderer::UiFrame ui;
    ui.wall_width = 1920;
    ui.wall_height = 1080;
    ui.view = view.get();
    ui.cases = cases_;
    ui.width = 1280;
    ui.height = 800;
    ui.overlay = overlay_;
    if (logging_) ImGui::LogToClipboard();
    panel_->build(ui);
    if (logging_) ImGui::LogFinish();
    ImGui::Render();
  }

  // The text of one more frame as ImGui logs it: what was drawn and not clipped, in draw order.
  std::string drawn_text() {
    drawn_.clear();
    logging_ = true;
    frame();
    logging_ = false;
    return drawn_;
  }

  void frames(int n) {
    for (int i = 0; i < n; ++i) frame();
  }

  void move(float x, float y) {
    mouse_ = ImVec2(x, y);
    frame();
  }

  // `times` presses and releases on the widget's centre, one frame each, then a settling frame.
  ::testing::AssertionResult click(const std::string& id, int times = 1) {
    auto rect = panel_->locate(id);
    if (!rect) return ::testing::AssertionFailure() << "no widget " << id;
    move(rect->cx(), rect->cy());
    for (int i = 0; i < times; ++i) {
      down_ = true;
      frame();
      down_ = false;
      frame();
    }
    frame();
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult double_click(const std::string& id) { return click(id, 2); }

  // Press on `from`, move past the drag threshold, hover `to`, release there.
  ::testing::AssertionResult drag(const std::string& from, const std::string& to) {
    auto a = panel_->locate(from);
    auto b = panel_->locate(to);
    if (!a) return ::testing::AssertionFailure() << "no widget " << from;
    if (!b) return ::testing::AssertionFailure() << "no widget " << to;
    move(a->cx(), a->cy());
    down_ = true;
    frame();
    for (int step = 1; step <= 3; ++step) move(a->cx() + 6.0f * step, a->cy() + 4.0f * step);
    for (int step = 1; step <= 4; ++step) {
      float f = step / 4.0f;
      move(a->cx() + (b->cx() - a->cx()) * f, a->cy() + (b->cy() - a->cy()) * f);
    }
    frame();  // hovering the target with the button held: the target accepts
    down_ = false;
    frame();  // released over it: delivered
    frames(2);
    return ::testing::AssertionSuccess();
  }

  void press_key(int key) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[key] = true;
    frame();
    io.KeysDown[key] = false;
    frame();
  }

  void type(const char* utf8) {
    ImGui::GetIO().AddInputCharactersUTF8(utf8);
    frames(2);
  }

  // Runs frames until `done` holds (the controller answers on its own thread), at most 5 s.
  bool until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      frame();
      if (done()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return done();
  }

  bool until_state(const std::function<bool(const WallState&)>& done) {
    return until([&] { return done(*wall_->state()); });
  }

  std::vector<std::string> identities() {
    std::lock_guard lock(changes_mutex_);
    return identities_;
  }

  // The change is announced after the state is visible (and saved): wait for the announcement.
  void expect_all_from_panel() {
    EXPECT_TRUE(until([&] { return !identities().empty(); })) << "no change was announced";
    for (const auto& id : identities()) EXPECT_EQ(id, "panel:local");
  }

  streams::Wakeup wakeup_;
  layouts::LayoutLibrary layouts_;
  std::unique_ptr<streams::StreamManager> streams_;
  std::unique_ptr<WallController> wall_;
  std::unique_ptr<Panel> panel_;
  ImGuiContext* imgui_ = nullptr;
  std::mutex changes_mutex_;
  std::vector<std::string> identities_;
  std::atomic<int> acknowledged_{0};
  const renderer::CaseView* cases_ = nullptr;
  bool overlay_ = false;
  ImVec2 mouse_{-100, -100};
  bool down_ = false;
  bool logging_ = false;
  std::string drawn_;
  Role role_ = Role::Admin;    // the widgets' tests may do everything; see ConsoleRole
  bool with_outputs_ = false;  // the 输出 tab, with no output configured
};

}  // namespace vw::controller::panel
