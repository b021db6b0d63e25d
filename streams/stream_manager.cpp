// StreamManager: the supervisor. See stream_manager.hpp for the contract.
//
// Threads:
// - Callers (any thread): set_wanted(), channel(), channels() touch only `Impl::mutex`-guarded
//   fields (channels, live, pending) and notify `Impl::wake`. They never wait on GStreamer.
// - The supervisor thread (Impl::run) owns `streams` and every StreamPipeline until it hands one
//   to the TeardownQueue. It polls buses without blocking, applies wanted sets, runs the stall,
//   connect and backoff timers, and publishes statistics once a second.
// - The teardown thread (TeardownQueue) sets retired pipelines to NULL and frees them.
// - The probe thread (ServerProbe) asks failed streams' servers whether they answer again.
// - GStreamer streaming threads publish frames into the channels' mailboxes (stream_pipeline.cpp).
#include "streams/stream_manager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "streams/gst_init.hpp"
#include "streams/rtsp_url.hpp"
#include "streams/server_probe.hpp"
#include "streams/stream_pipeline.hpp"
#include "streams/teardown_queue.hpp"

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr auto kTick = 50ms;              // timer resolution of the supervisor
constexpr auto kStatsPeriod = 1s;         // statistics refresh
constexpr auto kStatsWindow = 2s;         // rates are averaged over this
constexpr auto kBackoffResetAfter = 10s;  // playing this long counts as a healthy stream
constexpr auto kMinConnectTimeout = 5s;   // first frame must come within max(stall, this)
constexpr auto kMaxStalledDwell = 1s;     // Stalled is shown this long at most, then Reconnecting
constexpr auto kProbeInterval = 250ms;    // between one probe's end and the next one's start

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<milliseconds>(d).count();
}

struct RateSample {
  Clock::time_point at;
  std::uint64_t frames = 0, consumed = 0, bytes = 0;
};

// Everything the supervisor knows about one key. Records are kept after a stream stops, so its
// frame sequence keeps increasing if it is wanted again (the renderer compares sequences).
struct Stream {
  StreamSpec spec;
  std::shared_ptr<StreamChannel> channel;
  std::shared_ptr<StreamCounters> counters = std::make_shared<StreamCounters>();
  std::unique_ptr<StreamPipeline> pipeline;
  StreamState state = StreamState::Idle;
  bool wanted = false;
  Clock::time_point linger_until{}, built_at{}, playing_since{}, stalled_until{}, retry_at{};
  milliseconds backoff{0};
  std::uint64_t generation = 0, reconnects = 0;
  std::string last_error;
  // Probes between rebuilds (server_probe.hpp). `server_down`: since the last rebuild a probe
  // found the server not answering; the next probe that gets an answer rebuilds at once, and
  // while it is down no rebuild happens before backoff_max has passed since the last one.
  std::optional<RtspAddress> probe_address;  // none: not an RTSP URL, no probes
  bool probing = false, server_down = false;
  Clock::time_point next_probe{}, answered_at{}, failed_at{};
  std::uint64_t probes = 0;
  long long recovery_ms = -1;  // the last recovery: probe answered -> first frame
  std::deque<RateSample> samples;
};

}  // namespace

struct StreamManager::Impl {
  Impl(Wakeup* render_wakeup_, StreamManagerOptions options_)
      : render_wakeup(render_wakeup_), options(options_), rng(std::random_device{}()) {}

  Wakeup* const render_wakeup;
  const StreamManagerOptions options;
  const std::shared_ptr<Wakeup> wake = std::make_shared<Wakeup>();  // wakes the supervisor
  std::atomic<bool> stopping{false};

  // Caller side, guarded by `mutex`.
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<StreamChannel>> channels;  // every key ever seen
  std::set<std::string> live;                                      // running or lingering
  std::optional<std::vector<StreamSpec>> pending;                  // latest set_wanted, unapplied
  std::map<Wanter, std::vector<StreamSpec>> wanted_by;             // each wanter's latest set

  // Supervisor thread only.
  std::map<std::string, Stream> streams;
  std::mt19937 rng;
  Clock::time_point next_stats{};
  std::size_t wanted_now = 0;  // streams in the last wanted set (decoder threads are shared out)

  TeardownQueue teardown;
  ServerProbe probe{wake};
  std::thread supervisor;

  void run();
  void tick(Clock::time_point now);
  void apply_pending(Clock::time_point now);
  void supervise(Stream& s, Clock::time_point now);
  void build(Stream& s, Clock::time_point now, bool reconnect);
  void probe_or_rebuild(Stream& s, Clock::time_point now);
  void fail(Stream& s, PipelineEvent::Kind kind, const std::string& why, Clock::time_point now);
  void retire(Stream& s);
  void stop(Stream& s);
  void set_state(Stream& s, StreamState state);
  void publish_counters(Stream& s);
  void update_stats(Stream& s, Clock::time_point now);
  void shutdown_all();
};

void StreamManager::Impl::run() {
  spdlog::debug("stream supervisor: started");
  while (!stopping.load()) {
    try {
      tick(Clock::now());
    } catch (const std::exception& e) {
      spdlog::error("stream supervisor: {}", e.what());
    } catch (...) {
      spdlog::error("stream supervisor: unknown exception");
    }
    wake->wait_for(kTick);
  }
  try {
    shutdown_all();
  } catch (const std::exception& e) {
    spdlog::error("stream supervisor shutdown: {}", e.what());
  }
  spdlog::debug("stream supervisor: stopped");
}

void StreamManager::Impl::tick(Clock::time_point now) {
  apply_pending(now);
  for (auto& [key, s] : streams) {
    try {
      supervise(s, now);
    } catch (const std::exception& e) {
      spdlog::error("stream {}: supervision failed: {}", key, e.what());
    }
  }
  if (now >= next_stats) {
    next_stats = now + kStatsPeriod;
    for (auto& [key, s] : streams) update_stats(s, now);
  }
}

void StreamManager::Impl::apply_pending(Clock::time_point now) {
  std::vector<StreamSpec> specs;
  std::map<std::string, std::shared_ptr<StreamChannel>> listed;
  {
    std::lock_guard lock(mutex);
    if (!pending) return;
    specs = std::move(*pending);
    pending.reset();
    for (const StreamSpec& spec : specs) listed.emplace(spec.key, channels.at(spec.key));
  }
  wanted_now = listed.size();
  // Pipelines are built outside the lock: callers of set_wanted never wait for that.
  std::set<std::string> seen;
  for (const StreamSpec& spec : specs) {
    if (!seen.insert(spec.key).second) {
      spdlog::warn("stream {}: listed twice in the wanted set; the first spec wins", spec.key);
      continue;
    }
    auto [it, created] = streams.try_emplace(spec.key);
    Stream& s = it->second;
    if (created) {
      s.channel = listed.at(spec.key);
      s.backoff = options.backoff_initial;
    }
    s.wanted = true;
    if (s.state == StreamState::Idle) {
      s.spec = spec;
      s.backoff = options.backoff_initial;
      build(s, now, false);
    } else if (!(s.spec == spec)) {
      spdlog::info("stream {}: configuration changed, restarting", spec.key);
      s.spec = spec;
      s.backoff = options.backoff_initial;
      build(s, now, false);  // also leaves AuthFailed / NotFound
    }
  }
  for (auto& [key, s] : streams) {
    if (s.wanted && listed.count(key) == 0) {
      s.wanted = false;
      s.linger_until = now + options.linger;
      spdlog::debug("stream {}: no longer wanted, lingering {} ms", key, options.linger.count());
    }
  }
  std::lock_guard lock(mutex);
  live.clear();
  for (auto& [key, s] : streams) {
    if (s.wanted || s.state != StreamState::Idle) live.insert(key);
  }
  if (pending) {  // posted meanwhile: its keys are live already
    for (const StreamSpec& spec : *pending) live.insert(spec.key);
  }
}

void StreamManager::Impl::supervise(Stream& s, Clock::time_point now) {
  if (!s.wanted && s.state != StreamState::Idle && now >= s.linger_until) {
    std::lock_guard lock(mutex);
    bool wanted_again =
        pending && std::any_of(pending->begin(), pending->end(),
                               [&](const StreamSpec& p) { return p.key == s.spec.key; });
    if (!wanted_again) {
      stop(s);
      live.erase(s.spec.key);
      return;
    }
  }
  if (s.pipeline) {
    if (std::optional<PipelineEvent> event = s.pipeline->poll_bus()) {
      fail(s, event->kind, event->message, now);
      return;
    }
  }
  switch (s.state) {
    case StreamState::Connecting: {
      PipelineInfo info = s.pipeline->info();
      if (info.frames > 0) {
        s.playing_since = now;
        if (s.answered_at != Clock::time_point{}) {
          s.recovery_ms = ms(now - s.answered_at);
          s.answered_at = {};
        }
        set_state(s, StreamState::Playing);
        spdlog::info("stream {}: playing {} {}x{} (decoder {}{})", s.spec.key, info.codec,
                     info.width, info.height, info.decoder, info.hardware ? ", hardware" : "");
      } else {
        auto timeout = std::max<Clock::duration>(s.spec.stall_timeout, kMinConnectTimeout);
        if (now - s.built_at > timeout) {
          // Where the connection got stuck, for the operator: rtspsrc's last step.
          fail(s, PipelineEvent::Kind::Error,
               "no frame within " + std::to_string(ms(timeout)) + " ms of connecting" +
                   (info.step.empty() ? std::string() : " (last step: " + info.step + ")"),
               now);
        }
      }
      break;
    }
    case StreamState::Playing: {
      Clock::time_point last = std::max(s.pipeline->info().last_frame, s.playing_since);
      if (now - last > s.spec.stall_timeout) {
        fail(s, PipelineEvent::Kind::Error,
             "no frame for " + std::to_string(ms(now - last)) + " ms", now);
      } else if (now - s.playing_since >= kBackoffResetAfter) {
        s.backoff = options.backoff_initial;
      }
      break;
    }
    case StreamState::Stalled:
      if (now >= s.stalled_until) set_state(s, StreamState::Reconnecting);
      probe_or_rebuild(s, now);
      break;
    case StreamState::Reconnecting:
      probe_or_rebuild(s, now);
      break;
    case StreamState::Idle:
    case StreamState::AuthFailed:
    case StreamState::NotFound:
    case StreamState::Unsupported:
      break;
  }
}

// Between rebuilds of a failed stream: takes the probe's outcome, starts the next probe, and
// rebuilds when the server answers again after it was seen down, or when the backoff has passed
// (unless the server is known down: then at most every backoff_max, in case the probe is wrong).
void StreamManager::Impl::probe_or_rebuild(Stream& s, Clock::time_point now) {
  if (s.probe_address) {
    if (std::optional<ProbeOutcome> outcome = probe.take(s.spec.key)) {
      s.probing = false;
      ++s.probes;
      s.next_probe = now + kProbeInterval;
      if (!outcome->answered) {
        if (!s.server_down) {
          spdlog::info("stream {}: server not answering ({}); probing every {} ms", s.spec.key,
                       outcome->detail, ms(kProbeInterval));
        }
        s.server_down = true;
      } else if (s.server_down) {
        spdlog::info("stream {}: server answers again ({}, {} ms); rebuilding now", s.spec.key,
                     outcome->detail, outcome->took.count());
        s.answered_at = now;
        build(s, now, true);
        return;
      }
    }
    if (!s.probing && now >= s.next_probe) {
      probe.start(s.spec.key, *s.probe_address);
      s.probing = true;
    }
  }
  if (s.state == StreamState::Reconnecting && now >= s.retry_at &&
      (!s.server_down || now - s.failed_at >= options.backoff_max)) {
    build(s, now, true);
  }
}

void StreamManager::Impl::build(Stream& s, Clock::time_point now, bool reconnect) {
  retire(s);
  probe.cancel(s.spec.key);
  s.probing = s.server_down = false;
  s.probe_address = options.probe_servers ? rtsp_address(s.spec.url) : std::nullopt;
  ++s.generation;
  if (reconnect) ++s.reconnects;
  s.built_at = now;
  s.samples.clear();
  set_state(s, StreamState::Connecting);
  spdlog::info("stream {}: connecting to {} (generation {})", s.spec.key, redact_url(s.spec.url),
               s.generation);
  std::size_t decoding = 1;  // this one, and every other stream wanted or still running
  for (const auto& [key, other] : streams)
    if (&other != &s && (other.wanted || other.pipeline)) ++decoding;
  decoding = std::max(decoding, wanted_now);  // the wanted set's streams not built yet
  const int threads = software_decoder_threads(decoding, std::thread::hardware_concurrency());
  std::optional<std::string> error;
  try {
    s.pipeline = std::make_unique<StreamPipeline>(s.spec, s.channel, s.counters, wake, threads);
    error = s.pipeline->start();
  } catch (const std::exception& e) {
    error = e.what();
  }
  publish_counters(s);
  if (error) fail(s, PipelineEvent::Kind::Error, *error, now);
}

void StreamManager::Impl::fail(Stream& s, PipelineEvent::Kind kind, const std::string& why,
                               Clock::time_point now) {
  retire(s);
  s.failed_at = now;
  s.last_error = why;
  publish_counters(s);  // before the state: whoever sees the new state sees why
  if (kind == PipelineEvent::Kind::NotAuthorized || kind == PipelineEvent::Kind::NotFound ||
      kind == PipelineEvent::Kind::Unsupported) {
    const StreamState state = kind == PipelineEvent::Kind::NotAuthorized ? StreamState::AuthFailed
                              : kind == PipelineEvent::Kind::NotFound    ? StreamState::NotFound
                                                                         : StreamState::Unsupported;
    set_state(s, state);
    spdlog::error("stream {}: {} ({}); not retrying until its configuration changes", s.spec.key,
                  to_string(state), why);
  } else {
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    auto delay = milliseconds(static_cast<long long>(s.backoff.count() * jitter(rng)));
    s.backoff = std::min(s.backoff * 2, options.backoff_max);
    s.retry_at = now + delay;
    s.stalled_until = now + std::min<Clock::duration>(delay / 2, kMaxStalledDwell);
    set_state(s, StreamState::Stalled);
    spdlog::warn("stream {}: stalled: {}; reconnecting in {} ms", s.spec.key, why, delay.count());
  }
}

// Deactivates the pipeline (no more frames), hands it to the teardown thread and drops the
// mailbox's frame: no stale frame outlives the pipeline that produced it.
void StreamManager::Impl::retire(Stream& s) {
  if (s.pipeline) {
    s.pipeline->deactivate();
    teardown.post(std::move(s.pipeline));
  }
  s.channel->mailbox().clear();
}

void StreamManager::Impl::stop(Stream& s) {
  retire(s);
  probe.cancel(s.spec.key);
  s.probing = s.server_down = false;
  set_state(s, StreamState::Idle);
  s.backoff = options.backoff_initial;
  spdlog::info("stream {}: stopped", s.spec.key);
  update_stats(s, Clock::now());
}

void StreamManager::Impl::set_state(Stream& s, StreamState state) {
  if (state != StreamState::Playing) s.channel->mailbox().clear();
  s.state = state;
  s.channel->set_state(state);
}

void StreamManager::Impl::publish_counters(Stream& s) {
  s.channel->update_stats([&](StreamStats& st) {
    st.reconnects = s.reconnects;
    st.pipeline_generation = s.generation;
    st.probes = s.probes;
    st.last_error = s.last_error;
  });
}

void StreamManager::Impl::update_stats(Stream& s, Clock::time_point now) {
  RateSample current{now, s.counters->sequence.load(), s.channel->mailbox().consumed(),
                     s.counters->bytes.load()};
  s.samples.push_back(current);
  while (s.samples.size() > 2 && now - s.samples[1].at >= kStatsWindow) s.samples.pop_front();
  const RateSample& first = s.samples.front();
  double seconds = std::chrono::duration<double>(now - first.at).count();
  std::optional<PipelineInfo> info;
  if (s.pipeline) info = s.pipeline->info();
  s.channel->update_stats([&](StreamStats& st) {
    if (s.state != StreamState::Playing) {
      st.fps_in = st.fps_out = st.bitrate_kbps = 0;
    } else if (seconds > 0.2) {
      st.fps_in = static_cast<double>(current.frames - first.frames) / seconds;
      st.fps_out = static_cast<double>(current.consumed - first.consumed) / seconds;
      st.bitrate_kbps = static_cast<double>(current.bytes - first.bytes) * 8.0 / 1000.0 / seconds;
    }
    if (info && info->width > 0) {
      st.width = info->width;
      st.height = info->height;
    }
    if (info && !info->codec.empty()) st.codec = info->codec;
    if (info && !info->decoder.empty()) {
      st.decoder = info->decoder;
      st.hardware_decoder = info->hardware;
      st.decoder_threads = info->decoder_threads;
    }
    st.frames_in = current.frames;
    st.frames_dropped = s.channel->mailbox().dropped();
    st.probes = s.probes;
    st.recovery_ms = s.recovery_ms;
    st.reconnects = s.reconnects;
    st.pipeline_generation = s.generation;
    st.last_error = s.last_error;
  });
}

void StreamManager::Impl::shutdown_all() {
  for (auto& [key, s] : streams) {
    retire(s);
    set_state(s, StreamState::Idle);
  }
  std::lock_guard lock(mutex);
  live.clear();
}

StreamManager::StreamManager(Wakeup* wakeup, StreamManagerOptions options)
    : impl_(std::make_unique<Impl>(wakeup, options)) {
  ensure_gstreamer();
  impl_->supervisor = std::thread([impl = impl_.get()] { impl->run(); });
}

StreamManager::~StreamManager() {
  impl_->stopping.store(true);
  impl_->wake->notify();
  if (impl_->supervisor.joinable()) impl_->supervisor.join();  // never blocks on GStreamer
  impl_->teardown.shutdown(impl_->options.teardown_bound);
}

int software_decoder_threads(std::size_t streams, unsigned cores) {
  if (cores == 0) return 0;  // unknown: the decoder's own choice
  return static_cast<int>(std::max<std::size_t>(1, cores / std::max<std::size_t>(1, streams)));
}

std::vector<std::shared_ptr<StreamChannel>> StreamManager::set_wanted(
    const std::vector<StreamSpec>& specs, Wanter by) {
  std::vector<std::shared_ptr<StreamChannel>> result;
  result.reserve(specs.size());
  {
    std::lock_guard lock(impl_->mutex);
    for (const StreamSpec& spec : specs) {
      auto& channel = impl_->channels[spec.key];
      if (!channel) {
        channel =
            std::make_shared<StreamChannel>(spec.key, redact_url(spec.url), impl_->render_wakeup);
      } else if (auto url = redact_url(spec.url); url != channel->redacted_url()) {
        channel->set_redacted_url(std::move(url));  // a reload moved the camera
      }
      impl_->live.insert(spec.key);
      result.push_back(channel);
    }
    impl_->wanted_by[by] = specs;
    // The union, the wall's first: a key both want runs as the wall wants it.
    std::vector<StreamSpec> all;
    std::set<std::string> keys;
    for (const auto& [wanter, wanted] : impl_->wanted_by)
      for (const StreamSpec& spec : wanted)
        if (keys.insert(spec.key).second) all.push_back(spec);
    impl_->pending = std::move(all);
  }
  impl_->wake->notify();
  return result;
}

std::shared_ptr<StreamChannel> StreamManager::channel(const std::string& key) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->channels.find(key);
  return it == impl_->channels.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<StreamChannel>> StreamManager::channels() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::shared_ptr<StreamChannel>> result;
  for (const std::string& key : impl_->live) result.push_back(impl_->channels.at(key));
  return result;
}

std::size_t StreamManager::pending_teardowns() const {
  return impl_->teardown.pending();
}

}  // namespace vw::streams
