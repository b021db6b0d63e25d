// The real daemon as the benchmarks of whole processes run it (bench_output, bench_latency):
// headless, on `dir`/wall.yaml, its state and snapshots under `dir`, its API on fresh loopback
// ports, metrics off; and a client of its API.
// Threads: one owner thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/api/api_client.hpp"
#include "tests/support/process.hpp"

namespace vw::bench {

// The output sizes the output benchmarks measure: ids and pictures.
struct OutputSize {
  const char* id;
  int width, height;
};
inline constexpr OutputSize kOutputSizes[] = {{"o720", 1280, 720}, {"o1080", 1920, 1080}};

struct BenchDaemon {
  std::unique_ptr<testing::DaemonProcess> process;
  std::unique_ptr<controller::api::ApiClient> client;
};

// Starts `binary` (VIDEOWALL_BIN) on `dir`/wall.yaml; the client waits 5 s for each reply.
inline BenchDaemon start_bench_daemon(const std::string& binary, const std::filesystem::path& dir) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  const std::string pub = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  BenchDaemon d;
  d.process = std::make_unique<testing::DaemonProcess>(
      binary,
      std::vector<std::string>{"--config", (dir / "wall.yaml").string(), "--headless",
                               "--state-dir", (dir / "state").string(), "--api-endpoint", endpoint,
                               "--pub-endpoint", pub, "--metrics", "off", "--snapshot-dir",
                               (dir / "snapshots").string()},
      (dir / "daemon.log").string());
  d.process->start();
  controller::api::ClientOptions options;
  options.endpoint = endpoint;
  options.pub_endpoint = pub;
  options.timeout = std::chrono::seconds(5);
  d.client = std::make_unique<controller::api::ApiClient>(options);
  return d;
}

// status, or an empty object when the daemon did not answer.
inline nlohmann::json status(controller::api::ApiClient& client) {
  try {
    return client.request({{"cmd", "status"}});
  } catch (const std::exception&) {
    return nlohmann::json::object();
  }
}

// Output `id`'s entry in a status reply, or an empty object.
inline nlohmann::json output_of(const nlohmann::json& s, const std::string& id) {
  for (const auto& o : s.value("outputs", nlohmann::json::array()))
    if (o.value("id", "") == id) return o;
  return nlohmann::json::object();
}

}  // namespace vw::bench
