// The `quality:` section of the config (config.hpp's QualityConfig: the diagnosis' interval,
// hysteresis, thresholds and visits off the wall) and the thresholds mapping that
// `cameras[].quality` shares, read by load_config_text. Throws ConfigError naming file, line and
// field.
// Threads: plain functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "controller/core/config.hpp"

namespace vw::controller {

class YamlMap;
// A mapping of quality thresholds by name (quality.thresholds, cameras[].quality), each in its
// range; `skip` names the other keys the mapping may hold.
std::map<std::string, double> parse_thresholds(YamlMap& s, const std::string& skip);
void parse_quality(const YAML::Node& node, const std::string& file, QualityConfig& quality);

}  // namespace vw::controller
