#include "controller/api/api_client.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>
#include <zmq_addon.hpp>

#include "controller/api/curve_keys.hpp"

namespace vw::controller::api {
namespace {

using Clock = std::chrono::steady_clock;

// Heartbeats notice a dead daemon (or a dropped NAT mapping) on long-lived sockets, so the
// subscriber reconnects instead of waiting silently forever.
constexpr int kHeartbeatIvlMs = 1000;
constexpr int kHeartbeatTimeoutMs = 3000;
constexpr int kHeartbeatTtlMs = 10000;

int clamp_ms(std::chrono::milliseconds ms) {
  const auto count =
      std::clamp<std::chrono::milliseconds::rep>(ms.count(), 1, std::numeric_limits<int>::max());
  return static_cast<int>(count);
}

void set_common_options(zmq::socket_t& socket, const ClientOptions& options) {
  // Never block exit (or a reconnect) on unsent requests to a daemon that is gone.
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::connect_timeout, clamp_ms(options.timeout));
  socket.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIvlMs);
  socket.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
  socket.set(zmq::sockopt::heartbeat_ttl, kHeartbeatTtlMs);
}

// The secret key must not outlive its use in memory longer than needed.
void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

// The server's public key: Z85 text as given, or read from a .pub/.key file.
std::string resolve_server_key(const std::string& server_key) {
  if (is_valid_key(server_key)) return server_key;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(server_key, ec)) {
    throw std::runtime_error("server key \"" + server_key +
                             "\": neither a Z85 key (40 characters) nor a readable key file");
  }
  KeyPair keys = read_key_file(server_key);  // names the file itself when malformed
  std::string public_key = keys.public_key;
  if (public_key.empty() && !keys.secret_key.empty()) public_key = public_key_of(keys.secret_key);
  wipe(keys.secret_key);
  if (!is_valid_key(public_key)) {
    throw std::runtime_error("server key file " + server_key + ": no valid public key in it");
  }
  return public_key;
}

std::string unreachable_message(const std::string& endpoint, std::chrono::milliseconds timeout) {
  return "no reply from " + endpoint + " within " + std::to_string(timeout.count()) +
         " ms (daemon down or unreachable; a refused CURVE key looks the same)";
}

}  // namespace

void configure_curve_client(zmq::socket_t& socket, const ClientOptions& options) {
  if (options.server_key.empty()) {
    // A key file without the server's key would silently fall back to plain text.
    if (!options.key_file.empty()) {
      throw std::runtime_error("key file " + options.key_file +
                               " given without the server's public key (--server-key)");
    }
    return;
  }
  if (options.key_file.empty()) {
    throw std::runtime_error(
        "CURVE (server key given) needs the client's own key pair: a .key file from "
        "`wallctl keygen` (--key)");
  }
  if (zmq_has("curve") == 0) throw std::runtime_error("this libzmq was built without CURVE");

  const std::string server_public = resolve_server_key(options.server_key);
  KeyPair own = read_key_file(options.key_file);
  if (own.secret_key.empty()) {
    throw std::runtime_error("key file " + options.key_file +
                             ": no secret key (a .pub file? use the .key file)");
  }
  try {
    if (own.public_key.empty()) own.public_key = public_key_of(own.secret_key);
    socket.set(zmq::sockopt::curve_serverkey, server_public);
    socket.set(zmq::sockopt::curve_publickey, own.public_key);
    socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
  } catch (const zmq::error_t& e) {
    wipe(own.secret_key);
    throw std::runtime_error("key file " + options.key_file + ": rejected by libzmq: " + e.what());
  } catch (...) {
    wipe(own.secret_key);
    throw;
  }
  wipe(own.secret_key);
}

ApiClient::ApiClient(ClientOptions options) : options_(std::move(options)) {
  connect();
}

void ApiClient::connect() {
  // Configure a fresh socket fully before replacing the old one, so a failure leaves no
  // half-configured socket behind.
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  set_common_options(socket, options_);
  configure_curve_client(socket, options_);
  socket.connect(options_.endpoint);
  socket_ = std::move(socket);  // the old socket (and any late reply queued on it) is closed
}

std::string ApiClient::request_raw(const std::string& bytes) {
  const auto deadline = Clock::now() + options_.timeout;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  auto give_up = [&]() -> std::string {
    connect();  // a reply arriving after this must not be taken for the next request's
    throw Unreachable(unreachable_message(options_.endpoint, options_.timeout));
  };

  // The envelope a REQ socket would add: the ROUTER sees [identity, empty, body].
  std::vector<zmq::const_buffer> frames{zmq::buffer(std::string_view{}), zmq::buffer(bytes)};
  // Send without blocking forever: a DEALER with no usable pipe would block in send().
  while (true) {
    if (zmq::send_multipart(socket_, frames, zmq::send_flags::dontwait)) break;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLOUT, 0};
    try {
      if (zmq::poll(&item, 1, remaining()) == 0 && remaining().count() == 0) return give_up();
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }

  while (true) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    int ready = 0;
    try {
      ready = zmq::poll(&item, 1, remaining());
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    if (ready == 0) {
      if (remaining().count() == 0) return give_up();
      continue;
    }
    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(socket_, std::back_inserter(reply), zmq::recv_flags::dontwait)) {
      continue;
    }
    // Only [empty, body] is a reply; anything else is not ours to interpret.
    if (reply.size() == 2 && reply[0].size() == 0) return reply[1].to_string();
  }
}

nlohmann::json ApiClient::request(const nlohmann::json& request) {
  const std::string reply = request_raw(request.dump());
  try {
    return nlohmann::json::parse(reply);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error("reply from " + options_.endpoint + " is not JSON: " + e.what());
  }
}

ApiSubscriber::ApiSubscriber(ClientOptions options) : options_(std::move(options)) {
  zmq::socket_t socket(context_, zmq::socket_type::sub);
  set_common_options(socket, options_);
  configure_curve_client(socket, options_);
  socket.set(zmq::sockopt::subscribe, "");
  socket.connect(options_.pub_endpoint);
  socket_ = std::move(socket);
}

std::optional<Update> ApiSubscriber::next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left =
        std::max(std::chrono::milliseconds(0),
                 std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, left) == 0) {
        if (left.count() == 0 || Clock::now() >= deadline) return std::nullopt;
        continue;
      }
    } catch (const zmq::error_t& e) {
      // A signal (Ctrl-C in `wallctl watch`): let the caller look at its flag.
      if (e.num() == EINTR) return std::nullopt;
      throw;
    }
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      continue;
    }
    if (parts.size() != 2) continue;  // not [topic, JSON]: skip rather than guess
    auto body = nlohmann::json::parse(parts[1].to_string_view(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) continue;
    return Update{parts[0].to_string(), std::move(body)};
  }
}

}  // namespace vw::controller::api
