// The audit trail (MLPS 2.0 level 3: who changed what): one JSON line per state-changing command
// and per refused request, hash-chained so that a removed or edited line is found by
// verify_audit_files (`wallctl audit verify`). Rotated by size without breaking the chain: the
// first line of a new file chains to the last line of the previous one, and `seq` keeps counting.
//
// Line (one JSON object, keys in this order, no newline inside):
//   {"seq":12,"time":"2026-11-30T09:12:33.123+08:00","identity":"curve:1a2b…","name":"应急指挥席",
//    "role":"operator","command":"layout.set","args":{"layout":"2x2"},
//    "result":{"ok":true,"changed":true,"state_version":41},"mac":"hmac-sm3","prev":"<the
//    previous line's hash, 64 zeros for the first line ever>","hash":"<64 hex>"}
// `hash` is over the line's bytes up to (not including) `,"hash":` followed by `}`, i.e. over the
// exact text written, so verification never depends on re-serialising JSON: HMAC-SM3 under the
// audit key when the line has "mac":"hmac-sm3" (audit_mac.hpp), SHA-256 when it has no "mac".
// `result` is {"ok":true,"changed":…} or {"ok":false,"code":…,"message":…}, with
// "state_version" appended when it is not 0. Strings are UTF-8; invalid bytes become U+FFFD.
//
// Threads: append() and append_batch() from any thread (one mutex); a call's lines are written
// with one write() and fdatasync'ed before it returns. The daemon writes through AuditTrail
// (audit_trail.hpp): commands and refusals in two logs of this kind.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "controller/core/records.hpp"
#include "controller/persist/audit_mac.hpp"

namespace vw::controller {

struct AuditOptions {
  std::string path;                                  // e.g. /var/lib/videowall/audit.log
  std::uint64_t rotate_bytes = 16ull * 1024 * 1024;  // rotate when the file would pass this
  int keep = 10;  // rotated files kept: path.1 (newest) .. path.N
  // Raw bytes of the audit key (load_audit_key): new lines carry "mac":"hmac-sm3" and their
  // "hash" is HMAC-SM3 under it. Empty: SHA-256, which anyone can recompute.
  std::string mac_key{};
};

class AuditLog final {
 public:
  // Creates the file (and its folder) or continues the chain of an existing one from its last
  // line. Throws std::runtime_error naming the path when it cannot be opened, when its last
  // line is not a valid audit line, or when the chain went backwards: "<path>.head" (rewritten
  // after every append) names a later line, or another line with the same seq (nothing is
  // overwritten either way).
  explicit AuditLog(AuditOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one line. Never throws: a write error is logged (once per kind) and counted, and the
  // result is false (nothing of the call stays in the file: a torn or unsynced write is cut off).
  bool append(const AuditEntry& entry) { return append_batch({&entry, 1}); }
  // Appends the lines in order with one write() and one fdatasync (the controller's batch of
  // commands). True when all are durably in the file; never throws, as append.
  bool append_batch(std::span<const AuditEntry> entries);

  std::uint64_t last_seq() const;
  std::string last_hash() const;
  std::uint64_t write_errors() const;
  std::string last_error() const;  // what the last failed append failed on; "" once one succeeds
  const std::string& path() const { return options_.path; }

 private:
  void rotate();                               // under mutex_
  bool write_lines(const std::string& lines);  // under mutex_; false when nothing was added
  void report(unsigned kind, const std::string& what);  // under mutex_: count, log once per kind

  AuditOptions options_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t seq_ = 0;
  std::string hash_;  // hex of the last line's hash
  std::uint64_t write_errors_ = 0;
  std::string last_error_;
  unsigned logged_kinds_ = 0;  // bit per error kind already logged
};

struct AuditVerifyResult {
  bool ok = false;
  std::uint64_t lines = 0;        // lines checked
  std::uint64_t keyed_lines = 0;  // of which HMAC-SM3 (checked with the key); the rest SHA-256
  std::uint64_t first_seq = 0;    // seq of the first line checked
  std::uint64_t last_seq = 0;
  std::string last_hash;  // the chain's head: record it elsewhere to check the file later
  std::string problem;    // empty when ok: "file:line: what is wrong"
};

// A head recorded earlier outside the machine (`wallctl audit verify` prints it; the daemon logs
// it at start and stop). A chain alone cannot show that its tail was cut off or that the whole
// file was rewritten with recomputed hashes; an anchor can.
struct AuditAnchor {
  std::uint64_t seq = 0;
  std::string hash;  // 64 hex digits
};

// Verifies files given oldest first (e.g. audit.log.2 audit.log.1 audit.log). The first line of
// the first file may chain to a file not given (a rotated-away one) unless its seq is 1, in
// which case its prev must be 64 zeros. Finds edited lines (hash mismatch), removed lines (seq
// gap or prev mismatch), reordered lines and malformed lines.
// With `anchor`, the line with the anchor's seq must be present and have the anchor's hash.
// Keyed lines ("mac":"hmac-sm3") need `key` (raw bytes, load_audit_key); without it they are
// reported as not checkable.
AuditVerifyResult verify_audit_files(const std::vector<std::string>& files,
                                     const AuditAnchor* anchor = nullptr,
                                     const std::string& key = {});

}  // namespace vw::controller
