// Persistence of the wall: layout, tile assignments, maximized tile, tours and presets, saved
// atomically (write a temporary file, fsync it, rename it over the old one, fsync the folder) on
// every change and read back at start. A kill -9 at any moment leaves either the old or the new
// file, never a mix. A file that is corrupt anyway (edited by hand) is moved aside with a warning.
//
// What is saved is the operator's wall: while an alarm shows its own layout, the wall as it was
// before the alarm is saved (alarms are not persisted; the rules raise them again if needed).
//
// Threads: one StateStore per file, used by one thread (the wall controller's).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "controller/core/records.hpp"
#include "controller/core/wall_state.hpp"

namespace vw::controller {

// The saved form of `state` (schema "videowall.state", version 1):
// {"schema":"videowall.state","version":1,"state_version":41,"layout":"3x3",
//  "slots":["minzu-01","",...up to the last non-empty slot],"maximized":0,
//  "tours":{"3":{"cameras":["a","b"],"dwell_s":10,"position":1}},
//  "presets":{"应急":{"layout":"2x2","slots":[...],"tours":{...}}}}
nlohmann::json state_to_json(const WallState& state);

// The inverse; throws std::runtime_error naming the field that is wrong (wrong type, slot count
// above 64, tile outside 1..64, dwell below kMinTourDwellSeconds, tour with < 2 cameras,
// position outside the tour...). Camera ids and layout names are not checked here (the
// controller reconciles them with the config).
WallState state_from_json(const nlohmann::json& json);

class StateStore final : public StateSink {
 public:
  explicit StateStore(std::string path);  // the folder is created on first save

  struct Loaded {
    std::optional<WallState> state;  // empty: no file, or it was corrupt
    std::string warning;             // set when a corrupt file was moved aside (names both paths)
  };
  // Reads the file. A corrupt file (not JSON, wrong schema, a field wrong) is renamed to
  // "<path>.corrupt-YYYYmmdd-HHMMSS" and reported in `warning`; it is never deleted.
  Loaded load();

  // Atomic replace as described above. Throws std::runtime_error naming the path and errno text
  // on failure; the previous file is then still intact.
  void save(const WallState& state) override;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vw::controller
