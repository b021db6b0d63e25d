// bench_renderer: full vs incremental compositing, printed figures (not a test). Nine 1080p I420
// streams at 25 fps each, unsynchronised (each its own phase and jitter), into a 1920x1080 wall
// in a 3x3 grid, headless, max_fps 60; each mode runs with and without the case overlays (a new
// CaseView twice a second). Per composite: wall time from the first upload to glFinish, and
// process CPU time over that span (llvmpipe rasterizes on worker threads).
//   build/tests/renderer/bench_renderer [seconds per run, default 5]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
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

// `video`: frames keep coming; otherwise the wall holds still and only the case figures change
// (a new CaseView every 100 ms; the renderer draws at most 4 a second).
void run(bool incremental, bool overlays, bool video, double seconds) {
  vw::streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = true;
  options.incremental = incremental;
  std::mutex mutex;
  std::vector<CompositeTiming> timings;
  options.on_composite = [&](const CompositeTiming& t) {
    std::lock_guard lock(mutex);
    timings.push_back(t);
  };
  Renderer renderer(options, &wakeup);
  std::thread render([&] { renderer.run(); });

  FrameSpec spec;
  spec.width = 1920;
  spec.height = 1080;
  std::vector<TestStream> streams;
  std::vector<vw::streams::FramePtr> frames[2];
  WallView view = wall(1920, 1080);
  view.version = 1;
  const auto rects = grid(3);
  const char* const tile_streets[] = {"民族街", "花楼街", "水塔街", "民权街",  "满春街",
                                      "民意街", "新华街", "万松街", "唐家墩街"};
  for (int i = 0; i < 9; ++i) {
    streams.emplace_back("cam" + std::to_string(i), &wakeup);
    frames[0].push_back(solid_frame(spec, kRed, 1));
    frames[1].push_back(solid_frame(spec, kBlue, 1));
    streams.back().channel->set_state(vw::streams::StreamState::Playing);
    const auto& r = rects[static_cast<std::size_t>(i)];
    TileView t = tile(r.x, r.y, r.w, r.h, streams.back().channel, "摄像机 " + std::to_string(i));
    t.street = tile_streets[i];
    view.tiles.push_back(t);
  }
  if (overlays) {
    view.overlays = {Overlay::Counters, Overlay::Streets, Overlay::Categories, Overlay::Ticker,
                     Overlay::Badges};
    renderer.publish_cases(std::make_shared<const CaseView>(sample_cases(0)));
  }
  renderer.publish(std::make_shared<const WallView>(view));
  auto publish = [&](std::size_t i, int round) {
    auto f = std::make_shared<vw::streams::VideoFrame>(*frames[round % 2][i]);
    f->sequence = ++streams[i].sequence;
    streams[i].channel->mailbox().publish(f);
  };
  for (std::size_t i = 0; i < 9; ++i) publish(i, 0);
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
    publish(i, rounds[i]++);
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
  for (const TestStream& s : streams) shown += s.channel->mailbox().consumed();
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
  std::printf("9 x 1080p I420 at 25 fps each (unsynchronised) -> 1920x1080, %.0f s per run\n",
              seconds);
  for (bool overlays : {false, true}) {
    for (bool incremental : {false, true}) run(incremental, overlays, true, seconds);
  }
  for (bool incremental : {false, true}) run(incremental, true, false, seconds);
  return 0;
}
