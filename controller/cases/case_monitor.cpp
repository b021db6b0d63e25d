#include "controller/cases/case_monitor.hpp"

#include <spdlog/spdlog.h>

#include "controller/core/stop_sleep.hpp"
#include "renderer/utf8.hpp"

namespace vw::controller {

CaseMonitor::CaseMonitor(const Config& config, const layouts::LayoutLibrary& layouts,
                         WallController& wall, CaseFeed::Publish publish_cases)
    : wall_(wall) {
  if (!config.cases.rules_path.empty()) {
    engine_.emplace(load_alarm_rules_file(config.cases.rules_path, config, layouts));
    spdlog::info("alarm rules: {} loaded from {}", engine_->rules().rules.size(),
                 config.cases.rules_path);
  }
  for (const auto& camera : config.cameras) cameras_[camera.id] = {camera.name, camera.street};
  if (!config.cases.endpoints.empty()) start_feed(config, std::move(publish_cases));
  // The ticker runs with rules even without a feed: quality rules and reverts need it.
  if (engine_) {
    ticker_ = std::jthread([this](std::stop_token stop) {
      while (sleep_unless_stopped(stop, std::chrono::seconds(1))) {
        std::lock_guard lock(engine_mutex_);
        apply(engine_->tick(std::chrono::system_clock::now()));
      }
    });
  }
}

void CaseMonitor::start_feed(const Config& config, CaseFeed::Publish publish_cases) {
  CaseFeedOptions options;
  options.endpoints = config.cases.endpoints;
  for (const auto& publisher : config.cases.publishers)
    options.publishers.push_back({publisher.id, publisher.endpoint, publisher.public_key});
  options.client_public_key = config.cases.client_public_key;
  options.client_secret_key = config.cases.client_secret_key;
  options.board.silence_timeout = config.cases.silence_timeout;
  CaseFeed::OnEvent on_event;
  if (engine_) {
    on_event = [this](const CaseEvent& event) {
      std::lock_guard lock(engine_mutex_);
      apply(engine_->on_event(event, std::chrono::system_clock::now()));
    };
  }
  feed_ = std::make_unique<CaseFeed>(options, std::move(publish_cases), std::move(on_event));
}

void CaseMonitor::on_quality(const std::string& stream, const std::vector<std::string>& faults) {
  if (!engine_) return;
  const auto camera = cameras_.find(std::string(streams::camera_of_key(stream)));
  const Camera named = camera == cameras_.end() ? Camera{} : camera->second;
  std::lock_guard lock(engine_mutex_);
  engine_->on_quality(stream, named.name, named.street, faults, std::chrono::system_clock::now());
}

CaseMonitor::~CaseMonitor() {
  ticker_ = {};  // joins before the feed (and its callbacks) go away
  feed_.reset();
}

void CaseMonitor::apply(const std::vector<AlarmAction>& actions) {
  for (const auto& action : actions) {
    if (action.kind == AlarmAction::Kind::Raise) {
      if (action.stream.empty())
        spdlog::warn("alarm {}: raised by case {} ({} matching): {}", action.rule,
                     renderer::printable(action.case_id, 64), action.count,
                     renderer::printable(action.banner, 300));
      else
        spdlog::warn("alarm {}: raised by the picture of {} ({} cameras held): {}", action.rule,
                     action.stream, action.count, renderer::printable(action.banner, 300));
      wall_.submit(AlarmRaise{action.rule, action.layout, action.cameras, action.banner},
                   Origin{"rules:" + action.rule, action.rule, "system"});
    } else {
      spdlog::info("alarm {}: not acknowledged in time, reverting", action.rule);
      wall_.submit(AlarmExpire{action.rule}, Origin{"rules:" + action.rule, action.rule, "system"});
    }
  }
}

void CaseMonitor::acknowledge(const std::string& rule, Origin origin, WallController::Done done) {
  if (engine_) {
    std::lock_guard lock(engine_mutex_);
    engine_->acknowledged(rule, std::chrono::system_clock::now());
  }
  wall_.submit(AlarmAck{rule}, std::move(origin), std::move(done));
}

bool CaseMonitor::has_rules() const {
  std::lock_guard lock(engine_mutex_);
  return engine_.has_value();
}

AlarmRuleSet CaseMonitor::rules() const {
  std::lock_guard lock(engine_mutex_);
  return engine_ ? engine_->rules() : AlarmRuleSet{};
}

void CaseMonitor::replace_rules(AlarmRuleSet rules) {
  std::lock_guard lock(engine_mutex_);
  if (!engine_) throw std::logic_error("CaseMonitor::replace_rules: no rules were loaded at start");
  spdlog::info("alarm rules: {} reloaded from {}", rules.rules.size(), rules.path);
  engine_.emplace(engine_->with_rules(std::move(rules), std::chrono::system_clock::now()));
}

CaseFeedStats CaseMonitor::feed_stats() const {
  return feed_ ? feed_->stats() : CaseFeedStats{};
}

}  // namespace vw::controller
