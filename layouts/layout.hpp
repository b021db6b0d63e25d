// The layout model: pure data, no GL. A layout is a named set of tiles with normalized
// rectangles (0..1 of the wall's width and height). Geometry only: which camera shows in which
// tile is the controller's business, not the layout's.
//
// Threads: everything here is plain data and free functions with no shared state; a
// LayoutLibrary is safe to read from several threads as long as nobody calls add_dir meanwhile.
// File format of custom layouts: docs/layouts.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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
  std::string name;   // e.g. "3x3", "1+5", or a custom file's `name:`
  std::string title;  // shown to operators (Chinese), e.g. "九宫格"
  std::vector<Tile> tiles;
  std::string source;  // "builtin" or the file it came from
};

constexpr int kMaxTiles = 64;

// A problem found while loading or validating: names file, line and field.
struct LayoutError {
  std::string file;   // "builtin" for presets
  int line = 0;       // 1-based; 0 when no line applies
  std::string field;  // e.g. "tiles[3].rect"; tile indices are 0-based; empty for syntax errors
  std::string message;
  std::string to_string() const;  // "layouts/bad.yaml:12: tiles[3].rect: x+w = 1.2 is past 1"
};

// The built-in presets, in this order: 1x1 2x2 3x3 4x4 1+5 1+7 1+12 2+8. Tiles are named
// "1".."N" in reading order, big tiles first; each preset covers the wall exactly.
std::vector<Layout> builtin_presets();

// Geometry and naming rules every layout must follow (non-empty names, 1..kMaxTiles tiles,
// unique tile names, w and h > 0, inside the wall, no two tiles overlapping). Errors carry
// layout.source as file and line 0; the loaders run the same rules with real line numbers.
std::vector<LayoutError> validate(const Layout& layout);

// Index of the tile called tile_name in layout.tiles, or -1 if there is none.
int tile_index(const Layout& layout, std::string_view tile_name);

// What loading custom layouts produced. A file with any error contributes no layout, only all
// of its errors, so a half-valid layout never reaches the wall.
struct LoadResult {
  std::vector<Layout> layouts;
  std::vector<LayoutError> errors;
  std::vector<int> name_lines;  // parallel to layouts: 1-based line of each layout's `name:`
};

// Parses one file's text (one layout per file). file_label is used as Layout::source and as
// LayoutError::file. Never throws on bad input.
LoadResult load_layout_text(std::string_view yaml, const std::string& file_label);
// Reads and parses one file; an unreadable file is an error, not an exception.
LoadResult load_layout_file(const std::string& path);
// Loads every *.yaml / *.yml file in dir (not recursive, hidden files skipped), sorted by file
// name. One bad file never stops the others. Names are not checked across files here:
// LayoutLibrary does that.
LoadResult load_layout_dir(const std::string& dir);

// The presets plus custom layouts, looked up by name. Layout names are unique: a custom layout
// whose name is already taken is refused with an error naming both files.
class LayoutLibrary {
 public:
  LayoutLibrary();  // holds the presets

  // Adds the custom layouts of dir; returns every problem found (bad files, name clashes).
  // Good layouts are added even when other files in dir are bad.
  std::vector<LayoutError> add_dir(const std::string& dir);

  // nullptr if unknown. The pointer stays valid until the next add_dir.
  const Layout* find(std::string_view name) const;
  std::vector<std::string> names() const;  // presets first, then custom in load order
  const std::vector<Layout>& all() const { return layouts_; }

 private:
  std::vector<Layout> layouts_;  // presets first, then custom layouts in load order
  std::vector<int> name_lines_;  // parallel to layouts_; 0 for presets
};

}  // namespace vw::layouts
