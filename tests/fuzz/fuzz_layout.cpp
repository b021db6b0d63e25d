// libFuzzer target for custom layout files: load_layout_text on arbitrary bytes. It never throws
// (any exception is a finding). A file gives either exactly one layout, which then passes
// validate(), or only errors, each naming the file and a line of the input.
// Build and run: scripts/fuzz.sh [SECONDS] layout
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "layouts/layout.hpp"
#include "tests/fuzz/fuzz_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vw::layouts;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const LoadResult result = load_layout_text(text, "fuzz.yaml");
  if (result.layouts.size() > 1 || result.layouts.empty() == result.errors.empty() ||
      result.name_lines.size() != result.layouts.size()) {
    __builtin_trap();
  }
  for (const LayoutError& e : result.errors) {
    if (e.file != "fuzz.yaml" || e.message.empty() || e.line < 0 ||
        e.line > vw::fuzz::max_line(text) || e.to_string().rfind("fuzz.yaml", 0) != 0) {
      __builtin_trap();
    }
  }
  for (const Layout& layout : result.layouts) {
    if (layout.source != "fuzz.yaml" || !validate(layout).empty()) __builtin_trap();
  }
  return 0;
}
