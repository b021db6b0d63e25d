// A decoded video frame in planar YUV, handed from a streaming thread to the render thread.
// Immutable once published. The planes point into memory kept alive by `storage` (for frames
// from GStreamer: a mapped GstVideoFrame plus its sample); releasing the last FramePtr releases
// the decoder's buffer, from whichever thread drops it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>

namespace vw::streams {

enum class PixelFormat { I420, NV12 };
enum class ColorMatrix { BT601, BT709 };

struct VideoFrame {
  PixelFormat format = PixelFormat::I420;
  int width = 0;
  int height = 0;
  ColorMatrix matrix = ColorMatrix::BT709;
  bool full_range = false;
  int plane_count = 0;  // 3 for I420, 2 for NV12
  std::array<const std::uint8_t*, 3> planes{};
  std::array<int, 3> strides{};  // bytes per row of each plane
  std::uint64_t sequence = 0;    // per stream, increasing from 1
  std::chrono::steady_clock::time_point received{};
  std::shared_ptr<void> storage;  // owner of the plane memory
};

using FramePtr = std::shared_ptr<const VideoFrame>;

}  // namespace vw::streams
