// One-slot hand-off of decoded frames: the newest frame wins, the one it replaces is released at
// once, so memory is bounded by construction (design invariant 2).
// Threads: publish() from the streaming thread; take_newer() from the render thread; counters
// from anywhere. Neither side ever waits on the other beyond a pointer swap under a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "streams/video_frame.hpp"
#include "streams/wakeup.hpp"

namespace vw::streams {

class FrameMailbox {
 public:
  explicit FrameMailbox(Wakeup* wakeup = nullptr) : wakeup_(wakeup) {}

  void publish(FramePtr frame) {
    FramePtr replaced;  // released outside the lock
    {
      std::lock_guard lock(mutex_);
      if (slot_ && slot_->sequence > consumed_sequence_) dropped_.fetch_add(1);
      replaced = std::move(slot_);
      slot_ = std::move(frame);
      published_.fetch_add(1);
    }
    if (wakeup_) wakeup_->notify();
  }

  // The newest frame if its sequence is above `after`, else null. Marks it consumed.
  FramePtr take_newer(std::uint64_t after) {
    std::lock_guard lock(mutex_);
    if (!slot_ || slot_->sequence <= after) return nullptr;
    if (slot_->sequence > consumed_sequence_) {
      consumed_sequence_ = slot_->sequence;
      consumed_.fetch_add(1);
    }
    return slot_;
  }

  // The newest frame, without marking it consumed (tests, snapshots).
  FramePtr peek() const {
    std::lock_guard lock(mutex_);
    return slot_;
  }

  // Drops the held frame (stream stopped or restarted): no stale frame survives a restart.
  void clear() {
    FramePtr released;
    std::lock_guard lock(mutex_);
    released = std::move(slot_);
  }

  std::uint64_t published() const { return published_.load(); }
  std::uint64_t consumed() const { return consumed_.load(); }  // frames the renderer took
  std::uint64_t dropped() const { return dropped_.load(); }    // replaced before being taken

 private:
  Wakeup* wakeup_;
  mutable std::mutex mutex_;
  FramePtr slot_;
  std::uint64_t consumed_sequence_ = 0;
  std::atomic<std::uint64_t> published_{0}, consumed_{0}, dropped_{0};
};

}  // namespace vw::streams
