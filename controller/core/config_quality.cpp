#include "controller/core/config_quality.hpp"

#include "controller/core/yaml_reader.hpp"

namespace vw::controller {

std::map<std::string, double> parse_thresholds(YamlMap& s, const std::string& skip) {
  std::map<std::string, double> values;
  std::string known = skip;
  for (const auto& field : quality::kThresholdFields) {
    const std::string name(field.name);
    known += (known.empty() ? "" : ", ") + name;
    if (YAML::Node value = s.take(name.c_str()); YamlMap::present(value))
      values[name] = s.number(name, value, field.min, field.max, "");
  }
  s.reject_unknown(known.c_str());
  return values;
}

void parse_quality(const YAML::Node& node, const std::string& file, QualityConfig& quality) {
  YamlMap s(node, "quality", file);
  quality.enabled = s.boolean_or("enabled", true);
  quality.interval = std::chrono::milliseconds(
      static_cast<long long>(s.number_or("interval_s", 5, 0.1, 3600, "seconds") * 1000));
  quality.thresholds.enter_after = s.integer_or("enter_after", 3, 1, 100);
  quality.thresholds.leave_after = s.integer_or("leave_after", 3, 1, 100);
  if (YAML::Node t = s.take("thresholds"); YamlMap::present(t)) {
    YamlMap ts(t, s.field("thresholds"), file);
    quality.thresholds = quality::with_overrides(quality.thresholds, parse_thresholds(ts, ""));
  }
  if (YAML::Node o = s.take("off_wall"); YamlMap::present(o)) {
    YamlMap os(o, s.field("off_wall"), file);
    quality.off_wall = os.boolean_or("enabled", true);
    quality.visit = std::chrono::milliseconds(
        static_cast<long long>(os.number_or("visit_s", 20, 2, 600, "seconds") * 1000));
    quality.visits_at_once = os.integer_or("at_once", 1, 1, 16);
    os.reject_unknown("enabled, visit_s, at_once");
    // A visit must hold enough samples to enter a fault (the first may find it connecting).
    const auto needed = quality.interval * (quality.thresholds.enter_after + 1);
    if (quality.off_wall && quality.visit < needed)
      os.fail(YAML::Node(), "visit_s",
              "must be at least (enter_after + 1) x interval_s = " +
                  std::to_string(needed.count() / 1000.0).substr(0, 5) +
                  " s, so that a visit can enter a fault");
  }
  s.reject_unknown("enabled, interval_s, enter_after, leave_after, thresholds, off_wall");
}

}  // namespace vw::controller
