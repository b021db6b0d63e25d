// A decoded video frame in planar YUV, handed from a streaming thread to the render thread.
// Immutable once published. The planes point into memory kept alive by `storage` (for frames
// from GStreamer: a mapped GstVideoFrame plus its sample); releasing the last FramePtr releases
// the decoder's buffer, from whichever thread drops it.
// RGBA frames are what frame_scaler.hpp makes of a YUV frame for one tile on the software
// render path: already at the tile's size, so the renderer only copies them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace vw::streams {

enum class PixelFormat { I420, NV12, RGBA };
enum class ColorMatrix { BT601, BT709 };

struct VideoFrame {
  PixelFormat format = PixelFormat::I420;
  int width = 0;
  int height = 0;
  ColorMatrix matrix = ColorMatrix::BT709;
  bool full_range = false;
  int plane_count = 0;  // 3 for I420, 2 for NV12, 1 for RGBA
  std::array<const std::uint8_t*, 3> planes{};
  std::array<int, 3> strides{};  // bytes per row of each plane
  std::uint64_t sequence = 0;    // per stream, increasing from 1
  std::chrono::steady_clock::time_point received{};
  std::shared_ptr<void> storage;  // owner of the plane memory
  // The decoded picture these pixels come from and the part of it they show (u0, v0, u1, v1,
  // normalised). A decoded frame is its own source, whole; a scaled one says what it was made of.
  int source_width = 0;
  int source_height = 0;
  std::array<float, 4> crop{0, 0, 1, 1};

  int source_w() const { return source_width > 0 ? source_width : width; }
  int source_h() const { return source_height > 0 ? source_height : height; }
};

using FramePtr = std::shared_ptr<const VideoFrame>;

// The shape of each plane of a frame of `format`, `width` x `height` (unused planes: zero).
struct PlaneShape {
  int width = 0;
  int height = 0;
  int bytes_per_pixel = 0;
};
std::array<PlaneShape, 3> plane_shapes(PixelFormat format, int width, int height);
int plane_count(PixelFormat format);

// Why `frame` cannot be read (empty when it can): unknown format, null planes, strides shorter
// than a row, a size out of 1..max_size. Never touches the plane memory.
std::string check_frame(const VideoFrame& frame, int max_size);

}  // namespace vw::streams
