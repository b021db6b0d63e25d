// Bounded waiting for tests: poll a condition until it holds or a timeout passes.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace vw::testing {

// Polls `done` every 20 ms until it holds or `timeout` passes; returns its last answer.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace vw::testing
