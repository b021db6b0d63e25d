// videowall-bench-api: what the control API costs, printed.
//
// The daemon's stack in this process (StreamManager, headless Renderer on its own thread,
// WallController, ApiServer on free loopback ports), wired as controller/app/app.cpp wires it, with
// --cameras real camsim cameras (640x360 @25, h264) in tiles 1..N of a 1920x1080 wall. The
// layouts toggle 2x2 <-> 3x3, so every camera stays visible and its stream warm.
//   1. `status` round trips (ApiClient, DEALER over tcp://127.0.0.1), back to back.
//   2. `layout.set` round trips, alternating 2x2/3x3, back to back, in two setups built one after
//      the other: (a) the daemon's, StateStore (fsync + rename per change) and AuditLog
//      (fdatasync per line) in a state folder; (b) no store, no audit. Also the two persistence
//      calls alone, on the same folder, to show what they cost without the rest.
//   3. `layout.set` reply -> first composite showing the new view, paced switches, both setups:
//      the controller publishes the view before it replies, so after each reply the current view
//      version is read and the on_composite hook's records are searched for the first composite
//      with that version or a later one.
// Figures only, nothing asserted (the machine is shared and noisy). Table on stdout, logs on
// stderr.
#include <sys/vfs.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/api/api_client.hpp"
#include "controller/api/api_server.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/persist/audit_trail.hpp"
#include "controller/persist/state_store.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"
#include "tests/bench/bench_support.hpp"
#include "tests/bench/proc_stats.hpp"
#include "tests/support/camsim_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw;
using namespace std::chrono_literals;
using bench::wait_for;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

FILE* table = stdout;  // main() points it at the real stdout and sends fd 1 (logs) to stderr

constexpr double kFrame60Hz = 1000.0 / 60.0;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// --- the daemon, in process -------------------------------------------------------------------

controller::Config wall_config(const std::vector<std::string>& camera_urls) {
  std::string yaml =
      "wall: {width: 1920, height: 1080, layout: 2x2}\nstreams: {latency_ms: 200}\ncameras:\n";
  std::string tiles;
  for (std::size_t i = 0; i < camera_urls.size(); ++i) {
    const auto id = "cam" + std::to_string(i + 1);
    yaml += "  - {id: " + id + ", street: 民族街, main: \"" + camera_urls[i] +
            "\", main_size: [640, 360]}\n";
    tiles += (i ? ", " : "") + id;
  }
  yaml += "tiles: [" + tiles + "]\n";
  auto config = controller::load_config_text(yaml, "bench-api.yaml", "/");
  config.api.endpoint = "tcp://127.0.0.1:*";  // free ports, resolved by the server
  config.api.pub_endpoint = "tcp://127.0.0.1:*";
  return config;
}

struct Composite {
  Clock::time_point at;  // when the hook ran: drawn and glFinish'ed
  std::uint64_t view_version;
  double wall_ms;
};

// Streams, headless renderer (own thread), controller and API server as app.cpp wires them.
// `state_dir` empty: no state file and no audit trail (the baseline).
class Daemon {
 public:
  Daemon(const controller::Config& config, const std::string& state_dir) {
    if (!state_dir.empty()) {
      store_ = std::make_unique<controller::StateStore>(
          (fs::path(state_dir) / "wall-state.json").string());
      controller::AuditTrailOptions audit_options;
      audit_options.dir = state_dir;
      audit_options.rotate_bytes = config.storage.audit_rotate_bytes;
      audit_options.keep = config.storage.audit_keep;
      audit_ = std::make_unique<controller::AuditTrail>(audit_options);
    }
    streams_ = std::make_unique<streams::StreamManager>(&wakeup_);
    renderer::RendererOptions ropts;
    ropts.headless = true;
    ropts.path = config.wall.render_path;
    ropts.on_composite = [this](const renderer::CompositeTiming& t) {
      const auto now = Clock::now();
      std::lock_guard lock(mutex_);
      composites_.push_back({now, t.view_version, t.wall_ms});
    };
    renderer_ = std::make_unique<renderer::Renderer>(ropts, &wakeup_);
    render_thread_ = std::thread([this] { renderer_->run(); });
    controller::ControllerServices services;
    services.store = store_.get();
    services.audit = audit_.get();
    services.on_change = [this](const controller::ChangeEvent& event) {
      std::lock_guard lock(api_mutex_);
      if (api_) api_->notify(event);
    };
    wall_ = std::make_unique<controller::WallController>(
        config, layouts_, *streams_,
        [this](renderer::WallViewPtr view) {
          {
            std::lock_guard lock(mutex_);
            published_[view->version] = Clock::now();
          }
          renderer_->publish(std::move(view));
        },
        std::move(services));
    controller::api::ApiServerDeps deps{*wall_, *streams_, *renderer_, audit_.get(), {}, {}, {}};
    auto server = std::make_unique<controller::api::ApiServer>(config.api, std::move(deps));
    std::lock_guard lock(api_mutex_);
    api_ = std::move(server);
  }
  ~Daemon() {  // the order of AppRuntime's destructor
    {
      std::lock_guard lock(api_mutex_);
      api_.reset();
    }
    wall_.reset();
    renderer_->request_stop();
    render_thread_.join();
    renderer_.reset();
    streams_.reset();
  }

  std::string endpoint() {
    std::lock_guard lock(api_mutex_);
    return api_->endpoint();
  }
  controller::WallController& wall() { return *wall_; }
  renderer::Renderer& renderer() { return *renderer_; }

  bool playing(std::size_t cameras) const { return bench::all_playing(*streams_, cameras); }

  std::size_t composites_so_far() {
    std::lock_guard lock(mutex_);
    return composites_.size();
  }
  // The first composite from index `from` on that shows `version` or later.
  std::optional<Composite> first_showing(std::uint64_t version, std::size_t from) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = from; i < composites_.size(); ++i)
      if (composites_[i].view_version >= version) return composites_[i];
    return std::nullopt;
  }
  std::optional<Clock::time_point> published_at(std::uint64_t version) {
    std::lock_guard lock(mutex_);
    auto it = published_.find(version);
    return it == published_.end() ? std::nullopt : std::optional(it->second);
  }

 private:
  streams::Wakeup wakeup_;
  layouts::LayoutLibrary layouts_;
  std::unique_ptr<controller::StateStore> store_;
  std::unique_ptr<controller::AuditTrail> audit_;
  std::unique_ptr<streams::StreamManager> streams_;
  std::unique_ptr<renderer::Renderer> renderer_;
  std::thread render_thread_;
  std::unique_ptr<controller::WallController> wall_;
  std::mutex api_mutex_;
  std::unique_ptr<controller::api::ApiServer> api_;
  std::mutex mutex_;  // guards composites_, published_ (render and controller threads)
  std::vector<Composite> composites_;
  std::map<std::uint64_t, Clock::time_point> published_;  // view version -> publish time
};

// --- figures --------------------------------------------------------------------------------

struct Series {
  std::vector<double> ms;
  int failures = 0;  // error replies, unexpected replies, timeouts

  double percentile(double p) const { return bench::percentile(ms, p); }
  double max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
  double mean() const {
    return ms.empty() ? 0 : std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
  }
  double fraction_within(double limit) const {
    if (ms.empty()) return 0;
    return double(std::count_if(ms.begin(), ms.end(), [&](double v) { return v <= limit; })) /
           double(ms.size());
  }
};

void print_header() {
  std::fprintf(table, "%-40s %6s %5s %8s %8s %8s %8s\n", "", "n", "fail", "p50 ms", "p99 ms",
               "max ms", "mean ms");
}

void print_row(const std::string& label, const Series& s) {
  std::fprintf(table, "%-40s %6zu %5d %8.2f %8.2f %8.2f %8.2f\n", label.c_str(), s.ms.size(),
               s.failures, s.percentile(0.5), s.percentile(0.99), s.max(), s.mean());
}

json layout_set(int i) {
  return {{"cmd", "layout.set"}, {"layout", i % 2 == 0 ? "3x3" : "2x2"}};
}

// `n` requests back to back; a reply counts when `good` accepts it.
Series round_trips(controller::api::ApiClient& client, int n, const std::function<json(int)>& make,
                   const std::function<bool(const json&)>& good) {
  Series s;
  for (int i = 0; i < n; ++i) {
    const auto request = make(i);
    const auto t0 = Clock::now();
    try {
      const auto reply = client.request(request);
      const auto t1 = Clock::now();
      if (good(reply))
        s.ms.push_back(ms_between(t0, t1));
      else
        ++s.failures;
    } catch (const std::exception& e) {  // Unreachable (5 s) or not JSON
      std::fprintf(stderr, "bench: request %d: %s\n", i, e.what());
      ++s.failures;
    }
  }
  return s;
}

bool changed_ok(const json& reply) {
  return reply.value("ok", false) && reply.value("changed", false);
}

// `clients` clients at once, `n` layout.set each, back to back: the controller applies what has
// queued up as one batch (one audit write and sync, one state save for the batch).
struct Concurrent {
  Series ms;
  double per_second = 0;
};
Concurrent concurrent_round_trips(const controller::api::ClientOptions& options, int clients,
                                  int n) {
  std::vector<Series> each(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      controller::api::ApiClient client(options);
      each[static_cast<std::size_t>(c)] = round_trips(
          client, n, [c](int i) { return layout_set(i + c); },
          [](const json& reply) { return reply.value("ok", false); });
    });
  for (auto& t : threads) t.join();
  Concurrent r;
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const auto& s : each) {
    r.ms.ms.insert(r.ms.ms.end(), s.ms.begin(), s.ms.end());
    r.ms.failures += s.failures;
  }
  r.per_second = seconds > 0 ? double(r.ms.ms.size()) / seconds : 0;
  return r;
}

struct Switches {
  Series send_to_published;  // request sent -> controller published the view
  Series reply_to_screen;    // reply received -> composite done (0: done before the reply)
  Series send_to_screen;     // request sent -> composite done
  Series composite;          // that composite's own duration (CompositeTiming::wall_ms)
  int drawn_before_reply = 0;
};

// `n` layout.set switches, one every `period`; each waits (at most 3 s) for its composite.
Switches switches(Daemon& daemon, controller::api::ApiClient& client, int n,
                  std::chrono::milliseconds period) {
  Switches r;
  auto next = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_until(next);
    next += period;
    const std::size_t from = daemon.composites_so_far();
    const auto t0 = Clock::now();
    json reply;
    try {
      reply = client.request(layout_set(i));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: switch %d: %s\n", i, e.what());
    }
    const auto t1 = Clock::now();
    if (!changed_ok(reply)) {
      ++r.reply_to_screen.failures;
      continue;
    }
    const auto version = daemon.wall().view()->version;  // published before the reply
    std::optional<Composite> shown;
    while (!(shown = daemon.first_showing(version, from)) && Clock::now() - t1 < 3s)
      std::this_thread::sleep_for(1ms);
    if (!shown) {
      ++r.reply_to_screen.failures;
      continue;
    }
    if (auto published = daemon.published_at(version))
      r.send_to_published.ms.push_back(ms_between(t0, *published));
    const double after_reply = ms_between(t1, shown->at);
    if (after_reply < 0) ++r.drawn_before_reply;
    r.reply_to_screen.ms.push_back(std::max(0.0, after_reply));
    r.send_to_screen.ms.push_back(ms_between(t0, shown->at));
    r.composite.ms.push_back(shown->wall_ms);
  }
  return r;
}

std::string filesystem_of(const std::string& path) {
  struct statfs s {};
  if (statfs(path.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs: fsync costs nothing here!";
    case 0x794C7630:
      return "overlayfs";
    default:
      return "fs type 0x" + std::to_string(s.f_type);
  }
}

// StateStore::save and AuditLog::append alone, `n` each, in `dir` (not the daemon's files).
std::pair<Series, Series> persistence_alone(const std::string& dir,
                                            const controller::Config& config, int n) {
  controller::StateStore store((fs::path(dir) / "wall-state.json").string());
  controller::AuditLog audit({(fs::path(dir) / "audit.log").string()});
  auto state = controller::initial_state(config);
  std::pair<Series, Series> r;
  for (int i = 0; i < n; ++i) {
    state.layout = i % 2 == 0 ? "3x3" : "2x2";
    ++state.version;
    auto t0 = Clock::now();
    store.save(state);
    auto t1 = Clock::now();
    controller::AuditEntry entry;
    entry.origin = {"anonymous:127.0.0.1", "", "operator"};
    entry.command = "layout.set";
    entry.args = {{"layout", state.layout}};
    entry.ok = entry.changed = true;
    entry.state_version = state.version;
    audit.append(entry);
    auto t2 = Clock::now();
    r.first.ms.push_back(ms_between(t0, t1));
    r.second.ms.push_back(ms_between(t1, t2));
  }
  return r;
}

struct Setup {
  Series status, layout_set;
  Concurrent concurrent;
  Switches switched;
  std::string gl_renderer;
  bool ok = false;
};

// One daemon: wait for the cameras, then the round trips and the switches.
Setup measure(const controller::Config& config, const std::string& state_dir, int cameras,
              int requests, int n_switches, bool with_status) {
  Setup r;
  Daemon daemon(config, state_dir);
  if (!wait_for([&] { return daemon.playing(std::size_t(cameras)); }, 30s)) {
    std::fprintf(stderr, "bench: not every camera plays within 30 s\n");
    return r;
  }
  if (!wait_for([&] { return daemon.renderer().stats().frames_presented > 0; }, 10s)) {
    std::fprintf(stderr, "bench: nothing was drawn within 10 s\n");
    return r;
  }
  std::this_thread::sleep_for(1s);  // settle: decoders and renderer at their steady rate
  controller::api::ClientOptions copts;
  copts.endpoint = daemon.endpoint();
  copts.timeout = 5000ms;
  controller::api::ApiClient client(copts);
  const auto ok = [](const json& reply) { return reply.value("ok", false); };
  // Warm-up: connection, first-use allocations, the first state file and audit line.
  round_trips(
      client, 20,
      [](int) {
        return json{{"cmd", "status"}};
      },
      ok);
  round_trips(client, 20, layout_set, changed_ok);
  if (with_status) {
    std::fprintf(stderr, "bench: status x%d\n", requests);
    r.status = round_trips(
        client, requests,
        [](int) {
          return json{{"cmd", "status"}};
        },
        ok);
  }
  std::fprintf(stderr, "bench: layout.set x%d\n", requests);
  r.layout_set = round_trips(client, requests, layout_set, changed_ok);
  std::fprintf(stderr, "bench: 8 clients x%d layout.set\n", requests / 8);
  r.concurrent = concurrent_round_trips(copts, 8, std::max(1, requests / 8));
  std::this_thread::sleep_for(500ms);
  std::fprintf(stderr, "bench: %d switches\n", n_switches);
  r.switched = switches(daemon, client, n_switches, 100ms);
  r.gl_renderer = daemon.renderer().stats().gl_renderer;
  r.ok = true;
  return r;
}

void print_switches(const char* name, const Switches& s) {
  print_row(std::string(name) + " send -> view published", s.send_to_published);
  print_row(std::string(name) + " reply -> composite done", s.reply_to_screen);
  print_row(std::string(name) + " send -> composite done", s.send_to_screen);
  print_row(std::string(name) + " composite duration", s.composite);
  std::fprintf(table,
               "%s within one 60 Hz frame (16.7 ms) of the reply: %.1f %% (%d of %zu already "
               "drawn when the reply arrived); of the send: %.1f %%\n",
               name, 100 * s.reply_to_screen.fraction_within(kFrame60Hz), s.drawn_before_reply,
               s.reply_to_screen.ms.size(), 100 * s.send_to_screen.fraction_within(kFrame60Hz));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench-api: control API round trips and layout switch to screen, printed"};
  int requests = 1000, n_switches = 200, cameras = 4;
  std::string state_root, path = "auto";
  cli.add_option("--path", path, "the wall's render path: auto (cpu on software GL), gpu, cpu")
      ->check(CLI::IsMember({"auto", "gpu", "cpu"}));
  cli.add_option("--requests", requests, "status and layout.set round trips per series")
      ->check(CLI::PositiveNumber);
  cli.add_option("--switches", n_switches, "paced layout switches (100 ms apart) per setup")
      ->check(CLI::PositiveNumber);
  cli.add_option("--cameras", cameras, "live cameras in tiles 1..N (at most 4: all stay visible)")
      ->check(CLI::Range(1, 4));
  cli.add_option("--state-dir", state_root,
                 "where the state file and audit trail go (a new "
                 "folder inside it; default: the temp folder)");
  CLI11_PARSE(cli, argc, argv);

  table = bench::take_stdout_for_table();  // the wall's logs go to stderr
  if (!table) return 1;

  if (state_root.empty()) state_root = fs::temp_directory_path().string();
  const auto dir =
      fs::absolute(fs::path(state_root) / ("vw-bench-api-" + std::to_string(getpid())));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "alone");

  const auto specs = bench::distinct_cameras(cameras, 640, 360);
  testing::CamsimProcess camsim(specs);
  if (!bench::start_cameras(camsim)) return 1;
  std::vector<std::string> urls;
  for (const auto& s : specs) urls.push_back(camsim.url(s.mount));
  auto config = wall_config(urls);
  config.wall.render_path = renderer::parse_render_path(path).value_or(renderer::RenderPath::Auto);

  const auto started = Clock::now();
  const auto load_start = bench::load_average();
  std::fprintf(stderr, "bench: (a) state file + audit trail in %s\n", (dir / "a").c_str());
  Setup a = measure(config, (dir / "a").string(), cameras, requests, n_switches, true);
  std::fprintf(stderr, "bench: (b) no store, no audit\n");
  Setup b = measure(config, "", cameras, requests, n_switches, false);
  std::fprintf(stderr, "bench: persistence calls alone\n");
  auto [save_alone, append_alone] =
      persistence_alone((dir / "alone").string(), config, std::min(requests, 200));
  fs::remove_all(dir, ec);

  std::fprintf(table,
               "videowall-bench-api: in-process daemon (ApiServer + WallController + headless "
               "renderer), 1920x1080 wall, %d camsim cameras 640x360@25 h264 in tiles 1-%d, "
               "layouts 2x2 <-> 3x3\n"
               "%ld cores; renderer: %s; load average at start %s\n"
               "compositing is CPU-bound here (no GPU: llvmpipe rasterises on the same cores "
               "as the decoders and the API)\n"
               "ApiClient (DEALER) over tcp://127.0.0.1, one request at a time; (a) state file "
               "+ audit trail in %s (%s); (b) neither\n\n",
               cameras, cameras, sysconf(_SC_NPROCESSORS_ONLN), a.gl_renderer.c_str(),
               load_start.c_str(), dir.c_str(), filesystem_of(dir.parent_path()).c_str());
  if (!a.ok || !b.ok) {
    std::fprintf(table, "a setup did not come up (see stderr); no figures\n");
    return 1;
  }
  std::fprintf(table, "1-2. round trips, back to back\n");
  print_header();
  print_row("status", a.status);
  print_row("layout.set (a) state file + audit", a.layout_set);
  print_row("layout.set (b) no store, no audit", b.layout_set);
  print_row("  StateStore::save alone", save_alone);
  print_row("  AuditLog::append alone", append_alone);
  const auto ratio = [](double x, double y) { return y > 0 ? x / y : 0.0; };
  std::fprintf(table, "layout.set (a)/(b): p50 %.2fx, p99 %.2fx, mean %.2fx\n\n",
               ratio(a.layout_set.percentile(0.5), b.layout_set.percentile(0.5)),
               ratio(a.layout_set.percentile(0.99), b.layout_set.percentile(0.99)),
               ratio(a.layout_set.mean(), b.layout_set.mean()));

  std::fprintf(table,
               "2b. layout.set from 8 clients at once (commands queued together are one "
               "batch)\n");
  print_header();
  print_row("(a) state file + audit", a.concurrent.ms);
  print_row("(b) no store, no audit", b.concurrent.ms);
  std::fprintf(table, "throughput: (a) %.0f/s, (b) %.0f/s\n\n", a.concurrent.per_second,
               b.concurrent.per_second);

  std::fprintf(table,
               "3. layout.set -> first composite showing the new view, %d switches 100 ms "
               "apart, warm streams (composite done = on_composite, after glFinish)\n",
               n_switches);
  print_header();
  print_switches("(a)", a.switched);
  print_switches("(b)", b.switched);
  std::fprintf(table, "run time %.0f s; load average at end %s\n",
               std::chrono::duration<double>(Clock::now() - started).count(),
               bench::load_average().c_str());
  std::fflush(table);
  return 0;
}
