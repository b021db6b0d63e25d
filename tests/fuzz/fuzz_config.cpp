// libFuzzer target for the daemon's config file: load_config_text on arbitrary bytes. It either
// loads or throws ConfigError naming the file, a field and a line of the input (any other
// exception, a yaml-cpp one above all, is a finding). A loaded config keeps its own rules: at
// least one camera, unique ids, every tile naming a camera or empty.
// Build and run: scripts/fuzz.sh [SECONDS] config
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "controller/core/config.hpp"
#include "tests/fuzz/fuzz_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vw::controller;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const Config config = load_config_text(text, "fuzz.yaml", "/etc/videowall");
    std::set<std::string> ids;
    for (const auto& camera : config.cameras) {
      if (camera.id.empty() || camera.main_url.empty() || !ids.insert(camera.id).second)
        __builtin_trap();
    }
    if (config.cameras.empty() || config.tiles.size() > 64) __builtin_trap();
    for (const auto& tile : config.tiles) {
      if (!tile.empty() && ids.count(tile) == 0) __builtin_trap();
    }
  } catch (const ConfigError& e) {
    vw::fuzz::check_config_error(e, "fuzz.yaml", text);
  }
  return 0;
}
