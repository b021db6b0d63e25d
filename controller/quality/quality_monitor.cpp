#include "controller/quality/quality_monitor.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <set>

#include "controller/quality/picture_figures.hpp"

namespace vw::controller::quality {

QualityMonitor::QualityMonitor(QualityOptions options, Streams streams, Changed changed,
                               References references, std::filesystem::path reference_dir)
    : streams_(std::move(streams)),
      changed_(std::move(changed)),
      references_(std::move(references)),
      scene_(std::move(reference_dir)),
      options_(std::move(options)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

QualityMonitor::~QualityMonitor() {
  thread_.request_stop();
  wake_.notify_all();
  thread_ = {};
  for (auto& [key, w] : watched_) publish(w, std::nullopt);
}

void QualityMonitor::sample_now() {
  {
    std::lock_guard lock(mutex_);
    wake_requested_ = true;
  }
  wake_.notify_all();
}

void QualityMonitor::publish(Watched& w, std::optional<streams::PictureQuality> quality) {
  std::vector<std::string> after = quality ? quality->faults : std::vector<std::string>{};
  if (changed_ && after != w.faults) changed_(w.channel->key(), w.faults, after);
  w.faults = std::move(after);
  w.channel->set_quality(std::move(quality));
}

void QualityMonitor::reconfigure(QualityOptions options) {
  std::lock_guard lock(mutex_);
  options_ = std::move(options);
}

QualityOptions QualityMonitor::options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

const QualityThresholds& QualityMonitor::thresholds_for(std::string_view key) const {
  const auto it = pass_options_.cameras.find(std::string(streams::camera_of_key(key)));
  return it == pass_options_.cameras.end() ? pass_options_.thresholds : it->second;
}

std::uint64_t QualityMonitor::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void QualityMonitor::run(std::stop_token stop) {
  // Below the streaming and render threads: the diagnosis waits, the wall does not. Named, so
  // top -H and the benchmark can tell its CPU from the wall's.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  pthread_setname_np(pthread_self(), "vw-quality");
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, options_.interval, [&] { return wake_requested_; });
      wake_requested_ = false;
      pass_options_ = options_;
    }
    if (stop.stop_requested()) return;
    pass(stop);
    std::lock_guard lock(mutex_);
    ++passes_;
  }
}

bool QualityMonitor::pause(std::stop_token stop, std::chrono::milliseconds how_long) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, stop, how_long, [] { return false; });
  return !stop.stop_requested();
}

void QualityMonitor::judge_scene(Watched& w, const cv::Mat& grey,
                                 const std::map<std::string, std::uint64_t>& references,
                                 streams::PictureQuality& figures) {
  const std::string camera(streams::camera_of_key(w.channel->key()));
  const auto wanted = references.find(camera);
  if (wanted == references.end()) return;  // no confirmed scene: not judged
  const cv::Mat* reference = scene_.find(camera, wanted->second);
  // The reference is the first picture after the confirmation that shows the scene at all: not
  // a black, covered, blurred or badly exposed one (its faults are named as usual meanwhile).
  if (!reference && failed_checks(figures, w.tracker.thresholds(), w.tracker.baseline()).empty()) {
    scene_.set(camera, wanted->second, grey);
    spdlog::info("quality: camera {}: reference picture taken from {} (confirmation {})", camera,
                 w.channel->key(), wanted->second);
    reference = scene_.find(camera, wanted->second);
  }
  if (reference) scene_against(*reference, grey, figures);
}

void QualityMonitor::pass(std::stop_token stop) {
  struct Sample {
    Watched* watched;
    streams::PictureQuality figures;
    cv::Mat grey;
    std::vector<cv::Mat> burst;               // the shaking check's pictures, this one first
    std::vector<std::uint64_t> burst_frames;  // and their frame numbers
    std::uint64_t sequence = 0;               // of the newest frame taken
  };
  std::vector<Sample> taken;
  std::set<std::string> seen;
  const auto references = references_ ? references_() : std::map<std::string, std::uint64_t>{};
  scene_.keep_only(references);
  for (const auto& channel : streams_()) {
    const std::string& key = channel->key();
    if (pass_options_.off.count(std::string(streams::camera_of_key(key)))) continue;
    seen.insert(key);
    const QualityThresholds& thresholds = thresholds_for(key);
    auto it = watched_.find(key);
    if (it != watched_.end() && it->second.channel != channel) {  // the stream was rebuilt
      publish(it->second, std::nullopt);
      watched_.erase(it);
      it = watched_.end();
    }
    if (it == watched_.end())
      it = watched_.emplace(key, Watched{channel, QualityTracker(thresholds), {}, 0, 0, {}}).first;
    Watched& w = it->second;
    // A stream that is not playing has no picture to judge: its tile says why (信号中断, ...).
    if (channel->state() != streams::StreamState::Playing) {
      publish(w, std::nullopt);
      w = Watched{channel, QualityTracker(thresholds), {}, 0, 0, {}};
      continue;
    }
    if (!(w.tracker.thresholds() == thresholds)) w.tracker.set_thresholds(thresholds);
    const streams::FramePtr frame = channel->mailbox().peek();
    if (!frame || frame->sequence == w.sequence) continue;  // no new frame: nothing to judge
    w.sequence = frame->sequence;
    Sample s{&w, {}, {}, {}, {}, frame->sequence};
    if (measure(*frame, w.previous, s.grey, s.figures)) taken.push_back(std::move(s));
  }
  // Shaking shows between frames a moment apart, not seconds: more pictures of every sampled
  // stream, kBurstStep apart (a stream without a new frame each time is not judged on it).
  for (auto& s : taken) {
    s.burst.push_back(s.grey);
    s.burst_frames.push_back(s.sequence);
  }
  for (std::size_t step = 1; step < kBurstPictures && !taken.empty(); ++step) {
    if (!pause(stop, kBurstStep)) return;
    for (auto& s : taken) {
      const streams::FramePtr frame = s.watched->channel->mailbox().peek();
      cv::Mat grey;
      if (frame && frame->sequence != s.sequence && analysis_luma(*frame, grey)) {
        s.sequence = frame->sequence;
        s.burst.push_back(std::move(grey));
        s.burst_frames.push_back(frame->sequence);
      }
    }
  }
  for (auto& s : taken) {
    Watched& w = *s.watched;
    // A picture mostly without texture (a ball on a plain ground) gives no camera motion to
    // judge: what moves in it is the object.
    s.figures.shake = s.burst.size() == kBurstPictures && s.figures.flat <= kShakeMaxFlat
                          ? shake_of(s.burst, s.burst_frames)
                          : 0;
    w.previous = s.grey;
    judge_scene(w, s.grey, references, s.figures);
    s.figures.faults = w.tracker.update(s.figures);
    s.figures.samples = ++w.samples;
    publish(w, s.figures);
  }
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    publish(it->second, std::nullopt);  // no longer shown: no longer diagnosed
    it = watched_.erase(it);
  }
}

}  // namespace vw::controller::quality
