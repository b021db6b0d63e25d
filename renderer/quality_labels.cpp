#include "renderer/quality_labels.hpp"

namespace vw::renderer {

namespace {

struct Label {
  std::string_view check, zh, en;
};
constexpr Label kLabels[] = {
    {"black", "黑屏", "black"},         {"covered", "遮挡", "covered"},
    {"frozen", "画面冻结", "frozen"},   {"blur", "模糊", "blurred"},
    {"noise", "噪声", "noisy"},         {"colour_cast", "偏色", "colour cast"},
    {"too_dark", "过暗", "too dark"},   {"too_bright", "过亮", "too bright"},
    {"shaking", "画面抖动", "shaking"}, {"scene_changed", "场景变更", "scene changed"}};

}  // namespace

std::string_view quality_check_name(std::string_view check, Language language) {
  for (const auto& l : kLabels)
    if (l.check == check) return language == Language::English ? l.en : l.zh;
  return check;
}

std::string quality_text(std::string_view check, Language language) {
  return std::string(language == Language::English ? "Picture: " : "画质: ") +
         std::string(quality_check_name(check, language));
}

std::vector<std::string> quality_words() {
  std::vector<std::string> words{"画质: ", "Picture: "};
  for (const auto& l : kLabels) {
    words.emplace_back(l.zh);
    words.emplace_back(l.en);
  }
  return words;
}

}  // namespace vw::renderer
