#include "controller/core/wall_controller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "renderer/utf8.hpp"

namespace vw::controller {
namespace {

bool same_content(const renderer::WallView& a, const renderer::WallView& b) {
  if (a.layout_name != b.layout_name || a.tiles.size() != b.tiles.size() ||
      a.alarm_banner != b.alarm_banner || a.overlays != b.overlays ||
      a.masks_lifted != b.masks_lifted)
    return false;
  for (std::size_t i = 0; i < a.tiles.size(); ++i) {
    const auto &x = a.tiles[i], &y = b.tiles[i];
    if (!(x.rect == y.rect) || x.camera_id != y.camera_id || x.preferred != y.preferred ||
        x.main != y.main || x.sub != y.sub || x.masks != y.masks)
      return false;
  }
  return true;
}

}  // namespace

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
  spec.max_width = camera.max_width;
  spec.max_height = camera.max_height;
  return spec;
}

renderer::StreamChoice choose_stream(const CameraConfig& camera, int main_width, int main_height,
                                     double tile_width, double tile_height) {
  if (camera.sub_url.empty()) return renderer::StreamChoice::Main;
  bool small = tile_width < main_width / 2.0 && tile_height < main_height / 2.0;
  return small ? renderer::StreamChoice::Sub : renderer::StreamChoice::Main;
}

WallController::WallController(Config config, const layouts::LayoutLibrary& layouts,
                               streams::StreamManager& streams, Publish publish,
                               ControllerServices services)
    : config_(std::make_shared<const Config>(std::move(config))),
      layouts_(layouts),
      streams_(streams),
      publish_(std::move(publish)),
      services_(std::move(services)),
      working_(initial_state(*config_)) {
  if (services_.restored) {
    // The saved wall, checked against today's config: a layout or camera that went away since
    // is dropped with a warning, and the rest comes back.
    WallState restored = std::move(*services_.restored);
    services_.restored.reset();
    if (!layouts_.find(restored.layout)) {
      spdlog::warn("state file: layout \"{}\" is no longer known; using {}", restored.layout,
                   working_.layout);
      restored.layout = working_.layout;
      restored.maximized = 0;
    }
    auto result = apply(restored, ConfigReload{config_}, *config_, layouts_);
    if (!result.message.empty()) spdlog::warn("state file: {}", result.message);
    add_started_outputs(restored, *config_);  // `start: true` runs whenever the daemon starts
    working_ = std::move(restored);
    spdlog::info("wall restored from the state file: layout {}, state v{}", working_.layout,
                 working_.version);
  }
  state_ = std::make_shared<const WallState>(working_);
  reschedule_tours({});
  refresh(true);
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WallController::~WallController() {
  thread_.request_stop();
  wake_.notify_all();
}

void WallController::submit(Command command, Origin origin, Done done) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < kMaxQueuedCommands) {
      queue_.push_back(Pending{std::move(command), std::move(origin), std::move(done)});
      queued = true;
    }
  }
  if (queued) {
    wake_.notify_all();
    return;
  }
  // A flood must not grow memory without bound; the caller hears at once, on its own thread.
  const CommandResult busy{
      false, "busy",
      "the controller has " + std::to_string(kMaxQueuedCommands) + " commands waiting; try again",
      state()->version, false};
  if (const auto n = ++busy_refusals_; n == 1 || n % 1000 == 0)
    spdlog::warn("command {} by {}: refused (busy): {} commands waiting [{} refused so far]",
                 command_name(command), origin.identity, kMaxQueuedCommands, n);
  if (done) done(busy);
}

std::future<CommandResult> WallController::submit(Command command, Origin origin) {
  auto promise = std::make_shared<std::promise<CommandResult>>();
  auto future = promise->get_future();
  submit(std::move(command), std::move(origin),
         [promise](const CommandResult& result) { promise->set_value(result); });
  return future;
}

WallStatePtr WallController::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

renderer::WallViewPtr WallController::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

std::shared_ptr<const Config> WallController::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

void WallController::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::deque<Pending> batch;
    {
      // Wake for commands, for the next tour switch, or once a second to follow main-stream
      // resolutions as they appear.
      auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      for (const auto& [tile, due] : tour_due_) until = std::min(until, due);
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, stop, until, [&] { return !queue_.empty(); });
      batch.swap(queue_);
    }
    execute(batch);
    advance_tours();
    if (batch.empty()) refresh(false);
    turns_.fetch_add(1);
  }
}

namespace {

AuditEntry audit_entry(const Origin& origin, const std::string& name, const Command& command,
                       const CommandResult& result) {
  AuditEntry entry;
  entry.origin = origin;
  entry.command = name;
  entry.args = command_arguments(command);
  entry.ok = result.ok;
  entry.changed = result.changed;
  entry.code = result.code;
  entry.message = result.ok ? std::string() : result.message;
  entry.state_version = result.state_version;
  return entry;
}

}  // namespace

RecordsHealth WallController::records_health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

void WallController::set_health(bool audit_ok, std::string audit_error, bool state_ok,
                                std::string state_error) {
  RecordsHealth next;
  {
    std::lock_guard lock(mutex_);
    if (health_.audit_ok == audit_ok && health_.state_ok == state_ok) {
      if (!audit_ok) health_.audit_error = std::move(audit_error);
      if (!state_ok) health_.state_error = std::move(state_error);
      return;
    }
    health_.audit_ok = audit_ok;
    health_.audit_error = audit_ok ? std::string() : std::move(audit_error);
    health_.state_ok = state_ok;
    health_.state_error = state_ok ? std::string() : std::move(state_error);
    next = health_;
  }
  if (!next.audit_ok)
    spdlog::error("audit trail failing: {}; commands are refused until it works again",
                  next.audit_error);
  else if (!next.state_ok)
    spdlog::error("state file failing: {}; commands are refused until it works again",
                  next.state_error);
  else
    spdlog::info("audit trail and state file work again; commands are accepted");
  if (services_.on_health) {
    try {
      services_.on_health(next);
    } catch (const std::exception& e) {
      spdlog::error("records listener failed: {}", e.what());
    }
  }
}

bool WallController::records_usable() {
  const RecordsHealth health = records_health();
  if (health.audit_ok && health.state_ok) return true;
  // Probe: the records must take a line (and the state a save) before anything is applied.
  bool audit_ok = true, state_ok = true;
  std::string audit_error, state_error;
  if (services_.audit) {
    AuditEntry resumed;
    resumed.origin = {"system", "videowall", "system"};
    resumed.command = "records.resumed";
    resumed.args = {{"after", health.audit_ok ? health.state_error : health.audit_error}};
    resumed.ok = true;
    resumed.state_version = working_.version;
    audit_ok = services_.audit->append_batch({&resumed, 1});
    if (!audit_ok) audit_error = services_.audit->last_error();
  }
  if (audit_ok && services_.store) {
    try {
      services_.store->save(working_);
    } catch (const std::exception& e) {
      state_ok = false;
      state_error = e.what();
    }
  }
  set_health(audit_ok, audit_error, state_ok, state_error);
  return audit_ok && state_ok;
}

void WallController::execute(std::deque<Pending>& batch) {
  // Fail closed (MLPS 2.0 level 3): a change that cannot be audited and saved is not made.
  // While the records fail, commands are refused before they are applied; a tour tick (the
  // tour's own clock, audited at tour.start) goes on.
  const bool usable = records_usable();
  const WallState before = working_;  // the batch is undone to this if it cannot be recorded
  const std::shared_ptr<const Config> config_before = config();
  std::vector<Applied> applied;
  std::vector<AuditEntry> audit;
  for (auto& pending : batch) {
    const bool tick = std::holds_alternative<TourAdvance>(pending.command);
    if (!usable && !tick) {
      const RecordsHealth health = records_health();
      Applied& refused = applied.emplace_back();
      refused.result = {
          false, health.audit_ok ? "state_unavailable" : "audit_unavailable",
          (health.audit_ok ? "the state file cannot be written (" + health.state_error
                           : "the audit trail cannot be written (" + health.audit_error) +
              "); nothing was changed",
          working_.version, false};
      refused.state = state();
      refused.name = command_name(pending.command);
      spdlog::warn("command {} by {}: refused ({})", refused.name, pending.origin.identity,
                   refused.result.message);
      continue;
    }
    applied.push_back(apply_one(pending));
    if (services_.audit && !tick)
      audit.push_back(
          audit_entry(pending.origin, applied.back().name, pending.command, applied.back().result));
  }
  const bool changed = std::any_of(applied.begin(), applied.end(),
                                   [](const Applied& a) { return a.result.changed; });
  // The screen is already updated; the disk comes after, once for the whole batch (group
  // commit): one state save, then one audit write and sync, before anyone hears back, so an
  // acknowledged change survives a kill -9 and every change on record was kept.
  std::string failure, code;
  bool saved = false;
  if (changed && services_.store) {
    try {
      services_.store->save(working_);  // this thread is the only writer of working_
      saved = true;
    } catch (const std::exception& e) {
      failure = std::string("the state file cannot be written (") + e.what() + ")";
      code = "state_unavailable";
      set_health(true, "", false, e.what());
    }
  }
  if (!failure.empty()) {
    // Not saved, so not made: the audit records the commands as refused.
    for (auto& entry : audit) {
      if (!entry.changed) continue;
      entry.ok = false;
      entry.changed = false;
      entry.code = code;
      entry.message = failure + "; nothing was changed";
    }
  }
  if (!audit.empty() && !services_.audit->append_batch(audit)) {
    const std::string why = services_.audit->last_error();
    set_health(false, why, failure.empty(), failure);
    if (failure.empty()) {
      failure = "the audit trail cannot be written (" + why + ")";
      code = "audit_unavailable";
    }
  }
  if (!failure.empty() && changed) {
    undo(before, config_before, saved);
    for (auto& a : applied) {
      if (!a.result.changed) continue;
      a.result = {false, code, failure + "; the change was undone", working_.version, false};
      a.state = state();
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& [result, state, name] = applied[i];
    if (result.changed && services_.on_change) {
      try {
        services_.on_change(
            ChangeEvent{name, &batch[i].command, batch[i].origin, result, state, config()});
      } catch (const std::exception& e) {
        spdlog::error("change listener failed: {}", e.what());
      }
    }
    if (batch[i].done) batch[i].done(result);
  }
}

void WallController::undo(const WallState& before, std::shared_ptr<const Config> config_before,
                          bool saved) {
  const std::uint64_t version = working_.version;
  const auto tours_now = working_.tours;
  working_ = before;
  working_.version = version + 1;  // versions only grow: the undo is a state of its own
  {
    std::lock_guard lock(mutex_);
    state_ = std::make_shared<const WallState>(working_);
    config_ = std::move(config_before);
  }
  reschedule_tours(tours_now);
  if (saved && services_.store) {
    try {
      services_.store->save(working_);
    } catch (const std::exception& e) {
      spdlog::error(
          "state file: the undone change could not be saved over ({}); it would come "
          "back at the next start",
          e.what());
    }
  }
  spdlog::warn("the batch's changes were undone (not recorded): state v{}", working_.version);
  refresh(false);
}

WallController::Applied WallController::apply_one(const Pending& pending) {
  Applied out;
  auto& result = out.result;
  auto tours_before = working_.tours;  // only this thread touches working_
  try {
    std::shared_ptr<const Config> config = this->config();
    result = apply(working_, pending.command, *config, layouts_);
    const bool reload = result.ok && std::holds_alternative<ConfigReload>(pending.command);
    WallStatePtr snapshot = result.changed ? std::make_shared<const WallState>(working_) : nullptr;
    std::lock_guard lock(mutex_);
    if (snapshot) state_ = std::move(snapshot);
    if (reload) config_ = std::get<ConfigReload>(pending.command).config;
  } catch (const std::exception& e) {
    result = {false, "internal", e.what(), working_.version, false};
  }
  out.state = state();
  out.name = command_name(pending.command);
  bool tour_tick = std::holds_alternative<TourAdvance>(pending.command);
  if (result.ok)
    spdlog::log(tour_tick ? spdlog::level::debug : spdlog::level::info,
                "command {} by {}: applied{} (state v{})", out.name, pending.origin.identity,
                result.changed ? "" : ", no change", result.state_version);
  else
    spdlog::warn("command {} by {}: refused ({}): {}", out.name,
                 renderer::printable(pending.origin.identity, 128), result.code,
                 renderer::printable(result.message, 300));
  if (result.changed) {
    if (!tour_tick) reschedule_tours(tours_before);
    refresh(false);  // the screen first; the disk after
  }
  return out;
}

void WallController::reschedule_tours(const std::map<int, Tour>& before) {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(tour_due_, [&](const auto& entry) { return !working_.tours.count(entry.first); });
  for (const auto& [tile, tour] : working_.tours) {
    auto old = before.find(tile);
    // A new or changed tour starts its dwell now; an unchanged one keeps its rhythm.
    if (old == before.end() || old->second.cameras != tour.cameras ||
        old->second.dwell_s != tour.dwell_s || !tour_due_.count(tile))
      tour_due_[tile] = now + std::chrono::seconds(tour.dwell_s);
  }
}

void WallController::advance_tours() {
  auto now = std::chrono::steady_clock::now();
  for (auto& [tile, due] : tour_due_) {
    if (due > now) continue;
    auto it = working_.tours.find(tile);
    if (it == working_.tours.end()) continue;
    due = now + std::chrono::seconds(it->second.dwell_s);
    std::deque<Pending> tick;
    tick.push_back({TourAdvance{tile}, Origin{"system", "tour", "system"}, {}});
    execute(tick);
  }
}

void WallController::refresh(bool force_publish) {
  const WallStatePtr state_ptr = state();
  const WallState& state = *state_ptr;
  const auto config_ptr = config();  // one config throughout, even if a reload lands meanwhile
  const Config& config = *config_ptr;
  auto view = std::make_shared<renderer::WallView>();
  view->width = config.wall.width;
  view->height = config.wall.height;
  view->layout_name = state.layout;
  view->language = config.wall.language;
  view->overlays = config.cases.overlays_for(state.layout);
  if (!state.alarms.empty()) view->alarm_banner = state.alarms.back().banner;
  view->masks_lifted = state.masks_lifted;

  std::vector<streams::StreamSpec> wanted;
  std::map<std::string, std::size_t> wanted_index;  // key -> position in `wanted`
  for (const auto& [rect, camera_id] : visible_tiles(state, layouts_)) {
    renderer::TileView tile;
    tile.rect = rect;
    tile.fit = config.wall.fit;
    const CameraConfig* camera = camera_id.empty() ? nullptr : config.find_camera(camera_id);
    if (camera) {
      tile.camera_id = camera->id;
      tile.label = camera->name;
      tile.street = camera->street;
      tile.masks = camera->mask_triangles;
      int main_w = camera->main_width, main_h = camera->main_height;
      if (auto main = streams_.channel(stream_key(*camera, renderer::StreamChoice::Main))) {
        auto stats = main->stats();
        if (stats.width > 0 && stats.height > 0) main_w = stats.width, main_h = stats.height;
      }
      tile.preferred =
          choose_stream(*camera, main_w, main_h, rect.w * view->width, rect.h * view->height);
      auto spec = stream_spec(*camera, tile.preferred, config.stall_timeout);
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
    const auto* camera = config.find_camera(tile.camera_id);
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
