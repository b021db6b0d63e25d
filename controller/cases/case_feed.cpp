#include "controller/cases/case_feed.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <zmq.hpp>

#include "controller/cases/case_feed_parser.hpp"
#include "renderer/utf8.hpp"

namespace {
constexpr int kFeedNice = 10;  // Linux: per-thread nice value
}  // namespace

namespace vw::controller {

using std::chrono::steady_clock;

struct CaseFeed::Sockets {
  zmq::context_t context{1};
  zmq::socket_t sub{context, zmq::socket_type::sub};
  zmq::socket_t monitor{context, zmq::socket_type::pair};  // transport events of `sub`
};

namespace {

constexpr int kMaxMessagesPerPoll = 1000;  // then tick and publish before reading on

// The address part of tcp://ADDRESS:PORT, as libzmq reports a peer ("Peer-Address").
std::string_view endpoint_host(std::string_view endpoint) {
  endpoint.remove_prefix(std::min(endpoint.size(), std::string_view("tcp://").size()));
  endpoint = endpoint.substr(0, endpoint.rfind(':'));
  if (endpoint.size() >= 2 && endpoint.front() == '[' && endpoint.back() == ']')
    endpoint = endpoint.substr(1, endpoint.size() - 2);
  return endpoint;
}

// Whether a message saying it is from `publisher` may come from `peer`: only over the
// connection of the publisher whose key is pinned for that id.
bool admitted(const std::vector<CasePublisher>& publishers, const std::string& publisher,
              const char* peer) {
  if (peer == nullptr) return false;
  for (const auto& p : publishers)
    if (p.id == publisher && endpoint_host(p.endpoint) == peer) return true;
  return false;
}

std::string monitor_address() {
  static std::atomic<unsigned> counter{0};
  return "inproc://vw-case-feed-monitor-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

CaseFeed::CaseFeed(CaseFeedOptions options, Publish publish, OnEvent on_event,
                   CaseBoard::WallClock wall_clock, CaseBoard::SteadyClock steady_clock)
    : options_(std::move(options)),
      publish_(std::move(publish)),
      on_event_(std::move(on_event)),
      board_(options_.board, std::move(wall_clock), std::move(steady_clock)),
      sockets_(std::make_unique<Sockets>()) {
  if (options_.endpoints.empty() && options_.publishers.empty()) {
    throw std::runtime_error("case feed: no endpoint to connect to");
  }
  open_sockets();
  stats_.stale = board_.stale();
  stats_.stale_reason = board_.stale_reason();
  if (options_.publishers.empty()) {
    spdlog::info("case feed: subscribed to {} endpoint(s), first {}", options_.endpoints.size(),
                 options_.endpoints.front());
    spdlog::warn(
        "case feed: unauthenticated (no cases.curve): whoever can reach {} can publish "
        "cases, raise alarms and switch the wall",
        options_.endpoints.front());
  } else {
    spdlog::info("case feed: subscribed with CURVE to {} publisher(s), first {} at {}",
                 options_.publishers.size(), options_.publishers.front().id,
                 options_.publishers.front().endpoint);
  }
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void CaseFeed::open_sockets() {
  sockets_->monitor = zmq::socket_t(sockets_->context, zmq::socket_type::pair);
  sockets_->sub = zmq::socket_t(sockets_->context, zmq::socket_type::sub);  // closes the old one
  auto& sub = sockets_->sub;
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::rcvhwm, options_.receive_hwm);
  sub.set(zmq::sockopt::maxmsgsize, options_.transport_max_bytes);
  sub.set(zmq::sockopt::subscribe, "");
  const std::string monitor = monitor_address();
  if (zmq_socket_monitor(
          sub.handle(), monitor.c_str(),
          ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED) != 0) {
    throw std::runtime_error(std::string("case feed: socket monitor: ") +
                             zmq_strerror(zmq_errno()));
  }
  sockets_->monitor.set(zmq::sockopt::linger, 0);
  sockets_->monitor.connect(monitor);
  auto connect = [&](const std::string& endpoint) {
    try {
      sub.connect(endpoint);
    } catch (const zmq::error_t& error) {
      throw std::runtime_error("case feed: cannot connect to '" + endpoint + "': " + error.what());
    }
  };
  if (options_.publishers.empty()) {
    for (const auto& endpoint : options_.endpoints) connect(endpoint);
  } else {
    sub.set(zmq::sockopt::curve_publickey, options_.client_public_key);
    sub.set(zmq::sockopt::curve_secretkey, options_.client_secret_key);
    // libzmq takes the socket's options at connect(): each connection pins its publisher's key.
    for (const auto& publisher : options_.publishers) {
      sub.set(zmq::sockopt::curve_serverkey, publisher.public_key);
      connect(publisher.endpoint);
    }
  }
  disconnected_since_.reset();
}

void CaseFeed::rebuild_if_abandoned() {
  if (!disconnected_since_ ||
      steady_clock::now() - *disconnected_since_ < options_.reconnect_grace) {
    return;
  }
  std::uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    count = ++stats_.socket_rebuilds;
  }
  if (count == 1 || count % 100 == 0) {
    spdlog::warn(
        "case feed: libzmq did not reconnect after a disconnect (protocol error, e.g. a "
        "frame above {} bytes); reopening the socket ({} so far)",
        options_.transport_max_bytes, count);
  }
  open_sockets();
}

CaseFeed::~CaseFeed() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

CaseFeedStats CaseFeed::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

renderer::CaseViewPtr CaseFeed::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void CaseFeed::reject(std::string_view kind, const std::string& message) {
  std::uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    ++stats_.rejected;
    count = ++stats_.rejected_by_kind[std::string(kind)];
  }
  if (count == 1 || count % 1000 == 0) {
    spdlog::warn("case feed: refused a message ({}, {} so far): {}", kind, count,
                 renderer::printable(message, 300));
  }
}

void CaseFeed::handle(const std::string& bytes, const char* peer) {
  const ParsedMessage parsed = parse_case_message(bytes);
  if (!parsed.ok()) {
    reject(to_string(parsed.error().kind), parsed.error().message);
    return;
  }
  const FeedMessage& message = parsed.message();
  if (!options_.publishers.empty() &&
      !admitted(options_.publishers, message.header.publisher, peer)) {
    reject("unexpected_publisher", "\"" + message.header.publisher + "\" from " +
                                       (peer ? peer : "?") +
                                       " is not the publisher whose key that connection has");
    return;
  }
  const auto outcome = board_.apply(message);
  {
    std::lock_guard lock(mutex_);
    ++stats_.accepted;
  }
  const auto* c = std::get_if<CaseMessage>(&message.body);
  if (c != nullptr && outcome == CaseBoard::Outcome::Applied && on_event_) {
    try {
      on_event_(c->event);
    } catch (const std::exception& error) {
      spdlog::error("case feed: event callback failed for case {}: {}",
                    renderer::printable(c->event.id, 64), error.what());
    }
  }
}

void CaseFeed::drain_monitor() {
  auto& monitor = sockets_->monitor;
  for (;;) {
    zmq::message_t event;
    if (!monitor.recv(event, zmq::recv_flags::dontwait)) return;
    std::uint16_t id = 0;
    if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
    std::string address;
    while (event.more()) {
      if (!monitor.recv(event, zmq::recv_flags::dontwait)) break;
      address = event.to_string();
    }
    if (id == ZMQ_EVENT_CONNECTED || id == ZMQ_EVENT_CONNECT_RETRIED) {
      disconnected_since_.reset();  // libzmq is on it
    } else if (id == ZMQ_EVENT_DISCONNECTED) {
      if (!disconnected_since_) disconnected_since_ = steady_clock::now();
      std::uint64_t count = 0;
      {
        std::lock_guard lock(mutex_);
        count = ++stats_.disconnects;
      }
      spdlog::info(
          "case feed: disconnected from {} ({} so far): publisher gone, or a frame "
          "above {} bytes (libzmq drops the connection)",
          address, count, options_.transport_max_bytes);
    }
  }
}

void CaseFeed::maybe_publish(bool force) {
  const bool was_stale = stats().stale;
  if (!board_.changed()) return;
  const bool stale_flipped = board_.stale() != was_stale;
  const auto now = steady_clock::now();
  if (!force && !stale_flipped && now - last_publish_ < options_.publish_interval) return;
  if (stale_flipped) {
    if (board_.stale()) {
      spdlog::warn("case feed: stale: {}", board_.stale_reason());
    } else {
      spdlog::info("case feed: live again");
    }
  }
  auto view = board_.view();
  last_publish_ = now;
  {
    std::lock_guard lock(mutex_);
    view_ = view;
    ++stats_.views_published;
    stats_.stale = view->stale;
    stats_.stale_reason = view->stale_reason;
  }
  if (publish_) {
    try {
      publish_(std::move(view));
    } catch (const std::exception& error) {
      spdlog::error("case feed: publish callback failed: {}", error.what());
    }
  }
}

void CaseFeed::run(std::stop_token stop) {
  // The wall's frame rate comes before the case numbers: under a flood this thread yields the
  // CPU to decoders and the renderer (the feed falls behind, shows 数据中断, and catches up with
  // the next counts snapshot) rather than slowing every tile down.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kFeedNice) != 0)
    spdlog::debug("case feed: could not lower the feed thread's priority");
  while (!stop.stop_requested()) {
    try {
      auto& sub = sockets_->sub;
      std::array<zmq::pollitem_t, 2> items{
          {{sub.handle(), 0, ZMQ_POLLIN, 0}, {sockets_->monitor.handle(), 0, ZMQ_POLLIN, 0}}};
      zmq::poll(items.data(), items.size(), options_.poll_timeout);
      if (items[1].revents & ZMQ_POLLIN) drain_monitor();
      for (int i = 0; i < kMaxMessagesPerPoll && (items[0].revents & ZMQ_POLLIN); ++i) {
        zmq::message_t frame;
        if (!sub.recv(frame, zmq::recv_flags::dontwait)) break;
        {
          std::lock_guard lock(mutex_);
          ++stats_.received;
        }
        if (!frame.more()) {
          handle(frame.to_string(), zmq_msg_gets(frame.handle(), "Peer-Address"));
          continue;
        }
        int parts = 1;
        while (frame.more() && sub.recv(frame, zmq::recv_flags::dontwait)) ++parts;
        reject("not_json", "a message of " + std::to_string(parts) +
                               " frames; schema v1 is one JSON frame per message");
      }
      rebuild_if_abandoned();
      board_.tick();
      maybe_publish(false);
      std::lock_guard lock(mutex_);
      stats_.board = board_.stats();
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) return;
      spdlog::error("case feed: {}", error.what());
      std::this_thread::sleep_for(options_.poll_timeout);
    } catch (const std::exception& error) {
      spdlog::error("case feed: {}", error.what());
      std::this_thread::sleep_for(options_.poll_timeout);
    }
  }
}

}  // namespace vw::controller
