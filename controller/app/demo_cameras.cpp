#include "controller/app/demo_cameras.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>

#include "streams/sim/demo_cache.hpp"
#include "streams/sim/sim_camera_server.hpp"

namespace vw::controller {
namespace {

namespace fs = std::filesystem;

struct LoopbackUrl {
  int port = 0;
  std::string mount;  // "/minzu-01/main"
};

LoopbackUrl parse_demo_url(const CameraConfig& camera, const std::string& url) {
  static const std::regex pattern(R"(^rtsp://(127\.0\.0\.1|localhost):(\d+)(/[^?#]*)$)");
  std::smatch m;
  if (!std::regex_match(url, m, pattern))
    throw std::runtime_error("--demo serves only rtsp://127.0.0.1:PORT/... URLs; camera " +
                             camera.id + " has " + streams::redact_url(url) +
                             " (use --config without --demo for real cameras)");
  return {std::stoi(m[2].str()), m[3].str()};
}

fs::path cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "videowall" / "demo-v1";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "videowall" / "demo-v1";
  return fs::temp_directory_path() / "videowall-demo-v1";
}

// A safe file name for a mount: "/minzu-01/main" -> "minzu-01_main".
std::string file_stem(std::string mount) {
  for (auto& c : mount)
    if (c == '/') c = '_';
  return mount.substr(mount.find_first_not_of('_'));
}

// Runs videowall-casesim (built next to this executable) publishing on `endpoint`.
int start_casesim(const std::string& endpoint) {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec).parent_path() / "videowall-casesim";
  if (ec || !fs::exists(exe)) {
    spdlog::warn("demo: {} not found; the wall will show 等待数据 for cases", exe.string());
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    execl(exe.c_str(), exe.c_str(), "--bind", endpoint.c_str(), "--rate", "2", nullptr);
    _exit(127);
  }
  if (pid > 0) spdlog::info("demo: simulated case feed on {} (pid {})", endpoint, pid);
  return pid;
}

}  // namespace

DemoCameras::DemoCameras(const Config& config) {
  streams::SimCameraServerOptions options;
  std::vector<streams::DemoClipSpec> specs;
  auto dir = cache_dir();
  int variant = 0;
  for (const auto& camera : config.cameras) {
    struct Stream {
      const std::string& url;
      int width, height;
    };
    for (const Stream& s :
         {Stream{camera.main_url, 1920, 1080}, Stream{camera.sub_url, 640, 360}}) {
      if (s.url.empty()) continue;
      auto url = parse_demo_url(camera, s.url);
      if (options.port != 0 && url.port != options.port)
        throw std::runtime_error("--demo serves one port; camera " + camera.id + " uses " +
                                 std::to_string(url.port) + ", others " +
                                 std::to_string(options.port));
      options.port = url.port;
      streams::DemoClipSpec spec;
      spec.output = dir / (file_stem(url.mount) + ".mp4");
      spec.label = camera.name;
      spec.width = s.width;
      spec.height = s.height;
      spec.variant = variant;
      specs.push_back(spec);
      options.clips.push_back({url.mount, spec.output, 25});
    }
    ++variant;
  }

  auto result = streams::build_demo_cache(
      specs,
      [](const streams::DemoCacheProgress& p) {
        if (!p.cached)
          std::fprintf(stderr,
                       "videowall: encoding demo camera clips (first start only) %zu/%zu %s\n",
                       p.index + 1, p.count, p.output.filename().c_str());
      },
      2);
  if (!result.ok()) {
    std::string why = result.cancelled ? "cancelled" : result.errors.front();
    throw std::runtime_error("cannot build the demo clips in " + dir.string() + ": " + why);
  }
  if (result.built > 0) spdlog::info("demo clips: {} encoded into {}", result.built, dir.string());

  server_ = std::make_unique<streams::SimCameraServer>(options);
  std::string error;
  if (!server_->start(&error))
    throw std::runtime_error(
        "cannot serve the demo cameras on 127.0.0.1:" + std::to_string(options.port) + ": " +
        error + " (is another videowall --demo running?)");
  spdlog::info("demo: {} simulated camera streams on rtsp://127.0.0.1:{}", options.clips.size(),
               server_->port());
  for (const auto& endpoint : config.cases.endpoints) {
    if (endpoint.rfind("tcp://127.0.0.1:", 0) == 0) {
      casesim_pid_ = start_casesim(endpoint);
      break;
    }
  }
}

DemoCameras::~DemoCameras() {
  if (casesim_pid_ <= 0) return;
  kill(casesim_pid_, SIGTERM);
  for (int i = 0; i < 30; ++i) {  // bounded: 3 s, then SIGKILL
    if (waitpid(casesim_pid_, nullptr, WNOHANG) == casesim_pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(casesim_pid_, SIGKILL);
  waitpid(casesim_pid_, nullptr, 0);
}

}  // namespace vw::controller
