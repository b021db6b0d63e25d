#include "controller/app/live_outputs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "controller/app/output_views.hpp"

namespace vw::controller {

namespace {

streams::OutputServerOptions server_options(const OutputRtspConfig& rtsp) {
  streams::OutputServerOptions options{rtsp.address, rtsp.port, {}};
  for (const OutputRtspUser& user : rtsp.users) options.users.push_back({user.name, user.password});
  return options;
}

// The PushSink options of an output's SRT sink and RTMP sink (those it has).
std::vector<streams::PushOptions> push_options(const OutputConfig& config) {
  std::vector<streams::PushOptions> out;
  if (config.srt) {
    const OutputSrtConfig& srt = config.srt_sink;
    streams::PushOptions o;
    o.output_id = config.id;
    o.kind = streams::PushOptions::Kind::srt;
    o.uri = "srt://" + srt_host_port(srt) + (srt.listener ? "?mode=listener" : "?mode=caller");
    o.passphrase = srt.passphrase;
    o.key_bytes = srt.key_bits / 8;
    o.latency_ms = srt.latency_ms;
    out.push_back(std::move(o));
  }
  if (config.rtmp) {
    streams::PushOptions o;
    o.output_id = config.id;
    o.kind = streams::PushOptions::Kind::rtmp;
    o.uri = config.rtmp_url;
    out.push_back(std::move(o));
  }
  return out;
}

// A black RGBA picture: what a tile output shows while the layout has no such tile.
streams::FramePtr black_picture(int width, int height) {
  auto pixels = std::make_shared<std::vector<std::uint8_t>>(
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4, 0);
  for (std::size_t i = 3; i < pixels->size(); i += 4) (*pixels)[i] = 255;  // opaque
  auto frame = std::make_shared<streams::VideoFrame>();
  frame->format = streams::PixelFormat::RGBA;
  frame->width = width;
  frame->height = height;
  frame->plane_count = 1;
  frame->planes[0] = pixels->data();
  frame->strides[0] = width * 4;
  frame->received = std::chrono::steady_clock::now();
  frame->storage = std::move(pixels);
  return frame;
}

}  // namespace

bool LiveOutputs::Retry::due(const std::string& failure,
                             std::chrono::steady_clock::time_point now) {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::seconds kMaxBackoff{30}, kSteady{30};
  if (failure.empty()) {
    failed_at = {};
    if (started_at != Clock::time_point{} && now - started_at > kSteady)
      backoff = std::chrono::seconds(1);
    return false;
  }
  if (failed_at == Clock::time_point{}) failed_at = now;
  if (now - failed_at < backoff) return false;
  ++restarts;
  last_error = failure;
  backoff = std::min(backoff * 2, kMaxBackoff);
  failed_at = {};
  started_at = now;
  return true;
}

LiveOutputs::LiveOutputs(const Config& config, const layouts::LayoutLibrary& layouts,
                         renderer::Renderer& renderer, std::string state_dir)
    : outputs_(config.outputs),
      layouts_(layouts),
      wall_width_(config.wall.width),
      wall_height_(config.wall.height),
      watermark_(config.output_watermark),
      state_dir_(std::move(state_dir)),
      renderer_(renderer),
      server_(server_options(config.output_rtsp)),
      whep_config_(config.output_whep),
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
  std::unique_ptr<service::WhepServer> whep;
  {
    std::lock_guard lock(mutex_);
    whep = std::move(whep_);
  }
  whep.reset();  // its listener stops; no viewer is left (stop() closed them)
}

std::string LiveOutputs::recording_dir(const OutputConfig& config) const {
  return !config.record_dir.empty()
             ? config.record_dir
             : (std::filesystem::path(state_dir_) / "recordings" / config.id).string();
}

void LiveOutputs::want(const WallState& state) {
  bool moved = false;  // a tile output's tile moved, left the layout or came back
  {
    std::lock_guard lock(mutex_);
    wanted_ = state.outputs;
    for (const OutputConfig& config : outputs_) {
      if (config.tile <= 0) continue;
      auto source = output_source(state, layouts_, wall_width_, wall_height_, config);
      auto it = tile_sources_.find(config.id);
      if (it != tile_sources_.end() && it->second == source) continue;
      tile_sources_[config.id] = source;
      moved = true;
    }
  }
  wake_.notify_all();
  if (moved) update_taps();
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
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mutex_);
    wanted = applied_;
  }
  for (const OutputConfig& config : outputs_) {
    if (std::find(wanted.begin(), wanted.end(), config.id) == wanted.end()) continue;
    const std::string failure = failure_of(config.id);
    bool restart = false;
    {
      std::lock_guard lock(mutex_);
      restart = retries_[config.id].due(failure, std::chrono::steady_clock::now());
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
  heal_pushes();
  if (whep_) whep_->reap();  // viewers whose browser went away
}

void LiveOutputs::heal_pushes() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : pushes_) ids.push_back(entry.first);
  }
  for (const std::string& id : ids) {
    for (std::size_t i = 0;; ++i) {
      std::shared_ptr<streams::LiveOutput> output;
      streams::PushOptions options;
      std::string failure;
      {
        std::lock_guard lock(mutex_);
        auto it = running_.find(id);
        auto p = pushes_.find(id);
        if (it == running_.end() || p == pushes_.end() || i >= p->second.size()) break;
        Push& push = p->second[i];
        failure = push.sink ? push.sink->stats().error : push.start_error;
        if (!push.retry.due(failure, std::chrono::steady_clock::now())) continue;
        output = it->second;
        options = push.options;
      }
      spdlog::warn("output {}: restarting its {} sink after a failure: {}", id,
                   streams::push_kind_name(options.kind), failure);
      // A fresh sink takes the old one's place; the old one stops outside the lock.
      auto fresh = std::make_unique<streams::PushSink>(options);
      std::string error = fresh->start();
      if (!error.empty()) fresh.reset();
      std::unique_ptr<streams::PushSink> old;
      {
        std::lock_guard lock(mutex_);
        auto p = pushes_.find(id);
        if (p == pushes_.end() || i >= p->second.size()) break;  // the output stopped meanwhile
        Push& push = p->second[i];
        old = std::move(push.sink);
        if (fresh) output->attach(fresh->key(), fresh->appsrc());
        push.sink = std::move(fresh);
        push.start_error = std::move(error);
      }
      if (old) {
        output->detach(old->key());
        old->stop();
      }
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
  std::vector<Push> pushes;
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
    if (auto p = pushes_.find(id); p != pushes_.end()) {
      pushes = std::move(p->second);
      pushes_.erase(p);
    }
  }
  update_taps();
  server_.unmount(id);
  if (whep_) whep_->close_output(id);
  output->stop();                    // end-of-stream to every sink
  if (recording) recording->stop();  // the segment being written is finished
  for (Push& push : pushes)
    if (push.sink) push.sink->stop();
}

std::string LiveOutputs::start(const OutputConfig& config) {
  if (config.rtsp && !server_started_) {
    const std::string error = server_.start();
    server_started_ = error.empty();
    if (!server_started_) return "the RTSP server of the outputs: " + error;
  }
  if (config.whep) {
    if (std::string error = start_whep(); !error.empty())
      return "the WHEP endpoint of the outputs: " + error;
  }
  streams::OutputEncoding encoding;
  // Browsers offer H.264 constrained baseline and main, not always high (x264's default).
  if (config.whep) encoding.profile = "main";
  encoding.width = config.width;
  encoding.height = config.height;
  encoding.fps = config.fps;
  encoding.bitrate_kbps = config.bitrate_kbps;
  encoding.keyframe_s = config.keyframe_s;
  encoding.encoder = config.encoder;
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
  // An SRT or RTMP sink that cannot start now (its listener down) does not hold the output up:
  // heal_pushes() tries it again.
  std::vector<Push> pushes;
  for (const streams::PushOptions& options : push_options(config)) {
    Push push;
    push.options = options;
    push.sink = std::make_unique<streams::PushSink>(options);
    push.start_error = push.sink->start();
    if (push.start_error.empty()) {
      output->attach(push.sink->key(), push.sink->appsrc());
    } else {
      spdlog::error("output {}: {}", config.id, push.start_error);
      push.sink.reset();
    }
    pushes.push_back(std::move(push));
  }
  if (config.rtsp) server_.mount(output);
  {
    std::lock_guard lock(mutex_);
    running_[config.id] = output;
    if (recording) recordings_[config.id] = std::move(recording);
    if (!pushes.empty()) pushes_[config.id] = std::move(pushes);
    errors_.erase(config.id);
  }
  update_taps();
  spdlog::info("output {} ({}): {}{}{}{}", config.id, config.name,
               config.rtsp ? "serving " + server_.url(config.id) : std::string("running"),
               config.record ? ", recording" : "", config.srt ? ", SRT" : "",
               config.rtmp ? ", RTMP push" : "");
  if (config.whep)
    spdlog::info("output {}: browsers watch it at {}", config.id, whep_->page_url(config.id));
  return {};
}

std::string LiveOutputs::start_whep() {
  {
    std::lock_guard lock(mutex_);
    if (whep_) return {};
  }
  service::WhepServerOptions options;
  options.host = whep_config_.address;
  options.port = whep_config_.port;
  options.token = whep_config_.token;
  options.ice_addresses = whep_config_.ice_addresses;
  options.max_viewers = whep_config_.max_viewers;
  for (const OutputConfig& config : outputs_)
    if (config.whep) options.names[config.id] = config.name;
  auto find = [this](const std::string& id) -> std::shared_ptr<streams::LiveOutput> {
    std::lock_guard lock(mutex_);
    auto it = running_.find(id);
    return it != running_.end() ? it->second : nullptr;
  };
  try {
    auto whep = std::make_unique<service::WhepServer>(std::move(options), std::move(find));
    std::lock_guard lock(mutex_);
    whep_ = std::move(whep);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

void LiveOutputs::update_taps() {
  std::vector<renderer::OutputTap> taps;
  std::lock_guard lock(mutex_);
  for (const OutputConfig& config : outputs_) {
    auto it = running_.find(config.id);
    if (it == running_.end()) continue;
    std::optional<std::array<double, 4>> source;  // x, y, w, h in wall pixels
    if (config.tile > 0) {
      auto t = tile_sources_.find(config.id);
      if (t != tile_sources_.end()) source = t->second;
      if (!source) {
        // The layout has no such tile: black, rather than another part of the wall.
        it->second->push(black_picture(config.width, config.height));
        continue;
      }
    } else if (config.region[2] > 0) {
      source = {double(config.region[0]), double(config.region[1]), double(config.region[2]),
                double(config.region[3])};
    }
    renderer::OutputTap tap;
    tap.watermark = watermark_;
    tap.id = config.id;
    if (source) {
      const double w = wall_width_, h = wall_height_;
      const auto [x, y, sw, sh] = *source;
      tap.source = {float(x / w), float(y / h), float((x + sw) / w), float((y + sh) / h)};
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

}  // namespace vw::controller
