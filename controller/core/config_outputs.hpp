// The `outputs:` and `output_rtsp:` sections of the config (config.hpp's OutputConfig), read by
// load_config_text. Throws ConfigError naming file, line and field.
// Threads: plain functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "controller/core/config.hpp"

namespace vw::controller {

// Relative recording folders resolve against `base_dir` (the config file's folder).
void parse_outputs(const YAML::Node& node, const std::string& file, const std::string& base_dir,
                   const WallConfig& wall, std::vector<OutputConfig>& outputs);
void parse_output_rtsp(const YAML::Node& node, const std::string& file, OutputRtspConfig& rtsp);

}  // namespace vw::controller
