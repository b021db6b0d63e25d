// videowall: the control daemon of the wall. Thin on purpose: parse flags, load the config,
// wire StreamManager -> WallController -> Renderer, and run the render loop on the main thread.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>

#include "controller/app/app.hpp"
#include "controller/app/keys.hpp"
#include "controller/core/config.hpp"
#include "controller/core/roles.hpp"
#include "controller/service/journal_log.hpp"
#include "renderer/renderer.hpp"
#include "streams/allocator.hpp"

namespace {

using namespace vw;

// The console's keyboard acts with the panel's role (config panel.role), by the same table as
// the API's clients: a key needing more is refused and logged.
bool console_may(controller::AppRuntime& app, const controller::Command& command,
                 controller::Origin& origin) {
  controller::Role role = controller::Role::Operator;
  controller::parse_role(app.wall().config()->panel.role, role);
  origin = controller::Origin{"keyboard:local", "", std::string(controller::to_string(role))};
  const controller::Role needed = controller::required_role(command);
  if (role >= needed) return true;
  spdlog::warn("key: {} needs the {} role; the console (panel.role) is {}",
               controller::command_name(command), controller::to_string(needed),
               controller::to_string(role));
  return false;
}

void on_key(controller::AppRuntime& app, int key) {
  auto binding = controller::key_binding(key);
  if (!binding) return;
  controller::Origin origin;
  if (auto* command = std::get_if<controller::Command>(&*binding)) {
    if (console_may(app, *command, origin)) app.wall().submit(*command, origin);
    return;
  }
  switch (std::get<controller::KeyAction>(*binding)) {
    case controller::KeyAction::Snapshot:
      app.snapshot_now();
      break;
    case controller::KeyAction::AcknowledgeAlarms:
      if (console_may(app, controller::AlarmAck{}, origin)) app.acknowledge_alarms({}, origin);
      break;
    case controller::KeyAction::Quit:
      app.renderer().request_stop();
      break;
  }
}

// Process-wide limits a daemon facing the network needs: a peer that closes a socket must not
// kill it (SIGPIPE), and the file-descriptor limit is the hard one, so that many cameras and
// clients cannot run the soft default (often 1024) out.
void harden_process() {
  std::signal(SIGPIPE, SIG_IGN);
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    const rlim_t soft = files.rlim_cur;
    files.rlim_cur = files.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0)
      spdlog::warn("cannot raise the open-file limit from {}: {}", soft, std::strerror(errno));
  }
}

}  // namespace

int main(int argc, char** argv) {
  streams::bound_allocator();  // first: before any library starts a thread
  controller::AppOptions options;
  CLI::App cli{"videowall: video wall controller (智慧江汉 command center)"};
  cli.set_version_flag("--version", "videowall " VIDEOWALL_VERSION);
  cli.add_option("--config", options.config_path, "YAML config file (cameras, wall, layouts)");
  cli.add_flag("--demo", options.demo,
               "serve 16 simulated district cameras on loopback and show them (no config needed)");
  cli.add_flag("--headless", options.headless, "render offscreen with no window (EGL)");
  cli.add_option("--snapshot", options.snapshot_path, "write the composite to this PNG, then exit");
  cli.add_option("--snapshot-after", options.snapshot_after_s,
                 "seconds to run before --snapshot is taken")
      ->check(CLI::Range(0.0, 3600.0));
  cli.add_option("--snapshot-dir", options.snapshot_dir,
                 "where S, SIGUSR1 and headless runs put snapshots");
  cli.add_option("--lang", options.language, "operator language: zh (default) or en")
      ->check(CLI::IsMember({"zh", "en"}));
  cli.add_option("--panel", options.panel,
                 "operator panel: overlay (over the wall, F1 shows/hides), window, or off; "
                 "given, it is shown at start (default: the config's panel section)")
      ->check(CLI::IsMember({"overlay", "window", "off"}));
  cli.add_flag("--snapshot-panel", options.snapshot_panel,
               "--snapshot writes the window with the operator panel over the wall");
  cli.add_option("--log-level", options.log_level, "trace, debug, info, warn, error");
  cli.add_option("--state-dir", options.state_dir,
                 "folder of the saved wall state and the audit trail (default: config "
                 "storage.dir, else $XDG_STATE_HOME/videowall)");
  cli.add_flag("--reset-state", options.reset_state,
               "start from the config's layout instead of the saved wall");
  cli.add_option("--api-endpoint", options.api_endpoint,
                 "control API request endpoint (overrides api.endpoint; off: no API)");
  cli.add_option("--pub-endpoint", options.pub_endpoint,
                 "control API update endpoint (overrides api.pub_endpoint; off: none)");
  cli.add_option("--metrics", options.metrics,
                 "HOST:PORT of /metrics, /healthz and /readyz (overrides service.metrics; "
                 "off: none)");
  CLI11_PARSE(cli, argc, argv);

  if (options.config_path.empty() && !options.demo) {
    std::fprintf(stderr,
                 "videowall: give --config FILE, or --demo to run on built-in simulated cameras\n"
                 "  (see assets/demo/config.yaml for a config to copy)\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  controller::service::use_journal_when_attached();  // started by systemd: entries with fields
  harden_process();

  // Signals are taken by one thread with sigwait, never by async handlers in library code.
  sigset_t signals;
  sigemptyset(&signals);
  // SIGUSR2 is a test hook, taken only with VIDEOWALL_TEST_HOOKS=1 (else it keeps its default).
  const char* hooks = std::getenv("VIDEOWALL_TEST_HOOKS");
  const bool test_hooks = hooks != nullptr && std::string_view(hooks) == "1";
  for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGHUP}) sigaddset(&signals, s);
  if (test_hooks) sigaddset(&signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<controller::AppRuntime> app;
  try {
    app = std::make_unique<controller::AppRuntime>(options);
  } catch (const controller::ConfigError& e) {
    std::fprintf(stderr, "videowall: config error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "videowall: cannot start: %s\n", e.what());
    return 1;
  }
  app->renderer().set_key_handler([&](int key) { on_key(*app, key); });

  std::jthread signal_thread([&](std::stop_token stop) {
    timespec tick{0, 200'000'000};
    while (!stop.stop_requested()) {
      int s = sigtimedwait(&signals, nullptr, &tick);
      if (s == SIGUSR1) app->snapshot_now();
      if (s == SIGHUP) app->reload_from_signal();                               // systemctl reload
      if (s == SIGUSR2) app->renderer().debug_stall(std::chrono::seconds(30));  // test_hooks
      if (s == SIGINT || s == SIGTERM) {
        spdlog::info("signal {}: stopping", s);
        app->renderer().request_stop();
        return;
      }
    }
  });

  int rc = app->run();
  signal_thread.request_stop();
  return rc;
}
