// Custom layouts from YAML files (format: docs/layouts.md). The loader never throws on bad
// input: it collects every problem it can find, each with file, line and field, and a file
// with any problem contributes no layout.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "layouts/layout.hpp"
#include "layouts/layout_checks.hpp"
#include "layouts/yaml_documents.hpp"

namespace vw::layouts {
namespace {

namespace fs = std::filesystem;

// More columns or rows than this is surely a typo; kMaxTiles bounds the tiles anyway.
constexpr int kMaxGridSide = 100;

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// A value found under a known key. Errors about it point at the key's line: yaml-cpp marks an
// empty value on the line after its key, which would mislead.
struct Entry {
  YAML::Node value;
  int line = 0;
};
using Entries = std::map<std::string, Entry, std::less<>>;

struct GridSize {
  int columns = 0, rows = 0;
};

class FileParser {
 public:
  explicit FileParser(std::string file) : file_(std::move(file)) {}

  LoadResult parse(std::string_view text) {
    const std::string source(text);
    YAML::Node root;
    try {
      const YamlDocumentScan docs = scan_yaml_documents(source);
      if (docs.stuck) {
        // A token no node can start with, such as a stray ','.
        const auto pos = static_cast<std::size_t>(docs.stuck->pos);
        const std::string token = pos < source.size() ? source.substr(pos, 1) : "?";
        error(docs.stuck->line + 1, "",
              "YAML syntax error: unexpected '" + token + "' at column " +
                  std::to_string(docs.stuck->column + 1) + "; remove it or quote the value");
        return finish();
      }
      if (docs.starts.size() > 1) {
        error(docs.starts[1].line + 1, "",
              "the file holds more than one YAML document; put each layout in a file of its own");
        return finish();
      }
      root = YAML::Load(source);
    } catch (const YAML::Exception& e) {
      error(e.mark.is_null() ? 0 : e.mark.line + 1, "",
            "YAML syntax error: " + e.msg +
                "; check indentation, colons, quotes and brackets on this line or the one above");
      return finish();
    }
    if (root.IsNull()) {
      error(1, "", "the file is empty; a layout needs at least `name:` and `tiles:`");
    } else {
      parse_layout(root);
    }
    return finish();
  }

 private:
  void error(int line, std::string field, std::string message) {
    result_.errors.push_back({file_, line, std::move(field), std::move(message)});
  }

  LoadResult finish() {
    if (result_.errors.empty() && layout_) {
      result_.layouts.push_back(std::move(*layout_));
      result_.name_lines.push_back(name_line_);
    }
    return std::move(result_);
  }

  // Collects the keys of a mapping, reporting unknown and repeated ones (yaml-cpp would
  // silently keep the first of two equal keys).
  Entries entries(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                  const std::string& path) {
    Entries out;
    std::string allowed_list;
    for (std::string_view k : allowed)
      allowed_list += (allowed_list.empty() ? "" : ", ") + std::string(k);
    for (auto it = map.begin(); it != map.end(); ++it) {
      const int line = line_of(it->first);
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        error(line, join(path, key),
              "unknown key '" + key + "'; allowed here: " + allowed_list + " (check the spelling)");
      } else if (auto [pos, fresh] = out.try_emplace(key, Entry{it->second, line}); !fresh) {
        error(line, join(path, key),
              "key '" + key + "' appears twice (first on line " + std::to_string(pos->second.line) +
                  "); keep only one");
      }
    }
    return out;
  }

  // A required, non-empty text value such as a layout or tile name.
  std::optional<std::string> name_value(const Entries& e, const std::string& field, int owner_line,
                                        const std::string& example) {
    auto it = e.find("name");
    if (it == e.end()) {
      error(owner_line, field, "missing required key 'name'; add e.g. `name: " + example + "`");
      return std::nullopt;
    }
    const YAML::Node& v = it->second.value;
    if (v.IsNull() || (v.IsScalar() && v.Scalar().empty())) {
      error(it->second.line, field, "the name is empty; write e.g. `name: " + example + "`");
      return std::nullopt;
    }
    if (!v.IsScalar()) {
      error(it->second.line, field, "the name must be text, not a list or mapping");
      return std::nullopt;
    }
    return v.Scalar();
  }

  // A plain (unquoted) YAML scalar holding a finite number.
  std::optional<double> number(const YAML::Node& v, int line, const std::string& field,
                               const std::string& what) {
    if (!v.IsScalar()) {
      error(line, field,
            what + " must be a number, not " + (v.IsNull() ? "empty" : "a list or mapping"));
      return std::nullopt;
    }
    if (v.Tag() == "!") {
      error(line, field,
            what + " = \"" + v.Scalar() + "\" is quoted text; write the number without quotes");
      return std::nullopt;
    }
    std::string_view s = v.Scalar();
    if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
    double d = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) {
      error(line, field, what + " = '" + v.Scalar() + "' is not a number");
      return std::nullopt;
    }
    if (!std::isfinite(d)) {
      error(line, field, what + " = '" + v.Scalar() + "' must be a finite number");
      return std::nullopt;
    }
    return d;
  }

  std::optional<int> integer(const YAML::Node& v, int line, const std::string& field,
                             const std::string& what) {
    const std::optional<double> d = number(v, line, field, what);
    if (!d) return std::nullopt;
    // The range first: converting a double outside long long's range is undefined behaviour.
    if (*d < -1e6 || *d > 1e6 || *d != static_cast<double>(static_cast<long long>(*d))) {
      error(line, field, what + " = " + v.Scalar() + " must be a whole number");
      return std::nullopt;
    }
    return static_cast<int>(*d);
  }

  // A list of exactly parts.size() values, each parsed by `one`.
  template <typename T, typename Parse>
  std::optional<std::vector<T>> list(const Entry& e, const std::string& field,
                                     const std::vector<std::string>& parts,
                                     const std::string& shape, Parse one) {
    if (!e.value.IsSequence() || e.value.size() != parts.size()) {
      const std::string got =
          e.value.IsSequence() ? std::to_string(e.value.size()) + " values" : "no list";
      error(e.line, field,
            "expected a list of " + std::to_string(parts.size()) + " numbers " + shape + ", got " +
                got + "; write e.g. `" + field.substr(field.rfind('.') + 1) + ": " + shape + "`");
      return std::nullopt;
    }
    std::vector<T> out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::optional<T> v = (this->*one)(e.value[i], e.line, field, parts[i]);
      if (v) out.push_back(*v);
    }
    if (out.size() != parts.size()) return std::nullopt;
    return out;
  }

  std::optional<GridSize> parse_grid(const Entry& e) {
    if (!e.value.IsMap()) {
      error(e.line, "grid", "grid must be a mapping; write e.g. `grid: {columns: 4, rows: 4}`");
      return std::nullopt;
    }
    const Entries g = entries(e.value, {"columns", "rows"}, "grid");
    GridSize size;
    bool ok = true;
    for (auto [key, out] : {std::pair{"columns", &size.columns}, std::pair{"rows", &size.rows}}) {
      const std::string field = std::string("grid.") + key;
      auto it = g.find(key);
      if (it == g.end()) {
        error(e.line, field, std::string("missing required key '") + key + "' in grid");
        ok = false;
        continue;
      }
      const std::optional<int> v = integer(it->second.value, it->second.line, field, key);
      if (v && (*v < 1 || *v > kMaxGridSide)) {
        error(it->second.line, field,
              std::string(key) + " = " + std::to_string(*v) + " must be between 1 and " +
                  std::to_string(kMaxGridSide));
      } else if (v) {
        *out = *v;
        continue;
      }
      ok = false;
    }
    return ok ? std::optional<GridSize>(size) : std::nullopt;
  }

  // `cell: [column, row, column_span, row_span]` -> a rectangle, range-checked against the grid.
  std::optional<Rect> parse_cell(const Entry& e, const std::string& field, bool has_grid,
                                 const std::optional<GridSize>& grid) {
    if (!has_grid) {
      error(e.line, field,
            "cell needs a top-level grid; add e.g. `grid: {columns: 4, rows: 4}` or use rect");
      return std::nullopt;
    }
    const auto c = list<int>(e, field, {"column", "row", "column_span", "row_span"},
                             "[column, row, column_span, row_span]", &FileParser::integer);
    if (!c || !grid) return std::nullopt;  // a bad grid is reported once, at the grid
    const int column = (*c)[0], row = (*c)[1], column_span = (*c)[2], row_span = (*c)[3];
    bool ok = true;
    auto bad = [&](const std::string& message) {
      error(e.line, field, message);
      ok = false;
    };
    if (column < 0)
      bad("column = " + std::to_string(column) + " must be >= 0 (columns count from 0)");
    if (row < 0) bad("row = " + std::to_string(row) + " must be >= 0 (rows count from 0)");
    if (column_span < 1) bad("column_span = " + std::to_string(column_span) + " must be >= 1");
    if (row_span < 1) bad("row_span = " + std::to_string(row_span) + " must be >= 1");
    if (!ok) return std::nullopt;
    if (column + column_span > grid->columns) {
      bad("column + column_span = " + std::to_string(column + column_span) +
          " is past the grid's " + std::to_string(grid->columns) +
          " columns; reduce column or column_span");
    }
    if (row + row_span > grid->rows) {
      bad("row + row_span = " + std::to_string(row + row_span) + " is past the grid's " +
          std::to_string(grid->rows) + " rows; reduce row or row_span");
    }
    if (!ok) return std::nullopt;
    return detail::cell_rect(column, row, column_span, row_span, grid->columns, grid->rows);
  }

  void parse_tile(const YAML::Node& node, std::size_t index, bool has_grid,
                  const std::optional<GridSize>& grid, Tile& tile, detail::TileOrigin& origin) {
    const std::string field = detail::tile_field(index);
    origin.line = line_of(node);
    origin.has_geometry = false;
    if (!node.IsMap()) {
      error(origin.line, field,
            "each tile must be a mapping, e.g. `- {name: main, rect: [0, 0, 0.5, 0.5]}`");
      return;
    }
    const Entries e = entries(node, {"name", "rect", "cell"}, field);
    if (auto name = name_value(e, field + ".name", origin.line, "main")) tile.name = *name;
    const auto rect = e.find("rect");
    const auto cell = e.find("cell");
    if (rect != e.end() && cell != e.end()) {
      error(cell->second.line, field, "give either rect or cell, not both");
      return;
    }
    if (rect == e.end() && cell == e.end()) {
      error(origin.line, field,
            "missing the tile's place; add `rect: [x, y, w, h]`" +
                std::string(has_grid ? " or `cell: [column, row, column_span, row_span]`" : ""));
      return;
    }
    std::optional<Rect> r;
    if (rect != e.end()) {
      origin.geometry_key = "rect";
      origin.geometry_line = rect->second.line;
      const auto v = list<double>(rect->second, field + ".rect", {"x", "y", "w", "h"},
                                  "[x, y, w, h]", &FileParser::number);
      if (v) r = Rect{(*v)[0], (*v)[1], (*v)[2], (*v)[3]};
    } else {
      origin.geometry_key = "cell";
      origin.geometry_line = cell->second.line;
      r = parse_cell(cell->second, field + ".cell", has_grid, grid);
    }
    if (r) {
      tile.rect = *r;
      origin.has_geometry = true;
    }
  }

  void parse_layout(const YAML::Node& root) {
    const int root_line = std::max(1, line_of(root));
    if (!root.IsMap()) {
      error(root_line, "",
            "the top level must be a mapping with `name:` and `tiles:` (see docs/layouts.md)");
      return;
    }
    const Entries e = entries(root, {"name", "title", "grid", "tiles"}, "");
    Layout layout;
    layout.source = file_;
    if (auto name = name_value(e, "name", root_line, "command-desk")) {
      layout.name = *name;
      name_line_ = e.at("name").line;
    }
    layout.title = layout.name;
    if (auto it = e.find("title"); it != e.end() && !it->second.value.IsNull()) {
      if (!it->second.value.IsScalar()) {
        error(it->second.line, "title", "the title must be text, not a list or mapping");
      } else if (!it->second.value.Scalar().empty()) {
        layout.title = it->second.value.Scalar();
      }
    }
    const auto grid_it = e.find("grid");
    const bool has_grid = grid_it != e.end();
    const std::optional<GridSize> grid = has_grid ? parse_grid(grid_it->second) : std::nullopt;

    const auto tiles = e.find("tiles");
    if (tiles == e.end()) {
      error(root_line, "tiles", "missing required key 'tiles'; list the tiles with name and rect");
      return;
    }
    detail::LayoutOrigin origin;
    origin.file = file_;
    origin.tiles_line = tiles->second.line;
    const YAML::Node& list_node = tiles->second.value;
    if (!list_node.IsNull() && !list_node.IsSequence()) {
      error(tiles->second.line, "tiles",
            "tiles must be a list, each entry starting with `- name: ...`");
      return;
    }
    // `tiles:` with nothing after it is an empty list, reported by check_tiles.
    const std::size_t count = list_node.IsSequence() ? list_node.size() : 0;
    layout.tiles.resize(count);
    origin.tiles.resize(count);
    // Past kMaxTiles the count error says it all; parsing thousands of tiles would only add noise.
    const std::size_t parse_count = std::min(count, static_cast<std::size_t>(kMaxTiles));
    for (std::size_t i = 0; i < count; ++i) {
      if (i < parse_count) {
        parse_tile(list_node[i], i, has_grid, grid, layout.tiles[i], origin.tiles[i]);
      } else {
        origin.tiles[i].has_geometry = false;
      }
    }
    detail::check_tiles(layout, origin, result_.errors);
    layout_ = std::move(layout);
  }

  std::string file_;
  LoadResult result_;
  std::optional<Layout> layout_;
  int name_line_ = 0;
};

}  // namespace

LoadResult load_layout_text(std::string_view yaml, const std::string& file_label) {
  return FileParser(file_label).parse(yaml);
}

LoadResult load_layout_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    LoadResult r;
    r.errors.push_back({path, 0, "", "this is a folder, not a layout file"});
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path, 0, "", "cannot open the file; check that it exists and is readable"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_layout_text(text.str(), path);
}

LoadResult load_layout_dir(const std::string& dir) {
  LoadResult result;
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    const std::string ext = p.extension().string();
    std::error_code type_ec;
    if (name.front() != '.' && (ext == ".yaml" || ext == ".yml") && it->is_regular_file(type_ec)) {
      files.push_back(p);
    }
  }
  if (ec) {
    result.errors.push_back(
        {dir, 0, "", "cannot read the layout folder: " + ec.message() + "; check the path"});
    return result;
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  for (const fs::path& p : files) {
    LoadResult one = load_layout_file(p.string());
    for (auto& l : one.layouts) result.layouts.push_back(std::move(l));
    for (auto& e : one.errors) result.errors.push_back(std::move(e));
    for (int line : one.name_lines) result.name_lines.push_back(line);
  }
  return result;
}

}  // namespace vw::layouts
