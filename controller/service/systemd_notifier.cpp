#include "controller/service/systemd_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace vw::controller::service {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  if (active_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(std::string_view state) const {
  if (!active_) return;
  const std::string text(state);
  if (const int rc = sd_notify(0, text.c_str()); rc < 0)
    spdlog::debug("sd_notify: {}", std::strerror(-rc));  // systemd gone: nothing to tell
}

void SystemdNotifier::ready(std::string_view status) const {
  send("READY=1\nSTATUS=" + std::string(status));
}

void SystemdNotifier::status(std::string_view status) const {
  send("STATUS=" + std::string(status));
}

void SystemdNotifier::watchdog() const {
  send("WATCHDOG=1");
}

void SystemdNotifier::reloading() const {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::stopping() const {
  send("STOPPING=1");
}

}  // namespace vw::controller::service
