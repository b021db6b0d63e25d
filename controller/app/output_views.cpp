#include "controller/app/output_views.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "controller/persist/audit_mac.hpp"

namespace vw::controller {

std::optional<std::array<double, 4>> output_source(const WallState& state,
                                                   const layouts::LayoutLibrary& layouts,
                                                   int wall_width, int wall_height,
                                                   const OutputConfig& output) {
  const double wall_w = wall_width, wall_h = wall_height;
  if (output.tile > 0) {
    const auto* layout = layouts.find(state.layout);
    if (!layout || output.tile > static_cast<int>(layout->tiles.size())) return std::nullopt;
    if (state.maximized == output.tile) return std::array<double, 4>{0, 0, wall_w, wall_h};
    const layouts::Rect& r = layout->tiles[static_cast<std::size_t>(output.tile - 1)].rect;
    return std::array<double, 4>{r.x * wall_w, r.y * wall_h, r.w * wall_w, r.h * wall_h};
  }
  if (output.region[2] <= 0 || output.region[3] <= 0)
    return std::array<double, 4>{0, 0, wall_w, wall_h};
  return std::array<double, 4>{double(output.region[0]), double(output.region[1]),
                               double(output.region[2]), double(output.region[3])};
}

std::vector<std::string> cameras_in_output(const WallState& state,
                                           const layouts::LayoutLibrary& layouts,
                                           const Config& config, const OutputConfig& output) {
  const double wall_w = config.wall.width, wall_h = config.wall.height;
  std::vector<std::string> cameras;
  const auto source = output_source(state, layouts, config.wall.width, config.wall.height, output);
  if (!source) return cameras;  // a tile the layout does not have: nothing shown
  const auto [rx, ry, rw, rh] = *source;
  for (const auto& [rect, camera_id] : visible_tiles(state, layouts)) {
    if (camera_id.empty()) continue;
    const double x0 = std::max(rect.x * wall_w, rx),
                 x1 = std::min((rect.x + rect.w) * wall_w, rx + rw);
    const double y0 = std::max(rect.y * wall_h, ry),
                 y1 = std::min((rect.y + rect.h) * wall_h, ry + rh);
    // Half a pixel: a tile that only touches the region's edge is not in the picture.
    if (x1 - x0 < 0.5 || y1 - y0 < 0.5) continue;
    if (std::find(cameras.begin(), cameras.end(), camera_id) == cameras.end())
      cameras.push_back(camera_id);
  }
  return cameras;
}

std::string shown_url(const std::string& url) {
  std::string shown = url.substr(0, url.find('?'));
  if (const auto at = shown.find('@'); at != std::string::npos)
    shown = shown.substr(0, shown.find("//") + 2) + shown.substr(at + 1);
  return shown;
}

std::string srt_host_port(const OutputSrtConfig& srt) {
  const std::string host =
      srt.host.find(':') != std::string::npos ? "[" + srt.host + "]" : srt.host;
  return host + ":" + std::to_string(srt.port);
}

std::vector<std::string> output_sinks(const OutputConfig& output) {
  std::vector<std::string> sinks;
  if (output.rtsp) sinks.push_back("rtsp /" + output.id);
  if (output.record) sinks.push_back("record");
  if (output.srt) {
    const OutputSrtConfig& srt = output.srt_sink;
    sinks.push_back(
        std::string("srt ") + (srt.listener ? "listener " : "caller ") + srt_host_port(srt) +
        (srt.passphrase.empty() ? " unencrypted" : " aes-" + std::to_string(srt.key_bits)));
  }
  if (output.rtmp) sinks.push_back("rtmp " + shown_url(output.rtmp_url));
  if (output.whep) sinks.push_back("whep /" + output.id + "/");
  return sinks;
}

std::string mask_policy_sm3(const Config& config, const std::vector<std::string>& cameras) {
  std::string text;
  char point[64];
  for (const auto& id : cameras) {
    text += "camera " + id + "\n";
    const CameraConfig* camera = config.find_camera(id);
    if (!camera) continue;
    for (const auto& polygon : camera->masks) {
      text += "mask";
      for (const auto& p : polygon) {
        std::snprintf(point, sizeof point, " %.6f,%.6f", p.x, p.y);
        text += point;
      }
      text += "\n";
    }
  }
  return sm3_hex(text);
}

namespace {

AuditEntry view_entry(const Origin& origin, const std::string& id, const std::string& name,
                      nlohmann::json args, std::uint64_t state_version) {
  AuditEntry e;
  e.origin = origin;
  e.command = "output.view";
  e.args = {{"output", id}, {"name", name}};
  e.args.update(args);
  e.ok = true;
  e.changed = true;
  e.state_version = state_version;
  return e;
}

}  // namespace

OutputViewAudit::OutputViewAudit(const layouts::LayoutLibrary& layouts, AuditSink& audit)
    : layouts_(layouts), audit_(audit) {}

void OutputViewAudit::observe(const WallState& state, const Config& config, const Origin& origin) {
  std::lock_guard lock(mutex_);
  std::vector<AuditEntry> entries;
  auto entry = [&](const std::string& id, const std::string& name, nlohmann::json args) {
    entries.push_back(view_entry(origin, id, name, std::move(args), state.version));
  };
  for (const auto& output : config.outputs) {
    const bool running =
        std::find(state.outputs.begin(), state.outputs.end(), output.id) != state.outputs.end();
    auto last = running_.find(output.id);
    if (!running) {
      if (last == running_.end()) continue;
      running_.erase(last);
      entry(output.id, output.name, {{"running", false}});
      continue;
    }
    View view;
    view.name = output.name;
    view.cameras = cameras_in_output(state, layouts_, config, output);
    view.mask_policy = mask_policy_sm3(config, view.cameras);
    if (last != running_.end() && last->second.same_picture(view)) continue;
    entry(output.id, output.name,
          {{"running", true},
           {"sinks", output_sinks(output)},
           {"cameras", view.cameras},
           {"mask_policy_sm3", view.mask_policy}});
    running_[output.id] = std::move(view);
  }
  // An output the reloaded config no longer has is no longer shown.
  for (auto it = running_.begin(); it != running_.end();) {
    const bool known = std::any_of(config.outputs.begin(), config.outputs.end(),
                                   [&](const OutputConfig& o) { return o.id == it->first; });
    if (known) {
      ++it;
      continue;
    }
    entry(it->first, it->second.name, {{"running", false}});
    it = running_.erase(it);
  }
  append(entries);
}

void OutputViewAudit::all_stopped(std::uint64_t state_version) {
  std::lock_guard lock(mutex_);
  std::vector<AuditEntry> entries;
  for (const auto& [id, view] : running_)
    entries.push_back(view_entry(Origin{}, id, view.name, {{"running", false}}, state_version));
  running_.clear();
  append(entries);
}

void OutputViewAudit::append(std::vector<AuditEntry>& entries) {
  if (!entries.empty() && !audit_.append_batch(entries))
    spdlog::error("audit: the views of the outputs could not be recorded: {}", audit_.last_error());
}

}  // namespace vw::controller
