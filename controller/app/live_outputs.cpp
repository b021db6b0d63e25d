#include "controller/app/live_outputs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace vw::controller {

using nlohmann::json;

namespace {

streams::OutputServerOptions server_options(const OutputRtspConfig& rtsp) {
  streams::OutputServerOptions options{rtsp.address, rtsp.port, {}};
  for (const OutputRtspUser& user : rtsp.users) options.users.push_back({user.name, user.password});
  return options;
}

}  // namespace

LiveOutputs::LiveOutputs(const Config& config, renderer::Renderer& renderer, std::string state_dir)
    : outputs_(config.outputs),
      wall_width_(config.wall.width),
      wall_height_(config.wall.height),
      watermark_(config.output_watermark),
      state_dir_(std::move(state_dir)),
      renderer_(renderer),
      server_(server_options(config.output_rtsp)),
      thread_([this] { run(); }) {}

LiveOutputs::~LiveOutputs() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  renderer_.set_outputs({});
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : running_) ids.push_back(entry.first);
  }
  for (const std::string& id : ids) stop(id);
  server_.stop();
}

std::string LiveOutputs::recording_dir(const OutputConfig& config) const {
  return !config.record_dir.empty()
             ? config.record_dir
             : (std::filesystem::path(state_dir_) / "recordings" / config.id).string();
}

void LiveOutputs::want(std::vector<std::string> ids) {
  {
    std::lock_guard lock(mutex_);
    wanted_ = std::move(ids);
  }
  wake_.notify_all();
}

void LiveOutputs::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Woken by a new set, or once a second to look for failed outputs.
    wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || wanted_.has_value(); });
    if (stopping_) return;
    if (wanted_.has_value()) {
      std::vector<std::string> wanted = std::move(*wanted_);
      wanted_.reset();
      if (wanted != applied_) {  // most changes of the wall leave the outputs alone
        applied_ = wanted;
        lock.unlock();
        reconcile(wanted);
        lock.lock();
      }
    }
    lock.unlock();
    heal();
    lock.lock();
  }
}

std::string LiveOutputs::failure_of(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = running_.find(id);
  if (it == running_.end()) {
    auto error = errors_.find(id);
    return error != errors_.end() ? error->second : std::string();
  }
  const streams::LiveOutputStats s = it->second->stats();
  if (s.state == "failed") return "encoder: " + s.error;
  if (auto r = recordings_.find(id); r != recordings_.end()) {
    const std::string error = r->second->stats().error;
    if (!error.empty()) return "recording: " + error;
  }
  return {};
}

void LiveOutputs::heal() {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::seconds kMaxBackoff{30}, kSteady{30};
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mutex_);
    wanted = applied_;
  }
  for (const OutputConfig& config : outputs_) {
    if (std::find(wanted.begin(), wanted.end(), config.id) == wanted.end()) continue;
    const std::string failure = failure_of(config.id);
    const auto now = Clock::now();
    bool restart = false;
    {
      std::lock_guard lock(mutex_);
      Retry& r = retries_[config.id];
      if (failure.empty()) {
        r.failed_at = {};
        if (r.started_at != Clock::time_point{} && now - r.started_at > kSteady) {
          r.backoff = std::chrono::seconds(1);
        }
        continue;
      }
      if (r.failed_at == Clock::time_point{}) r.failed_at = now;
      restart = now - r.failed_at >= r.backoff;
      if (restart) {
        ++r.restarts;
        r.last_error = failure;
        r.backoff = std::min(r.backoff * 2, kMaxBackoff);
        r.failed_at = {};
        r.started_at = now;
      }
    }
    if (!restart) continue;
    spdlog::warn("output {}: restarting after a failure: {}", config.id, failure);
    stop(config.id);
    if (std::string error = start(config); !error.empty()) {
      spdlog::error("output {}: not restarted: {}", config.id, error);
      std::lock_guard lock(mutex_);
      errors_[config.id] = std::move(error);
    }
  }
}

void LiveOutputs::reconcile(const std::vector<std::string>& wanted) {
  auto is_wanted = [&](const std::string& id) {
    return std::find(wanted.begin(), wanted.end(), id) != wanted.end();
  };
  for (const OutputConfig& output : outputs_) {
    bool running = false;
    {
      std::lock_guard lock(mutex_);
      running = running_.count(output.id) > 0;
      if (!is_wanted(output.id)) {
        errors_.erase(output.id);
        retries_.erase(output.id);
      }
    }
    if (running && !is_wanted(output.id)) stop(output.id);
    if (running || !is_wanted(output.id)) continue;
    if (std::string error = start(output); !error.empty()) {
      spdlog::error("output {}: not started: {}", output.id, error);
      std::lock_guard lock(mutex_);
      errors_[output.id] = std::move(error);
    }
  }
}

void LiveOutputs::stop(const std::string& id) {
  std::shared_ptr<streams::LiveOutput> output;
  std::unique_ptr<streams::RecordingSink> recording;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(id);
    if (it == running_.end()) return;
    output = std::move(it->second);
    running_.erase(it);
    if (auto r = recordings_.find(id); r != recordings_.end()) {
      recording = std::move(r->second);
      recordings_.erase(r);
    }
  }
  update_taps();
  server_.unmount(id);
  output->stop();                    // end-of-stream to every sink
  if (recording) recording->stop();  // the segment being written is finished
}

std::string LiveOutputs::start(const OutputConfig& config) {
  if (config.rtsp && !server_started_) {
    const std::string error = server_.start();
    server_started_ = error.empty();
    if (!server_started_) return "the RTSP server of the outputs: " + error;
  }
  streams::OutputEncoding encoding;
  encoding.width = config.width;
  encoding.height = config.height;
  encoding.fps = config.fps;
  encoding.bitrate_kbps = config.bitrate_kbps;
  encoding.keyframe_s = config.keyframe_s;
  auto output = std::make_shared<streams::LiveOutput>(config.id, encoding);
  if (std::string error = output->start(); !error.empty()) return error;
  std::unique_ptr<streams::RecordingSink> recording;
  if (config.record) {
    streams::RecordingOptions options;
    options.id = config.id;
    options.dir = recording_dir(config);
    options.segment_s = config.segment_s;
    options.max_bytes = config.record_max_bytes;
    recording = std::make_unique<streams::RecordingSink>(options);
    if (std::string error = recording->start(); !error.empty()) {
      output->stop();
      return "recording: " + error;
    }
    output->attach(recording->key(), recording->appsrc());
  }
  if (config.rtsp) server_.mount(output);
  {
    std::lock_guard lock(mutex_);
    running_[config.id] = output;
    if (recording) recordings_[config.id] = std::move(recording);
    errors_.erase(config.id);
  }
  update_taps();
  spdlog::info("output {} ({}): {}{}", config.id, config.name,
               config.rtsp ? "serving " + server_.url(config.id) : std::string("running"),
               config.record ? ", recording" : "");
  return {};
}

void LiveOutputs::update_taps() {
  std::vector<renderer::OutputTap> taps;
  std::lock_guard lock(mutex_);
  for (const OutputConfig& config : outputs_) {
    auto it = running_.find(config.id);
    if (it == running_.end()) continue;
    renderer::OutputTap tap;
    tap.watermark = watermark_;
    tap.id = config.id;
    if (config.region[2] > 0) {
      const auto w = static_cast<float>(wall_width_), h = static_cast<float>(wall_height_);
      tap.source = {static_cast<float>(config.region[0]) / w,
                    static_cast<float>(config.region[1]) / h,
                    static_cast<float>(config.region[0] + config.region[2]) / w,
                    static_cast<float>(config.region[1] + config.region[3]) / h};
    }
    tap.width = config.width;
    tap.height = config.height;
    tap.fps = config.fps;
    tap.deliver = [weak = std::weak_ptr<streams::LiveOutput>(it->second)](streams::FramePtr f) {
      if (auto output = weak.lock()) output->push(std::move(f));
    };
    taps.push_back(std::move(tap));
  }
  renderer_.set_outputs(std::move(taps));
}

json LiveOutputs::status() const {
  json list = json::array();
  std::lock_guard lock(mutex_);
  for (const OutputConfig& config : outputs_) {
    json o = {{"id", config.id},
              {"name", config.name},
              {"size", {config.width, config.height}},
              {"fps", config.fps},
              {"bitrate_kbps", config.bitrate_kbps},
              {"source", config.region[2] > 0 ? "region" : "wall"}};
    if (config.region[2] > 0) o["region"] = config.region;
    json sinks = json::array();
    if (config.rtsp) sinks.push_back("rtsp");
    if (config.record) sinks.push_back("record");
    o["sinks"] = std::move(sinks);
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
    if (config.rtsp) {
      o["url"] = server_.url(config.id);
      o["clients"] = server_.clients(config.id);
    }
    if (auto r = recordings_.find(config.id); r != recordings_.end()) {
      const streams::RecordingStats rs = r->second->stats();
      o["recording"] = {{"dir", recording_dir(config)},
                        {"segments", rs.segments},
                        {"bytes", rs.bytes},
                        {"removed", rs.removed}};
      if (!rs.error.empty()) o["recording"]["error"] = rs.error;
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
