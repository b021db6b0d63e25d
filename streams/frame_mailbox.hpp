// Hand-off of decoded frames from a streaming thread to the render thread. The newest frame
// wins, and what it replaces is released at once, so memory is bounded by construction (design
// invariant 2): at most two frames wait, the newest and, after a burst, the one just before it.
//
// Bursts: a camera or the network often delivers two frames back to back (a few ms apart), and a
// render loop capped at 60 Hz cannot take both between two composites. Such a pair is kept, the
// older is taken first and the newer at the next turn (take_newer wakes the loop for it), so
// every frame is shown at the cost of one composite's delay for the second. Frames further apart
// than kBurstGap are not a burst: the renderer is behind, and the newest alone is shown.
//
// Threads: publish() from the streaming thread; take_newer() from the render thread; peek(),
// clear() and counters from anywhere. Neither side ever waits on the other beyond a pointer swap
// under a mutex; frames are released outside it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "streams/video_frame.hpp"
#include "streams/wakeup.hpp"

namespace vw::streams {

class FrameMailbox {
 public:
  // Two frames received closer together than this are a burst (a 25 fps camera sends one every
  // 40 ms, a 60 fps one every 16.7 ms; a composite at 60 Hz takes one every 16.7 ms).
  static constexpr std::chrono::milliseconds kBurstGap{15};

  explicit FrameMailbox(Wakeup* wakeup = nullptr) : wakeup_(wakeup) {}

  void publish(FramePtr frame) {
    FramePtr released[2];  // released outside the lock
    {
      std::lock_guard lock(mutex_);
      if (older_) {  // a third frame of a burst: the one held behind the newest goes
        if (older_->sequence > consumed_sequence_) dropped_.fetch_add(1);
        released[0] = std::move(older_);
      }
      const bool waiting = slot_ && slot_->sequence > consumed_sequence_;
      if (waiting && frame && is_burst(*slot_, *frame)) {
        older_ = std::move(slot_);
      } else {
        if (waiting) dropped_.fetch_add(1);
        released[1] = std::move(slot_);
      }
      slot_ = std::move(frame);
      published_.fetch_add(1);
    }
    if (wakeup_) wakeup_->notify();
  }

  // The frame to show after `after`: the older of a burst first, else the newest, if its
  // sequence is above `after`; else null. Marks it consumed. When the newest is left waiting
  // behind it, the wakeup is notified so that the next turn takes it.
  FramePtr take_newer(std::uint64_t after) {
    FramePtr out, released;
    bool newer_waiting = false;
    {
      std::lock_guard lock(mutex_);
      if (older_ && older_->sequence > after && older_->sequence > consumed_sequence_) {
        out = std::move(older_);
        newer_waiting = slot_ && slot_->sequence > out->sequence;
      } else {
        // Taken before, or no newer than what the caller has: it will not be shown.
        if (older_ && older_->sequence > consumed_sequence_) dropped_.fetch_add(1);
        released = std::move(older_);
        if (!slot_ || slot_->sequence <= after) return nullptr;
        out = slot_;
      }
      if (out->sequence > consumed_sequence_) {
        consumed_sequence_ = out->sequence;
        consumed_.fetch_add(1);
      }
    }
    if (newer_waiting && wakeup_) wakeup_->notify();
    return out;
  }

  // The newest frame, without marking it consumed (tests, snapshots, the quality monitor).
  FramePtr peek() const {
    std::lock_guard lock(mutex_);
    return slot_;
  }

  // Drops the held frames (stream stopped or restarted): no stale frame survives a restart.
  void clear() {
    FramePtr released[2];
    std::lock_guard lock(mutex_);
    released[0] = std::move(slot_);
    released[1] = std::move(older_);
  }

  std::uint64_t published() const { return published_.load(); }
  std::uint64_t consumed() const { return consumed_.load(); }  // frames the renderer took
  std::uint64_t dropped() const { return dropped_.load(); }    // replaced before being taken

 private:
  // Both frames carry a receive time (synthetic frames without one are never a burst).
  static bool is_burst(const VideoFrame& earlier, const VideoFrame& later) {
    using Clock = std::chrono::steady_clock;
    if (earlier.received == Clock::time_point{} || later.received == Clock::time_point{})
      return false;
    return later.received - earlier.received < kBurstGap;
  }

  Wakeup* wakeup_;
  mutable std::mutex mutex_;
  FramePtr slot_;   // the newest frame
  FramePtr older_;  // the frame before it, kept while the two came as a burst
  std::uint64_t consumed_sequence_ = 0;
  std::atomic<std::uint64_t> published_{0}, consumed_{0}, dropped_{0};
};

}  // namespace vw::streams
