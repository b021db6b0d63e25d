// videowall-bench-output: what a live output costs, printed (docs/benchmark-outputs.md).
//
// The real daemon (build/bin/videowall, headless, 1920x1080, 2x2 of four camsim street scenes at
// 640x360 @25) runs one window without an output, then one per output (1280x720 @25 and
// 1920x1080 @25, 2 Mbit/s, x264 veryfast zerolatency) started with output.start and watched by a
// gst-launch-1.0 rtspsrc client in another process. Per window: the daemon's CPU (/proc), its
// composites/s (status render.frames_presented) and the output's encoded frames/s. The peer, in
// the same run: a bare `gst-launch-1.0 videotestsrc ! RGBA ! videoconvert ! x264enc` with the
// same settings at each size (its picture generator included). An output's cost is the daemon's
// CPU with it minus without it.
// Figures only, nothing asserted. Table on stdout, logs on stderr.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "controller/api/api_client.hpp"
#include "tests/bench/bench_daemon.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"
#include "tests/support/camsim_process.hpp"
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

struct Window {
  double cpu = 0;           // cores
  double composites = 0;    // per second
  double output_fps = 0;    // encoded frames per second of the output watched, if any
  std::uint64_t drops = 0;  // the output's encoder_drops + sink_drops in the window
};

Window measure(pid_t pid, controller::api::ApiClient& client, const std::string& output,
               int seconds) {
  const json s0 = status(client);
  const double c0 = bench::cpu_seconds(pid);
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measurement window itself
  const json s1 = status(client);
  const double c1 = bench::cpu_seconds(pid);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Window w;
  w.cpu = (c1 - c0) / dt;
  auto presented = [](const json& s) {
    return s.contains("render") ? s["render"].value("frames_presented", 0.0) : 0.0;
  };
  w.composites = (presented(s1) - presented(s0)) / dt;
  if (!output.empty()) {
    const json o0 = output_of(s0, output), o1 = output_of(s1, output);
    w.output_fps = (o1.value("frames_encoded", 0.0) - o0.value("frames_encoded", 0.0)) / dt;
    w.drops = o1.value("encoder_drops", 0ull) + o1.value("sink_drops", 0ull) -
              o0.value("encoder_drops", 0ull) - o0.value("sink_drops", 0ull);
  }
  return w;
}

double bare_encoder(const Size& size, int seconds, const fs::path& dir) {
  const std::string caps = "video/x-raw,format=RGBA,width=" + std::to_string(size.width) +
                           ",height=" + std::to_string(size.height) + ",framerate=25/1";
  testing::DaemonProcess bare("/usr/bin/gst-launch-1.0",
                              {"-q",
                               "videotestsrc",
                               "is-live=true",
                               "pattern=ball",
                               "!",
                               caps,
                               "!",
                               "videoconvert",
                               "!",
                               "video/x-raw,format=I420",
                               "!",
                               "x264enc",
                               "tune=zerolatency",
                               "speed-preset=veryfast",
                               "bitrate=2000",
                               "key-int-max=25",
                               "!",
                               "h264parse",
                               "!",
                               "fakesink"},
                              (dir / ("bare-" + std::string(size.id) + ".log")).string());
  bare.start();
  // Past the start-up: it has encoded for a while (0.3 s of CPU).
  bench::wait_for([&] { return bench::cpu_seconds(bare.pid()) >= 0.3; }, 20s);
  const double c0 = bench::cpu_seconds(bare.pid());
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measurement window
  const double c1 = bench::cpu_seconds(bare.pid());
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bare.stop();
  return (c1 - c0) / dt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench-output: what a live output of the wall costs"};
  int seconds = 10;
  cli.add_option("--seconds", seconds, "measurement window")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  std::FILE* table = bench::take_stdout_for_table();
  if (table == nullptr) return 1;

  const fs::path dir = fs::temp_directory_path() / ("vw-bench-output-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::vector<testing::SimSceneSpec> scenes;
  for (int i = 1; i <= 4; ++i) {
    testing::SimSceneSpec scene;
    scene.mount = "/s" + std::to_string(i);
    scene.width = 640;
    scene.height = 360;
    scenes.push_back(scene);
  }
  testing::CamsimProcess cameras(scenes);
  if (!bench::start_cameras(cameras)) return 1;
  const int rtsp_port = testing::free_tcp_port();
  {
    std::ofstream config(dir / "wall.yaml");
    config << "wall: {width: 1920, height: 1080, layout: 2x2}\ncameras:\n";
    for (int i = 1; i <= 4; ++i) {
      config << "  - {id: s" << i << ", main: \"" << cameras.url("/s" + std::to_string(i))
             << "\"}\n";
    }
    config << "api: {anonymous_role: operator}\noutput_rtsp: {port: " << rtsp_port
           << "}\noutputs:\n";
    for (const Size& s : kSizes) {
      config << "  - {id: " << s.id << ", size: [" << s.width << ", " << s.height
             << "], fps: 25, bitrate_kbps: 2000}\n";
    }
  }
  bench::BenchDaemon bench_daemon = bench::start_bench_daemon(VIDEOWALL_BIN, dir);
  testing::DaemonProcess& daemon = *bench_daemon.process;
  controller::api::ApiClient& client = *bench_daemon.client;
  const bool playing = bench::wait_for(
      [&] {
        const json s = status(client);
        int n = 0;
        for (const auto& st : s.value("streams", json::array()))
          n += st.value("state", "") == "playing" ? 1 : 0;
        return n == 4;
      },
      60s);
  if (!playing) {
    std::fprintf(stderr, "bench: the wall's four streams did not play\n%s\n", daemon.log().c_str());
    return 1;
  }
  // Warm-up: 100 composites with every stream playing.
  const auto presented = [&] {
    const json s = status(client);
    return s.contains("render") ? s["render"].value("frames_presented", 0ull) : 0ull;
  };
  const std::uint64_t warm_from = presented();
  bench::wait_for([&] { return presented() >= warm_from + 100; }, 30s);
  const Window none = measure(daemon.pid(), client, "", seconds);

  std::fprintf(table,
               "wall 1920x1080, 2x2 street scenes 640x360@25; outputs H.264 2 Mbit/s @25, "
               "x264 veryfast zerolatency; %d s windows\n",
               seconds);
  std::fprintf(table, "%-10s %8s %8s %8s %8s %8s %8s %9s %9s %7s\n", "output", "out fps", "drops",
               "wall", "+output", "cost", "bare enc", "cost/bare", "comp/s", "ratio");
  std::fprintf(table, "%-10s %8s %8s %8.2f %8s %8s %8s %9s %9.1f %7s\n", "none", "-", "-", none.cpu,
               "-", "-", "-", "-", none.composites, "-");
  for (const Size& s : kSizes) {
    client.request({{"cmd", "output.start"}, {"output", s.id}});
    const std::string url = "rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/" + s.id;
    testing::DaemonProcess watcher(
        "/usr/bin/gst-launch-1.0",
        {"-q", "rtspsrc", "location=" + url, "protocols=tcp", "!", "rtph264depay", "!", "fakesink"},
        (dir / ("watch-" + std::string(s.id) + ".log")).string());
    bench::wait_for([&] { return output_of(status(client), s.id).value("state", "") == "running"; },
                    20s);
    watcher.start();
    bench::wait_for([&] { return output_of(status(client), s.id).value("clients", 0) >= 1; }, 20s);
    // Past the client's start and the encoder's look-ahead: 2 s of frames encoded.
    const std::uint64_t encoded_from =
        output_of(status(client), s.id).value("frames_encoded", 0ull);
    bench::wait_for(
        [&] {
          return output_of(status(client), s.id).value("frames_encoded", 0ull) >= encoded_from + 50;
        },
        20s);
    const Window with = measure(daemon.pid(), client, s.id, seconds);
    watcher.stop();
    client.request({{"cmd", "output.stop"}, {"output", s.id}});
    const double bare = bare_encoder(s, seconds, dir);
    const double cost = with.cpu - none.cpu;
    const std::string name = std::string(s.id) + " " + std::to_string(s.height) + "p";
    std::fprintf(table, "%-10s %8.1f %8llu %8.2f %8.2f %8.2f %8.2f %8.2fx %9.1f %6.0f%%\n",
                 name.c_str(), with.output_fps, static_cast<unsigned long long>(with.drops),
                 none.cpu, with.cpu, cost, bare, bare > 0 ? cost / bare : 0, with.composites,
                 none.composites > 0 ? 100.0 * with.composites / none.composites : 0);
  }
  std::fflush(table);
  daemon.stop();
  fs::remove_all(dir);
  return 0;
}
