#include "controller/quality/quality_monitor.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>

#include "controller/quality/picture_figures.hpp"

namespace vw::controller::quality {

QualityMonitor::QualityMonitor(QualityOptions options, Streams streams, Changed changed,
                               References references, Folders folders, OffWallVisits off_wall)
    : streams_(std::move(streams)),
      changed_(std::move(changed)),
      references_(std::move(references)),
      scene_(std::move(folders.references)),
      options_(std::move(options)),
      off_wall_(std::move(off_wall)) {
  if (!folders.snapshots.empty()) snapshots_.emplace(std::move(folders.snapshots));
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

QualityMonitor::~QualityMonitor() {
  thread_.request_stop();
  wake_.notify_all();
  thread_ = {};
  for (auto& [key, w] : watched_) publish(w, std::nullopt);
  if (off_wall_.open && !visits_.empty()) off_wall_.open({});  // the visits end with it
}

void QualityMonitor::sample_now() {
  {
    std::lock_guard lock(mutex_);
    wake_requested_ = true;
  }
  wake_.notify_all();
}

void QualityMonitor::publish(Watched& w, std::optional<streams::PictureQuality> quality,
                             const streams::VideoFrame* frame) {
  std::vector<std::string> after = quality ? quality->faults : std::vector<std::string>{};
  if (changed_ && after != w.faults) {
    const bool began = std::any_of(after.begin(), after.end(), [&](const std::string& check) {
      return std::find(w.faults.begin(), w.faults.end(), check) == w.faults.end();
    });
    // The picture of the moment, for the report: what the operator would have seen.
    const std::string snapshot =
        began && frame && snapshots_
            ? snapshots_->save(*frame, w.channel->key(), std::chrono::system_clock::now())
            : std::string();
    changed_(w.channel->key(), w.faults, after, snapshot);
  }
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
  if (wanted == references.end()) return;        // no confirmed scene: not judged
  if (figures.flat > kMaxFlatForMotion) return;  // no view to recognise (nor to take)
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
    streams::FramePtr frame;                  // the sampled one
  };
  std::vector<Sample> taken;
  std::set<std::string> seen;
  const auto references = references_ ? references_() : std::map<std::string, std::uint64_t>{};
  scene_.keep_only(references);
  // The wall's streams first, then the visits to cameras not on it.
  std::vector<std::pair<std::shared_ptr<streams::StreamChannel>, bool>> diagnosed;
  for (auto& channel : streams_()) diagnosed.emplace_back(std::move(channel), false);
  for (auto& channel : visits()) diagnosed.emplace_back(std::move(channel), true);
  for (const auto& [channel, visit] : diagnosed) {
    const std::string& key = channel->key();
    if (pass_options_.off.count(std::string(streams::camera_of_key(key)))) continue;
    if (!seen.insert(key).second) continue;  // shown on the wall since its visit began
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
    w.visited = visit;
    // A visit still connecting keeps the verdict of the last one.
    if (visit && channel->state() != streams::StreamState::Playing) continue;
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
    Sample s{&w, {}, {}, {}, {}, frame->sequence, frame};
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
    s.figures.shake = s.burst.size() == kBurstPictures && s.figures.flat <= kMaxFlatForMotion
                          ? shake_of(s.burst, s.burst_frames)
                          : 0;
    w.previous = s.grey;
    judge_scene(w, s.grey, references, s.figures);
    s.figures.faults = w.tracker.update(s.figures);
    s.figures.samples = ++w.samples;
    s.figures.sampled_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    publish(w, s.figures, s.frame.get());
  }
  for (auto it = watched_.begin(); it != watched_.end();) {
    const std::string camera(streams::camera_of_key(it->first));
    // A visited camera's verdict stands until its next visit, while it may still be visited.
    const bool stands =
        it->second.visited && !pass_options_.off.count(camera) &&
        std::find(candidates_.begin(), candidates_.end(), camera) != candidates_.end();
    if (seen.count(it->first) || stands) {
      ++it;
      continue;
    }
    publish(it->second, std::nullopt);  // no longer shown: no longer diagnosed
    it = watched_.erase(it);
  }
}

std::vector<std::shared_ptr<streams::StreamChannel>> QualityMonitor::visits() {
  if (!off_wall_.open || !off_wall_.candidates) return {};
  candidates_ = off_wall_.candidates();
  const auto now = std::chrono::steady_clock::now();
  const auto listed = [&](const std::string& camera) {
    return std::find(candidates_.begin(), candidates_.end(), camera) != candidates_.end();
  };
  const std::size_t before = visits_.size();
  std::erase_if(visits_, [&](const Visit& v) {
    // Over, or no longer to visit (on the wall now, removed from the config).
    return now >= v.until || !listed(v.camera);
  });
  bool changed = visits_.size() != before;
  // The turn goes on after the camera visited last, in the config's order.
  const std::size_t n = candidates_.size();
  while (visits_.size() < std::min(off_wall_.at_once, n)) {
    const auto last = std::find(candidates_.begin(), candidates_.end(), last_visited_);
    const std::size_t start =
        last == candidates_.end() ? 0 : static_cast<std::size_t>(last - candidates_.begin()) + 1;
    bool started = false;
    for (std::size_t i = 0; i < n && !started; ++i) {
      const std::string& camera = candidates_[(start + i) % n];
      if (std::any_of(visits_.begin(), visits_.end(),
                      [&](const Visit& v) { return v.camera == camera; }))
        continue;
      visits_.push_back({camera, now + off_wall_.visit});
      last_visited_ = camera;
      started = changed = true;
      spdlog::debug("quality: visiting camera {} (not on the wall)", camera);
    }
    if (!started) break;
  }
  if (changed) {
    std::vector<std::string> cameras;
    for (const auto& v : visits_) cameras.push_back(v.camera);
    visit_channels_ = off_wall_.open(cameras);
  }
  return visit_channels_;
}

}  // namespace vw::controller::quality
