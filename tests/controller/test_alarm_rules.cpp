// Alarm rules: the rule file loader (good files, and each bad file naming line and field) and
// the AlarmEngine state machine, with injected time throughout (no sleeps, no threads).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "controller/cases/alarm_rules.hpp"
#include "tests/controller/alarm_rules_support.hpp"

namespace vw::controller {
namespace {

using namespace alarm_test;
using namespace std::chrono_literals;
using Kind = AlarmAction::Kind;

constexpr const char* kGood = R"(# demo
rules:
  - name: 花楼街占道经营激增
    when:
      street: 花楼街
      category: 占道经营
      open_at_least: 21
      within_minutes: 60
    show:
      layout: 1+5
      cameras: [花楼街-01, hualou-02]
    banner: "{street} {category} 1小时内 {count} 起 {{!}}"
    revert_after_minutes: 5
    cooldown_minutes: 0
  - name: 重大事件
    when: {major: true}
    show: {layout: 2x2, cameras: [minzu-01]}
)";

TEST(AlarmRulesFile, GoodFileLoadsEveryField) {
  AlarmRuleSet set = load(kGood);
  EXPECT_EQ(set.path, "rules.yaml");
  ASSERT_EQ(set.rules.size(), 2u);
  const AlarmRule& r = set.rules[0];
  EXPECT_EQ(r.name, "花楼街占道经营激增");
  EXPECT_EQ(r.line, 3);
  EXPECT_EQ(r.street, "花楼街");
  EXPECT_EQ(r.category, "占道经营");
  EXPECT_EQ(r.open_at_least, 21);
  EXPECT_EQ(r.window, 60min);
  EXPECT_FALSE(r.major);
  EXPECT_EQ(r.layout, "1+5");
  EXPECT_EQ(r.cameras, (std::vector<std::string>{"hualou-01", "hualou-02"}));  // name -> id
  EXPECT_EQ(r.banner, "{street} {category} 1小时内 {count} 起 {{!}}");
  EXPECT_EQ(r.revert_after, 5min);
  EXPECT_EQ(r.cooldown, 0min);

  const AlarmRule& m = set.rules[1];
  EXPECT_TRUE(m.major);
  EXPECT_EQ(m.open_at_least, 0);
  EXPECT_TRUE(m.street.empty());
  EXPECT_TRUE(m.category.empty());
  EXPECT_EQ(m.banner, "重大事件");  // default: the rule's name
  EXPECT_EQ(m.revert_after, 10min);
  EXPECT_EQ(m.cooldown, 15min);
  EXPECT_EQ(set.find("重大事件"), &set.rules[1]);
  EXPECT_EQ(set.find("nope"), nullptr);
}

TEST(AlarmRulesFile, EmptyRuleListIsAllowed) {
  EXPECT_TRUE(load("rules: []\n").rules.empty());
}

TEST(AlarmRulesFile, DemoRulesLoadAgainstDemoConfig) {
  const char* env = std::getenv("VIDEOWALL_SOURCE_DIR");
  std::filesystem::path root = env ? std::filesystem::path(env)
                                   : std::filesystem::path(__FILE__).parent_path() / ".." / "..";
  Config config = load_config_file((root / "assets/demo/config.yaml").string());
  layouts::LayoutLibrary library;
  AlarmRuleSet set =
      load_alarm_rules_file((root / "assets/demo/alarm-rules.yaml").string(), config, library);
  EXPECT_EQ(set.rules.size(), 3u);
}

TEST(AlarmRulesFile, FileErrors) {
  try {
    load_alarm_rules_file("/nonexistent/rules.yaml", test_config(), test_layouts());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/rules.yaml");
    EXPECT_EQ(e.field(), "(file)");
  }
  EXPECT_ERROR("", 0, "(file)", "is empty");
  EXPECT_ERROR("rules:\n  - name: [a\n", 3, "(syntax)", "fix the YAML syntax");
  EXPECT_ERROR("rule: []\n", 1, "rules", "is missing");
  EXPECT_ERROR("rules: 3\n", 1, "rules", "must be a list");
  EXPECT_ERROR("rules: []\nextra: 1\n", 2, "extra", "not a known key");
  EXPECT_ERROR("rules:\n  - just text\n", 2, "rules[0]", "must be a mapping");
}

// A valid rule, with one line replaced or added to make it bad. Lines: 1 rules, 2 name,
// 3 when, 4 street, 5 open_at_least, 6 within_minutes, 7 show, 8 layout, 9 cameras.
std::string rule_with(const std::string& when_extra = "", const std::string& show = "",
                      const std::string& rule_extra = "") {
  return "rules:\n"
         "  - name: r1\n"
         "    when:\n"
         "      street: 花楼街\n"
         "      open_at_least: 3\n"
         "      within_minutes: 60\n" +
         when_extra + "    show:\n" +
         (show.empty() ? "      layout: 2x2\n      cameras: [hualou-01]\n" : show) + rule_extra;
}

TEST(AlarmRulesFile, TheValidBaseRuleLoads) {
  EXPECT_EQ(load(rule_with()).rules.size(), 1u);
}

TEST(AlarmRulesFile, UnknownKeys) {
  EXPECT_ERROR(rule_with("", "", "    colour: red\n"), 10, "rules[0].colour", "known keys");
  EXPECT_ERROR(rule_with("", "", "    category: 占道经营\n"), 10, "rules[0].category",
               "belongs under when");
  EXPECT_ERROR(rule_with("      grid: g1\n"), 7, "rules[0].when.grid", "known keys");
  EXPECT_ERROR(rule_with("", "      layout: 2x2\n      cameras: [hualou-01]\n      tile: 1\n"), 10,
               "rules[0].show.tile", "known keys");
}

TEST(AlarmRulesFile, MissingParts) {
  EXPECT_ERROR("rules:\n  - when: {major: true}\n    show: {layout: 1x1, cameras: [minzu-01]}\n", 2,
               "rules[0].name", "is missing");
  EXPECT_ERROR("rules:\n  - name: a\n    show: {layout: 1x1, cameras: [minzu-01]}\n", 2,
               "rules[0].when", "is missing");
  EXPECT_ERROR("rules:\n  - name: a\n    when: {major: true}\n", 2, "rules[0].show", "is missing");
  EXPECT_ERROR("rules:\n  - name: a\n    when: {major: true}\n    show: {cameras: [minzu-01]}\n", 4,
               "rules[0].show.layout", "is missing");
  EXPECT_ERROR("rules:\n  - name: a\n    when: {major: true}\n    show: {layout: 1x1}\n", 4,
               "rules[0].show.cameras", "non-empty list");
}

TEST(AlarmRulesFile, DuplicateNames) {
  const std::string yaml = rule_with() +
                           "  - name: r1\n    when: {major: true}\n"
                           "    show: {layout: 1x1, cameras: [minzu-01]}\n";
  EXPECT_ERROR(yaml, 10, "rules[1].name", "rule on line 2");
}

TEST(AlarmRulesFile, WhenNeedsThresholdOrMajor) {
  const std::string head = "rules:\n  - name: a\n";
  const std::string show = "    show: {layout: 1x1, cameras: [minzu-01]}\n";
  EXPECT_ERROR(head + "    when: {street: 花楼街}\n" + show, 3, "rules[0].when.open_at_least",
               "needs a threshold");
  EXPECT_ERROR(head + "    when: {major: false}\n" + show, 3, "rules[0].when.open_at_least",
               "needs a threshold");
  EXPECT_ERROR(head + "    when: {open_at_least: 3}\n" + show, 3, "rules[0].when.within_minutes",
               "is missing");
  EXPECT_ERROR(head + "    when: {within_minutes: 3}\n" + show, 3, "rules[0].when.open_at_least",
               "is missing");
  EXPECT_ERROR(head + "    when:\n      major: true\n      open_at_least: 2\n" + show, 5,
               "rules[0].when.open_at_least", "cannot be combined");
  EXPECT_ERROR(head + "    when: {major: maybe}\n" + show, 3, "rules[0].when.major",
               "true or false");
}

TEST(AlarmRulesFile, NumbersMustBePositive) {
  const std::string head = "rules:\n  - name: a\n    when:\n      open_at_least: ";
  const std::string mid = "\n      within_minutes: ";
  const std::string show = "\n    show: {layout: 1x1, cameras: [minzu-01]}\n";
  EXPECT_ERROR(head + "0" + mid + "60" + show, 4, "rules[0].when.open_at_least", "from 1");
  EXPECT_ERROR(head + "-3" + mid + "60" + show, 4, "rules[0].when.open_at_least", "got -3");
  EXPECT_ERROR(head + "abc" + mid + "60" + show, 4, "rules[0].when.open_at_least", "whole number");
  EXPECT_ERROR(head + "2.5" + mid + "60" + show, 4, "rules[0].when.open_at_least", "whole number");
  EXPECT_ERROR(head + "5" + mid + "0" + show, 5, "rules[0].when.within_minutes", "from 1");
  EXPECT_ERROR(rule_with("", "", "    revert_after_minutes: 0\n"), 10,
               "rules[0].revert_after_minutes", "from 1");
  EXPECT_ERROR(rule_with("", "", "    cooldown_minutes: -1\n"), 10, "rules[0].cooldown_minutes",
               "from 0");
}

TEST(AlarmRulesFile, StreetAndCategory) {
  EXPECT_ERROR(
      "rules:\n  - name: a\n    when:\n      street: 花楼\n      major: true\n"
      "    show: {layout: 1x1, cameras: [minzu-01]}\n",
      4, "rules[0].when.street", "not a street of Jianghan");
  EXPECT_ERROR(rule_with("      category: \"\"\n"), 7, "rules[0].when.category", "is empty");
}

TEST(AlarmRulesFile, ShowChecksLayoutAndCameras) {
  EXPECT_ERROR(rule_with("", "      layout: 5x5\n      cameras: [hualou-01]\n"), 8,
               "rules[0].show.layout", "unknown layout \"5x5\"");
  EXPECT_ERROR(rule_with("", "      layout: 2x2\n      cameras: [hualou-01, nope-09]\n"), 9,
               "rules[0].show.cameras[1]", "unknown camera \"nope-09\"");
  EXPECT_ERROR(rule_with("", "      layout: 1x1\n      cameras: [hualou-01, hualou-02]\n"), 9,
               "rules[0].show.cameras", "layout 1x1 has only 1 tiles");
  EXPECT_ERROR(rule_with("", "      layout: 2x2\n      cameras: [hualou-01, 花楼街-01]\n"), 9,
               "rules[0].show.cameras[1]", "second time");
  EXPECT_ERROR(rule_with("", "      layout: 2x2\n      cameras: hualou-01\n"), 9,
               "rules[0].show.cameras", "non-empty list");
}

TEST(AlarmRulesFile, BannerPlaceholders) {
  EXPECT_ERROR(rule_with("", "", "    banner: \"{cnt} 起\"\n"), 10, "rules[0].banner",
               "unknown placeholder {cnt}");
  EXPECT_ERROR(rule_with("", "", "    banner: \"共 {count 起\"\n"), 10, "rules[0].banner",
               "never closed");
  EXPECT_ERROR(rule_with("", "", "    banner: \"共 count} 起\"\n"), 10, "rules[0].banner",
               "no matching {");
  EXPECT_EQ(fill_banner("{street}/{category}: {count} 起 {{x}}", 21, "花楼街", "占道经营"),
            "花楼街/占道经营: 21 起 {x}");
}

// ---- engine ---------------------------------------------------------------------------

CaseEvent event(const std::string& id, const std::string& street, const std::string& category,
                TimePoint reported, CaseStatus status = CaseStatus::Reported,
                TimePoint updated = {}) {
  CaseEvent e;
  e.id = id;
  e.street = street;
  e.category = category;
  e.status = status;
  e.reported_at = reported;
  e.updated_at = updated == TimePoint{} ? reported : updated;
  return e;
}

constexpr const char* kSurge = R"(rules:
  - name: surge
    when: {street: 花楼街, category: 占道经营, open_at_least: 21, within_minutes: 60}
    show: {layout: 1+5, cameras: [hualou-01, hualou-02]}
    banner: "{street} {category} 1小时内 {count} 起"
    revert_after_minutes: 10
    cooldown_minutes: 15
)";

// Feeds n matching cases "c<first>".."c<first+n-1>", one a minute from `start`; returns every
// action they produced.
std::vector<AlarmAction> feed(AlarmEngine& engine, int first, int n, TimePoint start,
                              const std::string& street = "花楼街",
                              const std::string& category = "占道经营") {
  std::vector<AlarmAction> all;
  for (int i = 0; i < n; ++i) {
    TimePoint t = start + std::chrono::minutes(i);
    auto actions = engine.on_event(event("c" + std::to_string(first + i), street, category, t), t);
    all.insert(all.end(), actions.begin(), actions.end());
  }
  return all;
}

TEST(AlarmEngine, ThresholdFiresExactlyOnThe21stCase) {
  AlarmEngine engine(load(kSurge));
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());
  EXPECT_EQ(engine.count("surge"), 20);
  EXPECT_EQ(engine.phase("surge", T0 + 20min), AlarmEngine::Phase::Idle);

  auto actions = feed(engine, 20, 1, T0 + 20min);
  ASSERT_EQ(actions.size(), 1u);
  const AlarmAction& a = actions[0];
  EXPECT_EQ(a.kind, Kind::Raise);
  EXPECT_EQ(a.rule, "surge");
  EXPECT_EQ(a.layout, "1+5");
  EXPECT_EQ(a.cameras, (std::vector<std::string>{"hualou-01", "hualou-02"}));
  EXPECT_EQ(a.banner, "花楼街 占道经营 1小时内 21 起");
  EXPECT_EQ(a.count, 21);
  EXPECT_EQ(a.case_id, "c20");
  EXPECT_EQ(a.at, T0 + 20min);
  EXPECT_EQ(engine.phase("surge", T0 + 20min), AlarmEngine::Phase::Active);

  // Not again while active.
  EXPECT_TRUE(feed(engine, 21, 5, T0 + 21min).empty());
  EXPECT_EQ(engine.stats().raised, 1u);
  EXPECT_EQ(engine.stats().suppressed, 5u);
}

TEST(AlarmEngine, OtherStreetsAndCategoriesDoNotCount) {
  AlarmEngine engine(load(kSurge));
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());
  EXPECT_TRUE(feed(engine, 100, 30, T0 + 20min, "民族街", "占道经营").empty());
  EXPECT_TRUE(feed(engine, 200, 30, T0 + 20min, "花楼街", "暴露垃圾").empty());
  EXPECT_EQ(engine.count("surge"), 20);
  EXPECT_EQ(feed(engine, 20, 1, T0 + 21min).size(), 1u);
}

TEST(AlarmEngine, ClosedCasesDoNotCount) {
  AlarmEngine engine(load(kSurge));
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());
  // c0 closes: 19 open.
  EXPECT_TRUE(engine
                  .on_event(event("c0", "花楼街", "占道经营", T0, CaseStatus::Closed, T0 + 20min),
                            T0 + 20min)
                  .empty());
  EXPECT_EQ(engine.count("surge"), 19);
  // A case already closed when first seen never counts.
  EXPECT_TRUE(
      engine.on_event(event("x", "花楼街", "占道经营", T0 + 20min, CaseStatus::Closed), T0 + 20min)
          .empty());
  EXPECT_TRUE(feed(engine, 20, 1, T0 + 20min).empty());   // 20 open
  EXPECT_EQ(feed(engine, 21, 1, T0 + 21min).size(), 1u);  // 21 open
  // Dispatched and overdue cases are still open.
  AlarmEngine other(load(kSurge));
  for (int i = 0; i < 21; ++i) {
    auto status = i % 2 ? CaseStatus::Dispatched : CaseStatus::Overdue;
    auto actions =
        other.on_event(event("d" + std::to_string(i), "花楼街", "占道经营", T0, status), T0 + 1min);
    EXPECT_EQ(actions.size(), i == 20 ? 1u : 0u);
  }
}

TEST(AlarmEngine, OldCasesLeaveTheWindow) {
  AlarmEngine engine(load(kSurge));
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());  // reported T0 .. T0+19min
  EXPECT_TRUE(engine.tick(T0 + 60min).empty());  // window [T0, T0+60]: all 20 still in
  EXPECT_EQ(engine.count("surge"), 20);
  EXPECT_TRUE(engine.tick(T0 + 62min).empty());  // c0 and c1 dropped out
  EXPECT_EQ(engine.count("surge"), 18);
  // Reported before the window: never counts, even if its event arrives now.
  EXPECT_TRUE(engine.on_event(event("old", "花楼街", "占道经营", T0), T0 + 62min).empty());
  EXPECT_EQ(engine.count("surge"), 18);
  // The window is also checked on events without a tick in between.
  AlarmEngine no_tick(load(kSurge));
  EXPECT_TRUE(feed(no_tick, 0, 20, T0).empty());
  auto late = T0 + 61min;
  EXPECT_TRUE(no_tick.on_event(event("late", "花楼街", "占道经营", late), late).empty());
  EXPECT_EQ(no_tick.count("surge"), 20);  // c0 dropped (window from T0+1min), "late" added
}

TEST(AlarmEngine, DuplicatesAndOutOfOrderEventsDoNotDoubleCount) {
  AlarmEngine engine(load(kSurge));
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());
  // The same 20 events again, and again: nothing changes.
  EXPECT_TRUE(feed(engine, 0, 20, T0).empty());
  EXPECT_TRUE(feed(engine, 0, 20, T0 + 30s).empty());
  EXPECT_EQ(engine.count("surge"), 20);
  EXPECT_EQ(engine.stats().stale, 20u);  // the second round; the third is newer but no new case
  // A newer update of a counted case (dispatched) does not count it twice.
  EXPECT_TRUE(engine
                  .on_event(event("c3", "花楼街", "占道经营", T0 + 3min, CaseStatus::Dispatched,
                                  T0 + 40min),
                            T0 + 40min)
                  .empty());
  EXPECT_EQ(engine.count("surge"), 20);
  // c5 closes, then its older "reported" event arrives late: it stays closed.
  EXPECT_TRUE(
      engine
          .on_event(event("c5", "花楼街", "占道经营", T0 + 5min, CaseStatus::Closed, T0 + 41min),
                    T0 + 41min)
          .empty());
  EXPECT_TRUE(
      engine
          .on_event(event("c5", "花楼街", "占道经营", T0 + 5min, CaseStatus::Reported, T0 + 6min),
                    T0 + 42min)
          .empty());
  EXPECT_EQ(engine.count("surge"), 19);
  EXPECT_TRUE(feed(engine, 20, 1, T0 + 42min).empty());   // 20
  EXPECT_EQ(feed(engine, 21, 1, T0 + 43min).size(), 1u);  // 21
}

constexpr const char* kMajor = R"(rules:
  - name: major
    when: {major: true}
    show: {layout: 2x2, cameras: [minzu-01, shuita-01]}
    banner: "重大事件 {street} {category}（{count}）"
    revert_after_minutes: 30
    cooldown_minutes: 0
  - name: major-hualou
    when: {major: true, street: 花楼街}
    show: {layout: 1+5, cameras: [hualou-01]}
)";

TEST(AlarmEngine, MajorFiresOncePerCase) {
  AlarmEngine engine(load(kMajor));
  CaseEvent e = event("m1", "民族街", "火灾隐患", T0);
  EXPECT_TRUE(engine.on_event(e, T0).empty());  // not major (yet)
  e.major = true;
  e.updated_at = T0 + 1min;
  auto actions = engine.on_event(e, T0 + 1min);
  ASSERT_EQ(actions.size(), 1u);  // major-hualou filters on street
  EXPECT_EQ(actions[0].rule, "major");
  EXPECT_EQ(actions[0].banner, "重大事件 民族街 火灾隐患（1）");
  EXPECT_EQ(actions[0].case_id, "m1");
  // Later events of the same case, and duplicates, never fire again, even once the rule is idle.
  EXPECT_TRUE(engine.acknowledged("major", T0 + 2min));
  e.status = CaseStatus::Dispatched;
  e.updated_at = T0 + 3min;
  EXPECT_TRUE(engine.on_event(e, T0 + 3min).empty());
  EXPECT_TRUE(engine.on_event(e, T0 + 3min).empty());
  // Another major case fires; one in 花楼街 fires both rules, in file order.
  CaseEvent h = event("m2", "花楼街", "坍塌", T0 + 4min);
  h.major = true;
  actions = engine.on_event(h, T0 + 4min);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].rule, "major");
  EXPECT_EQ(actions[0].count, 2);  // m1 and m2 are open major cases
  EXPECT_EQ(actions[1].rule, "major-hualou");
  EXPECT_EQ(actions[1].banner, "major-hualou");
  // A major case already closed when first seen does not fire.
  AlarmEngine fresh(load(kMajor));
  CaseEvent closed = event("m3", "民族街", "x", T0, CaseStatus::Closed);
  closed.major = true;
  EXPECT_TRUE(fresh.on_event(closed, T0).empty());
}

TEST(AlarmEngine, AutoRevertAfterRevertMinutes) {
  AlarmEngine engine(load(kSurge));
  ASSERT_EQ(feed(engine, 0, 21, T0).size(), 1u);  // raised at T0+20min
  EXPECT_TRUE(engine.tick(T0 + 29min).empty());
  EXPECT_TRUE(engine.tick(T0 + 29min + 59s).empty());
  auto actions = engine.tick(T0 + 30min);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Revert);
  EXPECT_EQ(actions[0].rule, "surge");
  EXPECT_EQ(actions[0].at, T0 + 30min);
  EXPECT_TRUE(engine.tick(T0 + 31min).empty());  // once
  EXPECT_EQ(engine.phase("surge", T0 + 31min), AlarmEngine::Phase::Cooldown);
  // The cooldown runs from the revert: still cooling at +44, idle at +45.
  EXPECT_TRUE(feed(engine, 100, 1, T0 + 44min).empty());
  EXPECT_EQ(engine.phase("surge", T0 + 45min), AlarmEngine::Phase::Idle);
  EXPECT_EQ(feed(engine, 101, 1, T0 + 45min).size(), 1u);
}

// A reloaded rules file (config.reload): the cases stay, a rule kept by name keeps its phase.
TEST(AlarmEngine, NewRulesKeepTheCasesAndTheAlarmsInProgress) {
  AlarmEngine engine(load(kSurge));
  ASSERT_TRUE(feed(engine, 0, 15, T0).empty());
  // The same rule with a lower threshold, and a new one: the 15 cases already count for both.
  std::string lower = kSurge;
  lower.replace(lower.find("open_at_least: 21"), 17, "open_at_least: 16");
  auto reloaded = engine.with_rules(load(lower + R"(  - name: second
    when: {street: 花楼街, open_at_least: 17, within_minutes: 60}
    show: {layout: 1x1, cameras: [hualou-01]}
)"),
                                    T0 + 15min);
  EXPECT_EQ(reloaded.count("surge"), 15);
  EXPECT_EQ(reloaded.count("second"), 15);
  auto actions = feed(reloaded, 15, 1, T0 + 15min);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].rule, "surge");
  EXPECT_EQ(actions[0].count, 16);
  ASSERT_EQ(feed(reloaded, 16, 1, T0 + 16min).size(), 1u);  // "second" at 17

  // An alarm active across a reload still reverts on time; a dropped rule is gone.
  auto again = reloaded.with_rules(load(kSurge), T0 + 20min);
  EXPECT_EQ(again.phase("surge", T0 + 20min), AlarmEngine::Phase::Active);
  EXPECT_EQ(again.count("second"), 0);
  EXPECT_TRUE(again.tick(T0 + 24min).empty());
  actions = again.tick(T0 + 25min);  // raised at +15, revert_after 10
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Revert);
  EXPECT_EQ(actions[0].rule, "surge");
}

TEST(AlarmEngine, ANewMajorRuleJudgesOnlyLaterMajorCases) {
  AlarmEngine engine(load(kSurge));
  CaseEvent m = event("m1", "民族街", "火灾隐患", T0);
  m.major = true;
  ASSERT_TRUE(engine.on_event(m, T0).empty());
  auto reloaded = engine.with_rules(load(kMajor), T0 + 1min);
  m.status = CaseStatus::Dispatched;
  m.updated_at = T0 + 2min;
  EXPECT_TRUE(reloaded.on_event(m, T0 + 2min).empty());  // judged before the rule existed
  CaseEvent n = event("m2", "民族街", "坍塌", T0 + 3min);
  n.major = true;
  auto actions = reloaded.on_event(n, T0 + 3min);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].rule, "major");
  EXPECT_EQ(actions[0].count, 2);  // both open major cases are counted
}

TEST(AlarmEngine, LateTickStillRevertsOnce) {
  AlarmEngine engine(load(kSurge));
  ASSERT_EQ(feed(engine, 0, 21, T0).size(), 1u);
  auto actions = engine.tick(T0 + 3h);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].at, T0 + 30min);
  EXPECT_TRUE(engine.tick(T0 + 3h + 1s).empty());
}

TEST(AlarmEngine, AcknowledgedAlarmDoesNotRevertAndCoolsDown) {
  AlarmEngine engine(load(kSurge));
  ASSERT_EQ(feed(engine, 0, 21, T0).size(), 1u);  // raised at T0+20min
  EXPECT_FALSE(engine.acknowledged("nope", T0 + 22min));
  EXPECT_TRUE(engine.acknowledged("surge", T0 + 22min));
  EXPECT_FALSE(engine.acknowledged("surge", T0 + 22min));  // not active any more
  EXPECT_TRUE(engine.tick(T0 + 31min).empty());            // no revert after acknowledgement
  // Cooldown 15 min from the acknowledgement: new matching cases do not re-fire before +37.
  EXPECT_TRUE(feed(engine, 21, 3, T0 + 23min).empty());
  EXPECT_TRUE(feed(engine, 24, 1, T0 + 36min + 59s).empty());
  EXPECT_EQ(engine.phase("surge", T0 + 37min), AlarmEngine::Phase::Idle);
  auto actions = feed(engine, 25, 1, T0 + 37min);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].count, 26);
  EXPECT_EQ(actions[0].banner, "花楼街 占道经营 1小时内 26 起");
}

TEST(AlarmEngine, EmptyNameAcknowledgesEveryActiveRule) {
  AlarmEngine engine(load(std::string(kSurge) + R"(  - name: second
    when: {street: 花楼街, open_at_least: 1, within_minutes: 60}
    show: {layout: 1x1, cameras: [hualou-01]}
)"));
  ASSERT_EQ(feed(engine, 0, 21, T0).size(), 2u);  // "second" on c0, "surge" on c20
  EXPECT_TRUE(engine.acknowledged("", T0 + 21min));
  EXPECT_EQ(engine.phase("surge", T0 + 21min), AlarmEngine::Phase::Cooldown);
  EXPECT_EQ(engine.phase("second", T0 + 21min), AlarmEngine::Phase::Cooldown);
  EXPECT_FALSE(engine.acknowledged("", T0 + 22min));
  EXPECT_TRUE(engine.tick(T0 + 2h).empty());
}

TEST(AlarmEngine, AfterCooldownTheCountMustStillHold) {
  AlarmEngine engine(load(kSurge));
  ASSERT_EQ(feed(engine, 0, 21, T0).size(), 1u);
  EXPECT_TRUE(engine.acknowledged("surge", T0 + 21min));
  // An hour later the window is empty; one new case is not a surge.
  EXPECT_TRUE(engine.tick(T0 + 2h).empty());
  EXPECT_EQ(engine.count("surge"), 0);
  EXPECT_TRUE(feed(engine, 100, 1, T0 + 2h).empty());
}

TEST(AlarmEngine, BannerUsesTheCaseWhenTheRuleHasNoFilter) {
  AlarmEngine engine(load(R"(rules:
  - name: any
    when: {open_at_least: 2, within_minutes: 10}
    show: {layout: 1x1, cameras: [minzu-01]}
    banner: "{street}/{category}: {count}"
)"));
  EXPECT_TRUE(engine.on_event(event("a", "民族街", "暴露垃圾", T0), T0).empty());
  auto actions = engine.on_event(event("b", "水塔街", "占道经营", T0), T0);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].banner, "水塔街/占道经营: 2");
}

TEST(AlarmEngine, MemoryIsBounded) {
  AlarmEngine engine(load(kSurge), /*max_cases=*/50);
  for (int i = 0; i < 500; ++i) {
    TimePoint t = T0 + std::chrono::seconds(i);
    engine.on_event(event("c" + std::to_string(i), "民族街", "x", t), t);
  }
  EXPECT_EQ(engine.stats().cases, 50u);
  EXPECT_EQ(engine.stats().evicted, 450u);
  // Cases with no event for a day are forgotten on tick.
  engine.tick(T0 + 25h);
  EXPECT_EQ(engine.stats().cases, 0u);
  EXPECT_EQ(engine.stats().events, 500u);
}

}  // namespace
}  // namespace vw::controller
