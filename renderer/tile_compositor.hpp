// Draws the tiles of a wall into the bound framebuffer: per tile the video (letterboxed or
// filled), or a dark tile with the stream's state in words, or an empty tile; then the label
// band (camera name, top-left) and a thin border. Pure drawing: which frame a tile shows is the
// Renderer's decision (TileDraw says it). Every draw is clipped to a region, so a part of the
// wall can be redrawn alone (incremental compositing): clear(region), then draw every tile and
// overlay that intersects it, in wall order, each clipped to the region.
// Threads: render thread only, with the renderer's context current.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layouts/layout.hpp"
#include "renderer/gl_util.hpp"
#include "renderer/text_atlas.hpp"
#include "renderer/wall_view.hpp"
#include "renderer/yuv_program.hpp"
#include "streams/frame_scaler.hpp"
#include "streams/stream_channel.hpp"

namespace vw::renderer {

struct PixelRect {
  int x = 0, y = 0, w = 0, h = 0;  // y down, top-left origin
  bool operator==(const PixelRect&) const = default;
};

// The tile's pixels in a width x height target; neighbouring tiles share edges exactly.
// Out-of-range or NaN coordinates are clamped to the target.
PixelRect to_pixels(const layouts::Rect& rect, int width, int height);

// Where a frame lands in a tile: destination rectangle (pixels) and source texture coordinates.
struct Placement {
  float x = 0, y = 0, w = 0, h = 0;
  float u0 = 0, v0 = 0, u1 = 1, v1 = 1;
};
// Letterbox: the whole frame, centred, aspect kept (bars left black). Fill: the tile covered,
// aspect kept, the frame's excess cropped evenly.
Placement place_frame(const PixelRect& tile, int frame_width, int frame_height, FitMode fit);

// The same placement in whole pixels, for the software path: where the top-left of the tile's
// pixels goes and the frame scale_frame() must make for it.
struct ImagePlacement {
  int x = 0, y = 0;
  streams::ScaleTarget target;
};
ImagePlacement place_image(const PixelRect& tile, int source_width, int source_height, FitMode fit);

// What a tile shows for a stream that is not playing ("连接中", "Signal lost", ...).
std::string_view state_text(streams::StreamState state, Language language);
std::string_view empty_text(Language language);  // "空闲" / "Empty"

struct TileDraw {
  enum class Kind { Empty, Video, State };
  Kind kind = Kind::Empty;
  layouts::Rect rect;
  const PlaneTextures* video = nullptr;  // Kind::Video, YUV planes drawn by the shader, or
  // Kind::Video, software path: RGBA that satisfies place_image()'s target, copied as it is.
  const streams::VideoFrame* image = nullptr;
  std::uint64_t content = 0;  // Kind::Video: changes with every new frame in `video` or `image`
  streams::StreamState state = streams::StreamState::Idle;  // Kind::State
  std::string_view label;                                   // points into the WallView being drawn
  FitMode fit = FitMode::Letterbox;
  // Kind::Video: the first fault the quality diagnosis holds for the shown stream ("" none):
  // drawn as a badge top-right and an amber border.
  std::string quality;
  // Kind::Video: the camera's mask triangles (TileView::masks; null: none), drawn over the video
  // unless `masks_lifted` (picture_marks.hpp).
  const std::vector<layouts::Point>* masks = nullptr;
  bool masks_lifted = false;
};

struct Rgba {
  float r = 0, g = 0, b = 0, a = 1;
  bool operator==(const Rgba&) const = default;
};

PixelRect intersect(const PixelRect& a, const PixelRect& b);
inline bool empty(const PixelRect& r) {
  return r.w <= 0 || r.h <= 0;
}
inline bool intersects(const PixelRect& a, const PixelRect& b) {
  return !empty(intersect(a, b));
}

class TileCompositor {
 public:
  // Builds the shader programs; throws std::runtime_error when one does not build.
  explicit TileCompositor(const std::string& font_path);

  // Sets up state for `target_texture` (width x height, top row first, bound to the current
  // framebuffer); draws nothing.
  void begin(int width, int height, GLuint target_texture);
  // Clears `region` to black (the wall's background).
  void clear(const PixelRect& region);
  // Draws `tile`, clipped to `clip`; without its video when `video_copied` (copy_video() put it
  // there already).
  void draw(const TileDraw& tile, Language language, const PixelRect& clip,
            bool video_copied = false);
  // Copies the video of `tile` (copied_rect() not empty) into the target, clipped to `clip`.
  void copy_video(const TileDraw& tile, const PixelRect& clip) const;
  void end();

  // The pixels `tile` copies whole (software path: its video; empty otherwise). They need no
  // clearing first.
  PixelRect copied_rect(const TileDraw& tile) const;

  // Where `tile` draws its label band (camera name, top-left); empty when it has none. The
  // overlays keep out of it.
  PixelRect label_band(const TileDraw& tile);

  // Drawing primitives for the overlays; the clip is the last one set.
  void set_clip(const PixelRect& clip) const;
  void fill(const PixelRect& r, const Rgba& colour) const;
  // Draws cached text at 1:1 pixels with its top-left at (x, y).
  void draw_text(const TextCache::Entry& entry, int x, int y, const Rgba& colour) const;

  TextCache& text() { return text_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  // Copies the part of `image` (top-left at x, y) inside `clip` into the target texture.
  void copy_image(const streams::VideoFrame& image, int x, int y, const PixelRect& clip) const;
  // The privacy masks of `tile` (drawn after its video, before its label), clipped to `clip`.
  void draw_masks(const TileDraw& tile, const PixelRect& clip);
  // Text of `text` at about `pixel_size`, shrunk to fit `max_width` pixels when wider.
  const TextCache::Entry* fitted_text(const std::string& text, int pixel_size, int max_width);

  gl::VertexArray vao_;
  gl::Program solid_;
  gl::QuadUniforms solid_quad_;
  GLint solid_color_ = -1;
  gl::Program text_program_;
  gl::QuadUniforms text_quad_;
  GLint text_color_ = -1;
  gl::Program mask_program_;  // triangles with pixel positions from a vertex buffer
  GLint mask_target_ = -1;
  GLint mask_color_ = -1;
  gl::VertexArray mask_vao_;
  gl::Buffer mask_vertices_;
  YuvProgram yuv_;
  TextCache text_;
  int width_ = 0;
  int height_ = 0;
  GLuint target_texture_ = 0;
};

}  // namespace vw::renderer
