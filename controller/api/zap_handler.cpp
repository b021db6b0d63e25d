#include "controller/api/zap_handler.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <exception>
#include <stdexcept>
#include <utility>
#include <zmq_addon.hpp>

#include "controller/api/curve_keys.hpp"

namespace vw::controller::api {

namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapVersion = "1.0";
constexpr std::chrono::milliseconds kPollTimeout{100};  // bounds how long the destructor waits
constexpr std::chrono::minutes kWarnInterval{1};
constexpr std::size_t kMaxWarnEntries = 1024;  // keeps a key-spraying peer from growing the map
constexpr std::size_t kCurveKeyBytes = 32;

// Frames of a ZAP request (RFC 27).
enum Frame : std::size_t {
  kVersion = 0,
  kRequestId = 1,
  kDomain = 2,
  kAddress = 3,
  kIdentity = 4,
  kMechanism = 5,
  kCredentials = 6,
};

std::string frame_text(const std::vector<zmq::message_t>& frames, std::size_t index) {
  return index < frames.size() ? frames[index].to_string() : std::string();
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, std::vector<AllowedClient> clients,
                       OnRefused on_refused)
    : context_(context),
      on_refused_(std::move(on_refused)),
      socket_(context_, zmq::socket_type::rep) {
  set_clients(std::move(clients));
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(kZapEndpoint);
  thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

ZapHandler::~ZapHandler() {
  // Explicit, so the thread is gone before any other member (the socket above all) is destroyed.
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  // Closing releases the inproc name only later, on libzmq's reaper thread; unbinding releases
  // it now, so a new handler can bind on this context right away.
  try {
    socket_.unbind(kZapEndpoint);
  } catch (const zmq::error_t& error) {
    spdlog::debug("control API: ZAP handler unbind: {}", error.what());
  }
}

std::optional<AllowedClient> ZapHandler::client(const std::string& fingerprint) const {
  const std::lock_guard lock(mutex_);
  const auto it = by_fingerprint_.find(fingerprint);
  if (it == by_fingerprint_.end()) return std::nullopt;
  return it->second;
}

void ZapHandler::set_clients(std::vector<AllowedClient> clients) {
  // Built aside and swapped in, so a bad list leaves the old one in force.
  std::map<std::string, AllowedClient> by_fingerprint;
  std::map<std::string, std::string> fingerprint_by_key;
  for (auto& allowed : clients) {
    if (!is_valid_key(allowed.public_key)) {
      throw std::runtime_error("API client '" + allowed.name +
                               "': public key is not 40 valid Z85 characters");
    }
    std::string print = fingerprint(allowed.public_key);
    if (const auto it = by_fingerprint.find(print); it != by_fingerprint.end()) {
      throw std::runtime_error("API clients '" + it->second.name + "' and '" + allowed.name +
                               "' have the same public key");
    }
    fingerprint_by_key.emplace(allowed.public_key, print);
    by_fingerprint.emplace(std::move(print), std::move(allowed));
  }
  const std::lock_guard lock(mutex_);
  by_fingerprint_ = std::move(by_fingerprint);
  fingerprint_by_key_ = std::move(fingerprint_by_key);
}

std::vector<std::string> ZapHandler::answer(const std::vector<zmq::message_t>& request) {
  const std::string request_id = frame_text(request, kRequestId);
  const std::string address = frame_text(request, kAddress);

  const auto refuse = [&](const std::string& status, const std::string& print,
                          const std::string& reason) {
    const auto now = std::chrono::steady_clock::now();
    const std::string peer = print + "@" + address;
    auto& last = last_warned_[peer];
    if (last == std::chrono::steady_clock::time_point{} || now - last >= kWarnInterval) {
      last = now;
      spdlog::warn("control API: refused {} from {}: {}", print.empty() ? "a client" : print,
                   address.empty() ? "?" : address, reason);
    } else {
      spdlog::debug("control API: refused {} from {}: {}", print, address, reason);
    }
    if (last_warned_.size() > kMaxWarnEntries) {
      std::erase_if(last_warned_,
                    [&](const auto& entry) { return now - entry.second >= kWarnInterval; });
      if (last_warned_.size() > kMaxWarnEntries) last_warned_.clear();  // a hard bound
    }
    if (on_refused_) {
      // The callback is the caller's code (the audit trail): its failure must not stop ZAP.
      try {
        on_refused_(print, address, reason);
      } catch (const std::exception& error) {
        spdlog::error("control API: refusal callback failed: {}", error.what());
      } catch (...) {
        spdlog::error("control API: refusal callback failed with an unknown exception");
      }
    }
    return std::vector<std::string>{kZapVersion, request_id, status, reason, "", ""};
  };

  if (request.size() < kCredentials || frame_text(request, kVersion) != kZapVersion) {
    return refuse("500", "", "malformed ZAP request");
  }
  const std::string mechanism = frame_text(request, kMechanism);
  if (mechanism != "CURVE") {
    return refuse("400", "", "mechanism " + mechanism + " not allowed (CURVE only)");
  }
  if (request.size() != kCredentials + 1 || request[kCredentials].size() != kCurveKeyBytes) {
    return refuse("400", "", "malformed CURVE credentials");
  }

  std::array<char, 41> key{};  // Z85 of 32 bytes: 40 characters and a NUL
  if (zmq_z85_encode(key.data(), request[kCredentials].data<std::uint8_t>(), kCurveKeyBytes) ==
      nullptr) {
    return refuse("500", "", "cannot encode the client key");
  }
  std::string print;
  std::string name;
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = fingerprint_by_key_.find(key.data()); it != fingerprint_by_key_.end()) {
      print = it->second;
      name = by_fingerprint_.at(print).name;
    }
  }
  if (print.empty()) return refuse("400", fingerprint(key.data()), "unknown client key");

  spdlog::debug("control API: {} ({}) authenticated from {} (domain '{}')", name, print, address,
                frame_text(request, kDomain));
  return {kZapVersion, request_id, "200", "OK", print, ""};
}

void ZapHandler::run(std::stop_token stop) {
  try {
    while (!stop.stop_requested()) {
      try {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollTimeout);
        if ((item.revents & ZMQ_POLLIN) == 0) continue;

        std::vector<zmq::message_t> request;
        if (!zmq::recv_multipart(socket_, std::back_inserter(request), zmq::recv_flags::dontwait)) {
          continue;
        }
        std::vector<std::string> reply;
        try {
          reply = answer(request);
        } catch (const std::exception& error) {
          // A REP socket must answer before it can receive again; and libzmq waits for it.
          spdlog::error("control API: ZAP request failed: {}", error.what());
          reply = {kZapVersion, frame_text(request, kRequestId), "500", "internal error", "", ""};
        }
        for (std::size_t i = 0; i < reply.size(); ++i) {
          const auto flags =
              i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
          socket_.send(zmq::buffer(reply[i]), flags);
        }
      } catch (const zmq::error_t& error) {
        if (error.num() == ETERM) {
          spdlog::debug("control API: ZAP handler stops: context terminated");
          return;
        }
        spdlog::error("control API: ZAP handler: {}", error.what());
        std::this_thread::sleep_for(kPollTimeout);  // no busy loop on a lasting error
      } catch (const std::exception& error) {
        // Kept running: without the handler no CURVE client could ever connect.
        spdlog::error("control API: ZAP handler: {}", error.what());
        std::this_thread::sleep_for(kPollTimeout);
      }
    }
  } catch (const std::exception& error) {
    spdlog::critical("control API: ZAP handler thread stopped: {}", error.what());
  } catch (...) {
    spdlog::critical("control API: ZAP handler thread stopped by an unknown exception");
  }
}

}  // namespace vw::controller::api
