// CaseBoard: folds the case feed (case events, counts snapshots, heartbeats) into today's
// figures and builds the immutable renderer::CaseView the wall draws.
//
// Rules (docs/case-feed.md says the same for the platform's side):
// - Per case id the latest state wins: an event whose updated_at is older than the one held is
//   out of order and ignored; an identical repeat is a duplicate and ignored. Counters move by the
//   difference between a case's old and new contribution, so nothing is counted twice.
// - A counts snapshot for today replaces every total (the platform is authoritative; a street or
//   category it does not list is zero); later events adjust from there. An update (dispatched,
//   overdue, closed) of a case never seen, reported before the last snapshot, is assumed to be in
//   that snapshot as an open, not overdue case; a `reported` event is always a new case.
// - Today is the local day at `utc_offset` (China Standard Time, +08:00, no daylight saving).
//   At local midnight reported/closed today and the hourly history go to zero; open and overdue
//   carry over. A snapshot dated another day is ignored.
// - Staleness: a sequence gap of a publisher, or no message at all for `silence_timeout`. After
//   silence alone (no messages lost) the next message in sequence clears it. After a gap, a
//   publisher restart or at start-up, numbers may be missing, so only a counts snapshot clears it.
//   A publisher restarted when its seq goes back below `restart_max_seq` after it was quiet for at
//   least `restart_quiet`; any other step back is counted as a gap.
// - Bounded memory: at most `max_cases` cases are held (closed ones evicted first, oldest update
//   first; an evicted case keeps its place in the counters), 32 extra street names and 256
//   categories (the rest under "其他"), 64 publishers.
//
// Threads: not thread-safe. One thread (CaseFeed's) owns a board; the views it builds are
// immutable and may go to any thread. The clocks are called on that thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "controller/cases/case_event.hpp"
#include "controller/cases/case_feed_parser.hpp"
#include "controller/cases/district.hpp"
#include "renderer/case_view.hpp"

namespace vw::controller {

struct CaseBoardOptions {
  std::vector<std::string> streets = jianghan_streets();  // always listed, in this order
  std::chrono::minutes utc_offset{8 * 60};                // local day for "today"
  std::chrono::milliseconds silence_timeout{5000};
  std::chrono::milliseconds restart_quiet{2000};
  std::uint64_t restart_max_seq = 1000;
  bool require_counts_at_start = true;  // stale until the first counts snapshot
  std::size_t max_cases = 100'000;
  std::size_t latest_count = 20;
};

struct CaseBoardStats {
  std::uint64_t events_applied = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t counts_applied = 0;
  std::uint64_t counts_other_day = 0;  // snapshots ignored because dated another day
  std::uint64_t heartbeats = 0;
  std::uint64_t gaps = 0;      // sequence gaps and steps back that are not restarts
  std::uint64_t lost = 0;      // messages missing in forward gaps
  std::uint64_t restarts = 0;  // publisher restarts (seq back to low after a quiet period)
  std::uint64_t evicted = 0;
  std::uint64_t rollovers = 0;
  std::size_t cases_held = 0;
  std::map<std::string, std::uint64_t> last_seq;  // per publisher
};

class CaseBoard {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

  enum class Outcome { Applied, Duplicate, OutOfOrder, OtherDay };

  // Empty clocks mean the real ones.
  explicit CaseBoard(CaseBoardOptions options = {}, WallClock wall_clock = {},
                     SteadyClock steady_clock = {});

  // A whole message: sequence tracking and staleness first, then the body.
  Outcome apply(const FeedMessage& message);
  // The bodies alone (no sequence tracking); apply() calls these.
  Outcome apply_event(const CaseEvent& event);
  Outcome apply_counts(const CountsMessage& counts, std::chrono::system_clock::time_point sent_at);

  // Day rollover and the silence check; call it often (CaseFeed: every poll, <= 100 ms).
  void tick();

  // True when the next view() would differ from the last one built (figures or staleness).
  bool changed() const { return changed_; }
  // Builds a new view (version + 1) and clears changed().
  renderer::CaseViewPtr view();

  bool stale() const { return silent_ || need_counts_; }
  std::string stale_reason() const;
  CaseBoardStats stats() const;
  std::chrono::year_month_day today() const { return today_; }

 private:
  struct Counts {
    std::int64_t reported = 0, open = 0, overdue = 0, closed = 0;  // sums of feed rows
  };
  struct Contribution {  // what one case adds to the counters today
    bool reported = false, open = false, overdue = false, closed = false;
    int hour = -1;  // local hour of reported_at when reported today
  };
  struct Publisher {
    std::uint64_t last_seq = 0;
    std::chrono::steady_clock::time_point last_seen{};
  };
  using OrderKey = std::tuple<int, std::chrono::system_clock::time_point, std::string>;

  std::chrono::year_month_day local_day(std::chrono::system_clock::time_point time) const;
  int local_hour(std::chrono::system_clock::time_point time) const;
  Contribution contribution(const CaseEvent& event) const;
  void add(const CaseEvent& event, const Contribution& c, int sign);
  Counts& street_counts(const std::string& name);
  Counts& category_counts(const std::string& name);
  void track_sequence(const MessageHeader& header);
  void remember_latest(const CaseEvent& event);
  void evict_if_needed();
  static OrderKey order_key(const CaseEvent& event);
  void set_need_counts(std::string reason);
  void rollover_if_needed();
  void reset_streets(const std::vector<renderer::CaseCount>& rows);
  void mark_changed() { changed_ = true; }

  CaseBoardOptions options_;
  WallClock wall_clock_;
  SteadyClock steady_clock_;

  std::chrono::year_month_day today_;
  std::vector<std::string> street_order_;  // the district's, then extras as first seen
  std::unordered_map<std::string, Counts> streets_;
  std::unordered_map<std::string, Counts> categories_;
  std::vector<int> hourly_ = std::vector<int>(24, 0);
  std::unordered_map<std::string, CaseEvent> cases_;  // latest state per case id
  std::set<OrderKey> eviction_order_;  // (open?1:0, updated_at, id): closed oldest first
  std::vector<std::string> latest_;    // ids, newest reported first, <= latest_count
  std::chrono::system_clock::time_point last_counts_sent_at_{};
  bool have_counts_ = false;

  std::map<std::string, Publisher> publishers_;
  std::chrono::steady_clock::time_point last_message_{};
  bool silent_ = false;
  bool need_counts_ = false;
  std::string need_counts_reason_;
  std::string silent_reason_;

  bool changed_ = true;
  std::uint64_t version_ = 0;
  CaseBoardStats stats_;
};

}  // namespace vw::controller
