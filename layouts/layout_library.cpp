// The presets plus custom layouts, with one rule of its own: layout names are unique across
// all of them, so "switch to layout X" always means one thing.
#include <string>
#include <utility>
#include <vector>

#include "layouts/layout.hpp"

namespace vw::layouts {

LayoutLibrary::LayoutLibrary() : layouts_(builtin_presets()), name_lines_(layouts_.size(), 0) {}

std::vector<LayoutError> LayoutLibrary::add_dir(const std::string& dir) {
  LoadResult loaded = load_layout_dir(dir);
  std::vector<LayoutError> errors = std::move(loaded.errors);
  for (std::size_t i = 0; i < loaded.layouts.size(); ++i) {
    Layout& layout = loaded.layouts[i];
    const int line = i < loaded.name_lines.size() ? loaded.name_lines[i] : 0;
    // First come, first served: presets, then earlier directories, then files in name order.
    const Layout* existing = find(layout.name);
    if (existing != nullptr) {
      const std::size_t at = static_cast<std::size_t>(existing - layouts_.data());
      std::string owner = existing->source == "builtin" ? "the built-in preset" : existing->source;
      if (name_lines_[at] > 0) {  // two appends: GCC 12 -O3 warns falsely on ":" + to_string
        owner += ':';
        owner += std::to_string(name_lines_[at]);
      }
      errors.push_back({layout.source, line, "name",
                        "layout name \"" + layout.name + "\" is already used by " + owner +
                            "; rename one of them (names must be unique)"});
      continue;
    }
    layouts_.push_back(std::move(layout));
    name_lines_.push_back(line);
  }
  return errors;
}

const Layout* LayoutLibrary::find(std::string_view name) const {
  for (const Layout& layout : layouts_) {
    if (layout.name == name) return &layout;
  }
  return nullptr;
}

std::vector<std::string> LayoutLibrary::names() const {
  std::vector<std::string> out;
  out.reserve(layouts_.size());
  for (const Layout& layout : layouts_) out.push_back(layout.name);
  return out;
}

}  // namespace vw::layouts
