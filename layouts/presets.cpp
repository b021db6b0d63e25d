// The built-in presets. Each is a regular grid: big tiles are placed first, then every free
// cell becomes a 1x1 tile in reading order, so a preset covers the wall exactly by construction.
#include <string>
#include <utility>
#include <vector>

#include "layouts/layout.hpp"
#include "layouts/layout_checks.hpp"

namespace vw::layouts {
namespace {

struct Cell {
  int column, row, column_span, row_span;
};

Layout grid_preset(std::string name, std::string title, int columns, int rows,
                   const std::vector<Cell>& big) {
  Layout layout{std::move(name), std::move(title), {}, "builtin"};
  std::vector<bool> taken(static_cast<std::size_t>(columns * rows), false);
  auto add = [&](const Cell& c) {
    layout.tiles.push_back(
        {std::to_string(layout.tiles.size() + 1),
         detail::cell_rect(c.column, c.row, c.column_span, c.row_span, columns, rows)});
    for (int r = c.row; r < c.row + c.row_span; ++r) {
      for (int col = c.column; col < c.column + c.column_span; ++col) {
        taken[static_cast<std::size_t>(r * columns + col)] = true;
      }
    }
  };
  for (const Cell& c : big) add(c);
  for (int r = 0; r < rows; ++r) {
    for (int col = 0; col < columns; ++col) {
      if (!taken[static_cast<std::size_t>(r * columns + col)]) add({col, r, 1, 1});
    }
  }
  return layout;
}

}  // namespace

std::vector<Layout> builtin_presets() {
  return {
      grid_preset("1x1", "单画面", 1, 1, {}),
      grid_preset("2x2", "四画面", 2, 2, {}),
      grid_preset("3x3", "九画面", 3, 3, {}),
      grid_preset("4x4", "十六画面", 4, 4, {}),
      grid_preset("1+5", "一大五小", 3, 3, {{0, 0, 2, 2}}),
      grid_preset("1+7", "一大七小", 4, 4, {{0, 0, 3, 3}}),
      grid_preset("1+12", "一大十二小", 4, 4, {{1, 1, 2, 2}}),
      grid_preset("2+8", "两大八小", 4, 4, {{0, 0, 2, 2}, {2, 0, 2, 2}}),
  };
}

}  // namespace vw::layouts
