// The operator panel's stream table: rows collected from real channels, and their order by
// problem, by each column, stably.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/panel/stream_table.hpp"
#include "tests/controller/panel_cameras.hpp"

namespace vw::controller::panel {
namespace {

using streams::StreamChannel;
using streams::StreamState;

// ---- stream table ------------------------------------------------------------------------------

TEST(StreamTable, ProblemRank) {
  EXPECT_EQ(problem_rank(StreamState::AuthFailed), 4);
  EXPECT_EQ(problem_rank(StreamState::NotFound), 4);
  EXPECT_EQ(problem_rank(StreamState::Stalled), 3);
  EXPECT_EQ(problem_rank(StreamState::Reconnecting), 2);
  EXPECT_EQ(problem_rank(StreamState::Connecting), 1);
  EXPECT_EQ(problem_rank(StreamState::Playing), 0);
  EXPECT_EQ(problem_rank(StreamState::Idle), -1);
}

std::shared_ptr<StreamChannel> channel(const std::string& key, StreamState state) {
  auto ch = std::make_shared<StreamChannel>(key, "rtsp://h/" + key, nullptr);
  ch->set_state(state);
  return ch;
}

TEST(StreamTable, CollectRowsFromRealChannels) {
  const std::vector<CameraConfig> cameras{
      camera("a", "民族街-01", "民族街", "rtsp://h/a-sub"),
      camera("b", "花楼街-01", "花楼街"),
      camera("c", "水塔街-01", "水塔街", "rtsp://h/c-sub"),
  };
  auto a_main = channel("a/main", StreamState::Playing);
  a_main->update_stats([](streams::StreamStats& s) {
    s.fps_in = 25;
    s.bitrate_kbps = 4096;
    s.width = 1920;
    s.height = 1080;
    s.codec = "H.264";
    s.decoder = "vah264dec";
    s.hardware_decoder = true;
    s.frames_dropped = 7;
  });
  auto a_sub = channel("a/sub", StreamState::Stalled);
  a_sub->update_stats([](streams::StreamStats& s) {
    s.reconnects = 3;
    s.last_error = "no frame for 5 s";
  });
  auto b_main = channel("b/main", StreamState::AuthFailed);
  auto b_sub = channel("b/sub", StreamState::Playing);        // b has no sub in the config
  auto stranger = channel("zzz/main", StreamState::Playing);  // not a configured camera
  const std::vector<std::shared_ptr<StreamChannel>> channels{stranger, b_sub,  nullptr,
                                                             a_sub,    b_main, a_main};

  const auto rows = collect_stream_rows(cameras, channels);
  ASSERT_EQ(rows.size(), 5u);

  EXPECT_EQ(rows[0].camera_id, "a");
  EXPECT_EQ(rows[0].camera_name, "民族街-01");
  EXPECT_EQ(rows[0].street, "民族街");
  EXPECT_EQ(rows[0].stream, "main");
  EXPECT_TRUE(rows[0].running);
  EXPECT_EQ(rows[0].state, StreamState::Playing);
  EXPECT_EQ(rows[0].stats.fps_in, 25);
  EXPECT_EQ(rows[0].stats.width, 1920);
  EXPECT_EQ(rows[0].stats.codec, "H.264");
  EXPECT_TRUE(rows[0].stats.hardware_decoder);
  EXPECT_EQ(rows[0].stats.frames_dropped, 7u);

  EXPECT_EQ(rows[1].camera_id, "a");
  EXPECT_EQ(rows[1].stream, "sub");
  EXPECT_TRUE(rows[1].running);
  EXPECT_EQ(rows[1].state, StreamState::Stalled);
  EXPECT_EQ(rows[1].stats.reconnects, 3u);
  EXPECT_EQ(rows[1].stats.last_error, "no frame for 5 s");

  EXPECT_EQ(rows[2].camera_id, "b");
  EXPECT_EQ(rows[2].stream, "main");
  EXPECT_TRUE(rows[2].running);
  EXPECT_EQ(rows[2].state, StreamState::AuthFailed);

  for (std::size_t i : {3u, 4u}) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rows[i].camera_id, "c");
    EXPECT_EQ(rows[i].street, "水塔街");
    EXPECT_FALSE(rows[i].running);
    EXPECT_EQ(rows[i].state, StreamState::Idle);
    EXPECT_EQ(rows[i].stats.fps_in, 0);
    EXPECT_EQ(rows[i].stats.codec, "");
  }
  EXPECT_EQ(rows[3].stream, "main");
  EXPECT_EQ(rows[4].stream, "sub");

  // Rows are snapshots: later changes to a channel do not reach them.
  a_main->set_state(StreamState::NotFound);
  EXPECT_EQ(rows[0].state, StreamState::Playing);
}

TEST(StreamTable, CollectWithNoChannelsOrCameras) {
  EXPECT_TRUE(collect_stream_rows({}, {channel("a/main", StreamState::Playing)}).empty());
  const auto rows = collect_stream_rows({camera("a", "A", "s")}, {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].running);
  EXPECT_EQ(rows[0].state, StreamState::Idle);
  EXPECT_FALSE(rows[0].quality);
}

// A camera off the wall visited by the diagnosis: its stream no longer runs, its verdict stays.
TEST(StreamTable, AStoppedStreamKeepsTheVerdictOfItsLastVisit) {
  const auto visited = channel("a/main", StreamState::Idle);
  streams::PictureQuality black;
  black.faults = {"black"};
  visited->set_quality(black);
  const auto rows = collect_stream_rows({camera("a", "A", "s")}, {}, [&](const std::string& key) {
    return key == "a/main" ? visited : nullptr;
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].running);
  ASSERT_TRUE(rows[0].quality);
  EXPECT_EQ(rows[0].quality->faults, std::vector<std::string>{"black"});
}

StreamRow row(std::string id, std::string name, std::string stream, StreamState state,
              double fps = 0) {
  StreamRow r;
  r.camera_id = std::move(id);
  r.camera_name = std::move(name);
  r.stream = std::move(stream);
  r.state = state;
  r.running = state != StreamState::Idle;
  r.stats.fps_in = fps;
  return r;
}

std::vector<std::string> order(const std::vector<StreamRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.camera_id + "/" + r.stream);
  return out;
}

using Keys = std::vector<std::string>;

TEST(StreamTable, DefaultOrderIsProblemsFirstThenNameThenStream) {
  std::vector<StreamRow> rows{
      row("p", "B", "main", StreamState::Playing),
      row("i", "A", "sub", StreamState::Idle),
      row("q", "A", "sub", StreamState::Playing),
      row("r", "C", "main", StreamState::Reconnecting),
      row("q", "A", "main", StreamState::Playing),
      row("n", "Z", "main", StreamState::NotFound),
      row("s", "D", "main", StreamState::Stalled),
      row("f", "Y", "main", StreamState::AuthFailed),
      row("c", "E", "main", StreamState::Connecting),
  };
  const Keys expected{"f/main", "n/main", "s/main", "r/main", "c/main",
                      "q/main", "q/sub",  "p/main", "i/sub"};
  sort_stream_rows(&rows, std::nullopt, true);
  EXPECT_EQ(order(rows), expected);
  sort_stream_rows(&rows, std::nullopt, false);  // the direction means nothing without a column
  EXPECT_EQ(order(rows), expected);
}

std::vector<StreamRow> fps_rows() {
  return {
      row("a", "A", "main", StreamState::Playing, 25),
      row("b", "B", "main", StreamState::Stalled, 0),
      row("c", "C", "main", StreamState::Playing, 12.5),
      row("d", "D", "main", StreamState::Connecting, 25),
      row("e", "E", "main", StreamState::Idle, 0),
      row("f", "F", "main", StreamState::Playing, 25),
  };
}

TEST(StreamTable, ByFpsDescendingTiesByProblemThenName) {
  auto rows = fps_rows();
  sort_stream_rows(&rows, StreamColumn::Fps, false);
  EXPECT_EQ(order(rows), (Keys{"d/main", "a/main", "f/main", "c/main", "b/main", "e/main"}));
}

TEST(StreamTable, ByFpsAscendingTiesByProblemThenName) {
  auto rows = fps_rows();
  sort_stream_rows(&rows, StreamColumn::Fps, true);
  // Ties keep problems first in either direction.
  EXPECT_EQ(order(rows), (Keys{"b/main", "e/main", "c/main", "d/main", "a/main", "f/main"}));
}

// The 画质 column: most faults first when descending; streams not diagnosed last.
TEST(StreamTable, ByQualityFaults) {
  auto rows = fps_rows();
  auto faults = [](std::vector<std::string> f) {
    streams::PictureQuality q;
    q.faults = std::move(f);
    return q;
  };
  rows[0].quality = faults({});
  rows[2].quality = faults({"blur", "noise"});
  rows[5].quality = faults({"frozen"});
  sort_stream_rows(&rows, StreamColumn::Quality, false);
  EXPECT_EQ(order(rows), (Keys{"c/main", "f/main", "a/main", "b/main", "d/main", "e/main"}));
}

TEST(StreamTable, NanFpsStillSortsConsistently) {
  std::vector<StreamRow> rows{
      row("a", "A", "main", StreamState::Playing, std::numeric_limits<double>::quiet_NaN()),
      row("b", "B", "main", StreamState::Playing, 10),
      row("c", "C", "main", StreamState::Playing, std::numeric_limits<double>::quiet_NaN()),
      row("d", "D", "main", StreamState::Playing, -1),
  };
  sort_stream_rows(&rows, StreamColumn::Fps, true);
  EXPECT_EQ(order(rows), (Keys{"a/main", "c/main", "d/main", "b/main"}));
  sort_stream_rows(&rows, StreamColumn::Fps, false);
  EXPECT_EQ(order(rows), (Keys{"b/main", "d/main", "a/main", "c/main"}));
}

TEST(StreamTable, StableForRowsThatCompareEqual) {
  // Cameras sharing a display name: nothing in the documented keys separates them.
  std::vector<StreamRow> rows{
      row("x2", "同名", "main", StreamState::Playing, 25),
      row("x1", "同名", "main", StreamState::Playing, 25),
      row("x3", "同名", "main", StreamState::Playing, 25),
      row("s", "同名", "main", StreamState::Stalled, 25),
  };
  sort_stream_rows(&rows, std::nullopt, true);
  EXPECT_EQ(order(rows), (Keys{"s/main", "x2/main", "x1/main", "x3/main"}));
  sort_stream_rows(&rows, StreamColumn::Fps, false);
  EXPECT_EQ(order(rows), (Keys{"s/main", "x2/main", "x1/main", "x3/main"}));
  sort_stream_rows(&rows, StreamColumn::Camera, true);
  EXPECT_EQ(order(rows), (Keys{"s/main", "x2/main", "x1/main", "x3/main"}));
}

// Many rows with few distinct keys: large enough that an unstable sort would reorder equals.
TEST(StreamTable, StableOnLargeTables) {
  const std::array<StreamState, 3> states{StreamState::Playing, StreamState::Stalled,
                                          StreamState::Idle};
  std::vector<StreamRow> rows;
  for (int i = 0; i < 300; ++i) {
    std::string id = std::to_string(1000 + i);  // ids grow with the input position
    rows.push_back(row(id, std::string(1, static_cast<char>('A' + i % 4)), "main",
                       states[static_cast<std::size_t>((i / 4) % 3)], (i / 12) % 2 ? 25 : 12));
  }
  // Neighbours equal in every key the order uses must keep their input order.
  auto check = [&](std::optional<StreamColumn> column) {
    auto sorted = rows;
    sort_stream_rows(&sorted, column, false);
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      const auto& a = sorted[i - 1];
      const auto& b = sorted[i];
      if (a.camera_name == b.camera_name && a.state == b.state &&
          (!column || a.stats.fps_in == b.stats.fps_in)) {
        EXPECT_LT(a.camera_id, b.camera_id) << i;
      }
    }
    return sorted;
  };
  check(std::nullopt);
  const auto sorted = check(StreamColumn::Fps);
  EXPECT_EQ(sorted.front().stats.fps_in, 25);
  EXPECT_EQ(sorted.front().state, StreamState::Stalled);
  EXPECT_EQ(sorted.back().state, StreamState::Idle);
}

TEST(StreamTable, ByCameraThenStream) {
  std::vector<StreamRow> rows{
      row("b", "B", "sub", StreamState::Playing),
      row("a", "A", "sub", StreamState::Stalled),
      row("b", "B", "main", StreamState::Playing),
      row("a", "A", "main", StreamState::Playing),
  };
  sort_stream_rows(&rows, StreamColumn::Camera, true);
  EXPECT_EQ(order(rows), (Keys{"a/main", "a/sub", "b/main", "b/sub"}));
  sort_stream_rows(&rows, StreamColumn::Camera, false);
  EXPECT_EQ(order(rows), (Keys{"b/sub", "b/main", "a/sub", "a/main"}));
}

TEST(StreamTable, ByStateAscendingPutsHealthyFirst) {
  std::vector<StreamRow> rows{
      row("n", "N", "main", StreamState::NotFound),
      row("p", "P", "main", StreamState::Playing),
      row("i", "I", "main", StreamState::Idle),
      row("s", "S", "main", StreamState::Stalled),
  };
  sort_stream_rows(&rows, StreamColumn::State, true);
  EXPECT_EQ(order(rows), (Keys{"i/main", "p/main", "s/main", "n/main"}));
  sort_stream_rows(&rows, StreamColumn::State, false);
  EXPECT_EQ(order(rows), (Keys{"n/main", "s/main", "p/main", "i/main"}));
}

TEST(StreamTable, ByTheOtherColumns) {
  std::vector<StreamRow> rows{
      row("a", "A", "main", StreamState::Playing),
      row("b", "B", "main", StreamState::Reconnecting),
      row("c", "C", "main", StreamState::Playing),
  };
  auto set = [&](std::size_t i, std::uint64_t drops, std::uint64_t reconnects, double kbps,
                 const char* codec, const char* error) {
    rows[i].stats.frames_dropped = drops;
    rows[i].stats.reconnects = reconnects;
    rows[i].stats.bitrate_kbps = kbps;
    rows[i].stats.codec = codec;
    rows[i].stats.last_error = error;
  };
  auto video = [&](std::size_t i, int w, int h, const char* decoder, bool hardware) {
    rows[i].stats.width = w;
    rows[i].stats.height = h;
    rows[i].stats.decoder = decoder;
    rows[i].stats.hardware_decoder = hardware;
  };
  video(0, 1280, 720, "avdec_h264", false);
  video(1, 720, 1920, "vah264dec", true);  // portrait: more pixels than 1280x720
  video(2, 3840, 2160, "avdec_h265", false);
  set(0, 5, 2, 800, "H.265", "");
  set(1, 0, 9, 0, "", "timeout");
  set(2, 90, 0, 4000, "H.264", "401 unauthorized");

  sort_stream_rows(&rows, StreamColumn::Drops, false);
  EXPECT_EQ(order(rows), (Keys{"c/main", "a/main", "b/main"}));
  sort_stream_rows(&rows, StreamColumn::Reconnects, false);
  EXPECT_EQ(order(rows), (Keys{"b/main", "a/main", "c/main"}));
  sort_stream_rows(&rows, StreamColumn::Bitrate, true);
  EXPECT_EQ(order(rows), (Keys{"b/main", "a/main", "c/main"}));
  sort_stream_rows(&rows, StreamColumn::Codec, true);
  EXPECT_EQ(order(rows), (Keys{"b/main", "c/main", "a/main"}));
  sort_stream_rows(&rows, StreamColumn::LastError, false);
  EXPECT_EQ(order(rows), (Keys{"b/main", "c/main", "a/main"}));
  sort_stream_rows(&rows, StreamColumn::Resolution, false);
  EXPECT_EQ(order(rows), (Keys{"c/main", "b/main", "a/main"}));
  sort_stream_rows(&rows, StreamColumn::Resolution, true);
  EXPECT_EQ(order(rows), (Keys{"a/main", "b/main", "c/main"}));
  sort_stream_rows(&rows, StreamColumn::Decoder, false);  // hardware first
  EXPECT_EQ(order(rows), (Keys{"b/main", "c/main", "a/main"}));
  sort_stream_rows(&rows, StreamColumn::Decoder, true);
  EXPECT_EQ(order(rows), (Keys{"a/main", "c/main", "b/main"}));

  std::vector<StreamRow> none;
  sort_stream_rows(&none, StreamColumn::Fps, true);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace vw::controller::panel
