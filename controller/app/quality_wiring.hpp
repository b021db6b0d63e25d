// How the daemon wires the picture-quality diagnosis (controller/quality) to the rest: its
// options from the config, its visits to cameras off the wall through the wall and the stream
// manager, and where its pictures live beside the wall state.
// Threads: the functions run on the caller's; the visits' callbacks on the monitor's thread (they
// only read the wall's snapshots and post to the stream manager).
#pragma once

#include <filesystem>
#include <string>

#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/quality/quality_monitor.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller {

// The diagnosis' options from the config: the common thresholds, each camera's own, the cameras
// turned off.
quality::QualityOptions quality_options(const Config& config);

// The diagnosis' visits to cameras not on the wall (quality.off_wall; none when it is off).
// `wall` and `manager` must outlive the monitor.
quality::OffWallVisits off_wall_visits(const Config& config, WallController* wall,
                                       streams::StreamManager* manager);

// The pictures of each fault's beginning (the quality report's), beside the wall state.
std::filesystem::path quality_snapshot_dir(const std::string& state_dir);

}  // namespace vw::controller
