// CaseBoard: totals, per street and category, latest, hourly, duplicates and out-of-order events,
// counts snapshots, midnight rollover and staleness, all with injected clocks.
#include <gtest/gtest.h>

#include <algorithm>

#include "controller/cases/case_board.hpp"
#include "controller/cases/case_feed_parser.hpp"

namespace vw::controller {
namespace {

using std::chrono::steady_clock;
using std::chrono::system_clock;
using namespace std::chrono_literals;

system_clock::time_point at(const std::string& local_time) {  // "09:30" on 2024-05-01, +08:00
  return *parse_iso8601("2024-05-01T" + local_time + ":00+08:00");
}

CaseEvent make_case(const std::string& id, const std::string& street, const std::string& category,
                    CaseStatus status, const std::string& reported, const std::string& updated) {
  CaseEvent e;
  e.id = id;
  e.street = street;
  e.grid = "JH101-1";
  e.category = category;
  e.status = status;
  e.reported_at = at(reported);
  e.updated_at = at(updated);
  return e;
}

CountsMessage make_counts(std::vector<renderer::CaseCount> streets,
                          std::vector<renderer::CaseCount> categories) {
  CountsMessage counts;
  counts.date =
      std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::May, std::chrono::day{1}};
  counts.streets = std::move(streets);
  counts.categories = std::move(categories);
  return counts;
}

FeedMessage message(std::uint64_t seq, decltype(FeedMessage::body) body,
                    const std::string& publisher = "platform") {
  FeedMessage m;
  m.header.seq = seq;
  m.header.publisher = publisher;
  m.header.sent_at = at("10:00");
  m.body = std::move(body);
  return m;
}

struct Fixture : ::testing::Test {
  system_clock::time_point wall = at("10:00");
  steady_clock::time_point steady{};
  CaseBoardOptions options;

  CaseBoard make_board() {
    return CaseBoard(
        options, [this] { return wall; }, [this] { return steady; });
  }
};

const renderer::CaseCount& street(const renderer::CaseView& view, const std::string& name) {
  const auto it = std::find_if(view.streets.begin(), view.streets.end(),
                               [&](const auto& c) { return c.name == name; });
  EXPECT_NE(it, view.streets.end()) << name;
  return *it;
}

TEST_F(Fixture, TotalsPerStreetPerCategoryLatestAndHourly) {
  options.require_counts_at_start = false;
  CaseBoard board = make_board();
  board.apply_event(make_case("a", "花楼街", "占道经营", CaseStatus::Reported, "08:10", "08:10"));
  board.apply_event(make_case("b", "花楼街", "暴露垃圾", CaseStatus::Dispatched, "08:20", "08:40"));
  board.apply_event(make_case("c", "民族街", "暴露垃圾", CaseStatus::Closed, "09:05", "09:50"));
  board.apply_event(make_case("d", "汉兴街", "暴露垃圾", CaseStatus::Overdue, "09:30", "09:55"));
  ASSERT_TRUE(board.changed());
  const auto view = board.view();
  EXPECT_FALSE(board.changed());
  EXPECT_FALSE(view->stale) << view->stale_reason;
  EXPECT_EQ(view->reported_today, 4);
  EXPECT_EQ(view->open, 3);
  EXPECT_EQ(view->overdue, 1);
  EXPECT_EQ(view->closed_today, 1);
  EXPECT_DOUBLE_EQ(view->closure_rate, 0.25);

  // The district's 13 streets in order, written out rather than read from district.hpp.
  const std::vector<std::string> streets = {"民族街", "花楼街", "水塔街", "民权街",   "满春街",
                                            "民意街", "新华街", "万松街", "唐家墩街", "北湖街",
                                            "前进街", "常青街", "汉兴街"};
  std::vector<std::string> shown;
  for (const auto& s : view->streets) shown.push_back(s.name);
  EXPECT_EQ(shown, streets);
  EXPECT_EQ(street(*view, "花楼街").reported, 2);
  EXPECT_EQ(street(*view, "花楼街").open, 2);
  EXPECT_EQ(street(*view, "民族街").closed, 1);
  EXPECT_EQ(street(*view, "民族街").open, 0);
  EXPECT_EQ(street(*view, "汉兴街").overdue, 1);
  EXPECT_EQ(view->streets_with_open_cases, (std::vector<std::string>{"花楼街", "汉兴街"}));

  ASSERT_EQ(view->categories.size(), 2u);
  EXPECT_EQ(view->categories[0].name, "暴露垃圾");
  EXPECT_EQ(view->categories[0].reported, 3);
  EXPECT_EQ(view->categories[1].name, "占道经营");

  ASSERT_EQ(view->latest.size(), 4u);
  EXPECT_EQ(view->latest[0].id, "d");
  EXPECT_EQ(view->latest[0].status, "overdue");
  EXPECT_EQ(view->latest[3].id, "a");

  ASSERT_EQ(view->hourly_reported.size(), 24u);
  EXPECT_EQ(view->hourly_reported[8], 2);
  EXPECT_EQ(view->hourly_reported[9], 2);
  EXPECT_EQ(view->hourly_reported[10], 0);
  EXPECT_EQ(view->version, 1u);
}

TEST_F(Fixture, LatestKeepsTwentyNewestFirst) {
  options.require_counts_at_start = false;
  CaseBoard board = make_board();
  for (int i = 0; i < 30; ++i) {
    const std::string time = "09:" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    board.apply_event(
        make_case("c" + std::to_string(i), "水塔街", "道路破损", CaseStatus::Reported, time, time));
  }
  const auto view = board.view();
  ASSERT_EQ(view->latest.size(), 20u);
  EXPECT_EQ(view->latest.front().id, "c29");
  EXPECT_EQ(view->latest.back().id, "c10");
}

TEST_F(Fixture, DuplicatesAndOutOfOrderEventsDoNotDoubleCount) {
  options.require_counts_at_start = false;
  CaseBoard board = make_board();
  const auto reported =
      make_case("a", "花楼街", "占道经营", CaseStatus::Reported, "08:00", "08:00");
  const auto dispatched =
      make_case("a", "花楼街", "占道经营", CaseStatus::Dispatched, "08:00", "08:30");
  const auto closed = make_case("a", "花楼街", "占道经营", CaseStatus::Closed, "08:00", "09:00");
  EXPECT_EQ(board.apply_event(reported), CaseBoard::Outcome::Applied);
  EXPECT_EQ(board.apply_event(reported), CaseBoard::Outcome::Duplicate);
  EXPECT_EQ(board.apply_event(closed), CaseBoard::Outcome::Applied);
  EXPECT_EQ(board.apply_event(dispatched), CaseBoard::Outcome::OutOfOrder);  // arrives late
  EXPECT_EQ(board.apply_event(closed), CaseBoard::Outcome::Duplicate);
  const auto view = board.view();
  EXPECT_EQ(view->reported_today, 1);
  EXPECT_EQ(view->open, 0);
  EXPECT_EQ(view->closed_today, 1);
  EXPECT_DOUBLE_EQ(view->closure_rate, 1.0);
  EXPECT_EQ(view->hourly_reported[8], 1);
  EXPECT_EQ(view->latest.size(), 1u);
  const auto stats = board.stats();
  EXPECT_EQ(stats.duplicates, 2u);
  EXPECT_EQ(stats.out_of_order, 1u);
}

TEST_F(Fixture, CountsSnapshotSetsTotalsAndEventsAdjustFromThere) {
  CaseBoard board = make_board();
  EXPECT_TRUE(board.stale());
  EXPECT_NE(board.stale_reason().find("first counts snapshot"), std::string::npos);
  // A case seen before the snapshot: the snapshot includes it.
  board.apply(message(1, CaseMessage{make_case("old", "民权街", "暴露垃圾", CaseStatus::Reported,
                                               "07:00", "07:00")}));
  board.apply(message(2, make_counts({{"民权街", 10, 4, 1, 6}, {"花楼街", 5, 5, 0, 0}},
                                     {{"暴露垃圾", 9, 5, 1, 4}, {"占道经营", 6, 4, 0, 2}})));
  EXPECT_FALSE(board.stale()) << board.stale_reason();
  auto view = board.view();
  EXPECT_EQ(view->reported_today, 15);
  EXPECT_EQ(view->open, 9);
  EXPECT_EQ(view->overdue, 1);
  EXPECT_EQ(view->closed_today, 6);
  EXPECT_DOUBLE_EQ(view->closure_rate, 6.0 / 15.0);
  EXPECT_EQ(street(*view, "民族街").reported, 0);  // not in the snapshot: zero, still listed
  EXPECT_EQ(view->categories[0].name, "暴露垃圾");

  board.apply(message(3, CaseMessage{make_case("old", "民权街", "暴露垃圾", CaseStatus::Closed,
                                               "07:00", "10:00")}));
  board.apply(message(4, CaseMessage{make_case("new", "花楼街", "占道经营", CaseStatus::Reported,
                                               "10:01", "10:01")}));
  // Never seen, reported before the snapshot: assumed open in it, so closing moves open->closed.
  board.apply(message(5, CaseMessage{make_case("unseen", "花楼街", "占道经营", CaseStatus::Closed,
                                               "06:00", "10:00")}));
  view = board.view();
  EXPECT_EQ(view->reported_today, 16);
  EXPECT_EQ(view->open, 8);  // 9 - old - unseen + new
  EXPECT_EQ(view->closed_today, 8);
  EXPECT_EQ(street(*view, "民权街").open, 3);
  EXPECT_EQ(street(*view, "民权街").closed, 7);
  EXPECT_EQ(street(*view, "花楼街").reported, 6);
  EXPECT_EQ(view->categories[0].name, "暴露垃圾");
  EXPECT_EQ(view->categories[1].reported, 7);
  EXPECT_EQ(board.stats().counts_applied, 1u);
}

// The largest counts a feed may send (512 rows of 10^7 each, the parser's bounds) sum past
// 2^31: the totals are 64-bit (this was signed overflow, undefined behaviour, under UBSan).
TEST_F(Fixture, LargestCountsDoNotOverflow) {
  CaseBoard board = make_board();
  std::vector<renderer::CaseCount> streets, categories;
  for (std::size_t i = 0; i < kMaxCountRows; ++i) {
    const std::int64_t v = kMaxCountValue;
    streets.push_back({"街道" + std::to_string(i), v, v, v, v});
    categories.push_back({"占道经营", v, v, v, v});  // one category, merged over every row
  }
  board.apply(message(1, make_counts(streets, categories)));
  const auto view = board.view();
  const std::int64_t total = std::int64_t(kMaxCountRows) * kMaxCountValue;
  EXPECT_EQ(view->reported_today, total);
  EXPECT_EQ(view->open, total);
  ASSERT_EQ(view->categories.size(), 1u);
  EXPECT_EQ(view->categories[0].reported, total);
  EXPECT_DOUBLE_EQ(view->closure_rate, 1.0);
}

TEST_F(Fixture, CountsForAnotherDayAreIgnored) {
  CaseBoard board = make_board();
  auto counts = make_counts({{"民权街", 10, 4, 1, 6}}, {});
  counts.date = std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::April,
                                            std::chrono::day{30}};
  EXPECT_EQ(board.apply(message(1, counts)), CaseBoard::Outcome::OtherDay);
  EXPECT_TRUE(board.stale());
  EXPECT_EQ(board.view()->reported_today, 0);
  EXPECT_EQ(board.stats().counts_other_day, 1u);
}

TEST_F(Fixture, MidnightRolloverClearsTodayAndKeepsOpenCases) {
  options.require_counts_at_start = false;
  wall = at("23:50");
  CaseBoard board = make_board();
  board.apply_event(make_case("a", "北湖街", "暴露垃圾", CaseStatus::Reported, "23:10", "23:10"));
  board.apply_event(make_case("b", "北湖街", "暴露垃圾", CaseStatus::Closed, "22:00", "23:30"));
  board.apply_event(make_case("c", "前进街", "井盖破损", CaseStatus::Overdue, "21:00", "23:40"));
  auto view = board.view();
  EXPECT_EQ(view->reported_today, 3);
  EXPECT_EQ(view->hourly_reported[23], 1);

  wall = at("23:50") + 15min;  // 00:05 on 2024-05-02
  board.tick();
  EXPECT_TRUE(board.changed());
  view = board.view();
  EXPECT_EQ(board.today(), std::chrono::year_month_day(std::chrono::year{2024}, std::chrono::May,
                                                       std::chrono::day{2}));
  EXPECT_EQ(view->reported_today, 0);
  EXPECT_EQ(view->closed_today, 0);
  EXPECT_EQ(view->open, 2);
  EXPECT_EQ(view->overdue, 1);
  EXPECT_EQ(std::count(view->hourly_reported.begin(), view->hourly_reported.end(), 0), 24);

  // Yesterday's case closed today counts as closed today, not as reported today.
  auto closed = make_case("a", "北湖街", "暴露垃圾", CaseStatus::Closed, "23:10", "23:10");
  closed.updated_at = wall;
  board.apply_event(closed);
  auto fresh = make_case("d", "北湖街", "暴露垃圾", CaseStatus::Reported, "23:10", "23:10");
  fresh.reported_at = fresh.updated_at = wall;
  board.apply_event(fresh);
  view = board.view();
  EXPECT_EQ(view->reported_today, 1);
  EXPECT_EQ(view->closed_today, 1);
  EXPECT_EQ(view->open, 2);
  EXPECT_EQ(view->hourly_reported[0], 1);
  EXPECT_EQ(board.stats().rollovers, 1u);
}

TEST_F(Fixture, SequenceGapIsStaleUntilCountsSnapshot) {
  CaseBoard board = make_board();
  board.apply(message(10, make_counts({}, {})));
  EXPECT_FALSE(board.stale());
  board.apply(message(11, Heartbeat{}));
  board.apply(message(15, Heartbeat{}));
  EXPECT_TRUE(board.stale());
  EXPECT_NE(board.stale_reason().find("gap"), std::string::npos) << board.stale_reason();
  EXPECT_NE(board.stale_reason().find("3 messages lost"), std::string::npos);
  board.apply(message(16, Heartbeat{}));
  board.apply(message(17, CaseMessage{make_case("a", "花楼街", "占道经营", CaseStatus::Reported,
                                                "09:00", "09:00")}));
  EXPECT_TRUE(board.stale()) << "events alone cannot say what the gap lost";
  const auto view = board.view();
  EXPECT_TRUE(view->stale);
  EXPECT_FALSE(view->stale_reason.empty());
  board.apply(message(18, make_counts({}, {})));
  EXPECT_FALSE(board.stale());
  EXPECT_EQ(board.stats().gaps, 1u);
  EXPECT_EQ(board.stats().lost, 3u);
  EXPECT_EQ(board.stats().last_seq.at("platform"), 18u);
}

TEST_F(Fixture, SilenceIsStaleAndTheNextMessageClearsIt) {
  CaseBoard board = make_board();
  board.apply(message(1, make_counts({}, {})));
  board.view();
  steady += 4s;
  board.tick();
  EXPECT_FALSE(board.changed());
  steady += 2s;
  board.tick();
  EXPECT_TRUE(board.stale());
  EXPECT_NE(board.stale_reason().find("no message for 6.0 s"), std::string::npos)
      << board.stale_reason();
  EXPECT_TRUE(board.changed());
  EXPECT_TRUE(board.view()->stale);
  board.apply(message(2, Heartbeat{}));  // in sequence: nothing was lost
  EXPECT_FALSE(board.stale());
  EXPECT_TRUE(board.changed());
}

TEST_F(Fixture, PublisherRestartIsNotAGap) {
  options.restart_quiet = 2s;
  CaseBoard board = make_board();
  board.apply(message(500, make_counts({}, {})));
  board.apply(message(501, Heartbeat{}));
  steady += 3s;
  board.apply(message(0, Heartbeat{}));  // back to a low number after 3 s of quiet: restarted
  EXPECT_EQ(board.stats().restarts, 1u);
  EXPECT_EQ(board.stats().gaps, 0u);
  EXPECT_TRUE(board.stale());
  EXPECT_NE(board.stale_reason().find("restarted"), std::string::npos);
  board.apply(message(1, make_counts({}, {})));
  EXPECT_FALSE(board.stale());

  board.apply(message(0, Heartbeat{}));  // back again at once: not a restart
  EXPECT_EQ(board.stats().gaps, 1u);
  EXPECT_TRUE(board.stale());
  EXPECT_NE(board.stale_reason().find("went back"), std::string::npos);
}

TEST_F(Fixture, EvictsClosedCasesFirstAndKeepsTheirCounts) {
  options.require_counts_at_start = false;
  options.max_cases = 10;
  CaseBoard board = make_board();
  board.apply_event(
      make_case("open", "常青街", "暴露垃圾", CaseStatus::Reported, "01:00", "01:00"));
  for (int i = 0; i < 20; ++i) {
    board.apply_event(make_case("c" + std::to_string(i), "常青街", "暴露垃圾", CaseStatus::Closed,
                                "02:00", "03:00"));
  }
  const auto stats = board.stats();
  EXPECT_EQ(stats.cases_held, 10u);
  EXPECT_EQ(stats.evicted, 11u);
  const auto view = board.view();
  EXPECT_EQ(view->reported_today, 21);
  EXPECT_EQ(view->closed_today, 20);
  EXPECT_EQ(view->open, 1);
  // The open case survived eviction: its update is still a change, not a new case.
  board.apply_event(make_case("open", "常青街", "暴露垃圾", CaseStatus::Closed, "01:00", "04:00"));
  EXPECT_EQ(board.view()->reported_today, 21);
}

TEST_F(Fixture, UnknownStreetsAreListedAfterTheDistrict) {
  options.require_counts_at_start = false;
  CaseBoard board = make_board();
  board.apply_event(make_case("x", "汉口北", "暴露垃圾", CaseStatus::Reported, "09:00", "09:00"));
  const auto view = board.view();
  ASSERT_EQ(view->streets.size(), 14u);
  EXPECT_EQ(view->streets.back().name, "汉口北");
  EXPECT_EQ(view->reported_today, 1);
}

}  // namespace
}  // namespace vw::controller
