// LiveOutputs::status(): what status's "outputs" says of each configured output.

#include "controller/app/live_outputs.hpp"
#include "controller/app/output_views.hpp"

namespace vw::controller {

using nlohmann::json;

json LiveOutputs::status() const {
  json list = json::array();
  std::lock_guard lock(mutex_);
  for (const OutputConfig& config : outputs_) {
    json o = {{"id", config.id},
              {"name", config.name},
              {"size", {config.width, config.height}},
              {"fps", config.fps},
              {"bitrate_kbps", config.bitrate_kbps},
              {"source", config.tile > 0        ? "tile"
                         : config.region[2] > 0 ? "region"
                                                : "wall"}};
    if (config.region[2] > 0) o["region"] = config.region;
    if (config.tile > 0) {
      o["tile"] = config.tile;
      auto t = tile_sources_.find(config.id);
      o["tile_in_layout"] = t != tile_sources_.end() && t->second.has_value();
    }
    json sinks = json::array();
    if (config.rtsp) sinks.push_back("rtsp");
    if (config.record) sinks.push_back("record");
    if (config.srt) sinks.push_back("srt");
    if (config.rtmp) sinks.push_back("rtmp");
    if (config.whep) sinks.push_back("whep");
    o["sinks"] = std::move(sinks);
    // Where a receiver finds it: the RTSP URL (while it runs), the SRT address, the RTMP target.
    json addresses = json::array();
    if (config.rtsp && running_.count(config.id) > 0) addresses.push_back(server_.url(config.id));
    if (config.srt) {
      const OutputSrtConfig& srt = config.srt_sink;
      addresses.push_back("srt://" + streams::url_host(srt.host) + ":" + std::to_string(srt.port) +
                          (srt.listener ? "" : "?mode=caller"));
    }
    if (config.rtmp) addresses.push_back(shown_url(config.rtmp_url));
    if (config.whep)
      addresses.push_back(whep_ ? whep_->page_url(config.id)
                                : "http://" + streams::url_host(whep_config_.address) + ":" +
                                      std::to_string(whep_config_.port) + "/" + config.id + "/");
    o["addresses"] = std::move(addresses);
    if (auto r = retries_.find(config.id); r != retries_.end() && r->second.restarts > 0) {
      o["restarts"] = r->second.restarts;
      o["restarted_for"] = r->second.last_error;
    }
    auto it = running_.find(config.id);
    if (it == running_.end()) {
      auto error = errors_.find(config.id);
      o["state"] = error != errors_.end() ? "failed" : "stopped";
      if (error != errors_.end()) o["error"] = error->second;
      list.push_back(std::move(o));
      continue;
    }
    const streams::LiveOutputStats s = it->second->stats();
    o["state"] = s.state;
    if (!s.error.empty()) o["error"] = s.error;
    int clients = 0;  // RTSP clients and WebRTC viewers
    if (config.rtsp) {
      o["url"] = server_.url(config.id);
      clients += server_.clients(config.id);
    }
    if (config.whep && whep_) {
      const int viewers = whep_->viewers(config.id);
      o["whep"] = {{"url", whep_->page_url(config.id)},
                   {"endpoint", whep_->endpoint_url(config.id)},
                   {"viewers", viewers},
                   {"max_viewers", whep_config_.max_viewers}};
      clients += viewers;
    }
    if (config.rtsp || config.whep) o["clients"] = clients;
    if (auto r = recordings_.find(config.id); r != recordings_.end()) {
      const streams::RecordingStats rs = r->second->stats();
      o["recording"] = {{"dir", recording_dir(config)},
                        {"segments", rs.segments},
                        {"bytes", rs.bytes},
                        {"removed", rs.removed}};
      if (!rs.error.empty()) o["recording"]["error"] = rs.error;
    }
    if (auto p = pushes_.find(config.id); p != pushes_.end()) {
      for (const Push& push : p->second) {
        const streams::PushOptions& options = push.options;
        json entry;
        if (options.kind == streams::PushOptions::Kind::srt) {
          entry = {{"mode", config.srt_sink.listener ? "listener" : "caller"},
                   {"address", options.uri.substr(0, options.uri.find('?'))},
                   {"encrypted", !config.srt_sink.passphrase.empty()}};
        } else {
          entry = {{"url", shown_url(options.uri)}};
        }
        const streams::PushStats ps = push.sink ? push.sink->stats() : streams::PushStats{};
        const std::string error = push.sink ? ps.error : push.start_error;
        entry["state"] = error.empty() ? "running" : "failed";
        if (!error.empty()) entry["error"] = error;
        if (ps.clients >= 0) entry["clients"] = ps.clients;
        entry["bytes_sent"] = ps.bytes_sent;
        if (options.kind == streams::PushOptions::Kind::srt) {
          entry["packets_lost"] = ps.packets_lost;
          entry["packets_retransmitted"] = ps.packets_retransmitted;
          if (ps.rtt_ms >= 0) entry["rtt_ms"] = ps.rtt_ms;
        }
        if (push.retry.restarts > 0) {
          entry["restarts"] = push.retry.restarts;
          entry["restarted_for"] = push.retry.last_error;
        }
        o[streams::push_kind_name(options.kind)] = std::move(entry);
      }
    }
    o["encoder"] = s.encoder;
    o["pictures_in"] = s.pictures_in;
    o["frames_fed"] = s.frames_fed;
    o["frames_encoded"] = s.frames_encoded;
    o["encoder_drops"] = s.encoder_drops;
    o["sink_drops"] = s.sink_drops;
    o["bytes_encoded"] = s.bytes_encoded;
    list.push_back(std::move(o));
  }
  return list;
}

}  // namespace vw::controller
