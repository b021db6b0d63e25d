// The daemon's audit trail: commands and refusals in two hash-chained logs (AuditLog), so that
// refusals, which anyone who can reach a socket can cause, never rotate away the record of what
// was changed (MLPS 2.0 level 3: the audit trail is protected against loss).
//
//   audit.log           every command the controller applied (ok entries), in full;
//   audit-refusals.log  refused requests and commands: the first of each (identity, code) in a
//                       window (60 s) in full, then one "refusals.summary" line per window with
//                       how many more came and the last command tried. Under a flood of one
//                       client that is two lines a minute per kind of refusal, whatever the rate.
//
// Both rotate by the same size and keep the same number of files; each is its own chain
// (`wallctl audit verify audit.log`, `... audit-refusals.log`).
//
// Threads: any thread (one mutex); flush_due() from any thread, e.g. once a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "controller/core/records.hpp"
#include "controller/persist/audit_log.hpp"

namespace vw::controller {

struct AuditTrailOptions {
  std::string dir;  // audit.log and audit-refusals.log go here
  std::uint64_t rotate_bytes = 16ull * 1024 * 1024;
  int keep = 10;
  std::chrono::seconds refusal_window{60};
  std::size_t max_refusal_keys = 1024;  // (identity, code) pairs tracked; more share one key
  std::string mac_key;  // raw bytes (load_audit_key): both logs' lines are HMAC-SM3; empty: SHA-256
};

class AuditTrail final : public AuditSink {
 public:
  // Opens (or continues) both logs; throws std::runtime_error as AuditLog does.
  explicit AuditTrail(const AuditTrailOptions& options);
  ~AuditTrail() override;  // writes the open windows' summaries
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // Applied commands go to the command log in one write and sync; refusals through the windows.
  // False when an entry that had to be written was not (a summarised refusal counts as
  // recorded: its window's summary line will say so).
  bool append_batch(std::span<const AuditEntry> entries) override;
  bool append(const AuditEntry& entry) { return append_batch({&entry, 1}); }
  std::string last_error() const override;

  // Writes the summary of every window that has ended (a flood that stopped still gets its
  // count written within a window).
  void flush_due();

  const AuditLog& commands() const { return commands_; }
  const AuditLog& refusals() const { return refusals_; }

 private:
  struct Window {
    std::chrono::steady_clock::time_point started;
    Origin origin;
    std::string code;
    std::uint64_t suppressed = 0;  // refusals after the first, not written one by one
    std::string last_command;
  };
  bool record_refusal(const AuditEntry& entry, std::chrono::steady_clock::time_point now);
  bool write_summary(const Window& window);  // under mutex_

  AuditTrailOptions options_;
  AuditLog commands_;
  AuditLog refusals_;
  mutable std::mutex mutex_;  // guards windows_ and failure_
  std::map<std::string, Window> windows_;
  std::string failure_;
};

}  // namespace vw::controller
