#include "controller/service/metrics_text.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

namespace vw::controller::service {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Label values escaped as the format wants: backslash, double quote and line feed.
std::string escaped(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// One metric family at a time: HELP and TYPE once, then its samples.
class Writer {
 public:
  Writer() { out_.precision(12); }
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    out_ << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
  }
  void sample(double value, const Labels& labels = {}, std::string_view suffix = "") {
    out_ << name_ << suffix;
    if (!labels.empty()) {
      out_ << '{';
      for (std::size_t i = 0; i < labels.size(); ++i)
        out_ << (i ? "," : "") << labels[i].first << "=\"" << escaped(labels[i].second) << '"';
      out_ << '}';
    }
    out_ << ' ';
    if (std::isnan(value))
      out_ << "NaN";
    else if (value == std::floor(value) && std::fabs(value) < 1e15)
      out_ << static_cast<long long>(value);
    else
      out_ << value;
    out_ << '\n';
  }
  // A family of one sample.
  void single(std::string_view name, std::string_view type, std::string_view help, double value,
              const Labels& labels = {}) {
    family(name, type, help);
    sample(value, labels);
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::string name_;
};

// "minzu-01/main" -> camera "minzu-01", stream "main".
Labels stream_labels(const std::string& key) {
  const std::string camera(streams::camera_of_key(key));
  return {{"camera", camera},
          {"stream", camera.size() < key.size() ? key.substr(camera.size() + 1) : ""}};
}

constexpr streams::StreamState kStates[] = {
    streams::StreamState::Idle,         streams::StreamState::Connecting,
    streams::StreamState::Playing,      streams::StreamState::Stalled,
    streams::StreamState::Reconnecting, streams::StreamState::AuthFailed,
    streams::StreamState::NotFound,     streams::StreamState::Unsupported};

void write_streams(Writer& w, const MetricsInput& in) {
  struct Row {
    Labels labels;
    streams::StreamState state;
    streams::StreamStats stats;
    std::optional<streams::PictureQuality> quality;
  };
  std::vector<Row> rows;
  for (const auto& channel : in.channels)
    rows.push_back(
        {stream_labels(channel->key()), channel->state(), channel->stats(), channel->quality()});
  auto each = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    w.family(name, type, help);
    for (const auto& row : rows) w.sample(value(row), row.labels);
  };
  each("videowall_stream_frames_total", "counter", "Frames decoded.",
       [](const Row& r) { return double(r.stats.frames_in); });
  each("videowall_stream_frames_dropped_total", "counter",
       "Frames replaced before the renderer took them.",
       [](const Row& r) { return double(r.stats.frames_dropped); });
  each("videowall_stream_reconnects_total", "counter", "Pipeline rebuilds after a failure.",
       [](const Row& r) { return double(r.stats.reconnects); });
  each("videowall_stream_probes_total", "counter",
       "Reachability probes of the camera's server while the stream was down.",
       [](const Row& r) { return double(r.stats.probes); });
  each("videowall_stream_input_fps", "gauge", "Frames decoded per second (last ~2 s).",
       [](const Row& r) { return r.stats.fps_in; });
  each("videowall_stream_output_fps", "gauge",
       "Frames taken by the renderer per second (last ~2 s).",
       [](const Row& r) { return r.stats.fps_out; });
  each("videowall_stream_received_bits_per_second", "gauge",
       "Compressed bitrate into the decoder (last ~2 s).",
       [](const Row& r) { return r.stats.bitrate_kbps * 1000.0; });
  each("videowall_stream_hardware_decoder", "gauge", "1 when a hardware decoder decodes it.",
       [](const Row& r) { return r.stats.hardware_decoder ? 1.0 : 0.0; });
  each("videowall_stream_recovery_seconds", "gauge",
       "Last recovery: the server answered a probe -> first frame (NaN: none yet).",
       [](const Row& r) {
         return r.stats.recovery_ms < 0 ? std::nan("") : double(r.stats.recovery_ms) / 1000.0;
       });
  w.family("videowall_stream_state", "gauge", "1 for the state the stream is in.");
  for (const auto& row : rows)
    for (auto state : kStates) {
      Labels labels = row.labels;
      labels.emplace_back("state", std::string(streams::to_string(state)));
      w.sample(row.state == state ? 1 : 0, labels);
    }
  // The picture-quality diagnosis, for the streams it samples (controller/quality).
  w.family("videowall_stream_quality_fault", "gauge",
           "1 while the diagnosis holds the check failed (视频质量诊断).");
  for (const auto& row : rows) {
    if (!row.quality) continue;
    for (const auto check : quality::kChecks) {
      Labels labels = row.labels;
      labels.emplace_back("check", std::string(check));
      const auto& faults = row.quality->faults;
      w.sample(std::find(faults.begin(), faults.end(), check) != faults.end() ? 1 : 0, labels);
    }
  }
  auto figure = [&](std::string_view name, std::string_view help, auto value) {
    w.family(name, "gauge", help);
    for (const auto& row : rows)
      if (row.quality) w.sample(value(*row.quality), row.labels);
  };
  figure("videowall_stream_quality_luma", "Mean luminance of the last sample, 0..255.",
         [](const streams::PictureQuality& q) { return q.luma; });
  figure("videowall_stream_quality_sharpness", "Variance of the Laplacian of the last sample.",
         [](const streams::PictureQuality& q) { return q.sharpness; });
  figure("videowall_stream_quality_motion", "Mean difference from the sample before (-1: none).",
         [](const streams::PictureQuality& q) { return q.motion; });
  w.family("videowall_stream_info", "gauge", "The stream's codec and decoder.");
  for (const auto& row : rows) {
    Labels labels = row.labels;
    labels.emplace_back("codec", row.stats.codec);
    labels.emplace_back("decoder", row.stats.decoder);
    w.sample(1, labels);
  }
}

void write_render(Writer& w, const MetricsInput& in) {
  const auto& r = in.render;
  w.single("videowall_render_composites_total", "counter", "Composites drawn.",
           double(r.frames_presented));
  w.single("videowall_render_idle_turns_total", "counter", "Render loop turns with nothing new.",
           double(r.frames_skipped));
  w.single("videowall_render_loop_turns_total", "counter", "Render loop turns.",
           double(in.render_turns));
  w.single("videowall_render_full_redraws_total", "counter", "Composites that redrew the wall.",
           double(r.full_redraws));
  w.single("videowall_render_tile_draws_total", "counter", "Tiles redrawn.", double(r.tile_draws));
  w.single("videowall_render_frames_refused_total", "counter", "Malformed frames not drawn.",
           double(r.frames_refused));
  w.family("videowall_render_composite_seconds", "histogram",
           "Composite time: turn start to drawn and presented (no glFinish).");
  std::uint64_t cumulative = 0;
  const auto& bounds = renderer::RenderStats::kCompositeBucketsMs;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += r.composite_ms_buckets[i];
    std::ostringstream le;
    le << bounds[i] / 1000.0;
    w.sample(double(cumulative), {{"le", le.str()}}, "_bucket");
  }
  cumulative += r.composite_ms_buckets.back();
  w.sample(double(cumulative), {{"le", "+Inf"}}, "_bucket");
  w.sample(r.composite_ms_sum / 1000.0, {}, "_sum");
  w.sample(double(cumulative), {}, "_count");
  w.single("videowall_render_info", "gauge", "The render path and the GL renderer.", 1,
           {{"path", r.render_path}, {"gl_renderer", r.gl_renderer}});
  if (!in.view) return;
  const TileCounts tiles = tile_counts(*in.view);
  w.single("videowall_wall_tiles", "gauge", "Tiles of the current layout.",
           double(in.view->tiles.size()), {{"layout", in.view->layout_name}});
  w.single("videowall_wall_tiles_assigned", "gauge", "Tiles with a camera.", tiles.assigned);
  w.single("videowall_wall_tiles_playing", "gauge", "Tiles with a camera whose stream plays.",
           tiles.playing);
}

void write_records(Writer& w, const MetricsInput& in) {
  w.family("videowall_audit_lines_total", "counter", "Lines in each audit log.");
  w.sample(double(in.audit_command_lines), {{"log", "commands"}});
  w.sample(double(in.audit_refusal_lines), {{"log", "refusals"}});
  w.single("videowall_audit_ok", "gauge", "1 while audit appends succeed.",
           in.records.audit_ok ? 1 : 0);
  w.single("videowall_state_file_ok", "gauge", "1 while the wall state file is saved.",
           in.records.state_ok ? 1 : 0);
}

void write_api(Writer& w, const api::ApiCounters& api) {
  w.single("videowall_api_requests_total", "counter", "Control API requests read.",
           double(api.requests));
  w.family("videowall_api_refusals_total", "counter", "Control API requests refused, by code.");
  for (const auto& [code, count] : api.refused) w.sample(double(count), {{"code", code}});
}

void write_cases(Writer& w, const CaseFeedStats& c) {
  w.family("videowall_cases_messages_total", "counter", "Case feed messages, by outcome.");
  w.sample(double(c.accepted), {{"result", "accepted"}});
  w.sample(double(c.rejected), {{"result", "rejected"}});
  w.family("videowall_cases_rejected_total", "counter", "Case feed messages rejected, by kind.");
  for (const auto& [kind, count] : c.rejected_by_kind) w.sample(double(count), {{"kind", kind}});
  w.single("videowall_cases_gaps_total", "counter", "Sequence gaps in the case feed.",
           double(c.board.gaps));
  w.single("videowall_cases_lost_total", "counter", "Messages missing in the gaps.",
           double(c.board.lost));
  w.single("videowall_cases_publisher_restarts_total", "counter", "Publisher restarts seen.",
           double(c.board.restarts));
  w.single("videowall_cases_disconnects_total", "counter", "Case feed transport disconnects.",
           double(c.disconnects));
  w.single("videowall_cases_stale", "gauge", "1 while the case figures are stale (数据中断).",
           c.stale ? 1 : 0);
}

void write_health(Writer& w, const HealthReport& h) {
  w.single("videowall_live", "gauge", "1 while every watched thread makes progress.",
           h.live ? 1 : 0);
  w.single("videowall_ready", "gauge", "1 once config, API and first composite are there.",
           h.ready ? 1 : 0);
  w.family("videowall_thread_stuck", "gauge", "1 for a watched thread without progress.");
  for (const auto& name : h.watched) {
    bool stuck = false;
    for (const auto& s : h.stuck) stuck = stuck || s == name;
    w.sample(stuck ? 1 : 0, {{"thread", name}});
  }
  w.single("videowall_watchdog_pings_total", "counter", "WATCHDOG=1 messages sent to systemd.",
           double(h.watchdog_pings));
}

}  // namespace

TileCounts tile_counts(const renderer::WallView& view) {
  TileCounts counts;
  for (const auto& tile : view.tiles) {
    if (tile.camera_id.empty()) continue;
    ++counts.assigned;
    const auto& channel = tile.shown();
    if (channel && channel->state() == streams::StreamState::Playing) ++counts.playing;
  }
  return counts;
}

std::string prometheus_text(const MetricsInput& input) {
  Writer w;
  write_health(w, input.health);
  write_streams(w, input);
  write_render(w, input);
  write_records(w, input);
  if (input.api) write_api(w, *input.api);
  if (input.cases) write_cases(w, *input.cases);
  return w.text();
}

}  // namespace vw::controller::service
