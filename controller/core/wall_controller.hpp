// Owns the wall state and applies every Command on its own thread, in order (design invariant
// 3). After each change it works out which camera streams must run, tells the StreamManager,
// builds the immutable WallView and hands it to the renderer through `publish`.
//
// It is also the one place where changes are audited, persisted and announced (design invariant
// 3): the commands taken in one wake-up are a batch; each is applied and shown at once, then the
// state is saved once and the batch appended to the audit trail (one write, one sync), before
// the callers hear back (so an acknowledged change survives a kill -9), and `on_change` is
// called (the API's PUB stream). Fail closed: when the save or the audit write fails, the
// batch's changes are undone and refused, and until a probe write succeeds every command is
// refused before it is applied (records_health() says why). Tours advance on the controller's own
// clock. The audit trail and the state file are reached through core's own interfaces
// (records.hpp): controller/persist implements them.
//
// Readers get the state as an immutable snapshot, published once per change: state() hands out
// a pointer, never a copy of 64 slots, presets and tours.
//
// Threads: submit(), state(), view(), config() from any thread; they never wait on the
// controller's thread except through the returned future. `publish`, `on_change` and `done`
// callbacks are called on the controller's thread and must not block.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "controller/core/commands.hpp"
#include "controller/core/config.hpp"
#include "controller/core/records.hpp"
#include "controller/core/wall_state.hpp"
#include "layouts/layout.hpp"
#include "renderer/wall_view.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller {

// Which stream a tile of `tile_width`×`tile_height` pixels shows: the sub stream when the tile
// is below half the main stream's resolution both ways and the camera has one.
renderer::StreamChoice choose_stream(const CameraConfig& camera, int main_width, int main_height,
                                     double tile_width, double tile_height);

// A camera's stream key ("<id>/main", "<id>/sub") and what the stream manager runs for it.
std::string stream_key(const CameraConfig& camera, renderer::StreamChoice choice);
streams::StreamSpec stream_spec(const CameraConfig& camera, renderer::StreamChoice choice,
                                std::chrono::milliseconds stall_timeout);

// One applied change, as the audit trail and the API's PUB stream see it.
struct ChangeEvent {
  std::string command;               // "layout.set", ...
  const Command* details = nullptr;  // valid during the callback only
  Origin origin;
  CommandResult result;
  WallStatePtr state;                    // after the change
  std::shared_ptr<const Config> config;  // the config the change was applied under
};

struct ControllerServices {
  AuditSink* audit = nullptr;                           // null: no audit trail
  StateSink* store = nullptr;                           // null: nothing persisted
  std::function<void(const ChangeEvent&)> on_change;    // applied changes (result.changed)
  std::function<void(const RecordsHealth&)> on_health;  // when the records fail or recover
  std::optional<WallState> restored;                    // from the state file, reconciled at start
};

class WallController {
 public:
  using Publish = std::function<void(renderer::WallViewPtr)>;
  using Done = std::function<void(const CommandResult&)>;

  WallController(Config config, const layouts::LayoutLibrary& layouts,
                 streams::StreamManager& streams, Publish publish,
                 ControllerServices services = {});
  ~WallController();
  WallController(const WallController&) = delete;
  WallController& operator=(const WallController&) = delete;

  // Commands waiting beyond this are refused with "busy" (every queue fed from outside has a
  // bound): the API and the panel answer at once instead of piling up work.
  static constexpr std::size_t kMaxQueuedCommands = 1024;

  std::future<CommandResult> submit(Command command, Origin origin = {});
  // The same, calling `done` on the controller's thread instead of fulfilling a future; a
  // command refused as "busy" calls `done` on the caller's thread before submit returns.
  void submit(Command command, Origin origin, Done done);

  WallStatePtr state() const;  // the latest snapshot, never null
  renderer::WallViewPtr view() const;
  std::shared_ptr<const Config> config() const;
  RecordsHealth records_health() const;
  const layouts::LayoutLibrary& layouts() const { return layouts_; }
  // Turns of the controller's loop so far: at least one a second while it runs (the service
  // watchdog's sign of life). Never locks.
  std::uint64_t loop_turns() const { return turns_.load(); }

 private:
  struct Pending {
    Command command;
    Origin origin;
    Done done;
  };

  void run(std::stop_token stop);
  struct Applied {
    CommandResult result;
    WallStatePtr state;  // after the command
    std::string name;
  };
  void execute(std::deque<Pending>& batch);  // controller thread only
  bool records_usable();                     // controller thread only
  void set_health(bool audit_ok, std::string audit_error, bool state_ok,
                  std::string state_error);  // controller thread only
  void undo(const WallState& before, std::shared_ptr<const Config> config_before,
            bool saved);                                     // controller thread only
  Applied apply_one(const Pending& pending);                 // controller thread only
  void advance_tours();                                      // controller thread only
  void reschedule_tours(const std::map<int, Tour>& before);  // controller thread only
  void refresh(bool force_publish);                          // controller thread only

  std::shared_ptr<const Config> config_;  // replaced by config.reload, under mutex_
  const layouts::LayoutLibrary& layouts_;
  streams::StreamManager& streams_;
  Publish publish_;
  ControllerServices services_;
  std::map<int, std::chrono::steady_clock::time_point> tour_due_;  // controller thread only

  WallState working_;  // controller thread only: what commands are applied to

  mutable std::mutex mutex_;  // guards state_, view_, queue_, config_, health_
  std::condition_variable_any wake_;
  std::deque<Pending> queue_;
  WallStatePtr state_;  // the published snapshot of working_
  RecordsHealth health_;
  renderer::WallViewPtr view_;
  std::uint64_t view_version_ = 0;  // controller thread only
  std::atomic<std::uint64_t> busy_refusals_{0};
  std::atomic<std::uint64_t> turns_{0};
  std::jthread thread_;  // last: starts after everything above exists
};

}  // namespace vw::controller
