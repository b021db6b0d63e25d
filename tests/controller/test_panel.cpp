// The operator panel driven frame by frame through a real ImGui context (no GL: the draw data
// is built and dropped) against a real WallController and StreamManager. The cameras point at
// a closed loopback port, so their streams just fail; the panel's commands are what is tested.
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
namespace {

using namespace std::chrono_literals;

constexpr const char* kFourCameras = R"(wall: {layout: 3x3}
cameras:
  - {id: minzu-01, name: 民族街-01, street: 民族街, main: "rtsp://127.0.0.1:9/minzu-01"}
  - {id: hualou-01, name: 花楼街-01, street: 花楼街, main: "rtsp://127.0.0.1:9/hualou-01"}
  - {id: shuita-01, name: 水塔街-01, street: 水塔街, main: "rtsp://127.0.0.1:9/shuita-01"}
  - {id: minquan-01, name: 民权街-01, street: 民权街, main: "rtsp://127.0.0.1:9/minquan-01",
     sub: "rtsp://127.0.0.1:9/minquan-01-sub"}
)";

std::string many_cameras(int n) {
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

TEST_F(PanelTest, LaysOutEveryNamedWidget) {
  for (const char* id : {"layout:1x1", "layout:2x2", "layout:3x3", "layout:2+8", "tile:1", "tile:9",
                         "preset:name", "preset:save", "tour:start", "tab:cameras", "tab:streams",
                         "tab:cases", "search", "camera:minzu-01", "camera:minquan-01", "lang"}) {
    auto rect = panel_->locate(id);
    ASSERT_TRUE(rect) << id;
    EXPECT_GT(rect->w, 0) << id;
    EXPECT_GT(rect->h, 0) << id;
    // Inside the 1280x800 UI, so a click can reach it.
    EXPECT_GE(rect->x, 0) << id;
    EXPECT_LE(rect->x + rect->w, 1280) << id;
    EXPECT_LE(rect->y + rect->h, 800) << id;
  }
  EXPECT_FALSE(panel_->locate("tile:10"));    // 3x3 has nine tiles
  EXPECT_FALSE(panel_->locate("alarm:ack"));  // no alarm
  EXPECT_FALSE(panel_->locate("tour:stop"));  // no tour
  EXPECT_EQ(panel_->last_message(), "");
}

TEST_F(PanelTest, ClickingALayoutSwitchesTheWall) {
  ASSERT_TRUE(click("layout:2x2"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.layout == "2x2"; }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "已切换布局 2x2"; }))
      << panel_->last_message();
  EXPECT_TRUE(panel_->locate("tile:4"));
  EXPECT_FALSE(panel_->locate("tile:5"));
  expect_all_from_panel();
}

TEST_F(PanelTest, DraggingACameraOntoATileAssignsIt) {
  ASSERT_NE(wall_->state()->slots[2], "minquan-01");
  ASSERT_TRUE(drag("camera:minquan-01", "tile:3"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.slots[2] == "minquan-01"; }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "3 号窗口显示 民权街-01"; }))
      << panel_->last_message();
  expect_all_from_panel();
}

TEST_F(PanelTest, DraggingATileOntoAnotherSwapsThem) {
  ASSERT_EQ(wall_->state()->slots[0], "minzu-01");
  ASSERT_EQ(wall_->state()->slots[1], "hualou-01");
  ASSERT_TRUE(drag("tile:1", "tile:2"));
  EXPECT_TRUE(until_state(
      [](const WallState& s) { return s.slots[0] == "hualou-01" && s.slots[1] == "minzu-01"; }));
  expect_all_from_panel();
}

TEST_F(PanelTest, DoubleClickingACameraAssignsTheSelectedTile) {
  ASSERT_TRUE(click("tile:5"));
  EXPECT_EQ(panel_->selected_tile(), 5);
  ASSERT_TRUE(double_click("camera:hualou-01"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.slots[4] == "hualou-01"; }));
}

TEST_F(PanelTest, SavesAPresetAndRecallsItWithItsNumberKey) {
  ASSERT_TRUE(click("preset:name"));
  type("早班");
  ASSERT_TRUE(click("preset:save"));
  ASSERT_TRUE(until_state([](const WallState& s) { return s.presets.count("早班") == 1; }));
  EXPECT_EQ(wall_->state()->presets.at("早班").layout, "3x3");
  EXPECT_TRUE(until([&] { return panel_->locate("preset:早班").has_value(); }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "已保存预案 早班"; }))
      << panel_->last_message();

  ASSERT_TRUE(click("layout:2x2"));
  ASSERT_TRUE(until_state([](const WallState& s) { return s.layout == "2x2"; }));

  // While a text field has the keyboard, "1" is text, not a shortcut.
  ASSERT_TRUE(click("search"));
  press_key(GLFW_KEY_1);
  frames(5);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(wall_->state()->layout, "2x2");

  ASSERT_TRUE(click("tile:1"));  // leaves the search field
  press_key(GLFW_KEY_1);
  EXPECT_TRUE(until_state([](const WallState& s) { return s.layout == "3x3"; }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "已调用预案 早班"; }))
      << panel_->last_message();
  expect_all_from_panel();
}

// The console acts with its configured role (panel.role), by the API's table: an operator's
// panel recalls presets but cannot save one; a viewer's panel changes nothing. Refused on the
// panel, with the role it needs; nothing reaches the controller.
TEST_F(PanelTest, ConsoleRoleLimitsWhatThePanelMayDo) {
  stop();
  role_ = Role::Operator;
  start(kFourCameras);
  ASSERT_TRUE(click("preset:name"));
  type("早班");
  ASSERT_TRUE(click("preset:save"));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "未执行：需要管理员权限"; }))
      << panel_->last_message();
  ASSERT_TRUE(click("layout:2x2"));
  ASSERT_TRUE(until_state([](const WallState& s) { return s.layout == "2x2"; }));
  EXPECT_TRUE(wall_->state()->presets.empty());

  stop();
  role_ = Role::Viewer;
  start(kFourCameras);
  {
    std::lock_guard lock(changes_mutex_);
    identities_.clear();
  }
  const auto version = wall_->state()->version;
  ASSERT_TRUE(click("layout:1x1"));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "未执行：需要操作员权限"; }))
      << panel_->last_message();
  EXPECT_EQ(wall_->state()->version, version);
  EXPECT_TRUE(identities().empty()) << "a refused action reached the controller";
}

// The 输出 tab says whether the wall shows the privacy masks; an admin's panel lifts and restores
// them (masks.lift), an operator's is refused on the panel.
TEST_F(PanelTest, OutputsTabLiftsAndRestoresThePrivacyMasks) {
  const std::string masked = std::string(kFourCameras) +
                             "  - {id: masked-01, main: \"rtsp://127.0.0.1:9/m\","
                             " masks: [[0.1, 0.1, 0.3, 0.3]]}\n";
  stop();
  with_outputs_ = true;
  start(masked);
  ASSERT_TRUE(click("tab:outputs"));
  ASSERT_TRUE(click("masks"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.masks_lifted; }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "已解除大屏隐私遮挡"; }))
      << panel_->last_message();
  ASSERT_TRUE(click("masks"));
  EXPECT_TRUE(until_state([](const WallState& s) { return !s.masks_lifted; }));
  expect_all_from_panel();

  stop();
  role_ = Role::Operator;
  start(masked);
  ASSERT_TRUE(click("tab:outputs"));
  ASSERT_TRUE(click("masks"));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "未执行：需要管理员权限"; }))
      << panel_->last_message();
  EXPECT_FALSE(wall_->state()->masks_lifted);

  stop();
  start(kFourCameras);  // no camera has masks: nothing to lift
  ASSERT_TRUE(click("tab:outputs"));
  EXPECT_FALSE(panel_->locate("masks"));
}

TEST_F(PanelTest, MaximizesTheSelectedTileWithFAndRestoresWithEscape) {
  ASSERT_TRUE(click("tile:2"));
  EXPECT_EQ(panel_->selected_tile(), 2);
  press_key(GLFW_KEY_F);
  ASSERT_TRUE(until_state([](const WallState& s) { return s.maximized == 2; }));
  // The miniature follows: one hit area for the maximized tile.
  EXPECT_TRUE(until([&] { return !panel_->locate("tile:1").has_value(); }));
  EXPECT_TRUE(panel_->locate("tile:2"));
  press_key(GLFW_KEY_ESCAPE);
  EXPECT_TRUE(until_state([](const WallState& s) { return s.maximized == 0; }));
  EXPECT_TRUE(until([&] { return panel_->locate("tile:1").has_value(); }));
  expect_all_from_panel();
}

TEST_F(PanelTest, AlarmBannerAcknowledges) {
  EXPECT_FALSE(panel_->locate("alarm:ack"));
  auto raised = wall_->submit(
      AlarmRaise{"hualou-vending", "2x2", {"hualou-01"}, "花楼街 占道经营 1小时内 23 起"});
  ASSERT_EQ(raised.wait_for(5s), std::future_status::ready);
  ASSERT_TRUE(raised.get().ok);
  ASSERT_TRUE(until([&] { return panel_->locate("alarm:ack").has_value(); }));

  ASSERT_TRUE(click("alarm:ack"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.alarms.empty(); }));
  EXPECT_EQ(acknowledged_.load(), 1);  // through the acknowledge service, not around it
  EXPECT_TRUE(until([&] { return !panel_->locate("alarm:ack").has_value(); }));
  EXPECT_TRUE(until([&] { return panel_->last_message().rfind("已确认告警", 0) == 0; }))
      << panel_->last_message();
  auto ids = identities();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], "system");  // the raise, from the test
  EXPECT_EQ(ids[1], "panel:local");
}

TEST_F(PanelTest, SearchesByPinyinInitials) {
  ASSERT_TRUE(click("search"));
  type("mzj");
  frames(2);
  EXPECT_TRUE(panel_->locate("camera:minzu-01"));
  EXPECT_FALSE(panel_->locate("camera:hualou-01"));
  EXPECT_FALSE(panel_->locate("camera:shuita-01"));
  EXPECT_FALSE(panel_->locate("camera:minquan-01"));
}

TEST_F(PanelTest, ToursTheSearchResultOnTheSelectedTile) {
  ASSERT_TRUE(click("search"));
  type("min");  // minzu-01 and minquan-01
  ASSERT_TRUE(click("tile:2"));
  ASSERT_TRUE(click("tour:start"));
  ASSERT_TRUE(until_state([](const WallState& s) { return s.tours.count(2) == 1; }));
  const auto tour = wall_->state()->tours.at(2);
  EXPECT_EQ(tour.cameras, (std::vector<std::string>{"minzu-01", "minquan-01"}));
  EXPECT_EQ(tour.dwell_s, 10);

  ASSERT_TRUE(until([&] { return panel_->locate("tour:stop").has_value(); }));
  ASSERT_TRUE(click("tour:stop"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.tours.empty(); }));
  expect_all_from_panel();
}

TEST_F(PanelTest, TourNeedsTwoCameras) {
  ASSERT_TRUE(click("search"));
  type("mzj");  // one camera
  ASSERT_TRUE(click("tile:2"));
  ASSERT_TRUE(click("tour:start"));  // disabled: nothing is sent
  frames(5);
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(wall_->state()->tours.empty());
  EXPECT_TRUE(identities().empty());
}

TEST_F(PanelTest, SwitchesLanguage) {
  ASSERT_TRUE(click("lang"));
  EXPECT_EQ(panel_->last_message(), "Language: English");
  ASSERT_TRUE(click("layout:1x1"));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "Layout 1x1"; }))
      << panel_->last_message();
  ASSERT_TRUE(click("lang"));
  EXPECT_EQ(panel_->last_message(), "界面语言：中文");
}

TEST_F(PanelTest, TabsShowStreamsAndCases) {
  const auto npos = std::string::npos;
  std::string text = drawn_text();
  EXPECT_NE(text.find("4 / 4 路"), npos) << text;  // the camera list's count
  EXPECT_EQ(text.find("主码流"), npos) << text;    // the stream table is behind its tab

  ASSERT_TRUE(click("tab:streams"));
  // The camera list is not drawn behind another tab.
  EXPECT_FALSE(panel_->locate("camera:minzu-01"));
  // The table is read every 250 ms: wait until it shows that a wall camera's stream failed (its
  // port is closed), i.e. a read after the stream's first attempt.
  ASSERT_TRUE(until([&] {
    text = drawn_text();
    return text.find("| 民族街-01 · 主码流 | 信号中断 |") != npos ||
           text.find("| 民族街-01 · 主码流 | 重连中 |") != npos;
  })) << text;
  EXPECT_NE(text.find("| 摄像机 | 状态 | 帧率 |"), npos) << text;
  for (const char* row :
       {"| 民族街-01 · 主码流 |", "| 花楼街-01 · 主码流 |", "| 水塔街-01 · 主码流 |",
        "| 民权街-01 · 主码流 |", "| 民权街-01 · 子码流 |"})
    EXPECT_NE(text.find(row), npos) << row << " missing from\n" << text;
  EXPECT_EQ(text.find("4 / 4 路"), npos) << text;

  ASSERT_TRUE(click("tab:cases"));
  text = drawn_text();
  EXPECT_NE(text.find("等待数据"), npos) << text;  // no case data yet
  EXPECT_EQ(text.find("主码流"), npos) << text;

  renderer::CaseView view;
  view.reported_today = 42;
  view.open = 10;
  view.overdue = 2;
  view.closed_today = 30;
  view.closure_rate = 30.0 / 42;
  view.streets = {{"民族街", 5, 2, 1, 3}, {"花楼街", 9, 4, 1, 5}};
  view.categories = {{"占道经营", 7, 3, 1, 4}};
  view.hourly_reported.assign(24, 0);
  view.hourly_reported[9] = 12;
  cases_ = &view;
  text = drawn_text();
  EXPECT_NE(text.find("今日上报 42   未办结 10   超期 2   办结 30   办结率 71.4%"), npos) << text;
  EXPECT_NE(text.find("今日每小时上报"), npos) << text;
  for (const char* row : {"| 按街道 | 上报 | 未办结 | 超期 | 办结 |", "| 民族街 | 5 | 2 | 1 | 3 |",
                          "| 花楼街 | 9 | 4 | 1 | 5 |", "| 按类别 | 上报 | 未办结 | 超期 | 办结 |",
                          "| 占道经营 | 7 | 3 | 1 | 4 |"})
    EXPECT_NE(text.find(row), npos) << row << " missing from\n" << text;
  EXPECT_EQ(text.find("等待数据"), npos) << text;

  // Stale data: the reason, not old numbers passing for live ones.
  view.stale = true;
  view.stale_reason = "sequence gap";
  text = drawn_text();
  EXPECT_NE(text.find("数据中断"), npos) << text;
  EXPECT_NE(text.find("sequence gap"), npos) << text;
  EXPECT_EQ(text.find("今日上报"), npos) << text;
  EXPECT_EQ(text.find("| 民族街 | 5 |"), npos) << text;

  cases_ = nullptr;
  ASSERT_TRUE(click("tab:cameras"));
  EXPECT_TRUE(panel_->locate("camera:minzu-01"));
  EXPECT_NE(drawn_text().find("4 / 4 路"), npos);
}

TEST_F(PanelTest, OverlayWindowWorksToo) {
  overlay_ = true;
  stop();
  start(kFourCameras);  // a fresh context: the window is created in overlay mode
  auto tile = panel_->locate("tile:1");
  ASSERT_TRUE(tile);
  EXPECT_LE(tile->x + tile->w, 1280 * 0.62f);
  ASSERT_TRUE(click("layout:2x2"));
  EXPECT_TRUE(until_state([](const WallState& s) { return s.layout == "2x2"; }));
}

TEST_F(PanelTest, GlyphTextsCoverBothLanguagesAndTheConfig) {
  auto texts = panel_->glyph_texts();
  auto has = [&](const std::string& s) {
    return std::find(texts.begin(), texts.end(), s) != texts.end();
  };
  for (const char* s : {"确认告警", "Acknowledge", "播放中", "信号中断", "民族街-01", "民族街",
                        "九画面", "搜索：名称 / 街道 / 拼音首字母", "今日每小时上报"})
    EXPECT_TRUE(has(s)) << s;
}

TEST_F(PanelTest, ALateReplyAfterThePanelIsGoneIsHarmless) {
  ASSERT_TRUE(click("layout:2x2"));
  panel_.reset();
  // No more frames. The controller answers in order: once a later command is answered, the
  // panel's reply has run into the void.
  auto later = wall_->submit(LayoutSet{"2x2"});
  ASSERT_EQ(later.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(wall_->state()->layout, "2x2");
}

TEST(PanelText, RefusalsAreChineseByCodeAndEnglishWithTheControllersReason) {
  const CommandResult unknown{false, "unknown_preset", "no preset named \"夜班\"", 3, false};
  EXPECT_EQ(refusal_text(unknown, renderer::Language::Chinese), "未执行：预案不存在");
  EXPECT_EQ(refusal_text(unknown, renderer::Language::English),
            "Refused: no preset named \"夜班\"");
  const CommandResult odd{false, "internal", "something new", 3, false};
  EXPECT_EQ(refusal_text(odd, renderer::Language::Chinese), "未执行：控制器拒绝了该操作");
}

class ManyCamerasTest : public PanelTest {
 protected:
  void SetUp() override { start(many_cameras(64)); }
};

// Its cost per frame is measured by videowall-bench-panel, not asserted here.
TEST_F(ManyCamerasTest, ListBuildsOnlyVisibleRows) {
  EXPECT_TRUE(panel_->locate("camera:cam-00"));
  EXPECT_FALSE(panel_->locate("camera:cam-63"));  // clipped, not built
  frames(5);
  EXPECT_FALSE(panel_->locate("camera:cam-63"));
  ASSERT_TRUE(click("search"));
  type("cam-63");
  frames(2);
  EXPECT_TRUE(panel_->locate("camera:cam-63"));
  EXPECT_FALSE(panel_->locate("camera:cam-00"));
}

}  // namespace
}  // namespace vw::controller::panel
