// systemd's notify protocol (sd_notify(3)) for a daemon started as Type=notify: READY, STATUS,
// RELOADING, STOPPING and the WATCHDOG keep-alive. Without NOTIFY_SOCKET (not started by
// systemd, or a test that does not listen) every call is a no-op.
// Threads: any; each call is one datagram, never waits on systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace vw::controller::service {

class SystemdNotifier {
 public:
  SystemdNotifier();  // reads NOTIFY_SOCKET and WATCHDOG_USEC once

  bool active() const { return active_; }
  // The interval systemd expects WATCHDOG=1 within (WatchdogSec=), when it set one for us.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  void ready(std::string_view status) const;  // READY=1 with a STATUS= line
  void status(std::string_view status) const;
  void watchdog() const;
  void reloading() const;  // RELOADING=1 with MONOTONIC_USEC (systemd 253+ wants it; 252 ignores)
  void stopping() const;

 private:
  void send(std::string_view state) const;
  bool active_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace vw::controller::service
