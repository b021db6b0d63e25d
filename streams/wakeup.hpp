// Lets producer threads (streaming threads, the controller) wake the render thread without
// ever waiting on it: notify() sets a flag and signals; it never blocks on the consumer.
//
// Only the false -> true edge signals (as mpv's need_wakeup): while a wake-up is pending, more
// notifies are one flag test, so sixteen cameras at 25 fps cost the render thread one wake-up
// per turn, not 400 condition-variable signals and GLFW empty events a second. The consumer
// clears the flag when it wakes (wait_for, or consume() after waiting elsewhere), before it
// looks at what the producers published.
//
// Threads: notify() from any thread; wait_for() and consume() from the one consumer thread;
// set_hook() once, before any producer runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace vw::streams {

class Wakeup {
 public:
  // Optional extra action on a new wake-up (e.g. glfwPostEmptyEvent, which is thread-safe).
  void set_hook(std::function<void()> hook) { hook_ = std::move(hook); }

  void notify() {
    {
      std::lock_guard lock(mutex_);
      ++notifies_;
      if (pending_) return;  // already signalled; the consumer has not woken yet
      pending_ = true;
      ++signals_;
    }
    cv_.notify_one();  // outside the lock: the woken consumer does not block on it at once
    if (hook_) hook_();
  }

  // Waits until notified or the timeout passes; returns true if notified. Clears the flag.
  bool wait_for(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(mutex_);
    bool woke = cv_.wait_for(lock, timeout, [&] { return pending_; });
    pending_ = false;
    return woke;
  }

  // For a consumer that waited elsewhere (GLFW's event wait, woken by the hook): clears the flag
  // so the next notify signals again. Returns whether a notify was pending.
  bool consume() {
    std::lock_guard lock(mutex_);
    bool was = pending_;
    pending_ = false;
    return was;
  }

  std::uint64_t notifies() const {  // notify() calls
    std::lock_guard lock(mutex_);
    return notifies_;
  }
  std::uint64_t signals() const {  // of which signalled (false -> true edges)
    std::lock_guard lock(mutex_);
    return signals_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;
  std::uint64_t notifies_ = 0, signals_ = 0;
  std::function<void()> hook_;
};

}  // namespace vw::streams
