// Alarm rules on the picture-quality diagnosis: the loader's quality rules and the engine firing
// them from its tick, with injected time (no sleeps, no threads).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "controller/cases/alarm_rules.hpp"
#include "tests/controller/alarm_rules_support.hpp"

namespace vw::controller {
namespace {

using namespace alarm_test;
using namespace std::chrono_literals;
using Kind = AlarmAction::Kind;

constexpr const char* kQualityRule = R"yaml(rules:
  - name: 民族街画面异常
    when: {street: 民族街, quality: [black, covered], for_seconds: 60}
    show: {layout: 2x2, cameras: [minzu-01, hualou-01]}
    banner: "{camera} {check} 超过 1 分钟 ({count} 路)"
)yaml";

TEST(AlarmRulesFile, QualityRules) {
  const auto set = load(kQualityRule);
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].quality, (std::vector<std::string>{"black", "covered"}));
  EXPECT_EQ(set.rules[0].quality_for, 60s);
  EXPECT_EQ(set.rules[0].street, "民族街");
  const std::string head = "rules:\n  - name: a\n";
  const std::string show = "    show: {layout: 1x1, cameras: [minzu-01]}\n";
  EXPECT_ERROR(head + "    when: {quality: [black, smudge]}\n" + show, 3,
               "rules[0].when.quality[1]", "\"smudge\" is not a picture check; use black,");
  EXPECT_ERROR(head + "    when: {quality: []}\n" + show, 3, "rules[0].when.quality",
               "non-empty list");
  EXPECT_ERROR(head + "    when: {quality: [black], major: true}\n" + show, 3,
               "rules[0].when.quality", "cannot be combined");
  EXPECT_ERROR(head + "    when: {quality: [black], category: 占道经营}\n" + show, 3,
               "rules[0].when.quality", "cannot be combined");
  EXPECT_ERROR(head + "    when: {quality: [black], for_seconds: 0}\n" + show, 3,
               "rules[0].when.for_seconds", "");
  EXPECT_ERROR(head + "    when: {for_seconds: 30}\n" + show, 3, "rules[0].when.quality",
               "non-empty list");
}

// A camera of the rule's street holding one of its faults for for_seconds raises the alarm
// from the tick, once per fault period; another street, another check or a fault that ends
// sooner does not.
TEST(AlarmEngine, QualityRuleFiresWhenAFaultIsHeldLongEnough) {
  AlarmEngine engine(load(kQualityRule));
  engine.on_quality("hualou-01/main", "花楼街-01", "花楼街", {"black"}, T0);  // other street
  engine.on_quality("minzu-01/sub", "民族街-01", "民族街", {"blur"}, T0);     // other check
  engine.on_quality("minzu-01/main", "民族街-01", "民族街", {"covered"}, T0 + 1s);
  engine.on_quality("minzu-01/main", "民族街-01", "民族街", {}, T0 + 30s);  // gone after 29 s
  EXPECT_TRUE(engine.tick(T0 + 90s).empty());
  engine.on_quality("minzu-01/main", "民族街-01", "民族街", {"covered", "frozen"}, T0 + 100s);
  EXPECT_TRUE(engine.tick(T0 + 159s).empty());
  const auto fired = engine.tick(T0 + 160s);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].kind, Kind::Raise);
  EXPECT_EQ(fired[0].rule, "民族街画面异常");
  EXPECT_EQ(fired[0].stream, "minzu-01/main");
  EXPECT_EQ(fired[0].layout, "2x2");
  EXPECT_EQ(fired[0].banner, "民族街-01 遮挡 超过 1 分钟 (1 路)");
  EXPECT_EQ(engine.phase("民族街画面异常", T0 + 160s), AlarmEngine::Phase::Active);
  // Acknowledged, cooled down (15 min): the same fault period does not fire again ...
  EXPECT_TRUE(engine.acknowledged("民族街画面异常", T0 + 170s));
  EXPECT_TRUE(engine.tick(T0 + 30min).empty());
  // ... a new one does.
  engine.on_quality("minzu-01/main", "民族街-01", "民族街", {"frozen"}, T0 + 31min);
  engine.on_quality("minzu-01/main", "民族街-01", "民族街", {"covered"}, T0 + 32min);
  EXPECT_TRUE(engine.tick(T0 + 32min + 59s).empty());
  EXPECT_EQ(engine.tick(T0 + 33min).size(), 1u);
}

}  // namespace
}  // namespace vw::controller
