#include "tests/soak/soak_world.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "tests/bench/proc_stats.hpp"
#include "tests/support/eventually.hpp"

namespace vw::soak {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string camera_id(int server, int camera) {
  return "s" + std::to_string(server + 1) + "c" + std::to_string(camera + 1);
}

}  // namespace

World::World(WorldOptions options)
    : options_(options),
      dir_(fs::temp_directory_path() / ("vw-soak-" + std::to_string(::getpid()))) {
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "state");
  endpoint_ = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  pub_endpoint_ = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  case_endpoint_ = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  flood_endpoint_ = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
}

World::~World() {
  client_.reset();
  daemon_.reset();
  flood_.reset();
  publisher_.reset();
  servers_.clear();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::vector<std::string> World::cameras_of(int server) const {
  std::vector<std::string> ids;
  for (int c = 0; c < options_.cameras_per_server; ++c) ids.push_back(camera_id(server, c));
  return ids;
}

std::vector<std::string> World::all_cameras() const {
  std::vector<std::string> ids;
  for (int s = 0; s < options_.servers; ++s)
    for (const std::string& id : cameras_of(s)) ids.push_back(id);
  return ids;
}

void World::write_config() {
  std::ofstream out(dir_ / "wall.yaml");
  // The grid that fits every camera; the API may do everything (loopback only, a test wall).
  int grid = 1;
  while (grid * grid < options_.servers * options_.cameras_per_server) ++grid;
  out << "wall: {width: 1280, height: 720, layout: " << grid << "x" << grid << "}\n"
      << "streams: {latency_ms: 100}\n"
      << "api: {anonymous_role: admin}\n"
      << "cases:\n  endpoints: [\"" << case_endpoint_ << "\", \"" << flood_endpoint_ << "\"]\n"
      << "  overlays: {default: [counters, badges]}\n"
      << "cameras:\n";
  for (int s = 0; s < options_.servers; ++s) {
    for (int c = 0; c < options_.cameras_per_server; ++c) {
      out << "  - {id: " << camera_id(s, c) << ", name: 测试" << s + 1 << "-" << c + 1
          << ", street: 民族街, main: \""
          << servers_[std::size_t(s)]->url("/c" + std::to_string(c + 1)) << "\"}\n";
    }
  }
}

bool World::start() {
  try {
    for (int s = 0; s < options_.servers; ++s) {
      std::vector<testing::SimCameraSpec> specs;
      for (int c = 0; c < options_.cameras_per_server; ++c) {
        const std::uint32_t rgb = std::uint32_t((s * 60 + 40) % 256) << 16 |
                                  std::uint32_t((c * 60 + 80) % 256) << 8 | 0x80u;
        specs.push_back({"/c" + std::to_string(c + 1), rgb, 320, 180, "h264", 25});
      }
      servers_.push_back(std::make_unique<testing::CamsimProcess>(specs));
      servers_.back()->start();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soak: camera servers did not start: %s\n", e.what());
    return false;
  }
  write_config();
  restart_publisher(0ms);
  daemon_ = std::make_unique<testing::DaemonProcess>(
      VIDEOWALL_BIN,
      std::vector<std::string>{"--config", (dir_ / "wall.yaml").string(), "--headless",
                               "--state-dir", (dir_ / "state").string(), "--api-endpoint",
                               endpoint_, "--pub-endpoint", pub_endpoint_, "--snapshot-dir",
                               (dir_ / "snapshots").string()},
      (dir_ / "daemon.log").string());
  daemon_->start();
  if (!daemon_->wait_for_log("API: requests on", 60s)) {
    std::fprintf(stderr, "soak: the daemon's API did not come up:\n%s\n", daemon_log().c_str());
    return false;
  }
  controller::api::ClientOptions client;
  client.endpoint = endpoint_;
  client.pub_endpoint = pub_endpoint_;
  client.timeout = 5s;
  client_ = std::make_unique<controller::api::ApiClient>(client);
  if (!testing::eventually([&] { return not_playing(all_cameras()).empty(); }, 90s, 250ms)) {
    std::fprintf(stderr, "soak: not every tile played within 90 s\n");
    return false;
  }
  return true;
}

void World::restart_publisher(std::chrono::milliseconds down) {
  publisher_.reset();                 // SIGKILL
  std::this_thread::sleep_for(down);  // the outage itself
  publisher_ = std::make_unique<testing::DaemonProcess>(
      VIDEOWALL_CASESIM_BIN,
      std::vector<std::string>{"--bind", case_endpoint_, "--rate",
                               std::to_string(options_.case_rate), "--seed", "1", "--counts-every",
                               "2"},
      (dir_ / "casesim.log").string());
  publisher_->start();
}

void World::flood_publisher(int rate, int seconds) {
  flood_ = std::make_unique<testing::DaemonProcess>(
      VIDEOWALL_CASESIM_BIN,
      std::vector<std::string>{"--bind", flood_endpoint_, "--rate", std::to_string(rate),
                               "--seconds", std::to_string(seconds), "--publisher", "flood",
                               "--seed", "2"},
      (dir_ / "flood.log").string());
  flood_->start();
}

std::optional<nlohmann::json> World::status() {
  return command({{"cmd", "status"}});
}

std::optional<nlohmann::json> World::command(const nlohmann::json& request) {
  try {
    return client_->request(request);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> World::not_playing(const std::vector<std::string>& cameras) {
  std::vector<std::string> missing;
  std::optional<nlohmann::json> s = status();
  if (!s) return cameras;
  const std::set<std::string> wanted(cameras.begin(), cameras.end());
  for (const auto& tile : (*s)["tiles"]) {
    const std::string camera = tile.value("camera", "");
    if (wanted.count(camera) && tile.value("state", "") != "playing") missing.push_back(camera);
  }
  return missing;
}

std::vector<std::string> World::shown(const std::vector<std::string>& cameras) {
  std::vector<std::string> out;
  std::optional<nlohmann::json> s = status();
  if (!s) return out;
  const std::set<std::string> wanted(cameras.begin(), cameras.end());
  for (const auto& tile : (*s)["tiles"]) {
    const std::string camera = tile.value("camera", "");
    if (wanted.count(camera)) out.push_back(camera);
  }
  return out;
}

Sample World::sample(double at_s) {
  Sample out;
  out.at_s = at_s;
  const pid_t pid = daemon_pid();
  out.rss_kib = bench::status_kib(pid, "VmRSS");
  out.threads = bench::status_kib(pid, "Threads");
  out.fds = bench::open_fds(pid);
  if (std::optional<nlohmann::json> s = status()) {
    out.answered = true;
    out.frames_presented = (*s)["render"].value("frames_presented", std::uint64_t{0});
    for (const auto& tile : (*s)["tiles"]) {
      if (tile.value("camera", "").empty()) continue;
      ++out.tiles;
      if (tile.value("state", "") == "playing") ++out.playing;
    }
  }
  return out;
}

bool World::daemon_running() {
  return daemon_ && daemon_->running();
}

std::string World::daemon_log() const {
  return daemon_ ? daemon_->log() : std::string();
}

pid_t World::daemon_pid() const {
  return daemon_ ? daemon_->pid() : -1;
}

}  // namespace vw::soak
