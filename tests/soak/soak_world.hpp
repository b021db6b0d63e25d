// What videowall-soak runs and watches: the real daemon (headless, its control API on loopback)
// on simulated cameras spread over several real RTSP servers (videowall-camsim, one child
// process each, so a fault hits one server's cameras), a grid-case publisher (videowall-casesim),
// and the API client that samples the daemon. Every wait is bounded.
// Threads: one (the soak's).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/api_client.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/process.hpp"

namespace vw::soak {

struct WorldOptions {
  int servers = 4;
  int cameras_per_server = 4;
  int case_rate = 5;  // new cases per second from the publisher
};

// One reading of the daemon.
struct Sample {
  double at_s = 0;  // since the soak started
  long rss_kib = 0, fds = 0, threads = 0;
  std::uint64_t frames_presented = 0;
  int tiles = 0, playing = 0;
  bool answered = false;  // status answered in time
};

class World {
 public:
  explicit World(WorldOptions options);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Starts servers, publisher and daemon; false (with the reason on stderr) when the wall does
  // not come up with every tile playing within 90 s.
  bool start();

  int servers() const { return static_cast<int>(servers_.size()); }
  testing::CamsimProcess& server(int i) { return *servers_[static_cast<std::size_t>(i)]; }
  // The camera ids a server serves ("s2c3").
  std::vector<std::string> cameras_of(int server) const;
  std::vector<std::string> all_cameras() const;  // of every server

  void restart_publisher(std::chrono::milliseconds down);
  // A burst from a second publisher: `rate` cases/s for `seconds`, then it exits. Always the
  // same cases (one seed): a repeated flood updates them, it does not grow the board.
  void flood_publisher(int rate, int seconds);

  // The daemon's status, or none when it did not answer within 5 s.
  std::optional<nlohmann::json> status();
  // A command; the reply (with "ok"), or none on timeout.
  std::optional<nlohmann::json> command(const nlohmann::json& request);
  Sample sample(double at_s);
  // Which of `cameras` are on a tile now.
  std::vector<std::string> shown(const std::vector<std::string>& cameras);
  // Streams of `cameras` shown on the wall and not playing (per the last status); empty: all back.
  std::vector<std::string> not_playing(const std::vector<std::string>& cameras);

  bool daemon_running();
  std::string daemon_log() const;
  pid_t daemon_pid() const;
  const std::string& api_endpoint() const { return endpoint_; }

 private:
  void write_config();

  WorldOptions options_;
  std::filesystem::path dir_;
  std::string endpoint_, pub_endpoint_, case_endpoint_, flood_endpoint_;
  std::vector<std::unique_ptr<testing::CamsimProcess>> servers_;
  std::unique_ptr<testing::DaemonProcess> publisher_, flood_, daemon_;
  std::unique_ptr<controller::api::ApiClient> client_;
};

}  // namespace vw::soak
