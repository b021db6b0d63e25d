// The one interruptible sleep of the controller's threads (timers, tickers): sleeps `duration`
// unless `stop` is requested first.
//
// Threads: any; it touches nothing shared.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace vw::controller {

// True when the whole duration passed; false as soon as a stop is requested.
template <typename Rep, typename Period>
bool sleep_unless_stopped(std::stop_token stop, std::chrono::duration<Rep, Period> duration) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  cv.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace vw::controller
