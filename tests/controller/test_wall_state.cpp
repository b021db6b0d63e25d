// Commands against the wall state: each changes exactly what it says, or refuses with a code
// and leaves the state untouched.
#include <gtest/gtest.h>

#include "controller/app/keys.hpp"
#include "controller/core/roles.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/core/wall_state.hpp"

namespace vw::controller {
namespace {

Config four_cameras() {
  return load_config_text(R"(wall: {layout: 2x2}
cameras:
  - {id: a, name: 民族街-01, main: rtsp://h/a, sub: rtsp://h/a-sub}
  - {id: b, name: 花楼街-01, main: rtsp://h/b}
  - {id: c, main: rtsp://h/c}
  - {id: d, main: rtsp://h/d}
  - {id: e, main: rtsp://h/e}
tiles: [a, b, c, d, e]
)",
                          "t.yaml", "/");
}

class WallStateTest : public ::testing::Test {
 protected:
  Config config = four_cameras();
  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);

  CommandResult run(const Command& c) { return apply(state, c, config, layouts); }

  void expect_refused(const Command& c, const std::string& code) {
    WallState before = state;
    auto r = run(c);
    EXPECT_FALSE(r.ok) << command_name(c);
    EXPECT_EQ(r.code, code) << r.message;
    EXPECT_FALSE(r.message.empty());
    EXPECT_EQ(state, before) << "a refused command changed the state";
  }
};

TEST_F(WallStateTest, InitialStateFollowsConfig) {
  EXPECT_EQ(state.layout, "2x2");
  EXPECT_EQ(state.slots[0], "a");
  EXPECT_EQ(state.slots[4], "e");
  EXPECT_EQ(state.slots[5], "");
  EXPECT_EQ(state.maximized, 0);
}

TEST_F(WallStateTest, LayoutSetKeepsSlotsAcrossLayouts) {
  auto v0 = state.version;
  auto r = run(LayoutSet{"1x1"});
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(state.version, v0 + 1);
  EXPECT_EQ(r.state_version, state.version);
  run(LayoutSet{"3x3"});
  EXPECT_EQ(state.slots[4], "e");  // the fifth camera is back in tile 5
  auto same = run(LayoutSet{"3x3"});
  EXPECT_TRUE(same.ok);
  EXPECT_FALSE(same.changed);
  expect_refused(LayoutSet{"5x5"}, "unknown_layout");
}

TEST_F(WallStateTest, LayoutStepCyclesBothWays) {
  auto names = layouts.names();
  auto at = std::find(names.begin(), names.end(), "2x2") - names.begin();
  run(LayoutStep{+1});
  EXPECT_EQ(state.layout, names[(at + 1) % names.size()]);
  run(LayoutStep{-1});
  run(LayoutStep{-1});
  EXPECT_EQ(state.layout, names[(at + names.size() - 1) % names.size()]);
}

TEST_F(WallStateTest, AssignByIdOrNameAndClear) {
  ASSERT_TRUE(run(TileAssign{1, "花楼街-01"}).ok);
  EXPECT_EQ(state.slots[0], "b");
  ASSERT_TRUE(run(TileAssign{4, "a"}).ok);
  EXPECT_EQ(state.slots[3], "a");
  ASSERT_TRUE(run(TileAssign{2, ""}).ok);
  EXPECT_EQ(state.slots[1], "");
  expect_refused(TileAssign{5, "a"}, "tile_out_of_range");  // 2x2 has 4 tiles
  expect_refused(TileAssign{0, "a"}, "tile_out_of_range");
  expect_refused(TileAssign{1, "nobody"}, "unknown_camera");
}

TEST_F(WallStateTest, SwapMaximizeRestore) {
  ASSERT_TRUE(run(TileSwap{1, 4}).ok);
  EXPECT_EQ(state.slots[0], "d");
  EXPECT_EQ(state.slots[3], "a");
  expect_refused(TileSwap{1, 9}, "tile_out_of_range");
  ASSERT_TRUE(run(TileMaximize{4}).ok);
  EXPECT_EQ(state.maximized, 4);
  expect_refused(TileMaximize{7}, "tile_out_of_range");
  auto r = run(TileRestore{});
  EXPECT_TRUE(r.ok && r.changed);
  EXPECT_EQ(state.maximized, 0);
  auto again = run(TileRestore{});
  EXPECT_TRUE(again.ok);
  EXPECT_FALSE(again.changed);
  run(TileMaximize{2});
  run(LayoutSet{"3x3"});  // a layout switch ends the maximized view
  EXPECT_EQ(state.maximized, 0);
}

TEST_F(WallStateTest, AlarmShowsItsCamerasAndAcknowledgementRestores) {
  run(TileMaximize{2});
  WallState before = state;
  auto r = run(AlarmRaise{"surge", "1+5", {"e", "花楼街-01"}, "花楼街 占道经营 1小时内 23 起"});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(state.layout, "1+5");
  EXPECT_EQ(state.maximized, 0);
  EXPECT_EQ(state.slots[0], "e");
  EXPECT_EQ(state.slots[1], "b");
  EXPECT_EQ(state.slots[2], "c");  // tiles past the alarm's cameras keep theirs
  ASSERT_EQ(state.alarms.size(), 1u);
  EXPECT_EQ(state.alarms[0].banner, "花楼街 占道经营 1小时内 23 起");

  // A second alarm stacks; acknowledging one keeps the other's wall.
  ASSERT_TRUE(run(AlarmRaise{"major", "1x1", {"d"}, "重大事件"}).ok);
  EXPECT_EQ(state.layout, "1x1");
  ASSERT_TRUE(run(AlarmAck{"surge"}).ok);
  EXPECT_EQ(state.alarms.size(), 1u);
  EXPECT_EQ(state.layout, "1x1");
  ASSERT_TRUE(run(AlarmExpire{"major"}).ok);  // the last one: the wall comes back as it was
  EXPECT_TRUE(state.alarms.empty());
  EXPECT_EQ(state.layout, before.layout);
  EXPECT_EQ(state.slots, before.slots);
  EXPECT_EQ(state.maximized, 2);
  expect_refused(AlarmAck{""}, "unknown_alarm");
}

TEST_F(WallStateTest, OperatorChangeDuringAnAlarmIsKeptAfterAcknowledgement) {
  ASSERT_TRUE(run(AlarmRaise{"surge", "1+5", {"e"}, "告警"}).ok);
  ASSERT_TRUE(run(LayoutSet{"3x3"}).ok);  // the operator takes over
  ASSERT_TRUE(run(AlarmAck{}).ok);
  EXPECT_TRUE(state.alarms.empty());
  EXPECT_EQ(state.layout, "3x3");
  EXPECT_EQ(state.slots[0], "e");
}

TEST_F(WallStateTest, BadAlarmsAreRefused) {
  expect_refused(AlarmRaise{"x", "9x9", {"a"}, ""}, "unknown_layout");
  expect_refused(AlarmRaise{"x", "1x1", {"a", "b"}, ""}, "tile_out_of_range");
  expect_refused(AlarmRaise{"x", "2x2", {"zz"}, ""}, "unknown_camera");
}

TEST_F(WallStateTest, KeysDriveTheSameCommands) {
  auto press = [&](int key) {
    auto binding = key_binding(key);
    ASSERT_TRUE(binding.has_value()) << key;
    ASSERT_TRUE(std::holds_alternative<Command>(*binding)) << key;
    ASSERT_TRUE(run(std::get<Command>(*binding)).ok) << key;
  };
  auto names = layouts.names();
  auto at = std::find(names.begin(), names.end(), state.layout) - names.begin();
  press('L');  // GLFW key codes of letters and digits are their ASCII codes
  EXPECT_EQ(state.layout, names[(at + 1) % names.size()]);
  press(' ');
  EXPECT_EQ(state.layout, names[(at + 2) % names.size()]);
  press('P');
  EXPECT_EQ(state.layout, names[(at + 1) % names.size()]);
  press('2');
  EXPECT_EQ(state.maximized, 2);
  press(256);  // Esc
  EXPECT_EQ(state.maximized, 0);
  auto action = [](int key) {
    auto binding = key_binding(key);
    return binding && std::holds_alternative<KeyAction>(*binding)
               ? std::optional<KeyAction>(std::get<KeyAction>(*binding))
               : std::nullopt;
  };
  EXPECT_EQ(action('S'), KeyAction::Snapshot);
  EXPECT_EQ(action('A'), KeyAction::AcknowledgeAlarms);
  EXPECT_EQ(action('Q'), KeyAction::Quit);
  EXPECT_FALSE(key_binding('Z').has_value());
}

TEST(ChooseStream, SubBelowHalfTheMainResolution) {
  Config config = four_cameras();
  const auto& a = config.cameras[0];  // has a sub stream
  const auto& b = config.cameras[1];  // main only
  using renderer::StreamChoice;
  EXPECT_EQ(choose_stream(a, 1920, 1080, 640, 360), StreamChoice::Sub);   // 3x3 tile
  EXPECT_EQ(choose_stream(a, 1920, 1080, 960, 540), StreamChoice::Main);  // 2x2 tile: exactly half
  EXPECT_EQ(choose_stream(a, 1920, 1080, 1920, 1080), StreamChoice::Main);
  EXPECT_EQ(choose_stream(a, 3840, 2160, 960, 540), StreamChoice::Sub);   // 4K camera in 2x2
  EXPECT_EQ(choose_stream(b, 1920, 1080, 480, 270), StreamChoice::Main);  // no sub: main
}

}  // namespace
}  // namespace vw::controller

namespace vw::controller {
namespace {

TEST(WallStateOutputs, StartAndStopChangeTheRunningSetAndRefuseUnknownIds) {
  const Config config = load_config_text(R"(cameras:
  - {id: a, main: rtsp://h/a}
outputs:
  - {id: conference, start: true}
  - {id: record}
)",
                                         "t.yaml", "/");
  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);
  EXPECT_EQ(state.outputs, std::vector<std::string>{"conference"}) << "start: true runs at once";

  auto r = apply(state, OutputStart{"record"}, config, layouts);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(state.outputs, (std::vector<std::string>{"conference", "record"}));
  r = apply(state, OutputStart{"record"}, config, layouts);
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.changed) << "already running";

  r = apply(state, OutputStop{"conference"}, config, layouts);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(state.outputs, std::vector<std::string>{"record"});
  r = apply(state, OutputStop{"conference"}, config, layouts);
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.changed);

  const WallState before = state;
  r = apply(state, OutputStart{"nope"}, config, layouts);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "unknown_output");
  EXPECT_NE(r.message.find("conference, record"), std::string::npos) << r.message;
  EXPECT_EQ(state, before);

  // A reloaded config without the output stops it.
  auto next = std::make_shared<Config>(
      load_config_text("cameras:\n  - {id: a, main: rtsp://h/a}\n", "t.yaml", "/"));
  r = apply(state, ConfigReload{next}, *next, layouts);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(state.outputs.empty());
}

}  // namespace
}  // namespace vw::controller

namespace vw::controller {
namespace {

// Privacy masks: read from the camera's config (rectangles and polygons, each mistake named),
// lifted on the wall only by an admin's masks.lift, never saved as lifted.
TEST(PrivacyMasks, ConfigCommandAndRole) {
  const Config config = load_config_text(R"(cameras:
  - id: a
    main: rtsp://h/a
    masks:
      - [0.5, 0, 0.5, 0.5]
      - [[0.1, 0.5], [0.4, 0.5], [0.4, 0.9], [0.3, 0.7], [0.1, 0.9]]
output_watermark: "江汉区城市运行指挥中心 · 内部"
)",
                                         "t.yaml", "/");
  ASSERT_EQ(config.cameras[0].masks.size(), 2u);
  ASSERT_TRUE(config.cameras[0].mask_triangles);
  EXPECT_EQ(config.cameras[0].mask_triangles->size(), 3u * (2 + 3)) << "a square and a pentagon";
  EXPECT_EQ(config.output_watermark, "江汉区城市运行指挥中心 · 内部");

  auto error = [](const std::string& masks) {
    try {
      load_config_text("cameras:\n  - {id: a, main: rtsp://h/a, masks: " + masks + "}\n", "t.yaml",
                       "/");
    } catch (const ConfigError& e) {
      return e.field() + ": " + e.what();
    }
    return std::string("no error");
  };
  EXPECT_NE(error("[[0.5, 0.5, 0.6, 0.1]]").find("cameras[0].masks[0][2]"), std::string::npos)
      << "a rectangle past the picture's edge";
  EXPECT_NE(error("[[[0, 0], [1, 1], [1, 0], [0, 0.6]]]").find("cross or touch"),
            std::string::npos);
  EXPECT_NE(error("[[[0, 0], [1, 1]]]").find("at least 3"), std::string::npos);
  EXPECT_NE(error("[[0.1, 0.2]]").find("[x, y, w, h]"), std::string::npos);
  EXPECT_NE(error("{x: 1}").find("must be a list"), std::string::npos);

  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);
  EXPECT_FALSE(state.masks_lifted);
  auto r = apply(state, MasksLift{true}, config, layouts);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.changed);
  EXPECT_TRUE(state.masks_lifted);
  EXPECT_FALSE(apply(state, MasksLift{true}, config, layouts).changed);
  EXPECT_TRUE(apply(state, MasksLift{false}, config, layouts).changed);
  EXPECT_FALSE(state.masks_lifted);
  EXPECT_EQ(required_role(MasksLift{}), Role::Admin);
  EXPECT_EQ(command_arguments(MasksLift{false}).dump(), R"({"lifted":false})");
}

// quality.reference: an operator confirms a camera's scene (by id or name); each confirmation is
// a new generation (the diagnosis takes a new picture), clear drops it, and a camera that leaves
// the config takes its reference with it.
TEST(QualityReference, ConfirmClearAndReload) {
  const Config config = load_config_text(R"(cameras:
  - {id: a, name: 花楼街路口, main: rtsp://h/a}
  - {id: b, main: rtsp://h/b}
)",
                                         "t.yaml", "/");
  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);
  auto r = apply(state, QualityReference{"花楼街路口"}, config, layouts);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.changed);
  ASSERT_EQ(state.quality_references.count("a"), 1u);
  EXPECT_EQ(state.quality_references.at("a"), state.version);
  const auto first = state.quality_references.at("a");
  EXPECT_TRUE(apply(state, QualityReference{"a"}, config, layouts).changed);
  EXPECT_GT(state.quality_references.at("a"), first) << "confirmed again: a new picture";
  r = apply(state, QualityReference{"nobody"}, config, layouts);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "unknown_camera");
  EXPECT_NE(r.message.find("nobody"), std::string::npos);
  EXPECT_TRUE(apply(state, QualityReference{"b"}, config, layouts).changed);
  EXPECT_TRUE(apply(state, QualityReference{"a", true}, config, layouts).changed);
  EXPECT_FALSE(apply(state, QualityReference{"a", true}, config, layouts).changed);
  EXPECT_EQ(state.quality_references.count("a"), 0u);

  auto without_b = std::make_shared<const Config>(
      load_config_text("cameras:\n  - {id: a, main: rtsp://h/a}\n", "t.yaml", "/"));
  ASSERT_TRUE(apply(state, ConfigReload{without_b}, *without_b, layouts).ok);
  EXPECT_TRUE(state.quality_references.empty());
  EXPECT_EQ(required_role(QualityReference{}), Role::Operator);
  EXPECT_EQ(command_arguments(QualityReference{"a", true}).dump(),
            R"({"camera":"a","clear":true})");
}

}  // namespace
}  // namespace vw::controller
