// A client of the control API (docs/api.md), as wallctl, tests and benchmarks use it.
//
// Requests: a DEALER socket sends [empty frame, JSON request] to the daemon's ROUTER and reads
// [empty frame, JSON reply] (the envelope a REQ socket would use, so REQ clients work too).
// Updates: a SUB socket receives [topic, JSON] from the daemon's PUB; topics "wall" (every
// applied change) and "streams" (stream states, periodically); every update has a "seq" that
// increases by one per published message, across topics.
//
// With CURVE (server_key set), the client needs its own key pair (a .key file from
// `wallctl keygen`) whose public key the daemon's config lists.
//
// Threads: one thread per client object.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <zmq.hpp>

namespace vw::controller::api {

struct ClientOptions {
  std::string endpoint = "tcp://127.0.0.1:5560";      // the daemon's ROUTER
  std::string pub_endpoint = "tcp://127.0.0.1:5561";  // the daemon's PUB
  std::string key_file;                               // the client's .key file; empty: no CURVE
  std::string server_key;  // the daemon's public key: Z85 text, or a path to a .pub/.key file
  std::chrono::milliseconds timeout{5000};  // for a reply (and for connecting)
};

// No reply within the timeout: the daemon is down, unreachable, or refused our key (a refused
// CURVE handshake looks the same as silence to the client). wallctl exits with 3.
class Unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ApiClient {
 public:
  // Throws std::runtime_error for a bad key file or server key (naming it).
  explicit ApiClient(ClientOptions options);

  // Sends `request` and returns the parsed reply. Throws Unreachable on timeout, and
  // std::runtime_error when the reply is not JSON.
  nlohmann::json request(const nlohmann::json& request);
  // Sends raw bytes as the request body (tests: garbage, oversized) and returns the raw reply.
  std::string request_raw(const std::string& bytes);

  const ClientOptions& options() const { return options_; }

 private:
  void connect();  // (re)creates the socket: after a timeout the old one is discarded

  ClientOptions options_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

struct Update {
  std::string topic;  // "wall" or "streams"
  nlohmann::json body;
};

class ApiSubscriber {
 public:
  // Subscribes to every topic. Throws std::runtime_error for a bad key file or server key.
  explicit ApiSubscriber(ClientOptions options);
  // The next update, or nullopt after `timeout`.
  std::optional<Update> next(std::chrono::milliseconds timeout);

 private:
  ClientOptions options_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

// Applies CURVE client options to `socket` (shared by ApiClient and ApiSubscriber).
void configure_curve_client(zmq::socket_t& socket, const ClientOptions& options);

}  // namespace vw::controller::api
