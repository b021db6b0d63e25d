#include "controller/wall_controller.hpp"

#include <spdlog/spdlog.h>

#include <map>

namespace vw::controller {
namespace {

std::string stream_key(const CameraConfig& camera, renderer::StreamChoice choice) {
  return camera.id + (choice == renderer::StreamChoice::Sub ? "/sub" : "/main");
}

streams::StreamSpec stream_spec(const CameraConfig& camera, renderer::StreamChoice choice,
                                std::chrono::milliseconds stall_timeout) {
  streams::StreamSpec spec;
  spec.key = stream_key(camera, choice);
  spec.url = choice == renderer::StreamChoice::Sub ? camera.sub_url : camera.main_url;
  spec.transport = camera.transport;
  spec.latency_ms = camera.latency_ms;
  spec.stall_timeout = stall_timeout;
  return spec;
}

// Tiles that the state shows: the layout's tiles, or the one maximized tile over the whole wall.
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

bool same_content(const renderer::WallView& a, const renderer::WallView& b) {
  if (a.layout_name != b.layout_name || a.tiles.size() != b.tiles.size() ||
      a.alarm_banner != b.alarm_banner || a.overlays != b.overlays)
    return false;
  for (std::size_t i = 0; i < a.tiles.size(); ++i) {
    const auto &x = a.tiles[i], &y = b.tiles[i];
    if (!(x.rect == y.rect) || x.camera_id != y.camera_id || x.preferred != y.preferred ||
        x.main != y.main || x.sub != y.sub)
      return false;
  }
  return true;
}

}  // namespace

renderer::StreamChoice choose_stream(const CameraConfig& camera, int main_width, int main_height,
                                     double tile_width, double tile_height) {
  if (camera.sub_url.empty()) return renderer::StreamChoice::Main;
  bool small = tile_width < main_width / 2.0 && tile_height < main_height / 2.0;
  return small ? renderer::StreamChoice::Sub : renderer::StreamChoice::Main;
}

WallController::WallController(Config config, const layouts::LayoutLibrary& layouts,
                               streams::StreamManager& streams, Publish publish)
    : config_(std::move(config)),
      layouts_(layouts),
      streams_(streams),
      publish_(std::move(publish)),
      state_(initial_state(config_)) {
  refresh(true);
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WallController::~WallController() {
  thread_.request_stop();
  wake_.notify_all();
}

std::future<CommandResult> WallController::submit(Command command) {
  Pending pending{std::move(command), {}};
  auto future = pending.done.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
  }
  wake_.notify_all();
  return future;
}

WallState WallController::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

renderer::WallViewPtr WallController::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void WallController::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      // Wake for commands, or once a second to follow main-stream resolutions as they appear.
      wake_.wait_for(lock, stop, std::chrono::seconds(1), [&] { return !queue_.empty(); });
      batch.swap(queue_);
    }
    bool changed = false;
    for (auto& pending : batch) {
      CommandResult result;
      try {
        std::lock_guard lock(mutex_);
        result = apply(state_, pending.command, config_, layouts_);
      } catch (const std::exception& e) {
        result = {false, "internal", e.what(), state_.version, false};
      }
      if (result.ok)
        spdlog::info("command {}: applied{} (state v{})", command_name(pending.command),
                     result.changed ? "" : ", no change", result.state_version);
      else
        spdlog::warn("command {}: refused ({}): {}", command_name(pending.command), result.code,
                     result.message);
      changed |= result.changed;
      // Publish before acknowledging, so a caller that waits for the reply sees the new view.
      if (result.changed) refresh(false);
      pending.done.set_value(std::move(result));
    }
    if (!changed) refresh(false);
  }
}

void WallController::refresh(bool force_publish) {
  WallState state = this->state();
  auto view = std::make_shared<renderer::WallView>();
  view->width = config_.wall.width;
  view->height = config_.wall.height;
  view->layout_name = state.layout;
  view->language = config_.wall.language;
  view->overlays = config_.cases.overlays_for(state.layout);
  if (!state.alarms.empty()) view->alarm_banner = state.alarms.back().banner;

  std::vector<streams::StreamSpec> wanted;
  std::map<std::string, std::size_t> wanted_index;  // key -> position in `wanted`
  for (const auto& [rect, camera_id] : visible_tiles(state, layouts_)) {
    renderer::TileView tile;
    tile.rect = rect;
    tile.fit = config_.wall.fit;
    const CameraConfig* camera = camera_id.empty() ? nullptr : config_.find_camera(camera_id);
    if (camera) {
      tile.camera_id = camera->id;
      tile.label = camera->name;
      tile.street = camera->street;
      int main_w = camera->main_width, main_h = camera->main_height;
      if (auto main = streams_.channel(stream_key(*camera, renderer::StreamChoice::Main))) {
        auto stats = main->stats();
        if (stats.width > 0 && stats.height > 0) main_w = stats.width, main_h = stats.height;
      }
      tile.preferred =
          choose_stream(*camera, main_w, main_h, rect.w * view->width, rect.h * view->height);
      auto spec = stream_spec(*camera, tile.preferred, config_.stall_timeout);
      if (!wanted_index.count(spec.key)) {
        wanted_index[spec.key] = wanted.size();
        wanted.push_back(std::move(spec));
      }
    }
    view->tiles.push_back(std::move(tile));
  }

  auto channels = streams_.set_wanted(wanted);
  for (auto& tile : view->tiles) {
    if (tile.camera_id.empty()) continue;
    const auto* camera = config_.find_camera(tile.camera_id);
    for (auto choice : {renderer::StreamChoice::Main, renderer::StreamChoice::Sub}) {
      auto key = stream_key(*camera, choice);
      auto it = wanted_index.find(key);
      // The stream the tile does not prefer is still passed on if it runs (lingering), so the
      // renderer can keep showing it until the preferred one has a frame.
      auto channel = it != wanted_index.end() ? channels[it->second] : streams_.channel(key);
      (choice == renderer::StreamChoice::Main ? tile.main : tile.sub) = channel;
    }
  }

  {
    std::lock_guard lock(mutex_);
    if (!force_publish && view_ && same_content(*view_, *view)) return;
    view->version = ++view_version_;
    view_ = view;
  }
  publish_(view);
}

}  // namespace vw::controller
