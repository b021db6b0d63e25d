// videowall-bench-cases: what the grid-management case feed costs the wall, printed.
//
// 1. Latency: a 1920×1080 4x4 wall (headless, one live camera, overlays [counters, badges]) with a
//    CaseFeed on a PUB socket of this process. A counts snapshot with a new number is sent (t0);
//    Renderer::stats() is polled every ~1 ms until a composite shows the CaseView carrying it (t1).
//    Once with the default case_redraw_interval (250 ms), once with 0 ms, a wall for each.
// 2. Render rate: one 4x4 wall with 16 live camsim cameras (320×240 @25), --seconds (a) with a
//    quiet feed and (b) while a publisher thread floods --rate `case` events/s: composites/s,
//    shown fps per tile, CPU, RSS, the feed's counts, the publisher's achieved rate.
// Figures only, nothing asserted (the machine is shared and noisy). Table on stdout, logs on
// stderr.
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "controller/cases/case_feed.hpp"
#include "controller/core/config.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/wall_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw::bench;
using namespace vw;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using SysClock = std::chrono::system_clock;

FILE* table = stdout;  // main() points it at the real stdout and sends fd 1 (logs) to stderr

constexpr auto ull = [](std::uint64_t v) -> unsigned long long { return v; };

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// --- the platform, played by this process ----------------------------------------------------

// "2024-05-01T10:00:01" in China Standard Time (the feed's local day), for `t`.
std::string cst_seconds(SysClock::time_point t, const char* format = "%Y-%m-%dT%H:%M:%S") {
  std::time_t s = SysClock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// One PUB socket and one publisher id; used by one thread at a time.
class Publisher {
 public:
  explicit Publisher(std::string id)
      : socket_(context_, zmq::socket_type::pub), id_(std::move(id)) {
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }
  std::uint64_t seq() const { return seq_; }  // messages sent so far

  void heartbeat() { send(header("heartbeat") + "}"); }

  // A snapshot for today: 花楼街 has `hualou_open` open cases, the rest fixed figures.
  void counts(int hualou_open) {
    auto row = [](const char* name, int reported, int open, int overdue, int closed) {
      nlohmann::json r = {{"name", name}, {"reported", reported}, {"open", open}};
      r["overdue"] = overdue;
      r["closed"] = closed;
      return r;
    };
    auto streets = nlohmann::json::array({row("花楼街", 30, hualou_open, 2, 20),
                                          row("民族街", 12, 3, 1, 9), row("满春街", 8, 2, 0, 6)});
    auto categories = nlohmann::json::array(
        {row("占道经营", 30, hualou_open, 2, 20), row("暴露垃圾", 20, 5, 1, 15)});
    send(header("counts") + ",\"date\":\"" + cst_seconds(SysClock::now(), "%Y-%m-%d") +
         "\",\"streets\":" + streets.dump() + ",\"categories\":" + categories.dump() + "}");
  }

  // Event n of a flood: 20,000 cases over the district's 13 streets, each cycling reported →
  // dispatched → closed, updated_at n µs after `base` so that every event is newer than the last of
  // its case.
  void flood_event(std::uint64_t n, SysClock::time_point base) {
    static const auto& streets = controller::jianghan_streets();
    static const char* const kCategories[] = {"暴露垃圾", "占道经营", "共享单车乱停放", "违规广告",
                                              "道路破损"};
    static const char* const kStatus[] = {"reported", "dispatched", "closed"};
    const std::uint64_t id = n % 20'000, round = n / 20'000;
    if (base != flood_base_) {
      flood_base_ = base;
      flood_second_ = -1;
      reported_at_ = cst_seconds(base) + "+08:00";
    }
    if (auto second = static_cast<long long>(n / 1'000'000); second != flood_second_) {
      flood_second_ = second;
      updated_second_ = cst_seconds(base + std::chrono::seconds(second));
    }
    char body[512];
    std::snprintf(body, sizeof body,
                  ",\"case\":{\"id\":\"JHB%06llu\",\"street\":\"%s\",\"grid\":\"JH101-07\","
                  "\"category\":\"%s\",\"status\":\"%s\",\"major\":false,\"reported_at\":\"%s\","
                  "\"updated_at\":\"%s.%06llu+08:00\"}}",
                  ull(id), streets[id % streets.size()].c_str(), kCategories[id % 5],
                  kStatus[round % 3], reported_at_.c_str(), updated_second_.c_str(),
                  ull(n % 1'000'000));
    send(header("case") + body);
  }

 private:
  std::string header(const char* type) {
    const auto now = SysClock::now();
    if (now - sent_at_time_ >= 1s || sent_at_.empty()) {  // second resolution is enough
      sent_at_time_ = std::chrono::floor<std::chrono::seconds>(now);
      sent_at_ = cst_seconds(now) + "+08:00";
    }
    return std::string("{\"v\":1,\"type\":\"") + type + "\",\"seq\":" + std::to_string(++seq_) +
           ",\"publisher\":\"" + id_ + "\",\"sent_at\":\"" + sent_at_ + "\"";
  }
  void send(const std::string& text) {
    (void)socket_.send(zmq::buffer(text), zmq::send_flags::dontwait);
  }

  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string id_, endpoint_;
  std::uint64_t seq_ = 0;
  SysClock::time_point sent_at_time_{};
  std::string sent_at_;
  SysClock::time_point flood_base_{};
  long long flood_second_ = -1;
  std::string reported_at_, updated_second_;
};

// --- the wall ------------------------------------------------------------------------------

controller::Config wall_config(const std::vector<std::string>& camera_urls,
                               const std::string& endpoint) {
  std::string yaml =
      "wall: {width: 1920, height: 1080, layout: 4x4}\nstreams: {latency_ms: 200}\ncameras:\n";
  for (std::size_t i = 0; i < camera_urls.size(); ++i)
    yaml += "  - {id: cam" + std::to_string(i + 1) + ", street: " + (i == 0 ? "花楼街" : "民族街") +
            ", main: \"" + camera_urls[i] + "\", main_size: [320, 240]}\n";
  yaml +=
      "cases:\n  endpoints: [\"" + endpoint + "\"]\n  overlays: {default: [counters, badges]}\n";
  return controller::load_config_text(yaml, "bench-cases.yaml", "/");
}

// The tests' wall (streams, headless renderer on its own thread, controller) plus a CaseFeed,
// wired as the app wires them; `tap` sees each CaseView just before the renderer gets it.
class Wall {
 public:
  Wall(controller::Config config, std::chrono::milliseconds case_redraw_interval,
       controller::CaseFeed::Publish tap = {})
      : harness_(config, {}, redraw_every(case_redraw_interval)) {
    controller::CaseFeedOptions fopts;
    fopts.endpoints = config.cases.endpoints;
    fopts.board.silence_timeout = config.cases.silence_timeout;
    feed_ = std::make_unique<controller::CaseFeed>(
        fopts, [this, tap = std::move(tap)](renderer::CaseViewPtr view) {
          if (tap) tap(view);
          harness_.renderer().publish_cases(std::move(view));
        });
  }
  ~Wall() { feed_.reset(); }  // before the harness: the feed publishes into its renderer

  renderer::Renderer& renderer() { return harness_.renderer(); }
  streams::StreamManager& streams() { return harness_.streams(); }
  controller::CaseFeed& feed() { return *feed_; }

  bool playing(std::size_t cameras) { return bench::all_playing(streams(), cameras); }

  // Sends snapshots until the feed is live and the renderer has drawn case figures.
  bool go_live(Publisher& publisher, std::chrono::seconds timeout) {
    return vw::testing::eventually(
        [&] {
          if (!feed_->stats().stale && renderer().stats().case_version > 0) return true;
          publisher.counts(0);
          return false;
        },
        timeout, 100ms);
  }

 private:
  static renderer::RendererOptions redraw_every(std::chrono::milliseconds interval) {
    renderer::RendererOptions options;
    options.case_redraw_interval = interval;
    return options;
  }

  vw::testing::WallHarness harness_;
  std::unique_ptr<controller::CaseFeed> feed_;
};

// --- 1. latency ----------------------------------------------------------------------------

struct Latency {
  std::vector<double> total, feed, render;  // ms: send → drawn, send → CaseView, CaseView → drawn
  int timeouts = 0;
  std::string gl_renderer;
};

Latency measure_latency(const std::string& camera_url, std::chrono::milliseconds redraw,
                        int samples, std::mt19937& rng) {
  struct Seen {
    std::uint64_t version;
    Clock::time_point at;
  };
  std::mutex mutex;
  std::map<int, Seen> seen;  // 花楼街's open count → the first CaseView that carried it
  auto tap = [&](const renderer::CaseViewPtr& view) {
    const auto now = Clock::now();
    for (const auto& s : view->streets)
      if (s.name == "花楼街") {
        std::lock_guard lock(mutex);
        seen.try_emplace(s.open, Seen{view->version, now});
      }
  };
  Publisher publisher("bench-latency");
  Wall wall(wall_config({camera_url}, publisher.endpoint()), redraw, tap);
  Latency result;
  if (!vw::testing::eventually([&] { return wall.playing(1); }, 20s))
    std::fprintf(stderr, "bench: the camera did not play; measuring anyway\n");
  if (!wall.go_live(publisher, 10s)) {
    std::fprintf(stderr, "bench: the case feed did not go live\n");
    result.timeouts = samples;
    return result;
  }
  // Spacing: 20 ms + uniform(0, 250 ms), the same for every redraw interval, so that sends fall
  // at every phase of the feed's (100 ms) and the renderer's (250 ms by default) throttles.
  std::uniform_int_distribution<long> jitter(0, 250);
  auto last_heartbeat = Clock::now();
  auto keep_alive = [&] {  // publishers send a heartbeat a second
    if (Clock::now() - last_heartbeat < 1s) return;
    publisher.heartbeat();
    last_heartbeat = Clock::now();
  };
  for (int i = 1; i <= samples; ++i) {
    const auto gap_end = Clock::now() + 20ms + std::chrono::milliseconds(jitter(rng));
    while (Clock::now() < gap_end) {
      keep_alive();
      std::this_thread::sleep_for(std::min<Clock::duration>(gap_end - Clock::now(), 10ms));
    }
    const int number = 1000 + i;
    const auto t0 = Clock::now();
    publisher.counts(number);
    bool drawn = false;
    while (Clock::now() - t0 < 3s) {
      std::optional<Seen> s;
      {
        std::lock_guard lock(mutex);
        if (auto it = seen.find(number); it != seen.end()) s = it->second;
      }
      if (s && wall.renderer().stats().case_version >= s->version) {
        const auto t1 = Clock::now();
        auto ms = [](Clock::duration d) {
          return std::chrono::duration<double, std::milli>(d).count();
        };
        result.total.push_back(ms(t1 - t0));
        result.feed.push_back(ms(s->at - t0));
        result.render.push_back(ms(t1 - s->at));
        drawn = true;
        break;
      }
      keep_alive();
      std::this_thread::sleep_for(1ms);
    }
    if (!drawn) ++result.timeouts;
  }
  result.gl_renderer = wall.renderer().stats().gl_renderer;
  return result;
}

// --- 2. render rate under a flood -------------------------------------------------------------

struct PublishRun {
  std::uint64_t events = 0, messages = 0;  // case events; all messages
  double seconds = 0, cpu_seconds = 0;
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// A counts snapshot, then a heartbeat every second and `rate` case events a second, for
// `seconds`, paced in ~0.5 ms steps. Runs on its own thread.
PublishRun publish_for(Publisher& publisher, double seconds, double rate) {
  PublishRun run;
  const double cpu0 = thread_cpu_seconds();
  const std::uint64_t seq0 = publisher.seq();
  const auto start = Clock::now();
  const auto base = std::chrono::floor<std::chrono::seconds>(SysClock::now()) - 60s;
  publisher.counts(5);
  auto next_heartbeat = start + 1s;
  for (double elapsed = 0; elapsed < seconds; elapsed = seconds_since(start)) {
    if (Clock::now() >= next_heartbeat) {
      publisher.heartbeat();
      next_heartbeat += 1s;
    }
    const auto due = static_cast<std::uint64_t>(rate * elapsed);
    while (run.events < due) publisher.flood_event(run.events++, base);
    std::this_thread::sleep_for(500us);
  }
  run.seconds = seconds_since(start);
  run.messages = publisher.seq() - seq0;
  run.cpu_seconds = thread_cpu_seconds() - cpu0;
  return run;
}

struct Mark {
  Clock::time_point at;
  double process_cpu = 0, camsim_cpu = 0;
  MachineCpu machine;
  long rss_kib = 0;
  std::uint64_t composites = 0;
  std::vector<std::uint64_t> published, consumed;
  controller::CaseFeedStats feed;
};

Mark mark(Wall& wall, pid_t camsim) {
  Mark m;
  m.at = Clock::now();
  m.process_cpu = cpu_seconds(getpid());
  m.camsim_cpu = camsim > 0 ? cpu_seconds(camsim) : 0;
  m.machine = machine_cpu();
  m.rss_kib = status_kib(getpid(), "VmRSS");
  m.composites = wall.renderer().stats().frames_presented;
  for (const auto& c : wall.streams().channels()) {
    m.published.push_back(c->mailbox().published());
    m.consumed.push_back(c->mailbox().consumed());
  }
  m.feed = wall.feed().stats();
  return m;
}

struct Window {
  std::string name;
  Mark start, end;
  PublishRun publisher;
  double seconds = 0, composites = 0, source_fps = 0, shown_min = 0, shown_avg = 0;
};

Window measure_window(const std::string& name, Wall& wall, Publisher& publisher, pid_t camsim,
                      double seconds, double rate) {
  Window w{name, mark(wall, camsim), {}, {}};
  std::thread thread([&] { w.publisher = publish_for(publisher, seconds, rate); });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  w.end = mark(wall, camsim);
  thread.join();
  const auto &a = w.start, &b = w.end;
  w.seconds = std::chrono::duration<double>(b.at - a.at).count();
  w.composites = double(b.composites - a.composites) / w.seconds;
  const std::size_t n = std::min(a.consumed.size(), b.consumed.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double shown = double(b.consumed[i] - a.consumed[i]) / w.seconds;
    w.shown_min = i == 0 ? shown : std::min(w.shown_min, shown);
    w.shown_avg += shown / double(n);
    w.source_fps += double(b.published[i] - a.published[i]) / w.seconds / double(n);
  }
  return w;
}

void print_latency_row(const char* label, const Latency& l) {
  std::fprintf(table, "%-18s %7zu %8d %8.1f %8.1f %8.1f %8.1f   %6.1f / %6.1f  %6.1f / %6.1f\n",
               label, l.total.size(), l.timeouts, percentile(l.total, 0.5),
               percentile(l.total, 0.99),
               l.total.empty() ? 0.0 : *std::max_element(l.total.begin(), l.total.end()),
               l.total.empty()
                   ? 0.0
                   : std::accumulate(l.total.begin(), l.total.end(), 0.0) / double(l.total.size()),
               percentile(l.feed, 0.5), percentile(l.feed, 0.99), percentile(l.render, 0.5),
               percentile(l.render, 0.99));
}

void print_window_row(const Window& w) {
  const auto &a = w.start, &b = w.end;
  const double total = b.machine.total - a.machine.total;
  char shown[32];
  std::snprintf(shown, sizeof shown, "%.1f/%.1f", w.shown_min, w.shown_avg);
  std::fprintf(table, "%-16s %7.1f %7.1f %12s %6.2f %7.2f %6.0f%% %7.0f -> %-5.0f\n",
               w.name.c_str(), w.composites, w.source_fps, shown,
               (b.process_cpu - a.process_cpu) / w.seconds,
               (b.camsim_cpu - a.camsim_cpu) / w.seconds,
               total > 0 ? 100 * (b.machine.busy - a.machine.busy) / total : 0.0,
               double(a.rss_kib) / 1024, double(b.rss_kib) / 1024);
}

void print_feed_row(const Window& w) {
  const auto& a = w.start.feed;
  const auto& b = w.end.feed;
  std::string kinds;
  for (const auto& [kind, count] : b.rejected_by_kind) {
    auto it = a.rejected_by_kind.find(kind);
    const auto delta = count - (it == a.rejected_by_kind.end() ? 0 : it->second);
    if (delta > 0) kinds += " " + kind + "=" + std::to_string(delta);
  }
  const double events_per_s =
      w.publisher.seconds > 0 ? double(w.publisher.events) / w.publisher.seconds : 0;
  std::fprintf(table, "%-16s %9.0f %9llu %9llu %8llu%-12s %5llu %8llu %6llu %5s %7.2f\n",
               w.name.c_str(), events_per_s, ull(b.received - a.received),
               ull(b.accepted - a.accepted), ull(b.rejected - a.rejected), kinds.c_str(),
               ull(b.board.gaps - a.board.gaps), ull(b.board.lost - a.board.lost),
               ull(b.views_published - a.views_published), b.stale ? "yes" : "no",
               w.publisher.seconds > 0 ? w.publisher.cpu_seconds / w.publisher.seconds : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench-cases: case feed latency and render rate under a flood, printed"};
  double seconds = 10, rate = 50'000;
  int samples = 200;
  cli.add_option("--seconds", seconds, "each render-rate window (a) and (b)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--rate", rate, "case events per second in the flood")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--samples", samples, "latency samples per redraw interval")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(cli, argc, argv);

  table = bench::take_stdout_for_table();  // the wall's logs go to stderr
  if (!table) return 1;

  const auto specs = distinct_cameras(16, 320, 240);
  vw::testing::CamsimProcess cameras(specs);
  if (!bench::start_cameras(cameras)) return 1;
  const pid_t camsim = first_child();
  std::vector<std::string> urls;
  for (const auto& s : specs) urls.push_back(cameras.url(s.mount));

  const auto started = Clock::now();
  std::fprintf(table,
               "videowall-bench-cases: 1920x1080 wall, layout 4x4, overlays [counters, badges], "
               "headless; %ld cores; load average at start %s\n\n",
               sysconf(_SC_NPROCESSORS_ONLN), load_average().c_str());

  // 1. Latency.
  std::mt19937 rng(7);
  std::fprintf(stderr, "bench: latency, case_redraw_interval 250 ms\n");
  Latency throttled = measure_latency(urls[0], 250ms, samples, rng);
  std::fprintf(stderr, "bench: latency, case_redraw_interval 0 ms\n");
  Latency immediate = measure_latency(urls[0], 0ms, samples, rng);
  std::fprintf(table,
               "1. count change -> screen: counts snapshot sent (t0) -> composite drawn with the "
               "CaseView carrying it (t1)\n"
               "   1 live camera (320x240@25) + 15 empty tiles; renderer: %s\n"
               "   spacing 20 ms + U(0, 250 ms); heartbeat every 1 s; "
               "stats() polled every ~1 ms\n"
               "   feed = t0 -> CaseView published by CaseFeed (publish_interval 100 ms); "
               "render = CaseView -> drawn\n\n",
               throttled.gl_renderer.c_str());
  std::fprintf(table, "%-18s %7s %8s %8s %8s %8s %8s   %15s  %15s\n", "redraw interval", "samples",
               "timeouts", "p50 ms", "p99 ms", "max ms", "mean ms", "feed p50/p99",
               "render p50/p99");
  print_latency_row("250 ms (default)", throttled);
  print_latency_row("0 ms (no throttle)", immediate);
  std::fflush(table);

  // 2. Render rate, quiet feed then flood, one wall.
  std::fprintf(stderr, "bench: render rate, 16 cameras\n");
  Publisher publisher("bench-flood");
  Wall wall(wall_config(urls, publisher.endpoint()), 250ms);
  if (!vw::testing::eventually([&] { return wall.playing(16); }, 30s))
    std::fprintf(stderr, "bench: not every camera plays; measuring anyway\n");
  if (!wall.go_live(publisher, 10s)) std::fprintf(stderr, "bench: the case feed is not live\n");
  std::this_thread::sleep_for(3s);  // settle
  Window quiet = measure_window("(a) quiet feed", wall, publisher, camsim, seconds, 0);
  char flood_name[32];
  std::snprintf(flood_name, sizeof flood_name, "(b) flood %.0f/s", rate);
  std::fprintf(stderr, "bench: flood\n");
  Window flood = measure_window(flood_name, wall, publisher, camsim, seconds, rate);

  std::fprintf(table,
               "\n2. render rate, 16 live cameras (camsim solid colour, 320x240@25, h264), "
               "case_redraw_interval 250 ms, %.0f s windows, one wall\n"
               "   (a): a counts snapshot, then a heartbeat a second; (b): the same plus %.0f case "
               "events/s from a publisher thread in this process\n\n",
               seconds, rate);
  std::fprintf(table, "%-16s %7s %7s %12s %6s %7s %7s %16s\n", "window", "comp/s", "src fps",
               "shown min/avg", "cores", "camsim", "machine", "RSS start->end MB");
  print_window_row(quiet);
  print_window_row(flood);
  const auto ratio = [](double b, double a) { return a > 0 ? 100 * b / a : 0.0; };
  std::fprintf(table,
               "ratio (b)/(a): composites/s %.1f %%, shown fps avg %.1f %%, shown fps min %.1f %% "
               "(target >= 95 %%)\n\n",
               ratio(flood.composites, quiet.composites), ratio(flood.shown_avg, quiet.shown_avg),
               ratio(flood.shown_min, quiet.shown_min));
  std::fprintf(table, "%-16s %9s %9s %9s %20s %5s %8s %6s %5s %7s\n", "feed", "sent ev/s",
               "received", "accepted", "rejected", "gaps", "lost", "views", "stale", "pub cpu");
  print_feed_row(quiet);
  print_feed_row(flood);
  std::fprintf(
      table,
      "publisher in (b): %llu case events in %.2f s = %.0f/s (target %.0f/s, %.1f %%); "
      "peak RSS (VmHWM) %.0f MB\n",
      ull(flood.publisher.events), flood.publisher.seconds,
      flood.publisher.seconds > 0 ? double(flood.publisher.events) / flood.publisher.seconds : 0,
      rate, rate > 0 ? ratio(double(flood.publisher.events) / flood.publisher.seconds, rate) : 0,
      double(status_kib(getpid(), "VmHWM")) / 1024);
  // After the flood: the feed reads on until what was queued is drained (nothing new for 300 ms).
  auto drain_start = Clock::now();
  auto drained = wall.feed().stats();
  while (seconds_since(drain_start) < 15) {
    std::this_thread::sleep_for(300ms);
    auto now = wall.feed().stats();
    if (now.received == drained.received) break;
    drained = now;
  }
  const auto received = drained.received - flood.start.feed.received;
  std::fprintf(
      table,
      "after (b): the feed read on for %.1f s; it received %llu of the %llu messages sent "
      "in (b), %llu (%.1f %%) dropped at the ZeroMQ high-water marks; lost (seq gaps) "
      "%llu; stale %s; read rate in (b) %.0f msg/s; cases held %zu; RSS %.0f MB\n",
      seconds_since(drain_start) - 0.3, ull(received), ull(flood.publisher.messages),
      ull(flood.publisher.messages - std::min(received, flood.publisher.messages)),
      ratio(double(flood.publisher.messages - std::min(received, flood.publisher.messages)),
            double(flood.publisher.messages)),
      ull(drained.board.lost - flood.start.feed.board.lost),
      drained.stale ? ("yes (" + drained.stale_reason + ")").c_str() : "no",
      double(flood.end.feed.received - flood.start.feed.received) / flood.seconds,
      drained.board.cases_held, double(status_kib(getpid(), "VmRSS")) / 1024);
  std::fprintf(table, "run time %.0f s; load average at end %s\n", seconds_since(started),
               load_average().c_str());
  std::fflush(table);
  return 0;
}
