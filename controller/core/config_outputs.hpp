// The `outputs:`, `output_rtsp:` and `output_watermark:` sections of the config (config.hpp's
// OutputConfig), and each camera's privacy masks (`cameras[].masks`, what every output hides),
// read by load_config_text. Throws ConfigError naming file, line and field.
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
void parse_output_whep(const YAML::Node& node, const std::string& file, OutputWhepConfig& whep);
// The watermark's text: one line, 1-80 characters.
std::string parse_output_watermark(const YAML::Node& node, const std::string& file);

class YamlMap;
// cameras[i].masks: a list of rectangles [x, y, w, h] and polygons [[x, y], [x, y], ...], all
// normalized to the camera's picture; fills camera.masks and camera.mask_triangles.
void parse_masks(YamlMap& camera_map, const YAML::Node& node, CameraConfig& camera);

}  // namespace vw::controller
