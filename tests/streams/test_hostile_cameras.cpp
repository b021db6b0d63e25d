// Hostile camera servers are contained: each misbehaviour of videowall-hostile-camera (a 10 MB
// SDP, endless headers, redirects forever, DESCRIBE then silence, one byte a second, noise for
// H.264, absurd RTP sequence and timestamp jumps) costs only its own stream. The good camera next
// to it keeps its frame rate, memory stays bounded, the hostile stream shows a state and a reason,
// and once it is no longer wanted its pipeline is gone within the teardown bound.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "streams/stream_manager.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/hostile_camera.hpp"

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::CamsimProcess;
using testing::eventually;
using testing::HostileCameraProcess;

long rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

StreamSpec spec(const std::string& key, const std::string& url) {
  StreamSpec s;
  s.key = key;
  s.url = url;
  s.stall_timeout = 1500ms;
  return s;
}

struct Role {
  std::string name;
  bool may_play;       // the stream may show pictures (rtp-jumps carries real H.264)
  std::string reason;  // what its last error must say
};

class HostileCamera : public ::testing::TestWithParam<Role> {};

TEST_P(HostileCamera, CostsOnlyItsOwnStream) {
  const Role role = GetParam();
  CamsimProcess good({{"/good", 0x00ff00, 320, 240, "h264", 25}});
  good.start();
  HostileCameraProcess hostile(role.name);
  hostile.start();

  StreamManagerOptions options;
  options.backoff_initial = 500ms;
  options.backoff_max = 2000ms;
  options.linger = 200ms;
  options.teardown_bound = 2000ms;
  Wakeup wakeup;
  StreamManager manager(&wakeup, options);
  const StreamSpec good_spec = spec("good/main", good.url("/good"));
  auto channels = manager.set_wanted({good_spec, spec("bad/main", hostile.url())});
  auto& ok = *channels[0];
  auto& bad = *channels[1];
  ASSERT_TRUE(eventually([&] { return ok.state() == StreamState::Playing; }, 20s));

  // The hostile stream fails and is rebuilt (its first pipeline torn down meanwhile), or 8 s of
  // it for a role that may play. Meanwhile: the good stream's frames, the process's RSS peak, and
  // whether the hostile one ever claimed to play.
  const long rss_before = rss_kib();
  long rss_peak = rss_before;
  // The good stream's frame rate from its own frames (sequence and arrival time), exact; the
  // stats' counters lag by up to a second.
  const FramePtr first_frame = ok.mailbox().peek();
  ASSERT_TRUE(first_frame);
  bool good_left_playing = false, bad_played = false;
  const auto started = Clock::now();
  const bool attempted = eventually(
      [&] {
        rss_peak = std::max(rss_peak, rss_kib());
        good_left_playing = good_left_playing || ok.state() != StreamState::Playing;
        bad_played = bad_played || bad.state() == StreamState::Playing;
        if (role.may_play) return Clock::now() - started >= 8s;
        return bad.stats().pipeline_generation >= 2;
      },
      40s, 10ms);
  EXPECT_TRUE(attempted) << role.name << ": state " << to_string(bad.state()) << ", generation "
                         << bad.stats().pipeline_generation;
  const FramePtr last_frame = ok.mailbox().peek();
  ASSERT_TRUE(last_frame);
  const double span_s =
      std::chrono::duration<double>(last_frame->received - first_frame->received).count();
  const double good_fps =
      span_s > 0 ? double(last_frame->sequence - first_frame->sequence) / span_s : 0.0;
  EXPECT_GE(good_fps, 20.0) << role.name
                            << ": the good camera's frame rate suffered (source 25 fps, " << span_s
                            << " s measured)";
  EXPECT_FALSE(good_left_playing) << role.name << ": the good camera left Playing";
  // Not under ASan: it holds freed memory in quarantine (256 MB), so RSS says little there.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(rss_peak - rss_before, 64 * 1024)
      << role.name << ": RSS grew by " << (rss_peak - rss_before) / 1024 << " MB";
#endif
  if (!role.may_play) {
    EXPECT_FALSE(bad_played) << role.name;
    EXPECT_NE(bad.stats().last_error.find(role.reason), std::string::npos)
        << role.name << ": " << bad.stats().last_error;
  }
  std::printf("[ %-16s ] state %s, generation %llu, RSS +%ld MB, good %.1f fps, reason: %s\n",
              role.name.c_str(), std::string(to_string(bad.state())).c_str(),
              static_cast<unsigned long long>(bad.stats().pipeline_generation),
              (rss_peak - rss_before) / 1024, good_fps, bad.stats().last_error.c_str());

  // No longer wanted: stopped after the linger, its pipelines freed within the teardown bound.
  const auto removed = Clock::now();
  manager.set_wanted({good_spec});
  const bool gone = eventually(
      [&] { return bad.state() == StreamState::Idle && manager.pending_teardowns() == 0; },
      options.linger + options.teardown_bound + 1500ms, 10ms);
  EXPECT_TRUE(gone)
      << role.name << ": state " << to_string(bad.state()) << ", " << manager.pending_teardowns()
      << " teardowns pending after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - removed).count()
      << " ms";
  EXPECT_EQ(ok.state(), StreamState::Playing);
}

INSTANTIATE_TEST_SUITE_P(
    Roles, HostileCamera,
    ::testing::Values(Role{"huge-sdp", false, "no frame within"},
                      Role{"endless-headers", false, "last step: Retrieving media info"},
                      Role{"redirect-loop", false, "no frame within"},
                      Role{"describe-silence", false, "Timeout while waiting for server"},
                      Role{"slowloris", false, "last step: Retrieving server options"},
                      Role{"garbage", false, "last step: Sent PLAY request"},
                      Role{"rtp-jumps", true, ""}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (char& c : name)
        if (c == '-') c = '_';
      return name;
    });

}  // namespace
}  // namespace vw::streams
