#include "controller/persist/audit_trail.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <vector>

namespace vw::controller {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

AuditOptions log_options(const AuditTrailOptions& options, const char* name) {
  return AuditOptions{(fs::path(options.dir) / name).string(), options.rotate_bytes, options.keep,
                      options.mac_key};
}

}  // namespace

AuditTrail::AuditTrail(const AuditTrailOptions& options)
    : options_(options),
      commands_(log_options(options, "audit.log")),
      refusals_(log_options(options, "audit-refusals.log")) {}

AuditTrail::~AuditTrail() {
  std::lock_guard lock(mutex_);
  for (const auto& [key, window] : windows_)
    if (window.suppressed > 0) write_summary(window);
}

bool AuditTrail::append_batch(std::span<const AuditEntry> entries) {
  std::vector<AuditEntry> applied;
  bool ok = true;
  const auto now = Clock::now();
  for (const auto& entry : entries) {
    if (entry.ok) {
      applied.push_back(entry);
    } else if (!record_refusal(entry, now)) {
      ok = false;
    }
  }
  if (!applied.empty() && !commands_.append_batch(applied)) ok = false;
  std::lock_guard lock(mutex_);
  if (ok) {
    failure_.clear();
  } else {
    failure_ = !commands_.last_error().empty() ? commands_.last_error() : refusals_.last_error();
  }
  return ok;
}

bool AuditTrail::record_refusal(const AuditEntry& entry, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::string key = entry.origin.identity + '\x1f' + entry.code;
  if (!windows_.count(key) && windows_.size() >= options_.max_refusal_keys) {
    // A scan over many identities shares one window per code: still counted, never unbounded.
    key = std::string("*") + '\x1f' + entry.code;
  }
  auto it = windows_.find(key);
  if (it != windows_.end() && now - it->second.started < options_.refusal_window) {
    ++it->second.suppressed;
    it->second.last_command = entry.command;
    return true;
  }
  if (it != windows_.end()) {
    if (it->second.suppressed > 0 && !write_summary(it->second)) return false;
    windows_.erase(it);
  }
  if (!refusals_.append(entry)) return false;
  Window window;
  window.started = now;
  window.origin = key[0] == '*' ? Origin{"*", "(many identities)", "none"} : entry.origin;
  window.code = entry.code;
  windows_.emplace(std::move(key), std::move(window));
  return true;
}

bool AuditTrail::write_summary(const Window& window) {
  AuditEntry summary;
  summary.origin = window.origin;
  summary.command = "refusals.summary";
  summary.args = {{"suppressed", window.suppressed},
                  {"window_s", options_.refusal_window.count()},
                  {"last_command", window.last_command}};
  summary.code = window.code;
  summary.message = std::to_string(window.suppressed) + " more refusals (" + window.code +
                    ") from this identity within " +
                    std::to_string(options_.refusal_window.count()) + " s";
  return refusals_.append(summary);
}

void AuditTrail::flush_due() {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now - it->second.started < options_.refusal_window) {
      ++it;
      continue;
    }
    if (it->second.suppressed > 0 && !write_summary(it->second)) {
      failure_ = refusals_.last_error();
      ++it;  // kept: its count is written when the log works again
      continue;
    }
    it = windows_.erase(it);
  }
}

std::string AuditTrail::last_error() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace vw::controller
