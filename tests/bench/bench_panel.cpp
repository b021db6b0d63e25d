// videowall-bench-panel: what the operator panel costs per frame, printed.
//
// The daemon's stack in this process, wired as controller/app/app.cpp wires it: one
// videowall-camsim child serving 64 small cameras (160x90 @25, h264), a 1280x720 wall in layout 4x4
// with cameras 1-16 on its tiles (16 decode; all 64 are listed in the panel, names like "民族街-01"
// over the district's 13 streets), StreamManager, a WINDOWED Renderer (GLFW; run() on the main
// thread, the script on another) with the panel as an overlay, WallController and
// controller::panel::Panel. One run, five windows of --seconds each after the 16 tile streams play:
//   1. hidden (baseline): the UI hidden from the start; no UI frame may be built.
//   2. visible, idle: the panel redraws every 250 ms (UiOptions::refresh), nobody touches it.
//   3. visible, the operator moves the mouse over the camera list (a new position every ~16 ms).
//   4. visible, the stream status table tab (64+ rows), the same mouse load.
//   5. hidden again: no UI frame may be built; process CPU back to the baseline's.
// UI CPU ms per frame is the render thread's CPU time of one UI frame (UiOptions::on_frame:
// ImGui new frame + Panel::build + ImGui::Render). Process CPU % is this process's CPU time over
// the window (100 % = one core), camsim excluded. Turn ms is each composite's render-loop turn
// (RendererOptions::on_composite: uploads, composite, UI frame if due, present with the overlay
// drawn over the wall, glFinish): a visible overlay is rasterized on every present, a cost
// on_frame does not see. Also printed: the largest overlay draw data (vertices, indices) and the
// font atlas size, as ImGui reports them. Figures only, nothing asserted (the machine is
// shared and noisy). Table on stdout, logs on stderr. Needs $DISPLAY (xvfb-run).
#include <imgui.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/panel/panel.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"
#include "tests/support/camsim_process.hpp"

namespace {

using namespace vw;
using namespace std::chrono_literals;
using bench::wait_for;
using Clock = std::chrono::steady_clock;
using controller::panel::PanelRect;

FILE* table = stdout;  // main() points it at the real stdout and sends fd 1 (logs) to stderr

constexpr int kCameras = 64;
constexpr int kTiles = 16;

const char* const kStreets[] = {"民族街", "花楼街", "水塔街", "民权街",   "满春街",
                                "民意街", "新华街", "万松街", "唐家墩街", "北湖街",
                                "前进街", "常青街", "汉兴街"};

// 64 cameras cam1..cam64, named "<street>-NN" over the 13 streets; cam1..cam16 on the tiles.
controller::Config wall_config(const std::vector<std::string>& urls) {
  std::string yaml =
      "wall: {width: 1280, height: 720, layout: 4x4}\nstreams: {latency_ms: 200}\ncameras:\n";
  std::string tiles;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const auto id = "cam" + std::to_string(i + 1);
    const std::string street = kStreets[i % std::size(kStreets)];
    char number[24];
    std::snprintf(number, sizeof number, "%02zu", i / std::size(kStreets) + 1);
    yaml += "  - {id: " + id + ", name: " + street + "-" + number + ", street: " + street +
            ", main: \"" + urls[i] + "\", main_size: [160, 90]}\n";
    if (i < std::size_t(kTiles)) tiles += (i ? ", " : "") + id;
  }
  yaml += "tiles: [" + tiles + "]\n";
  return controller::load_config_text(yaml, "bench", "/");
}

// Per-frame figures reported on the render thread (UiOptions::on_frame, on_composite).
class FrameLog {
 public:
  void add(double ms) {
    std::lock_guard lock(mutex_);
    ms_.push_back(ms);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return ms_.size();
  }
  std::vector<double> slice(std::size_t from) const {
    std::lock_guard lock(mutex_);
    return {ms_.begin() + std::ptrdiff_t(std::min(from, ms_.size())), ms_.end()};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<double> ms_;
};

// What the overlay's last ImGui frame drew (read at the start of the next build, render thread):
// the largest vertex/index counts seen, and the font atlas's size.
struct DrawSize {
  std::atomic<int> vertices{0}, indices{0}, atlas_w{0}, atlas_h{0};

  void note() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.MetricsRenderVertices > vertices) vertices = io.MetricsRenderVertices;
    if (io.MetricsRenderIndices > indices) indices = io.MetricsRenderIndices;
    atlas_w = io.Fonts->TexWidth;
    atlas_h = io.Fonts->TexHeight;
  }
};

struct Mark {
  Clock::time_point at;
  std::uint64_t ui_frames = 0, composites = 0;
  std::size_t logged = 0, turns_logged = 0;
  double cpu = 0, camsim_cpu = 0;
  bench::MachineCpu machine;
};

struct Row {
  std::string name;
  double seconds = 0;
  std::uint64_t ui_frames = 0;
  std::vector<double> ui_ms, turn_ms;
  double process_pct = 0, camsim_pct = 0, machine_pct = 0, composites_per_s = 0;
  int moves = 0, moves_skipped = 0;  // mouse positions injected / left out (backlog)

  double ui_fps() const { return seconds > 0 ? double(ui_frames) / seconds : 0; }
  double ui_thread_pct() const {  // the UI frames' CPU time over the window, % of one core
    return seconds > 0 ? std::accumulate(ui_ms.begin(), ui_ms.end(), 0.0) / seconds / 10 : 0;
  }
};

class Bench {
 public:
  Bench(renderer::Renderer& renderer, controller::panel::Panel& panel, const FrameLog& log,
        const FrameLog& turns, pid_t camsim)
      : renderer_(renderer), panel_(panel), log_(log), turns_(turns), camsim_(camsim) {}

  Mark mark() const {
    Mark m;
    m.at = Clock::now();
    m.ui_frames = renderer_.ui_stats().frames;
    m.composites = renderer_.stats().frames_presented;
    m.logged = log_.size();
    m.turns_logged = turns_.size();
    m.cpu = bench::cpu_seconds(getpid());
    m.camsim_cpu = camsim_ > 0 ? bench::cpu_seconds(camsim_) : 0;
    m.machine = bench::machine_cpu();
    return m;
  }

  // One window of `seconds`: `load` runs until the deadline it is given.
  Row measure(const std::string& name, double seconds,
              const std::function<void(Clock::time_point, Row&)>& load) const {
    std::fprintf(stderr, "bench: %s, %.0f s\n", name.c_str(), seconds);
    Row row;
    row.name = name;
    const Mark a = mark();
    load(a.at + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)),
         row);
    const Mark b = mark();
    row.seconds = std::chrono::duration<double>(b.at - a.at).count();
    row.ui_frames = b.ui_frames - a.ui_frames;
    row.ui_ms = log_.slice(a.logged);
    row.turn_ms = turns_.slice(a.turns_logged);
    row.process_pct = 100 * (b.cpu - a.cpu) / row.seconds;
    row.camsim_pct = 100 * (b.camsim_cpu - a.camsim_cpu) / row.seconds;
    const double total = b.machine.total - a.machine.total;
    row.machine_pct = total > 0 ? 100 * (b.machine.busy - a.machine.busy) / total : 0;
    row.composites_per_s = double(b.composites - a.composites) / row.seconds;
    return row;
  }

  static void idle(Clock::time_point until, Row&) { std::this_thread::sleep_until(until); }

  // A new mouse position every ~16 ms, sweeping up and down `area` (~1 s each way) with a small
  // sideways wiggle. A position is left out while two injected frames still wait (each injected
  // UiInput is applied to one UI frame, in order: a slow UI must not build up a backlog).
  void move_mouse(const PanelRect& area, Clock::time_point until, Row& row) const {
    auto next = Clock::now();
    for (int step = 0; next < until; ++step) {
      std::this_thread::sleep_until(next);
      next += 16ms;
      const auto s = renderer_.ui_stats();
      if (s.injected_queued - s.injected_used >= 2) {
        ++row.moves_skipped;
        continue;
      }
      const int phase = step % 120;
      const float t = float(phase < 60 ? phase : 119 - phase) / 59.0f;
      renderer::UiInput in;
      in.mouse = {area.x + area.w * (0.3f + 0.4f * float(step % 7) / 6.0f), area.y + area.h * t};
      renderer_.inject_ui({in});
      ++row.moves;
    }
  }

  bool settle_input() const {
    return wait_for(
        [&] {
          const auto s = renderer_.ui_stats();
          return s.injected_used == s.injected_queued;
        },
        10s);
  }

  bool click(const std::string& id) const {
    const auto r = panel_.locate(id);
    if (!r) return false;
    renderer::UiInput move, press, release;
    move.mouse = {r->cx(), r->cy()};
    press.buttons[0] = true;
    release.buttons[0] = false;
    renderer_.inject_ui({move, press, release, renderer::UiInput{}});
    return settle_input();
  }

  // The camera list's rows as drawn in the last frame: from the first row to the last one shown.
  std::optional<PanelRect> camera_list_area() const {
    std::optional<PanelRect> first, last;
    for (int i = 1; i <= kCameras; ++i) {
      if (auto r = panel_.locate("camera:cam" + std::to_string(i))) {
        if (!first) first = r;
        last = r;
      }
    }
    if (!first) return std::nullopt;
    PanelRect area = *first;
    area.h = std::max(last->y + last->h - first->y, first->h);
    return area;
  }

 private:
  renderer::Renderer& renderer_;
  controller::panel::Panel& panel_;
  const FrameLog& log_;
  const FrameLog& turns_;
  pid_t camsim_;
};

struct Outcome {
  std::vector<Row> rows;
  std::string gl_renderer;
  std::vector<std::string> notes;
  bool ok = false;
};

// The five windows, on the script thread while the renderer runs on the main thread.
void script(const Bench& bench, renderer::Renderer& renderer, controller::panel::Panel& panel,
            const streams::StreamManager& streams, double seconds, Outcome& out) {
  const auto note = [&](std::string text) {
    std::fprintf(stderr, "bench: %s\n", text.c_str());
    out.notes.push_back(std::move(text));
  };
  if (!wait_for([&] { return bench::all_playing(streams, kTiles); }, 60s)) {
    note("not every tile stream plays within 60 s; no figures");
    return;
  }
  if (!wait_for([&] { return renderer.stats().frames_presented > 0; }, 10s)) {
    note("nothing was drawn within 10 s; no figures");
    return;
  }
  std::this_thread::sleep_for(2s);  // settle: decoders and renderer at their steady rate
  out.gl_renderer = renderer.stats().gl_renderer;
  if (!renderer.ui_stats().error.empty()) note("UI error: " + renderer.ui_stats().error);

  // 1. Hidden from the start: the baseline.
  out.rows.push_back(bench.measure("1 hidden (baseline)", seconds, Bench::idle));
  if (renderer.ui_stats().frames != 0)
    note("UI frames were built while hidden from the start: " +
         std::to_string(renderer.ui_stats().frames));

  // 2. Shown, idle.
  renderer.set_ui_visible(true);
  if (!wait_for([&] { return panel.locate("tab:streams").has_value(); }, 20s)) {
    note("the panel drew no frame within 20 s of being shown; stopping");
    return;
  }
  std::this_thread::sleep_for(1500ms);
  out.rows.push_back(bench.measure("2 visible, idle", seconds, Bench::idle));

  // 3. Shown, the mouse moving over the camera list.
  const auto area = bench.camera_list_area();
  if (!area) {
    note("the camera list shows no row; stopping");
    return;
  }
  char text[160];
  std::snprintf(text, sizeof text, "camera list area %.0f,%.0f %.0fx%.0f (UI coordinates)", area->x,
                area->y, area->w, area->h);
  note(text);
  const auto moving = [&](Clock::time_point until, Row& row) {
    bench.move_mouse(*area, until, row);
  };
  out.rows.push_back(bench.measure("3 visible, mouse on camera list", seconds, moving));
  bench.settle_input();

  // 4. The stream status table tab, the same mouse load over the same area.
  if (!bench.click("tab:streams")) {
    note("could not click tab:streams; stopping");
    return;
  }
  if (!wait_for([&] { return !panel.locate("camera:cam1").has_value(); }, 5s))
    note("the camera list still shows after clicking tab:streams (measuring anyway)");
  std::this_thread::sleep_for(1500ms);
  out.rows.push_back(bench.measure("4 visible, stream table + mouse", seconds, moving));
  bench.settle_input();

  // 5. Hidden again.
  renderer.set_ui_visible(false);
  if (!wait_for([&] { return !renderer.ui_stats().visible; }, 5s))
    note("the UI did not report hidden within 5 s");
  std::this_thread::sleep_for(1500ms);
  out.rows.push_back(bench.measure("5 hidden again", seconds, Bench::idle));
  if (out.rows.back().ui_frames != 0)
    note("UI frames were built while hidden again: " + std::to_string(out.rows.back().ui_frames));
  out.ok = true;
}

void print_table(const Outcome& out, double seconds, const std::string& load_start) {
  std::fprintf(table,
               "videowall-bench-panel: 1280x720 wall (window 1280x720, Xvfb), layout 4x4, 16 of "
               "64 camsim cameras (160x90@25 h264) on tiles, all 64 listed in the panel "
               "(overlay, Chinese)\n"
               "%ld cores; GL_RENDERER: %s; %.0f s windows; load average at start %s, at end %s\n"
               "UI ms = render thread CPU per UI frame (on_frame); proc CPU %% of one core, "
               "camsim excluded; ratio = proc CPU / hidden baseline's; turn ms = render-loop "
               "turn per composite (incl. present + overlay, glFinish)\n\n",
               sysconf(_SC_NPROCESSORS_ONLN), out.gl_renderer.c_str(), seconds, load_start.c_str(),
               bench::load_average().c_str());
  std::fprintf(table, "%-33s %6s %7s %7s %7s %8s %6s %7s %7s %7s %7s %8s\n", "scenario", "UI frm",
               "UI f/s", "UI p50", "UI p99", "procCPU%", "ratio", "comp/s", "turn50", "turn99",
               "camsim%", "machine%");
  const double base = out.rows.empty() ? 0 : out.rows.front().process_pct;
  const auto ms = [](const std::vector<double>& v, double p) {
    char text[16] = "-";
    if (!v.empty()) std::snprintf(text, sizeof text, "%.2f", bench::percentile(v, p));
    return std::string(text);
  };
  for (const auto& r : out.rows) {
    std::fprintf(table, "%-33s %6llu %7.1f %7s %7s %8.1f %5.2fx %7.1f %7s %7s %7.1f %8.1f\n",
                 r.name.c_str(), static_cast<unsigned long long>(r.ui_frames), r.ui_fps(),
                 ms(r.ui_ms, 0.5).c_str(), ms(r.ui_ms, 0.99).c_str(), r.process_pct,
                 base > 0 ? r.process_pct / base : 0.0, r.composites_per_s,
                 ms(r.turn_ms, 0.5).c_str(), ms(r.turn_ms, 0.99).c_str(), r.camsim_pct,
                 r.machine_pct);
  }
  std::fprintf(table, "\n");
  for (const auto& r : out.rows) {
    if (r.ui_ms.empty()) continue;
    std::fprintf(table, "%s: UI frames' CPU %.1f %% of one core (mean %.2f ms, max %.2f ms)",
                 r.name.c_str(), r.ui_thread_pct(),
                 std::accumulate(r.ui_ms.begin(), r.ui_ms.end(), 0.0) / double(r.ui_ms.size()),
                 *std::max_element(r.ui_ms.begin(), r.ui_ms.end()));
    if (r.moves + r.moves_skipped > 0)
      std::fprintf(table, "; mouse positions injected %d, left out (UI behind) %d", r.moves,
                   r.moves_skipped);
    std::fprintf(table, "\n");
  }
  for (const auto& n : out.notes) std::fprintf(table, "note: %s\n", n.c_str());
  std::fflush(table);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench-panel: the operator panel's cost per frame, printed"};
  double seconds = 8;
  cli.add_option("--seconds", seconds, "length of each of the five windows")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(cli, argc, argv);

  if (std::getenv("DISPLAY") == nullptr) {
    std::fprintf(stderr,
                 "videowall-bench-panel: no $DISPLAY: the panel needs a window; run it under "
                 "xvfb-run -a -s '-screen 0 1920x1080x24' %s\n",
                 argv[0]);
    return 2;
  }

  table = bench::take_stdout_for_table();  // the wall's logs go to stderr
  if (!table) return 1;

  const auto specs = bench::distinct_cameras(kCameras, 160, 90);
  testing::CamsimProcess camsim(specs);
  if (!bench::start_cameras(camsim)) return 1;
  const pid_t camsim_pid = bench::first_child();
  std::vector<std::string> urls;
  for (const auto& s : specs) urls.push_back(camsim.url(s.mount));
  const auto config = wall_config(urls);

  // Built in the order app.cpp builds them: streams, renderer (before any producer), wall, panel
  // (before run() starts building UI frames).
  streams::Wakeup wakeup;
  layouts::LayoutLibrary layouts;
  FrameLog log, turns;
  std::unique_ptr<controller::panel::Panel> panel;
  auto streams = std::make_unique<streams::StreamManager>(&wakeup);
  renderer::RendererOptions ropts;
  ropts.headless = false;
  ropts.window_width = 1280;
  ropts.window_height = 720;
  ropts.window_title = "videowall-bench-panel";
  ropts.ui.placement = renderer::UiPlacement::Overlay;
  ropts.ui.visible = false;  // scenario 1 is hidden from the start
  DrawSize draw_size;
  ropts.ui.build = [&panel, &draw_size](const renderer::UiFrame& frame) {
    draw_size.note();
    if (panel) panel->build(frame);
  };
  ropts.ui.glyph_texts = [&panel] {
    return panel ? panel->glyph_texts() : std::vector<std::string>{};
  };
  ropts.ui.on_frame = [&log](double cpu_ms) { log.add(cpu_ms); };
  ropts.on_composite = [&turns](const renderer::CompositeTiming& t) { turns.add(t.wall_ms); };
  auto renderer = std::make_unique<renderer::Renderer>(ropts, &wakeup);
  auto wall = std::make_unique<controller::WallController>(
      config, layouts, *streams, [r = renderer.get()](auto view) { r->publish(view); });
  controller::panel::PanelServices services;
  services.wall = wall.get();
  services.streams = streams.get();
  services.acknowledge = [w = wall.get()](const std::string& rule, controller::Origin origin,
                                          controller::WallController::Done done) {
    w->submit(controller::AlarmAck{rule}, std::move(origin), std::move(done));
  };
  services.language = renderer::Language::Chinese;
  panel = std::make_unique<controller::panel::Panel>(std::move(services));

  const std::string load_start = bench::load_average();
  Bench bench(*renderer, *panel, log, turns, camsim_pid);
  Outcome outcome;
  std::thread helper([&] {
    try {
      script(bench, *renderer, *panel, *streams, seconds, outcome);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: script failed: %s\n", e.what());
    }
    renderer->request_stop();
  });
  const int rc = renderer->run();
  helper.join();
  wall.reset();  // no more views or command replies
  renderer.reset();
  panel.reset();  // after the wall: command replies call back into it
  streams.reset();

  if (rc != 0) {
    std::fprintf(table, "the renderer could not start (rc %d, see stderr); no figures\n", rc);
    return 1;
  }
  print_table(outcome, seconds, load_start);
  std::fprintf(table,
               "overlay draw data, largest frame: %d vertices, %d indices; font atlas %dx%d\n",
               draw_size.vertices.load(), draw_size.indices.load(), draw_size.atlas_w.load(),
               draw_size.atlas_h.load());
  std::fflush(table);
  return outcome.ok ? 0 : 1;
}
