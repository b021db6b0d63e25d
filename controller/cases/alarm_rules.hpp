// Alarm rules: when a surge of cases or a major incident shows up on the case feed, or a
// camera's picture has gone bad (the quality diagnosis' verdicts), bring the right cameras up on
// the wall without anyone touching the console. File format and semantics:
// docs/alarm-rules.md.
//
// Two parts:
//  - the rule file loader (load_alarm_rules_file / _text), which checks every rule against the
//    camera config and the layout library and throws ConfigError naming file, line and field;
//  - AlarmEngine, a pure state machine: it is fed CaseEvents, streams' picture faults and clock
//    ticks, and returns
//    AlarmActions (raise an alarm layout / revert it). It owns no thread, no socket and no clock:
//    every call takes `now`. The caller (the controller's feed thread) turns actions into
//    Commands.
//
// Threads: AlarmRuleSet is plain data. AlarmEngine is not synchronized: one thread calls it (or
// the caller holds a lock around every call).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "controller/cases/case_event.hpp"
#include "controller/core/config.hpp"
#include "layouts/layout.hpp"

namespace vw::controller {

struct AlarmRule {
  std::string name;      // unique within the file; used to acknowledge the alarm
  int line = 0;          // 1-based line of the rule in its file
  std::string street;    // empty = any street
  std::string category;  // empty = any category
  // Threshold rule: fires when at least open_at_least matching cases that are still open were
  // reported within the last `window`. 0 for a major rule.
  int open_at_least = 0;
  std::chrono::minutes window{0};
  // Major rule: fires on the first event of each matching case marked major.
  bool major = false;
  // Quality rule: fires when a camera (on `street`, if given) has held one of these picture
  // faults (quality check names: black, covered, ...) for `quality_for`; once per fault period.
  std::vector<std::string> quality;
  std::chrono::seconds quality_for{60};
  std::string layout;                // a name the LayoutLibrary knows
  std::vector<std::string> cameras;  // camera ids (names are resolved to ids), in tile order
  std::string banner;                // template with {count} {street} {category}
  std::chrono::minutes revert_after{10};
  std::chrono::minutes cooldown{15};  // 0 = none
  bool operator==(const AlarmRule&) const = default;
};

struct AlarmRuleSet {
  std::string path;  // the file the rules came from (or the label given to _text)
  std::vector<AlarmRule> rules;

  const AlarmRule* find(const std::string& name) const;  // nullptr if unknown
  bool operator==(const AlarmRuleSet&) const = default;
};

// Throws ConfigError (file, line, field, how to fix). The config supplies the camera ids, the
// library the layout names and tile counts.
AlarmRuleSet load_alarm_rules_file(const std::string& path, const Config& config,
                                   const layouts::LayoutLibrary& layouts);
AlarmRuleSet load_alarm_rules_text(const std::string& yaml, const std::string& file_label,
                                   const Config& config, const layouts::LayoutLibrary& layouts);

// Fills a banner template: {count}, {street}, {category}, {camera}, {check}; "{{" and "}}" are
// literal braces. The template must have passed the loader's checks (anything unknown is copied
// as is).
std::string fill_banner(const std::string& banner_template, int count, const std::string& street,
                        const std::string& category, const std::string& camera = {},
                        const std::string& check = {});

struct AlarmAction {
  enum class Kind {
    Raise,   // switch the wall to `layout` with `cameras` and show `banner`
    Revert,  // nobody acknowledged in time: put back what the wall showed before this rule
  };
  Kind kind = Kind::Raise;
  std::string rule;                  // AlarmRule::name
  std::string layout;                // Raise only
  std::vector<std::string> cameras;  // Raise only: camera ids in tile order (tile 1 first)
  std::string banner;                // Raise only: placeholders filled
  int count = 0;                     // Raise only: matching open cases at the time it fired
  std::string case_id;               // Raise only: the case whose event made the rule fire
  std::string stream;                // Raise only, quality rules: the stream whose fault fired it
  std::chrono::system_clock::time_point at{};  // when it was raised / when the revert was due
};

struct AlarmStats {
  std::uint64_t events = 0;      // events given to on_event
  std::uint64_t stale = 0;       // ignored: not newer than what was known of that case
  std::uint64_t evicted = 0;     // cases forgotten because of age or the case cap
  std::size_t cases = 0;         // cases known now
  std::uint64_t raised = 0;      // Raise actions returned
  std::uint64_t reverted = 0;    // Revert actions returned
  std::uint64_t suppressed = 0;  // times a rule's condition held but it was active or cooling down
};

class AlarmEngine {
 public:
  // A case is forgotten when no event came for it for a day (or twice the longest window, if
  // that is longer), and the least recently seen are dropped beyond `max_cases`.
  static constexpr std::size_t kDefaultMaxCases = 100000;

  explicit AlarmEngine(AlarmRuleSet rules, std::size_t max_cases = kDefaultMaxCases);

  // The same engine with another rule set (a reloaded rules file): the cases it knows stay, so
  // the new rules count the cases already in their windows; a rule kept by name keeps its phase
  // (an active alarm still reverts on time, a cooldown still holds) and the major cases it has
  // judged; a new major rule judges only major cases that come after.
  AlarmEngine with_rules(AlarmRuleSet rules, std::chrono::system_clock::time_point now) const;

  // Takes one case event. An event not newer (updated_at) than the last one seen for that case
  // is ignored: duplicates and late arrivals change nothing. Returns a Raise for each rule that
  // fires now, in rule file order. Case rules are raised only by events, never by tick.
  std::vector<AlarmAction> on_event(const CaseEvent& event,
                                    std::chrono::system_clock::time_point now);

  // A stream's picture faults now (the quality monitor's verdict, check names; empty when it
  // has none or is no longer diagnosed), with its camera's display name and street.
  void on_quality(const std::string& stream, const std::string& camera_name,
                  const std::string& street, const std::vector<std::string>& faults,
                  std::chrono::system_clock::time_point now);

  // Drops cases that left their windows, forgets old cases, returns a Revert for every active
  // rule whose revert_after has passed (which then starts its cooldown), and a Raise for each
  // idle quality rule whose fault has now been held long enough. Call it about once a second;
  // a late tick reverts late but never loses a revert.
  std::vector<AlarmAction> tick(std::chrono::system_clock::time_point now);

  // An operator acknowledged the alarm: it will not auto-revert, and its cooldown starts now.
  // An empty rule name acknowledges every active rule (as AlarmAck{} does on the wall).
  // Returns false (and changes nothing) when no such rule is active.
  bool acknowledged(const std::string& rule, std::chrono::system_clock::time_point now);

  enum class Phase { Idle, Active, Cooldown };
  Phase phase(const std::string& rule, std::chrono::system_clock::time_point now) const;
  // Matching open cases counted for the rule right now (threshold rules: within the window as
  // of the last on_event/tick; major rules: open major cases). 0 for an unknown rule.
  int count(const std::string& rule) const;
  const AlarmRuleSet& rules() const { return rules_; }
  AlarmStats stats() const;

 private:
  using Clock = std::chrono::system_clock;
  using TimePoint = Clock::time_point;

  struct CaseState {
    std::string street, category;
    CaseStatus status = CaseStatus::Reported;
    bool major = false;
    TimePoint reported_at{}, updated_at{};
    TimePoint seen{};  // `now` of the last event taken for it
  };
  using Keyed = std::pair<TimePoint, std::string>;  // (time, case id), for ordered pruning

  struct RuleState {
    Phase phase = Phase::Idle;
    TimePoint revert_at{}, cooldown_until{};
    // Matching open cases by reported_at: within the window (threshold rules), or marked major
    // (major rules).
    std::set<Keyed> members;
    std::set<std::string> announced;  // major rules: case ids that already made it fire
  };

  struct QualityState {  // one diagnosed stream
    std::string camera_name, street;
    std::map<std::string, TimePoint> since;  // check -> when it was entered
  };

  bool matches(const AlarmRule& rule, const CaseState& c) const;
  void tick_quality(std::size_t rule_index, TimePoint now, std::vector<AlarmAction>& actions);
  bool counts(const AlarmRule& rule, const CaseState& c, TimePoint now) const;
  void refresh_phase(RuleState& st, TimePoint now) const;
  void prune_window(std::size_t rule_index, TimePoint now);
  void forget_case(const std::string& id);
  void forget_old_cases(TimePoint now);
  // The rule becomes active; its Raise with what every rule's has (the caller adds the rest).
  AlarmAction activate(std::size_t rule_index, int count, TimePoint now);
  AlarmAction raise(std::size_t rule_index, const std::string& case_id, const CaseState& c,
                    TimePoint now);

  AlarmRuleSet rules_;
  std::vector<RuleState> states_;  // parallel to rules_.rules
  std::unordered_map<std::string, CaseState> cases_;
  std::map<std::string, QualityState> quality_;  // by stream key
  std::set<Keyed> by_seen_;  // (last event arrival, id) of every known case, oldest first
  std::size_t max_cases_;
  Clock::duration retention_;
  AlarmStats stats_;
};

}  // namespace vw::controller
