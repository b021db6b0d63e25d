// The running daemon: config, demo cameras, streams, renderer and wall controller, built in
// dependency order and torn down in reverse. main() only parses flags and handles signals.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "controller/app/output_views.hpp"
#include "controller/core/config.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/persist/audit_trail.hpp"
#include "controller/persist/state_store.hpp"
#include "layouts/layout.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"
#include "streams/wakeup.hpp"

namespace vw::controller {

struct AppOptions {
  std::string config_path;  // empty with demo: the built-in demo config
  bool demo = false;
  bool headless = false;
  std::string snapshot_path;  // set: take one snapshot after snapshot_after_s, then exit
  double snapshot_after_s = 5;
  std::string snapshot_dir = "videowall-snapshots";
  std::string language;  // "", "zh" or "en" (overrides the config)
  std::string log_level = "info";
  std::string state_dir;     // state file + audit trail; empty: config storage.dir, else XDG
  bool reset_state = false;  // start from the config's layout, ignoring the saved state
  std::string api_endpoint;  // overrides api.endpoint when set ("off": no API)
  std::string pub_endpoint;  // overrides api.pub_endpoint when set ("off": none)
  std::string panel;  // "overlay", "window" or "off": overrides panel.placement, shown at start
  bool snapshot_panel = false;  // --snapshot writes the window with the panel over the wall
  std::string metrics;          // overrides service.metrics when set (HOST:PORT, or "off": none)
};

// The folder with the demo config, the example layouts and the fonts fallback.
std::string assets_dir();

namespace api {
class ApiServer;
struct ConfigReloadPlan;
}  // namespace api
namespace quality {
class QualityMonitor;
class QualityHistory;
}  // namespace quality
namespace service {
class SystemdNotifier;
class HealthMonitor;
class MetricsServer;
}  // namespace service
class DemoCameras;  // the simulated camera server of --demo (controller/app/demo_cameras.hpp)
class LiveOutputs;  // the wall's live outputs (controller/app/live_outputs.hpp)
class CaseMonitor;  // the grid-case feed and alarm rules (controller/cases/case_monitor.hpp)
namespace panel {
class Panel;  // the operator panel (controller/panel/panel.hpp)
}

class AppRuntime {
 public:
  // Throws ConfigError (exit code 2) or std::runtime_error (cannot start).
  explicit AppRuntime(AppOptions options);
  ~AppRuntime();

  // Runs the render loop on the calling thread until stopped; returns the exit code.
  int run();
  // Writes a PNG into the snapshot folder, off the render thread: timestamped, or (latest)
  // always the same wall-latest.png so a long headless run does not fill the disk. Never waits;
  // at most kMaxPendingSnapshots are in flight (more are refused with a warning).
  void snapshot_now(bool latest = false);
  static constexpr std::size_t kMaxPendingSnapshots = 4;

  renderer::Renderer& renderer() { return *renderer_; }
  WallController& wall() { return *wall_; }
  // Acknowledges alarms (empty rule: all) through the alarm engine when there is one.
  void acknowledge_alarms(const std::string& rule, Origin origin, WallController::Done done = {});
  api::ApiServer* api() { return api_.get(); }  // null when the API is off
  // SIGHUP (systemctl reload): config.reload as the API does it, by origin "signal:SIGHUP";
  // the outcome is logged and audited. From the signal thread; never waits for the wall.
  void reload_from_signal();
  panel::Panel* panel() { return panel_.get(); }  // null when there is no operator panel
  const std::string& state_dir() const { return state_dir_; }

 private:
  AppOptions options_;
  std::unique_ptr<DemoCameras> demo_;
  Config config_;
  layouts::LayoutLibrary layouts_;
  streams::Wakeup wakeup_;
  std::unique_ptr<streams::StreamManager> streams_;
  std::unique_ptr<renderer::Renderer> renderer_;
  std::unique_ptr<LiveOutputs> outputs_;  // reads the renderer's composite
  std::unique_ptr<WallController> wall_;
  std::unique_ptr<CaseMonitor> cases_;
  std::string state_dir_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<OutputViewAudit> output_views_;  // what each running output shows, audited
  std::unique_ptr<StateStore> store_;
  // The diagnosis' verdict history (quality.log beside the state): outlives the monitor and API.
  std::unique_ptr<quality::QualityHistory> quality_history_;
  std::mutex api_mutex_;  // guards api_ and (at teardown) cases_ against the controller's thread
  std::unique_ptr<api::ApiServer> api_;
  std::unique_ptr<panel::Panel> panel_;  // built by the renderer's UI host; null: no panel
  std::unique_ptr<quality::QualityMonitor> quality_;  // null: quality.enabled is false
  // Running as a service: systemd's notify protocol, liveness/readiness, /metrics.
  std::unique_ptr<service::SystemdNotifier> notifier_;
  std::unique_ptr<service::HealthMonitor> health_;
  std::unique_ptr<service::MetricsServer> metrics_;  // null: off, or it could not listen
  void start_health();               // before the API: a reload from it tells systemd (RELOADING=1)
  void start_metrics();              // end of the constructor
  std::string metrics_text() const;  // GET /metrics (its workers)
  renderer::UiOptions panel_ui_options();  // from config.panel and --panel
  // --snapshot: the composite, or with --snapshot-panel the window with the panel; "" or why
  // it was not written. Waits at most 30 s; never on the render thread.
  std::string write_requested_snapshot();

  // config.reload: the new config and a changed alarm-rules file (API or signal thread).
  api::ConfigReloadPlan plan_reload();
  // Plans the reload (throws ConfigError at once), hands the config to the wall and, once it
  // took it, commits the plan; systemd hears RELOADING=1 and READY=1 around it. `done` runs on
  // the controller's thread.
  void reload_config(Origin origin,
                     std::function<void(const CommandResult&, const api::ConfigReloadPlan&)> done);

  struct PendingSnapshot {
    std::future<std::string> written;
    std::string path;
    bool latest = false;
  };
  void report_snapshots(std::stop_token stop);  // snapshot_reporter_ thread
  std::mutex snapshots_mutex_;
  std::condition_variable_any snapshots_cv_;
  std::deque<PendingSnapshot> snapshots_;  // under snapshots_mutex_
  std::jthread snapshot_reporter_;

  std::atomic<bool> snapshot_failed_{false};
  std::jthread timer_;  // --snapshot-after and periodic headless snapshots
};

}  // namespace vw::controller
