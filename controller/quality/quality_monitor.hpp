// Diagnoses the picture of the streams the wall shows (视频质量诊断): every `interval`, the newest
// frame each already decoded (no extra decode) and three more 80 ms apart (for shaking), measured
// and checked with hysteresis (the scene also against the reference picture the operator
// confirmed, scene_references.hpp), and cameras not on the wall in turn on short visits
// (OffWallVisits); a snapshot of the frame is kept when a fault begins (quality_snapshots.hpp).
// The verdict goes into the stream's channel
// (StreamChannel::quality), where status, the metrics and the wall read it. One low-priority thread
// (nice +10) that only copies a frame pointer out of a mailbox: it never holds a mailbox and never
// waits on the render thread. Threads: the constructor starts the thread, the destructor joins it;
// sample_now() and reconfigure() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "controller/quality/quality_checks.hpp"
#include "controller/quality/quality_snapshots.hpp"
#include "controller/quality/scene_references.hpp"
#include "streams/stream_channel.hpp"

namespace vw::controller::quality {

struct QualityOptions {
  std::chrono::milliseconds interval{5000};
  QualityThresholds thresholds;                      // every camera's but those below
  std::map<std::string, QualityThresholds> cameras;  // by camera id (streams::camera_of_key)
  std::set<std::string> off;                         // camera ids not diagnosed
  bool operator==(const QualityOptions&) const = default;
};

// Cameras not on the wall, visited in turn (quality.off_wall; none without `open`).
struct OffWallVisits {
  // The cameras that may be visited now (not on the wall, diagnosed), in the config's order.
  // On the monitor's thread each pass; must not block.
  std::function<std::vector<std::string>()> candidates;
  // Opens the sample stream of each camera listed (and closes the others'; an empty list closes
  // all), returning their channels. On the monitor's thread, when the visits change.
  std::function<std::vector<std::shared_ptr<streams::StreamChannel>>(
      const std::vector<std::string>& cameras)>
      open;
  std::chrono::milliseconds visit{20000};
  std::size_t at_once = 1;
};

class QualityMonitor {
 public:
  // The streams to diagnose now (called on the monitor's thread each pass; must not block).
  using Streams = std::function<std::vector<std::shared_ptr<streams::StreamChannel>>()>;
  // A stream's faults changed (its key, before, after, and the file name of the snapshot taken
  // when a fault began, "" when none was); on the monitor's thread, and from the destructor
  // (every verdict ends). For the history (quality_history.hpp).
  using Changed = std::function<void(const std::string& stream, const std::vector<std::string>&,
                                     const std::vector<std::string>&, const std::string& snapshot)>;
  // The cameras whose scene the operator confirmed (quality.reference): camera id -> the
  // confirmation's generation (WallState::quality_references). On the monitor's thread each pass;
  // must not block.
  using References = std::function<std::map<std::string, std::uint64_t>()>;
  // Where the pictures are kept.
  struct Folders {
    std::filesystem::path references;  // the scene check's (empty: in memory only)
    std::filesystem::path snapshots;   // of each fault's beginning (empty: none taken)
  };
  QualityMonitor(QualityOptions options, Streams streams, Changed changed = {},
                 References references = {}, Folders folders = {}, OffWallVisits off_wall = {});
  ~QualityMonitor();
  QualityMonitor(const QualityMonitor&) = delete;
  QualityMonitor& operator=(const QualityMonitor&) = delete;

  // Runs the next pass now instead of at the end of the interval.
  void sample_now();
  // New options (a config reload) from the next pass on: each stream keeps its verdict and
  // baseline under its new thresholds; a camera turned off loses its verdict.
  void reconfigure(QualityOptions options);
  QualityOptions options() const;
  std::uint64_t passes() const;

 private:
  struct Watched {
    std::shared_ptr<streams::StreamChannel> channel;
    QualityTracker tracker;
    cv::Mat previous;  // the last sample's analysis-size luminance
    std::uint64_t sequence = 0;
    std::uint64_t samples = 0;
    std::vector<std::string> faults;  // as last published
    // Diagnosed on a visit (not on the wall): its verdict stands between visits, until the next
    // visit judges it again.
    bool visited = false;
  };
  struct Visit {
    std::string camera;
    std::chrono::steady_clock::time_point until;
  };
  // Monitor thread only: ends the visits that are over, starts the next ones in turn, and returns
  // the channels of the streams being visited.
  std::vector<std::shared_ptr<streams::StreamChannel>> visits();
  // `frame`: the sampled picture, snapshotted when a fault begins.
  void publish(Watched& w, std::optional<streams::PictureQuality> quality,
               const streams::VideoFrame* frame = nullptr);
  void run(std::stop_token stop);
  // Monitor thread only: one pass over the streams; a pause between the pictures of a burst
  // (false when stopping); the thresholds of a stream.
  void pass(std::stop_token stop);
  bool pause(std::stop_token stop, std::chrono::milliseconds how_long);
  // The scene check's figures of a sample against its camera's reference (taken first if the
  // operator confirmed one since).
  void judge_scene(Watched& w, const cv::Mat& grey,
                   const std::map<std::string, std::uint64_t>& references,
                   streams::PictureQuality& figures);
  const QualityThresholds& thresholds_for(std::string_view key) const;
  static constexpr std::chrono::milliseconds kBurstStep{80};
  static constexpr std::size_t kBurstPictures = 4;
  // The share of flat blocks beyond which a picture is not judged for shaking or its scene: a
  // ball on a plain ground shows no camera motion and no view to recognise.
  static constexpr double kMaxFlatForMotion = 0.6;

  const Streams streams_;
  const Changed changed_;
  const References references_;
  SceneReferences scene_;                      // monitor thread only
  std::optional<QualitySnapshots> snapshots_;  // monitor thread only; none without a folder
  QualityOptions options_;                     // under mutex_
  QualityOptions pass_options_;                // monitor thread only: options_ at the pass' start
  std::map<std::string, Watched> watched_;     // monitor thread only, by stream key
  const OffWallVisits off_wall_;
  std::vector<std::string> candidates_;  // monitor thread only: as of this pass
  std::vector<Visit> visits_;            // monitor thread only
  std::string last_visited_;             // monitor thread only: where the turn goes on from
  std::vector<std::shared_ptr<streams::StreamChannel>> visit_channels_;  // monitor thread only
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  bool wake_requested_ = false;  // under mutex_
  std::uint64_t passes_ = 0;     // under mutex_
  std::jthread thread_;          // last
};

}  // namespace vw::controller::quality
