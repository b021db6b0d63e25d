// videowall-bench: what the wall costs against its peers, in the same run.
//
// For each scenario it serves pre-encoded clips (H.264, 25 fps: 1080p at 4 Mbit/s, 360p) from a
// loopback RTSP server in a child process (videowall-camsim), then measures over windows of the
// same length, one after the other (together they would fight over the cores):
//  - the decode-only floor: `rtspsrc ! rtph264depay ! h264parse ! avdec_h264 ! fakesink` per
//    shown stream, in a gst-launch-1.0 child, with the decoder threads the wall would give
//    (max-threads, streams::software_decoder_threads);
//  - GStreamer's own CPU mosaic of the same streams: each decoded, `videoscale`d to its tile
//    and mixed by `compositor` into 1920x1080 -> fakesink, in a gst-launch-1.0 child;
//  - the wall: streams + headless renderer + controller at 1920x1080, in a child process, on
//    the render path --path asks for (auto: cpu on software GL).
// and prints CPU cores used, the share of decoded frames each tile showed (the worst tile),
// composites per second, peak RSS and the ratios wall/floor and wall/compositor. Figures only:
// nothing is asserted (this machine is shared and noisy).
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
#include <tuple>

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
  int cameras;
  bool main_and_sub;  // cameras with a 1080p main and a 360p sub; the tiles show the sub
  int width, height;  // of the shown streams
  std::string layout;
  int grid;  // tiles per row of the layout (all scenarios are n x n grids)
};

const Scenario kScenarios[] = {
    {"4x1080p", 4, false, 1920, 1080, "2x2", 2},   {"9x1080p", 9, false, 1920, 1080, "3x3", 3},
    {"16x360p", 16, false, 640, 360, "4x4", 4},    {"9xmain+sub", 9, true, 640, 360, "3x3", 3},
    {"16xmain+sub", 16, true, 640, 360, "4x4", 4},
};

constexpr int kMainClips = 9;  // distinct 1080p clips; more cameras reuse them

std::string mount_of(int height, int i) {
  return "/bench" + std::to_string(height) + "-" + std::to_string(i + 1);
}
// The stream a tile of the scenario shows, and for main+sub cameras their main.
std::string shown_mount(const Scenario& s, int i) {
  return mount_of(s.height, i);
}
std::string main_mount(int i) {
  return "/bench1080-main-" + std::to_string(i + 1);
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
  double shown_share_min = 1;  // frames shown / frames decoded, the worst tile
  unsigned long long dropped = 0;
};

int run_wall_child(const Scenario& s, int port, double warmup, double seconds,
                   const std::string& path) {
  const std::string base = "rtsp://127.0.0.1:" + std::to_string(port);
  std::string yaml = "wall: {width: 1920, height: 1080, layout: " + s.layout +
                     ", render_path: " + path + "}\nstreams: {latency_ms: 200}\ncameras:\n";
  for (int i = 0; i < s.cameras; ++i) {
    yaml += "  - {id: c" + std::to_string(i + 1);
    if (s.main_and_sub) {
      yaml += ", main: \"" + base + main_mount(i) + "\", sub: \"" + base + shown_mount(s, i) +
              "\", main_size: [1920, 1080]}\n";
    } else {
      yaml += ", main: \"" + base + shown_mount(s, i) + "\", main_size: [" +
              std::to_string(s.width) + ", " + std::to_string(s.height) + "]}\n";
    }
  }
  auto config = controller::load_config_text(yaml, "bench.yaml", "/");
  streams::Wakeup wakeup;
  layouts::LayoutLibrary layouts;
  streams::StreamManager manager(&wakeup);
  renderer::RendererOptions ropts;
  ropts.headless = true;
  ropts.path = config.wall.render_path;
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
      const double decoded = double(m.published() - start[i].published);
      const double shown = double(m.consumed() - start[i].consumed);
      f.source_fps += decoded / seconds / double(channels.size());
      f.shown_fps_avg += shown / seconds / double(channels.size());
      f.shown_fps_min = std::min(f.shown_fps_min, shown / seconds);
      if (decoded > 0) f.shown_share_min = std::min(f.shown_share_min, shown / decoded);
      f.dropped += m.dropped() - start[i].dropped;
    }
    f.composites_per_s = double(renderer.stats().frames_presented - presented0) / seconds;
    // The render thread's wake-ups: every decoded frame notifies; only a new one signals.
    std::printf("WAKEUPS %.1f %.1f\n", double(wakeup.notifies() - notifies0) / seconds,
                double(wakeup.signals() - signals0) / seconds);
    const auto stats = renderer.stats();
    std::printf("FIGURES %zu %.2f %.2f %.2f %.2f %llu %.4f %s %s\n", channels.size(), f.source_fps,
                f.shown_fps_min, f.shown_fps_avg, f.composites_per_s, f.dropped, f.shown_share_min,
                stats.render_path.c_str(), stats.gl_renderer.c_str());
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
  double wall_cores = 0, floor_cores = 0, compositor_cores = 0;
  long wall_rss_kib = 0;
};

// Reads the child's stdout line by line; samples its CPU at WINDOW_START / WINDOW_END.
Row measure_wall(const std::string& self, const Scenario& s, int port, double warmup,
                 double seconds, const std::string& path) {
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
          std::to_string(seconds).c_str(), "--path", path.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  Row row;
  row.name = s.name;
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

// Cores a gst-launch-1.0 pipeline uses over the window, after the warm-up.
double measure_pipeline(const std::vector<std::string>& args, double warmup, double seconds) {
  pid_t pid = spawn(args, true);
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  const double c0 = bench::cpu_seconds(pid);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cores =
      (bench::cpu_seconds(pid) - c0) / std::chrono::duration<double>(Clock::now() - t0).count();
  stop_child(pid);
  return cores;
}

// One stream of `streams` decoded side by side, with the decoder threads the wall gives its own
// decoders in the same case (streams::software_decoder_threads), so that the floor and the
// mosaic decode exactly as the wall does.
void add_decoder(std::vector<std::string>* args, int port, const std::string& mount, int streams) {
  for (const char* part : {"rtspsrc", "latency=200", "protocols=tcp"}) args->push_back(part);
  args->push_back("location=rtsp://127.0.0.1:" + std::to_string(port) + mount);
  for (const char* part : {"!", "rtph264depay", "!", "h264parse", "!", "avdec_h264"})
    args->push_back(part);
  const int threads = streams::software_decoder_threads(static_cast<std::size_t>(streams),
                                                        std::thread::hardware_concurrency());
  if (threads > 0) args->push_back("max-threads=" + std::to_string(threads));
}

// The same streams, decoded and thrown away.
std::vector<std::string> floor_pipeline(const Scenario& s, int port) {
  std::vector<std::string> args{"gst-launch-1.0", "-q"};
  for (int i = 0; i < s.cameras; ++i) {
    add_decoder(&args, port, shown_mount(s, i), s.cameras);
    for (const char* part : {"!", "fakesink", "sync=false"}) args.push_back(part);
  }
  return args;
}

// GStreamer's CPU mosaic: each stream scaled to its tile, mixed into 1920x1080.
std::vector<std::string> compositor_pipeline(const Scenario& s, int port) {
  const int tile_w = 1920 / s.grid, tile_h = 1080 / s.grid;
  std::vector<std::string> args{"gst-launch-1.0", "-q", "compositor", "name=mix"};
  for (int i = 0; i < s.cameras; ++i) {
    const std::string pad = "sink_" + std::to_string(i);
    args.push_back(pad + "::xpos=" + std::to_string(i % s.grid * tile_w));
    args.push_back(pad + "::ypos=" + std::to_string(i / s.grid * tile_h));
  }
  for (const char* part :
       {"!", "video/x-raw,width=1920,height=1080", "!", "fakesink", "sync=false"})
    args.push_back(part);
  for (int i = 0; i < s.cameras; ++i) {
    add_decoder(&args, port, shown_mount(s, i), s.cameras);
    args.insert(args.end(), {"!", "videoscale", "!",
                             "video/x-raw,width=" + std::to_string(tile_w) +
                                 ",height=" + std::to_string(tile_h),
                             "!", "mix.sink_" + std::to_string(i)});
  }
  return args;
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
  std::string path = "auto";
  cli.add_option("--scenario", only,
                 "run one of 4x1080p, 9x1080p, 16x360p, 9xmain+sub, 16xmain+sub");
  cli.add_option("--path", path, "the wall's render path: auto (cpu on software GL), gpu, cpu");
  cli.add_option("--cache", cache, "where the encoded clips are kept");
  cli.add_option("--wall-child", wall_child)->group("");  // internal
  cli.add_option("--port", port)->group("");
  CLI11_PARSE(cli, argc, argv);

  if (!wall_child.empty()) {
    for (const auto& s : kScenarios)
      if (s.name == wall_child) return run_wall_child(s, port, warmup, seconds, path);
    return 2;
  }

  // Clips: 9 distinct 1080p and 16 distinct 360p, encoded once. The main+sub cameras' mains
  // are the 1080p clips again, under mounts of their own.
  std::vector<streams::DemoClipSpec> specs;
  std::vector<std::string> camsim_args{VIDEOWALL_CAMSIM_PATH, "--port", "0"};
  for (const auto& [count, w, h] : {std::tuple{kMainClips, 1920, 1080}, std::tuple{16, 640, 360}}) {
    for (int i = 0; i < count; ++i) {
      streams::DemoClipSpec spec;
      spec.output = fs::path(cache) / (mount_of(h, i).substr(1) + ".mp4");
      spec.label = "bench " + std::to_string(i + 1);
      spec.width = w;
      spec.height = h;
      spec.variant = i;
      specs.push_back(spec);
      camsim_args.push_back("--clip");
      camsim_args.push_back(mount_of(h, i) + "=" + spec.output.string());
    }
  }
  for (int i = 0; i < 16; ++i) {
    camsim_args.push_back("--clip");
    camsim_args.push_back(main_mount(i) + "=" + specs[std::size_t(i % kMainClips)].output.string());
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

  std::printf(
      "videowall benchmark: %.0f s windows after %.0f s warm-up, %u cores shared, "
      "render path %s\n"
      "decoders: avdec_h264 with max-threads as the wall sets it (cores / streams, at least 1), "
      "in floor, mosaic and wall alike\n\n",
      seconds, warmup, std::thread::hardware_concurrency(), path.c_str());
  std::printf("%-11s %5s %7s %13s %7s %7s %6s %6s %6s %7s %7s %7s %9s %5s\n", "scenario", "tiles",
              "src fps", "shown fps min", "shown %", "comp/s", "drops", "floor", "mosaic", "wall",
              "/floor", "/mosaic", "peak RSS", "path");
  for (const auto& s : kScenarios) {
    if (!only.empty() && only != s.name) continue;
    Row row;
    const double floor_cores = measure_pipeline(floor_pipeline(s, server_port), warmup, seconds);
    const double mosaic_cores =
        measure_pipeline(compositor_pipeline(s, server_port), warmup, seconds);
    row = measure_wall(argv[0], s, server_port, warmup, seconds, path);
    unsigned tiles = 0;
    double src = 0, shown_min = 0, shown_avg = 0, comp = 0, share = 0;
    unsigned long long drops = 0;
    char used_path[16] = "?";
    std::sscanf(row.figures.c_str(), "%u %lf %lf %lf %lf %llu %lf %15s", &tiles, &src, &shown_min,
                &shown_avg, &comp, &drops, &share, used_path);
    std::printf(
        "%-11s %5u %7.1f %13.1f %6.1f%% %7.1f %6llu %6.2f %6.2f %7.2f %6.2fx %6.2fx %6.0f MB "
        "%5s\n",
        s.name.c_str(), tiles, src, shown_min, share * 100, comp, drops, floor_cores, mosaic_cores,
        row.wall_cores, floor_cores > 0 ? row.wall_cores / floor_cores : 0.0,
        mosaic_cores > 0 ? row.wall_cores / mosaic_cores : 0.0, double(row.wall_rss_kib) / 1024,
        used_path);
    std::fflush(stdout);
  }
  stop_child(server);
  fclose(server_out);
  return 0;
}
