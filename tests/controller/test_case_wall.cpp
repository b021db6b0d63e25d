// The case feed on the wall, end to end: a ZeroMQ publisher in the test, the CaseFeed and alarm
// rules of the CaseMonitor, the WallController and a headless renderer with real cameras.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "controller/cases/case_feed_parser.hpp"
#include "controller/cases/case_monitor.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/wall_harness.hpp"

namespace vw::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// "2026-11-30T08:15:00+08:00": China Standard Time, the feed's local day.
std::string cst(std::chrono::system_clock::time_point t) {
  return controller::format_iso8601(t, std::chrono::hours(8));
}

// The grid-management platform, as the test plays it.
class Platform {
 public:
  Platform() : socket_(context_, zmq::socket_type::pub) {
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }

  void send(nlohmann::json message) {
    message["v"] = 1;
    message["seq"] = ++seq_;
    message["publisher"] = "test-platform";
    message["sent_at"] = cst(std::chrono::system_clock::now());
    auto text = message.dump();
    socket_.send(zmq::buffer(text), zmq::send_flags::none);
  }
  void heartbeat() { send({{"type", "heartbeat"}}); }
  void counts(int hualou_open) {
    send({{"type", "counts"},
          {"date", cst(std::chrono::system_clock::now()).substr(0, 10)},
          {"streets",
           {{{"name", "花楼街"},
             {"reported", 30},
             {"open", hualou_open},
             {"overdue", 2},
             {"closed", 20}},
            {{"name", "民族街"}, {"reported", 10}, {"open", 0}, {"overdue", 0}, {"closed", 10}}}},
          {"categories",
           {{{"name", "占道经营"},
             {"reported", 40},
             {"open", hualou_open},
             {"overdue", 2},
             {"closed", 30}}}}});
  }
  void major_case(const std::string& id, const std::string& street) {
    auto now = std::chrono::system_clock::now();
    send({{"type", "case"},
          {"case",
           {{"id", id},
            {"street", street},
            {"grid", "JH101-07"},
            {"category", "占道经营"},
            {"status", "reported"},
            {"major", true},
            {"reported_at", cst(now)},
            {"updated_at", cst(now)}}}});
  }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::uint64_t seq_ = 0;
};

class CaseWallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cameras_ = std::make_unique<CamsimProcess>(
        std::vector<SimCameraSpec>{{"/hualou", 0x00ff00}, {"/minzu", 0x0000ff}});
    cameras_->start();
    dir_ = fs::temp_directory_path() / ("vw-case-wall-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "rules.yaml") << "rules:\n"
                                          "  - name: 重大事件\n"
                                          "    when: {major: true}\n"
                                          "    show: {layout: 1x1, cameras: [minzu]}\n"
                                          "    banner: \"重大事件：{street}\"\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  controller::Config config() {
    std::string yaml =
        "wall: {width: 640, height: 360, layout: 2x2}\n"
        "cameras:\n"
        "  - {id: hualou, street: 花楼街, main: \"" +
        cameras_->url("/hualou") +
        "\"}\n"
        "  - {id: minzu, street: 民族街, main: \"" +
        cameras_->url("/minzu") +
        "\"}\n"
        "cases:\n"
        "  endpoints: [\"" +
        platform_.endpoint() +
        "\"]\n"
        "  silence_timeout_s: 1.5\n"
        "  rules: rules.yaml\n"
        "  overlays: {default: [counters, badges]}\n";
    return controller::load_config_text(yaml, "test.yaml", dir_.string());
  }

  // Keeps the feed alive with heartbeats while waiting for `done`.
  bool feed_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
          platform_.heartbeat();
          return done();
        },
        timeout);
  }

  Platform platform_;
  std::unique_ptr<CamsimProcess> cameras_;
  fs::path dir_;
};

TEST_F(CaseWallTest, CountsReachTheWallAndMajorCaseRaisesTheAlarmUntilAcknowledged) {
  WallHarness wall(config());
  controller::CaseMonitor monitor(*wall.wall().config(), wall.layouts(), wall.wall(),
                                  [&](auto cases) { wall.renderer().publish_cases(cases); });
  ASSERT_TRUE(wall.all_playing({"hualou", "minzu"}, 20s));
  auto waiting = wall.capture();

  // The subscriber joins asynchronously: repeat the snapshot until the wall has it.
  ASSERT_TRUE(feed_until(
      [&] {
        platform_.counts(7);
        auto stats = monitor.feed_stats();
        return !stats.stale && wall.renderer().stats().case_version > 0;
      },
      10s));
  auto live = wall.capture();
  // The tile of 花楼街 (open cases) has a red badge top-right; 民族街 (none) does not.
  auto red_at = [&](const renderer::Image& image, std::size_t tile) {
    for (double fx = 0.80; fx < 0.99; fx += 0.02)
      for (double fy = 0.02; fy < 0.2; fy += 0.02) {
        Rgb c = wall.tile_centre(image, tile, fx, fy);
        if (c.r > 150 && c.g < 80 && c.b < 80) return true;
      }
    return false;
  };
  EXPECT_TRUE(red_at(live, 0)) << "no open-case badge on the 花楼街 tile";
  EXPECT_FALSE(red_at(live, 1)) << "a badge on a street with no open cases";
  EXPECT_FALSE(red_at(waiting, 0)) << "a badge before any data arrived";
  // The counters strip (bottom-left) changed from "waiting for data" to numbers.
  int differing = 0;
  for (int y = 300; y < 360; ++y)
    for (int x = 0; x < 320; ++x) differing += waiting.pixel(x, y) != live.pixel(x, y);
  EXPECT_GT(differing, 200) << "the counters strip did not change when data arrived";

  // A major case in 花楼街: the rule's layout and camera come up with a banner.
  platform_.major_case("JH-MAJOR-1", "花楼街");
  ASSERT_TRUE(feed_until(
      [&] {
        return wall.wall().state()->layout == "1x1" && !wall.wall().view()->alarm_banner.empty();
      },
      10s));
  const auto state = *wall.wall().state();
  EXPECT_EQ(state.slots[0], "minzu");
  ASSERT_EQ(state.alarms.size(), 1u);
  EXPECT_EQ(wall.wall().view()->alarm_banner, "重大事件：花楼街");
  EXPECT_TRUE(near(wall.tile_centre(wall.capture(), 0, 0.5, 0.6), rgb_hex(0x0000ff), 40));

  monitor.acknowledge({}, controller::Origin{"keyboard:local", "", "operator"});
  // The state snapshot is published a moment before the view made from it: wait for both.
  ASSERT_TRUE(eventually(
      [&] {
        return wall.wall().state()->layout == "2x2" && wall.wall().view()->alarm_banner.empty();
      },
      5s))
      << wall.wall().state()->layout << " / " << wall.wall().view()->alarm_banner;
  EXPECT_EQ(wall.wall().state()->slots[0], "hualou");
}

TEST_F(CaseWallTest, SilentPublisherMakesTheDataStaleAndItRecovers) {
  WallHarness wall(config());
  controller::CaseMonitor monitor(*wall.wall().config(), wall.layouts(), wall.wall(),
                                  [&](auto cases) { wall.renderer().publish_cases(cases); });
  ASSERT_TRUE(feed_until(
      [&] {
        platform_.counts(3);
        return !monitor.feed_stats().stale;
      },
      10s));
  // No message for longer than silence_timeout_s: 数据中断, not old numbers shown as live.
  ASSERT_TRUE(eventually([&] { return monitor.feed_stats().stale; }, 5s));
  ASSERT_TRUE(feed_until(
      [&] {
        platform_.counts(4);
        return !monitor.feed_stats().stale;
      },
      10s));
}

}  // namespace
}  // namespace vw::testing
