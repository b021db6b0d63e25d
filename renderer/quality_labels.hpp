// The words the wall and the panel use for the checks of the quality diagnosis
// (controller/quality): "blur" -> "模糊" / "blurred", and the badge of a tile it faults,
// "画质: 模糊" / "Picture: blurred". A check it does not know is shown by its name.
// Threads: any.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renderer/wall_view.hpp"

namespace vw::renderer {

std::string_view quality_check_name(std::string_view check, Language language);
std::string quality_text(std::string_view check, Language language);
// Every word above in both languages (for font atlases that need their glyphs up front).
std::vector<std::string> quality_words();

}  // namespace vw::renderer
