// Recordings of the live outputs end to end: a real daemon records its wall as MP4 segments;
// ffprobe (a client we did not write) plays them, during the run and after a SIGKILL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "streams/out/recording_sink.hpp"
#include "tests/controller/api_daemon.hpp"
#include "tests/controller/output_status.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// ffprobe's duration of a recorded segment in seconds (0 when it does not play).
double segment_seconds(const fs::path& file) {
  const auto r = run_process("/usr/bin/ffprobe",
                             {"-v", "error", "-show_entries", "format=duration:stream=codec_name",
                              "-of", "json", file.string()},
                             30s);
  const json parsed = json::parse(r.output, nullptr, false);
  if (r.exit_code != 0 || !parsed.contains("format") || !parsed.contains("streams") ||
      parsed["streams"].empty() || parsed["streams"][0].value("codec_name", "") != "h264") {
    return 0;
  }
  return std::atof(parsed["format"].value("duration", "0").c_str());
}

std::vector<fs::path> segments_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".mp4") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A recording output: segments that play, a folder that stays within its bound, and a daemon
// killed with SIGKILL leaves every finished segment playable.
TEST(OutputsRecording, SegmentsPlayStayWithinTheirBoundAndSurviveAKill) {
  const fs::path dir = fs::temp_directory_path() / ("vw-rec-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  // About 2 KB a segment (solid tiles at 320x180): a bound of 20 KB keeps the last few.
  ApiDaemon daemon("outputs-rec",
                   "api: {anonymous_role: operator}\noutputs:\n"
                   "  - {id: rec, size: [320, 180], fps: 10, sinks: [record], "
                   "record: {dir: " +
                       dir.string() + ", segment_s: 1, max_mb: 0.02}, start: true}\n");
  daemon.start();
  // Segments begun once the four tiles play: before, each tile that arrives is a scene cut (an
  // extra key frame, a short segment).
  ASSERT_TRUE(eventually(
      [&] {
        const json s = json::parse(daemon.wallctl({"--json", "status"}).output, nullptr, false);
        int playing = 0;
        for (const auto& tile : s.value("tiles", json::array()))
          playing += tile.value("state", "") == "playing";
        return playing == 4;
      },
      30s, 100ms))
      << daemon.process().log();
  const std::vector<fs::path> before = segments_in(dir);
  auto begun_since = [&] {
    std::vector<fs::path> fresh;
    for (const fs::path& f : segments_in(dir))
      if (std::find(before.begin(), before.end(), f) == before.end()) fresh.push_back(f);
    return fresh;
  };
  // Several finished segments, each ~1 s of H.264 that ffprobe plays.
  ASSERT_TRUE(eventually([&] { return begun_since().size() >= 4; }, 60s, 200ms))
      << daemon.process().log();
  std::vector<fs::path> files = begun_since();
  for (std::size_t i = 0; i + 1 < files.size(); ++i) {  // the newest is being written
    const double seconds = segment_seconds(files[i]);
    EXPECT_GT(seconds, 0.0) << files[i] << " does not play";
    // The first may have begun before the tiles played; the others are a segment long (1 s,
    // split at the key frame after it; the units are stamped at the output's rate however the
    // loaded encoder bunches them).
    if (i > 0) {
      EXPECT_GT(seconds, 0.5) << files[i];
      EXPECT_LT(seconds, 3.0) << files[i];
    }
    EXPECT_EQ(files[i].filename().string().rfind("rec-", 0), 0u) << files[i];
  }
  // The bound: the oldest went; what stays is within it (plus the segment being written).
  EXPECT_TRUE(eventually(
      [&] {
        const json s = json::parse(daemon.wallctl({"--json", "status"}).output, nullptr, false);
        for (const auto& o : s.value("outputs", json::array()))
          if (o.value("id", "") == "rec") return o["recording"].value("removed", 0) > 0;
        return false;
      },
      60s, 200ms));
  std::uintmax_t total = 0;
  files = segments_in(dir);
  for (std::size_t i = 0; i + 1 < files.size(); ++i) total += fs::file_size(files[i]);
  EXPECT_LE(total, 20u * 1024u + 8u * 1024u) << files.size() << " segments";
  EXPECT_EQ(output_of_status(daemon, "rec").value("sinks", json::array()), json::array({"record"}));

  daemon.process().kill_hard();
  files = segments_in(dir);
  ASSERT_GE(files.size(), 2u);
  for (std::size_t i = 0; i + 1 < files.size(); ++i)
    EXPECT_GT(segment_seconds(files[i]), 0.0) << files[i] << " does not play after a SIGKILL";
  fs::remove_all(dir);
}

// The recording's folder vanishes under it (an operator's rm -rf, a volume unmounted): the
// recording fails, says why, and is restarted with backoff; the wall and status go on.
TEST(OutputsRecording, AFailedRecordingIsRestartedAndSaysWhy) {
  const fs::path dir = fs::temp_directory_path() / ("vw-heal-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ApiDaemon daemon("outputs-heal",
                   "api: {anonymous_role: operator}\noutputs:\n"
                   "  - {id: rec, size: [320, 180], fps: 10, sinks: [record], "
                   "record: {dir: " +
                       dir.string() + ", segment_s: 1}, start: true}\n");
  daemon.start();
  ASSERT_TRUE(eventually([&] { return segments_in(dir).size() >= 2; }, 60s, 200ms))
      << daemon.process().log();
  fs::remove_all(dir);
  json rec;
  ASSERT_TRUE(eventually(
      [&] {
        rec = output_of_status(daemon, "rec");
        return rec.value("restarts", 0) >= 1 && segments_in(dir).size() >= 2;
      },
      60s, 200ms))
      << rec.dump() << daemon.process().log();
  EXPECT_NE(rec.value("restarted_for", "").find("recording"), std::string::npos) << rec.dump();
  EXPECT_EQ(rec.value("state", ""), "running") << rec.dump();
  EXPECT_TRUE(daemon.process().running());
  const auto r = daemon.wallctl({"--json", "state"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  fs::remove_all(dir);
}

// Segments begun in the same second (a restart, a scene cut) keep names that sort in the order
// they began: the quota removes the oldest by name and must never take the one being written.
TEST(OutputsRecording, SegmentsOfOneSecondSortInTheOrderTheyBegan) {
  const fs::path dir = fs::temp_directory_path() / ("vw-names-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const streams::RecordingOptions options{"rec", dir, 1, 1u << 20};
  const std::time_t start = std::time(nullptr);
  std::vector<fs::path> made;
  for (int i = 0; i < 12; ++i) {
    made.push_back(streams::segment_path(options, start));
    std::ofstream(made.back()).put('x');
  }
  const fs::path next_second = streams::segment_path(options, start + 1);
  EXPECT_EQ(std::set<fs::path>(made.begin(), made.end()).size(), made.size());
  std::vector<fs::path> sorted = made;
  sorted.push_back(next_second);
  std::sort(sorted.begin(), sorted.end());
  made.push_back(next_second);
  EXPECT_EQ(sorted, made);
  EXPECT_EQ(made[1].filename().string().substr(made[1].filename().string().size() - 7), "_02.mp4");
  fs::remove_all(dir);
}

// The first response of the RTSP server at 127.0.0.1:port to a DESCRIBE without credentials.

}  // namespace
}  // namespace vw::testing
