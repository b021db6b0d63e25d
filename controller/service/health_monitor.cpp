#include "controller/service/health_monitor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vw::controller::service {

using Clock = std::chrono::steady_clock;

HealthMonitor::HealthMonitor(HealthOptions options, const SystemdNotifier& notifier)
    : options_(std::move(options)), notifier_(notifier), tick_(options_.tick) {
  if (const auto interval = notifier_.watchdog_interval()) {
    tick_ = std::min(tick_, std::chrono::duration_cast<std::chrono::milliseconds>(*interval / 3));
    spdlog::info("systemd watchdog: every {} ms; a thread stuck for {} ms withholds it",
                 interval->count() / 1000, options_.stuck_after.count());
  }
  tick_ = std::max(tick_, std::chrono::milliseconds(10));
  const auto now = Clock::now();
  for (const auto& heartbeat : options_.heartbeats) {
    beats_.push_back({heartbeat.turns(), now});
    report_.watched.push_back(heartbeat.name);
  }
  report_.not_ready = "starting";
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

HealthMonitor::~HealthMonitor() {
  stop();
}

void HealthMonitor::stop() {
  if (!thread_.joinable()) return;
  notifier_.stopping();
  thread_.request_stop();
  thread_ = {};
}

HealthReport HealthMonitor::report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

void HealthMonitor::reloading() {
  spdlog::info("config reload: RELOADING");
  notifier_.reloading();
}

void HealthMonitor::reloaded() {
  std::lock_guard lock(mutex_);
  if (ready_reached_) notifier_.ready(last_status_);
}

void HealthMonitor::run(std::stop_token stop) {
  std::mutex wait_mutex;
  while (!stop.stop_requested()) {
    check();
    std::unique_lock lock(wait_mutex);
    wake_.wait_for(lock, stop, tick_, [] { return false; });
  }
}

void HealthMonitor::check() {
  const auto now = Clock::now();
  std::vector<std::string> stuck;
  for (std::size_t i = 0; i < beats_.size(); ++i) {
    const std::uint64_t turns = options_.heartbeats[i].turns();
    // A thread that has not begun (the renderer still making its context) is not stuck: until
    // READY=1, systemd's start timeout is what catches a start that hangs.
    if (turns != beats_[i].turns || turns == 0) beats_[i] = {turns, now};
    if (now - beats_[i].progressed > options_.stuck_after)
      stuck.push_back(options_.heartbeats[i].name);
  }
  const std::string not_ready = options_.not_ready ? options_.not_ready() : "";
  const std::string status = options_.status_line ? options_.status_line() : "";

  bool became_ready = false, ready = false;
  HealthReport before;
  {
    std::lock_guard lock(mutex_);
    before = report_;
    if (!ready_reached_ && not_ready.empty() && stuck.empty()) ready_reached_ = became_ready = true;
    report_.live = stuck.empty();
    report_.stuck = stuck;
    report_.ready = ready_reached_ && report_.live;
    report_.not_ready = !stuck.empty()   ? "stuck: " + stuck.front()
                        : ready_reached_ ? ""
                                         : not_ready;
    if (report_.live && notifier_.watchdog_interval()) ++report_.watchdog_pings;
    ready = ready_reached_;
  }
  for (const auto& name : stuck)
    if (std::find(before.stuck.begin(), before.stuck.end(), name) == before.stuck.end())
      spdlog::error(
          "watchdog: the {} thread has made no progress for {} ms; WATCHDOG=1 is withheld "
          "(systemd restarts the daemon) and /healthz fails",
          name, options_.stuck_after.count());
  for (const auto& name : before.stuck)
    if (std::find(stuck.begin(), stuck.end(), name) == stuck.end())
      spdlog::warn("watchdog: the {} thread makes progress again", name);

  if (stuck.empty() && notifier_.watchdog_interval()) notifier_.watchdog();
  if (!ready) return;
  std::lock_guard lock(mutex_);
  if (became_ready) {
    spdlog::info("ready: {}", status);
    notifier_.ready(status);
  } else if (status != last_status_ && now - status_at_ >= options_.status_every) {
    notifier_.status(status);
  } else {
    return;
  }
  last_status_ = status;
  status_at_ = now;
}

}  // namespace vw::controller::service
