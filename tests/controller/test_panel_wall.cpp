// The operator panel on a whole running wall: the real AppRuntime in this process (config file,
// four solid-colour RTSP cameras from videowall-camsim, the GLFW window under Xvfb with Mesa,
// the panel as an overlay), driven by ImGui input injected frame by frame. Each test asserts the
// wall state the panel's action leaves, the wall's pixels where they show it, and the audit
// trail's origin. Every wait is bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include "controller/app/app.hpp"
#include "controller/panel/panel.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wall_harness.hpp"

namespace vw::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using controller::WallState;

Rgb rgb_at(const renderer::Image& image, double fx, double fy) {
  return rgb_of(
      image.pixel(static_cast<int>(fx * image.width), static_cast<int>(fy * image.height)));
}

class PanelWall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cameras_ = new CamsimProcess({{"/red", 0xff0000, 320, 180},
                                  {"/green", 0x00ff00, 320, 180},
                                  {"/blue", 0x0000ff, 320, 180},
                                  {"/white", 0xffffff, 320, 180}});
    cameras_->start();
  }
  static void TearDownTestSuite() {
    delete cameras_;
    cameras_ = nullptr;
  }

  void SetUp() override {
    if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "no $DISPLAY: runs under xvfb-run";
    dir_ = fs::temp_directory_path() / ("vw-panel-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "config.yaml")
        << "wall: {width: 640, height: 360, layout: 2x2}\n"
        << "streams: {latency_ms: 100}\n"
        << "cameras:\n"
        << "  - {id: red, name: 红色, street: 民族街, main: \"" << cameras_->url("/red") << "\"}\n"
        << "  - {id: green, name: 绿色, street: 花楼街, main: \"" << cameras_->url("/green")
        << "\"}\n"
        << "  - {id: blue, name: 蓝色, street: 水塔街, main: \"" << cameras_->url("/blue")
        << "\"}\n"
        << "  - {id: white, name: 白色, street: 民权街, main: \"" << cameras_->url("/white")
        << "\"}\n"
        << "tiles: [red, green, blue, white]\n"
        << "panel: {placement: overlay, visible: true, role: admin}\n"  // admin: saves presets
        << "output_rtsp: {port: " << rtsp_port_ << "}\n"
        << "outputs:\n  - {id: conference, name: 视频会议, size: [320, 180], fps: 10}\n";
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs the daemon with the renderer on this (the main) thread while `script` runs on another.
  void run(const std::function<void()>& script) {
    controller::AppOptions options;
    options.config_path = (dir_ / "config.yaml").string();
    options.state_dir = (dir_ / "state").string();
    options.api_endpoint = "off";
    options.pub_endpoint = "off";
    options.snapshot_dir = (dir_ / "snapshots").string();
    app_ = std::make_unique<controller::AppRuntime>(options);
    ASSERT_NE(app_->panel(), nullptr);
    std::thread helper([&] {
      // The panel has drawn once it has placed its widgets.
      if (eventually([&] { return panel().locate("layout:2x2").has_value(); }, 30s)) {
        script();
      } else {
        ADD_FAILURE() << "the panel drew no frame in 30 s";
      }
      app_->renderer().request_stop();
    });
    EXPECT_EQ(app_->run(), 0);
    helper.join();
    app_.reset();
  }

  controller::panel::Panel& panel() { return *app_->panel(); }
  WallState state() { return *app_->wall().state(); }

  // Waits until the injected frames so far have all been applied.
  void settle() {
    ASSERT_TRUE(eventually(
        [&] {
          const auto s = app_->renderer().ui_stats();
          return s.injected_used == s.injected_queued;
        },
        10s));
  }

  controller::panel::PanelRect where(const std::string& id) {
    std::optional<controller::panel::PanelRect> rect;
    EXPECT_TRUE(eventually([&] { return (rect = panel().locate(id)).has_value(); }, 5s))
        << "the panel shows no " << id;
    return rect.value_or(controller::panel::PanelRect{});
  }

  static renderer::UiInput at(float x, float y) {
    renderer::UiInput in;
    in.mouse = {x, y};
    return in;
  }
  static renderer::UiInput button(bool down) {
    renderer::UiInput in;
    in.buttons[0] = down;
    return in;
  }

  void click(const std::string& id) {
    const auto r = where(id);
    app_->renderer().inject_ui({at(r.cx(), r.cy()), button(true), button(false), {}});
    settle();
  }

  // Press on one widget, move past the drag threshold, over the other, release.
  void drag(const std::string& from, const std::string& to) {
    const auto a = where(from);
    const auto b = where(to);
    app_->renderer().inject_ui({at(a.cx(), a.cy()),
                                button(true),
                                at(a.cx() + 12, a.cy() + 4),
                                at((a.cx() + b.cx()) / 2, (a.cy() + b.cy()) / 2),
                                at(b.cx(), b.cy()),
                                at(b.cx() + 1, b.cy() + 1),
                                button(false),
                                {}});
    settle();
  }

  void key(int code) {
    renderer::UiInput in;
    in.keys.push_back(code);
    app_->renderer().inject_ui({in, {}, {}});
    settle();
  }

  void type(const std::string& text) {
    renderer::UiInput in;
    in.text = text;
    app_->renderer().inject_ui({in, {}});
    settle();
  }

  bool wait_state(const std::function<bool(const WallState&)>& pred) {
    return eventually([&] { return pred(state()); }, 10s);
  }

  // A composite of the current view (or a later one).
  renderer::Image wall_image() {
    auto future = app_->renderer().capture(app_->wall().view()->version);
    if (future.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no composite in 20 s";
      return {};
    }
    return future.get();
  }

  // Whether the wall shows `rgb` at each (fx, fy) within 15 s: a tile just assigned shows its
  // camera once the stream has a frame.
  bool wall_shows(std::vector<std::tuple<double, double, std::uint32_t>> points) {
    return eventually(
        [&] {
          const renderer::Image image = wall_image();
          for (const auto& [fx, fy, rgb] : points) {
            if (!near(rgb_at(image, fx, fy), rgb_hex(rgb), 40)) return false;
          }
          return true;
        },
        15s);
  }

  std::string audit_text() {
    std::ifstream in(dir_ / "state" / "audit.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static CamsimProcess* cameras_;
  int rtsp_port_ = free_tcp_port();
  fs::path dir_;
  std::unique_ptr<controller::AppRuntime> app_;
};

CamsimProcess* PanelWall::cameras_ = nullptr;

TEST_F(PanelWall, ClickDragSwapPresetKeyAndAlarmAcknowledge) {
  run([&] {
    // A layout diagram clicked: the wall switches, and the audit names the panel.
    click("layout:1x1");
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.layout == "1x1"; }));
    EXPECT_TRUE(wall_shows({{0.5, 0.5, 0xff0000}}));
    click("layout:2x2");
    ASSERT_TRUE(wait_state([](const WallState& s) { return s.layout == "2x2"; }));
    EXPECT_NE(audit_text().find("\"panel:local\""), std::string::npos);

    // A camera dragged from the list onto the miniature's tile 1.
    drag("camera:blue", "tile:1");
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.slots[0] == "blue"; }));
    EXPECT_TRUE(wall_shows({{0.25, 0.25, 0x0000ff}}));

    // Tile 1 dragged onto tile 2: swapped.
    drag("tile:1", "tile:2");
    EXPECT_TRUE(wait_state(
        [](const WallState& s) { return s.slots[0] == "green" && s.slots[1] == "blue"; }));
    EXPECT_TRUE(wall_shows({{0.25, 0.25, 0x00ff00}, {0.75, 0.25, 0x0000ff}}));

    // A preset saved by name, the wall changed, then the preset recalled with key 1.
    click("preset:name");
    type("早班");
    click("preset:save");
    ASSERT_TRUE(wait_state([](const WallState& s) { return s.presets.count("早班") == 1; }));
    click("layout:3x3");
    ASSERT_TRUE(wait_state([](const WallState& s) { return s.layout == "3x3"; }));
    click("tile:2");  // the panel, not a text field, has the keyboard
    key(GLFW_KEY_1);
    EXPECT_TRUE(wait_state([](const WallState& s) {
      return s.layout == "2x2" && s.slots[0] == "green" && s.slots[1] == "blue";
    }));

    // Tile 2 selected, F maximizes it, Esc restores.
    click("tile:2");
    key(GLFW_KEY_F);
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.maximized == 2; }));
    EXPECT_TRUE(wall_shows({{0.5, 0.5, 0x0000ff}}));
    key(GLFW_KEY_ESCAPE);
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.maximized == 0; }));

    // An alarm raised (as a rule would): the banner's acknowledge button clears it.
    app_->wall().submit(controller::AlarmRaise{"test-rule", "1x1", {"white"}, "测试告警"});
    ASSERT_TRUE(wait_state([](const WallState& s) { return !s.alarms.empty(); }));
    click("alarm:ack");
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.alarms.empty(); }));
    EXPECT_TRUE(wait_state([](const WallState& s) { return s.layout == "2x2"; }));

    // The screenshot of the panel over the wall, for a look by a person.
    auto screen = app_->renderer().capture_ui();
    ASSERT_EQ(screen.wait_for(20s), std::future_status::ready);
    const renderer::Image image = screen.get();
    EXPECT_GT(image.width, 0);
    const std::string path = (fs::current_path() / "panel-wall.png").string();
    EXPECT_EQ(renderer::write_png(path, image), "");
  });
  // Every panel action was audited as the panel's.
  const std::string audit = audit_text();
  for (const char* command : {"layout.set", "tile.assign", "tile.swap", "preset.save",
                              "preset.recall", "tile.maximize", "tile.restore"}) {
    EXPECT_NE(audit.find(command), std::string::npos) << command;
  }
}

TEST_F(PanelWall, OutputsTabStartsAndStopsTheConferenceOutput) {
  run([&] {
    const auto running = [](const WallState& s) {
      return std::find(s.outputs.begin(), s.outputs.end(), "conference") != s.outputs.end();
    };
    click("tab:outputs");
    click("output:conference");  // 启动
    ASSERT_TRUE(wait_state(running));
    // It goes out: a real client reads it.
    const std::string url = "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/conference";
    ProcessResult probe;
    EXPECT_TRUE(eventually(
        [&] {
          probe = run_process("/usr/bin/ffprobe",
                              {"-v", "error", "-rtsp_transport", "tcp", "-show_entries",
                               "stream=codec_name", "-of", "csv=p=0", url},
                              20s);
          return probe.exit_code == 0 && probe.output.find("h264") != std::string::npos;
        },
        30s))
        << probe.output;
    click("output:conference");  // 停止
    EXPECT_TRUE(wait_state([&](const WallState& s) { return !running(s); }));
  });
  const std::string audit = audit_text();
  EXPECT_NE(audit.find("output.start"), std::string::npos);
  EXPECT_NE(audit.find("output.stop"), std::string::npos);
}

}  // namespace
}  // namespace vw::testing
