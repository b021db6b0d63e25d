// Whether the daemon is alive (each long-running thread still makes progress) and ready (config
// loaded, API bound, first composite drawn), told to systemd (READY=1, STATUS=, and WATCHDOG=1
// only while alive, so a hung render thread gets the daemon restarted) and to the HTTP checks
// (/healthz, /readyz).
// Threads: the constructor starts the monitor's thread; report(), reloading() and reloaded()
// from any thread. The callbacks of HealthOptions run on the monitor's thread and must not block.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/service/systemd_notifier.hpp"

namespace vw::controller::service {

struct Heartbeat {
  std::string name;                      // "render", "controller"
  std::function<std::uint64_t()> turns;  // increases while the thread makes progress
};

struct HealthOptions {
  std::vector<Heartbeat> heartbeats;
  std::function<std::string()> not_ready;       // "" when ready, else what is still missing
  std::function<std::string()> status_line;     // STATUS=, e.g. "16/16 路播放中，布局 4x4"
  std::chrono::milliseconds stuck_after{5000};  // no progress this long: the thread is stuck
  std::chrono::milliseconds tick{500};          // at most a third of WatchdogSec
  std::chrono::milliseconds status_every{2000};
};

struct HealthReport {
  bool live = true;
  std::vector<std::string> watched;  // the threads with a heartbeat
  std::vector<std::string> stuck;    // those without progress for stuck_after
  bool ready = false;                // became ready once, and is live
  std::string not_ready;             // what is missing while not ready
  std::uint64_t watchdog_pings = 0;
};

class HealthMonitor {
 public:
  HealthMonitor(HealthOptions options, const SystemdNotifier& notifier);
  ~HealthMonitor();  // stop()
  // STOPPING=1, and the monitor's thread joined: no callback runs after it returns. report(),
  // reloading() and reloaded() still work (reloads finishing during the shutdown call them).
  void stop();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  HealthReport report() const;
  void reloading();  // config.reload started: RELOADING=1
  void reloaded();   // and finished, applied or refused: READY=1 again

 private:
  void run(std::stop_token stop);
  void check();  // one tick: monitor thread only

  struct Beat {
    std::uint64_t turns = 0;
    std::chrono::steady_clock::time_point progressed;
  };
  const HealthOptions options_;
  const SystemdNotifier& notifier_;
  std::chrono::milliseconds tick_;
  std::vector<Beat> beats_;  // monitor thread only
  mutable std::mutex mutex_;
  HealthReport report_;                                // under mutex_
  bool ready_reached_ = false;                         // under mutex_
  std::string last_status_;                            // under mutex_: the last STATUS= sent
  std::chrono::steady_clock::time_point status_at_{};  // under mutex_
  std::condition_variable_any wake_;
  std::jthread thread_;  // last
};

}  // namespace vw::controller::service
