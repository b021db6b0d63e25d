// The ZAP handler (ZeroMQ RFC 27) of the control API's CURVE sockets: it lets in only the client
// public keys listed in the config and tells the API who each connection is. Runs its own thread
// with a REP socket bound to inproc://zeromq.zap.01 of the given context; libzmq asks it during
// every CURVE handshake on a socket whose ZMQ_ZAP_DOMAIN is set.
//
// Allowed: status "200", user id = the client's fingerprint (curve_keys.hpp), which the API reads
// back from each message ("User-Id" property) and maps to the client's name and role.
// Refused (unknown key, or not a CURVE handshake): status "400"; `on_refused` is called (on the
// handler's thread) with the key's fingerprint ("" if none) and the peer address, so the refusal
// is audited.
//
// Lifetime: libzmq 4.3 (without the draft ZMQ_ZAP_ENFORCE_DOMAIN) lets every CURVE client in when
// no handler is bound, so the handler must be bound before the CURVE server sockets bind and
// destroyed only after they are closed.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "controller/api/request.hpp"

namespace vw::controller::api {

struct AllowedClient {
  std::string name;        // e.g. "应急指挥席" (for logs and the audit trail)
  std::string public_key;  // Z85
  Role role = Role::Viewer;
};

class ZapHandler {
 public:
  using OnRefused = std::function<void(const std::string& fingerprint, const std::string& address,
                                       const std::string& reason)>;

  // Binds inproc://zeromq.zap.01 on `context` (throws zmq::error_t if another handler has it)
  // and starts the thread. Call before any CURVE server socket of the context binds.
  // Throws std::runtime_error for an invalid or duplicated public key in `clients`.
  ZapHandler(zmq::context_t& context, std::vector<AllowedClient> clients, OnRefused on_refused);
  ~ZapHandler();  // stops and joins the thread (bounded: it polls every 100 ms)
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // The client known by `fingerprint`, or null.
  std::optional<AllowedClient> client(const std::string& fingerprint) const;
  // Replaces the allow list (config reload); connections already open keep their identity.
  // Throws std::runtime_error (and keeps the old list) for an invalid or duplicated key.
  void set_clients(std::vector<AllowedClient> clients);

 private:
  void run(std::stop_token stop);
  // Answers one ZAP request (frames as received) with the reply frames.
  std::vector<std::string> answer(const std::vector<zmq::message_t>& request);

  zmq::context_t& context_;
  OnRefused on_refused_;
  mutable std::mutex mutex_;
  std::map<std::string, AllowedClient> by_fingerprint_;
  std::map<std::string, std::string> fingerprint_by_key_;  // Z85 -> fingerprint
  zmq::socket_t socket_;
  // Refused peers reconnect every reconnect interval: the handler's thread logs each
  // (fingerprint, address) at warn level once a minute, the rest at debug.
  std::map<std::string, std::chrono::steady_clock::time_point> last_warned_;
  std::jthread thread_;  // last
};

}  // namespace vw::controller::api
