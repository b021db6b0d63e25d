// Small helpers the benchmark programs share: bounded waits, percentiles, stream readiness.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "streams/stream_manager.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"

namespace vw::bench {

// testing::eventually polling every 50 ms (bench_api's name for it); false when `timeout`
// passed first.
inline bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout) {
  return testing::eventually(done, timeout, std::chrono::milliseconds(50));
}

// Nearest-rank percentile (p in 0..1) of `v`; 0 when empty.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * double(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// true when at least `count` streams exist and every one of them is playing.
inline bool all_playing(const streams::StreamManager& manager, std::size_t count) {
  auto channels = manager.channels();
  if (channels.size() < count) return false;
  return std::all_of(channels.begin(), channels.end(),
                     [](const auto& c) { return c->state() == streams::StreamState::Playing; });
}

// `count` H.264 cameras at 25 fps, mounts /cam1../camN, each a solid colour of its own.
inline std::vector<testing::SimCameraSpec> distinct_cameras(int count, int width, int height) {
  std::vector<testing::SimCameraSpec> specs;
  for (int i = 0; i < count; ++i) {
    const auto rgb = std::uint32_t((i * 53 + 40) % 256) << 16 |
                     std::uint32_t((i * 97 + 80) % 256) << 8 | std::uint32_t((i * 31 + 120) % 256);
    specs.push_back({"/cam" + std::to_string(i + 1), rgb, width, height, "h264", 25});
  }
  return specs;
}

// Starts the camera server; false, after saying why on stderr, when it does not start.
inline bool start_cameras(testing::CamsimProcess& cameras) {
  try {
    cameras.start();
    return true;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: the camera server did not start: %s\n", error.what());
    return false;
  }
}

// The printed table keeps the real stdout; everything else written to stdout from here on (the
// wall's spdlog lines) goes to stderr. Returns the stream for the table, or null.
inline std::FILE* take_stdout_for_table() {
  std::fflush(stdout);
  const int table_fd = dup(1);
  dup2(2, 1);
  return fdopen(table_fd, "w");
}

}  // namespace vw::bench
