// libFuzzer target for the wall's state file: state_from_json on the JSON parsed from arbitrary
// bytes, and StateStore::load on a file holding the same bytes. state_from_json either gives a
// state or throws std::runtime_error naming the field (a nlohmann exception escaping it is a
// finding); a state survives state_to_json and back unchanged. load() never throws: it returns
// that same state, or moves the corrupt file aside and says so.
// Build and run: scripts/fuzz.sh [SECONDS] state_file
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "controller/persist/state_store.hpp"

namespace {

using namespace vw::controller;
namespace fs = std::filesystem;

// A folder of this process's own for the state file, emptied after every input.
const fs::path& folder() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "fuzz-state-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) __builtin_trap();
    return fs::path(pattern);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  std::optional<nlohmann::json> json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
  }
  std::optional<WallState> state;
  if (json) {
    try {
      state = state_from_json(*json);
    } catch (const std::runtime_error& e) {  // "field: what is wrong"
      if (std::string(e.what()).find(": ") == std::string::npos) __builtin_trap();
    }
  }
  if (state) {
    const nlohmann::json saved = state_to_json(*state);
    (void)saved.dump();
    if (state_from_json(saved) != *state) __builtin_trap();
  }

  const fs::path path = folder() / "state.json";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) __builtin_trap();
  }
  StateStore store(path.string());
  const StateStore::Loaded loaded = store.load();
  if (state) {
    if (!loaded.state || *loaded.state != *state || !loaded.warning.empty()) __builtin_trap();
  } else if (loaded.state || loaded.warning.find(path.string()) == std::string::npos ||
             fs::exists(path)) {
    __builtin_trap();  // a corrupt file is reported and moved aside
  }
  for (const auto& entry : fs::directory_iterator(folder())) fs::remove(entry.path());
  return 0;
}
