// The layout model: pure data, no GL. A layout is a named set of tiles with normalized
// rectangles (0..1 of the wall's width and height). Geometry only: which camera shows in which
// tile is the controller's business, not the layout's.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vw::layouts {

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;  // normalized; x,y = top-left corner
  bool operator==(const Rect&) const = default;
};

struct Tile {
  std::string name;  // unique within the layout, e.g. "1".."9" for presets
  Rect rect;
};

struct Layout {
  std::string name;    // e.g. "3x3", "1+5", or a custom file's `name:`
  std::string title;   // shown to operators (Chinese), e.g. "九宫格"
  std::vector<Tile> tiles;
  std::string source;  // "builtin" or the file it came from
};

constexpr int kMaxTiles = 64;

// A problem found while loading or validating: names file, line and field.
struct LayoutError {
  std::string file;   // "builtin" for presets
  int line = 0;       // 1-based; 0 when no line applies
  std::string field;  // e.g. "tiles[3].rect"
  std::string message;
  std::string to_string() const;  // "layouts/bad.yaml:12: tiles[3].rect: x+w = 1.2 is past 1"
};

}  // namespace vw::layouts
