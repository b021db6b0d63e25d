// Wires the grid-case feed to the wall: CaseFeed (ZeroMQ, its own thread) publishes CaseViews to
// the renderer and hands each case event to the AlarmEngine; the engine's Raise/Revert actions
// become AlarmRaise/AlarmExpire Commands on the WallController, the same path as every other
// change. A ticker thread drives the engine's windows, auto-revert and quality rules once a
// second; the quality monitor's verdicts come in through on_quality().
//
// Threads: construct and destroy on one thread; acknowledge() from any thread (the key handler).
// The engine is guarded by a mutex shared by the feed thread, the ticker and acknowledge().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "controller/cases/alarm_rules.hpp"
#include "controller/cases/case_feed.hpp"
#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"

namespace vw::controller {

class CaseMonitor {
 public:
  // Throws ConfigError for a bad rules file, std::runtime_error for a bad endpoint.
  CaseMonitor(const Config& config, const layouts::LayoutLibrary& layouts, WallController& wall,
              CaseFeed::Publish publish_cases);
  ~CaseMonitor();
  CaseMonitor(const CaseMonitor&) = delete;
  CaseMonitor& operator=(const CaseMonitor&) = delete;

  // The operator acknowledges an alarm (empty: all): its cooldown starts and the wall reverts.
  // `done` (optional) hears the AlarmAck's result on the controller's thread.
  void acknowledge(const std::string& rule, Origin origin, WallController::Done done = {});

  CaseFeedStats feed_stats() const;

  // A stream's picture faults changed (the quality monitor's verdicts): for quality rules, which
  // fire from the ticker once a fault has been held long enough. Any thread.
  void on_quality(const std::string& stream, const std::vector<std::string>& faults);

  // Alarm rules loaded at start (the feed thread and the ticker exist only then).
  bool has_rules() const;
  AlarmRuleSet rules() const;  // a copy; empty without rules
  // A changed rules file (config.reload): the engine keeps the cases it knows and the phase of
  // each rule kept by name (AlarmEngine::with_rules). Requires has_rules().
  void replace_rules(AlarmRuleSet rules);

 private:
  void apply(const std::vector<AlarmAction>& actions);  // any thread, engine mutex held
  void start_feed(const Config& config, CaseFeed::Publish publish_cases);  // constructor only

  struct Camera {
    std::string name, street;
  };
  std::map<std::string, Camera> cameras_;  // by id, from the config at start (read-only)

  WallController& wall_;
  mutable std::mutex engine_mutex_;
  std::optional<AlarmEngine> engine_;  // empty when no rules are configured
  std::unique_ptr<CaseFeed> feed_;
  std::jthread ticker_;
};

}  // namespace vw::controller
