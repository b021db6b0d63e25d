#include "controller/quality/quality_monitor.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <set>

#include "controller/quality/picture_figures.hpp"

namespace vw::controller::quality {

QualityMonitor::QualityMonitor(QualityOptions options, Streams streams)
    : options_(std::move(options)), streams_(std::move(streams)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

QualityMonitor::~QualityMonitor() {
  thread_.request_stop();
  wake_.notify_all();
  thread_ = {};
  for (auto& [key, w] : watched_) w.channel->set_quality(std::nullopt);
}

void QualityMonitor::sample_now() {
  {
    std::lock_guard lock(mutex_);
    wake_requested_ = true;
  }
  wake_.notify_all();
}

std::uint64_t QualityMonitor::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void QualityMonitor::run(std::stop_token stop) {
  // Below the streaming and render threads: the diagnosis waits, the wall does not.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, options_.interval, [&] { return wake_requested_; });
      wake_requested_ = false;
    }
    if (stop.stop_requested()) return;
    pass();
    std::lock_guard lock(mutex_);
    ++passes_;
  }
}

void QualityMonitor::pass() {
  std::set<std::string> seen;
  for (const auto& channel : streams_()) {
    const std::string& key = channel->key();
    seen.insert(key);
    auto it = watched_.find(key);
    if (it == watched_.end() || it->second.channel != channel)
      it = watched_
               .insert_or_assign(key,
                                 Watched{channel, QualityTracker(options_.thresholds), {}, 0, 0})
               .first;
    Watched& w = it->second;
    // A stream that is not playing has no picture to judge: its tile says why (信号中断, ...).
    if (channel->state() != streams::StreamState::Playing) {
      w = Watched{channel, QualityTracker(options_.thresholds), {}, 0, 0};
      channel->set_quality(std::nullopt);
      continue;
    }
    const streams::FramePtr frame = channel->mailbox().peek();
    if (!frame || frame->sequence == w.sequence) continue;  // no new frame: nothing to judge
    w.sequence = frame->sequence;
    streams::PictureQuality figures;
    cv::Mat grey;
    if (!measure(*frame, w.previous, grey, figures)) continue;
    w.previous = grey;
    figures.faults = w.tracker.update(figures);
    figures.samples = ++w.samples;
    channel->set_quality(figures);
  }
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    it->second.channel->set_quality(std::nullopt);  // no longer shown: no longer diagnosed
    it = watched_.erase(it);
  }
}

}  // namespace vw::controller::quality
