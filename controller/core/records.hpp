// What the controller records of each change, and the two small interfaces it records through.
// Core declares them; controller/persist implements them (AuditTrail, StateStore), so core never
// depends on how or where anything is stored.
//
// Threads: the controller calls both from its own thread only, once per batch of commands:
// first the state save, then the audit batch, both before anyone hears back; the API also
// appends refusals to the audit sink from its own thread (the sink has its own lock).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "controller/core/commands.hpp"

namespace vw::controller {

struct WallState;

// One line of the audit trail (MLPS 2.0 level 3: who changed what).
struct AuditEntry {
  Origin origin;
  std::string command;  // "layout.set", "auth.refused", "request.invalid", ...
  nlohmann::json args = nlohmann::json::object();  // credentials already redacted by the caller
  bool ok = false;
  bool changed = false;
  std::string code;                 // error code when !ok
  std::string message;              // error message when !ok
  std::uint64_t state_version = 0;  // 0: not applicable (refused before reaching the wall)
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Appends the entries in order, durably (one write and one sync for the batch). Returns false
  // when they could not all be recorded (the controller then undoes and refuses the batch's
  // changes: fail closed). Never throws.
  virtual bool append_batch(std::span<const AuditEntry> entries) = 0;
  // Why the last append failed; "" when it succeeded.
  virtual std::string last_error() const = 0;
};

// Whether the audit trail and the state file take writes. While either fails the controller
// refuses commands (fail closed); status, the PUB stream and the panel (审计异常) show it.
struct RecordsHealth {
  bool audit_ok = true;
  std::string audit_error;  // why, while !audit_ok
  bool state_ok = true;
  std::string state_error;  // why, while !state_ok
  bool ok() const { return audit_ok && state_ok; }
};

class StateSink {
 public:
  virtual ~StateSink() = default;
  // Replaces the saved wall atomically. Throws std::runtime_error naming what failed; the
  // previous save is then intact.
  virtual void save(const WallState& state) = 0;
};

}  // namespace vw::controller
