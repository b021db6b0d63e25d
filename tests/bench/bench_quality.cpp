// videowall-bench-quality: what the picture-quality diagnosis (视频质量诊断) costs, and whether it
// raises verdicts on clean cameras, printed.
//
// The demo's clean cameras (its clips: moving test patterns with burnt-in names, 640x360, one
// look per camera; or with --street-scenes camsim's painted street views) loop from a loopback RTSP
// server (videowall-camsim, a child process) onto an in-process wall (streams, headless renderer,
// controller). Three windows, one after the other: diagnosis off, on, off again (the two off
// windows, --off-seconds long, bracket drift). It prints the wall's composites/s and the process'
// CPU in each, the diagnosis thread's own CPU (its thread, "vw-quality", read from /proc) per
// camera in % of a core, and the samples taken with the number that held a verdict: on these clean
// cameras every verdict is a false positive. With --references every camera's scene is confirmed as
// the window begins, so the scene check (场景变更: a phase correlation against the reference per
// sample) is in the figures too. Figures only, except --check: exit status 1 when a clean camera
// raised a verdict or nothing was sampled (the short version CI runs).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "controller/core/config.hpp"
#include "controller/quality/quality_monitor.hpp"
#include "streams/sim/demo_cache.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"
#include "tests/support/wall_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw;
using Clock = std::chrono::steady_clock;

struct Window {
  double composites_per_s = 0;
  double process_cores = 0;
  double monitor_cores = 0;
};

// Composites and CPU over `seconds`; `during` runs every 100 ms (it must not block).
Window measure(vw::testing::WallHarness& wall, double seconds,
               const std::function<void()>& during) {
  const auto presented0 = wall.renderer().stats().frames_presented;
  const double cpu0 = bench::cpu_seconds(getpid());
  const double monitor0 = bench::thread_cpu_seconds("vw-quality");
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {  // the window's length is the measurement, not a wait
    if (during) during();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  Window w;
  w.composites_per_s =
      double(wall.renderer().stats().frames_presented - presented0) / std::max(elapsed, 1e-3);
  w.process_cores = (bench::cpu_seconds(getpid()) - cpu0) / elapsed;
  w.monitor_cores = (bench::thread_cpu_seconds("vw-quality") - monitor0) / elapsed;
  return w;
}

std::string layout_for(int cameras) {
  for (int n = 1; n <= 8; ++n)
    if (n * n >= cameras) return std::to_string(n) + "x" + std::to_string(n);
  return "8x8";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"videowall-bench-quality: the picture-quality diagnosis' cost and false positives"};
  int cameras = 16;
  double seconds = 40, interval_s = 5, off_seconds = 0;
  int clip_seconds = 4;
  bool check = false, references = false, street_scenes = false;
  std::string cache = (fs::temp_directory_path() / "videowall-bench-quality").string();
  app.add_option("--cameras", cameras, "clean demo cameras on the wall")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--seconds", seconds, "length of each window (off, on, off)")
      ->check(CLI::Range(2.0, 3600.0))
      ->capture_default_str();
  app.add_option("--off-seconds", off_seconds, "length of each off window (default: --seconds)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--interval", interval_s, "diagnosis interval in seconds (quality.interval_s)")
      ->check(CLI::Range(0.1, 60.0))
      ->capture_default_str();
  app.add_option("--clip-seconds", clip_seconds, "length of each looped demo clip")
      ->check(CLI::Range(1, 60))
      ->capture_default_str();
  app.add_option("--cache", cache, "folder for the demo clips (kept between runs)")
      ->capture_default_str();
  app.add_flag("--check", check, "exit 1 on a false positive or when nothing was sampled");
  app.add_flag("--street-scenes", street_scenes,
               "camsim's street scenes (a fixed camera's view) instead of the demo's clips");
  app.add_flag("--references", references,
               "confirm every camera's scene first: the scene check runs too");
  CLI11_PARSE(app, argc, argv);
  if (off_seconds <= 0) off_seconds = seconds;
  std::FILE* table = bench::take_stdout_for_table();
  if (!table) return 2;

  std::unique_ptr<vw::testing::CamsimProcess> cameras_server;
  if (street_scenes) {
    // camsim's street scenes (buildings, traffic, a pedestrian; a stretch of street each), painted
    // live: a fixed camera's view, what the scene check is for.
    std::vector<vw::testing::SimSceneSpec> scenes;
    for (int i = 0; i < cameras; ++i)
      scenes.push_back({"/q" + std::to_string(i + 1), "none", 0, 640, 360, 25});
    cameras_server = std::make_unique<vw::testing::CamsimProcess>(scenes);
  } else {
    // The demo's sub-stream clips, one look per camera (the demo's variants).
    std::vector<streams::DemoClipSpec> specs;
    for (int i = 0; i < cameras; ++i)
      specs.push_back({fs::path(cache) / ("q" + std::to_string(i + 1) + ".mp4"),
                       "江汉-" + std::to_string(i + 1), 640, 360, 25, clip_seconds, i});
    const auto built = streams::build_demo_cache(specs, {}, 2);
    if (!built.ok()) {
      for (const auto& e : built.errors) std::fprintf(stderr, "bench: %s\n", e.c_str());
      return 2;
    }
    cameras_server =
        std::make_unique<vw::testing::CamsimProcess>(std::vector<vw::testing::SimCameraSpec>{});
    for (int i = 0; i < cameras; ++i)
      cameras_server->add_clip("/q" + std::to_string(i + 1), specs[std::size_t(i)].output.string());
  }
  vw::testing::CamsimProcess& server = *cameras_server;
  if (!bench::start_cameras(server)) return 2;

  std::string yaml = "wall: {width: 1920, height: 1080, layout: " + layout_for(cameras) +
                     "}\nstreams: {latency_ms: 200}\ncameras:\n";
  for (int i = 0; i < cameras; ++i)
    yaml += "  - {id: q" + std::to_string(i + 1) + ", main: \"" +
            server.url("/q" + std::to_string(i + 1)) + "\", main_size: [640, 360]}\n";
  yaml += "tiles: [";
  for (int i = 0; i < cameras; ++i) yaml += (i ? ", q" : "q") + std::to_string(i + 1);
  yaml += "]\n";
  vw::testing::WallHarness wall(controller::load_config_text(yaml, "bench.yaml", "/"));
  if (!bench::wait_for([&] { return bench::all_playing(wall.streams(), std::size_t(cameras)); },
                       std::chrono::seconds(60))) {
    std::fprintf(stderr, "bench: the cameras did not all play within 60 s\n");
    return 2;
  }
  // Measured from the wall's steady state: every tile has drawn its stream (a composite per
  // second or more since they all played).
  const auto presented = wall.renderer().stats().frames_presented;
  if (!bench::wait_for([&] { return wall.renderer().stats().frames_presented >= presented + 25; },
                       std::chrono::seconds(30))) {
    std::fprintf(stderr, "bench: the wall drew no composites within 30 s\n");
    return 2;
  }

  const Window off1 = measure(wall, off_seconds, {});
  controller::quality::QualityOptions options;
  options.interval = std::chrono::milliseconds(static_cast<long long>(interval_s * 1000));
  std::map<std::string, std::uint64_t> confirmed;  // camera -> generation
  if (references)
    for (int i = 0; i < cameras; ++i) confirmed["q" + std::to_string(i + 1)] = 1;
  auto monitor = std::make_unique<controller::quality::QualityMonitor>(
      options, [&] { return wall.wall().view()->shown_streams(); },
      controller::quality::QualityMonitor::Changed{}, [&] { return confirmed; });
  // Every sample that held a verdict, by stream and sample number (so none is counted twice).
  std::set<std::pair<std::string, std::uint64_t>> flagged;
  std::map<std::string, std::map<std::string, int>> faults_by_camera;
  std::map<std::string, std::uint64_t> samples;
  const Window on = measure(wall, seconds, [&] {
    for (const auto& channel : wall.streams().channels()) {
      const auto q = channel->quality();
      if (!q) continue;
      samples[channel->key()] = q->samples;
      if (!q->faults.empty() && flagged.insert({channel->key(), q->samples}).second)
        for (const auto& f : q->faults) ++faults_by_camera[channel->key()][f];
    }
  });
  monitor.reset();
  const Window off2 = measure(wall, off_seconds, {});

  std::uint64_t total = 0;
  for (const auto& [key, n] : samples) total += n;
  const double off_composites = (off1.composites_per_s + off2.composites_per_s) / 2;
  const double off_cores = (off1.process_cores + off2.process_cores) / 2;
  std::fprintf(table,
               "# videowall-bench-quality: %d clean %s (640x360, 25 fps), %s, "
               "interval %.1f s, windows of %.0f s on, %.0f s off before and after%s; load %s\n",
               cameras, street_scenes ? "street scenes" : "demo cameras",
               layout_for(cameras).c_str(), interval_s, seconds, off_seconds,
               references ? ", every scene confirmed (scene check on)" : "",
               bench::load_average().c_str());
  std::fprintf(table, "%-26s %10s %10s %10s\n", "", "off", "on", "off again");
  std::fprintf(table, "%-26s %10.1f %10.1f %10.1f\n", "composites/s", off1.composites_per_s,
               on.composites_per_s, off2.composites_per_s);
  std::fprintf(table, "%-26s %10.2f %10.2f %10.2f\n", "process CPU (cores)", off1.process_cores,
               on.process_cores, off2.process_cores);
  std::fprintf(table, "composites/s on / off: %.1f %%\n",
               off_composites > 0 ? 100 * on.composites_per_s / off_composites : 0);
  std::fprintf(table,
               "diagnosis thread: %.3f %% of a core in all, %.3f %% per camera "
               "(process CPU on - off: %.3f cores, noisier)\n",
               100 * on.monitor_cores, 100 * on.monitor_cores / cameras,
               on.process_cores - off_cores);
  std::fprintf(table, "samples: %llu over %zu streams; with a verdict (false positives): %zu\n",
               static_cast<unsigned long long>(total), samples.size(), flagged.size());
  for (const auto& [key, faults] : faults_by_camera)
    for (const auto& [check_name, n] : faults)
      std::fprintf(table, "  false positive: %s %s in %d samples\n", key.c_str(),
                   check_name.c_str(), n);
  std::fflush(table);
  if (check && (!flagged.empty() || total == 0)) return 1;
  return 0;
}
