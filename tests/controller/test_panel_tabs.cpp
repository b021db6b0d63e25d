// The operator panel's tabs (tests/controller/panel_fixture.hpp): the stream table and its
// reference buttons, the case figures, the 输出 tab's privacy masks.
#include "tests/controller/panel_fixture.hpp"

namespace vw::controller::panel {
namespace {

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

// Each running stream's row has the scene check's 设为基准: the operator's confirmation reaches
// the wall state (quality.reference, from the panel), and the button then offers 重设基准.
TEST_F(PanelTest, StreamTableConfirmsACamerasReferencePicture) {
  ASSERT_TRUE(click("tab:streams"));
  ASSERT_TRUE(until([&] { return panel_->locate("reference:minzu-01/main").has_value(); }));
  EXPECT_NE(drawn_text().find("设为基准"), std::string::npos);
  ASSERT_TRUE(click("reference:minzu-01/main"));
  EXPECT_TRUE(until_state([](const WallState& s) {
    return s.quality_references.count("minzu-01") == 1 && s.quality_references.size() == 1;
  }));
  EXPECT_TRUE(until([&] { return panel_->last_message() == "已设基准画面"; }))
      << panel_->last_message();
  EXPECT_TRUE(until([&] { return drawn_text().find("重设基准") != std::string::npos; }));
  expect_all_from_panel();
}

}  // namespace
}  // namespace vw::controller::panel
