// libFuzzer target for the alarm-rules file: load_alarm_rules_text on arbitrary bytes, against a
// fixed small config (four cameras) and the preset layouts. It either loads or throws ConfigError
// naming the file, a field and a line of the input (any other exception is a finding). Loaded
// rules keep the loader's promises: unique names, a known layout with enough tiles, known and
// distinct cameras, a banner that fills.
// Build and run: scripts/fuzz.sh [SECONDS] alarm_rules
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "controller/cases/alarm_rules.hpp"
#include "tests/fuzz/fuzz_yaml.hpp"

namespace {

using namespace vw::controller;

const Config& config() {
  static const Config c = load_config_text(R"(cameras:
  - {id: hualou-01, name: 花楼街-01, street: 花楼街, main: rtsp://10.0.0.1/a}
  - {id: hualou-02, main: rtsp://10.0.0.1/b}
  - {id: minzu-01, main: rtsp://10.0.0.1/c}
  - {id: shuita-01, main: rtsp://10.0.0.1/d}
)",
                                           "cameras.yaml", "/etc/videowall");
  return c;
}

const vw::layouts::LayoutLibrary& library() {
  static const vw::layouts::LayoutLibrary presets;
  return presets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const AlarmRuleSet set = load_alarm_rules_text(text, "fuzz.yaml", config(), library());
    std::set<std::string> names;
    for (const AlarmRule& rule : set.rules) {
      const vw::layouts::Layout* layout = library().find(rule.layout);
      if (rule.name.empty() || !names.insert(rule.name).second || layout == nullptr ||
          rule.cameras.empty() || rule.cameras.size() > layout->tiles.size() ||
          std::set<std::string>(rule.cameras.begin(), rule.cameras.end()).size() !=
              rule.cameras.size() ||
          rule.major == (rule.open_at_least > 0) || rule.line < 1 ||
          rule.line > vw::fuzz::max_line(text) || set.find(rule.name) != &rule) {
        __builtin_trap();
      }
      for (const auto& id : rule.cameras) {
        if (config().find_camera(id) == nullptr || config().find_camera(id)->id != id)
          __builtin_trap();
      }
      (void)fill_banner(rule.banner, 21, "花楼街", "占道经营");
    }
  } catch (const ConfigError& e) {
    vw::fuzz::check_config_error(e, "fuzz.yaml", text);
  }
  return 0;
}
