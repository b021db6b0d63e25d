#include "controller/cases/case_board.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

namespace vw::controller {
namespace {

using std::chrono::steady_clock;
using std::chrono::system_clock;

constexpr std::size_t kMaxExtraStreets = 32;
constexpr std::size_t kMaxCategories = 256;
constexpr std::size_t kMaxPublishers = 64;
const std::string kOther = "其他";

int status_rank(CaseStatus status) {
  switch (status) {
    case CaseStatus::Reported:
      return 0;
    case CaseStatus::Dispatched:
      return 1;
    case CaseStatus::Overdue:
      return 2;
    case CaseStatus::Closed:
      return 3;
  }
  return 0;
}

bool same_content(const CaseEvent& a, const CaseEvent& b) {
  return a.status == b.status && a.street == b.street && a.category == b.category &&
         a.subcategory == b.subcategory && a.grid == b.grid && a.major == b.major &&
         a.reported_at == b.reported_at && a.location == b.location;
}

template <typename Count>
void add_clamped(Count& value, int delta) {
  value = std::max<Count>(0, value + delta);
}

std::string seconds_text(steady_clock::duration duration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", std::chrono::duration<double>(duration).count());
  return buffer;
}

}  // namespace

CaseBoard::CaseBoard(CaseBoardOptions options, WallClock wall_clock, SteadyClock steady_clock)
    : options_(std::move(options)),
      wall_clock_(wall_clock ? std::move(wall_clock)
                             : WallClock{[] { return system_clock::now(); }}),
      steady_clock_(steady_clock ? std::move(steady_clock)
                                 : SteadyClock{[] { return steady_clock::now(); }}) {
  today_ = local_day(wall_clock_());
  last_message_ = steady_clock_();
  reset_streets({});
  if (options_.require_counts_at_start) {
    need_counts_ = true;
    need_counts_reason_ = "waiting for the first counts snapshot";
  }
}

std::chrono::year_month_day CaseBoard::local_day(system_clock::time_point time) const {
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(time + options_.utc_offset)};
}

int CaseBoard::local_hour(system_clock::time_point time) const {
  const auto local = time + options_.utc_offset;
  const auto since_midnight = local - std::chrono::floor<std::chrono::days>(local);
  return static_cast<int>(std::chrono::floor<std::chrono::hours>(since_midnight).count());
}

CaseBoard::Contribution CaseBoard::contribution(const CaseEvent& event) const {
  Contribution c;
  c.reported = local_day(event.reported_at) == today_;
  if (c.reported) c.hour = local_hour(event.reported_at);
  c.open = event.status != CaseStatus::Closed;
  c.overdue = event.status == CaseStatus::Overdue;
  c.closed = event.status == CaseStatus::Closed && local_day(event.updated_at) == today_;
  return c;
}

void CaseBoard::add(const CaseEvent& event, const Contribution& c, int sign) {
  for (Counts* counts : {&street_counts(event.street), &category_counts(event.category)}) {
    if (c.reported) add_clamped(counts->reported, sign);
    if (c.open) add_clamped(counts->open, sign);
    if (c.overdue) add_clamped(counts->overdue, sign);
    if (c.closed) add_clamped(counts->closed, sign);
  }
  if (c.reported && c.hour >= 0 && c.hour < 24) add_clamped(hourly_[c.hour], sign);
}

CaseBoard::Counts& CaseBoard::street_counts(const std::string& name) {
  if (auto it = streets_.find(name); it != streets_.end()) return it->second;
  const std::size_t extras = street_order_.size() - options_.streets.size();
  const std::string& key = extras < kMaxExtraStreets ? name : kOther;
  auto [it, inserted] = streets_.try_emplace(key);
  if (inserted) street_order_.push_back(key);
  return it->second;
}

CaseBoard::Counts& CaseBoard::category_counts(const std::string& name) {
  if (auto it = categories_.find(name); it != categories_.end()) return it->second;
  return categories_[categories_.size() < kMaxCategories ? name : kOther];
}

void CaseBoard::reset_streets(const std::vector<renderer::CaseCount>& rows) {
  street_order_ = options_.streets;
  streets_.clear();
  for (const auto& name : street_order_) streets_[name];
  for (const auto& row : rows) {
    Counts& counts = street_counts(row.name);
    counts.reported += row.reported;
    counts.open += row.open;
    counts.overdue += row.overdue;
    counts.closed += row.closed;
  }
}

void CaseBoard::set_need_counts(std::string reason) {
  if (!need_counts_) mark_changed();
  need_counts_ = true;
  need_counts_reason_ = std::move(reason);
}

void CaseBoard::rollover_if_needed() {
  const auto day = local_day(wall_clock_());
  if (day == today_) return;
  today_ = day;
  for (auto& [name, counts] : streets_) counts.reported = counts.closed = 0;
  for (auto& [name, counts] : categories_) counts.reported = counts.closed = 0;
  std::fill(hourly_.begin(), hourly_.end(), 0);
  ++stats_.rollovers;
  mark_changed();
}

void CaseBoard::tick() {
  rollover_if_needed();
  const auto quiet = steady_clock_() - last_message_;
  if (!silent_ && quiet >= options_.silence_timeout) {
    silent_ = true;
    silent_reason_ = "no message for " + seconds_text(quiet) + " s";
    mark_changed();
  }
}

void CaseBoard::track_sequence(const MessageHeader& header) {
  const auto now = steady_clock_();
  last_message_ = now;
  if (silent_) {
    silent_ = false;  // if messages were lost meanwhile, the sequence check below says so
    mark_changed();
  }
  auto it = publishers_.find(header.publisher);
  if (it == publishers_.end()) {
    if (publishers_.size() >= kMaxPublishers) {
      publishers_.erase(std::min_element(
          publishers_.begin(), publishers_.end(),
          [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; }));
    }
    publishers_.emplace(header.publisher, Publisher{header.seq, now});
    return;
  }
  Publisher& publisher = it->second;
  const std::string name = "'" + header.publisher + "'";
  if (header.seq > publisher.last_seq && header.seq - publisher.last_seq > 1) {
    const std::uint64_t lost = header.seq - publisher.last_seq - 1;
    ++stats_.gaps;
    stats_.lost += lost;
    set_need_counts("sequence gap from " + name + ": expected " +
                    std::to_string(publisher.last_seq + 1) + ", got " + std::to_string(header.seq) +
                    " (" + std::to_string(lost) + " messages lost); waiting for a counts snapshot");
  } else if (header.seq <= publisher.last_seq) {
    const auto quiet = now - publisher.last_seen;
    if (header.seq < options_.restart_max_seq && quiet >= options_.restart_quiet) {
      ++stats_.restarts;
      set_need_counts("publisher " + name + " restarted (seq " + std::to_string(header.seq) +
                      " after " + std::to_string(publisher.last_seq) + ", quiet " +
                      seconds_text(quiet) + " s); waiting for a counts snapshot");
    } else {
      ++stats_.gaps;
      set_need_counts("sequence from " + name + " went back from " +
                      std::to_string(publisher.last_seq) + " to " + std::to_string(header.seq) +
                      " (two publishers with one id?); waiting for a counts snapshot");
    }
  }
  publisher.last_seq = header.seq;
  publisher.last_seen = now;
}

CaseBoard::Outcome CaseBoard::apply(const FeedMessage& message) {
  tick();
  track_sequence(message.header);
  if (const auto* c = std::get_if<CaseMessage>(&message.body)) return apply_event(c->event);
  if (const auto* c = std::get_if<CountsMessage>(&message.body)) {
    return apply_counts(*c, message.header.sent_at);
  }
  ++stats_.heartbeats;
  return Outcome::Applied;
}

CaseBoard::OrderKey CaseBoard::order_key(const CaseEvent& event) {
  return {event.status == CaseStatus::Closed ? 0 : 1, event.updated_at, event.id};
}

CaseBoard::Outcome CaseBoard::apply_event(const CaseEvent& event) {
  rollover_if_needed();
  auto held = cases_.find(event.id);
  Contribution before;
  const CaseEvent* old = nullptr;
  CaseEvent assumed;
  if (held != cases_.end()) {
    const CaseEvent& current = held->second;
    if (event.updated_at < current.updated_at) {
      ++stats_.out_of_order;
      return Outcome::OutOfOrder;
    }
    if (event.updated_at == current.updated_at) {
      if (same_content(event, current)) {
        ++stats_.duplicates;
        return Outcome::Duplicate;
      }
      if (status_rank(event.status) < status_rank(current.status)) {
        ++stats_.out_of_order;
        return Outcome::OutOfOrder;
      }
    }
    old = &current;
  } else if (have_counts_ && event.status != CaseStatus::Reported &&
             event.reported_at <= last_counts_sent_at_) {
    // An update of a case never seen, reported before the snapshot: the snapshot counted it,
    // most likely as open and not overdue. (A `reported` event is a case's first publication.)
    assumed = event;
    assumed.status = CaseStatus::Reported;
    old = &assumed;
  }
  if (old != nullptr) add(*old, contribution(*old), -1);
  add(event, contribution(event), +1);

  if (held != cases_.end()) {
    eviction_order_.erase(order_key(held->second));
    held->second = event;
  } else {
    cases_.emplace(event.id, event);
  }
  eviction_order_.insert(order_key(event));
  remember_latest(event);
  evict_if_needed();
  ++stats_.events_applied;
  mark_changed();
  return Outcome::Applied;
}

void CaseBoard::remember_latest(const CaseEvent& event) {
  std::erase(latest_, event.id);
  auto position = std::find_if(latest_.begin(), latest_.end(), [&](const std::string& id) {
    const auto it = cases_.find(id);
    return it == cases_.end() || it->second.reported_at <= event.reported_at;
  });
  latest_.insert(position, event.id);
  if (latest_.size() > options_.latest_count) latest_.resize(options_.latest_count);
}

void CaseBoard::evict_if_needed() {
  while (cases_.size() > options_.max_cases && !eviction_order_.empty()) {
    const auto first = eviction_order_.begin();
    cases_.erase(std::get<2>(*first));
    eviction_order_.erase(first);
    ++stats_.evicted;
  }
}

CaseBoard::Outcome CaseBoard::apply_counts(const CountsMessage& counts,
                                           system_clock::time_point sent_at) {
  rollover_if_needed();
  if (counts.date != today_) {
    ++stats_.counts_other_day;
    return Outcome::OtherDay;
  }
  reset_streets(counts.streets);
  categories_.clear();
  for (const auto& row : counts.categories) {
    Counts& c = category_counts(row.name);
    c.reported += row.reported;
    c.open += row.open;
    c.overdue += row.overdue;
    c.closed += row.closed;
  }
  have_counts_ = true;
  last_counts_sent_at_ = std::max(last_counts_sent_at_, sent_at);
  if (need_counts_) {
    need_counts_ = false;
    need_counts_reason_.clear();
  }
  ++stats_.counts_applied;
  mark_changed();
  return Outcome::Applied;
}

std::string CaseBoard::stale_reason() const {
  std::string reason;
  if (silent_) reason = silent_reason_;
  if (need_counts_) reason += (reason.empty() ? "" : "; ") + need_counts_reason_;
  return reason;
}

CaseBoardStats CaseBoard::stats() const {
  CaseBoardStats stats = stats_;
  stats.cases_held = cases_.size();
  for (const auto& [name, publisher] : publishers_) stats.last_seq[name] = publisher.last_seq;
  return stats;
}

renderer::CaseViewPtr CaseBoard::view() {
  auto view = std::make_shared<renderer::CaseView>();
  view->stale = stale();
  view->stale_reason = stale_reason();
  auto row = [](const std::string& name, const Counts& c) {
    return renderer::CaseCount{name, c.reported, c.open, c.overdue, c.closed};
  };
  for (const auto& name : street_order_) {
    const Counts& c = streets_.at(name);
    view->streets.push_back(row(name, c));
    view->reported_today += c.reported;
    view->open += c.open;
    view->overdue += c.overdue;
    view->closed_today += c.closed;
    if (c.open > 0) view->streets_with_open_cases.push_back(name);
  }
  if (view->reported_today > 0) {
    view->closure_rate = std::min(
        1.0, static_cast<double>(view->closed_today) / static_cast<double>(view->reported_today));
  }
  for (const auto& [name, c] : categories_) view->categories.push_back(row(name, c));
  std::sort(view->categories.begin(), view->categories.end(), [](const auto& a, const auto& b) {
    return std::tie(b.reported, b.open, a.name) < std::tie(a.reported, a.open, b.name);
  });
  for (const auto& id : latest_) {
    const auto it = cases_.find(id);
    if (it == cases_.end()) continue;
    const CaseEvent& e = it->second;
    view->latest.push_back(renderer::CaseTickerItem{
        e.id, e.street, e.category, std::string(to_string(e.status)), e.major, e.reported_at});
  }
  view->hourly_reported = hourly_;
  view->version = ++version_;
  view->updated = steady_clock_();
  changed_ = false;
  return view;
}

}  // namespace vw::controller
