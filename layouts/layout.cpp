// Layout rules shared by validate() and the YAML loader, and small lookups.
#include "layouts/layout.hpp"

#include <algorithm>
#include <cmath>
#include <locale>
#include <sstream>
#include <string>
#include <unordered_map>

#include "layouts/layout_checks.hpp"

namespace vw::layouts {
namespace {

// Normalized coordinates are fractions like i/3; a tolerance keeps round-off from turning
// tiles that merely touch (or touch an edge) into errors.
constexpr double kEpsilon = 1e-9;

std::string num(double v) {
  std::ostringstream s;
  s.imbue(std::locale::classic());
  s.precision(6);
  s << v;
  return s.str();
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// Checks one rectangle; returns false if it is unusable for the overlap test.
bool check_rect(const Tile& tile, const std::string& field, int line, const std::string& file,
                std::vector<LayoutError>& out) {
  const Rect& r = tile.rect;
  const std::string who = "tile " + quoted(tile.name) + ": ";
  auto error = [&](std::string message) { out.push_back({file, line, field, who + message}); };
  if (!std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.w) || !std::isfinite(r.h)) {
    error("x, y, w and h must be finite numbers");
    return false;
  }
  bool ok = true;
  if (r.w <= 0) {
    error("w = " + num(r.w) + " must be greater than 0; give the tile a positive width");
    ok = false;
  }
  if (r.h <= 0) {
    error("h = " + num(r.h) + " must be greater than 0; give the tile a positive height");
    ok = false;
  }
  if (r.x < -kEpsilon) {
    error("x = " + num(r.x) + " is left of the wall; x must be >= 0");
    ok = false;
  }
  if (r.y < -kEpsilon) {
    error("y = " + num(r.y) + " is above the wall; y must be >= 0");
    ok = false;
  }
  if (r.w > 0 && r.x + r.w > 1 + kEpsilon) {
    error("x+w = " + num(r.x + r.w) + " is past the right edge (1); reduce x or w");
    ok = false;
  }
  if (r.h > 0 && r.y + r.h > 1 + kEpsilon) {
    error("y+h = " + num(r.y + r.h) + " is past the bottom edge (1); reduce y or h");
    ok = false;
  }
  return ok;
}

double overlap_area(const Rect& a, const Rect& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

}  // namespace

std::string LayoutError::to_string() const {
  std::string s = file;
  if (line > 0) {  // two appends: GCC 12 -O3 warns falsely (-Wrestrict) on ":" + to_string
    s += ':';
    s += std::to_string(line);
  }
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}

namespace detail {

std::string tile_field(std::size_t index) {
  return "tiles[" + std::to_string(index) + "]";
}

void check_tiles(const Layout& layout, const LayoutOrigin& origin, std::vector<LayoutError>& out) {
  const auto& tiles = layout.tiles;
  const std::string& file = origin.file;
  if (tiles.empty()) {
    out.push_back({file, origin.tiles_line, "tiles", "the layout has no tiles; add at least one"});
    return;
  }
  const bool too_many = tiles.size() > static_cast<std::size_t>(kMaxTiles);
  if (too_many) {
    out.push_back({file, origin.tiles_line, "tiles",
                   "the layout has " + std::to_string(tiles.size()) + " tiles; at most " +
                       std::to_string(kMaxTiles) + " are allowed, remove or merge some"});
  }
  auto origin_of = [&](std::size_t i) {
    return i < origin.tiles.size() ? origin.tiles[i] : TileOrigin{};
  };
  auto where = [&](std::size_t i) {
    const int line = origin_of(i).line;
    return tile_field(i) + (line > 0 ? ", line " + std::to_string(line) : "");
  };

  std::unordered_map<std::string, std::size_t> first_use;
  std::vector<bool> usable(tiles.size(), false);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const TileOrigin o = origin_of(i);
    const std::string& name = tiles[i].name;
    if (!name.empty()) {
      auto [it, fresh] = first_use.emplace(name, i);
      if (!fresh) {
        out.push_back({file, o.line, tile_field(i) + ".name",
                       "tile name " + quoted(name) + " is already used by " + where(it->second) +
                           "; tile names must be unique within a layout"});
      }
    }
    if (o.has_geometry) {
      usable[i] =
          check_rect(tiles[i], tile_field(i) + "." + o.geometry_key, o.geometry_line, file, out);
    }
  }

  // Quadratic, so skipped for oversized inputs (already an error).
  for (std::size_t j = 0; j < tiles.size() && !too_many; ++j) {
    if (!usable[j]) continue;
    for (std::size_t i = 0; i < j; ++i) {
      if (!usable[i]) continue;
      const double area = overlap_area(tiles[i].rect, tiles[j].rect);
      if (area > kEpsilon) {
        const TileOrigin o = origin_of(j);
        out.push_back({file, o.geometry_line, tile_field(j) + "." + o.geometry_key,
                       "tile " + quoted(tiles[j].name) + " overlaps tile " + quoted(tiles[i].name) +
                           " (" + where(i) + ") by area " + num(area) +
                           "; move or shrink one so they only share edges"});
      }
    }
  }
}

Rect cell_rect(int column, int row, int column_span, int row_span, int columns, int rows) {
  const double x0 = column / static_cast<double>(columns);
  const double x1 = (column + column_span) / static_cast<double>(columns);
  const double y0 = row / static_cast<double>(rows);
  const double y1 = (row + row_span) / static_cast<double>(rows);
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

}  // namespace detail

std::vector<LayoutError> validate(const Layout& layout) {
  std::vector<LayoutError> errors;
  const std::string& file = layout.source;
  if (layout.name.empty()) {
    errors.push_back({file, 0, "name", "the layout name is empty; give it a unique name"});
  }
  for (std::size_t i = 0; i < layout.tiles.size(); ++i) {
    if (layout.tiles[i].name.empty()) {
      errors.push_back({file, 0, detail::tile_field(i) + ".name",
                        "the tile name is empty; give each tile a unique name"});
    }
  }
  detail::LayoutOrigin origin;
  origin.file = file;
  detail::check_tiles(layout, origin, errors);
  return errors;
}

int tile_index(const Layout& layout, std::string_view tile_name) {
  for (std::size_t i = 0; i < layout.tiles.size(); ++i) {
    if (layout.tiles[i].name == tile_name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace vw::layouts
