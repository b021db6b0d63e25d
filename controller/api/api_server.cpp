#include "controller/api/api_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <zmq_addon.hpp>

#include "controller/api/api_views.hpp"
#include "renderer/image_codec.hpp"
#include "renderer/utf8.hpp"

namespace vw::controller::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The transport drops anything larger outright; below it, requests over kMaxRequestBytes get a
// "too_large" reply (so a client learns why).
constexpr std::int64_t kTransportMaxBytes = 16 * 1024 * 1024;
using Clock = std::chrono::steady_clock;
constexpr auto kStreamsInterval = std::chrono::seconds(2);
constexpr int kMaxSnapshotWorkers = 2;
// A connection that has not finished its handshake (ZMTP greeting, CURVE) within this is closed,
// so idle pre-auth connections cannot pile up and exhaust file descriptors.
constexpr int kHandshakeMs = 5000;
// Messages queued per peer: a client that sends without reading its replies, or a subscriber
// that stops reading, is dropped from (ROUTER) or skipped by (PUB) the queue beyond this. A
// "wall" update carries the full state (a few kB to tens of kB), so the PUB bound is in messages
// a slow subscriber may lag, not in bytes.
constexpr int kRequestHwm = 1000;
constexpr int kPubHwm = 1000;
// A request is [routing id, (empty delimiter), body]: more frames than this is not a client of
// ours, and is dropped without parsing.
constexpr std::size_t kMaxFrames = 4;

std::string dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void configure(zmq::socket_t& socket, const ApiConfig& config) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::maxmsgsize, kTransportMaxBytes);
  // ZMTP heartbeats: a peer that vanished without closing TCP is dropped within ~15 s.
  socket.set(zmq::sockopt::heartbeat_ivl, 5000);
  socket.set(zmq::sockopt::heartbeat_timeout, 15000);
  socket.set(zmq::sockopt::heartbeat_ttl, 15000);
  socket.set(zmq::sockopt::handshake_ivl, kHandshakeMs);
  if (config.curve()) {
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, config.server_secret_key);
    socket.set(zmq::sockopt::zap_domain, "videowall");
  }
}

std::string bind_socket(zmq::socket_t& socket, const std::string& endpoint, const char* what) {
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error(std::string("cannot bind the API ") + what + " socket to " + endpoint +
                             ": " + e.what() + " (another videowall running? change api." +
                             (std::string(what) == "request" ? "endpoint" : "pub_endpoint") + ")");
  }
  return socket.get(zmq::sockopt::last_endpoint);
}

// Without CURVE the config admits only loopback endpoints; what libzmq actually bound is checked
// too, so that no spelling of an endpoint can open an unauthenticated socket to the network.
void require_loopback(zmq::socket_t& socket, const std::string& asked, const std::string& bound,
                      const char* what) {
  if (is_loopback_endpoint(bound)) return;
  socket.close();
  throw std::runtime_error(std::string("the API ") + what + " socket asked for " + asked +
                           " was bound to " + bound +
                           ", which is not a loopback address, and CURVE is off; closed it");
}

std::vector<AllowedClient> allowed_clients(const ApiConfig& config) {
  std::vector<AllowedClient> clients;
  for (const auto& c : config.clients) {
    Role role = Role::Viewer;
    parse_role(c.role, role);
    clients.push_back({c.name, c.public_key, role});
  }
  return clients;
}

}  // namespace

// Connections refused before any request (an unknown key, no CURVE at all): libzmq retries a
// refused handshake every 100 ms, so each identity gets one audit line a minute, with the
// attempts in between counted. Called from the ZAP thread and the API thread.
class ApiServer::RefusalAudit {
 public:
  explicit RefusalAudit(AuditTrail* audit) : audit_(audit) {}
  void record(const std::string& identity, const std::string& where, const std::string& reason) {
    std::lock_guard lock(mutex_);
    auto& [when, attempts] = last_[identity + "|" + where];
    ++attempts;
    auto now = Clock::now();
    if (when != Clock::time_point{} && now - when < std::chrono::minutes(1)) return;
    spdlog::warn("API: connection {} ({}) refused: {}", renderer::printable(identity, 128),
                 renderer::printable(where, 128), renderer::printable(reason, 300));
    if (audit_) {
      AuditEntry entry;
      entry.origin = {identity, "", "none"};
      entry.command = "auth.refused";
      entry.args = {{"address", where}, {"attempts", attempts}};
      entry.code = "forbidden";
      entry.message = reason;
      audit_->append(entry);
    }
    when = now;
    attempts = 0;
    if (last_.size() > 10000) last_.clear();  // bounded, whatever a scanner tries
  }

 private:
  AuditTrail* audit_;
  std::mutex mutex_;
  std::map<std::string, std::pair<Clock::time_point, int>> last_;
};

// Replies and updates produced on other threads; shared with their callbacks so a late one
// after the server is gone lands harmlessly.
struct ApiServer::Shared {
  std::mutex mutex;
  std::deque<Outgoing> outbox;
  std::deque<std::pair<std::string, json>> updates;  // topic, body without seq
  // Who may connect after a config.reload that succeeded: taken by the API thread before the
  // reply goes out, so the reload's caller already sees the new roles.
  std::shared_ptr<const Config> reloaded;
  int wake_fd = -1;

  Shared() : wake_fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~Shared() { ::close(wake_fd); }
  void wake() const {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }
  void reply(std::vector<std::string> envelope, const json& body) {
    {
      std::lock_guard lock(mutex);
      outbox.push_back({std::move(envelope), dump(body)});
    }
    wake();
  }
};

struct ApiServer::Client {
  std::string identity;
  std::string name;
  Role role = Role::Viewer;
  Origin origin() const { return {identity, name, std::string(to_string(role))}; }
};

ApiServer::ApiServer(const ApiConfig& config, ApiServerDeps deps)
    : config_(config),
      deps_(std::move(deps)),
      refusals_audit_(std::make_unique<RefusalAudit>(deps_.audit)),
      shared_(std::make_shared<Shared>()) {
  if (shared_->wake_fd < 0) throw std::runtime_error("API: eventfd failed");
  if (config_.curve()) {
    zap_ = std::make_unique<ZapHandler>(
        context_, allowed_clients(config_),
        [refusals = refusals_audit_.get()](const std::string& fingerprint,
                                           const std::string& address, const std::string& reason) {
          refusals->record(fingerprint.empty() ? "unknown:" + address : "curve:" + fingerprint,
                           address, reason);
        });
  }
  router_ = zmq::socket_t(context_, zmq::socket_type::router);
  configure(router_, config_);
  router_.set(zmq::sockopt::sndhwm, kRequestHwm);
  router_.set(zmq::sockopt::rcvhwm, kRequestHwm);
  if (config_.curve()) {
    // A client with no CURVE key never reaches the ZAP handler: libzmq drops the handshake.
    // Its socket monitor still says so, and the refusal is audited like the others.
    if (zmq_socket_monitor(
            router_.handle(), "inproc://videowall-api-monitor",
            ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0)
      throw std::runtime_error(std::string("API: socket monitor: ") + zmq_strerror(zmq_errno()));
    monitor_ = zmq::socket_t(context_, zmq::socket_type::pair);
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect("inproc://videowall-api-monitor");
  }
  endpoint_ = bind_socket(router_, config_.endpoint, "request");
  if (!config_.curve()) require_loopback(router_, config_.endpoint, endpoint_, "request");
  if (!config_.pub_endpoint.empty()) {
    pub_ = zmq::socket_t(context_, zmq::socket_type::pub);
    configure(pub_, config_);
    pub_.set(zmq::sockopt::sndhwm, kPubHwm);
    pub_endpoint_ = bind_socket(pub_, config_.pub_endpoint, "update");
    if (!config_.curve()) require_loopback(pub_, config_.pub_endpoint, pub_endpoint_, "update");
  }
  last_state_ = wall_state_json(*deps_.wall.state(), *deps_.wall.config(), deps_.wall.layouts());
  spdlog::info("API: requests on {}, updates on {}{}", endpoint_,
               pub_endpoint_.empty() ? "(none)" : pub_endpoint_,
               config_.curve() ? fmt::format(" (CURVE, {} client keys)", config_.clients.size())
                               : fmt::format(" (no CURVE: loopback only, every client is {})",
                                             config_.anonymous_role));
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

ApiServer::~ApiServer() {
  thread_.request_stop();
  shared_->wake();
  if (thread_.joinable()) thread_.join();
  if (monitor_) zmq_socket_monitor(router_.handle(), nullptr, 0);
  workers_.clear();  // joins: each worker stops waiting when asked
}

void ApiServer::notify(const ChangeEvent& event) {
  auto config = deps_.wall.config();
  json body = {
      {"time", now_iso8601()},
      {"command", event.command},
      {"args", event.details ? request_arguments(Request{*event.details}) : json::object()},
      {"origin",
       {{"identity", event.origin.identity},
        {"name", event.origin.name},
        {"role", event.origin.role}}},
      {"state_version", event.result.state_version},
      {"state", wall_state_json(*event.state, *config, deps_.wall.layouts())}};
  {
    std::lock_guard lock(shared_->mutex);
    shared_->updates.emplace_back("wall", std::move(body));
  }
  shared_->wake();
}

void ApiServer::notify_records(const RecordsHealth& health) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->updates.emplace_back("records", records_json(health));
  }
  shared_->wake();
}

void ApiServer::run(std::stop_token stop) {
  zmq::pollitem_t items[] = {{router_.handle(), 0, ZMQ_POLLIN, 0},
                             {nullptr, shared_->wake_fd, ZMQ_POLLIN, 0},
                             {monitor_ ? monitor_.handle() : nullptr, -1, ZMQ_POLLIN, 0}};
  auto next_streams = std::chrono::steady_clock::now() + kStreamsInterval;
  while (!stop.stop_requested()) {
    try {
      zmq::poll(items, monitor_ ? 3 : 2, std::chrono::milliseconds(200));
      if (monitor_ && (items[2].revents & ZMQ_POLLIN)) read_monitor();
      if (items[1].revents & ZMQ_POLLIN) {
        std::uint64_t count;
        [[maybe_unused]] auto n = ::read(shared_->wake_fd, &count, sizeof count);
      }
      // A bounded batch per turn, so updates and replies keep flowing under a request flood.
      for (int i = 0; i < 256; ++i) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(router_, std::back_inserter(frames), zmq::recv_flags::dontwait))
          break;
        handle(frames);
      }
      publish_pending();  // before the replies: whoever hears "ok" can already see the update
      std::deque<Outgoing> outbox;
      std::shared_ptr<const Config> reloaded;
      {
        std::lock_guard lock(shared_->mutex);
        outbox.swap(shared_->outbox);
        reloaded.swap(shared_->reloaded);
      }
      if (reloaded) switch_clients(reloaded->api);
      for (const auto& out : outbox) send(out.envelope, out.body);
      if (std::chrono::steady_clock::now() >= next_streams) {
        publish_streams();
        next_streams = std::chrono::steady_clock::now() + kStreamsInterval;
      }
      std::erase_if(workers_, [](const Worker& w) { return w.done->load(); });
      if (deps_.audit) deps_.audit->flush_due();  // counts of refusal floods that ended
    } catch (const std::exception& e) {
      spdlog::error("API: {} (continuing)", e.what());
    }
  }
}

void ApiServer::read_monitor() {
  std::vector<zmq::message_t> frames;
  while (zmq::recv_multipart(monitor_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
    if (frames.size() == 2 && frames[0].size() >= 6) {
      std::uint32_t value = 0;
      std::memcpy(&value, static_cast<const char*>(frames[0].data()) + 2, sizeof value);
      refusals_audit_->record("unknown:no-curve-key", frames[1].to_string(),
                              fmt::format("handshake failed (ZMTP error 0x{:x}): a client "
                                          "without CURVE, or with the wrong server key",
                                          value));
    }
    frames.clear();
  }
}

void ApiServer::handle(std::vector<zmq::message_t>& frames) {
  if (frames.size() < 2) return;  // a ROUTER always prepends the routing id; nothing to answer
  if (frames.size() > kMaxFrames) return;  // not one of our clients: no reply, no parse
  std::vector<std::string> envelope;
  for (std::size_t i = 0; i + 1 < frames.size(); ++i) envelope.push_back(frames[i].to_string());
  auto& body = frames.back();
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.requests;
  }

  Client client;
  if (config_.curve()) {
    const char* user = zmq_msg_gets(body.handle(), "User-Id");
    auto known = user && zap_ ? zap_->client(user) : std::nullopt;
    if (!known) {  // ZAP let it in, so this is a client removed by a reload since
      client.identity = std::string("curve:") + (user ? user : "?");
      refuse(envelope, client, "", "", "forbidden", "this client key is no longer allowed");
      return;
    }
    client = {std::string("curve:") + user, known->name, known->role};
  } else {
    const char* address = zmq_msg_gets(body.handle(), "Peer-Address");
    client.identity = std::string("anonymous:") + (address ? address : "local");
    parse_role(config_.anonymous_role, client.role);
  }

  auto parsed = parse_request(std::string_view(static_cast<const char*>(body.data()), body.size()));
  if (auto* error = std::get_if<RequestError>(&parsed)) {
    refuse(envelope, client, error->id, error->cmd.empty() ? "request.invalid" : error->cmd,
           error->code, error->message, {{"bytes", body.size()}});
    return;
  }
  auto& request = std::get<ParsedRequest>(parsed);
  Role needed = required_role(request.request);
  if (client.role < needed) {
    auto name = request_name(request.request);
    refuse(envelope, client, request.id, name, "forbidden",
           name + " needs the " + std::string(to_string(needed)) + " role; " +
               (client.name.empty() ? client.identity : client.name) + " has " +
               std::string(to_string(client.role)),
           request_arguments(request.request));
    return;
  }
  dispatch(envelope, std::move(request), client);
}

void ApiServer::dispatch(const std::vector<std::string>& envelope, ParsedRequest request,
                         const Client& client) {
  auto& wall = deps_.wall;
  const auto& id = request.id;
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, StatusQuery>) {
          auto view = wall.view();
          auto config = wall.config();
          json status =
              status_json(*wall.state(), view.get(), deps_.streams.channels(),
                          deps_.renderer.stats(), wall.records_health(), *config, wall.layouts());
          if (deps_.outputs) status["outputs"] = deps_.outputs();
          send(envelope, dump(ok_reply(id, std::move(status))));
        } else if constexpr (std::is_same_v<T, CamerasList>) {
          send(envelope,
               dump(ok_reply(id, {{"cameras", cameras_json(*wall.config(), deps_.streams)}})));
        } else if constexpr (std::is_same_v<T, LayoutsList>) {
          send(envelope, dump(ok_reply(id, layouts_json(*wall.state(), wall.layouts()))));
        } else if constexpr (std::is_same_v<T, StateGet>) {
          publish_pending();  // so the answer is as of the newest seq
          send(envelope, dump(ok_reply(id, {{"seq", seq_}, {"state", last_state_}})));
        } else if constexpr (std::is_same_v<T, SnapshotQuery>) {
          snapshot(envelope, id, r);
        } else if constexpr (std::is_same_v<T, ConfigReloadQuery>) {
          reload(envelope, id, client);
        } else if constexpr (std::is_same_v<T, QualityReportQuery>) {
          if (!deps_.quality_history) {
            send(envelope, dump(error_reply(id, "unavailable",
                                            "the picture-quality diagnosis is off "
                                            "(quality.enabled: false)")));
            return;
          }
          const auto now = std::chrono::system_clock::now();
          const auto report =
              deps_.quality_history->report(now - std::chrono::seconds(r.since_s), now);
          const quality::QualitySnapshots pictures(deps_.quality_snapshots);
          send(envelope,
               dump(ok_reply(id, quality_report_json(report, deps_.streams.channels(),
                                                     r.snapshots ? &pictures : nullptr))));
        } else {
          auto done = [shared = shared_, envelope, id](const CommandResult& result) {
            json body = result.ok ? ok_reply(id, {{"changed", result.changed},
                                                  {"state_version", result.state_version}})
                                  : error_reply(id, result.code, result.message);
            if (result.ok && !result.message.empty()) body["message"] = result.message;
            shared->reply(envelope, body);
          };
          if (auto* ack = std::get_if<AlarmAck>(&r); ack && deps_.acknowledge)
            deps_.acknowledge(ack->rule, client.origin(), done);
          else
            wall.submit(std::move(r), client.origin(), done);
        }
      },
      request.request);
}

ApiCounters ApiServer::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

void ApiServer::refuse(const std::vector<std::string>& envelope, const Client& client,
                       const std::string& id, const std::string& cmd, const std::string& code,
                       const std::string& message, json args) {
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.refused[code];
  }
  auto& count = refusals_[code];
  if (++count <= 5 || count % 1000 == 0)
    spdlog::warn("API: refused {} from {} ({}): {}{}", renderer::printable(cmd, 64),
                 renderer::printable(client.identity, 128), code, renderer::printable(message, 300),
                 count > 5 ? fmt::format(" [{} so far]", count) : "");
  if (deps_.audit) {
    AuditEntry entry;
    entry.origin = client.origin();
    entry.command = cmd;
    entry.args = std::move(args);
    entry.code = code;
    entry.message = message;
    deps_.audit->append(entry);
  }
  send(envelope, dump(error_reply(id, code, message)));
}

void ApiServer::send(const std::vector<std::string>& envelope, const std::string& body) {
  for (const auto& frame : envelope)
    if (!router_.send(zmq::buffer(frame), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return;  // the peer is gone or its queue is full: drop the reply
  router_.send(zmq::buffer(body), zmq::send_flags::dontwait);
}

void ApiServer::publish(const std::string& topic, json body) {
  body["seq"] = ++seq_;
  if (topic == "wall") last_state_ = body["state"];
  if (!pub_) return;
  pub_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  pub_.send(zmq::buffer(dump(body)), zmq::send_flags::dontwait);
}

void ApiServer::publish_pending() {
  std::deque<std::pair<std::string, json>> updates;
  {
    std::lock_guard lock(shared_->mutex);
    updates.swap(shared_->updates);
  }
  for (auto& [topic, body] : updates) publish(topic, std::move(body));
}

void ApiServer::publish_streams() {
  json streams = json::array();
  for (const auto& channel : deps_.streams.channels())
    streams.push_back(stream_brief_json(*channel));
  publish("streams", {{"time", now_iso8601()}, {"streams", std::move(streams)}});
}

void ApiServer::snapshot(std::vector<std::string> envelope, std::string id, SnapshotQuery query) {
  std::erase_if(workers_, [](const Worker& w) { return w.done->load(); });
  if (workers_.size() >= kMaxSnapshotWorkers) {
    shared_->reply(envelope, error_reply(id, "busy", "two snapshots are already being taken"));
    return;
  }
  auto capture = std::make_shared<std::future<renderer::Image>>(deps_.renderer.capture());
  std::string dir = deps_.snapshot_dir;
  const std::uint64_t quota = deps_.snapshot_quota_bytes;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::jthread worker([shared = shared_, envelope = std::move(envelope), id = std::move(id),
                       query = std::move(query), capture, dir, quota, done](std::stop_token stop) {
    json reply;
    try {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (capture->wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (stop.stop_requested() || std::chrono::steady_clock::now() > deadline)
          throw std::runtime_error("no frame was drawn within 10 s");
      }
      auto image = capture->get();
      bool jpeg = query.format == SnapshotQuery::Format::Jpeg;
      auto bytes = jpeg ? renderer::encode_jpeg(image, query.quality) : renderer::encode_png(image);
      reply = ok_reply(
          id,
          {{"format", jpeg ? "jpeg" : "png"}, {"width", image.width}, {"height", image.height}});
      if (query.path.empty()) {
        reply["data"] = renderer::base64_encode(bytes.data(), bytes.size());
      } else {
        fs::create_directories(dir);
        const auto path = fs::absolute(fs::path(dir) / query.path).string();
        if (const std::string error = renderer::write_image_file(path, bytes, quota);
            !error.empty())
          throw std::runtime_error(error);
        reply["path"] = path;
      }
    } catch (const std::exception& e) {
      reply = error_reply(id, "snapshot_failed", e.what());
    }
    shared->reply(envelope, reply);
    done->store(true);
  });
  workers_.push_back({done, std::move(worker)});
}

void ApiServer::switch_clients(const ApiConfig& next) {
  std::set<std::string> kept;
  for (const auto& client : next.clients) kept.insert(client.public_key);
  bool revoked = false;
  for (const auto& client : config_.clients) revoked = revoked || !kept.count(client.public_key);
  config_.anonymous_role = next.anonymous_role;
  config_.clients = next.clients;
  if (zap_) zap_->set_clients(allowed_clients(config_));
  if (revoked && pub_) rebind_pub();
}

// ZAP admits a key at the handshake only, so a subscriber whose key was just removed would go on
// receiving every change. The update socket is made anew: every subscriber is disconnected, the
// others reconnect by themselves (libzmq retries) through the handshake, the removed key fails it.
// A subscriber misses the updates of that moment and sees a gap in "seq" (docs/api.md).
void ApiServer::rebind_pub() {
  pub_.close();
  pub_ = zmq::socket_t(context_, zmq::socket_type::pub);
  configure(pub_, config_);
  pub_.set(zmq::sockopt::sndhwm, kPubHwm);
  // The old listener is closed by libzmq's I/O thread: the port may be busy for a moment.
  for (int attempt = 0;; ++attempt) {
    try {
      pub_.bind(pub_endpoint_);
      break;
    } catch (const zmq::error_t& e) {
      if (attempt == 100) {
        spdlog::error("API: cannot bind the update socket to {} again: {}; no more updates",
                      pub_endpoint_, e.what());
        pub_.close();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  spdlog::info("API: a client key was removed: update subscribers reconnect through the handshake");
}

void ApiServer::reload(const std::vector<std::string>& envelope, const std::string& id,
                       const Client& client) {
  auto done = [shared = shared_, follow = config_follower(), envelope, id](
                  const CommandResult& result, const ConfigReloadPlan& plan) {
    json body = result.ok ? ok_reply(id, {{"changed", result.changed},
                                          {"state_version", result.state_version},
                                          {"restart_required", plan.restart_required},
                                          {"reloaded", plan.reloaded}})
                          : error_reply(id, result.code, result.message);
    if (!result.message.empty()) body["message"] = result.message;
    if (result.ok) follow(plan.config);  // who may connect changes once the wall took it
    shared->reply(envelope, body);
  };
  try {
    deps_.reload(client.origin(), std::move(done));
  } catch (const std::exception& e) {
    refuse(envelope, client, id, "config.reload", "config_invalid",
           std::string(e.what()) + " (nothing was changed)");
  }
}

std::function<void(std::shared_ptr<const Config>)> ApiServer::config_follower() const {
  return [shared = shared_](std::shared_ptr<const Config> config) {
    {
      std::lock_guard lock(shared->mutex);
      shared->reloaded = std::move(config);
    }
    shared->wake();
  };
}

}  // namespace vw::controller::api
