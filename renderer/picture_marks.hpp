// What the wall marks over its pictures besides labels (issue "The wall goes out"):
// - Privacy masks: each camera's mask triangles (TileView::masks, normalized to its picture),
//   placed as the tile's video is placed (letterbox or fill) and clipped to the tile. The
//   compositor draws them on the wall unless they are lifted; every output's picture gets them
//   again on the CPU (fill_masks), lifted or not, so no output ever shows what a mask hides.
// - The watermark of an output: one line (the configured text · the time · the output id) at the
//   bottom right of each output picture, so a screen recording of a conference is traceable.
// Threads: plain functions; the callers are on the render thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "renderer/text_atlas.hpp"
#include "renderer/tile_compositor.hpp"

namespace vw::renderer {

// The masks' colour: an opaque mid grey, unlike any tile background, label or state.
inline constexpr std::uint8_t kMaskGrey = 0x60;

// A tile's masks in target pixels: three (x, y) vertices per triangle, and the tile's pixels
// they are clipped to.
struct MaskArea {
  PixelRect clip;
  std::vector<float> xy;
};

// The masks of `tile` in a width x height target; false when it shows no video or has no masks.
bool mask_area(const TileDraw& tile, int width, int height, MaskArea* area);
// Every tile's (in wall order) that has some.
std::vector<MaskArea> mask_areas(const std::vector<TileDraw>& draws, int width, int height);

// `area` moved into a picture that shows the target's pixels from (x0, y0), scaled by (sx, sy).
MaskArea map_area(const MaskArea& area, int x0, int y0, double sx, double sy);

// Fills the triangles of `area` (pixel centres inside, as GL rasterizes) within its clip, with
// opaque kMaskGrey, into an RGBA picture (top row first).
void fill_masks(std::uint8_t* rgba, int stride, int width, int height, const MaskArea& area);

// The watermark of one output: rasterized again when its text changes (once a second, with the
// time); blended at the bottom right of each picture.
class Watermark {
 public:
  // The line for `text` now: "text · 2026-12-02 19:30:05 · id" (local time).
  static std::string line(const std::string& text, const std::string& id);

  // White text with a dark outline, about 2.8 % of the picture's height, 1.5 % from the edges.
  void draw(FontRasterizer& font, const std::string& line, std::uint8_t* rgba, int stride,
            int width, int height);

 private:
  void rasterize(FontRasterizer& font);

  std::string line_;
  int size_ = 0;
  TextBitmap text_;     // the glyphs' coverage, white
  TextBitmap outline_;  // the same box: the glyphs grown by the outline's width, dark
};

}  // namespace vw::renderer
