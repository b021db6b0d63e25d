#include "streams/video_frame.hpp"

namespace vw::streams {

std::array<PlaneShape, 3> plane_shapes(PixelFormat format, int width, int height) {
  const int cw = (width + 1) / 2;
  const int ch = (height + 1) / 2;
  switch (format) {
    case PixelFormat::NV12:
      return {{{width, height, 1}, {cw, ch, 2}, {0, 0, 0}}};
    case PixelFormat::RGBA:
      return {{{width, height, 4}, {0, 0, 0}, {0, 0, 0}}};
    case PixelFormat::I420:
      break;
  }
  return {{{width, height, 1}, {cw, ch, 1}, {cw, ch, 1}}};
}

int plane_count(PixelFormat format) {
  switch (format) {
    case PixelFormat::NV12:
      return 2;
    case PixelFormat::RGBA:
      return 1;
    case PixelFormat::I420:
      break;
  }
  return 3;
}

std::string check_frame(const VideoFrame& frame, int max_size) {
  if (frame.format != PixelFormat::I420 && frame.format != PixelFormat::NV12 &&
      frame.format != PixelFormat::RGBA) {
    return "unknown pixel format";
  }
  if (frame.width <= 0 || frame.height <= 0) {
    return "size " + std::to_string(frame.width) + "x" + std::to_string(frame.height);
  }
  if (frame.width > max_size || frame.height > max_size) {
    return "size " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
           " is past the limit " + std::to_string(max_size);
  }
  const int count = plane_count(frame.format);
  if (frame.plane_count != count) {
    return "plane_count " + std::to_string(frame.plane_count) + ", expected " +
           std::to_string(count);
  }
  const auto shapes = plane_shapes(frame.format, frame.width, frame.height);
  for (int i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    if (frame.planes[index] == nullptr) return "plane " + std::to_string(i) + " is null";
    const int row = shapes[index].width * shapes[index].bytes_per_pixel;
    if (frame.strides[index] < row) {
      return "plane " + std::to_string(i) + " stride " + std::to_string(frame.strides[index]) +
             " is shorter than a row (" + std::to_string(row) + " bytes)";
    }
  }
  return {};
}

}  // namespace vw::streams
