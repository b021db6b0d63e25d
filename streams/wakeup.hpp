// Lets producer threads (streaming threads, the controller) wake the render thread without
// ever waiting on it: notify() sets a flag and signals; it never blocks on the consumer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace vw::streams {

class Wakeup {
 public:
  // Optional extra action on notify (e.g. glfwPostEmptyEvent, which is thread-safe).
  // Set once, before any producer runs.
  void set_hook(std::function<void()> hook) { hook_ = std::move(hook); }

  void notify() {
    {
      std::lock_guard lock(mutex_);
      pending_ = true;
    }
    cv_.notify_one();
    if (hook_) hook_();
  }

  // Waits until notified or the timeout passes; returns true if notified. Clears the flag.
  bool wait_for(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(mutex_);
    bool woke = cv_.wait_for(lock, timeout, [&] { return pending_; });
    pending_ = false;
    return woke;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;
  std::function<void()> hook_;
};

}  // namespace vw::streams
