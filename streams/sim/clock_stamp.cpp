#include "streams/sim/clock_stamp.hpp"

#include <time.h>

#include <algorithm>

namespace vw::streams {

namespace {

// 32 blocks of 1/40 of the width from 4/40 on; two rows of 1/16 of the height around the middle.
constexpr double kBlockW = 1.0 / 40, kLeft = 4.0 / 40, kBlockH = 1.0 / 16, kTop = 0.5 - kBlockH;

}  // namespace

std::uint32_t clock_stamp_now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  const auto ms = static_cast<std::uint64_t>(ts.tv_sec) * 1000u +
                  static_cast<std::uint64_t>(ts.tv_nsec) / 1000000u;
  return static_cast<std::uint32_t>(ms);
}

double clock_stamp_x(int bit) {
  return kLeft + (bit + 0.5) * kBlockW;
}

double clock_stamp_y(int row) {
  return kTop + (row + 0.5) * kBlockH;
}

void stamp_clock(std::uint8_t* luma, int stride, int width, int height, std::uint32_t ms) {
  for (int row = 0; row < 2; ++row) {
    const int y0 = static_cast<int>((kTop + row * kBlockH) * height);
    const int y1 = std::min(height, static_cast<int>((kTop + (row + 1) * kBlockH) * height));
    for (int bit = 0; bit < 32; ++bit) {
      const bool one = ((ms >> (31 - bit)) & 1u) != (row == 1);
      const int x0 = static_cast<int>((kLeft + bit * kBlockW) * width);
      const int x1 = std::min(width, static_cast<int>((kLeft + (bit + 1) * kBlockW) * width));
      for (int y = y0; y < y1; ++y)
        std::fill(luma + y * stride + x0, luma + y * stride + x1, one ? 235 : 16);
    }
  }
}

std::optional<std::uint32_t> read_clock_stamp(const std::uint8_t* luma, int stride, int width,
                                              int height) {
  std::uint32_t value = 0;
  for (int bit = 0; bit < 32; ++bit) {
    const int x = static_cast<int>(clock_stamp_x(bit) * width);
    const bool one = luma[static_cast<int>(clock_stamp_y(0) * height) * stride + x] > 128;
    const bool inverted = luma[static_cast<int>(clock_stamp_y(1) * height) * stride + x] > 128;
    if (one == inverted) return std::nullopt;
    value = (value << 1) | (one ? 1u : 0u);
  }
  return value;
}

}  // namespace vw::streams
