// Today's grid-management (网格化) case figures as the wall draws them: one immutable value,
// built by the controller's CaseBoard, published to the renderer, read only by the render
// thread. A new value replaces the old one whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vw::renderer {

struct CaseCount {
  std::string name;  // street (街道) or category, Chinese
  // 64-bit: a feed may send 512 rows of up to 10^7 each, and the sums must not overflow.
  std::int64_t reported = 0;  // today
  std::int64_t open = 0;      // reported or dispatched, not closed
  std::int64_t overdue = 0;
  std::int64_t closed = 0;
};

struct CaseTickerItem {
  std::string id;
  std::string street;
  std::string category;
  std::string status;  // "reported", "dispatched", "closed", "overdue"
  bool major = false;
  std::chrono::system_clock::time_point reported_at{};
};

struct CaseAlarm {
  std::string rule;     // the rule's name
  std::string message;  // Chinese, for the banner, e.g. "花楼街 占道经营 1小时内 23 起"
  std::chrono::system_clock::time_point raised_at{};
};

struct CaseView {
  bool stale = false;  // feed gap or silent publisher: draw "数据中断", not numbers as live
  std::string stale_reason;         // English, for logs and status
  std::int64_t reported_today = 0;  // 今日上报
  std::int64_t open = 0;
  std::int64_t overdue = 0;  // 超期
  std::int64_t closed_today = 0;
  double closure_rate = 0;             // 办结率, 0..1
  std::vector<CaseCount> streets;      // every known street, in the district's order
  std::vector<CaseCount> categories;   // sorted by reported, descending
  std::vector<CaseTickerItem> latest;  // newest first, at most 20
  std::vector<int> hourly_reported;    // 24 entries, today's reports per local hour
  // For tile badges: the badge's number is that street's `open` in `streets`.
  std::vector<std::string> streets_with_open_cases;
  std::vector<CaseAlarm> alarms;                    // raised and not yet acknowledged
  std::uint64_t version = 0;                        // increases with each published view
  std::chrono::steady_clock::time_point updated{};  // when the CaseBoard built it
};

using CaseViewPtr = std::shared_ptr<const CaseView>;

}  // namespace vw::renderer
