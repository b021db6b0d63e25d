#include "controller/quality/quality_history.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace vw::controller::quality {
namespace {

using nlohmann::json;

long long to_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

SystemTime from_ms(long long ms) {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

double seconds_between(SystemTime a, SystemTime b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

QualityReport summarize(const std::vector<QualityEvent>& events, SystemTime since,
                        SystemTime until) {
  std::map<std::string, std::map<std::string, FaultSummary>> by_stream;
  struct Begun {
    SystemTime time;
    std::string snapshot;
  };
  std::map<std::pair<std::string, std::string>, Begun> open;  // (stream, check) -> begun
  auto close = [&](const std::string& stream, const std::string& check, const Begun& begun,
                   SystemTime to, bool ongoing) {
    const SystemTime from = begun.time;
    const SystemTime a = std::max(from, since), b = std::min(to, until);
    if (b < a || (b == a && !ongoing)) return;  // outside the period
    FaultSummary& f = by_stream[stream][check];
    f.check = check;
    const double s = seconds_between(a, b);
    f.seconds += s;
    ++f.periods;
    if (s >= f.longest_s) {
      f.longest_s = s;
      f.longest_from = a;
      f.longest_snapshot = begun.snapshot;
    }
    f.ongoing = f.ongoing || ongoing;
  };
  for (const auto& e : events) {
    if (e.time > until) break;
    if (e.stream.empty()) {  // a start marker: what was open was not closed by a clean stop
      for (const auto& [key, from] : open) close(key.first, key.second, from, e.time, false);
      open.clear();
      continue;
    }
    const auto key = std::make_pair(e.stream, e.check);
    const auto it = open.find(key);
    if (e.entered) {
      if (it == open.end()) open.emplace(key, Begun{e.time, e.snapshot});
    } else if (it != open.end()) {
      close(e.stream, e.check, it->second, e.time, false);
      open.erase(it);
    }
  }
  for (const auto& [key, from] : open) close(key.first, key.second, from, until, true);
  QualityReport report{since, until, {}};
  for (auto& [stream, faults] : by_stream) {
    StreamSummary s{stream, {}};
    for (auto& [check, f] : faults) s.faults.push_back(f);
    report.streams.push_back(std::move(s));
  }
  return report;
}

QualityHistory::QualityHistory(std::filesystem::path file, std::size_t max_events,
                               std::uintmax_t rotate_bytes)
    : file_(std::move(file)),
      max_events_(std::max<std::size_t>(max_events, 1)),
      rotate_bytes_(rotate_bytes) {
  std::lock_guard lock(mutex_);
  if (file_.empty()) return;
  load(file_.string() + ".1");
  load(file_);
  if (skipped_ > 0)
    spdlog::warn("quality history: {} unreadable lines of {} skipped", skipped_, file_.string());
  QualityEvent start;
  start.time = std::chrono::system_clock::now();
  events_.push_back(start);
  append(start);
}

void QualityHistory::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("t") || !j["t"].is_number_integer()) {
      ++skipped_;
      continue;
    }
    QualityEvent e;
    e.time = from_ms(j["t"].get<long long>());
    if (!j.value("start", false)) {
      e.stream = j.value("stream", "");
      e.check = j.value("check", "");
      e.entered = j.value("on", false);
      e.snapshot = j.value("snap", "");
      if (e.stream.empty() || e.check.empty()) {
        ++skipped_;
        continue;
      }
    }
    events_.push_back(std::move(e));
    if (events_.size() > max_events_) events_.pop_front();
  }
}

void QualityHistory::append(const QualityEvent& e) {
  if (file_.empty()) return;
  std::error_code ec;
  if (std::filesystem::file_size(file_, ec) >= rotate_bytes_ && !ec)
    std::filesystem::rename(file_, file_.string() + ".1", ec);
  json j =
      e.stream.empty()
          ? json{{"t", to_ms(e.time)}, {"start", true}}
          : json{{"t", to_ms(e.time)}, {"stream", e.stream}, {"check", e.check}, {"on", e.entered}};
  if (!e.snapshot.empty()) j["snap"] = e.snapshot;
  std::ofstream out(file_, std::ios::app);
  out << j.dump() << '\n';
  if (!out) spdlog::warn("quality history: cannot append to {}", file_.string());
}

void QualityHistory::record(const std::string& stream, const std::vector<std::string>& before,
                            const std::vector<std::string>& after, SystemTime time,
                            const std::string& snapshot) {
  auto has = [](const std::vector<std::string>& v, const std::string& c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  std::lock_guard lock(mutex_);
  auto add = [&](const std::string& check, bool entered) {
    QualityEvent e{time, stream, check, entered, entered ? snapshot : std::string()};
    append(e);
    events_.push_back(std::move(e));
    if (events_.size() > max_events_) events_.pop_front();
  };
  for (const auto& c : before)
    if (!has(after, c)) add(c, false);
  for (const auto& c : after)
    if (!has(before, c)) add(c, true);
}

std::vector<QualityEvent> QualityHistory::events() const {
  std::lock_guard lock(mutex_);
  return {events_.begin(), events_.end()};
}

QualityReport QualityHistory::report(SystemTime since, SystemTime until) const {
  return summarize(events(), since, until);
}

std::size_t QualityHistory::skipped_lines() const {
  std::lock_guard lock(mutex_);
  return skipped_;
}

}  // namespace vw::controller::quality
