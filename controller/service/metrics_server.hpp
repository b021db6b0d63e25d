// The HTTP endpoint of the operations team's monitoring (docs/service.md), read-only:
//   GET /metrics  the Prometheus text of metrics_text.hpp
//   GET /healthz  200 "ok" while every watched thread makes progress, else 503 naming it
//   GET /readyz   200 "ready" once config, API and first composite are there, else 503 and why
// Bounded: two workers and 16 queued connections; beyond that the listener serves the
// connection itself, so further ones wait in the kernel's backlog. Requests are read within 2 s
// and may not carry a body.
// Threads: the constructor binds (throws std::runtime_error naming the address) and starts the
// listener; the callbacks run on the workers and must not block for long.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "controller/service/health_monitor.hpp"

namespace httplib {
class Server;
}

namespace vw::controller::service {

struct MetricsServerOptions {
  std::string host = "127.0.0.1";  // numeric
  int port = 9560;                 // 0: any free port
  std::size_t workers = 2;
  std::size_t max_queued = 16;
};

class MetricsServer {
 public:
  MetricsServer(MetricsServerOptions options, std::function<std::string()> metrics,
                std::function<HealthReport()> health);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }  // as bound
  std::string url() const;            // http://HOST:PORT

 private:
  MetricsServerOptions options_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
};

}  // namespace vw::controller::service
