// The operator panel's widgets driven through ImGui (tests/controller/panel_fixture.hpp): layouts,
// tiles, presets, roles, keys, search, tours, language. The tabs: test_panel_tabs.cpp.
#include "tests/controller/panel_fixture.hpp"

namespace vw::controller::panel {
namespace {

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
