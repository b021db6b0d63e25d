// Planar YUV on the GPU: PlaneTextures holds one stream's newest frame as R8 planes (I420:
// Y, U, V) or R8 + RG8 (NV12: Y, interleaved UV); YuvProgram converts to RGB in the fragment
// shader with the frame's matrix (BT.601 / BT.709) and range (limited / full). When a frame is
// shown much smaller than its size, luma is box-filtered with four taps (no mipmaps to build).
// Threads: render thread only, with the renderer's context current.
#pragma once

#include <array>
#include <string>

#include "renderer/gl_util.hpp"
#include "streams/video_frame.hpp"

namespace vw::renderer {

// Row-major 3x3 matrix and offset: rgb = matrix * (yuv - offset), yuv as sampled (0..1).
struct YuvCoefficients {
  std::array<float, 9> matrix{};
  std::array<float, 3> offset{};
};
YuvCoefficients yuv_coefficients(streams::ColorMatrix matrix, bool full_range);

class PlaneTextures {
 public:
  // Uploads every plane of `frame` (which check_frame() accepted). Reallocates the textures only
  // when the format or size changed; otherwise glTexSubImage2D into the existing ones. Rows are
  // read with GL_UNPACK_ROW_LENGTH from the strides, so padded rows cost no copy.
  void upload(const streams::VideoFrame& frame);

  bool empty() const { return width_ == 0; }
  int width() const { return width_; }
  int height() const { return height_; }
  streams::PixelFormat format() const { return format_; }
  streams::ColorMatrix matrix() const { return matrix_; }
  bool full_range() const { return full_range_; }
  GLuint texture(int plane) const { return textures_[static_cast<std::size_t>(plane)].get(); }
  int chroma_width() const { return (width_ + 1) / 2; }
  int chroma_height() const { return (height_ + 1) / 2; }

 private:
  std::array<gl::Texture, 3> textures_;
  int width_ = 0;
  int height_ = 0;
  streams::PixelFormat format_ = streams::PixelFormat::I420;
  streams::ColorMatrix matrix_ = streams::ColorMatrix::BT709;
  bool full_range_ = false;
};

class YuvProgram {
 public:
  YuvProgram();  // throws std::runtime_error when a shader variant does not build

  // Draws `planes` into the pixel rectangle (x, y, w, h) of a target_w x target_h target
  // (y down), sampling the sub-rectangle (u0, v0)-(u1, v1) of the frame.
  void draw(const PlaneTextures& planes, float x, float y, float w, float h, float target_w,
            float target_h, float u0, float v0, float u1, float v1) const;

 private:
  struct Variant {
    gl::Program program;
    gl::QuadUniforms quad;
    GLint matrix = -1;
    GLint offset = -1;
    GLint chroma_scale = -1;
    GLint luma_spread = -1;
  };
  // [nv12 * 2 + spread]: I420 / NV12, each plain or with the minifying luma filter.
  std::array<Variant, 4> variants_;
};

}  // namespace vw::renderer
