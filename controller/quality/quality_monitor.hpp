// Diagnoses the picture of the streams the wall shows (视频质量诊断): every `interval`, the newest
// frame each already decoded (no extra decode), measured and checked with hysteresis; the verdict
// goes into the stream's channel (StreamChannel::quality), where status, the metrics and the wall
// read it. One low-priority thread (nice +10) that only copies a frame pointer out of a mailbox:
// it never holds a mailbox and never waits on the render thread.
// Threads: the constructor starts the thread, the destructor joins it; sample_now() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <string>
#include <thread>
#include <vector>

#include "controller/quality/quality_checks.hpp"
#include "streams/stream_channel.hpp"

namespace vw::controller::quality {

struct QualityOptions {
  std::chrono::milliseconds interval{5000};
  QualityThresholds thresholds;
};

class QualityMonitor {
 public:
  // The streams to diagnose now (called on the monitor's thread each pass; must not block).
  using Streams = std::function<std::vector<std::shared_ptr<streams::StreamChannel>>()>;
  QualityMonitor(QualityOptions options, Streams streams);
  ~QualityMonitor();
  QualityMonitor(const QualityMonitor&) = delete;
  QualityMonitor& operator=(const QualityMonitor&) = delete;

  // Runs the next pass now instead of at the end of the interval.
  void sample_now();
  std::uint64_t passes() const;

 private:
  struct Watched {
    std::shared_ptr<streams::StreamChannel> channel;
    QualityTracker tracker;
    cv::Mat previous;  // the last sample's analysis-size luminance
    std::uint64_t sequence = 0;
    std::uint64_t samples = 0;
  };
  void run(std::stop_token stop);
  void pass();  // monitor thread only

  const QualityOptions options_;
  const Streams streams_;
  std::map<std::string, Watched> watched_;  // monitor thread only, by stream key
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  bool wake_requested_ = false;  // under mutex_
  std::uint64_t passes_ = 0;     // under mutex_
  std::jthread thread_;          // last
};

}  // namespace vw::controller::quality
