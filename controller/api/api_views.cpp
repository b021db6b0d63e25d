#include "controller/api/api_views.hpp"

#include <chrono>
#include <cmath>
#include <map>

#include "controller/cases/case_feed_parser.hpp"
#include "renderer/image_codec.hpp"

namespace vw::controller::api {
namespace {

using nlohmann::json;

json tours_json(const std::map<int, Tour>& tours) {
  json out = json::object();
  for (const auto& [tile, tour] : tours)
    out[std::to_string(tile)] = {
        {"cameras", tour.cameras}, {"dwell_s", tour.dwell_s}, {"position", tour.position}};
  return out;
}

json alarms_json(const WallState& state) {
  json out = json::array();
  for (const auto& alarm : state.alarms)
    out.push_back({{"rule", alarm.rule}, {"banner", alarm.banner}});
  return out;
}

std::string camera_name(const Config& config, const std::string& id) {
  const auto* camera = id.empty() ? nullptr : config.find_camera(id);
  return camera ? camera->name : std::string();
}

std::size_t tile_count(const WallState& state, const layouts::LayoutLibrary& layouts) {
  const auto* layout = layouts.find(state.layout);
  return layout ? layout->tiles.size() : 0;
}

}  // namespace

json wall_state_json(const WallState& state, const Config& config,
                     const layouts::LayoutLibrary& layouts) {
  json tiles = json::array();
  for (std::size_t i = 0; i < tile_count(state, layouts); ++i)
    tiles.push_back({{"tile", i + 1},
                     {"camera", state.slots[i]},
                     {"name", camera_name(config, state.slots[i])}});
  json presets = json::array();
  for (const auto& [name, preset] : state.presets) presets.push_back(name);
  return {{"version", state.version},
          {"layout", state.layout},
          {"maximized", state.maximized},
          {"masks_lifted", state.masks_lifted},
          {"tiles", std::move(tiles)},
          {"alarms", alarms_json(state)},
          {"tours", tours_json(state.tours)},
          {"presets", std::move(presets)},
          {"quality_references", state.quality_references}};
}

json stream_json(const streams::StreamChannel& channel) {
  auto stats = channel.stats();
  auto key = channel.key();
  return {{"key", key},
          {"camera", std::string(streams::camera_of_key(key))},
          {"url", channel.redacted_url()},
          {"state", std::string(streams::to_string(channel.state()))},
          {"fps_in", stats.fps_in},
          {"fps_out", stats.fps_out},
          {"bitrate_kbps", stats.bitrate_kbps},
          {"width", stats.width},
          {"height", stats.height},
          {"codec", stats.codec},
          {"decoder", stats.decoder},
          {"hardware", stats.hardware_decoder},
          {"decoder_threads", stats.decoder_threads},
          {"frames_in", stats.frames_in},
          {"dropped", stats.frames_dropped},
          {"reconnects", stats.reconnects},
          {"generation", stats.pipeline_generation},
          {"probes", stats.probes},
          {"recovery_ms", stats.recovery_ms},
          {"last_error", stats.last_error},
          {"quality", quality_json(channel)}};
}

json quality_json(const streams::StreamChannel& channel) {
  const auto q = channel.quality();
  if (!q) return nullptr;
  return {{"faults", q->faults},
          {"luma", q->luma},
          {"contrast", q->contrast},
          {"sharpness", q->sharpness},
          {"motion", q->motion},
          {"colour_cast", q->colour_cast},
          {"noise", q->noise},
          {"flat", q->flat},
          {"shake", q->shake},
          {"scene_match", q->scene_match >= 0 ? json(q->scene_match) : json(nullptr)},
          {"scene_shift", q->scene_match >= 0 ? json(q->scene_shift) : json(nullptr)},
          {"samples", q->samples}};
}

json quality_report_json(const quality::QualityReport& report,
                         const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
                         const quality::QualitySnapshots* pictures) {
  int pictures_left = kMaxReportSnapshots, left_out = 0;
  const auto iso = [](quality::SystemTime t) { return format_iso8601(t, std::chrono::hours(8)); };
  std::map<std::string, json> by_stream;
  for (const auto& channel : channels)
    if (channel->quality()) by_stream[channel->key()] = json::array();
  for (const auto& s : report.streams) {
    json faults = json::array();
    for (const auto& f : s.faults) {
      faults.push_back({{"check", f.check},
                        {"seconds", std::round(f.seconds * 10) / 10},
                        {"periods", f.periods},
                        {"longest_s", std::round(f.longest_s * 10) / 10},
                        {"longest_from", iso(f.longest_from)},
                        {"ongoing", f.ongoing}});
      if (!pictures) continue;
      json& snapshot = faults.back()["snapshot"];
      if (f.longest_snapshot.empty()) continue;  // null: none was taken (or kept)
      if (pictures_left == 0) {
        ++left_out;
        continue;
      }
      const auto jpeg = pictures->read(f.longest_snapshot);
      if (jpeg.empty()) continue;  // the quota has deleted it since
      snapshot = renderer::base64_encode(jpeg.data(), jpeg.size());
      --pictures_left;
    }
    by_stream[s.stream] = std::move(faults);
  }
  json list = json::array();
  for (auto& [key, faults] : by_stream)
    list.push_back({{"stream", key},
                    {"camera", std::string(streams::camera_of_key(key))},
                    {"faults", std::move(faults)}});
  json reply = {
      {"since", iso(report.since)}, {"until", iso(report.until)}, {"streams", std::move(list)}};
  if (pictures) reply["snapshots_left_out"] = left_out;
  return reply;
}

json stream_brief_json(const streams::StreamChannel& channel) {
  auto stats = channel.stats();
  return {{"key", channel.key()},
          {"state", std::string(streams::to_string(channel.state()))},
          {"fps_in", stats.fps_in},
          {"width", stats.width},
          {"height", stats.height},
          {"reconnects", stats.reconnects},
          {"quality", quality_json(channel)}};
}

json records_json(const RecordsHealth& health) {
  json audit = {{"ok", health.audit_ok}};
  if (!health.audit_ok) audit["error"] = health.audit_error;
  json state = {{"ok", health.state_ok}};
  if (!health.state_ok) state["error"] = health.state_error;
  return {{"ok", health.ok()}, {"audit", std::move(audit)}, {"state_file", std::move(state)}};
}

json status_json(const WallState& state, const renderer::WallView* view,
                 const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
                 const renderer::RenderStats& render, const RecordsHealth& records,
                 const Config& config, const layouts::LayoutLibrary& layouts) {
  // What each shown camera plays right now, from the view the renderer draws.
  struct Shown {
    std::string stream;
    std::string state;
  };
  std::map<std::string, Shown> shown;
  if (view) {
    for (const auto& tile : view->tiles) {
      if (tile.camera_id.empty()) continue;
      const bool sub = tile.preferred == renderer::StreamChoice::Sub;
      const auto& channel = tile.shown();
      shown[tile.camera_id] = {sub ? "sub" : "main",
                               channel ? std::string(streams::to_string(channel->state())) : ""};
    }
  }
  json tiles = json::array();
  for (std::size_t i = 0; i < tile_count(state, layouts); ++i) {
    const auto& id = state.slots[i];
    const auto* camera = id.empty() ? nullptr : config.find_camera(id);
    auto it = shown.find(id);
    tiles.push_back({{"tile", i + 1},
                     {"camera", id},
                     {"name", camera ? camera->name : ""},
                     {"street", camera ? camera->street : ""},
                     {"stream", it != shown.end() ? it->second.stream : ""},
                     {"state", it != shown.end() ? it->second.state : "hidden"}});
    if (id.empty()) tiles.back()["state"] = "empty";
  }
  json streams = json::array();
  for (const auto& channel : channels) streams.push_back(stream_json(*channel));
  json wall = {{"layout", state.layout},
               {"maximized", state.maximized},
               {"masks_lifted", state.masks_lifted},
               {"quality_references", state.quality_references},
               {"state_version", state.version},
               {"alarms", alarms_json(state)},
               {"tours", tours_json(state.tours)}};
  json render_json = {{"frames_presented", render.frames_presented},
                      {"view_version", render.view_version},
                      {"frames_refused", render.frames_refused},
                      {"gl_renderer", render.gl_renderer},
                      {"path", render.render_path}};
  return {{"wall", std::move(wall)},
          {"tiles", std::move(tiles)},
          {"streams", std::move(streams)},
          {"render", std::move(render_json)},
          {"records", records_json(records)}};
}

json cameras_json(const Config& config, const streams::StreamManager& streams) {
  std::map<std::string, std::string> state_by_key;
  for (const auto& channel : streams.channels())
    state_by_key[channel->key()] = std::string(streams::to_string(channel->state()));
  json cameras = json::array();
  for (const auto& camera : config.cameras) {
    auto it = state_by_key.find(camera.id + "/main");
    if (it == state_by_key.end()) it = state_by_key.find(camera.id + "/sub");
    // The newest verdict of either stream (on the wall, or left by a visit).
    std::shared_ptr<streams::StreamChannel> judged;
    std::optional<streams::PictureQuality> verdict;
    for (const char* stream : {"/main", "/sub"})
      if (auto channel = streams.channel(camera.id + stream))
        if (auto q = channel->quality();
            q && (!verdict || q->sampled_at_ms > verdict->sampled_at_ms)) {
          verdict = std::move(q);
          judged = channel;
        }
    json quality = nullptr;
    if (verdict) {
      quality = quality_json(*judged);
      quality["stream"] = judged->key();
      quality["sampled_at"] = format_iso8601(
          std::chrono::system_clock::time_point(std::chrono::milliseconds(verdict->sampled_at_ms)),
          std::chrono::hours(8));
    }
    cameras.push_back({{"id", camera.id},
                       {"name", camera.name},
                       {"street", camera.street},
                       {"has_sub", !camera.sub_url.empty()},
                       {"state", it != state_by_key.end() ? it->second : "idle"},
                       {"quality", std::move(quality)}});
  }
  return cameras;
}

json layouts_json(const WallState& state, const layouts::LayoutLibrary& layouts) {
  json list = json::array();
  for (const auto& name : layouts.names())
    if (const auto* layout = layouts.find(name))
      list.push_back({{"name", name}, {"tiles", layout->tiles.size()}});
  return {{"current", state.layout}, {"layouts", std::move(list)}};
}

std::vector<std::string> restart_required(const Config& current, const Config& next) {
  std::vector<std::string> fields;
  auto check = [&](bool differs, const char* field) {
    if (differs) fields.emplace_back(field);
  };
  check(current.wall.width != next.wall.width, "wall.width");
  check(current.wall.height != next.wall.height, "wall.height");
  check(current.wall.layouts_dir != next.wall.layouts_dir, "wall.layouts_dir");
  check(current.wall.render_path != next.wall.render_path, "wall.render_path");
  check(current.cases.endpoints != next.cases.endpoints, "cases.endpoints");
  check(current.cases.rules_path != next.cases.rules_path, "cases.rules");
  check(current.cases.silence_timeout != next.cases.silence_timeout, "cases.silence_timeout_s");
  check(current.api.endpoint != next.api.endpoint, "api.endpoint");
  check(current.api.pub_endpoint != next.api.pub_endpoint, "api.pub_endpoint");
  check(current.api.server_secret_key != next.api.server_secret_key, "api.curve.secret_key_file");
  check(current.storage.dir != next.storage.dir, "storage.dir");
  check(current.quality.enabled != next.quality.enabled, "quality.enabled");
  check(current.quality.off_wall != next.quality.off_wall ||
            current.quality.visit != next.quality.visit ||
            current.quality.visits_at_once != next.quality.visits_at_once,
        "quality.off_wall");
  check(current.outputs != next.outputs, "outputs");
  check(current.output_rtsp != next.output_rtsp, "output_rtsp");
  check(current.output_whep != next.output_whep, "output_whep");
  return fields;
}

std::string now_iso8601() {
  return format_iso8601(std::chrono::system_clock::now(), std::chrono::hours(8));
}

}  // namespace vw::controller::api
