// bench_renderer: printed figures (not a test) of nine 1080p I420 streams into a 1920x1080 wall
// in a 3x3 grid, headless.
// 1. Throughput, uncapped (max_fps 0): composites a second with a new frame on every stream for
//    every composite (uploads included), then capture round trips with new frames (upload +
//    composite + 8 MB readback) and without (composite + readback).
// 2. Full vs incremental compositing at 25 fps a stream, unsynchronised (each its own phase and
//    jitter), max_fps 60; each mode with and without the case overlays (a new CaseView twice a
//    second). Per composite: wall time from the first upload to glFinish, and process CPU time
//    over that span (llvmpipe rasterizes on worker threads).
//   build/tests/renderer/bench_renderer [seconds per run, default 5] [gpu|cpu|auto, default auto]
// On the cpu path the frames are scaled to their tiles on the thread that publishes them (here
// the bench's own), as the streaming threads do.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "frames.hpp"
#include "renderer/renderer.hpp"

namespace {

using namespace vw::renderer;
using namespace vw::renderer::test;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

CaseView sample_cases(int round) {
  static const char* const streets[] = {"民族街", "花楼街", "水塔街", "民权街",   "满春街",
                                        "民意街", "新华街", "万松街", "唐家墩街", "北湖街",
                                        "前进街", "常青街", "汉兴街"};
  CaseView c;
  c.reported_today = 150 + round;
  c.open = 60 + round % 7;
  c.overdue = 4 + round % 3;
  c.closed_today = 90 + round;
  c.closure_rate = static_cast<double>(c.closed_today) / c.reported_today;
  for (int i = 0; i < 13; ++i)
    c.streets.push_back({streets[i], 10 + i, (i * 7 + round) % 12, 0, 0});
  c.categories = {{"暴露垃圾", 40 + round, 5, 0, 0},
                  {"占道经营", 35, 4, 0, 0},
                  {"共享单车乱停放", 20, 3, 0, 0},
                  {"乱堆物料", 9, 1, 0, 0},
                  {"违规广告", 7, 1, 0, 0}};
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 5; ++i) {
    c.latest.push_back({"c" + std::to_string(round * 5 + i), streets[(round + i) % 13], "占道经营",
                        "dispatched", false, now - std::chrono::minutes(i)});
  }
  c.streets_with_open_cases = {"花楼街", "民权街", "新华街"};
  c.version = static_cast<std::uint64_t>(round) + 1;
  return c;
}

// Nine test streams (1080p I420, red and blue frames by turns) in a 3x3 grid on a 1920x1080
// wall, each tile with a label and a street (for the badges). Its owner's thread only.
struct NineTiles {
  explicit NineTiles(vw::streams::Wakeup* wakeup) {
    FrameSpec spec;
    spec.width = 1920;
    spec.height = 1080;
    view = wall(1920, 1080);
    view.version = 1;
    const auto rects = grid(3);
    const char* const tile_streets[] = {"民族街", "花楼街", "水塔街", "民权街",  "满春街",
                                        "民意街", "新华街", "万松街", "唐家墩街"};
    for (int i = 0; i < 9; ++i) {
      streams.emplace_back("cam" + std::to_string(i), wakeup);
      frames[0].push_back(solid_frame(spec, kRed, 1));
      frames[1].push_back(solid_frame(spec, kBlue, 1));
      streams.back().channel->set_state(vw::streams::StreamState::Playing);
      const auto& r = rects[static_cast<std::size_t>(i)];
      TileView t = tile(r.x, r.y, r.w, r.h, streams.back().channel, "摄像机 " + std::to_string(i));
      t.street = tile_streets[i];
      view.tiles.push_back(t);
    }
  }

  // A new frame on stream `i`: red on even rounds, blue on odd ones.
  void publish(std::size_t i, int round) {
    auto f = std::make_shared<vw::streams::VideoFrame>(*frames[round % 2][i]);
    f->sequence = ++streams[i].sequence;
    streams[i].channel->mailbox().publish(f);
  }
  void publish_all(int round) {
    for (std::size_t i = 0; i < streams.size(); ++i) publish(i, round);
  }

  std::vector<TestStream> streams;
  std::vector<vw::streams::FramePtr> frames[2];
  WallView view;
};

// 1. Uncapped: composites a second while every stream gets a new frame each millisecond, then
// the capture round trip with and without new frames.
RenderPath g_path = RenderPath::Auto;  // main() sets it from the command line

void throughput(double seconds) {
  vw::streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = true;
  options.path = g_path;
  options.max_fps = 0;  // uncapped
  Renderer renderer(options, &wakeup);
  std::thread render([&] { renderer.run(); });
  NineTiles tiles(&wakeup);
  renderer.publish(std::make_shared<const WallView>(tiles.view));
  auto captured = [&] {
    return renderer.capture(1).wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  };
  auto finish = [&] {
    renderer.request_stop();
    render.join();
  };
  tiles.publish_all(0);
  if (!captured()) {  // warm up: the first full composite
    std::printf("uncapped: no composite within 20 s (is EGL surfaceless available?)\n");
    return finish();
  }

  // Upload + composite, no readback.
  const auto start = Clock::now();
  const auto presented0 = renderer.stats().frames_presented;
  int round = 1;
  while (Clock::now() - start < std::chrono::duration<double>(seconds)) {
    tiles.publish_all(round++);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const auto composites = static_cast<double>(renderer.stats().frames_presented - presented0);
  std::printf("uncapped: %.1f composites/s (%.1f ms each, uploads included)\n",
              composites / elapsed, 1000.0 * elapsed / std::max(1.0, composites));

  // Capture round trips, with new frames and without.
  constexpr int kCaptures = 10;
  auto capture_ms = [&](bool new_frames) {
    const auto t0 = Clock::now();
    for (int i = 0; i < kCaptures; ++i) {
      if (new_frames) tiles.publish_all(round++);
      if (!captured()) return -1.0;
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / kCaptures;
  };
  const double with_frames = capture_ms(true);
  const double without = capture_ms(false);
  std::printf(
      "uncapped: capture round trip (upload + composite + 8 MB readback) %.1f ms; "
      "without new frames (composite + readback) %.1f ms%s\n",
      with_frames, without,
      with_frames < 0 || without < 0 ? " (-1: a capture took over 20 s)" : "");
  std::fflush(stdout);
  finish();
}

// 2. `video`: frames keep coming; otherwise the wall holds still and only the case figures change
// (a new CaseView every 100 ms; the renderer draws at most 4 a second).
void run(bool incremental, bool overlays, bool video, double seconds) {
  vw::streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = true;
  options.path = g_path;
  options.incremental = incremental;
  std::mutex mutex;
  std::vector<CompositeTiming> timings;
  options.on_composite = [&](const CompositeTiming& t) {
    std::lock_guard lock(mutex);
    timings.push_back(t);
  };
  Renderer renderer(options, &wakeup);
  std::thread render([&] { renderer.run(); });

  NineTiles tiles(&wakeup);
  WallView& view = tiles.view;
  if (overlays) {
    view.overlays = {Overlay::Counters, Overlay::Streets, Overlay::Categories, Overlay::Ticker,
                     Overlay::Badges};
    renderer.publish_cases(std::make_shared<const CaseView>(sample_cases(0)));
  }
  renderer.publish(std::make_shared<const WallView>(view));
  tiles.publish_all(0);
  renderer.capture(1).wait();  // warm up: the first full composite
  {
    std::lock_guard lock(mutex);
    timings.clear();
  }

  // 25 fps per stream, each with its own phase and +-3 ms jitter.
  std::mt19937 random(42);
  std::uniform_real_distribution<double> jitter(-3.0, 3.0);
  const auto start = Clock::now();
  std::vector<Clock::time_point> due(9);
  std::vector<int> rounds(9, 1);
  for (std::size_t i = 0; i < 9; ++i) {
    due[i] = start + std::chrono::microseconds(static_cast<int>(40000.0 * i / 9 + 1111 * (i % 4)));
  }
  const auto case_period = std::chrono::milliseconds(video ? 500 : 100);
  auto next_cases = start + case_period;
  int case_round = 1;
  const double cpu0 = process_cpu_s();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::uint64_t published = 0;
  while (Clock::now() < end) {
    const auto it = std::min_element(due.begin(), due.end());
    const auto i = static_cast<std::size_t>(it - due.begin());
    if (overlays && (next_cases < *it || !video)) {
      std::this_thread::sleep_until(next_cases);
      renderer.publish_cases(std::make_shared<const CaseView>(sample_cases(case_round++)));
      next_cases += case_period;
      continue;
    }
    std::this_thread::sleep_until(*it);
    tiles.publish(i, rounds[i]++);
    ++published;
    *it += std::chrono::microseconds(static_cast<int>(40000 + 1000 * jitter(random)));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = process_cpu_s() - cpu0;
  renderer.request_stop();
  render.join();

  std::vector<double> wall_ms, cpu_ms;
  double uploads = 0, tile_draws = 0;
  int fulls = 0;
  for (const CompositeTiming& t : timings) {
    wall_ms.push_back(t.wall_ms);
    cpu_ms.push_back(t.cpu_ms);
    uploads += t.uploads;
    tile_draws += t.tile_draws;
    fulls += t.full ? 1 : 0;
  }
  const double n = std::max<double>(1, static_cast<double>(timings.size()));
  std::uint64_t shown = 0;
  for (const TestStream& s : tiles.streams) shown += s.channel->mailbox().consumed();
  std::printf(
      "%-11s %-8s %-5s %6.1f composites/s | per composite: wall ms p50 %5.1f p99 %5.1f, CPU ms "
      "p50 %5.1f p99 %5.1f | %.1f uploads, %.1f tiles drawn, %d full | process CPU %.0f%%",
      incremental ? "incremental" : "full", overlays ? "overlays" : "-", video ? "video" : "still",
      static_cast<double>(timings.size()) / elapsed, percentile(wall_ms, 0.5),
      percentile(wall_ms, 0.99), percentile(cpu_ms, 0.5), percentile(cpu_ms, 0.99), uploads / n,
      tile_draws / n, fulls, 100 * cpu / elapsed);
  if (published > 0) {
    std::printf(" | frames shown %.0f%% of %llu",
                100.0 * static_cast<double>(shown) / static_cast<double>(published),
                static_cast<unsigned long long>(published));
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  if (argc > 2) {
    const auto path = vw::renderer::parse_render_path(argv[2]);
    if (!path) {
      std::fprintf(stderr, "bench_renderer: the path is gpu, cpu or auto (got %s)\n", argv[2]);
      return 2;
    }
    g_path = *path;
  }
  std::printf("9 x 1080p I420 -> 1920x1080, %.0f s per run, render path %s\n", seconds,
              std::string(vw::renderer::to_string(g_path)).c_str());
  throughput(seconds);
  std::printf("at 25 fps a stream (unsynchronised), max_fps 60:\n");
  for (bool overlays : {false, true}) {
    for (bool incremental : {false, true}) run(incremental, overlays, true, seconds);
  }
  for (bool incremental : {false, true}) run(incremental, true, false, seconds);
  return 0;
}
