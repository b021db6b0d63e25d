// The exact pixels one tile shows, made from a decoded frame: the software render path's
// scaler. It runs on the streaming thread that decoded the frame (StreamChannel::prepare), so
// cameras scale in parallel and the render thread only copies finished tiles; the render thread
// uses it too for a frame that arrived before its tile's size was known.
// How: the planes are shrunk with OpenCV (area filter by exact halves, then bilinear for the
// rest), then converted to RGBA by libswscale at 1:1 with the frame's matrix and range; the
// colour work is done at the tile's size, never the camera's.
// Threads: any. Each thread keeps its own scratch planes and converter.
#pragma once

#include <array>

#include "streams/video_frame.hpp"

namespace vw::streams {

// What one tile needs from a stream: width x height RGBA pixels showing the part `crop`
// (u0, v0, u1, v1, normalised) of a decoded picture of source_width x source_height.
struct ScaleTarget {
  int source_width = 0;
  int source_height = 0;
  int width = 0;
  int height = 0;
  std::array<float, 4> crop{0, 0, 1, 1};
  bool operator==(const ScaleTarget&) const = default;
};

// The largest side a scaled frame may have (a wall output is at most this wide).
constexpr int kMaxScaledSide = 8192;

// `frame` already is what `target` asks for (nothing to do).
bool satisfies(const VideoFrame& frame, const ScaleTarget& target);

// `target` was computed for pictures of `frame`'s source size (a resolution change voids it).
bool applies_to(const ScaleTarget& target, const VideoFrame& frame);

// A new RGBA frame: `target`'s pixels made from `frame` (I420, NV12 or an RGBA frame made
// earlier, whose crop is taken into account). Sequence and receive time are the frame's. Null
// when the frame does not pass check_frame or the target is empty or past kMaxScaledSide.
FramePtr scale_frame(const VideoFrame& frame, const ScaleTarget& target);

}  // namespace vw::streams
