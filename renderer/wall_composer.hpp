// The wall's composite: an offscreen framebuffer of the output size that keeps its content
// between composites, redrawn only where something changed (incremental compositing).
//
// What is redrawn: the rect of every tile whose content changed since the last composite (a new
// frame in its planes, another stream, a state change), and the old and new rects of every
// overlay panel that changed (numbers, stale marker, badges). These rects are cut into disjoint
// regions; each region is redrawn exactly as a full redraw would draw it: cleared to black,
// then every tile that intersects it in wall order, then every overlay panel that intersects
// it, all clipped to the region. So overlays over a tile whose frame changed are redrawn with
// it (never blended twice), and a capture equals a full redraw. A new view, a new output size
// or `incremental == false` redraws the whole wall.
// Threads: render thread only, with the renderer's context current.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "renderer/case_view.hpp"
#include "renderer/gl_util.hpp"
#include "renderer/overlay_painter.hpp"
#include "renderer/renderer.hpp"
#include "renderer/tile_compositor.hpp"
#include "renderer/wall_view.hpp"

namespace vw::renderer {

// Adds `r` to a set of disjoint rects, as the parts of `r` not already covered.
void add_disjoint(std::vector<PixelRect>* set, const PixelRect& r);

struct ComposeResult {
  bool drew = false;  // anything redrawn
  bool full = false;  // the whole wall
  int regions = 0;
  int tile_draws = 0;           // tiles drawn (clipped to a region each)
  int overlays_not_placed = 0;  // of the current overlay layout
};

class WallComposer {
 public:
  WallComposer(const std::string& font_path, int max_texture_size);

  // Brings the composite up to date with `view`, `draws` (one per tile of the view) and
  // `cases` (null: none yet). `view_changed` or `cases_changed` makes it lay the overlays out
  // again; `full` redraws everything.
  ComposeResult compose(const WallView& view, const std::vector<TileDraw>& draws,
                        const CaseView* cases, bool view_changed, bool cases_changed, bool full);

  // The composite's size for `view`: its output size within what GL can hold.
  std::pair<int, int> output_size(const WallView& view) const;

  GLuint framebuffer() const { return fbo_.get(); }
  GLuint color_texture() const { return color_.get(); }  // the composite, for UI miniatures
  int width() const { return width_; }
  int height() const { return height_; }

  Image read_back() const;

  // The wall's font, for text drawn on the CPU (the outputs' watermarks).
  FontRasterizer& font() { return compositor_.text().rasterizer(); }

 private:
  // What a tile's pixels depend on besides the view.
  struct TileSignature {
    TileDraw::Kind kind = TileDraw::Kind::Empty;
    const PlaneTextures* video = nullptr;
    const streams::VideoFrame* image = nullptr;
    std::uint64_t content = 0;
    streams::StreamState state = streams::StreamState::Idle;
    std::string quality;
    bool operator==(const TileSignature&) const = default;
  };

  bool ensure_target(int width, int height);  // true when (re)allocated

  TileCompositor compositor_;
  int max_texture_size_;
  gl::Framebuffer fbo_;
  gl::Texture color_;
  int width_ = 0;
  int height_ = 0;
  bool valid_ = false;  // the framebuffer holds a complete composite
  std::vector<TileSignature> drawn_;
  std::vector<OverlayPanel> panels_;
  int not_placed_ = 0;
};

}  // namespace vw::renderer
