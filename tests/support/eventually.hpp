// Bounded waiting for tests and benchmarks: poll a condition until it holds or a timeout passes.
// Threads: any; `done` runs on the caller's thread.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace vw::testing {

// Polls `done` every `poll` until it holds or `timeout` passes; returns its last answer.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

}  // namespace vw::testing
