// videowall-bench-latency: glass-to-glass latency of the live outputs, printed
// (docs/benchmark-outputs.md).
//
// One camsim street scene (640x360 @25) burns the wall clock into each frame as it leaves for
// its encoder (streams/sim/clock_stamp.hpp). The real daemon (headless, 1920x1080, layout 1x1:
// the camera fills the wall) sends the wall out at 1280x720 and 1920x1080 over RTSP, SRT and
// WHEP. Receivers in processes other than the daemon read the stamp back from every frame they
// decode and take the difference to their own clock: this program's GStreamer (rtspsrc
// latency=0 or srtsrc, avdec_h264, appsink without sync: a frame counts the moment it is
// decoded) and headless chromium (WHEP, each frame as the video element presents it,
// requestVideoFrameCallback, read from a canvas). The floor, in the same run: the camera read
// directly by the same GStreamer receiver (the camera's encoder, the network and the decoder,
// without the wall), and what the wall itself shows: snapshots of its next composite (API
// `snapshot`), the stamp against the time each was asked for (a lower bound, by up to a frame).
// "+wall+out" is what the wall and the output add over the floor; "+out" what the output adds
// over the wall's composite (its read-back, encoder, sink and the receiver's decode).
// Figures only, nothing asserted. Table on stdout, logs on stderr.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/api_client.hpp"
#include "controller/api/wallctl_format.hpp"
#include "streams/gst_init.hpp"
#include "streams/sim/clock_stamp.hpp"
#include "tests/bench/bench_daemon.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/chromium.hpp"
#include "tests/support/image_decode.hpp"
#include "tests/support/process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw;
using namespace std::chrono_literals;
using nlohmann::json;

using bench::output_of;
using bench::status;
using Size = bench::OutputSize;
constexpr const auto& kSizes = bench::kOutputSizes;
constexpr int kSrtLatencyMs = 60;  // SRT's receive buffer, both ends (the default is 120)

// A difference of two clock_stamp_now_ms() values, wrapped to a signed one.
double since_stamp(std::uint32_t stamp) {
  return static_cast<std::int32_t>(streams::clock_stamp_now_ms() - stamp);
}

// A GStreamer receiver in this process: `source` (ending in H.264), decoded to grey, each frame's
// stamp read at once.
class StampReader {
 public:
  explicit StampReader(const std::string& source) {
    streams::ensure_gstreamer();
    const std::string launch = source +
                               " ! avdec_h264 ! videoconvert ! video/x-raw,format=GRAY8 ! "
                               "appsink name=out sync=false max-buffers=8 drop=true";
    pipeline_ = gst_parse_launch(launch.c_str(), nullptr);
    if (pipeline_ == nullptr) return;
    GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = on_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(out), &callbacks, this, nullptr);
    gst_object_unref(out);
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }
  ~StampReader() {
    if (pipeline_ == nullptr) return;
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return latencies_.size();
  }
  std::vector<double> since(std::size_t from) const {
    std::lock_guard lock(mutex_);
    return {latencies_.begin() + static_cast<std::ptrdiff_t>(std::min(from, latencies_.size())),
            latencies_.end()};
  }

 private:
  static GstFlowReturn on_sample(GstAppSink* sink, gpointer data) {
    auto* self = static_cast<StampReader*>(data);
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (sample == nullptr) return GST_FLOW_OK;
    GstVideoInfo info;
    GstVideoFrame frame;
    if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
        gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
      const auto stamp = streams::read_clock_stamp(
          static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
          GST_VIDEO_FRAME_HEIGHT(&frame));
      gst_video_frame_unmap(&frame);
      std::lock_guard lock(self->mutex_);
      if (stamp && self->latencies_.size() < 100000)
        self->latencies_.push_back(since_stamp(*stamp));
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  }
  GstElement* pipeline_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<double> latencies_;
};

// The WHEP probe page: each presented frame drawn into a canvas, its stamp read at the centres
// clock_stamp.hpp gives (?xs, ?ys), "stamp-latency MS" logged.
const std::string kWhepPage =
    std::string("<!doctype html><html><body><script>") + testing::kWhepPlayJs + R"JS(
"use strict";
const q = new URLSearchParams(location.search);
const xs = q.get("xs").split(",").map(Number), ys = q.get("ys").split(",").map(Number);
const log = (text) => console.log("bench-whep: " + text);
const video = whepPlay(q.get("endpoint"), null, log);
const canvas = document.createElement("canvas");
function frame() {
  const w = video.videoWidth, h = video.videoHeight;
  if (w > 16) {
    canvas.width = w; canvas.height = h;
    const c = canvas.getContext("2d", {willReadFrequently: true});
    c.drawImage(video, 0, 0);
    const luma = (x, y) => {
      const d = c.getImageData(Math.floor(x * w), Math.floor(y * h), 1, 1).data;
      return 0.299 * d[0] + 0.587 * d[1] + 0.114 * d[2];
    };
    let value = 0, ok = true;
    for (let bit = 0; bit < 32; ++bit) {
      const one = luma(xs[bit], ys[0]) > 128, inverted = luma(xs[bit], ys[1]) > 128;
      if (one === inverted) { ok = false; break; }
      value = value * 2 + (one ? 1 : 0);
    }
    if (ok) {
      let d = (Date.now() % 4294967296) - value;
      if (d < -2147483648) d += 4294967296;
      log("stamp-latency " + d);
    }
  }
  video.requestVideoFrameCallback(frame);
}
video.requestVideoFrameCallback(frame);
</script></body></html>
)JS";

std::vector<double> whep_latencies(const testing::Chromium& browser) {
  std::vector<double> out;
  for (const std::string& line : browser.lines("bench-whep: stamp-latency "))
    out.push_back(std::atof(line.c_str()));
  return out;
}

// The stamp in the wall's snapshot (a JPEG), read from its luminance; nullopt when none.
std::optional<std::uint32_t> stamp_in_snapshot(const json& reply) {
  const auto bytes = controller::api::wallctl::base64_decode(reply.value("data", ""));
  if (!bytes) return std::nullopt;
  renderer::Image image;
  try {
    image = renderer::decode_jpeg(std::vector<std::uint8_t>(bytes->begin(), bytes->end()));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> luma(static_cast<std::size_t>(image.width) * image.height);
  for (std::size_t i = 0; i < luma.size(); ++i) {
    const std::uint8_t* p = &image.rgba[i * 4];
    luma[i] = static_cast<std::uint8_t>((299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000);
  }
  return streams::read_clock_stamp(luma.data(), image.width, image.width, image.height);
}

struct Row {
  std::string path;
  std::vector<double> latencies;
};

// Waits until a receiver has read 25 frames (past its start), then takes the next `seconds` of
// frames at 25 fps (bounded: a receiver that falls behind gives what it read in 3x the time).
template <typename Count, typename Since>
std::vector<double> window(Count count, Since since, int seconds) {
  if (!bench::wait_for([&] { return count() >= 25; }, 30s)) return {};
  const std::size_t from = count();
  bench::wait_for([&] { return count() >= from + 25 * static_cast<std::size_t>(seconds); },
                  std::chrono::seconds(3 * seconds));
  return since(from);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench-latency: camera to output client latency of the live outputs"};
  int seconds = 10;
  cli.add_option("--seconds", seconds, "measurement window per path")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  std::FILE* table = bench::take_stdout_for_table();
  if (table == nullptr) return 1;

  const fs::path dir = fs::temp_directory_path() / ("vw-bench-latency-" + std::to_string(getpid()));
  fs::create_directories(dir);
  testing::SimSceneSpec scene;
  scene.mount = "/lat";
  scene.width = 640;
  scene.height = 360;
  scene.clock = true;
  testing::CamsimProcess cameras(std::vector<testing::SimSceneSpec>{scene});
  if (!bench::start_cameras(cameras)) return 1;
  const int rtsp_port = testing::free_tcp_port(), whep_port = testing::free_tcp_port();
  std::vector<int> srt_ports;
  {
    std::ofstream config(dir / "wall.yaml");
    config << "wall: {width: 1920, height: 1080, layout: 1x1}\ncameras:\n  - {id: lat, main: \""
           << cameras.url("/lat")
           << "\"}\napi: {anonymous_role: operator}\noutput_rtsp: {port: " << rtsp_port
           << "}\noutput_whep: {address: \"127.0.0.1:" << whep_port
           << "\", ice_addresses: [127.0.0.1]}\noutputs:\n";
    for (const Size& s : kSizes) {
      srt_ports.push_back(testing::free_udp_port());
      config << "  - {id: " << s.id << ", size: [" << s.width << ", " << s.height
             << "], fps: 25, bitrate_kbps: 4000, sinks: [rtsp, srt, whep], srt: {address: "
                "\"127.0.0.1:"
             << srt_ports.back() << "\", latency_ms: " << kSrtLatencyMs << "}}\n";
    }
  }
  bench::BenchDaemon bench_daemon = bench::start_bench_daemon(VIDEOWALL_BIN, dir);
  testing::DaemonProcess& daemon = *bench_daemon.process;
  controller::api::ApiClient& client = *bench_daemon.client;
  const bool playing = bench::wait_for(
      [&] {
        for (const auto& st : status(client).value("streams", json::array()))
          if (st.value("state", "") == "playing") return true;
        return false;
      },
      60s);
  if (!playing) {
    std::fprintf(stderr, "bench: the camera did not play\n%s\n", daemon.log().c_str());
    return 1;
  }

  std::vector<Row> rows;
  {
    StampReader direct("rtspsrc location=" + cameras.url("/lat") +
                       " latency=0 protocols=tcp ! rtph264depay ! h264parse");
    rows.push_back({"camera direct (floor)",
                    window([&] { return direct.count(); },
                           [&](std::size_t from) { return direct.since(from); }, seconds)});
  }
  {
    // What the wall itself shows: snapshots of the next composite, the stamp in each against the
    // time the request left (a lower bound: the composite comes up to a frame later).
    std::vector<double> wall;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      const std::uint32_t asked = streams::clock_stamp_now_ms();
      json reply;
      try {
        reply = client.request({{"cmd", "snapshot"}, {"format", "jpeg"}, {"quality", 90}});
      } catch (const std::exception&) {
        continue;
      }
      if (const auto stamp = stamp_in_snapshot(reply))
        wall.push_back(static_cast<std::int32_t>(asked - *stamp));
    }
    rows.push_back({"wall composite (>=)", wall});
  }
  std::string xs, ys;
  for (int bit = 0; bit < 32; ++bit)
    xs += (bit ? "," : "") + std::to_string(streams::clock_stamp_x(bit));
  ys = std::to_string(streams::clock_stamp_y(0)) + "," + std::to_string(streams::clock_stamp_y(1));
  std::ofstream(dir / "whep.html") << kWhepPage;
  for (std::size_t i = 0; i < std::size(kSizes); ++i) {
    const Size& s = kSizes[i];
    const std::string size = std::to_string(s.height) + "p";
    client.request({{"cmd", "output.start"}, {"output", s.id}});
    bench::wait_for(
        [&] {
          for (const auto& o : status(client).value("outputs", json::array()))
            if (o.value("id", "") == s.id) return o.value("state", "") == "running";
          return false;
        },
        20s);
    {
      StampReader rtsp("rtspsrc location=rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/" +
                       s.id + " latency=0 protocols=tcp ! rtph264depay ! h264parse");
      rows.push_back(
          {"RTSP " + size, window([&] { return rtsp.count(); },
                                  [&](std::size_t from) { return rtsp.since(from); }, seconds)});
    }
    {
      StampReader srt("srtsrc uri=srt://127.0.0.1:" + std::to_string(srt_ports[i]) +
                      " latency=" + std::to_string(kSrtLatencyMs) + " ! tsdemux ! h264parse");
      rows.push_back(
          {"SRT " + size, window([&] { return srt.count(); },
                                 [&](std::size_t from) { return srt.since(from); }, seconds)});
    }
    {
      testing::Chromium browser(dir / ("chromium-" + std::string(s.id)),
                                "file://" + (dir / "whep.html").string() +
                                    "?endpoint=http://127.0.0.1:" + std::to_string(whep_port) +
                                    "/" + s.id + "/whep&xs=" + xs + "&ys=" + ys);
      rows.push_back({"WHEP " + size + " (chromium)",
                      window([&] { return whep_latencies(browser).size(); },
                             [&](std::size_t from) {
                               auto all = whep_latencies(browser);
                               return std::vector<double>(
                                   all.begin() +
                                       static_cast<std::ptrdiff_t>(std::min(from, all.size())),
                                   all.end());
                             },
                             seconds)});
    }
    client.request({{"cmd", "output.stop"}, {"output", s.id}});
  }

  std::fprintf(table,
               "camera 640x360@25 (clock stamped) -> wall 1920x1080 1x1 -> outputs H.264 4 Mbit/s "
               "@25, x264 veryfast zerolatency; SRT latency %d ms; %d s per path\n",
               kSrtLatencyMs, seconds);
  std::fprintf(table, "%-22s %7s %8s %8s %8s %14s %9s\n", "path", "frames", "p50 ms", "p99 ms",
               "max ms", "+wall+out p99", "+out p99");
  const double floor_p99 = bench::percentile(rows[0].latencies, 0.99);
  const double wall_p99 = bench::percentile(rows[1].latencies, 0.99);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.latencies.empty()) {
      std::fprintf(table, "%-22s %7s (no frame read)\n", row.path.c_str(), "0");
      continue;
    }
    const double p99 = bench::percentile(row.latencies, 0.99);
    char over_floor[16] = "-", over_wall[16] = "-";  // the floor and the wall are the references
    if (i >= 1) std::snprintf(over_floor, sizeof over_floor, "%.0f", p99 - floor_p99);
    if (i >= 2) std::snprintf(over_wall, sizeof over_wall, "%.0f", p99 - wall_p99);
    std::fprintf(table, "%-22s %7zu %8.0f %8.0f %8.0f %14s %9s\n", row.path.c_str(),
                 row.latencies.size(), bench::percentile(row.latencies, 0.5), p99,
                 bench::percentile(row.latencies, 1.0), over_floor, over_wall);
  }
  std::fflush(table);
  daemon.stop();
  fs::remove_all(dir);
  return 0;
}
