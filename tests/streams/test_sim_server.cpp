// The simulated camera server against a real GStreamer RTSP client, on loopback only: colours,
// codecs, Basic auth, 404, kill and restart on the same port, looped clips, the demo clip cache.
#include <arpa/inet.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "streams/sim/clock_stamp.hpp"
#include "streams/sim/demo_cache.hpp"
#include "streams/sim/sim_camera_server.hpp"
#include "tests/support/camsim_process.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using vw::testing::CamsimProcess;
using vw::testing::SimCameraSpec;

void init_gst() {
  gst_init(nullptr, nullptr);
}  // idempotent

struct Rgb {
  int r = 0, g = 0, b = 0;
};

struct Frame {
  Rgb centre;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
};

struct BusError {
  GQuark domain = 0;
  int code = 0;
  std::string message;
};

// rtspsrc -> decodebin -> RGB appsink. Every wait is bounded.
class Receiver {
 public:
  explicit Receiver(const std::string& url, const char* protocols = "tcp") {
    init_gst();
    const std::string launch = std::string("rtspsrc name=src latency=100 protocols=") + protocols +
                               " ! decodebin ! videoconvert ! video/x-raw,format=RGB ! "
                               "appsink name=sink max-buffers=1 drop=true sync=false";
    pipeline_ = gst_parse_launch(launch.c_str(), nullptr);
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
    g_object_set(src, "location", url.c_str(), "tcp-timeout", G_GUINT64_CONSTANT(3000000), nullptr);
    gst_object_unref(src);
    sink_ = gst_bin_get_by_name(GST_BIN(pipeline_), "sink");
    bus_ = gst_element_get_bus(pipeline_);
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }
  ~Receiver() {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(bus_);
    gst_object_unref(sink_);
    gst_object_unref(pipeline_);
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // The next decoded frame, or nullopt on timeout or bus error (see error()).
  std::optional<Frame> next_frame(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && !error_) {
      GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 50 * GST_MSECOND);
      if (sample) {
        Frame frame = read(sample);
        gst_sample_unref(sample);
        return frame;
      }
      poll_bus();
    }
    return std::nullopt;
  }

  // Waits for an error (or EOS, reported as domain 0) on the bus.
  std::optional<BusError> wait_error(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && !error_) {
      if (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 0)) {
        gst_sample_unref(sample);
      }
      poll_bus(50 * GST_MSECOND);
    }
    return error_;
  }
  const std::optional<BusError>& error() const { return error_; }

 private:
  static Frame read(GstSample* sample) {
    Frame frame;
    GstVideoInfo info;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    frame.pts = GST_BUFFER_PTS(buffer);
    GstMapInfo map;
    if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
        gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      const int stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
      const guint8* p = map.data + static_cast<std::size_t>(info.height / 2) * stride +
                        static_cast<std::size_t>(info.width / 2) * 3;
      frame.centre = {p[0], p[1], p[2]};
      gst_buffer_unmap(buffer, &map);
    }
    return frame;
  }

  void poll_bus(GstClockTime wait = 0) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus_, wait, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (!msg) return;
    BusError e;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      e = {err->domain, err->code, err->message};
      g_error_free(err);
    } else {
      e.message = "EOS";
    }
    gst_message_unref(msg);
    error_ = e;
  }

  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
  GstBus* bus_ = nullptr;
  std::optional<BusError> error_;
};

void expect_colour(const Rgb& got, const Rgb& want, const std::string& what) {
  constexpr int kTolerance = 25;
  EXPECT_NEAR(got.r, want.r, kTolerance) << what;
  EXPECT_NEAR(got.g, want.g, kTolerance) << what;
  EXPECT_NEAR(got.b, want.b, kTolerance) << what;
}

// A frame whose centre has the expected colour, within 8 s (a joiner waits for a key frame).
void expect_plays(const std::string& url, const Rgb& want, const char* protocols = "tcp") {
  Receiver rx(url, protocols);
  auto frame = rx.next_frame(8s);
  ASSERT_TRUE(frame.has_value()) << url << ": no frame; "
                                 << (rx.error() ? rx.error()->message : "timeout");
  expect_colour(frame->centre, want, url);
}

void expect_error(const std::string& url, GstResourceError code) {
  Receiver rx(url);
  auto error = rx.wait_error(8s);
  ASSERT_TRUE(error.has_value()) << url << ": played but should not";
  EXPECT_EQ(error->domain, GST_RESOURCE_ERROR) << error->message;
  EXPECT_EQ(error->code, code) << error->message;
}

bool port_accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("vw-test-sim-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const std::vector<SimCameraSpec> kCameras{
    {"/red", 0xff0000, 320, 240, "h264", 25},
    {"/blue", 0x0000ff, 320, 240, "h264", 25},
    {"/green", 0x00ff00, 320, 240, "h265", 25},
};

}  // namespace

TEST(SimServer, SolidColoursInH264AndH265) {
  CamsimProcess cam(kCameras);
  cam.start();
  ASSERT_GT(cam.port(), 0);
  expect_plays(cam.url("/red"), {255, 0, 0});
  expect_plays(cam.url("/blue"), {0, 0, 255});
  expect_plays(cam.url("/green"), {0, 255, 0});
  expect_plays(cam.url("/red"), {255, 0, 0}, "udp");  // RTP over UDP works too
}

TEST(SimServer, SharedMountServesTwoClients) {
  CamsimProcess cam({kCameras[0]});
  cam.start();
  Receiver a(cam.url("/red"));
  Receiver b(cam.url("/red"));
  ASSERT_TRUE(a.next_frame(8s).has_value());
  ASSERT_TRUE(b.next_frame(8s).has_value());
}

TEST(SimServer, BasicAuth) {
  CamsimProcess cam({kCameras[0]}, "operator", "jh@2022:pw");
  cam.start();
  expect_plays(cam.url("/red"), {255, 0, 0});
  expect_error(cam.url("/red", false), GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  const std::string wrong =
      "rtsp://operator:wrong@127.0.0.1:" + std::to_string(cam.port()) + "/red";
  expect_error(wrong, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
}

TEST(SimServer, UnknownMountIsNotFound) {
  CamsimProcess cam({kCameras[0]});
  cam.start();
  expect_error(cam.url("/no-such-camera"), GST_RESOURCE_ERROR_NOT_FOUND);
}

TEST(SimServer, KillAndRestartOnTheSamePort) {
  CamsimProcess cam({kCameras[1]});
  cam.start();
  const int port = cam.port();
  {
    Receiver rx(cam.url("/blue"));
    ASSERT_TRUE(rx.next_frame(8s).has_value());
    cam.kill();  // with a client connected: the server's side of it goes to TIME_WAIT
    EXPECT_FALSE(cam.running());
    EXPECT_TRUE(rx.wait_error(8s).has_value()) << "client did not notice the dead server";
  }
  EXPECT_FALSE(port_accepts(port));
  cam.start();
  EXPECT_EQ(cam.port(), port);
  expect_plays(cam.url("/blue"), {0, 0, 255});
}

TEST(SimServer, InProcessServerReportsPortInUseAndClosesOnStop) {
  vw::streams::SimCameraServerOptions options;
  options.solid.push_back({"/red", 0xff0000, 160, 120, 25, "h264"});
  vw::streams::SimCameraServer first(options);
  std::string error;
  ASSERT_TRUE(first.start(&error)) << error;
  ASSERT_GT(first.port(), 0);

  options.port = first.port();
  vw::streams::SimCameraServer second(options);
  EXPECT_FALSE(second.start(&error));
  EXPECT_NE(error.find("cannot listen"), std::string::npos) << error;
  EXPECT_FALSE(second.running());

  {
    Receiver rx(first.url("/red"));
    ASSERT_TRUE(rx.next_frame(8s).has_value());
    const auto t0 = Clock::now();
    first.stop();
    EXPECT_LT(Clock::now() - t0, 3s);
    EXPECT_TRUE(rx.wait_error(8s).has_value()) << "client connection was not closed";
  }
  EXPECT_FALSE(port_accepts(options.port));
  // The bad options are refused with a reason.
  vw::streams::SimCameraServerOptions bad;
  bad.solid.push_back({"red", 0, 160, 120, 25, "h264"});
  vw::streams::SimCameraServer third(bad);
  EXPECT_FALSE(third.start(&error));
  EXPECT_NE(error.find("'/'"), std::string::npos) << error;
  vw::streams::SimCameraServerOptions smudged;
  smudged.scenes.push_back({"/lens", 320, 180, 25, 0, "smudge", 0});
  vw::streams::SimCameraServer fourth(smudged);
  EXPECT_FALSE(fourth.start(&error));
  EXPECT_NE(error.find("unknown defect 'smudge'"), std::string::npos) << error;
}

TEST(SimServer, ClipLoopsWithMonotonicTimestamps) {
  TempDir dir;
  vw::streams::DemoClipSpec spec{dir.path() / "clip.mp4", "花楼街-01", 320, 180, 25, 1, 3};
  std::string error;
  ASSERT_TRUE(vw::streams::build_demo_clip(spec, &error)) << error;
  auto clip = vw::streams::load_h264_clip(spec.output, &error);
  ASSERT_TRUE(clip) << error;
  EXPECT_EQ(clip->width, 320);
  EXPECT_EQ(clip->height, 180);
  EXPECT_EQ(clip->units.size(), 25u);
  EXPECT_TRUE(clip->units.front().keyframe);
  EXPECT_EQ(clip->fingerprint, vw::streams::demo_clip_fingerprint(spec));

  vw::streams::SimCameraServerOptions options;
  options.clips.push_back({"/cam01", spec.output, 0});
  vw::streams::SimCameraServer server(options);
  ASSERT_TRUE(server.start(&error)) << error;

  Receiver rx(server.url("/cam01"));
  auto first = rx.next_frame(8s);
  ASSERT_TRUE(first.has_value()) << (rx.error() ? rx.error()->message : "timeout");
  // 3 s of a 1 s clip: frames keep coming through two loop seams, timestamps keep rising.
  int frames = 1;
  GstClockTime last_pts = first->pts;
  auto last_frame_at = Clock::now();
  auto longest_gap = Clock::duration::zero();
  const auto until = Clock::now() + 3s;
  while (Clock::now() < until) {
    auto frame = rx.next_frame(1s);
    ASSERT_TRUE(frame.has_value()) << "stream stopped after " << frames << " frames";
    const auto now = Clock::now();
    longest_gap = std::max(longest_gap, now - last_frame_at);
    last_frame_at = now;
    ASSERT_TRUE(GST_CLOCK_TIME_IS_VALID(frame->pts));
    EXPECT_GT(frame->pts, last_pts) << "after " << frames << " frames";
    last_pts = frame->pts;
    ++frames;
  }
  EXPECT_GE(frames, 60);  // 25 fps for 3 s = 75
  EXPECT_LT(longest_gap, 400ms);
  EXPECT_GE(last_pts - first->pts, 2500 * GST_MSECOND);
}

// The latency benchmark's clock stamp reads back what was stamped, at the picture's own size and
// scaled, and refuses a picture without one.
TEST(ClockStamp, ReadsBackWhatWasStampedAtAnyScaleAndNothingElse) {
  constexpr int kW = 640, kH = 360;
  std::vector<std::uint8_t> luma(kW * kH, 90);
  EXPECT_EQ(vw::streams::read_clock_stamp(luma.data(), kW, kW, kH), std::nullopt);
  for (const std::uint32_t ms : {0u, 1u, 0x80000001u, 0xffffffffu, 1733300000u}) {
    vw::streams::stamp_clock(luma.data(), kW, kW, kH, ms);
    EXPECT_EQ(vw::streams::read_clock_stamp(luma.data(), kW, kW, kH), ms);
    // Shown at 2x (nearest neighbour), as a tile filling an output twice the camera's size.
    std::vector<std::uint8_t> big(4 * kW * kH);
    for (int y = 0; y < 2 * kH; ++y)
      for (int x = 0; x < 2 * kW; ++x) big[y * 2 * kW + x] = luma[(y / 2) * kW + x / 2];
    EXPECT_EQ(vw::streams::read_clock_stamp(big.data(), 2 * kW, 2 * kW, 2 * kH), ms);
  }
  // One row damaged: refused, not misread.
  const int y = static_cast<int>(vw::streams::clock_stamp_y(1) * kH);
  std::fill(luma.begin() + y * kW, luma.begin() + (y + 1) * kW, 235);
  EXPECT_EQ(vw::streams::read_clock_stamp(luma.data(), kW, kW, kH), std::nullopt);
}

TEST(DemoCache, BuildsOnceSkipsValidClipsAndRebuildsStaleOnes) {
  TempDir dir;
  std::vector<vw::streams::DemoClipSpec> specs{
      {dir.path() / "a" / "cam01-sub.mp4", "民族街-01", 160, 90, 25, 1, 0},
      {dir.path() / "a" / "cam02-sub.mp4", "汉兴街-02", 160, 90, 25, 1, 1},
  };
  std::vector<vw::streams::DemoCacheProgress> seen;
  auto record = [&](const vw::streams::DemoCacheProgress& p) { seen.push_back(p); };

  auto result = vw::streams::build_demo_cache(specs, record, 2);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.built, 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].count, 2u);
  EXPECT_FALSE(seen[0].cached);
  for (const auto& s : specs) EXPECT_TRUE(vw::streams::demo_clip_valid(s)) << s.output;

  seen.clear();
  result = vw::streams::build_demo_cache(specs, record);
  EXPECT_EQ(result.skipped, 2u);
  EXPECT_EQ(result.built, 0u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[1].cached);

  // A renamed camera and a truncated file are both rebuilt; no part files are left behind.
  specs[0].label = "民族街-09";
  std::filesystem::resize_file(specs[1].output, 100);
  result = vw::streams::build_demo_cache(specs, {});
  EXPECT_EQ(result.built, 2u);
  EXPECT_TRUE(result.ok());
  for (const auto& s : specs) EXPECT_TRUE(vw::streams::demo_clip_valid(s)) << s.output;
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() / "a")) {
    ++files;
  }
  EXPECT_EQ(files, 2);

  // A bad spec fails with a reason naming the file, and a cancelled build stops early.
  vw::streams::DemoClipSpec odd{dir.path() / "odd.mp4", "x", 161, 90, 25, 1, 0};
  std::string error;
  EXPECT_FALSE(vw::streams::build_demo_clip(odd, &error));
  EXPECT_NE(error.find("odd.mp4"), std::string::npos) << error;
  std::stop_source stop;
  stop.request_stop();
  specs[0].label = "changed again";
  result = vw::streams::build_demo_cache(specs, {}, 1, stop.get_token());
  EXPECT_TRUE(result.cancelled);
}
