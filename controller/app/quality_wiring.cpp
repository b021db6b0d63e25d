#include "controller/app/quality_wiring.hpp"

#include <set>
#include <vector>

namespace vw::controller {

quality::QualityOptions quality_options(const Config& config) {
  quality::QualityOptions q;
  q.interval = config.quality.interval;
  q.thresholds = config.quality.thresholds;
  for (const auto& camera : config.cameras) {
    if (!camera.quality) q.off.insert(camera.id);
    if (!camera.quality_thresholds.empty())
      q.cameras[camera.id] = quality::with_overrides(q.thresholds, camera.quality_thresholds);
  }
  return q;
}

quality::OffWallVisits off_wall_visits(const Config& config, WallController* wall,
                                       streams::StreamManager* manager) {
  quality::OffWallVisits visits;
  if (!config.quality.off_wall) return visits;
  visits.visit = config.quality.visit;
  visits.at_once = static_cast<std::size_t>(config.quality.visits_at_once);
  // Every camera the config has, diagnosed, and not shown on the wall now.
  visits.candidates = [w = wall] {
    std::set<std::string> shown;
    for (const auto& channel : w->view()->shown_streams())
      shown.insert(std::string(streams::camera_of_key(channel->key())));
    std::vector<std::string> cameras;
    for (const auto& camera : w->config()->cameras)
      if (camera.quality && !shown.count(camera.id)) cameras.push_back(camera.id);
    return cameras;
  };
  // The sub stream, the cheaper decode, else the main one.
  visits.open = [w = wall, s = manager](const std::vector<std::string>& cameras) {
    const auto config = w->config();
    std::vector<streams::StreamSpec> specs;
    for (const auto& id : cameras)
      if (const CameraConfig* camera = config->find_camera(id))
        specs.push_back(stream_spec(
            *camera,
            camera->sub_url.empty() ? renderer::StreamChoice::Main : renderer::StreamChoice::Sub,
            config->stall_timeout));
    return s->set_wanted(specs, streams::Wanter::Diagnosis);
  };
  return visits;
}

std::filesystem::path quality_snapshot_dir(const std::string& state_dir) {
  return std::filesystem::path(state_dir) / "quality-snapshots";
}

}  // namespace vw::controller
