// The whole wall against real RTSP cameras: what an operator sees in each tile, through layout
// switches, camera failures, wrong credentials and unknown streams.
#include <gtest/gtest.h>

#include "tests/support/camsim_process.hpp"
#include "tests/support/wall_harness.hpp"

namespace vw::testing {
namespace {

using namespace std::chrono_literals;
using controller::LayoutSet;
using streams::StreamState;

constexpr std::uint32_t kColours[] = {0xff0000, 0x00ff00, 0x0000ff, 0xffff00,
                                      0xff00ff, 0x00ffff, 0xffffff, 0xff8000};
constexpr std::uint32_t kVictimColour = 0x8000ff;
constexpr int kTolerance = 40;

std::string camera_id(int i) {
  return "cam" + std::to_string(i + 1);
}

class WallTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<SimCameraSpec> cams;
    for (int i = 0; i < 8; ++i) cams.push_back({"/" + camera_id(i), kColours[i]});
    cams.push_back({"/dual-main", 0xff0000, 960, 540});  // one camera, two streams, two colours
    cams.push_back({"/dual-sub", 0x0000ff, 320, 180});
    cameras_ = new CamsimProcess(cams);
    cameras_->start();
    locked_ = new CamsimProcess({{"/locked", 0x00ff00}}, "operator", "correct-horse");
    locked_->start();
  }
  static void TearDownTestSuite() {
    delete cameras_;
    delete locked_;
  }

  void SetUp() override {
    victim_ =
        std::make_unique<CamsimProcess>(std::vector<SimCameraSpec>{{"/victim", kVictimColour}});
    victim_->start();
  }

  // 8 coloured cameras, then the victim (its own server, so it can die alone), as tiles 1..9.
  controller::Config config(const std::string& layout, const std::string& extra_cameras = "") {
    std::string yaml = "wall: {width: 640, height: 360, layout: " + layout +
                       "}\nstreams: {latency_ms: 100, stall_timeout_s: 1.5}\ncameras:\n";
    for (int i = 0; i < 8; ++i)
      yaml +=
          "  - {id: " + camera_id(i) + ", main: \"" + cameras_->url("/" + camera_id(i)) + "\"}\n";
    yaml += "  - {id: victim, name: 受害者, main: \"" + victim_->url("/victim") + "\"}\n";
    yaml += extra_cameras;
    return controller::load_config_text(yaml, "test.yaml", "/");
  }

  std::vector<std::string> first_ids(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n && i < 8; ++i) ids.push_back(camera_id(i));
    if (n > 8) ids.push_back("victim");
    return ids;
  }

  // Asserts that tile i shows camera i's colour for the first `n` tiles, within 5 s: a stream
  // joined between two keyframes decodes to a flat picture until its next keyframe (1 s here).
  void expect_tiles_show_cameras(WallHarness& wall, int n) {
    std::string mismatch;
    const bool shown = eventually(
        [&] {
          auto image = wall.capture();
          if (image.width <= 0) {
            mismatch = "no composite";
            return false;
          }
          mismatch.clear();
          for (int i = 0; i < n; ++i) {
            Rgb want = rgb_hex(i < 8 ? kColours[i] : kVictimColour);
            Rgb got = wall.tile_centre(image, static_cast<std::size_t>(i));
            if (!near(got, want, kTolerance))
              mismatch += "tile " + std::to_string(i + 1) + ": got " + std::to_string(got.r) + "," +
                          std::to_string(got.g) + "," + std::to_string(got.b) + " want " +
                          std::to_string(want.r) + "," + std::to_string(want.g) + "," +
                          std::to_string(want.b) + "; ";
          }
          return mismatch.empty();
        },
        5s, 100ms);
    EXPECT_TRUE(shown) << "layout " << wall.wall().state()->layout << ": " << mismatch;
  }

  static CamsimProcess* cameras_;
  static CamsimProcess* locked_;
  std::unique_ptr<CamsimProcess> victim_;
};

CamsimProcess* WallTest::cameras_ = nullptr;
CamsimProcess* WallTest::locked_ = nullptr;

TEST_F(WallTest, EachPresetShowsEachCameraInItsTile) {
  WallHarness wall(config("3x3"));
  ASSERT_TRUE(wall.all_playing(first_ids(9), 20s));
  expect_tiles_show_cameras(wall, 9);
  for (const char* layout : {"2x2", "1+5", "1+7", "4x4", "1x1"}) {
    ASSERT_TRUE(wall.run(LayoutSet{layout}).ok);
    int tiles = static_cast<int>(wall.wall().view()->tiles.size());
    ASSERT_TRUE(wall.all_playing(first_ids(std::min(tiles, 9)), 20s)) << layout;
    expect_tiles_show_cameras(wall, std::min(tiles, 9));
  }
  // 4x4 with 9 cameras: tiles 10..16 are empty, drawn dark.
  ASSERT_TRUE(wall.run(LayoutSet{"4x4"}).ok);
  auto image = wall.capture();
  Rgb empty = wall.tile_centre(image, 12);
  EXPECT_LT(std::max({empty.r, empty.g, empty.b}), 90);
}

TEST_F(WallTest, FourByThreeCameraIsLetterboxedInA16by9Tile) {
  WallHarness wall(config("2x2"));
  ASSERT_TRUE(wall.all_playing(first_ids(4), 20s));
  auto image = wall.capture();
  // 320x240 in a 320x180 tile: the picture is 240 wide, 40 px bars left and right.
  Rgb bar = wall.tile_centre(image, 0, 0.06, 0.6);
  Rgb picture = wall.tile_centre(image, 0, 0.2, 0.6);
  EXPECT_LT(std::max({bar.r, bar.g, bar.b}), 40) << "no letterbox bar";
  EXPECT_TRUE(near(picture, rgb_hex(kColours[0]), kTolerance));
}

TEST_F(WallTest, SwapAssignMaximizeRestoreChangeThePicture) {
  WallHarness wall(config("2x2"));
  ASSERT_TRUE(wall.all_playing(first_ids(4), 20s));
  ASSERT_TRUE(wall.run(controller::TileSwap{1, 2}).ok);
  auto image = wall.capture();
  EXPECT_TRUE(near(wall.tile_centre(image, 0), rgb_hex(kColours[1]), kTolerance));
  EXPECT_TRUE(near(wall.tile_centre(image, 1), rgb_hex(kColours[0]), kTolerance));
  ASSERT_TRUE(wall.run(controller::TileAssign{3, "cam8"}).ok);
  ASSERT_TRUE(wall.all_playing({"cam8"}, 20s));
  image = wall.capture();
  EXPECT_TRUE(near(wall.tile_centre(image, 2), rgb_hex(kColours[7]), kTolerance));
  ASSERT_TRUE(wall.run(controller::TileMaximize{4}).ok);
  image = wall.capture();
  ASSERT_EQ(wall.wall().view()->tiles.size(), 1u);
  EXPECT_TRUE(near(rgb_of(image.pixel(320, 200)), rgb_hex(kColours[3]), kTolerance));
  ASSERT_TRUE(wall.run(controller::TileRestore{}).ok);
  EXPECT_EQ(wall.wall().view()->tiles.size(), 4u);
  // Refused commands leave the picture's state alone.
  auto before = *wall.wall().state();
  EXPECT_EQ(wall.run(controller::TileAssign{9, "cam1"}).code, "tile_out_of_range");
  EXPECT_EQ(wall.run(controller::TileAssign{1, "nobody"}).code, "unknown_camera");
  EXPECT_EQ(wall.run(LayoutSet{"9x9"}).code, "unknown_layout");
  EXPECT_EQ(*wall.wall().state(), before);
}

TEST_F(WallTest, LayoutSwitchKeepsWarmStreamsRunning) {
  WallHarness wall(config("3x3"));
  ASSERT_TRUE(wall.all_playing(first_ids(9), 20s));
  std::vector<std::uint64_t> generations;
  for (const auto& id : first_ids(4))
    generations.push_back(wall.channel(id)->stats().pipeline_generation);
  ASSERT_TRUE(wall.run(LayoutSet{"2x2"}).ok);
  auto image = wall.capture();  // the first composite of the new layout already has pictures
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(near(wall.tile_centre(image, static_cast<std::size_t>(i)), rgb_hex(kColours[i]),
                     kTolerance))
        << "tile " << i + 1 << " lost its picture across the switch";
  ASSERT_TRUE(wall.run(LayoutSet{"3x3"}).ok);  // back within the linger time: still warm
  image = wall.capture();
  for (int i = 0; i < 4; ++i) {
    auto stats = wall.channel(camera_id(i))->stats();
    EXPECT_EQ(stats.pipeline_generation, generations[static_cast<std::size_t>(i)]) << camera_id(i);
    EXPECT_EQ(stats.reconnects, 0u) << camera_id(i);
  }
  EXPECT_TRUE(near(wall.tile_centre(image, 5), rgb_hex(kColours[5]), kTolerance));
}

TEST_F(WallTest, DeadCameraShowsSignalLostWhileOthersKeepPlaying) {
  WallHarness wall(config("3x3"));
  ASSERT_TRUE(wall.all_playing(first_ids(9), 20s));
  auto victim = wall.channel("victim");
  auto other = wall.channel("cam1");

  victim_->kill();
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return victim->state() != StreamState::Playing; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 1500ms + 2s);
  auto image = wall.capture();
  EXPECT_FALSE(near(wall.tile_centre(image, 8), rgb_hex(kVictimColour), kTolerance))
      << "the dead camera's last frame is still shown";
  auto before = other->mailbox().published();
  EXPECT_TRUE(eventually([&] { return other->mailbox().published() > before + 10; }, 5s))
      << "other cameras stopped updating";
  EXPECT_TRUE(near(wall.tile_centre(wall.capture(), 0), rgb_hex(kColours[0]), kTolerance));

  victim_->start();  // the camera comes back on the same port
  ASSERT_TRUE(eventually([&] { return victim->state() == StreamState::Playing; }, 20s));
  EXPECT_GE(victim->stats().reconnects, 1u);
  EXPECT_TRUE(eventually(
      [&] { return near(wall.tile_centre(wall.capture(), 8), rgb_hex(kVictimColour), kTolerance); },
      5s));
}

TEST_F(WallTest, FrozenCameraIsDetectedByTheStallTimer) {
  WallHarness wall(config("3x3"));
  ASSERT_TRUE(wall.all_playing(first_ids(9), 20s));
  auto victim = wall.channel("victim");
  victim_->pause();  // TCP stays open, nothing arrives: only the stall timer can tell
  ASSERT_TRUE(eventually([&] { return victim->state() != StreamState::Playing; }, 1500ms + 3s));
  EXPECT_FALSE(near(wall.tile_centre(wall.capture(), 8), rgb_hex(kVictimColour), kTolerance));
  victim_->resume();
  ASSERT_TRUE(eventually([&] { return victim->state() == StreamState::Playing; }, 25s));
}

TEST_F(WallTest, WrongCredentialsAndUnknownStreamsShowTheirState) {
  std::string extra = "  - {id: wrongpw, main: \"" +
                      std::string("rtsp://operator:guess@127.0.0.1:") +
                      std::to_string(locked_->port()) + "/locked\"}\n" +
                      "  - {id: rightpw, main: \"" + locked_->url("/locked") + "\"}\n" +
                      "  - {id: missing, main: \"" + cameras_->url("/no-such-camera") + "\"}\n";
  auto cfg = config("2x2", extra);
  cfg.tiles = {"wrongpw", "rightpw", "missing", "cam1"};
  WallHarness wall(cfg);
  ASSERT_TRUE(eventually(
      [&] {
        auto ch = wall.channel("wrongpw");
        return ch && ch->state() == StreamState::AuthFailed;
      },
      20s));
  ASSERT_TRUE(eventually(
      [&] {
        auto ch = wall.channel("missing");
        return ch && ch->state() == StreamState::NotFound;
      },
      20s));
  ASSERT_TRUE(wall.all_playing({"rightpw", "cam1"}, 20s));
  auto image = wall.capture();
  EXPECT_FALSE(near(wall.tile_centre(image, 0), rgb_hex(0x00ff00), kTolerance));
  EXPECT_TRUE(near(wall.tile_centre(image, 1), rgb_hex(0x00ff00), kTolerance));
  EXPECT_TRUE(near(wall.tile_centre(image, 3), rgb_hex(kColours[0]), kTolerance));
  // Terminal states do not retry in a loop.
  auto generation = wall.channel("wrongpw")->stats().pipeline_generation;
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(wall.channel("wrongpw")->stats().pipeline_generation, generation);
  auto last_error = wall.channel("wrongpw")->stats().last_error;
  EXPECT_EQ(last_error.find("guess"), std::string::npos) << "password leaked: " << last_error;
}

// A camera that sends more than it may (a larger picture than its max_size, or an 8K stream
// against the default 4096x2160) is refused before its frames are decoded: the tile shows
// 格式不支持 with the reason, it does not retry, and the other tiles play on.
TEST_F(WallTest, OversizedStreamsAreRefusedAndOthersPlayOn) {
  CamsimProcess huge({{"/8k", 0x00ff00, 7680, 4320, "h264", 1}});
  huge.start();
  std::string extra = "  - {id: big, main: \"" + cameras_->url("/cam1") +
                      "\", max_size: [160, 120]}\n" + "  - {id: huge, main: \"" + huge.url("/8k") +
                      "\"}\n";
  auto cfg = config("2x2", extra);
  cfg.tiles = {"big", "huge", "cam2", "cam3"};
  WallHarness wall(cfg);
  for (const auto& [id, reason] :
       {std::pair{"big", "320x240 is larger than this camera may send (160x120"},
        std::pair{"huge", "7680x4320 is larger than this camera may send (4096x2160"}}) {
    ASSERT_TRUE(eventually(
        [&] {
          auto ch = wall.channel(id);
          return ch && ch->state() == StreamState::Unsupported;
        },
        30s))
        << id;
    const auto error = wall.channel(id)->stats().last_error;
    EXPECT_NE(error.find(reason), std::string::npos) << id << ": " << error;
  }
  ASSERT_TRUE(wall.all_playing({"cam2", "cam3"}, 20s));
  auto image = wall.capture();
  EXPECT_FALSE(near(wall.tile_centre(image, 0), rgb_hex(kColours[0]), kTolerance));
  EXPECT_TRUE(near(wall.tile_centre(image, 2), rgb_hex(kColours[1]), kTolerance));
  EXPECT_TRUE(near(wall.tile_centre(image, 3), rgb_hex(kColours[2]), kTolerance));
  EXPECT_EQ(wall.channel("big")->stats().frames_in, 0u) << "no frame of it was decoded";
  // Terminal: no rebuild loop against it.
  const auto generation = wall.channel("big")->stats().pipeline_generation;
  EXPECT_FALSE(eventually(
      [&] { return wall.channel("big")->stats().pipeline_generation != generation; }, 2s));
}

TEST_F(WallTest, SmallTilesUseTheSubStreamAndSwitchingIsSeamless) {
  std::string extra = "  - {id: dual, main: \"" + cameras_->url("/dual-main") + "\", sub: \"" +
                      cameras_->url("/dual-sub") + "\", main_size: [960, 540]}\n";
  auto cfg = config("3x3", extra);
  cfg.tiles = {"dual"};
  WallHarness wall(cfg);
  // A 213x120 tile is below half of 960x540: the sub stream (blue) plays, the main does not run.
  ASSERT_TRUE(eventually(
      [&] {
        auto sub = wall.channel("dual", "sub");
        return sub && sub->state() == StreamState::Playing;
      },
      20s));
  EXPECT_EQ(wall.channel("dual", "main"), nullptr);
  EXPECT_TRUE(near(wall.tile_centre(wall.capture(), 0), rgb_hex(0x0000ff), kTolerance));

  // Full wall (640x360) needs the main stream (red). Until it has a frame, the sub keeps
  // showing: every composite on the way shows a picture, never a dark "connecting" tile.
  ASSERT_TRUE(wall.run(LayoutSet{"1x1"}).ok);
  bool reached_main = false;
  for (int i = 0; i < 200 && !reached_main; ++i) {
    Rgb centre = wall.tile_centre(wall.capture(), 0);
    reached_main = near(centre, rgb_hex(0xff0000), kTolerance);
    ASSERT_TRUE(reached_main || near(centre, rgb_hex(0x0000ff), kTolerance))
        << "gap in the picture while switching sub -> main: " << centre.r << "," << centre.g << ","
        << centre.b;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(reached_main);
}

}  // namespace
}  // namespace vw::testing
