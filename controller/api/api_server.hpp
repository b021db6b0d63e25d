// The control API's server (docs/api.md): a ROUTER socket for JSON requests and a PUB socket
// for every applied change and periodic stream states, on one thread of its own. It never
// touches the render thread's work: queries read thread-safe snapshots (WallController::state,
// StreamChannel stats, Renderer::stats), commands go through WallController::submit and are
// answered when the controller's callback arrives, and snapshots are captured and encoded on a
// worker thread.
//
// Security: with CURVE configured, a ZapHandler admits only listed client keys and each request
// carries its client's fingerprint (ZMQ "User-Id"), mapped to a role; without CURVE (loopback
// only, enforced by the config) every client has api.anonymous_role. Every refused request is
// audited here; every command is audited by the controller.
//
// PUB messages are [topic, JSON] with a "seq" that grows by one per message across topics;
// state.get answers with the state as of a seq (the Clone pattern: subscribe, then state.get,
// then apply updates with a larger seq).
//
// Threads: construct and destroy on one thread; notify() from the controller's thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "controller/api/request.hpp"
#include "controller/api/zap_handler.hpp"
#include "controller/core/wall_controller.hpp"
#include "controller/persist/audit_trail.hpp"
#include "controller/quality/quality_history.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller::api {

// What a config.reload will change: the new config, and what else the daemon reloads once the wall
// has taken it (e.g. a changed alarm-rules file).
struct ConfigReloadPlan {
  std::shared_ptr<const Config> config;
  std::function<void()> commit;  // called on the controller's thread after success; may be empty
  std::vector<std::string> reloaded;  // what commit reloads, for the reply ("cases.rules")
  // Settings that differ from what the daemon started with and take effect only after a restart
  // (restart_required() against the startup config, so a second reload still lists them).
  std::vector<std::string> restart_required;
};

struct ApiServerDeps {
  WallController& wall;
  streams::StreamManager& streams;
  renderer::Renderer& renderer;
  AuditTrail* audit = nullptr;  // refused requests and connections (summarised by the trail)
  // alarm.ack: acknowledges through the alarm engine when there is one (cooldowns start).
  std::function<void(const std::string& rule, Origin, WallController::Done)> acknowledge;
  // config.reload (AppRuntime::reload_config): reads and validates the daemon's config file
  // (and what it names) and hands it to the wall; throws ConfigError at once, and then nothing
  // changes. `done` gets the outcome and the plan, on the controller's thread.
  using ReloadDone = std::function<void(const CommandResult&, const ConfigReloadPlan&)>;
  std::function<void(Origin, ReloadDone)> reload;
  std::string snapshot_dir;                // where snapshot requests with a "path" are written
  std::uint64_t snapshot_quota_bytes = 0;  // what snapshot_dir may hold (0: no quota)
  // quality.report: the diagnosis' history (null when quality.enabled is false).
  const quality::QualityHistory* quality_history = nullptr;
  // The folder of the pictures the report refers to (quality_snapshots.hpp).
  std::filesystem::path quality_snapshots{};
  // status's "outputs" (the daemon's live outputs); null: the reply has none.
  std::function<nlohmann::json()> outputs{};
};

// What the API has been asked since it started (the metrics endpoint).
struct ApiCounters {
  std::uint64_t requests = 0;                    // requests read from clients
  std::map<std::string, std::uint64_t> refused;  // requests refused, per error code
};

class ApiServer {
 public:
  // Binds both sockets; throws std::runtime_error naming the endpoint when it cannot.
  ApiServer(const ApiConfig& config, ApiServerDeps deps);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Queues an applied change for the PUB stream (WallController's on_change; never blocks).
  void notify(const ChangeEvent& event);
  // Queues a "records" message: the audit trail or state file failed or works again
  // (WallController's on_health; never blocks).
  void notify_records(const RecordsHealth& health);

  ApiCounters counters() const;  // any thread
  // What to call with a config the wall has taken (config.reload, from the API or SIGHUP): who
  // may connect, and as what, follows it. Callable from any thread, also after the server is
  // gone (then it does nothing); never blocks.
  std::function<void(std::shared_ptr<const Config>)> config_follower() const;
  std::string endpoint() const { return endpoint_; }  // as bound (a "*" port resolved)
  std::string pub_endpoint() const { return pub_endpoint_; }

 private:
  struct Client;
  struct Outgoing {
    std::vector<std::string> envelope;  // routing frames to send back
    std::string body;
  };

  class RefusalAudit;

  void run(std::stop_token stop);
  void read_monitor();  // handshake failures of the request socket (API thread)
  void handle(std::vector<zmq::message_t>& frames);
  void dispatch(const std::vector<std::string>& envelope, ParsedRequest request,
                const Client& client);
  void refuse(const std::vector<std::string>& envelope, const Client& client, const std::string& id,
              const std::string& cmd, const std::string& code, const std::string& message,
              nlohmann::json args = nlohmann::json::object());
  void send(const std::vector<std::string>& envelope, const std::string& body);
  void publish(const std::string& topic, nlohmann::json body);
  void publish_pending();
  void publish_streams();
  void snapshot(std::vector<std::string> envelope, std::string id, SnapshotQuery query);
  void reload(const std::vector<std::string>& envelope, const std::string& id,
              const Client& client);
  void switch_clients(const ApiConfig& next);  // API thread
  void rebind_pub();                           // API thread

  ApiConfig config_;
  ApiServerDeps deps_;
  std::unique_ptr<RefusalAudit> refusals_audit_;  // shared by the ZAP and API threads
  zmq::context_t context_{1};
  std::unique_ptr<ZapHandler> zap_;  // outlives the CURVE sockets below (closed first)
  zmq::socket_t router_;
  zmq::socket_t monitor_;  // PAIR receiving router_'s handshake failures (CURVE only)
  zmq::socket_t pub_;
  std::string endpoint_, pub_endpoint_;
  struct Shared;  // replies and updates queued by other threads, with the eventfd that wakes us
  std::shared_ptr<Shared> shared_;
  struct Worker {
    std::shared_ptr<std::atomic<bool>> done;
    std::jthread thread;
  };
  std::vector<Worker> workers_;  // snapshot encoders; API thread only

  // API thread only:
  std::uint64_t seq_ = 0;
  nlohmann::json last_state_;                      // the wall state as of seq_
  std::map<std::string, std::uint64_t> refusals_;  // per code, for log throttling
  mutable std::mutex counters_mutex_;
  ApiCounters counters_;  // under counters_mutex_
  std::jthread thread_;   // last
};

}  // namespace vw::controller::api
