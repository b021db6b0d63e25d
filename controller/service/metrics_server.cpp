#include "controller/service/metrics_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace vw::controller::service {
namespace {

// httplib's connection queue, bounded: a full queue makes the listener serve the connection
// itself, which stops it accepting until then (the kernel's listen backlog bounds the rest).
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(std::size_t workers, std::size_t max_queued) : max_queued_(max_queued) {
    for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() < max_queued_) {
        queue_.push_back(std::move(task));
        wake_.notify_one();
        return;
      }
    }
    task();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

 private:
  void work() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything queued was served
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

std::string host_in_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

MetricsServer::MetricsServer(MetricsServerOptions options, std::function<std::string()> metrics,
                             std::function<HealthReport()> health)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  const std::size_t workers = options_.workers, queued = options_.max_queued;
  s.new_task_queue = [workers, queued] { return new BoundedPool(workers, queued); };
  s.set_read_timeout(2, 0);
  s.set_write_timeout(2, 0);
  s.set_keep_alive_timeout(2);
  s.set_keep_alive_max_count(16);
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
  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
  } else if (s.bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0)
    throw std::runtime_error("metrics endpoint " + host_in_url(options_.host) + ":" +
                             std::to_string(options_.port) +
                             ": cannot listen (in use, or not an address of this machine)");
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() does nothing before the listener runs, so a destructor right after construction would
  // wait for ever: return only once it runs (a few microseconds).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
