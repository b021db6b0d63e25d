// Case-feed overlays (counters, streets, categories, ticker, tile badges) and the alarm banner,
// as a display list: layout_overlays() turns a WallView and a CaseView into panels of filled
// rectangles and text at wall pixels; paint_panel() draws one. Panels compare equal when they
// draw the same pixels, so the wall composer redraws only the panels that changed.
// Placement: the banner at the top centre, badges at a tile's top-right corner, the other
// panels along the bottom edge (counters and categories left; ticker and streets right); no
// panel covers a tile's label band (a panel that finds no room at any of three sizes is not
// drawn and counted). Text scales with the wall height (the counters ~3.5 % of it).
// Threads: render thread only (the TextCache and the compositor are GL objects).
#pragma once

#include <string>
#include <vector>

#include "renderer/case_view.hpp"
#include "renderer/tile_compositor.hpp"
#include "renderer/wall_view.hpp"

namespace vw::renderer {

struct OverlayPrim {
  enum class Kind { Fill, Text };
  Kind kind = Kind::Fill;
  PixelRect rect;    // Fill: the rectangle; Text: where the text lands (measured)
  std::string text;  // Kind::Text
  int size = 0;      // Kind::Text: pixel size
  Rgba colour;
  bool operator==(const OverlayPrim&) const = default;
};

struct OverlayPanel {
  PixelRect rect;  // bounds of every primitive
  std::vector<OverlayPrim> prims;
  bool operator==(const OverlayPanel&) const = default;
};

struct OverlayInput {
  const WallView* view = nullptr;
  const CaseView* cases = nullptr;     // null: no case view published yet ("等待数据")
  std::vector<PixelRect> tiles;        // pixel rect of each tile of the view
  std::vector<PixelRect> label_bands;  // each tile's label band (empty rect: none)
};

struct OverlayLayout {
  std::vector<OverlayPanel> panels;  // in drawing order
  int not_placed = 0;                // panels that found no room
};

OverlayLayout layout_overlays(const OverlayInput& input, TextCache& text, int width, int height);

// Draws `panel` with the compositor's current clip.
void paint_panel(const OverlayPanel& panel, TileCompositor& compositor);

// The words of the overlays, by language (also used by the tests' expectations).
const char* case_status_text(const std::string& status, Language language);

}  // namespace vw::renderer
