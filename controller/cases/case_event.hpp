// One grid-management (网格化) case event as the feed delivers it, after validation. Shared by
// the case feed parser, the CaseBoard aggregate and the alarm rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vw::controller {

enum class CaseStatus { Reported, Dispatched, Closed, Overdue };

struct CaseEvent {
  std::string id;           // the platform's case id; unique per case, events update it
  std::string street;       // 街道, one of the district's 13
  std::string grid;         // grid cell id
  std::string category;     // e.g. 暴露垃圾, 占道经营, 共享单车乱停放
  std::string subcategory;  // may be empty
  CaseStatus status = CaseStatus::Reported;
  bool major = false;  // escalated major incident
  std::chrono::system_clock::time_point reported_at{};
  std::chrono::system_clock::time_point updated_at{};  // orders events of one case
  std::optional<std::pair<double, double>> location;   // (lon, lat) if given
  std::uint64_t sequence = 0;                          // publisher's sequence number of the message
};

}  // namespace vw::controller
