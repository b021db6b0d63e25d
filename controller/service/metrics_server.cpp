#include "controller/service/metrics_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "controller/service/http_listener.hpp"

namespace vw::controller::service {
namespace {

std::string host_in_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

MetricsServer::MetricsServer(MetricsServerOptions options, std::function<std::string()> metrics,
                             std::function<HealthReport()> health)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  bound_server(s, options_.workers, options_.max_queued, 2);
  s.set_payload_max_length(0);  // GET only: no request body is read
  s.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/healthz", [health](const httplib::Request&, httplib::Response& res) {
    const HealthReport report = health();
    res.status = report.live ? 200 : 503;
    std::string body = "ok\n";
    if (!report.live) {
      body = "stuck:";
      for (const auto& name : report.stuck) body += " " + name;
      body += "\n";
    }
    res.set_content(body, "text/plain; charset=utf-8");
  });
  s.Get("/readyz", [health](const httplib::Request&, httplib::Response& res) {
    const HealthReport report = health();
    res.status = report.ready ? 200 : 503;
    res.set_content(report.ready ? "ready\n" : "not ready: " + report.not_ready + "\n",
                    "text/plain; charset=utf-8");
  });
  port_ = bind_and_listen(s, options_.host, options_.port, listener_);
  if (port_ <= 0)
    throw std::runtime_error("metrics endpoint " + host_in_url(options_.host) + ":" +
                             std::to_string(options_.port) +
                             ": cannot listen (in use, or not an address of this machine)");
  spdlog::info("metrics and health checks on {}/metrics (/healthz, /readyz)", url());
}

MetricsServer::~MetricsServer() {
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

std::string MetricsServer::url() const {
  return "http://" + host_in_url(options_.host) + ":" + std::to_string(port_);
}

}  // namespace vw::controller::service
