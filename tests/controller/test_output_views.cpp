// The audit of what each live output shows: the cameras in its source, its mask policy's SM3, and
// an "output.view" line in a real audit trail on each start, stop and change of picture.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "controller/app/output_views.hpp"
#include "controller/persist/audit_mac.hpp"
#include "tests/controller/audit_test_support.hpp"

namespace vw::controller {
namespace {

using nlohmann::json;

Config wall_with_outputs(const std::string& mask = "[0.1, 0.1, 0.2, 0.2]") {
  return load_config_text(R"(wall: {width: 640, height: 360, layout: 2x2}
cameras:
  - {id: red, main: rtsp://h/red, masks: [)" +
                              mask +
                              R"(]}
  - {id: green, main: rtsp://h/green}
  - {id: blue, main: rtsp://h/blue}
  - {id: white, main: rtsp://h/white}
tiles: [red, green, blue, white]
outputs:
  - {id: conference, name: 视频会议}
  - {id: corner, name: 左上角, region: [0, 0, 320, 180], size: [160, 90]}
  - {id: top, region: [300, 0, 40, 180], size: [40, 180]}
  - {id: third, source: tile, tile: 3, size: [320, 180]}
  - {id: ninth, source: tile, tile: 9}
)",
                          "t.yaml", "/");
}

const OutputConfig& output(const Config& config, const std::string& id) {
  for (const auto& o : config.outputs)
    if (o.id == id) return o;
  throw std::runtime_error("no output " + id);
}

TEST(OutputViews, CamerasAreThoseWhoseTilesOverlapTheSource) {
  const Config config = wall_with_outputs();
  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);
  auto cameras = [&](const std::string& id) {
    return cameras_in_output(state, layouts, config, output(config, id));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(cameras("conference"), (V{"red", "green", "blue", "white"}));
  EXPECT_EQ(cameras("corner"), (V{"red"}));  // touches tiles 2 and 3 only along their edges
  EXPECT_EQ(cameras("top"), (V{"red", "green"}));
  ASSERT_TRUE(apply(state, TileMaximize{4}, config, layouts).ok);
  EXPECT_EQ(cameras("corner"), (V{"white"}));
  ASSERT_TRUE(apply(state, TileRestore{}, config, layouts).ok);
  ASSERT_TRUE(apply(state, TileAssign{1, ""}, config, layouts).ok);
  EXPECT_EQ(cameras("corner"), V{});
  EXPECT_EQ(cameras("conference"), (V{"green", "blue", "white"}));
  ASSERT_TRUE(apply(state, TileAssign{1, "blue"}, config, layouts).ok);
  EXPECT_EQ(cameras("conference"), (V{"blue", "green", "white"}));  // once each
}

TEST(OutputViews, ATileOutputFollowsItsTileThroughLayoutsAndMaximize) {
  const Config config = wall_with_outputs();
  layouts::LayoutLibrary layouts;
  WallState state = initial_state(config);
  auto source = [&](const std::string& id) {
    return output_source(state, layouts, 640, 360, output(config, id));
  };
  using Box = std::array<double, 4>;
  using V = std::vector<std::string>;
  EXPECT_EQ(source("third"), (Box{0, 180, 320, 180})) << "2x2: tile 3 is the bottom left";
  EXPECT_EQ(cameras_in_output(state, layouts, config, output(config, "third")), V{"blue"});
  EXPECT_EQ(source("ninth"), std::nullopt) << "2x2 has no tile 9";
  EXPECT_EQ(cameras_in_output(state, layouts, config, output(config, "ninth")), V{});
  EXPECT_EQ(source("conference"), (Box{0, 0, 640, 360}));
  EXPECT_EQ(source("corner"), (Box{0, 0, 320, 180}));
  // Maximized, tile 3 fills the wall; another maximized covers tile 3's place.
  ASSERT_TRUE(apply(state, TileMaximize{3}, config, layouts).ok);
  EXPECT_EQ(source("third"), (Box{0, 0, 640, 360}));
  EXPECT_EQ(cameras_in_output(state, layouts, config, output(config, "third")), V{"blue"});
  ASSERT_TRUE(apply(state, TileMaximize{4}, config, layouts).ok);
  EXPECT_EQ(source("third"), (Box{0, 180, 320, 180}));
  EXPECT_EQ(cameras_in_output(state, layouts, config, output(config, "third")), V{"white"});
  ASSERT_TRUE(apply(state, TileRestore{}, config, layouts).ok);
  // Another layout: the tile's place there.
  ASSERT_TRUE(apply(state, LayoutSet{"3x3"}, config, layouts).ok);
  const auto third = source("third");
  ASSERT_TRUE(third.has_value());
  EXPECT_NEAR((*third)[0], 640.0 * 2 / 3, 0.01);
  EXPECT_NEAR((*third)[1], 0, 0.01);
  EXPECT_NEAR((*third)[2], 640.0 / 3, 0.01);
  const auto ninth = source("ninth");
  ASSERT_TRUE(ninth.has_value()) << "3x3 has a tile 9";
  EXPECT_NEAR((*ninth)[0] + (*ninth)[2], 640, 0.01);
  EXPECT_NEAR((*ninth)[1] + (*ninth)[3], 360, 0.01);
  ASSERT_TRUE(apply(state, LayoutSet{"1x1"}, config, layouts).ok);
  EXPECT_EQ(source("third"), std::nullopt);
}

TEST(OutputViews, TheSinksNameWhereThePictureGoesWithoutSecrets) {
  const Config config = load_config_text(
      std::string(
          "cameras: [{id: a, main: rtsp://h/a}]\noutputs:\n"
          "  - {id: all, sinks: [rtsp, record, srt, rtmp, whep],\n"
          "     srt: {address: '[::1]:9000', passphrase: jianghan-2026-key, key_bits: 256},\n"
          "     rtmp: {url: 'rtmp://user:secret@127.0.0.1/live/wall?key=k'}}\n"
          "  - {id: call, sinks: [srt], srt: {mode: caller, address: '127.0.0.1:9001'}}\n"),
      "t.yaml", "/");
  EXPECT_EQ(output_sinks(config.outputs[0]),
            (std::vector<std::string>{"rtsp /all", "record", "srt listener [::1]:9000 aes-256",
                                      "rtmp rtmp://127.0.0.1/live/wall", "whep /all/"}));
  EXPECT_EQ(output_sinks(config.outputs[1]),
            (std::vector<std::string>{"srt caller 127.0.0.1:9001 unencrypted"}));
}

TEST(OutputViews, MaskPolicyHashIsSm3OfTheMasksOfTheCamerasShown) {
  // GB/T 32905-2016, appendix A.1.
  EXPECT_EQ(sm3_hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  const Config config = wall_with_outputs();
  const std::string policy = mask_policy_sm3(config, {"red", "green"});
  EXPECT_EQ(policy.size(), 64u);
  EXPECT_EQ(mask_policy_sm3(wall_with_outputs(), {"red", "green"}), policy);
  EXPECT_NE(mask_policy_sm3(wall_with_outputs("[0.1, 0.1, 0.2, 0.21]"), {"red", "green"}), policy);
  EXPECT_NE(mask_policy_sm3(config, {"red"}), policy);
  EXPECT_NE(mask_policy_sm3(config, {"green", "red"}), policy);
}

class OutputViewAuditTest : public AuditLogTest {
 protected:
  std::vector<json> view_lines() {
    std::vector<json> views;
    for (const auto& line : read_lines((fs::path(dir_) / "audit.log").string())) {
      json j = json::parse(line, nullptr, false);
      if (j.value("command", "") == "output.view") views.push_back(j);
    }
    return views;
  }
};

TEST_F(OutputViewAuditTest, EachStartChangeAndStopOfAnOutputsPictureIsOneLine) {
  Config config = wall_with_outputs();
  layouts::LayoutLibrary layouts;
  AuditTrailOptions options;
  options.dir = dir_;
  AuditTrail trail(options);
  OutputViewAudit audit(layouts, trail);
  const Origin operator_origin{"curve:sha256:1a2b3c4d5e6f7a8b", "应急指挥席", "operator"};
  WallState state = initial_state(config);

  audit.observe(state, config, operator_origin);
  EXPECT_TRUE(view_lines().empty()) << "no output is running";

  state.outputs = {"corner"};
  audit.observe(state, config, operator_origin);
  auto views = view_lines();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0]["args"], (json{{"output", "corner"},
                                    {"name", "左上角"},
                                    {"running", true},
                                    {"sinks", {"rtsp /corner"}},
                                    {"cameras", {"red"}},
                                    {"mask_policy_sm3", mask_policy_sm3(config, {"red"})}}));
  EXPECT_EQ(views[0].value("identity", ""), operator_origin.identity);

  // A change elsewhere on the wall is not a change of the corner's picture.
  ASSERT_TRUE(apply(state, TileAssign{4, "green"}, config, layouts).ok);
  audit.observe(state, config, operator_origin);
  EXPECT_EQ(view_lines().size(), 1u);

  ASSERT_TRUE(apply(state, TileAssign{1, "blue"}, config, layouts).ok);
  audit.observe(state, config, operator_origin);
  views = view_lines();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[1]["args"]["cameras"], json({"blue"}));

  // The same cameras under another mask (a reload) is another policy.
  ASSERT_TRUE(apply(state, TileAssign{1, "red"}, config, layouts).ok);
  audit.observe(state, config, operator_origin);
  const Config remasked = wall_with_outputs("[0.5, 0.5, 0.1, 0.1]");
  audit.observe(state, remasked, Origin{});
  views = view_lines();
  ASSERT_EQ(views.size(), 4u);
  EXPECT_EQ(views[3]["args"]["cameras"], json({"red"}));
  EXPECT_NE(views[3]["args"]["mask_policy_sm3"], views[2]["args"]["mask_policy_sm3"]);

  state.outputs = {};
  audit.observe(state, remasked, operator_origin);
  views = view_lines();
  ASSERT_EQ(views.size(), 5u);
  EXPECT_EQ(views[4]["args"], (json{{"output", "corner"}, {"name", "左上角"}, {"running", false}}));

  // At shutdown every output still running gets its last line.
  state.outputs = {"conference", "top"};
  audit.observe(state, remasked, operator_origin);
  audit.all_stopped(state.version);
  views = view_lines();
  ASSERT_EQ(views.size(), 9u);
  EXPECT_EQ(views[7]["args"]["running"], false);
  EXPECT_EQ(views[8]["args"]["running"], false);
  EXPECT_EQ(views[8].value("role", ""), "system");
}

}  // namespace
}  // namespace vw::controller
