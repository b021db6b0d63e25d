#include "renderer/yuv_program.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vw::renderer {

using streams::ColorMatrix;
using streams::PixelFormat;
using streams::plane_count;
using streams::plane_shapes;
using streams::PlaneShape;
using streams::VideoFrame;

namespace {

// Specialized by the preamble (NV12, SPREAD): no run-time branches, which software
// rasterizers (llvmpipe) would pay for on every pixel.
const char* const kYuvFragmentBody = R"(
uniform sampler2D u_plane0;
uniform sampler2D u_plane1;
uniform sampler2D u_plane2;
uniform mat3 u_matrix;
uniform vec3 u_offset;
uniform vec2 u_chroma_scale;
uniform vec2 u_luma_spread;
in vec2 v_uv;
out vec4 o_color;
void main() {
#if SPREAD
  // Minifying: four bilinear taps approximate a box over the source footprint.
  vec2 o = u_luma_spread;
  float y = 0.25 * (texture(u_plane0, v_uv - o).r + texture(u_plane0, v_uv + o).r +
                    texture(u_plane0, v_uv + vec2(o.x, -o.y)).r +
                    texture(u_plane0, v_uv + vec2(-o.x, o.y)).r);
#else
  float y = texture(u_plane0, v_uv).r;
#endif
  vec2 cuv = v_uv * u_chroma_scale;
#if NV12
  vec2 c = texture(u_plane1, cuv).rg;
#else
  vec2 c = vec2(texture(u_plane1, cuv).r, texture(u_plane2, cuv).r);
#endif
  vec3 rgb = u_matrix * (vec3(y, c) - u_offset);
  o_color = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}
)";

}  // namespace

YuvCoefficients yuv_coefficients(ColorMatrix matrix, bool full_range) {
  const double kr = matrix == ColorMatrix::BT709 ? 0.2126 : 0.299;
  const double kb = matrix == ColorMatrix::BT709 ? 0.0722 : 0.114;
  const double kg = 1.0 - kr - kb;
  // Sampled values are code / 255. Limited range: Y 16..235, Cb/Cr 16..240 around 128.
  const double ys = full_range ? 1.0 : 255.0 / 219.0;
  const double cs = full_range ? 1.0 : 255.0 / 224.0;
  YuvCoefficients c;
  c.matrix = {static_cast<float>(ys),
              0.0f,
              static_cast<float>(2.0 * (1.0 - kr) * cs),
              static_cast<float>(ys),
              static_cast<float>(-2.0 * kb * (1.0 - kb) / kg * cs),
              static_cast<float>(-2.0 * kr * (1.0 - kr) / kg * cs),
              static_cast<float>(ys),
              static_cast<float>(2.0 * (1.0 - kb) * cs),
              0.0f};
  c.offset = {full_range ? 0.0f : static_cast<float>(16.0 / 255.0),
              static_cast<float>(128.0 / 255.0), static_cast<float>(128.0 / 255.0)};
  return c;
}

void PlaneTextures::upload(const VideoFrame& frame) {
  const bool reallocate =
      empty() || frame.width != width_ || frame.height != height_ || frame.format != format_;
  const auto shapes = plane_shapes(frame.format, frame.width, frame.height);
  const int count = plane_count(frame.format);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  std::vector<std::uint8_t> repacked;  // only for a stride that is not whole RG8 pixels
  for (int i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    const PlaneShape& shape = shapes[index];
    const GLenum internal = shape.bytes_per_pixel == 2 ? GL_RG8 : GL_R8;
    const GLenum layout = shape.bytes_per_pixel == 2 ? GL_RG : GL_RED;
    const std::uint8_t* data = frame.planes[index];
    const int stride = frame.strides[index];
    if (stride % shape.bytes_per_pixel == 0) {
      glPixelStorei(GL_UNPACK_ROW_LENGTH, stride / shape.bytes_per_pixel);
    } else {
      const auto row = static_cast<std::size_t>(shape.width * shape.bytes_per_pixel);
      repacked.resize(row * static_cast<std::size_t>(shape.height));
      for (int r = 0; r < shape.height; ++r) {
        std::copy_n(data + static_cast<std::ptrdiff_t>(r) * stride, row,
                    repacked.data() + static_cast<std::ptrdiff_t>(r) * static_cast<long>(row));
      }
      data = repacked.data();
      glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    }
    if (!textures_[index]) textures_[index] = gl::make_texture(true);
    glBindTexture(GL_TEXTURE_2D, textures_[index].get());
    if (reallocate) {
      glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(internal), shape.width, shape.height, 0,
                   layout, GL_UNSIGNED_BYTE, data);
    } else {
      glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, shape.width, shape.height, layout, GL_UNSIGNED_BYTE,
                      data);
    }
  }
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  if (count < 3) textures_[2].reset();
  width_ = frame.width;
  height_ = frame.height;
  format_ = frame.format;
  matrix_ = frame.matrix;
  full_range_ = frame.full_range;
}

YuvProgram::YuvProgram() {
  for (int nv12 = 0; nv12 < 2; ++nv12) {
    for (int spread = 0; spread < 2; ++spread) {
      const std::string source = std::string("#version 330 core\n#define NV12 ") +
                                 (nv12 ? "1" : "0") + "\n#define SPREAD " + (spread ? "1" : "0") +
                                 "\n" + kYuvFragmentBody;
      Variant& v = variants_[static_cast<std::size_t>(nv12 * 2 + spread)];
      v.program = gl::build_program(
          std::string("yuv ") + (nv12 ? "nv12" : "i420") + (spread ? " spread" : ""),
          gl::kQuadVertexShader, source.c_str());
      const GLuint p = v.program.get();
      v.quad.locate(p, gl::Rows::TopFirst);  // draws into the composite only
      v.matrix = glGetUniformLocation(p, "u_matrix");
      v.offset = glGetUniformLocation(p, "u_offset");
      v.chroma_scale = glGetUniformLocation(p, "u_chroma_scale");
      v.luma_spread = glGetUniformLocation(p, "u_luma_spread");
      glUseProgram(p);
      glUniform1i(glGetUniformLocation(p, "u_plane0"), 0);
      glUniform1i(glGetUniformLocation(p, "u_plane1"), 1);
      glUniform1i(glGetUniformLocation(p, "u_plane2"), 2);
    }
  }
}

void YuvProgram::draw(const PlaneTextures& planes, float x, float y, float w, float h,
                      float target_w, float target_h, float u0, float v0, float u1,
                      float v1) const {
  if (planes.empty()) return;
  const bool nv12 = planes.format() == PixelFormat::NV12;
  // Source texels per output pixel; above 2, spread four luma taps over the footprint (a
  // quarter of it each side) so that downscaled video does not alias. Up to 2 one bilinear tap
  // suffices: at exactly 2 it lands on the corner of four texels and averages them, the same
  // box filter at a quarter of the sampling cost (which dominates on software GL).
  const float step_x = (u1 - u0) * static_cast<float>(planes.width()) / std::max(w, 1.0f);
  const float step_y = (v1 - v0) * static_cast<float>(planes.height()) / std::max(h, 1.0f);
  const bool spread = std::max(step_x, step_y) > 2.05f;
  const Variant& v = variants_[static_cast<std::size_t>((nv12 ? 2 : 0) + (spread ? 1 : 0))];
  glUseProgram(v.program.get());
  v.quad.set(x, y, w, h, target_w, target_h, u0, v0, u1, v1);
  const YuvCoefficients c = yuv_coefficients(planes.matrix(), planes.full_range());
  glUniformMatrix3fv(v.matrix, 1, GL_TRUE, c.matrix.data());
  glUniform3f(v.offset, c.offset[0], c.offset[1], c.offset[2]);
  // Chroma planes cover 2 * chroma_width luma columns, one more than the frame when odd.
  glUniform2f(v.chroma_scale,
              static_cast<float>(planes.width()) / static_cast<float>(2 * planes.chroma_width()),
              static_cast<float>(planes.height()) / static_cast<float>(2 * planes.chroma_height()));
  if (spread) {
    glUniform2f(v.luma_spread, step_x / 4 / static_cast<float>(planes.width()),
                step_y / 4 / static_cast<float>(planes.height()));
  }
  for (int i = 0; i < (nv12 ? 2 : 3); ++i) {
    glActiveTexture(static_cast<GLenum>(GL_TEXTURE0 + i));
    glBindTexture(GL_TEXTURE_2D, planes.texture(i));
  }
  glActiveTexture(GL_TEXTURE0);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

}  // namespace vw::renderer
