// The face one camera stream shows the rest of the program: its newest frame, its state and its
// statistics. Owned jointly (shared_ptr) by the StreamManager and by any WallView that shows it,
// so the render thread can read it without asking the manager anything.
// Threads: the StreamManager's threads write; anyone reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streams/frame_mailbox.hpp"
#include "streams/frame_scaler.hpp"

namespace vw::streams {

enum class StreamState {
  Idle,          // not wanted by anyone; no pipeline
  Connecting,    // pipeline built, waiting for the first frame
  Playing,       // frames arriving
  Stalled,       // no frame for stall_timeout (or the connection failed); will reconnect
  Reconnecting,  // waiting out the backoff, or rebuilding the pipeline
  AuthFailed,    // 401: terminal until the camera's config changes
  NotFound,      // 404: terminal until the camera's config changes
  Unsupported,   // not H.264/H.265, or larger than max_size: terminal until the config changes
};

std::string_view to_string(StreamState state);  // "playing", "auth_failed", ...

// The camera a stream key belongs to: "minzu-01/main" -> "minzu-01" (a key without '/' is
// returned whole).
inline std::string_view camera_of_key(std::string_view key) {
  const auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(0, slash);
}

struct StreamStats {
  double fps_in = 0;        // frames decoded per second (last ~2 s)
  double fps_out = 0;       // frames taken by the renderer per second (last ~2 s)
  double bitrate_kbps = 0;  // compressed bitrate into the decoder (last ~2 s)
  int width = 0;
  int height = 0;
  std::string codec;    // "H.264", "H.265"
  std::string decoder;  // decoder element's factory name, e.g. "avdec_h264", "vah264dec"
  bool hardware_decoder = false;
  int decoder_threads = 0;  // max-threads set on a software decoder (stream_manager.hpp); 0: own
  std::uint64_t frames_in = 0;
  std::uint64_t frames_dropped = 0;  // replaced in the mailbox before the renderer took them
  std::uint64_t reconnects = 0;
  std::uint64_t pipeline_generation = 0;  // +1 each time a pipeline is built for this stream
  std::uint64_t probes = 0;    // reachability probes of its server while it was down (server_probe)
  long long recovery_ms = -1;  // last recovery: server answered a probe -> first frame; -1 none
  std::string last_error;      // credentials already redacted
};

// The picture-quality diagnosis of a stream (视频质量诊断, controller/quality): the faults it is
// in (check names, each entered and left with hysteresis) and the figures of the last sample.
struct PictureQuality {
  std::vector<std::string> faults;  // "black", "frozen", "blur", "covered", "colour_cast", ...
  double luma = 0;                  // mean luminance, 0..255
  double contrast = 0;              // standard deviation of the luminance
  double sharpness = 0;             // variance of the Laplacian (at the analysis size)
  double motion = -1;      // mean absolute difference from the previous sample; -1: none yet
  double colour_cast = 0;  // distance of the mean chroma from neutral (0..~181)
  double noise = 0;        // mean absolute difference from a 3x3 median
  double flat = 0;         // share of blocks without texture, 0..1
  double shake = 0;        // change of global motion within a burst, analysis pixels per frame
  // Against the reference picture the operator confirmed (场景变更): the phase correlation's
  // peak response (0..1; -1: no reference) and the global shift, in analysis pixels.
  double scene_match = -1;
  double scene_shift = 0;
  std::uint64_t samples = 0;
  std::int64_t sampled_at_ms = 0;  // the last sample's wall-clock time (ms since the epoch)
};

class StreamChannel {
 public:
  StreamChannel(std::string key, std::string redacted_url, Wakeup* wakeup)
      : key_(std::move(key)), redacted_url_(std::move(redacted_url)), mailbox_(wakeup) {}

  const std::string& key() const { return key_; }  // e.g. "minzu-01/main"
  // The URL it plays, credentials removed; follows a config reload that changes it.
  std::string redacted_url() const {
    std::lock_guard lock(stats_mutex_);
    return redacted_url_;
  }
  void set_redacted_url(std::string url) {  // StreamManager only
    std::lock_guard lock(stats_mutex_);
    redacted_url_ = std::move(url);
  }
  FrameMailbox& mailbox() { return mailbox_; }
  const FrameMailbox& mailbox() const { return mailbox_; }

  // The pixels the renderer wants from this stream (software render path), or none: then frames
  // are published as decoded. Set by the render thread, read by the producer for each frame.
  void set_scale_target(std::optional<ScaleTarget> target) {
    std::lock_guard lock(target_mutex_);
    target_ = target;
  }
  std::optional<ScaleTarget> scale_target() const {
    std::lock_guard lock(target_mutex_);
    return target_;
  }
  // `frame` as the renderer wants it: scaled to the target when one is set for its source size
  // (on the caller's thread: the producer's), else unchanged.
  FramePtr prepare(FramePtr frame) const {
    const std::optional<ScaleTarget> target = scale_target();
    if (!frame || !target || !applies_to(*target, *frame) || satisfies(*frame, *target))
      return frame;
    FramePtr scaled = scale_frame(*frame, *target);
    return scaled ? scaled : frame;
  }
  // prepare() then publish: for producers that need nothing in between.
  void publish(FramePtr frame) { mailbox_.publish(prepare(std::move(frame))); }

  StreamState state() const { return state_.load(); }
  void set_state(StreamState s) { state_.store(s); }

  StreamStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }
  template <typename F>
  void update_stats(F&& f) {
    std::lock_guard lock(stats_mutex_);
    f(stats_);
  }

  // The last diagnosis (none while nobody diagnoses the stream). Set by the quality monitor.
  std::optional<PictureQuality> quality() const {
    std::lock_guard lock(stats_mutex_);
    return quality_;
  }
  void set_quality(std::optional<PictureQuality> quality) {
    std::lock_guard lock(stats_mutex_);
    quality_ = std::move(quality);
  }

 private:
  const std::string key_;
  std::string redacted_url_;  // under stats_mutex_
  FrameMailbox mailbox_;
  mutable std::mutex target_mutex_;
  std::optional<ScaleTarget> target_;  // under target_mutex_
  std::atomic<StreamState> state_{StreamState::Idle};
  mutable std::mutex stats_mutex_;
  StreamStats stats_;
  std::optional<PictureQuality> quality_;  // under stats_mutex_
};

}  // namespace vw::streams
