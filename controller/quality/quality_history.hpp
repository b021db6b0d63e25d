// The history of the picture-quality verdicts (视频质量诊断) and the report made from it: when
// each stream entered and left each fault, kept in memory (the newest `max_events`) and, with a
// file, appended to it as one JSON line per change so that the daily report spans restarts. The
// file is read back when the history opens; at 4 MB it moves to "<file>.1" (one generation
// kept) and a new one begins. Each open writes a start marker: a fault still open in the file
// when the daemon stopped without closing it (a crash) ends at that marker.
// Threads: every method from any thread (one mutex); record() does blocking file I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace vw::controller::quality {

using SystemTime = std::chrono::system_clock::time_point;

struct QualityEvent {
  SystemTime time;
  std::string stream;  // "minzu-01/main"; empty: the start marker
  std::string check;   // "black", ...
  bool entered = false;
  std::string snapshot{};  // entered: the picture of the moment (quality_snapshots.hpp), or ""
};

// One stream's time in one fault over a report's period.
struct FaultSummary {
  std::string check;
  double seconds = 0;
  int periods = 0;               // entered (or already held) within the period
  double longest_s = 0;          // the longest of them, clipped to the period
  SystemTime longest_from;       // where it began (clipped)
  std::string longest_snapshot;  // the picture of the longest one's beginning, or ""
  bool ongoing = false;          // still held at the period's end
};

struct StreamSummary {
  std::string stream;
  std::vector<FaultSummary> faults;  // by check name
};

struct QualityReport {
  SystemTime since, until;
  std::vector<StreamSummary> streams;  // by stream key; only streams with a fault in the period
};

// The report of `events` (in time order) over [since, until].
QualityReport summarize(const std::vector<QualityEvent>& events, SystemTime since,
                        SystemTime until);

class QualityHistory {
 public:
  // `file` empty: memory only. A file that cannot be read or written is logged, never fatal:
  // the history then lives in memory.
  explicit QualityHistory(std::filesystem::path file = {}, std::size_t max_events = 20000,
                          std::uintmax_t rotate_bytes = 4 * 1024 * 1024);
  QualityHistory(const QualityHistory&) = delete;
  QualityHistory& operator=(const QualityHistory&) = delete;

  // A stream's faults changed from `before` to `after` (check names) at `time`; `snapshot`: the
  // picture of the moment, kept with the faults that began.
  void record(const std::string& stream, const std::vector<std::string>& before,
              const std::vector<std::string>& after, SystemTime time,
              const std::string& snapshot = {});
  std::vector<QualityEvent> events() const;
  QualityReport report(SystemTime since, SystemTime until) const;
  std::size_t skipped_lines() const;  // lines of the file that could not be read back

 private:
  void load(const std::filesystem::path& path);  // under mutex_
  void append(const QualityEvent& event);        // under mutex_

  const std::filesystem::path file_;
  const std::size_t max_events_;
  const std::uintmax_t rotate_bytes_;
  mutable std::mutex mutex_;
  std::deque<QualityEvent> events_;
  std::size_t skipped_ = 0;
};

}  // namespace vw::controller::quality
