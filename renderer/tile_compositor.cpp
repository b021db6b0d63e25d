#include "renderer/tile_compositor.hpp"

#include <algorithm>
#include <cmath>

#include "renderer/picture_marks.hpp"
#include "renderer/quality_labels.hpp"

namespace vw::renderer {

using streams::StreamState;

namespace {

const char* const kSolidFragmentShader = R"(#version 330 core
uniform vec4 u_color;
out vec4 o_color;
void main() { o_color = u_color; }
)";

const char* const kTextFragmentShader = R"(#version 330 core
uniform sampler2D u_coverage;
uniform vec4 u_color;
in vec2 v_uv;
out vec4 o_color;
void main() { o_color = vec4(u_color.rgb, u_color.a * texture(u_coverage, v_uv).r); }
)";

// The privacy masks' triangles, positions in target pixels (y down, like the quad shader).
const char* const kMaskVertexShader = R"(#version 330 core
layout(location = 0) in vec2 a_pos;
uniform vec2 u_target;
uniform float u_flip;
void main() {
  gl_Position =
      vec4(a_pos.x / u_target.x * 2.0 - 1.0, u_flip * (1.0 - a_pos.y / u_target.y * 2.0), 0.0, 1.0);
}
)";

struct Rgb {
  float r, g, b;
};

constexpr Rgb kStateBackground{0.09f, 0.10f, 0.12f};
constexpr Rgb kEmptyBackground{0.05f, 0.05f, 0.06f};
constexpr Rgb kEmptyText{0.36f, 0.38f, 0.42f};
constexpr Rgb kBorder{0.22f, 0.24f, 0.28f};
constexpr Rgb kLabelText{0.96f, 0.96f, 0.96f};
constexpr Rgb kQualityAmber{1.0f, 0.69f, 0.0f};  // a picture the quality diagnosis faults
constexpr Rgb kQualityText{0.08f, 0.06f, 0.0f};
constexpr float kLabelBandAlpha = 0.55f;

Rgb state_color(StreamState state) {
  switch (state) {
    case StreamState::Stalled:
      return {1.0f, 0.75f, 0.25f};
    case StreamState::AuthFailed:
    case StreamState::NotFound:
    case StreamState::Unsupported:
      return {1.0f, 0.45f, 0.40f};
    case StreamState::Idle:
      return {0.62f, 0.64f, 0.68f};
    default:
      return {0.86f, 0.88f, 0.92f};
  }
}

int clamp_coord(double v, int limit) {
  if (!(v >= 0)) return 0;  // also NaN
  if (v >= 1) return limit;
  return static_cast<int>(std::lround(v * limit));
}

}  // namespace

PixelRect to_pixels(const layouts::Rect& rect, int width, int height) {
  const int x0 = clamp_coord(rect.x, width);
  const int y0 = clamp_coord(rect.y, height);
  const int x1 = clamp_coord(rect.x + rect.w, width);
  const int y1 = clamp_coord(rect.y + rect.h, height);
  return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

Placement place_frame(const PixelRect& tile, int frame_width, int frame_height, FitMode fit) {
  Placement p{static_cast<float>(tile.x), static_cast<float>(tile.y), static_cast<float>(tile.w),
              static_cast<float>(tile.h)};
  if (frame_width <= 0 || frame_height <= 0 || tile.w <= 0 || tile.h <= 0) return p;
  const double tile_aspect = static_cast<double>(tile.w) / tile.h;
  const double frame_aspect = static_cast<double>(frame_width) / frame_height;
  if (fit == FitMode::Letterbox) {
    if (frame_aspect > tile_aspect) {  // wider: bars top and bottom
      const double h = tile.w / frame_aspect;
      p.y = static_cast<float>(tile.y + (tile.h - h) / 2);
      p.h = static_cast<float>(h);
    } else {  // taller: bars left and right
      const double w = tile.h * frame_aspect;
      p.x = static_cast<float>(tile.x + (tile.w - w) / 2);
      p.w = static_cast<float>(w);
    }
  } else {
    if (frame_aspect > tile_aspect) {  // wider: crop left and right
      const double keep = tile_aspect / frame_aspect;
      p.u0 = static_cast<float>((1 - keep) / 2);
      p.u1 = static_cast<float>(1 - (1 - keep) / 2);
    } else {  // taller: crop top and bottom
      const double keep = frame_aspect / tile_aspect;
      p.v0 = static_cast<float>((1 - keep) / 2);
      p.v1 = static_cast<float>(1 - (1 - keep) / 2);
    }
  }
  return p;
}

ImagePlacement place_image(const PixelRect& tile, int source_width, int source_height,
                           FitMode fit) {
  const Placement p = place_frame(tile, source_width, source_height, fit);
  auto px = [](float v) { return static_cast<int>(std::lround(v)); };
  const int x0 = std::max(tile.x, px(p.x));
  const int y0 = std::max(tile.y, px(p.y));
  const int x1 = std::min(tile.x + tile.w, px(p.x + p.w));
  const int y1 = std::min(tile.y + tile.h, px(p.y + p.h));
  ImagePlacement out;
  out.x = x0;
  out.y = y0;
  out.target.source_width = source_width;
  out.target.source_height = source_height;
  out.target.width = std::max(1, x1 - x0);
  out.target.height = std::max(1, y1 - y0);
  out.target.crop = {p.u0, p.v0, p.u1, p.v1};
  return out;
}

std::string_view state_text(StreamState state, Language language) {
  const bool zh = language == Language::Chinese;
  switch (state) {
    case StreamState::Playing:  // playing, first frame not here yet
    case StreamState::Connecting:
      return zh ? "连接中" : "Connecting";
    case StreamState::Stalled:
      return zh ? "信号中断" : "Signal lost";
    case StreamState::Reconnecting:
      return zh ? "重连中" : "Reconnecting";
    case StreamState::AuthFailed:
      return zh ? "认证失败" : "Authentication failed";
    case StreamState::NotFound:
      return zh ? "视频流不存在" : "Stream not found";
    case StreamState::Unsupported:
      return zh ? "格式不支持" : "Unsupported format";
    case StreamState::Idle:
      break;
  }
  return zh ? "未连接" : "Offline";
}

std::string_view empty_text(Language language) {
  return language == Language::Chinese ? "空闲" : "Empty";
}

TileCompositor::TileCompositor(const std::string& font_path)
    : vao_(gl::VertexArray::create()),
      solid_(gl::build_program("solid", gl::kQuadVertexShader, kSolidFragmentShader)),
      text_program_(gl::build_program("text", gl::kQuadVertexShader, kTextFragmentShader)),
      mask_program_(gl::build_program("mask", kMaskVertexShader, kSolidFragmentShader)),
      mask_vao_(gl::VertexArray::create()),
      mask_vertices_(gl::Buffer::create()),
      text_(font_path) {
  mask_target_ = glGetUniformLocation(mask_program_.get(), "u_target");
  mask_color_ = glGetUniformLocation(mask_program_.get(), "u_color");
  glUseProgram(mask_program_.get());
  glUniform1f(glGetUniformLocation(mask_program_.get(), "u_flip"), -1.0f);  // top row first
  glBindVertexArray(mask_vao_.get());
  glBindBuffer(GL_ARRAY_BUFFER, mask_vertices_.get());
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindVertexArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
  solid_quad_.locate(solid_.get(), gl::Rows::TopFirst);  // these draw into the composite only
  solid_color_ = glGetUniformLocation(solid_.get(), "u_color");
  text_quad_.locate(text_program_.get(), gl::Rows::TopFirst);
  text_color_ = glGetUniformLocation(text_program_.get(), "u_color");
  glUseProgram(text_program_.get());
  glUniform1i(glGetUniformLocation(text_program_.get(), "u_coverage"), 0);
}

PixelRect intersect(const PixelRect& a, const PixelRect& b) {
  const int x0 = std::max(a.x, b.x);
  const int y0 = std::max(a.y, b.y);
  const int x1 = std::min(a.x + a.w, b.x + b.w);
  const int y1 = std::min(a.y + a.h, b.y + b.h);
  return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

void TileCompositor::begin(int width, int height, GLuint target_texture) {
  width_ = width;
  height_ = height;
  target_texture_ = target_texture;
  glViewport(0, 0, width, height);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glEnable(GL_BLEND);
  // Colour blends over; destination alpha stays opaque.
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glBindVertexArray(vao_.get());
  glEnable(GL_SCISSOR_TEST);
}

void TileCompositor::clear(const PixelRect& region) {
  if (empty(region)) return;
  set_clip(region);
  glClearColor(0, 0, 0, 1);
  glClear(GL_COLOR_BUFFER_BIT);
}

void TileCompositor::end() {
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_BLEND);
  glBindVertexArray(0);
  glUseProgram(0);
  text_.end_composite();
}

void TileCompositor::set_clip(const PixelRect& clip) const {
  glScissor(clip.x, clip.y, clip.w, clip.h);  // the target is top row first
}

void TileCompositor::copy_image(const streams::VideoFrame& image, int x, int y,
                                const PixelRect& clip) const {
  const PixelRect part = intersect({x, y, image.width, image.height}, clip);
  if (empty(part) || image.strides[0] % 4 != 0) return;
  // Not clipped by the scissor: the rows and columns outside `clip` are skipped here. GL orders
  // the copy after the draws before it and before the ones after (label, border, overlays).
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, target_texture_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, image.strides[0] / 4);
  glPixelStorei(GL_UNPACK_SKIP_PIXELS, part.x - x);
  glPixelStorei(GL_UNPACK_SKIP_ROWS, part.y - y);
  glTexSubImage2D(GL_TEXTURE_2D, 0, part.x, part.y, part.w, part.h, GL_RGBA, GL_UNSIGNED_BYTE,
                  image.planes[0]);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glPixelStorei(GL_UNPACK_SKIP_PIXELS, 0);
  glPixelStorei(GL_UNPACK_SKIP_ROWS, 0);
  glBindTexture(GL_TEXTURE_2D, 0);
}

void TileCompositor::fill(const PixelRect& r, const Rgba& colour) const {
  if (empty(r)) return;
  glUseProgram(solid_.get());
  solid_quad_.set(static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.w),
                  static_cast<float>(r.h), static_cast<float>(width_), static_cast<float>(height_));
  glUniform4f(solid_color_, colour.r, colour.g, colour.b, colour.a);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

void TileCompositor::draw_text(const TextCache::Entry& entry, int x, int y,
                               const Rgba& colour) const {
  glUseProgram(text_program_.get());
  text_quad_.set(static_cast<float>(x), static_cast<float>(y), static_cast<float>(entry.width),
                 static_cast<float>(entry.height), static_cast<float>(width_),
                 static_cast<float>(height_));
  glUniform4f(text_color_, colour.r, colour.g, colour.b, colour.a);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, entry.texture.get());
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

const TextCache::Entry* TileCompositor::fitted_text(const std::string& text, int pixel_size,
                                                    int max_width) {
  const TextCache::Entry* entry = text_.get(text, pixel_size);
  if (entry != nullptr && entry->width > max_width && max_width > 0) {
    const int smaller = std::max(8, pixel_size * max_width / entry->width);
    if (smaller < pixel_size) entry = text_.get(text, smaller);
  }
  return entry;
}

namespace {

struct LabelMetrics {
  int size = 0;
  int pad = 0;
};

LabelMetrics label_metrics(const PixelRect& r) {
  const int size = std::clamp(static_cast<int>(std::lround(r.h * 0.055)), 12, 40);
  return {size, std::max(2, size / 4)};
}

Rgba rgba(const Rgb& c, float alpha = 1) {
  return {c.r, c.g, c.b, alpha};
}

}  // namespace

PixelRect TileCompositor::copied_rect(const TileDraw& tile) const {
  if (tile.kind != TileDraw::Kind::Video || tile.image == nullptr) return {};
  const ImagePlacement ip = place_image(to_pixels(tile.rect, width_, height_),
                                        tile.image->source_w(), tile.image->source_h(), tile.fit);
  if (!streams::satisfies(*tile.image, ip.target)) return {};
  return {ip.x, ip.y, ip.target.width, ip.target.height};
}

void TileCompositor::draw_masks(const TileDraw& tile, const PixelRect& clip) {
  MaskArea area;
  if (!mask_area(tile, width_, height_, &area)) return;
  set_clip(intersect(area.clip, clip));
  glUseProgram(mask_program_.get());
  glUniform2f(mask_target_, static_cast<float>(width_), static_cast<float>(height_));
  glUniform4f(mask_color_, kMaskGrey / 255.0f, kMaskGrey / 255.0f, kMaskGrey / 255.0f, 1.0f);
  glBindVertexArray(mask_vao_.get());
  glBindBuffer(GL_ARRAY_BUFFER, mask_vertices_.get());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(area.xy.size() * sizeof(float)),
               area.xy.data(), GL_STREAM_DRAW);
  glDrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(area.xy.size() / 2));
  glBindBuffer(GL_ARRAY_BUFFER, 0);
  glBindVertexArray(vao_.get());
  set_clip(clip);
}

PixelRect TileCompositor::label_band(const TileDraw& tile) {
  const PixelRect r = to_pixels(tile.rect, width_, height_);
  if (empty(r) || tile.kind == TileDraw::Kind::Empty || tile.label.empty()) return {};
  const LabelMetrics m = label_metrics(r);
  const auto* t = text_.get(std::string(tile.label), m.size);
  if (t == nullptr) return {};
  // Wider labels than the tile are cut by the tile's clip.
  return {r.x, r.y, std::min(r.w, t->width + 2 * m.pad), std::min(r.h, t->height + 2 * m.pad)};
}

void TileCompositor::copy_video(const TileDraw& tile, const PixelRect& clip) const {
  const PixelRect r = copied_rect(tile);
  if (!empty(r)) copy_image(*tile.image, r.x, r.y, intersect(r, clip));
}

void TileCompositor::draw(const TileDraw& tile, Language language, const PixelRect& clip,
                          bool video_copied) {
  const PixelRect r = to_pixels(tile.rect, width_, height_);
  const PixelRect visible = intersect(r, clip);
  if (empty(visible)) return;
  set_clip(visible);

  switch (tile.kind) {
    case TileDraw::Kind::Video: {
      // The region was cleared to black: letterbox bars stay black.
      if (tile.image != nullptr) {
        if (!video_copied) copy_video(tile, visible);
        break;
      }
      const Placement p = place_frame(r, tile.video->width(), tile.video->height(), tile.fit);
      yuv_.draw(*tile.video, p.x, p.y, p.w, p.h, static_cast<float>(width_),
                static_cast<float>(height_), p.u0, p.v0, p.u1, p.v1);
      break;
    }
    case TileDraw::Kind::State: {
      fill(r, rgba(kStateBackground));
      const int size = std::clamp(static_cast<int>(std::lround(r.h * 0.09)), 14, 72);
      if (const auto* t =
              fitted_text(std::string(state_text(tile.state, language)), size, r.w * 9 / 10)) {
        draw_text(*t, r.x + (r.w - t->width) / 2, r.y + (r.h - t->height) / 2,
                  rgba(state_color(tile.state)));
      }
      break;
    }
    case TileDraw::Kind::Empty: {
      fill(r, rgba(kEmptyBackground));
      const int size = std::clamp(static_cast<int>(std::lround(r.h * 0.06)), 12, 48);
      if (const auto* t = fitted_text(std::string(empty_text(language)), size, r.w * 9 / 10)) {
        draw_text(*t, r.x + (r.w - t->width) / 2, r.y + (r.h - t->height) / 2, rgba(kEmptyText));
      }
      break;
    }
  }

  if (!tile.masks_lifted) draw_masks(tile, visible);

  if (const PixelRect band = label_band(tile); !empty(band)) {
    const LabelMetrics m = label_metrics(r);
    fill(band, {0, 0, 0, kLabelBandAlpha});
    if (const auto* t = text_.get(std::string(tile.label), m.size)) {
      draw_text(*t, r.x + m.pad, r.y + m.pad, rgba(kLabelText));
    }
  }

  int b = std::max(1, static_cast<int>(std::lround(std::min(width_, height_) / 1080.0)));
  Rgba border = rgba(kBorder);
  if (tile.kind == TileDraw::Kind::Video && !tile.quality.empty()) {
    // The diagnosis faults the picture: an amber badge top-right and an amber border, twice as
    // thick, so a bad picture is seen as bad where the operator looks.
    const LabelMetrics m = label_metrics(r);
    if (const auto* t = fitted_text(quality_text(tile.quality, language), m.size, r.w / 2)) {
      const PixelRect badge{r.x + r.w - t->width - 3 * m.pad, r.y, t->width + 2 * m.pad,
                            t->height + 2 * m.pad};
      fill(badge, rgba(kQualityAmber));
      draw_text(*t, badge.x + m.pad, badge.y + m.pad, rgba(kQualityText));
    }
    border = rgba(kQualityAmber);
    b *= 2;
  }
  fill({r.x, r.y, r.w, b}, border);
  fill({r.x, r.y + r.h - b, r.w, b}, border);
  fill({r.x, r.y, b, r.h}, border);
  fill({r.x + r.w - b, r.y, b, r.h}, border);
}

}  // namespace vw::renderer
