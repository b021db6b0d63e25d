// videowall-bench: what the wall costs against what decoding alone costs, in the same run.
//
// For each scenario (4×1080p, 9×1080p, 16×360p) it serves pre-encoded clips from a loopback
// RTSP server in a child process (videowall-camsim), then measures over the same window:
//  - the wall: streams + headless renderer + controller at 1920×1080, in a child process;
//  - the decode-only floor: `rtspsrc ! rtph264depay ! h264parse ! avdec_h264 ! fakesink` per
//    stream, in a gst-launch-1.0 child.
// and prints CPU cores used, shown fps per tile against source fps, drops, peak RSS and the
// ratio wall/floor. Figures only: nothing is asserted (this machine is shared and noisy).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "controller/core/wall_controller.hpp"
#include "renderer/renderer.hpp"
#include "streams/sim/demo_cache.hpp"
#include "streams/stream_manager.hpp"
#include "tests/bench/proc_stats.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vw;
using Clock = std::chrono::steady_clock;

struct Scenario {
  std::string name;
  int streams;
  int width, height;
  std::string layout;
};

const Scenario kScenarios[] = {
    {"4x1080p", 4, 1920, 1080, "2x2"},
    {"9x1080p", 9, 1920, 1080, "3x3"},
    {"16x360p", 16, 640, 360, "4x4"},
};

std::string mount_of(const Scenario& s, int i) {
  return "/bench" + std::to_string(s.height) + "-" + std::to_string(i + 1);
}

pid_t spawn(const std::vector<std::string>& args, bool quiet) {
  std::fflush(stdout);  // a child must not inherit (and later flush) our buffered output
  pid_t pid = fork();
  if (pid == 0) {
    if (quiet) {
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void stop_child(pid_t pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// --- the wall, run inside a child process --------------------------------------------------

struct WallFigures {
  double source_fps = 0, shown_fps_min = 1e9, shown_fps_avg = 0, composites_per_s = 0;
  unsigned long long dropped = 0;
};

int run_wall_child(const Scenario& s, int port, double warmup, double seconds) {
  std::string yaml = "wall: {width: 1920, height: 1080, layout: " + s.layout +
                     "}\nstreams: {latency_ms: 200}\ncameras:\n";
  for (int i = 0; i < s.streams; ++i)
    yaml += "  - {id: c" + std::to_string(i + 1) +
            ", main: \"rtsp://127.0.0.1:" + std::to_string(port) + mount_of(s, i) +
            "\", main_size: [" + std::to_string(s.width) + ", " + std::to_string(s.height) + "]}\n";
  auto config = controller::load_config_text(yaml, "bench.yaml", "/");
  streams::Wakeup wakeup;
  layouts::LayoutLibrary layouts;
  streams::StreamManager manager(&wakeup);
  renderer::RendererOptions ropts;
  ropts.headless = true;
  renderer::Renderer renderer(ropts, &wakeup);
  std::thread render_thread([&] { renderer.run(); });
  {
    controller::WallController wall(config, layouts, manager,
                                    [&](auto view) { renderer.publish(view); });
    std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
    auto channels = manager.channels();
    struct Mark {
      unsigned long long published, consumed, dropped;
    };
    std::vector<Mark> start;
    for (auto& c : channels)
      start.push_back({c->mailbox().published(), c->mailbox().consumed(), c->mailbox().dropped()});
    auto presented0 = renderer.stats().frames_presented;
    const auto notifies0 = wakeup.notifies(), signals0 = wakeup.signals();
    std::printf("WINDOW_START\n");
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    std::printf("WINDOW_END\n");
    WallFigures f;
    for (std::size_t i = 0; i < channels.size(); ++i) {
      auto& m = channels[i]->mailbox();
      double shown = double(m.consumed() - start[i].consumed) / seconds;
      f.source_fps +=
          double(m.published() - start[i].published) / seconds / double(channels.size());
      f.shown_fps_avg += shown / double(channels.size());
      f.shown_fps_min = std::min(f.shown_fps_min, shown);
      f.dropped += m.dropped() - start[i].dropped;
    }
    f.composites_per_s = double(renderer.stats().frames_presented - presented0) / seconds;
    // The render thread's wake-ups: every decoded frame notifies; only a new one signals.
    std::printf("WAKEUPS %.1f %.1f\n", double(wakeup.notifies() - notifies0) / seconds,
                double(wakeup.signals() - signals0) / seconds);
    std::printf("FIGURES %zu %.2f %.2f %.2f %.2f %llu %s\n", channels.size(), f.source_fps,
                f.shown_fps_min, f.shown_fps_avg, f.composites_per_s, f.dropped,
                renderer.stats().gl_renderer.c_str());
    std::fflush(stdout);
  }
  renderer.request_stop();
  render_thread.join();
  return 0;
}

// --- the parent: clips, server, floor and wall children -----------------------------------

struct Row {
  std::string name;
  std::string figures;
  double notifies_per_s = 0, wakeups_per_s = 0;
  double wall_cores = 0, floor_cores = 0;
  long wall_rss_kib = 0;
};

// Reads the child's stdout line by line; samples its CPU at WINDOW_START / WINDOW_END.
Row measure_wall(const std::string& self, const Scenario& s, int port, double warmup,
                 double seconds) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    freopen("/dev/null", "w", stderr);
    execl(self.c_str(), self.c_str(), "--wall-child", s.name.c_str(), "--port",
          std::to_string(port).c_str(), "--warmup", std::to_string(warmup).c_str(), "--seconds",
          std::to_string(seconds).c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  Row row{s.name, "", 0, 0, 0};
  double wall0 = 0;
  auto t0 = Clock::now();
  char line[512];
  while (std::fgets(line, sizeof line, out)) {
    std::string l(line);
    if (l.rfind("WINDOW_START", 0) == 0) {
      wall0 = bench::cpu_seconds(pid);
      t0 = Clock::now();
    } else if (l.rfind("WINDOW_END", 0) == 0) {
      double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      row.wall_cores = (bench::cpu_seconds(pid) - wall0) / elapsed;
      row.wall_rss_kib = bench::status_kib(pid, "VmHWM");
    } else if (l.rfind("WAKEUPS ", 0) == 0) {
      std::sscanf(l.c_str() + 8, "%lf %lf", &row.notifies_per_s, &row.wakeups_per_s);
    } else if (l.rfind("FIGURES ", 0) == 0) {
      row.figures = l.substr(8);
      if (!row.figures.empty() && row.figures.back() == '\n') row.figures.pop_back();
    }
  }
  fclose(out);
  waitpid(pid, nullptr, 0);
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"videowall-bench: wall cost against the decode-only floor, printed"};
  double seconds = 10, warmup = 4;
  std::string only, wall_child;
  int port = 0;
  std::string cache = (fs::temp_directory_path() / "videowall-bench-clips").string();
  if (const char* home = std::getenv("HOME"))
    cache = std::string(home) + "/.cache/videowall/bench-v1";
  cli.add_option("--seconds", seconds, "measurement window per scenario");
  cli.add_option("--warmup", warmup, "seconds to connect and settle before measuring");
  cli.add_option("--scenario", only, "run one of 4x1080p, 9x1080p, 16x360p");
  cli.add_option("--cache", cache, "where the encoded clips are kept");
  cli.add_option("--wall-child", wall_child)->group("");  // internal
  cli.add_option("--port", port)->group("");
  CLI11_PARSE(cli, argc, argv);

  if (!wall_child.empty()) {
    for (const auto& s : kScenarios)
      if (s.name == wall_child) return run_wall_child(s, port, warmup, seconds);
    return 2;
  }

  // Clips: 9 distinct 1080p and 16 distinct 360p, encoded once.
  std::vector<streams::DemoClipSpec> specs;
  std::vector<std::string> camsim_args{VIDEOWALL_CAMSIM_PATH, "--port", "0"};
  for (const auto& s : {kScenarios[1], kScenarios[2]}) {
    for (int i = 0; i < s.streams; ++i) {
      streams::DemoClipSpec spec;
      spec.output = fs::path(cache) / (mount_of(s, i).substr(1) + ".mp4");
      spec.label = "bench " + std::to_string(i + 1);
      spec.width = s.width;
      spec.height = s.height;
      spec.variant = i;
      specs.push_back(spec);
      camsim_args.push_back("--clip");
      camsim_args.push_back(mount_of(s, i) + "=" + spec.output.string());
    }
  }
  std::fprintf(stderr, "bench: preparing %zu clips in %s\n", specs.size(), cache.c_str());
  auto built = streams::build_demo_cache(specs, {}, 2);
  if (!built.ok()) {
    std::fprintf(stderr, "bench: clip cache failed: %s\n", built.errors.front().c_str());
    return 1;
  }

  // The server, in its own process so its CPU is not counted on either side.
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t server = fork();
  if (server == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::vector<char*> av;
    for (auto& a : camsim_args) av.push_back(a.data());
    av.push_back(nullptr);
    execv(av[0], av.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* server_out = fdopen(fds[0], "r");
  char line[256];
  int server_port = 0;
  while (std::fgets(line, sizeof line, server_out))
    if (std::sscanf(line, "LISTENING %d", &server_port) == 1) break;
  if (server_port == 0) {
    std::fprintf(stderr, "bench: the camera server did not start\n");
    return 1;
  }

  std::printf("videowall benchmark: %.0f s windows after %.0f s warm-up, 2 cores shared\n\n",
              seconds, warmup);
  std::printf("%-8s %5s %8s %14s %8s %6s %10s %11s %7s %9s %11s %17s\n", "scenario", "tiles",
              "src fps", "shown fps min/avg", "comp/s", "drops", "wall cores", "floor cores",
              "ratio", "peak RSS", "RSS/stream", "wake-ups/notifies");
  for (const auto& s : kScenarios) {
    if (!only.empty() && only != s.name) continue;
    // The floor: the same streams, decoded and thrown away.
    std::vector<std::string> floor{"gst-launch-1.0", "-q"};
    for (int i = 0; i < s.streams; ++i) {
      for (const char* part : {"rtspsrc", "latency=200", "protocols=tcp"}) floor.push_back(part);
      floor.push_back("location=rtsp://127.0.0.1:" + std::to_string(server_port) + mount_of(s, i));
      for (const char* part : {"!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!",
                               "fakesink", "sync=false"})
        floor.push_back(part);
    }
    // Measure the floor alone first (same window length), then the wall alone: running both at
    // once would make them fight over the 2 cores.
    pid_t floor_pid = spawn(floor, true);
    std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
    double f0 = bench::cpu_seconds(floor_pid);
    auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    double floor_cores = (bench::cpu_seconds(floor_pid) - f0) /
                         std::chrono::duration<double>(Clock::now() - t0).count();
    stop_child(floor_pid);

    Row row = measure_wall(argv[0], s, server_port, warmup, seconds);
    row.floor_cores = floor_cores;
    unsigned tiles = 0;
    double src = 0, shown_min = 0, shown_avg = 0, comp = 0;
    unsigned long long drops = 0;
    std::sscanf(row.figures.c_str(), "%u %lf %lf %lf %lf %llu", &tiles, &src, &shown_min,
                &shown_avg, &comp, &drops);
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.1f/%.1f", shown_min, shown_avg);
    char wakeups[40];
    std::snprintf(wakeups, sizeof wakeups, "%.0f/%.0f per s", row.wakeups_per_s,
                  row.notifies_per_s);
    std::printf("%-8s %5u %8.1f %14s %8.1f %6llu %10.2f %11.2f %6.2fx %7.0f MB %8.1f MB %17s\n",
                s.name.c_str(), tiles, src, shown, comp, drops, row.wall_cores, row.floor_cores,
                row.floor_cores > 0 ? row.wall_cores / row.floor_cores : 0.0,
                double(row.wall_rss_kib) / 1024, double(row.wall_rss_kib) / 1024 / s.streams,
                wakeups);
    std::fflush(stdout);
  }
  stop_child(server);
  fclose(server_out);
  return 0;
}
