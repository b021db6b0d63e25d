// The diagnosis' visits to cameras that are not on the wall (quality.off_wall), on real streams
// from a real RTSP server: each camera is opened in turn (at most `at_once` at a time) next to the
// wall's own stream, which keeps playing; a fault found on a visit stands until the camera's next
// visit instead of ending with the visit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "controller/quality/quality_monitor.hpp"
#include "streams/stream_manager.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"

namespace vw::controller::quality {
namespace {

using namespace std::chrono_literals;
using Faults = std::vector<std::string>;

TEST(QualityVisits, CamerasOffTheWallAreVisitedInTurnAndKeepTheirVerdict) {
  testing::CamsimProcess cameras(std::vector<testing::SimSceneSpec>{
      {"/wall", "none", 0}, {"/a", "black", 0}, {"/b", "none", 0}, {"/c", "too_dark", 0}});
  cameras.start();
  streams::Wakeup wakeup;
  streams::StreamManager manager(&wakeup, {});
  auto spec_of = [&](const std::string& camera) {
    streams::StreamSpec spec;
    spec.key = camera + "/sub";
    spec.url = cameras.url("/" + camera);
    return spec;
  };
  const auto wall = manager.set_wanted({spec_of("wall")}).front();

  std::mutex mutex;
  std::vector<std::vector<std::string>> opened;  // every visit set, in order
  std::vector<std::string> ended_on_a;           // faults of "a" that ended while it was off
  OffWallVisits visits;
  visits.candidates = [] { return std::vector<std::string>{"a", "b", "c"}; };
  visits.open = [&](const std::vector<std::string>& list) {
    {
      std::lock_guard lock(mutex);
      opened.push_back(list);
    }
    std::vector<streams::StreamSpec> specs;
    for (const auto& camera : list) specs.push_back(spec_of(camera));
    return manager.set_wanted(specs, streams::Wanter::Diagnosis);
  };
  visits.visit = 1500ms;
  visits.at_once = 1;
  QualityOptions options;
  options.interval = 250ms;
  auto monitor = std::make_unique<QualityMonitor>(
      options, [&] { return std::vector<std::shared_ptr<streams::StreamChannel>>{wall}; },
      [&](const std::string& stream, const Faults& before, const Faults& after,
          const std::string&) {
        if (stream != "a/sub") return;
        std::lock_guard lock(mutex);
        for (const auto& f : before)
          if (std::find(after.begin(), after.end(), f) == after.end()) ended_on_a.push_back(f);
      },
      QualityMonitor::References{}, QualityMonitor::Folders{}, visits);

  auto faults_of = [&](const std::string& key) -> std::optional<Faults> {
    const auto channel = manager.channel(key);
    const auto q = channel ? channel->quality() : std::nullopt;
    return q ? std::optional<Faults>(q->faults) : std::nullopt;
  };
  ASSERT_TRUE(testing::eventually(
      [&] {
        return faults_of("a/sub") == Faults{"black"} && faults_of("b/sub") == Faults{} &&
               faults_of("c/sub") == Faults{"too_dark"};
      },
      40s, 50ms))
      << "a, b, c: " << (faults_of("a/sub") ? faults_of("a/sub")->size() : 99) << " "
      << (faults_of("c/sub") ? faults_of("c/sub")->size() : 99);
  // a's verdict stands while another camera is visited.
  ASSERT_TRUE(testing::eventually(
      [&] {
        std::lock_guard lock(mutex);
        return !opened.empty() && opened.back() == std::vector<std::string>{"b"};
      },
      20s, 20ms));
  EXPECT_EQ(faults_of("a/sub"), Faults{"black"});
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(ended_on_a.empty()) << ended_on_a.front();
    // One camera at a time, in turn: a, b, c, a, ...
    for (std::size_t i = 0; i < opened.size(); ++i) {
      ASSERT_EQ(opened[i].size(), 1u);
      EXPECT_EQ(opened[i][0], std::string(1, static_cast<char>('a' + i % 3))) << i;
    }
  }
  EXPECT_EQ(wall->state(), streams::StreamState::Playing);  // the wall's stream played on
  EXPECT_EQ(faults_of("wall/sub"), Faults{});
  monitor.reset();
  std::lock_guard lock(mutex);
  EXPECT_EQ(opened.back(), std::vector<std::string>{}) << "the visits end with the monitor";
}

}  // namespace
}  // namespace vw::controller::quality
