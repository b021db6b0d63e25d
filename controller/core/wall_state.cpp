#include "controller/core/wall_state.hpp"

#include <algorithm>

namespace vw::controller {
namespace {

CommandResult refuse(std::string code, std::string message, const WallState& state) {
  return {false, std::move(code), std::move(message), state.version, false};
}

CommandResult accept(WallState& state, bool changed, std::string message = {}) {
  if (changed) ++state.version;
  return {true, {}, std::move(message), state.version, changed};
}

int tile_count(const WallState& state, const layouts::LayoutLibrary& layouts) {
  const auto* layout = layouts.find(state.layout);
  return layout ? static_cast<int>(layout->tiles.size()) : 0;
}

// Checks a 1-based tile number against the current layout; returns an error message or "".
std::string tile_problem(int tile, const WallState& state, const layouts::LayoutLibrary& layouts) {
  int count = tile_count(state, layouts);
  if (tile >= 1 && tile <= count) return {};
  return "tile " + std::to_string(tile) + " does not exist: layout " + state.layout +
         " has tiles 1.." + std::to_string(count);
}

struct Applier {
  WallState& state;
  const Config& config;
  const layouts::LayoutLibrary& layouts;

  // An operator's own change during an alarm: the alarm's banner stays, but acknowledging it
  // will not undo what the operator chose.
  void operator_took_over() { state.before_alarm.reset(); }

  CommandResult end_alarms(const std::string& rule, const char* verb) {
    auto& alarms = state.alarms;
    auto before = alarms.size();
    std::erase_if(alarms, [&](const ActiveAlarm& a) { return rule.empty() || a.rule == rule; });
    if (alarms.size() == before)
      return refuse("unknown_alarm",
                    rule.empty() ? "no alarm is active" : "alarm \"" + rule + "\" is not active",
                    state);
    if (alarms.empty() && state.before_alarm) {
      state.layout = state.before_alarm->layout;
      state.slots = state.before_alarm->slots;
      state.maximized = state.before_alarm->maximized;
      state.before_alarm.reset();
      return accept(state, true, std::string(verb) + ": wall restored");
    }
    return accept(state, true, verb);
  }

  CommandResult operator()(const AlarmRaise& c) {
    const auto* layout = layouts.find(c.layout);
    if (!layout)
      return refuse("unknown_layout", "alarm layout \"" + c.layout + "\" is unknown", state);
    if (c.cameras.size() > layout->tiles.size())
      return refuse("tile_out_of_range",
                    "alarm shows more cameras than layout " + c.layout + " has tiles", state);
    std::vector<std::string> ids;
    for (const auto& camera : c.cameras) {
      const auto* cam = config.find_camera(camera);
      if (!cam)
        return refuse("unknown_camera", "alarm camera \"" + camera + "\" is unknown", state);
      ids.push_back(cam->id);
    }
    if (state.alarms.empty())
      state.before_alarm = WallState::Saved{state.layout, state.slots, state.maximized};
    std::erase_if(state.alarms, [&](const ActiveAlarm& a) { return a.rule == c.rule; });
    state.alarms.push_back({c.rule, c.banner});
    state.layout = layout->name;
    state.maximized = 0;
    std::copy(ids.begin(), ids.end(), state.slots.begin());
    return accept(state, true);
  }

  CommandResult operator()(const AlarmAck& c) { return end_alarms(c.rule, "acknowledged"); }
  CommandResult operator()(const AlarmExpire& c) { return end_alarms(c.rule, "expired"); }

  CommandResult operator()(const LayoutSet& c) {
    const auto* layout = layouts.find(c.layout);
    if (!layout) {
      std::string known;
      for (const auto& n : layouts.names()) known += (known.empty() ? "" : ", ") + n;
      return refuse("unknown_layout", "unknown layout \"" + c.layout + "\"; known: " + known,
                    state);
    }
    bool changed = state.layout != layout->name || state.maximized != 0;
    if (changed) operator_took_over();
    state.layout = layout->name;
    state.maximized = 0;
    return accept(state, changed);
  }

  CommandResult operator()(const LayoutStep& c) {
    auto names = layouts.names();
    if (names.empty()) return refuse("unknown_layout", "no layouts are loaded", state);
    auto it = std::find(names.begin(), names.end(), state.layout);
    long index = it == names.end() ? 0 : it - names.begin();
    long n = static_cast<long>(names.size());
    index = ((index + c.delta) % n + n) % n;
    return (*this)(LayoutSet{names[static_cast<std::size_t>(index)]});
  }

  CommandResult operator()(const TileAssign& c) {
    if (auto problem = tile_problem(c.tile, state, layouts); !problem.empty())
      return refuse("tile_out_of_range", problem, state);
    std::string id;
    if (!c.camera.empty()) {
      const auto* cam = config.find_camera(c.camera);
      if (!cam) return refuse("unknown_camera", "unknown camera \"" + c.camera + "\"", state);
      id = cam->id;
    }
    auto& slot = state.slots[static_cast<std::size_t>(c.tile - 1)];
    bool changed = slot != id || state.tours.count(c.tile);
    if (changed) operator_took_over();
    state.tours.erase(c.tile);  // the operator's choice replaces the tour
    slot = id;
    return accept(state, changed);
  }

  CommandResult operator()(const TileSwap& c) {
    for (int tile : {c.a, c.b})
      if (auto problem = tile_problem(tile, state, layouts); !problem.empty())
        return refuse("tile_out_of_range", problem, state);
    auto& a = state.slots[static_cast<std::size_t>(c.a - 1)];
    auto& b = state.slots[static_cast<std::size_t>(c.b - 1)];
    auto tour_a = state.tours.extract(c.a), tour_b = state.tours.extract(c.b);
    bool changed = a != b || !tour_a.empty() || !tour_b.empty();
    if (changed) operator_took_over();
    std::swap(a, b);
    if (!tour_a.empty()) tour_a.key() = c.b, state.tours.insert(std::move(tour_a));
    if (!tour_b.empty()) tour_b.key() = c.a, state.tours.insert(std::move(tour_b));
    return accept(state, changed);
  }

  CommandResult operator()(const TileMaximize& c) {
    if (auto problem = tile_problem(c.tile, state, layouts); !problem.empty())
      return refuse("tile_out_of_range", problem, state);
    bool changed = state.maximized != c.tile;
    state.maximized = c.tile;
    return accept(state, changed);
  }

  // Resolves ids or display names; returns the unknown one's text in `unknown`.
  bool resolve(const std::vector<std::string>& cameras, std::vector<std::string>& ids,
               std::string& unknown) const {
    for (const auto& camera : cameras) {
      const auto* cam = config.find_camera(camera);
      if (!cam) {
        unknown = camera;
        return false;
      }
      ids.push_back(cam->id);
    }
    return true;
  }

  CommandResult operator()(const TourStart& c) {
    if (auto problem = tile_problem(c.tile, state, layouts); !problem.empty())
      return refuse("tile_out_of_range", problem, state);
    if (c.cameras.size() < 2) return refuse("bad_tour", "a tour needs at least two cameras", state);
    if (c.dwell_s < kMinTourDwellSeconds)
      return refuse("bad_tour",
                    "dwell_s must be at least " + std::to_string(kMinTourDwellSeconds) + " s",
                    state);
    Tour tour;
    std::string unknown;
    if (!resolve(c.cameras, tour.cameras, unknown))
      return refuse("unknown_camera", "unknown camera \"" + unknown + "\" in the tour", state);
    tour.dwell_s = c.dwell_s;
    operator_took_over();
    state.slots[static_cast<std::size_t>(c.tile - 1)] = tour.cameras.front();
    state.tours[c.tile] = std::move(tour);
    return accept(state, true);
  }

  CommandResult operator()(const TourStop& c) {
    if (c.tile == 0) {
      bool changed = !state.tours.empty();
      state.tours.clear();
      return accept(state, changed, changed ? "" : "no tour was running");
    }
    if (!state.tours.erase(c.tile))
      return refuse("no_tour", "no tour runs on tile " + std::to_string(c.tile), state);
    return accept(state, true);
  }

  CommandResult operator()(const TourAdvance& c) {
    auto it = state.tours.find(c.tile);
    // Alarms own the wall while they last: tours wait.
    if (it == state.tours.end() || !state.alarms.empty()) return accept(state, false);
    auto& tour = it->second;
    tour.position = (tour.position + 1) % tour.cameras.size();
    state.slots[static_cast<std::size_t>(c.tile - 1)] = tour.cameras[tour.position];
    return accept(state, true);
  }

  CommandResult operator()(const PresetSave& c) {
    const auto* layout = layouts.find(state.layout);
    if (!layout) return refuse("unknown_layout", "the current layout is unknown", state);
    if (!state.presets.count(c.name) && state.presets.size() >= kMaxPresets)
      return refuse("too_many_presets",
                    "at most " + std::to_string(kMaxPresets) + " presets; delete one first", state);
    Preset preset;
    preset.layout = layout->name;
    auto n = layout->tiles.size();
    preset.slots.assign(state.slots.begin(), state.slots.begin() + static_cast<long>(n));
    for (const auto& [tile, tour] : state.tours)
      if (tile <= static_cast<int>(n)) preset.tours[tile] = tour;
    auto& slot = state.presets[c.name];
    bool changed = !(slot == preset);
    slot = std::move(preset);
    return accept(state, changed);
  }

  CommandResult operator()(const PresetRecall& c) {
    auto it = state.presets.find(c.name);
    if (it == state.presets.end())
      return refuse("unknown_preset", "no preset named \"" + c.name + "\"", state);
    const auto& preset = it->second;
    const auto* layout = layouts.find(preset.layout);
    if (!layout)
      return refuse("unknown_layout",
                    "preset \"" + c.name + "\" uses layout \"" + preset.layout +
                        "\", which is no longer loaded",
                    state);
    std::string missing;
    auto before = state;
    for (std::size_t i = 0; i < preset.slots.size() && i < state.slots.size(); ++i) {
      const auto& id = preset.slots[i];
      bool known = id.empty() || config.find_camera(id);
      if (!known) missing += (missing.empty() ? "" : ", ") + id;
      state.slots[i] = known ? id : "";
    }
    int n = static_cast<int>(layout->tiles.size());
    std::erase_if(state.tours, [&](const auto& entry) { return entry.first <= n; });
    for (const auto& [tile, tour] : preset.tours) state.tours[tile] = tour;
    state.layout = layout->name;
    state.maximized = 0;
    operator_took_over();
    before.version = state.version;
    bool changed = !(before == state);
    return accept(
        state, changed,
        missing.empty() ? "" : "cameras no longer configured, tiles left empty: " + missing);
  }

  CommandResult operator()(const PresetDelete& c) {
    if (!state.presets.erase(c.name))
      return refuse("unknown_preset", "no preset named \"" + c.name + "\"", state);
    return accept(state, true);
  }

  CommandResult operator()(const ConfigReload& c) {
    if (!c.config) return refuse("internal", "config.reload without a config", state);
    const Config& next = *c.config;
    std::string cleared;
    for (auto& slot : state.slots) {
      if (slot.empty() || next.find_camera(slot)) continue;
      cleared += (cleared.empty() ? "" : ", ") + slot;
      slot.clear();
    }
    for (auto it = state.tours.begin(); it != state.tours.end();) {
      auto& cams = it->second.cameras;
      auto removed =
          std::erase_if(cams, [&](const std::string& id) { return !next.find_camera(id); });
      if (removed) it->second.position = 0;
      it = cams.size() < 2 ? state.tours.erase(it) : std::next(it);
    }
    std::erase_if(state.outputs, [&](const std::string& id) {
      return std::none_of(next.outputs.begin(), next.outputs.end(),
                          [&](const OutputConfig& o) { return o.id == id; });
    });
    std::erase_if(state.quality_references,
                  [&](const auto& reference) { return !next.find_camera(reference.first); });
    return accept(state, true,
                  cleared.empty() ? "" : "cameras removed, their tiles cleared: " + cleared);
  }

  // The output's id, or a refusal naming the configured ones.
  const OutputConfig* find_output(const std::string& id) const {
    for (const OutputConfig& o : config.outputs) {
      if (o.id == id) return &o;
    }
    return nullptr;
  }
  CommandResult unknown_output(const std::string& id) const {
    std::string known;
    for (const OutputConfig& o : config.outputs) known += (known.empty() ? "" : ", ") + o.id;
    return refuse("unknown_output",
                  "no output \"" + id + "\"" +
                      (known.empty() ? ": the config has no outputs" : "; configured: " + known),
                  state);
  }

  CommandResult operator()(const OutputStart& c) {
    if (!find_output(c.id)) return unknown_output(c.id);
    auto& running = state.outputs;
    const auto at = std::lower_bound(running.begin(), running.end(), c.id);
    if (at != running.end() && *at == c.id) return accept(state, false, "already running");
    running.insert(at, c.id);
    return accept(state, true);
  }

  CommandResult operator()(const OutputStop& c) {
    if (!find_output(c.id)) return unknown_output(c.id);
    const bool changed = std::erase(state.outputs, c.id) > 0;
    return accept(state, changed, changed ? "" : "not running");
  }

  CommandResult operator()(const MasksLift& c) {
    const bool changed = state.masks_lifted != c.lifted;
    state.masks_lifted = c.lifted;
    return accept(state, changed, changed ? "" : (c.lifted ? "already lifted" : "already masked"));
  }

  CommandResult operator()(const QualityReference& c) {
    const auto* cam = config.find_camera(c.camera);
    if (!cam) return refuse("unknown_camera", "camera \"" + c.camera + "\" is unknown", state);
    auto& references = state.quality_references;
    if (c.clear) {
      const bool changed = references.erase(cam->id) > 0;
      return accept(state, changed, changed ? "" : "no reference picture was set");
    }
    references[cam->id] = state.version + 1;  // the version this change gives the state
    return accept(state, true, "the reference is taken from the camera's next diagnosed picture");
  }

  CommandResult operator()(const TileRestore&) {
    bool changed = state.maximized != 0;
    state.maximized = 0;
    return accept(state, changed, changed ? "" : "no tile was maximized");
  }
};

}  // namespace

WallState initial_state(const Config& config) {
  WallState state;
  state.layout = config.wall.layout;
  if (!config.tiles.empty()) {
    std::copy_n(config.tiles.begin(), std::min(config.tiles.size(), state.slots.size()),
                state.slots.begin());
  } else {
    // No explicit assignment: cameras fill the tiles in config order.
    for (std::size_t i = 0; i < config.cameras.size() && i < state.slots.size(); ++i)
      state.slots[i] = config.cameras[i].id;
  }
  add_started_outputs(state, config);
  return state;
}

void add_started_outputs(WallState& state, const Config& config) {
  for (const OutputConfig& o : config.outputs) {
    if (o.start &&
        std::find(state.outputs.begin(), state.outputs.end(), o.id) == state.outputs.end())
      state.outputs.push_back(o.id);
  }
  std::sort(state.outputs.begin(), state.outputs.end());
}

std::vector<std::pair<layouts::Rect, std::string>> visible_tiles(
    const WallState& state, const layouts::LayoutLibrary& layouts) {
  std::vector<std::pair<layouts::Rect, std::string>> tiles;
  const auto* layout = layouts.find(state.layout);
  if (!layout) return tiles;
  if (state.maximized > 0 && state.maximized <= static_cast<int>(layout->tiles.size())) {
    tiles.emplace_back(layouts::Rect{0, 0, 1, 1},
                       state.slots[static_cast<std::size_t>(state.maximized - 1)]);
    return tiles;
  }
  for (std::size_t i = 0; i < layout->tiles.size(); ++i)
    tiles.emplace_back(layout->tiles[i].rect, state.slots[i]);
  return tiles;
}

CommandResult apply(WallState& state, const Command& command, const Config& config,
                    const layouts::LayoutLibrary& layouts) {
  return std::visit(Applier{state, config, layouts}, command);
}

}  // namespace vw::controller
