// Internal to vw_layouts: the rules shared by validate() and the YAML loader, so both report the
// same problems with the same words. Not part of the public API.
#pragma once

#include <string>
#include <vector>

#include "layouts/layout.hpp"

namespace vw::layouts::detail {

// Where a tile came from in its file. Lines are 1-based, 0 when unknown (presets, validate()).
struct TileOrigin {
  int line = 0;           // the tile's entry in `tiles:`
  int geometry_line = 0;  // its `rect:` or `cell:`
  std::string geometry_key = "rect";
  bool has_geometry = true;  // false when rect/cell did not parse: skip its geometry checks
};

struct LayoutOrigin {
  std::string file;
  int tiles_line = 0;             // the `tiles:` key
  std::vector<TileOrigin> tiles;  // parallel to Layout::tiles
};

// "tiles[3]" — the field path of tile i (0-based, like the YAML sequence).
std::string tile_field(std::size_t index);

// Tile count, unique tile names, rectangle sizes and bounds, overlaps. Name emptiness is left to
// the caller, which knows whether a name was missing or empty.
void check_tiles(const Layout& layout, const LayoutOrigin& origin, std::vector<LayoutError>& out);

// The normalized rectangle of a grid cell. Edges are computed as i/n so neighbouring cells share
// the exact same edge value and tiles abut without gaps.
Rect cell_rect(int column, int row, int column_span, int row_span, int columns, int rows);

}  // namespace vw::layouts::detail
