// CaseFeed: subscribes to the grid-management platform's case feed (ZeroMQ PUB, message schema
// v1, docs/case-feed.md), folds it into a CaseBoard and publishes immutable CaseViews.
//
// One thread of its own owns the ZeroMQ SUB socket and the CaseBoard: it polls with a 100 ms
// timeout, parses each frame, applies it, and calls `publish` at most every `publish_interval`
// when the figures or the staleness changed. Bad frames are counted per kind and logged once per
// kind (then every 1000th); they never stop the feed. ZeroMQ reconnects by itself.
//
// Frames above `transport_max_bytes` (ZMQ_MAXMSGSIZE, 64 KiB by default) are dropped by libzmq at
// the transport: it closes that connection as a protocol error, so the frame never reaches the
// parser and whatever the publisher had queued for us meanwhile is lost. libzmq 4.3 does not
// reconnect after a protocol error, so the feed watches its socket monitor: a disconnect with no
// reconnect attempt within `reconnect_grace` makes it rebuild the SUB socket (counted in
// socket_rebuilds). The lost messages show as a sequence gap: stale until the next counts
// snapshot. Raise the limit to have such frames counted as "too_large" by the parser instead,
// at the cost of memory: up to receive_hwm × transport_max_bytes may queue.
//
// Threads: the constructor connects (throws std::runtime_error on a bad endpoint) and starts the
// thread; stats() and view() may be called from any thread; `publish` and `on_event` run on the
// feed's thread and must not block. The destructor stops and joins the thread, then closes the
// socket and the context.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/cases/case_board.hpp"
#include "controller/cases/case_event.hpp"
#include "renderer/case_view.hpp"

namespace vw::controller {

// A publisher admitted by CURVE (see CaseFeedOptions::publishers).
struct CasePublisher {
  std::string id;          // the "publisher" its messages carry
  std::string endpoint;    // tcp://ADDRESS:PORT, numeric: messages are matched by that address
  std::string public_key;  // Z85, pinned: the handshake fails against any other server key
};

struct CaseFeedOptions {
  std::vector<std::string> endpoints;  // "tcp://10.1.2.3:5570"; connected, all subscribed
  // CURVE: when set, `endpoints` is ignored; each publisher's endpoint is connected as a CURVE
  // client of its pinned key, with this key pair, and a message whose "publisher" is not the id
  // of the publisher at its peer address is refused ("unexpected_publisher"). Unset: the feed
  // is unauthenticated, and says so at start.
  std::vector<CasePublisher> publishers;
  std::string client_public_key, client_secret_key;  // Z85
  CaseBoardOptions board;
  int receive_hwm = 10'000;                      // ZMQ_RCVHWM, messages
  std::int64_t transport_max_bytes = 64 * 1024;  // ZMQ_MAXMSGSIZE
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds publish_interval{100};  // at most one view per interval
  std::chrono::milliseconds reconnect_grace{1000};  // see the oversize note above
};

struct CaseFeedStats {
  std::uint64_t received = 0;  // frames (or multi-part messages) read from the socket
  std::uint64_t accepted = 0;  // parsed and valid (duplicates and out-of-order ones included)
  std::uint64_t rejected = 0;  // total of rejected_by_kind
  std::map<std::string, std::uint64_t> rejected_by_kind;  // "not_json", "too_large", ...
  std::uint64_t disconnects = 0;      // transport disconnects (oversize frames, publisher gone)
  std::uint64_t socket_rebuilds = 0;  // after a disconnect libzmq did not retry
  std::uint64_t views_published = 0;
  CaseBoardStats board;  // gaps, restarts, duplicates, last_seq per publisher, ...
  bool stale = true;
  std::string stale_reason;
};

class CaseFeed {
 public:
  using Publish = std::function<void(renderer::CaseViewPtr)>;
  using OnEvent = std::function<void(const CaseEvent&)>;  // each applied case event

  CaseFeed(CaseFeedOptions options, Publish publish, OnEvent on_event = {},
           CaseBoard::WallClock wall_clock = {}, CaseBoard::SteadyClock steady_clock = {});
  ~CaseFeed();
  CaseFeed(const CaseFeed&) = delete;
  CaseFeed& operator=(const CaseFeed&) = delete;

  CaseFeedStats stats() const;
  renderer::CaseViewPtr view() const;  // the latest published view; null before the first

 private:
  struct Sockets;  // the ZeroMQ context, SUB socket and monitor (zmq.hpp stays in the .cpp)

  void run(std::stop_token stop);                                  // feed thread
  void handle(const std::string& bytes, const char* peer);         // feed thread
  void reject(std::string_view kind, const std::string& message);  // feed thread
  void open_sockets();             // constructor, then the feed thread
  void drain_monitor();            // feed thread
  void rebuild_if_abandoned();     // feed thread
  void maybe_publish(bool force);  // feed thread

  const CaseFeedOptions options_;
  Publish publish_;
  OnEvent on_event_;
  CaseBoard board_;  // feed thread only
  std::unique_ptr<Sockets> sockets_;
  std::chrono::steady_clock::time_point last_publish_{};  // feed thread only
  // When a disconnect was seen with no reconnect attempt since; feed thread only.
  std::optional<std::chrono::steady_clock::time_point> disconnected_since_;

  mutable std::mutex mutex_;  // guards stats_ and view_
  CaseFeedStats stats_;
  renderer::CaseViewPtr view_;

  std::jthread thread_;  // last: starts after everything above exists, joined first
};

}  // namespace vw::controller
